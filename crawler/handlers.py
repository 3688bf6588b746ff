"""The one place where requests reach the network, so the SEC's rules are enforced there too.

Scrapy's download slot spaces the requests it hands to the download handler, but Twisted's connection
pool re-sends a request by itself when a reused keep-alive connection fails before the answer
(`HTTPConnectionPool.retryAutomatically`): that second request never passes the slot, and under
connection resets it doubled the request rate (15 in one second at --rate 10). `SecDownloadHandler`
turns the re-send off (a failed request goes back to SecFairAccessMiddleware, which retries it through
the slot with backoff) and makes every send pass a `FairAccessGate` first:

* at most 10 sends in any one second, counted at the moment of sending (a second line of defence
  behind the slot's delay, whatever path a request came by);
* nothing at all while a throttle pause lasts;
* nothing once the crawl is stopping (SIGTERM, Ctrl-C): a request waiting at the gate is dropped
  unsent, so a stop during a 10-minute pause takes a second, not ten minutes.
"""

from __future__ import annotations

import time
from collections import deque
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.asyncio import sleep

from edgar_corpus.edgar import SEC_MAX_REQUESTS, SEC_WINDOW_SECONDS

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

POLL_SECONDS = 0.5  # how often a waiting request looks whether the crawl is stopping


class CrawlStopping(IgnoreRequest):
    """The crawl is shutting down: the request was not sent, and is not a failure of the filing."""


class FairAccessGate:
    """Shared by the middleware (which starts pauses) and the handlers (which send)."""

    def __init__(self, crawler: Crawler, limit: int = SEC_MAX_REQUESTS, window: float = SEC_WINDOW_SECONDS) -> None:
        self.crawler = crawler
        self.limit = limit
        self.window = window
        self.sent: deque[float] = deque(maxlen=limit)
        self.resume_at = 0.0  # monotonic time before which nothing may be sent (a throttle pause)
        self.held = 0  # sends the budget delayed: the slot alone would have broken the limit

    @property
    def stopping(self) -> bool:
        try:
            engine = self.crawler.engine
        except RuntimeError:  # Scrapy 2.19: no engine before the crawl starts
            return False
        return engine is not None and not engine.running

    def budget_wait(self, now: float) -> float:
        """How long a send at `now` must wait so that no window holds more than `limit` sends."""
        if len(self.sent) < self.limit:
            return 0.0
        # a little margin: the server's clock measures arrivals, a hair after we send
        return max(0.0, self.sent[0] + self.window + 0.005 - now)

    async def wait_until(self, not_before: float) -> None:
        """Sleep until `not_before` (and any pause) has passed; CrawlStopping if the crawl stops meanwhile."""
        while (wait := max(not_before, self.resume_at) - time.monotonic()) > 0:
            if self.stopping:
                raise CrawlStopping("the crawl is stopping")
            await sleep(min(wait, POLL_SECONDS))
        if self.stopping:
            raise CrawlStopping("the crawl is stopping")

    async def acquire(self) -> None:
        """Wait for a send: after any pause, within the budget. Records the send."""
        while True:
            await self.wait_until(0.0)
            wait = self.budget_wait(time.monotonic())
            if wait <= 0:
                break
            self.held += 1
            await sleep(wait)
        self.sent.append(time.monotonic())


_GATES: WeakKeyDictionary[Crawler, FairAccessGate] = WeakKeyDictionary()


def fair_access_gate(crawler: Crawler) -> FairAccessGate:
    """The crawl's one gate (http and https get one handler instance each; both must share it)."""
    if crawler not in _GATES:
        _GATES[crawler] = FairAccessGate(crawler)
    return _GATES[crawler]


class SecDownloadHandler(HTTP11DownloadHandler):
    """HTTP/1.1 with keep-alive, no transparent re-sends, and every send through the gate."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._pool.retryAutomatically = False  # default True: a re-send outside the slot, unseen by Scrapy
        self.gate = fair_access_gate(crawler)
        self.stats = crawler.stats

    async def download_request(self, request: Request) -> Response:
        await self.gate.acquire()
        if self.stats is not None:
            self.stats.inc_value("edgar/requests_sent")  # what the network saw, retries included
            self.stats.set_value("edgar/requests_held_by_budget", self.gate.held)
        return await super().download_request(request)
