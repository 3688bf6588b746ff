"""Progress of a long crawl: a log line every EDGAR_PROGRESS_SECONDS, and a bar on an interactive terminal.

The line says how many filings are done and left, the rate of responses, throttle pauses and an estimate of
the time left. A crawl sends one request per filing, so the time left is the filings left over the
filings done per second so far (never faster than the rate budget allows).
"""

from __future__ import annotations

import logging
import sys
import time
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)
BAR_WIDTH = 30


def eta_text(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s"


class CrawlProgress:
    def __init__(self, crawler: Crawler, interval: float, rate: float, bar: bool) -> None:
        self.crawler = crawler
        self.interval = interval
        self.rate = rate
        self.bar = bar
        self.started = time.monotonic()
        self.last_requests = 0
        self.last_time = self.started
        self.loops: list[task.LoopingCall] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        interval = crawler.settings.getfloat("EDGAR_PROGRESS_SECONDS")
        if interval <= 0:
            raise NotConfigured("EDGAR_PROGRESS_SECONDS is 0")
        extension = cls(crawler, interval, crawler.settings.getfloat("EDGAR_RATE"), sys.stderr.isatty())
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def counts(self) -> dict[str, float | int | None]:
        stats = self.crawler.stats
        listed = stats.get_value("edgar/filings_listed", 0) - stats.get_value("edgar/filings_already_settled", 0)
        done = sum(stats.get_value(f"edgar/filings_{status}", 0) for status in ("archived", "missing", "dead"))
        elapsed = max(time.monotonic() - self.started, 1e-6)
        per_second = min(done / elapsed, self.rate) if done else None
        left = max(listed - done, 0)
        return {"done": done, "left": left, "pauses": stats.get_value("edgar/throttle_pauses", 0),
                # responses, not requests: requests are counted when queued, responses when EDGAR answered
                "requests": stats.get_value("downloader/response_count", 0),
                "eta": left / per_second if per_second else None}

    def log(self) -> None:
        counts = self.counts()
        now = time.monotonic()
        rate = (counts["requests"] - self.last_requests) / max(now - self.last_time, 1e-6)
        self.last_requests, self.last_time = counts["requests"], now
        logger.info("progress: %d filings done, %d left (listing may still add more); %.1f responses/s; "
                    "%d throttle pauses; ETA %s", counts["done"], counts["left"], rate, counts["pauses"],
                    eta_text(counts["eta"]))

    def draw(self) -> None:
        counts = self.counts()
        total = counts["done"] + counts["left"]
        filled = int(BAR_WIDTH * counts["done"] / total) if total else 0
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {counts['done']}/{total} filings, "
                         f"ETA {eta_text(counts['eta'])}  ")
        sys.stderr.flush()

    def spider_opened(self, spider: object) -> None:
        self.loops.append(task.LoopingCall(self.log))
        self.loops[-1].start(self.interval, now=False)
        if self.bar:
            self.loops.append(task.LoopingCall(self.draw))
            self.loops[-1].start(1.0, now=False)

    def spider_closed(self, spider: object) -> None:
        for loop in self.loops:
            if loop.running:
                loop.stop()
        if self.bar:
            self.draw()  # the final state, then leave the line
            sys.stderr.write("\n")
        self.log()
