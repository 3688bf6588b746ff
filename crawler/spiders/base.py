"""The base spider: turns listed filings into one request each and responses into items.

Subclasses only say where filings are listed (`listing_requests`). Everything else is shared:
one request per filing (`/Archives/edgar/data/<cik>/<acc18>/<accession>.txt`, gzip accepted),
dedupe by accession, no request for an accession the ledger already settled, index files kept
with their Last-Modified so a re-run asks with If-Modified-Since and gets a cheap 304.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import scrapy

from corpus.archive import DEAD, MISSING, RawArchive, write_atomic
from crawler.indexes import ListedFiling
from crawler.items import ArchivedFiling, FailedFiling
from crawler.middlewares import SLOT, slot_delay

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings
    from twisted.python.failure import Failure

ABSENT = (403, 404)  # EDGAR's "no such file": 403 with S3 XML (www), 404 (data., older www)


def split_forms(value: str | Iterable[str] | None, default: Iterable[str]) -> tuple[str, ...]:
    if value is None:
        return tuple(default)
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(f.strip().upper() for f in items if f.strip())


def failure_reason(failure: Failure) -> str:
    """Why a request failed: the middleware's account of its retries, else the exception."""
    request = failure.request  # type: ignore[attr-defined]
    return request.meta.get("edgar_failure") or f"{failure.type.__name__}: {failure.value}"


class EdgarSpider(scrapy.Spider):
    """Base of the three discovery modes; not run by itself."""

    discovered_via = ""

    def __init__(self, *args: Any, forms: str | None = None, data_dir: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._forms_arg = forms
        self._data_dir_arg = data_dir
        self.seen: set[str] = set()
        self.settled: set[str] = set()

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # One slot, one budget, for every SEC host: see crawler/middlewares.py.
        delay = slot_delay(settings.getfloat("EDGAR_RATE"))
        concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        settings.set("DOWNLOAD_DELAY", delay, priority="spider")
        settings.set("DOWNLOAD_SLOTS", {SLOT: {"delay": delay, "concurrency": concurrency, "jitter": 0}},
                     priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> EdgarSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.edgar_url = settings.get("EDGAR_URL").rstrip("/")
        spider.data_url = settings.get("EDGAR_DATA_URL").rstrip("/")
        spider.data_dir = Path(spider._data_dir_arg or settings.get("EDGAR_DATA_DIR"))
        spider.forms = split_forms(spider._forms_arg, settings.getlist("EDGAR_FORMS"))
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        archive = RawArchive(self.data_dir)
        self.settled = archive.settled_accessions()
        archive.close()
        self.logger.info("%d accessions already settled in %s; they will not be requested",
                         len(self.settled), self.data_dir)
        for request in self.listing_requests():
            yield request

    def listing_requests(self) -> Iterable[scrapy.Request]:
        raise NotImplementedError

    # -- listings -------------------------------------------------------------------------------

    def _cache_path(self, url: str) -> Path:
        # keyed by path, not host: a mirror and EDGAR serve the same file at the same path
        name = hashlib.sha256(urlsplit(url).path.encode()).hexdigest()[:32]
        return self.data_dir / "listing-cache" / name

    def listing_request(self, url: str, callback: Any, **cb_kwargs: Any) -> scrapy.Request:
        """A request for an index or submissions file, conditional on the copy we already have."""
        headers = {}
        meta_file = self._cache_path(url).with_suffix(".json")
        if meta_file.exists():
            modified = json.loads(meta_file.read_text()).get("last_modified")
            if modified:
                headers["If-Modified-Since"] = modified
        return scrapy.Request(
            url, callback=callback, errback=self.listing_failed, headers=headers, cb_kwargs=cb_kwargs,
            meta={"handle_httpstatus_list": [304, *ABSENT]}, dont_filter=True,
        )

    def listing_failed(self, failure: Failure) -> None:
        """A listing we could not read hides filings: count it so the crawl does not end as a success."""
        self.unreadable_listing(failure.request.url, failure_reason(failure))  # type: ignore[attr-defined]

    def unreadable_listing(self, url: str, reason: str) -> None:
        self.crawler.stats.inc_value("edgar/listings_failed")
        self.logger.error("Could not read listing %s: %s", url, reason)

    def listing_body(self, response: Response) -> bytes | None:
        """The body of a listing response (from our copy on 304), or None when EDGAR has no such file."""
        cache = self._cache_path(response.url)
        if response.status == 304 and cache.exists():
            self.crawler.stats.inc_value("edgar/listing_not_modified")
            return cache.read_bytes()
        if response.status != 200:
            return None
        modified = response.headers.get("Last-Modified")
        if modified:
            write_atomic(cache, response.body)
            write_atomic(cache.with_suffix(".json"),
                         json.dumps({"url": response.url, "last_modified": modified.decode()}).encode())
        return response.body

    # -- filings --------------------------------------------------------------------------------

    def filing_requests(self, listed: Iterable[ListedFiling]) -> Iterator[scrapy.Request]:
        stats = self.crawler.stats
        for filing in listed:
            if filing.form_type not in self.forms:
                continue
            if filing.accession_number in self.seen:
                stats.inc_value("edgar/listed_duplicates")
                continue
            self.seen.add(filing.accession_number)
            stats.inc_value("edgar/filings_listed")
            if filing.accession_number in self.settled:
                stats.inc_value("edgar/filings_already_settled")
                continue
            yield self.filing_request(filing)

    def filing_url(self, cik: int, accession: str) -> str:
        return f"{self.edgar_url}/Archives/edgar/data/{cik}/{accession.replace('-', '')}/{accession}.txt"

    def filing_request(self, filing: ListedFiling) -> scrapy.Request:
        return scrapy.Request(
            self.filing_url(filing.cik, filing.accession_number),
            callback=self.parse_filing,
            errback=self.filing_failed,
            meta={"handle_httpstatus_list": list(ABSENT), "edgar_filing": filing},
            priority=10,  # finish filings before reading more listings: keeps the queue short
        )

    def _item_fields(self, filing: ListedFiling, url: str) -> dict[str, Any]:
        """Fields every item about a listed filing carries, whatever became of it."""
        return {
            "accession_number": filing.accession_number, "cik": filing.cik, "form_type": filing.form_type,
            "url": url, "index_date_filed": filing.date_filed.isoformat() if filing.date_filed else None,
            "discovered_via": self.discovered_via,
        }

    def parse_filing(self, response: Response) -> Iterator[ArchivedFiling | FailedFiling]:
        common = self._item_fields(response.meta["edgar_filing"], response.url)
        if response.status in ABSENT:
            yield FailedFiling(**common, status=MISSING, http_status=response.status,
                               reason=f"EDGAR answered {response.status}: no such file")
        elif invalid := response.meta.get("edgar_invalid"):
            yield FailedFiling(**common, status=DEAD, http_status=response.status, reason=invalid)
        else:
            yield ArchivedFiling(**common, http_status=response.status, body=response.body,
                                 fetched_at=datetime.now(UTC).isoformat(timespec="seconds"))

    def filing_failed(self, failure: Failure) -> Iterator[FailedFiling]:
        request = failure.request  # type: ignore[attr-defined]
        status = getattr(getattr(failure.value, "response", None), "status", None)
        yield FailedFiling(**self._item_fields(request.meta["edgar_filing"], request.url), status=DEAD,
                           reason=failure_reason(failure), http_status=status)


class DateRangeSpider(EdgarSpider):
    """A spider over days: `-a from=YYYY-MM-DD` (required) and `-a to=YYYY-MM-DD` (default today)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        start, end = kwargs.pop("from", None), kwargs.pop("to", None)
        super().__init__(*args, **kwargs)
        if not start:
            raise ValueError(f"{self.name} needs -a from=YYYY-MM-DD (and optionally -a to=YYYY-MM-DD)")
        self.start_date = date.fromisoformat(start)
        self.end_date = date.fromisoformat(end) if end else date.today()
        if self.end_date < self.start_date:
            raise ValueError(f"'to' ({self.end_date}) is before 'from' ({self.start_date})")
