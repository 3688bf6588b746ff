"""Scrapy settings for the EDGAR correspondence crawler.

Every override says "default → ours, why" (kingfisher-collect style). The politeness settings
are not tuning knobs: the SEC allows 10 requests per second per user across all its hosts, and
blocks for 10 minutes anyone who exceeds it (docs/reference/edgar-interface.md §2).
"""

import os

BOT_NAME = "edgar_corpus"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- Our settings (read by crawler.middlewares and the spiders) --------------------------------
EDGAR_URL = os.environ.get("EDGAR_URL", "https://www.sec.gov")  # /Archives/... host, or a mirror / the fake
EDGAR_DATA_URL = os.environ.get("EDGAR_DATA_URL", "https://data.sec.gov")  # /submissions/... host
EDGAR_RATE = float(os.environ.get("EDGAR_RATE", "8"))  # requests per second for all SEC hosts together, ≤ 10
EDGAR_THROTTLE_PAUSE = float(os.environ.get("EDGAR_THROTTLE_PAUSE", "600"))  # full stop after a throttle page
EDGAR_ALLOW_SHORT_PAUSE = False  # True lets tests pause under 60 s; a real crawl refuses that
EDGAR_MAX_THROTTLES = 5  # give up (and say so) after this many throttle pauses in one crawl
EDGAR_RETRY_TIMES = 4  # attempts after the first for 5xx, timeouts, resets, truncated bodies
EDGAR_BACKOFF_BASE = 2.0  # seconds; the n-th retry waits base * 2**(n-1), capped below
EDGAR_BACKOFF_MAX = 60.0
EDGAR_DATA_DIR = os.environ.get("EDGAR_DATA_DIR", "data")
EDGAR_FORMS = ("UPLOAD", "CORRESP")
EDGAR_BUILD_AFTER_CRAWL = os.environ.get("EDGAR_BUILD_AFTER_CRAWL", "1") not in ("0", "false", "no")  # a crawl that
#                         ended well builds the corpus (edgar-corpus crawl --no-build, or 0 here, only archives)

# No default identity, ever: the crawl refuses to start without one that names an e-mail.
USER_AGENT = os.environ.get("EDGAR_USER_AGENT", "")  # default "Scrapy/VERSION (+https://scrapy.org)"

# --- Politeness ---------------------------------------------------------------------------------
ROBOTSTXT_OBEY = False  # default False (template True); /Archives is meant for automated access and
#                         robots.txt would add a request per host to a tight budget
CONCURRENT_REQUESTS = 4  # default 16; small, so little is in flight when a throttle page arrives
CONCURRENT_REQUESTS_PER_DOMAIN = 4  # default 8; overlap only when latency exceeds the delay
DOWNLOAD_DELAY = 1 / 8  # default 0; replaced from EDGAR_RATE by SecFairAccessMiddleware's slot
DOWNLOAD_DELAY_JITTER = 0  # default 0.5; jitter would let gaps shrink to half the delay and burst
AUTOTHROTTLE_ENABLED = False  # default False; it never caps the rate and would fight our slot delay
COOKIES_ENABLED = False  # default True; EDGAR needs none
DOWNLOAD_TIMEOUT = 60  # default 180; a stalled transfer should be retried sooner
DOWNLOAD_MAXSIZE = 200 * 1024**2  # default 1 GiB; the largest CORRESP seen is ~19 MB
DOWNLOAD_WARNSIZE = 50 * 1024**2  # default 32 MiB

# Retries, redirects and throttle pauses are ours (exponential backoff, never retry into a block):
RETRY_ENABLED = False  # default True; RetryMiddleware retries at once and would retry a 429
REDIRECT_ENABLED = False  # default True; it follows any host (with our User-Agent) and its requests meet the
#                           duplicate filter, so a filing redirected to a URL already seen vanished
METAREFRESH_ENABLED = False  # default True (via REDIRECT_ENABLED); EDGAR serves no meta refresh we want
# Every request reaches the network through one handler that never re-sends by itself and checks the budget
# again at the moment of sending (crawler/handlers.py); other schemes are not EDGAR's
DOWNLOAD_HANDLERS = {
    "http": "crawler.handlers.SecDownloadHandler",  # default HTTP11DownloadHandler, which re-sends on reset
    "https": "crawler.handlers.SecDownloadHandler",
    "data": None, "file": None, "s3": None, "ftp": None,  # default on; a crawl of EDGAR needs none of them
}
DOWNLOADER_MIDDLEWARES = {
    # below HttpCompressionMiddleware (590), so responses reach us decompressed
    "crawler.middlewares.SecFairAccessMiddleware": 580,
}
EXTENSIONS = {
    "crawler.extensions.CrawlRun": 50,  # the lock, the run record, the daily state, the build after the crawl
    "crawler.extensions.RawArchiveStore": 100,
    "crawler.progress.CrawlProgress": 200,
    "scrapy.extensions.telnet.TelnetConsole": None,  # no remote shell into a crawl
}
TELNETCONSOLE_ENABLED = False  # default True
EDGAR_PROGRESS_SECONDS = 60  # ours: a progress line (done, left, requests/s, pauses, ETA) a minute; 0 turns it off
REMOTE_CONTROL_ENABLED = False  # default True (2.19); an HTTP endpoint that can run code in the process
HTTPCACHE_ENABLED = False  # default False; the raw archive is the cache

# No JOBDIR: resumption comes from the ledger (an accession archived is never requested again),
# which survives kill -9 where a pickled request queue may not.
LOG_LEVEL = os.environ.get("EDGAR_LOG_LEVEL", "INFO")  # default DEBUG

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"  # the default, stated
