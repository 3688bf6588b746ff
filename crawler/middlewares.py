"""Fair access to EDGAR as one downloader middleware: one budget, a declared identity, full stops, backoff.

* Every request, whatever the host (www.sec.gov, data.sec.gov), goes through one download slot
  whose delay is set from EDGAR_RATE, so the SEC's 10 requests/second is one budget, not one per host.
* The crawl refuses to start without a User-Agent that names a contact e-mail.
* A throttle answer (429, or 403 with the SEC's "Request Rate Threshold Exceeded" page) stops all
  requests for EDGAR_THROTTLE_PAUSE seconds, counted from the last throttle answer, then the crawl
  resumes at half the rate. The blocked request is queued again, never retried into the block.
* 5xx, timeouts, resets and bodies that are not a whole submission are retried with bounded
  exponential backoff; when the attempts run out the failure reaches the spider, which records it.
"""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.asyncio import call_later, sleep
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.misc import load_object

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

SLOT = "sec"  # the one download slot of every SEC host
MIN_DELAY = 0.11  # seconds; even --rate 10 keeps a margin so network jitter cannot make 11 in a second
THROTTLE_MARKERS = (b"Request Rate Threshold Exceeded", b"Undeclared Automated Tool", b"exceeded the SEC")
RETRY_STATUSES = frozenset({500, 502, 503, 504, 408, 522, 524})
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


class UserAgentError(ValueError):
    """The configured User-Agent would not be accepted by the SEC."""


def user_agent_problem(user_agent: str | None) -> str | None:
    """Why this User-Agent cannot be used for EDGAR, or None when it can."""
    if not user_agent or not user_agent.strip():
        return "no User-Agent is set"
    if user_agent.lower().startswith(("scrapy/", "python-", "curl/", "mozilla/")):
        return f"{user_agent!r} is a library or browser default"
    if not _EMAIL.search(user_agent):
        return f"{user_agent!r} has no contact e-mail address"
    return None


def slot_delay(rate: float) -> float:
    """Seconds between two requests for a budget of `rate` requests per second (refused above 10)."""
    if not 0 < rate <= 10:
        raise ValueError(f"the request rate must be above 0 and at most 10 per second (got {rate})")
    return max(1.0 / rate, MIN_DELAY)


def is_throttle_page(response: Response) -> bool:
    if response.status == 429:
        return True
    return response.status == 403 and any(marker in response.body[:8192] for marker in THROTTLE_MARKERS)


def is_complete_submission(body: bytes) -> bool:
    """A whole complete submission starts with its stamp and ends with `</SEC-DOCUMENT>` (+ PEM trailer)."""
    return b"<SEC-DOCUMENT>" in body[:2048] and b"</SEC-DOCUMENT>" in body[-256:]


class SecFairAccessMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        problem = user_agent_problem(settings.get("USER_AGENT"))
        if problem:
            raise UserAgentError(
                f"Refusing to crawl EDGAR: {problem}. The SEC requires a declared User-Agent naming "
                "you and a contact e-mail, e.g. --user-agent 'Acme Research ops@acme.example' or "
                "EDGAR_USER_AGENT='Acme Research ops@acme.example'."
            )
        self.crawler = crawler
        self.pause_seconds = settings.getfloat("EDGAR_THROTTLE_PAUSE")
        self.max_throttles = settings.getint("EDGAR_MAX_THROTTLES")
        self.retry_times = settings.getint("EDGAR_RETRY_TIMES")
        self.backoff_base = settings.getfloat("EDGAR_BACKOFF_BASE")
        self.backoff_max = settings.getfloat("EDGAR_BACKOFF_MAX")
        self.retry_exceptions = tuple(
            load_object(x) if isinstance(x, str) else x for x in settings.getlist("RETRY_EXCEPTIONS")
        )
        self.resume_at = 0.0  # monotonic time before which nothing may be sent
        self.throttles = 0
        self._held_delay: float | None = None  # the slot's delay before a pause

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SecFairAccessMiddleware:
        return cls(crawler)

    # -- requests -------------------------------------------------------------------------------

    async def process_request(self, request: Request) -> None:
        request.meta["download_slot"] = SLOT
        not_before = max(self.resume_at, request.meta.get("edgar_not_before", 0.0))
        while (wait := not_before - time.monotonic()) > 0:
            await sleep(wait)
            not_before = max(self.resume_at, request.meta.get("edgar_not_before", 0.0))

    # -- responses ------------------------------------------------------------------------------

    def process_response(self, request: Request, response: Response) -> Request | Response:
        stats = self.crawler.stats
        if is_throttle_page(response):
            stats.inc_value("edgar/throttle_responses")
            self._start_pause(response)
            return request.replace(dont_filter=True)
        if response.status in RETRY_STATUSES:
            return self._retry(request, f"HTTP {response.status}") or response
        if (
            request.meta.get("edgar_filing")
            and response.status == 200
            and not is_complete_submission(response.body)
        ):
            reason = f"body is not a complete submission ({len(response.body)} bytes, no </SEC-DOCUMENT>)"
            retry = self._retry(request, reason)
            if retry is not None:
                return retry
            request.meta["edgar_invalid"] = reason
        return response

    def process_exception(self, request: Request, exception: BaseException) -> Request | None:
        if isinstance(exception, self.retry_exceptions):
            return self._retry(request, f"{type(exception).__name__}: {exception}")
        return None

    def _retry(self, request: Request, reason: str) -> Request | None:
        attempt = request.meta.get("edgar_attempt", 0) + 1
        stats = self.crawler.stats
        if attempt > self.retry_times:
            stats.inc_value("edgar/retry_gave_up")
            request.meta["edgar_failure"] = f"{reason} (gave up after {attempt} attempts)"
            return None
        wait = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        stats.inc_value("edgar/retries")
        logger.info("Retrying %s in %.1fs (attempt %d): %s", request.url, wait, attempt + 1, reason)
        retry = request.replace(dont_filter=True)
        retry.meta["edgar_attempt"] = attempt
        retry.meta["edgar_not_before"] = time.monotonic() + wait
        return retry

    # -- throttle pauses ------------------------------------------------------------------------

    def _start_pause(self, response: Response) -> None:
        now = time.monotonic()
        new_block = now >= self.resume_at
        # Count from this answer: EDGAR re-arms its block with every request it sees during it.
        self.resume_at = max(self.resume_at, now + self.pause_seconds)
        if not new_block:
            return
        self.throttles += 1
        self.crawler.stats.inc_value("edgar/throttle_pauses")
        engine = self.crawler.engine
        if self.throttles > self.max_throttles:
            logger.error("EDGAR throttled this crawl %d times; stopping. Lower --rate.", self.throttles)
            deferred_from_coro(engine.close_spider_async(reason="edgar_throttled"))
            raise IgnoreRequest("EDGAR keeps throttling")
        logger.warning(
            "EDGAR answered %s with its throttle page: stopping every request for %.0fs",
            response.status, self.pause_seconds,
        )
        engine.pause()
        slot = engine.downloader.slots.get(SLOT)
        if slot is not None:  # requests already queued in the slot wait too
            if self._held_delay is None:
                self._held_delay = slot.delay
            slot.delay = self.pause_seconds
        call_later(self.pause_seconds, self._resume)

    def _resume(self) -> None:
        remaining = self.resume_at - time.monotonic()
        if remaining > 0:  # the block was re-armed by a later throttle answer
            call_later(remaining, self._resume)
            return
        engine = self.crawler.engine
        slot = engine.downloader.slots.get(SLOT)
        if slot is not None:
            # Come back at half the rate: a server stricter than the published limit still gets a
            # complete crawl instead of an endless block.
            slot.delay = min((self._held_delay or slot.delay) * 2, 10.0)
            self._held_delay = None
            if slot.latercall:
                slot.latercall.cancel()
                slot.latercall = None
            engine.downloader._process_queue(slot)  # the queue waited on the pause-long delay
            logger.warning("Resuming after the throttle pause at %.2f requests/s", 1 / slot.delay)
        engine.unpause()
