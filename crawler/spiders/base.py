"""The base spider: turns listed filings into one request each and responses into items.

Subclasses only say where filings are listed (`listing_requests`) and how a listing parses. Everything else is
shared: one request per filing (`/Archives/edgar/data/<cik>/<acc18>/<accession>.txt`, gzip accepted), dedupe
by accession, no request for an accession the ledger already settled, listings kept with their Last-Modified
so a re-run asks with If-Modified-Since and gets a cheap 304.

A listing that cannot be read (after retries, or a body that does not parse, or rows that name no valid
filing) is yielded as a `ListingProblem`: the crawl then ends "incomplete", never "ok", and the listing is
not kept, so the next run asks for it again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import scrapy

from corpus.archive import DEAD, MISSING, RawArchive
from corpus.listing_cache import ListingCache
from crawler.items import ArchivedFiling, FailedFiling, ListingProblem
from crawler.middlewares import SLOT, is_edgar_absent, slot_delay
from edgar_corpus.edgar import accession_folder
from pipelines.indexes import ListedFiling, malformed_rows, parse_form_index
from pipelines.sgml import submission_identity

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings
    from twisted.python.failure import Failure

ABSENT = (403, 404)  # EDGAR's "no such file" when the body is S3's XML error (see is_edgar_absent)
T = TypeVar("T")


def split_forms(value: str | Iterable[str] | None, default: Iterable[str]) -> tuple[str, ...]:
    if value is None:
        return tuple(default)
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(f.strip().upper() for f in items if f.strip())


def failure_reason(failure: Failure) -> str:
    """Why a request failed: the middleware's account of its retries, else the exception."""
    request = failure.request  # type: ignore[attr-defined]
    return request.meta.get("edgar_failure") or f"{failure.type.__name__}: {failure.value}"


def identity_problem(body: bytes, accession: str, cik: int) -> str | None:
    """Why a fetched submission is not the filing asked for, or None: its header must name the accession of
    the URL and, among its entities, the CIK the listing gave."""
    found, ciks = submission_identity(body)
    if found != accession:
        return f"the submission served is {found or 'without an accession number'}, not {accession}"
    if ciks and cik not in ciks:
        return f"the submission's header names CIKs {sorted(ciks)}, not the listed CIK {cik}"
    return None


def index_rows(body: bytes) -> tuple[list[ListedFiling], int]:
    """A form.idx body's filings, and how many of its rows named a filing that could not be read."""
    text = body.decode("latin-1")
    rows = parse_form_index(text)
    return rows, malformed_rows(text, rows)


class EdgarSpider(scrapy.Spider):
    """Base of the three discovery modes; not run by itself."""

    discovered_via = ""

    def __init__(self, *args: Any, forms: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._forms_arg = forms
        self.seen: set[str] = set()
        self.settled: set[str] = set()
        self.listings_requested: set[str] = set()

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
        spider.data_dir = Path(settings.get("EDGAR_DATA_DIR"))
        spider.forms = split_forms(spider._forms_arg, settings.getlist("EDGAR_FORMS"))
        spider.listing_cache = ListingCache(spider.data_dir)
        return spider

    def scope(self) -> dict[str, str]:
        """What this crawl was asked for, as the run record keeps it (`status` counts listed filings against it)."""
        return {"forms": ",".join(self.forms)}

    async def start(self) -> AsyncIterator[Any]:
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

    def listing_request(self, url: str, callback: Any, **cb_kwargs: Any) -> scrapy.Request | ListingProblem:
        """A request for an index or submissions file, conditional on the copy we already have. A listing is
        requested once per crawl: a page that names itself or an earlier page is a problem, not a loop."""
        if url in self.listings_requested:
            return self.listing_problem(url, "named again by a listing already read (a loop of pages)")
        self.listings_requested.add(url)
        modified = self.listing_cache.last_modified(url)
        headers = {"If-Modified-Since": modified} if modified else {}
        return scrapy.Request(
            url, callback=callback, errback=self.listing_failed, headers=headers, cb_kwargs=cb_kwargs,
            meta={"handle_httpstatus_list": [304, *ABSENT]}, dont_filter=True,
        )

    def listing_problem(self, url: str, reason: str) -> ListingProblem:
        """A listing we could not read hides filings: the crawl must not end as a success."""
        self.crawler.stats.inc_value("edgar/listings_failed")
        self.logger.error("Could not read listing %s: %s", url, reason)
        return ListingProblem(url=url, reason=reason)

    def malformed_problem(self, url: str, malformed: int) -> Iterator[ListingProblem]:
        if malformed:
            yield self.listing_problem(url, f"{malformed} rows with a null or malformed accession number, form or "
                                            "page name were skipped")

    def listing_failed(self, failure: Failure) -> Iterator[ListingProblem]:
        request = failure.request  # type: ignore[attr-defined]
        if not request.meta.get("edgar_cancelled"):
            yield self.listing_problem(request.url, failure_reason(failure))

    def listing_absent(self, response: Response) -> bool:
        """EDGAR's own answer that this listing does not exist (a holiday's daily index, a future quarter)."""
        return response.status in ABSENT and is_edgar_absent(response) and not response.meta.get("edgar_failure")

    def read_listing(self, response: Response, parse: Callable[[bytes], T]) -> T | ListingProblem:
        """`parse(body)` of a listing response (our copy's body on a 304), or the problem that stopped it.
        A body that parsed is kept for the next run's If-Modified-Since; one that did not is never kept."""
        url = response.url
        if failure := response.meta.get("edgar_failure"):
            return self.listing_problem(url, failure)
        if response.status == 304:
            body = self.listing_cache.get(url)
            if body is None:
                return self.listing_problem(url, "EDGAR answered 304 Not Modified but no copy is kept")
            self.crawler.stats.inc_value("edgar/listing_not_modified")
        elif response.status == 200:
            body = response.body
        else:
            return self.listing_problem(url, f"EDGAR answered HTTP {response.status}")
        try:
            parsed = parse(body)
        except Exception as exc:  # any listing that does not parse, whatever the parser raised
            if response.status == 304:
                self.listing_cache.drop(url)
            return self.listing_problem(url, f"cannot be read: {type(exc).__name__}: {exc}")
        modified = response.headers.get("Last-Modified")
        if response.status == 200 and modified:
            self.listing_cache.put(url, body, modified.decode("latin-1"))
        return parsed

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
        return f"{self.edgar_url}/Archives/edgar/data/{cik}/{accession_folder(accession)}/{accession}.txt"

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
        filing: ListedFiling = response.meta["edgar_filing"]
        common = self._item_fields(filing, response.url)
        if failure := response.meta.get("edgar_failure"):
            yield FailedFiling(**common, status=DEAD, http_status=response.status, reason=failure)
        elif self.listing_absent(response):
            yield FailedFiling(**common, status=MISSING, http_status=response.status,
                               reason=f"EDGAR answered {response.status}: no such file")
        elif problem := identity_problem(response.body, filing.accession_number, filing.cik):
            yield FailedFiling(**common, status=DEAD, http_status=response.status, reason=problem)
        else:
            yield ArchivedFiling(**common, http_status=response.status, body=response.body,
                                 fetched_at=datetime.now(UTC).isoformat(timespec="seconds"))

    def filing_failed(self, failure: Failure) -> Iterator[FailedFiling]:
        request = failure.request  # type: ignore[attr-defined]
        if request.meta.get("edgar_cancelled"):  # not sent because the crawl stopped: the next run fetches it
            return
        status = getattr(getattr(failure.value, "response", None), "status", None)
        yield FailedFiling(**self._item_fields(request.meta["edgar_filing"], request.url), status=DEAD,
                           reason=failure_reason(failure), http_status=status)


def _day(name: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"-a {name}={value!r} is not a date: use YYYY-MM-DD") from None


class DateRangeSpider(EdgarSpider):
    """A spider over days: `-a from=YYYY-MM-DD` (required, unless `start_from_state` says otherwise) and
    `-a to=YYYY-MM-DD` (default today)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        start, end = kwargs.pop("from", None), kwargs.pop("to", None)
        super().__init__(*args, **kwargs)
        self.start_date: date | None = _day("from", start) if start else None
        self.end_date = _day("to", end) if end else date.today()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> DateRangeSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.start_date is None:
            spider.start_date = spider.start_from_state()
        if spider.end_date < spider.start_date:
            raise ValueError(f"'to' ({spider.end_date}) is before 'from' ({spider.start_date})")
        return spider

    def start_from_state(self) -> date:
        raise ValueError(f"{self.name} needs -a from=YYYY-MM-DD (and optionally -a to=YYYY-MM-DD)")

    def scope(self) -> dict[str, str]:
        return {**super().scope(), "from": self.start_date.isoformat(), "to": self.end_date.isoformat()}
