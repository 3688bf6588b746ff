"""Every correspondence filing whose Date Filed is in a range, from the quarterly full index."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from crawler.indexes import add_quarters, parse_form_index, quarters_between
from crawler.spiders.base import DateRangeSpider

if TYPE_CHECKING:
    import scrapy
    from scrapy.http import Response

# A letter is released weeks or months after its Date Filed, and it is not known in which
# quarterly file EDGAR lists it then (edgar-interface.md §4.2, §10): read two more quarters.
EXTRA_QUARTERS = 2


class QuarterlySpider(DateRangeSpider):
    """Spider arguments: `from`, `to` (YYYY-MM-DD, Date Filed, inclusive), `forms`, `data_dir`.

    `scrapy crawl edgar_quarterly -a from=2024-01-01 -a to=2024-06-30 -s EDGAR_USER_AGENT="..."`
    """

    name = "edgar_quarterly"
    discovered_via = "quarterly"

    def listing_requests(self) -> Iterator[scrapy.Request]:
        last = min(add_quarters(self.end_date, EXTRA_QUARTERS), date.today())
        for year, quarter in quarters_between(self.start_date, last):
            url = f"{self.edgar_url}/Archives/edgar/full-index/{year}/QTR{quarter}/form.gz"
            yield self.listing_request(url, self.parse_quarter, year=year, quarter=quarter, compressed=True)

    def parse_quarter(self, response: Response, year: int, quarter: int, compressed: bool) -> Iterator[Any]:
        body = self.listing_body(response)
        if body is None:
            if compressed:  # form.gz, else form.idx
                url = f"{self.edgar_url}/Archives/edgar/full-index/{year}/QTR{quarter}/form.idx"
                yield self.listing_request(url, self.parse_quarter, year=year, quarter=quarter, compressed=False)
            else:
                self.logger.info("No quarterly index for %d QTR%d (EDGAR answered %d)", year, quarter,
                                 response.status)
            return
        if compressed:
            try:
                body = gzip.decompress(body)
            except (OSError, EOFError) as exc:
                self.unreadable_listing(response.url, f"not a gzip file: {exc}")
                return
        listed = parse_form_index(body.decode("latin-1"))
        in_range = [f for f in listed if f.date_filed and self.start_date <= f.date_filed <= self.end_date]
        yield from self.filing_requests(in_range)
