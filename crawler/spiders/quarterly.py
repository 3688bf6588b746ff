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
# The filing a letter reviewed was filed up to about a year before the letter: the indexes of three quarters
# before the range are read too (their filings are not fetched), so the build can resolve it. Three requests a
# crawl; a quarter EDGAR does not have is skipped, without trying form.idx.
LOOKBACK_QUARTERS = 3


class QuarterlySpider(DateRangeSpider):
    """Spider arguments: `from`, `to` (YYYY-MM-DD, Date Filed, inclusive), `forms`.

    `scrapy crawl edgar_quarterly -a from=2024-01-01 -a to=2024-06-30 -s EDGAR_USER_AGENT="..."`
    """

    name = "edgar_quarterly"
    discovered_via = "quarterly"

    def listing_requests(self) -> Iterator[scrapy.Request | ListingProblem]:
        last = min(add_quarters(self.end_date, EXTRA_QUARTERS), date.today())
        for year, quarter in quarters_between(add_quarters(self.start_date, -LOOKBACK_QUARTERS), last):
            url = f"{self.edgar_url}/Archives/edgar/full-index/{year}/QTR{quarter}/form.gz"
            lookback = date(year, quarter * 3 - 2, 1) < date(self.start_date.year, (self.start_date.month - 1) // 3
                                                             * 3 + 1, 1)
            yield self.listing_request(url, self.parse_quarter, year=year, quarter=quarter, compressed=True,
                                       lookback=lookback)

    def parse_quarter(self, response: Response, year: int, quarter: int, compressed: bool,
                      lookback: bool = False) -> Iterator[Any]:
        if self.listing_absent(response):
            if lookback:  # only for the build's resolution of reviewed filings: not worth a second request
                return
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
