"""All correspondence of some companies, from data.sec.gov submissions JSON and its older pages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from crawler.items import ListingProblem
from crawler.spiders.base import EdgarSpider
from pipelines.indexes import Submissions, parse_submissions

if TYPE_CHECKING:
    import scrapy
    from scrapy.http import Response


class CompanySpider(EdgarSpider):
    """Spider arguments: `cik` (one CIK, or several separated by commas), `forms`."""

    name = "edgar_company"
    discovered_via = "submissions"

    def __init__(self, *args: Any, cik: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ciks = [c.strip() for c in (cik or "").split(",") if c.strip()]
        if not ciks or not all(c.isdigit() for c in ciks):
            raise ValueError(f"edgar_company needs -a cik=N[,M...] with numeric CIKs (got {cik!r})")
        self.ciks = [int(c) for c in ciks]

    def scope(self) -> dict[str, str]:
        return {**super().scope(), "cik": ",".join(str(c) for c in self.ciks)}

    def listing_requests(self) -> Iterator[scrapy.Request | ListingProblem]:
        for cik in self.ciks:
            yield self.listing_request(f"{self.data_url}/submissions/CIK{cik:010d}.json", self.parse_submissions,
                                       cik=cik)

    def parse_submissions(self, response: Response, cik: int) -> Iterator[Any]:
        if self.listing_absent(response):
            self.logger.warning("EDGAR has no submissions JSON for CIK %d (HTTP %d); the quarterly and daily "
                                "indexes still list its filings", cik, response.status)
            self.crawler.stats.inc_value("edgar/companies_without_submissions")
            return
        listed = self.read_listing(response, lambda body: parse_submissions(json.loads(body), cik))
        if isinstance(listed, ListingProblem):
            yield listed
            return
        assert isinstance(listed, Submissions)
        yield from self.malformed_problem(response.url, listed.malformed)
        for page in listed.pages:
            yield self.listing_request(f"{self.data_url}/submissions/{page}", self.parse_submissions, cik=cik)
        yield from self.filing_requests(listed.filings)
