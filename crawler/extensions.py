"""Storage as an extension (kingfisher-collect style): spiders yield items, this writes them.

`RawArchiveStore` keeps every fetched submission in the raw archive and every failure in the
ledger (corpus/archive.py). Writes run in a worker thread so the reactor keeps downloading, and
the scraper waits for each write, so a yielded item is on disk before the next is accepted.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from scrapy import signals

from corpus.archive import RawArchive
from crawler.items import ArchivedFiling, FailedFiling

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


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
                self.archive.store,
                accession=item.accession_number, cik=item.cik, form_type=item.form_type, url=item.url,
                body=item.body, http_status=item.http_status, fetched_at=item.fetched_at,
                index_date_filed=item.index_date_filed, discovered_via=item.discovered_via,
            )
        if isinstance(item, FailedFiling):
            self.crawler.stats.inc_value(f"edgar/filings_{item.status}")
            logger.warning("Filing %s %s: %s", item.accession_number, item.status, item.reason)
            await asyncio.to_thread(
                self.archive.record_failure,
                accession=item.accession_number, cik=item.cik, form_type=item.form_type, url=item.url,
                status=item.status, reason=item.reason, http_status=item.http_status,
                index_date_filed=item.index_date_filed, discovered_via=item.discovered_via,
            )

    def spider_closed(self) -> None:
        self.archive.close()
