"""Every correspondence filing whose Date Filed is in a range, from the quarterly full index."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from crawler.items import ListingProblem
from crawler.spiders.base import DateRangeSpider, index_rows
from pipelines.indexes import add_quarters, quarters_between

if TYPE_CHECKING:
    import scrapy
    from scrapy.http import Response

# A letter is released weeks or months after its Date Filed, and it is not known in which
# quarterly file EDGAR lists it then (docs/reference/edgar-interface.md §4.2, §10): read two more quarters.
EXTRA_QUARTERS = 2


class QuarterlySpider(DateRangeSpider):
    """Spider arguments: `from`, `to` (YYYY-MM-DD, Date Filed, inclusive), `forms`.

    `scrapy crawl edgar_quarterly -a from=2024-01-01 -a to=2024-06-30 -s EDGAR_USER_AGENT="..."`
    """

    name = "edgar_quarterly"
    discovered_via = "quarterly"

    def listing_requests(self) -> Iterator[scrapy.Request | ListingProblem]:
        last = min(add_quarters(self.end_date, EXTRA_QUARTERS), date.today())
        for year, quarter in quarters_between(self.start_date, last):
            url = f"{self.edgar_url}/Archives/edgar/full-index/{year}/QTR{quarter}/form.gz"
            yield self.listing_request(url, self.parse_quarter, year=year, quarter=quarter, compressed=True)

    def parse_quarter(self, response: Response, year: int, quarter: int, compressed: bool) -> Iterator[Any]:
        if self.listing_absent(response):
            if compressed:  # form.gz, else form.idx
                url = f"{self.edgar_url}/Archives/edgar/full-index/{year}/QTR{quarter}/form.idx"
                yield self.listing_request(url, self.parse_quarter, year=year, quarter=quarter, compressed=False)
            else:  # not published (before 1993, a quarter not begun): counted, summed up at the end
                self.crawler.stats.inc_value("edgar/quarters_without_index")
                self.logger.debug("No quarterly index for %d QTR%d (EDGAR answered %d)", year, quarter,
                                  response.status)
            return
        listed = self.read_listing(response, (lambda body: index_rows(gzip.decompress(body))) if compressed
                                   else index_rows)
        if isinstance(listed, ListingProblem):
            yield listed
            return
        rows, malformed = listed
        yield from self.malformed_problem(response.url, malformed)
        in_range = [f for f in rows if f.date_filed and self.start_date <= f.date_filed <= self.end_date]
        yield from self.filing_requests(in_range)
