"""The crawl's bookkeeping and storage as extensions (kingfisher-collect style): spiders yield items, these
write them, so a plain `scrapy crawl` (and a scrapyd job) does everything `edgar-corpus crawl` does.

* `CrawlRun`: one crawl per data dir (a lock), the run record in the ledger with what it was asked for and how
  it ended, the daily continuation state, and the build after the crawl when EDGAR_BUILD_AFTER_CRAWL is set.
* `RawArchiveStore`: every fetched submission into the raw archive, every failure and unreadable listing into
  the ledger. Writes run in a worker thread so the reactor keeps downloading, and the scraper waits for each
  write, so a yielded item is on disk before the next is accepted.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import sys
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from scrapy import signals

from corpus.archive import RawArchive
from corpus.crawl_state import record_daily_completed
from crawler.items import ArchivedFiling, FailedFiling, ListingProblem

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# how a crawl ended (runs.outcome, stats edgar/outcome); the CLI maps them to exit codes
OK, INCOMPLETE, THROTTLED, UNREACHABLE, INTERRUPTED = "ok", "incomplete", "throttled", "unreachable", "interrupted"


class DataDirBusy(RuntimeError):
    """Another crawl or build holds the data dir."""


def lock_data_dir(data_dir: Path) -> TextIO:
    """Take the data dir's lock (one crawl or build at a time: two crawls would add up past the SEC's limit).
    Returns the open lock file; closing it releases the lock."""
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = open(data_dir / ".lock", "w")  # noqa: SIM115 - held for the whole crawl or build
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise DataDirBusy(f"another crawl or build is using {data_dir}; wait for it to finish") from None
    return handle


def crawl_outcome(stats: dict[str, Any], reason: str) -> str:
    """How a crawl ended, from its stats and Scrapy's finish reason."""
    if reason == "edgar_throttled":
        return THROTTLED
    if reason == "shutdown":
        return INTERRUPTED
    if stats.get("response_received_count", 0) == 0 and stats.get("downloader/exception_count", 0):
        return UNREACHABLE
    if reason != "finished":
        return reason
    if stats.get("edgar/listings_failed") or any(key.startswith("spider_exceptions/") for key in stats):
        return INCOMPLETE  # filings may be missing from the crawl (or a bug stopped a callback)
    return OK


class CrawlRun:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.data_dir = Path(crawler.settings.get("EDGAR_DATA_DIR"))
        self.build_after = crawler.settings.getbool("EDGAR_BUILD_AFTER_CRAWL")
        self.run_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        self.lock = lock_data_dir(self.data_dir)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRun:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.crawler.stats.set_value("edgar/run_id", self.run_id)
        scope = spider.scope() if hasattr(spider, "scope") else {}
        archive = RawArchive(self.data_dir)
        archive.start_run(self.run_id, " ".join(sys.argv[1:]) or spider.name, scope)
        archive.close()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats.get_stats()
        outcome = crawl_outcome(stats, reason)
        self.crawler.stats.set_value("edgar/outcome", outcome)
        summary = {k.removeprefix("edgar/"): v for k, v in stats.items()
                   if k.startswith("edgar/") and k not in ("edgar/run_id", "edgar/outcome")}
        summary["requests"] = stats.get("downloader/request_count", 0)
        archive = RawArchive(self.data_dir)
        archive.finish_run(self.run_id, outcome, json.dumps(summary, default=str, sort_keys=True))
        archive.close()
        if outcome == OK and getattr(spider, "name", "") == "edgar_daily":
            record_daily_completed(self.data_dir, spider.end_date)
        try:
            if outcome == OK and self.build_after:
                self._build()
        finally:
            self.lock.close()

    def _build(self) -> None:
        from corpus.build import build_corpus, report_line  # the build is heavy; only a build needs it

        logger.info("Building the corpus of %s", self.data_dir)
        try:
            report = build_corpus(self.data_dir)
        except Exception as exc:  # the archive is whole; the crawl's caller says the build failed (exit 5)
            logger.error("The build after the crawl failed: %s: %s", type(exc).__name__, exc)
            logger.debug("The build's traceback", exc_info=True)
            self.crawler.stats.set_value("edgar/build_failed", f"{type(exc).__name__}: {exc}")
            return
        line = report_line(report, self.data_dir)
        self.crawler.stats.set_value("edgar/build", line)
        logger.info(line)


class RawArchiveStore:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.archive = RawArchive(crawler.settings.get("EDGAR_DATA_DIR"))
        adopted = self.archive.recover()
        if adopted:
            logger.info("Adopted %d archived filings left without a ledger row by an interrupted run", adopted)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RawArchiveStore:
        extension = cls(crawler)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    async def item_scraped(self, item: object) -> None:
        if isinstance(item, ArchivedFiling):
            self.crawler.stats.inc_value("edgar/filings_archived")
            await asyncio.to_thread(
                self.archive.store_filing,
                accession=item.accession_number, cik=item.cik, form_type=item.form_type, url=item.url,
                body=item.body, http_status=item.http_status, fetched_at=item.fetched_at,
                index_date_filed=item.index_date_filed, discovered_via=item.discovered_via,
            )
        elif isinstance(item, FailedFiling):
            self.crawler.stats.inc_value(f"edgar/filings_{item.status}")
            logger.warning("Filing %s %s: %s", item.accession_number, item.status, item.reason)
            await asyncio.to_thread(
                self.archive.record_failure,
                accession=item.accession_number, cik=item.cik, form_type=item.form_type, url=item.url,
                status=item.status, reason=item.reason, http_status=item.http_status,
                index_date_filed=item.index_date_filed, discovered_via=item.discovered_via,
            )
        elif isinstance(item, ListingProblem):
            await asyncio.to_thread(self.archive.record_listing_problem,
                                    self.crawler.stats.get_value("edgar/run_id"), item.url, item.reason)

    def spider_closed(self) -> None:
        self.archive.close()

