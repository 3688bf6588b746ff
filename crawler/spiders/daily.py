"""Every correspondence filing listed in the daily indexes of a range of days (listed on release day)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from corpus.crawl_state import continue_daily_from
from crawler.items import ListingProblem
from crawler.spiders.base import DateRangeSpider, index_rows
from pipelines.indexes import business_days

if TYPE_CHECKING:
    import scrapy
    from scrapy.http import Response


class DailySpider(DateRangeSpider):
    """Spider arguments: `from`, `to` (YYYY-MM-DD, index days, inclusive; `to` defaults to today), `forms`.

    Correspondence enters the daily index on the day it is released, with its original Date Filed,
    so every row of those days is kept whatever its Date Filed. Weekends are not requested; a
    weekday without an index (a holiday, or not built yet) is EDGAR's 403 and is skipped quietly.
    With no `from`, the crawl continues from the last daily crawl of the data dir that completed
    (corpus/crawl_state.py), re-reading a week before it.
    """

    name = "edgar_daily"
    discovered_via = "daily"

    def start_from_state(self) -> date:
        start, completed = continue_daily_from(self.data_dir)
        self.logger.info("The last daily crawl of %s completed %s; continuing from %s (what is archived is not "
                         "fetched again)", self.data_dir, completed, start)
        return start

    def listing_requests(self) -> Iterator[scrapy.Request | ListingProblem]:
        for day in business_days(self.start_date, min(self.end_date, date.today())):
            quarter = (day.month - 1) // 3 + 1
            url = f"{self.edgar_url}/Archives/edgar/daily-index/{day.year}/QTR{quarter}/form.{day:%Y%m%d}.idx"
            yield self.listing_request(url, self.parse_day, day=day)

    def parse_day(self, response: Response, day: date) -> Iterator[Any]:
        if self.listing_absent(response):
            self.logger.debug("No daily index for %s", day)
            self.crawler.stats.inc_value("edgar/days_without_index")
            return
        listed = self.read_listing(response, index_rows)
        if isinstance(listed, ListingProblem):
            yield listed
            return
        rows, malformed = listed
        yield from self.malformed_problem(response.url, malformed)
        yield from self.filing_requests(rows)
