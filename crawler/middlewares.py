"""Fair access to EDGAR as one downloader middleware: one budget, a declared identity, full stops, backoff.

* Every request, whatever the host (www.sec.gov, data.sec.gov), goes through one download slot whose
  delay is set from EDGAR_RATE, so the SEC's 10 requests/second is one budget, not one per host; the
  download handler (crawler/handlers.py) checks the same limit again at the moment of sending.
* The crawl refuses to start without a User-Agent that names a contact e-mail, and never sends a request
  (nor that User-Agent) to a host other than the SEC's and the configured EDGAR_URL / EDGAR_DATA_URL.
* Redirects are followed here, not by Scrapy's RedirectMiddleware: only to those hosts, at most
  MAX_REDIRECTS times, and past the duplicate filter, so a filing redirected to a URL already seen is
  still fetched (and then checked to be the filing asked for) instead of silently dropped.
* A throttle answer (429, or 403 with the SEC's "Request Rate Threshold Exceeded" page) stops all requests
  for EDGAR_THROTTLE_PAUSE seconds, counted from the last throttle answer, then the crawl resumes at half
  the rate. The blocked request is queued again, never retried into the block.
* 5xx, timeouts, resets, a 403 that is not EDGAR's S3 "no such key" answer, and bodies that are not a whole
  submission are retried with bounded exponential backoff; when the attempts run out the failure reaches
  the spider, which records it (a dead filing is fetched again by the next crawl; only EDGAR's own
  "no such file" answer settles a filing as missing).
"""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.misc import load_object

from crawler.handlers import CrawlStopping, fair_access_gate
from edgar_corpus.edgar import MIN_DELAY, MIN_RATE, MIN_THROTTLE_PAUSE, SEC_HOSTS, SEC_MAX_REQUESTS

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

SLOT = "sec"  # the one download slot of every SEC host
THROTTLE_MARKERS = (b"Request Rate Threshold Exceeded", b"Undeclared Automated Tool", b"exceeded the SEC")
RETRY_STATUSES = frozenset({500, 502, 503, 504, 408, 522, 524})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
# EDGAR's answer for a file it does not have: S3's XML error (403 AccessDenied on www, 404 NoSuchKey on data.)
_S3_ERROR = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?<Error>\s*<Code>(?:AccessDenied|NoSuchKey)</Code>")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_LIBRARY_DEFAULTS = ("scrapy/", "python-", "curl/", "mozilla/", "wget/", "go-http-client", "java/", "okhttp")


class UserAgentError(ValueError):
    """The configured User-Agent would not be accepted by the SEC."""


def user_agent_problem(user_agent: str | None) -> str | None:
    """Why this User-Agent cannot be used for EDGAR, or None when it can."""
    if not user_agent or not user_agent.strip():
        return "no User-Agent is set"
    if user_agent != user_agent.strip() or any(ch in user_agent for ch in "\r\n\t"):
        return f"{user_agent!r} has leading or trailing spaces or control characters"
    if user_agent.lower().startswith(_LIBRARY_DEFAULTS):
        return f"{user_agent!r} is a library or browser default"
    if not _EMAIL.search(user_agent):
        return f"{user_agent!r} has no contact e-mail address"
    return None


def rate_problem(rate: float) -> str | None:
    """Why this request rate cannot be used, or None."""
    if not MIN_RATE <= rate <= SEC_MAX_REQUESTS:  # also refuses NaN
        return (f"the request rate must be between {MIN_RATE} and {SEC_MAX_REQUESTS} per second "
                f"(at most 10, the SEC's limit for all your traffic; got {rate})")
    return None


def throttle_pause_problem(seconds: float, allow_short: bool = False) -> str | None:
    """Why this pause after a throttle page cannot be used, or None. Tests may allow short pauses."""
    floor = 0.0 if allow_short else MIN_THROTTLE_PAUSE
    if not (seconds > 0 and seconds >= floor and seconds < float("inf")):  # also refuses NaN
        return (f"--throttle-pause must be at least {MIN_THROTTLE_PAUSE:.0f} seconds (got {seconds}): the SEC "
                "blocks for 10 minutes, and every request during the block starts it again")
    return None


def slot_delay(rate: float) -> float:
    """Seconds between two requests for a budget of `rate` requests per second."""
    problem = rate_problem(rate)
    if problem:
        raise ValueError(problem)
    return max(1.0 / rate, MIN_DELAY)


def allowed_hosts(settings: BaseSettings) -> frozenset[str]:
    """Network locations a crawl may send to: the SEC's hosts and the configured EDGAR and data URLs."""
    hosts = set(SEC_HOSTS)
    for name in ("EDGAR_URL", "EDGAR_DATA_URL"):
        location = urlsplit(settings.get(name) or "").netloc.lower()
        if location:
            hosts.add(location)
    return frozenset(hosts)


def is_throttle_page(response: Response) -> bool:
    if response.status == 429:
        return True
    return response.status == 403 and any(marker in response.body[:8192] for marker in THROTTLE_MARKERS)


def is_edgar_absent(response: Response) -> bool:
    """EDGAR's own answer that a file does not exist: a 404, or a 403 whose body is S3's XML error."""
    if response.status == 404:
        return True
    return response.status == 403 and _S3_ERROR.match(response.body[:512]) is not None


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
        problem = throttle_pause_problem(self.pause_seconds, settings.getbool("EDGAR_ALLOW_SHORT_PAUSE"))
        if problem:
            raise ValueError(f"Refusing to crawl EDGAR: {problem}")
        self.max_throttles = settings.getint("EDGAR_MAX_THROTTLES")
        self.retry_times = settings.getint("EDGAR_RETRY_TIMES")
        self.backoff_base = settings.getfloat("EDGAR_BACKOFF_BASE")
        self.backoff_max = settings.getfloat("EDGAR_BACKOFF_MAX")
        self.retry_exceptions = tuple(
            load_object(x) if isinstance(x, str) else x for x in settings.getlist("RETRY_EXCEPTIONS")
        )
        self.hosts = allowed_hosts(settings)
        self.gate = fair_access_gate(crawler)
        self.throttles = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SecFairAccessMiddleware:
        return cls(crawler)

    # -- requests -------------------------------------------------------------------------------

    async def process_request(self, request: Request) -> None:
        request.meta["download_slot"] = SLOT
        host = urlsplit(request.url).netloc.lower()
        if host not in self.hosts:
            reason = f"refused to send a request to {host or request.url!r}: not an SEC host nor the configured EDGAR"
            request.meta["edgar_failure"] = reason
            self.crawler.stats.inc_value("edgar/foreign_hosts_refused")
            logger.error(reason)
            raise IgnoreRequest(reason)
        # backoff and throttle pauses wait here, before the slot, so the slot's queue stays short
        await self.gate.wait_until(request.meta.get("edgar_not_before", 0.0))

    # -- responses ------------------------------------------------------------------------------

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if is_throttle_page(response):
            self.crawler.stats.inc_value("edgar/throttle_responses")
            self._start_pause(response)
            return request.replace(dont_filter=True)
        if response.status in REDIRECT_STATUSES and b"Location" in response.headers:
            return self._redirect(request, response)
        if response.status in RETRY_STATUSES:
            return self._retry(request, f"HTTP {response.status}") or response
        if response.status == 403 and not is_edgar_absent(response):
            # an "Access Denied" page of a proxy or CDN, not S3's "no such key": transient, never settled
            return self._retry(request, "HTTP 403 that is not EDGAR's no-such-file answer") or response
        if (
            request.meta.get("edgar_filing")
            and response.status == 200
            and not is_complete_submission(response.body)
        ):
            reason = f"body is not a complete submission ({len(response.body)} bytes, no </SEC-DOCUMENT>)"
            return self._retry(request, reason) or response
        return response

    def process_exception(self, request: Request, exception: BaseException) -> Request | None:
        if isinstance(exception, CrawlStopping):
            request.meta["edgar_cancelled"] = True  # not sent: not a failure of the filing
            return None
        if isinstance(exception, self.retry_exceptions):
            return self._retry(request, f"{type(exception).__name__}: {exception}")
        return None

    def _redirect(self, request: Request, response: Response) -> Request | Response:
        target = urljoin(request.url, response.headers[b"Location"].decode("latin-1").strip())
        count = request.meta.get("edgar_redirects", 0) + 1
        host = urlsplit(target).netloc.lower()
        self.crawler.stats.inc_value("edgar/redirects")
        if host not in self.hosts:
            request.meta["edgar_failure"] = (f"EDGAR redirected {request.url} to {target}, outside the SEC's hosts "
                                             "and the configured EDGAR: not followed")
            return response
        if count > MAX_REDIRECTS:
            origin = request.meta.get("edgar_redirected_from", request.url)
            request.meta["edgar_failure"] = f"more than {MAX_REDIRECTS} redirects from {origin}"
            return response
        logger.info("Following redirect %s -> %s", request.url, target)
        followed = request.replace(url=target, dont_filter=True)  # past the duplicate filter: never vanish
        followed.meta["edgar_redirects"] = count
        followed.meta.setdefault("edgar_redirected_from", request.url)
        return followed

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
        new_block = now >= self.gate.resume_at
        # Count from this answer: EDGAR re-arms its block with every request it sees during it.
        self.gate.resume_at = max(self.gate.resume_at, now + self.pause_seconds)
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
        engine.pause()  # the gate holds what is already in flight; nothing new is scheduled
        call_later(self.pause_seconds, self._resume)

    def _resume(self) -> None:
        remaining = self.gate.resume_at - time.monotonic()
        if remaining > 0:  # the block was re-armed by a later throttle answer
            call_later(remaining, self._resume)
            return
        engine = self.crawler.engine
        if engine is None or not engine.running:
            return
        slot = engine.downloader.slots.get(SLOT)
        if slot is not None:
            # Come back at half the rate: a server stricter than the published limit still gets a
            # complete crawl instead of an endless block.
            slot.delay = min(slot.delay * 2, 10.0)
            logger.warning("Resuming after the throttle pause at %.2f requests/s", 1 / slot.delay)
        engine.unpause()
