"""Every correspondence filing listed in the daily indexes of a range of days (listed on release day)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from crawler.indexes import business_days, parse_form_index
from crawler.spiders.base import DateRangeSpider

if TYPE_CHECKING:
    import scrapy
    from scrapy.http import Response


class DailySpider(DateRangeSpider):
    """Spider arguments: `from`, `to` (YYYY-MM-DD, index days, inclusive; `to` defaults to today).

    Correspondence enters the daily index on the day it is released, with its original Date Filed,
    so every row of those days is kept whatever its Date Filed. Weekends are not requested; a
    weekday without an index (a holiday, or not built yet) is EDGAR's 403 and is skipped quietly.
    """

    name = "edgar_daily"
    discovered_via = "daily"

    def listing_requests(self) -> Iterator[scrapy.Request]:
        for day in business_days(self.start_date, min(self.end_date, date.today())):
            quarter = (day.month - 1) // 3 + 1
            url = f"{self.edgar_url}/Archives/edgar/daily-index/{day.year}/QTR{quarter}/form.{day:%Y%m%d}.idx"
            yield self.listing_request(url, self.parse_day, day=day)

    def parse_day(self, response: Response, day: date) -> Iterator[Any]:
        body = self.listing_body(response)
        if body is None:
            self.logger.debug("No daily index for %s", day)
            self.crawler.stats.inc_value("edgar/days_without_index")
            return
        yield from self.filing_requests(parse_form_index(body.decode("latin-1")))
