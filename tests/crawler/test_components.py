"""The crawler's components in process, built with Scrapy's own test helper (`get_crawler`): the fair-access
middleware, the gate at the network edge, and the crawl's bookkeeping and storage extensions."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import date

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from corpus.archive import RawArchive
from crawler.extensions import CrawlRun, DataDirBusy, RawArchiveStore, crawl_outcome
from crawler.handlers import FairAccessGate
from crawler.items import ArchivedFiling, FailedFiling, ListingProblem
from crawler.middlewares import (
    SecFairAccessMiddleware,
    UserAgentError,
    is_edgar_absent,
    rate_problem,
    slot_delay,
    throttle_pause_problem,
    user_agent_problem,
)
from crawler.spiders.daily import DailySpider
from tests.conftest import SAMPLE, raw_path

SETTINGS = {"USER_AGENT": "edgar-corpus tests tests@example.org", "EDGAR_URL": "http://127.0.0.1:8765",
            "EDGAR_DATA_URL": "http://127.0.0.1:8766", "EDGAR_THROTTLE_PAUSE": 600, "EDGAR_RETRY_TIMES": 2,
            "EDGAR_BACKOFF_BASE": 2.0, "EDGAR_BACKOFF_MAX": 60.0, "EDGAR_MAX_THROTTLES": 5, "EDGAR_RATE": 8,
            "EDGAR_FORMS": ["UPLOAD", "CORRESP"]}
S3_XML = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message>'
          b"<RequestId>R</RequestId><HostId>H</HostId></Error>")


def middleware(**overrides: object) -> SecFairAccessMiddleware:
    return SecFairAccessMiddleware.from_crawler(get_crawler(settings_dict={**SETTINGS, **overrides}))


def response(url: str, status: int = 200, body: bytes = b"", headers: dict | None = None) -> Response:
    return Response(url, status=status, body=body, headers=headers or {}, request=Request(url))


# -- the middleware ------------------------------------------------------------------------------------------


def test_requests_to_hosts_outside_edgar_are_refused_before_any_header_is_sent():
    mw = middleware()
    request = Request("http://elsewhere.example/Archives/x.txt")
    with pytest.raises(IgnoreRequest):
        asyncio.run(mw.process_request(request))
    assert "not an SEC host" in request.meta["edgar_failure"]


@pytest.mark.parametrize("url", ["https://www.sec.gov/Archives/edgar/data/1/x.txt",
                                 "https://data.sec.gov/submissions/CIK0000000001.json",
                                 "http://127.0.0.1:8765/Archives/edgar/full-index/2024/QTR1/form.gz",
                                 "http://127.0.0.1:8766/submissions/CIK0000000001.json"])
def test_the_sec_hosts_and_the_configured_ones_share_one_download_slot(url):
    request = Request(url)
    asyncio.run(middleware().process_request(request))
    assert request.meta["download_slot"] == "sec"


def test_a_redirect_within_edgar_is_followed_past_the_duplicate_filter():
    mw = middleware()
    request = Request("http://127.0.0.1:8765/Archives/edgar/data/1/000000000024000001/0000000000-24-000001.txt",
                      meta={"edgar_filing": "listed"})
    followed = mw.process_response(request, response(request.url, 301, headers={"Location": "/Archives/other.txt"}))
    assert isinstance(followed, Request)
    assert followed.url == "http://127.0.0.1:8765/Archives/other.txt"
    assert followed.dont_filter and followed.meta["edgar_filing"] == "listed"
    assert followed.meta["edgar_redirected_from"] == request.url


def test_a_redirect_to_another_host_becomes_the_filing_s_failure():
    mw = middleware()
    request = Request("http://127.0.0.1:8765/Archives/x.txt")
    answer = mw.process_response(request, response(request.url, 302,
                                                   headers={"Location": "https://mirror.example/x.txt"}))
    assert isinstance(answer, Response) and answer.status == 302
    assert "outside the SEC's hosts" in request.meta["edgar_failure"]


def test_five_redirects_are_followed_and_the_sixth_is_refused():
    mw = middleware()
    request = Request("http://127.0.0.1:8765/Archives/a.txt", meta={"edgar_redirects": 5})
    answer = mw.process_response(request, response(request.url, 302, headers={"Location": "/Archives/b.txt"}))
    assert isinstance(answer, Response) and "more than 5 redirects" in request.meta["edgar_failure"]


def test_only_edgar_s_s3_error_means_no_such_file():
    url = "https://www.sec.gov/Archives/x.txt"
    assert is_edgar_absent(response(url, 403, S3_XML))
    assert is_edgar_absent(response(url, 404, b"<html>Not Found</html>"))
    assert not is_edgar_absent(response(url, 403, b"<HTML><TITLE>Access Denied</TITLE></HTML>"))


def test_a_generic_403_is_retried_with_backoff_then_handed_to_the_spider():
    mw = middleware()
    request = Request("https://www.sec.gov/Archives/x.txt")
    retry = mw.process_response(request, response(request.url, 403, b"<html>Access Denied</html>"))
    assert isinstance(retry, Request) and retry.meta["edgar_attempt"] == 1 and retry.dont_filter
    assert retry.meta["edgar_not_before"] > 0
    retry.meta["edgar_attempt"] = 2  # the attempts run out
    final = mw.process_response(retry, response(request.url, 403, b"<html>Access Denied</html>"))
    assert isinstance(final, Response)
    assert "not EDGAR's no-such-file answer (gave up after 3 attempts)" in retry.meta["edgar_failure"]


def test_a_body_that_is_not_a_whole_submission_is_retried():
    mw = middleware()
    request = Request("https://www.sec.gov/Archives/x.txt", meta={"edgar_filing": "listed"})
    retry = mw.process_response(request, response(request.url, 200, b"<SEC-DOCUMENT>half a file"))
    assert isinstance(retry, Request) and retry.meta["edgar_attempt"] == 1


def test_a_crawl_without_a_declared_identity_never_builds_its_middleware():
    with pytest.raises(UserAgentError):
        middleware(USER_AGENT="Scrapy/2.19.0 (+https://scrapy.org)")


def test_a_short_throttle_pause_is_refused_unless_a_test_allows_it():
    with pytest.raises(ValueError, match="at least 60"):
        middleware(EDGAR_THROTTLE_PAUSE=5)
    assert middleware(EDGAR_THROTTLE_PAUSE=5, EDGAR_ALLOW_SHORT_PAUSE=True).pause_seconds == 5


@pytest.mark.parametrize(("agent", "ok"), [
    ("Acme Research ops@acme.example", True), ("", False), ("Acme Research", False),
    (" scrapy/2.19 ops@acme.example", False), ("python-requests/2.32 ops@acme.example", False),
    ("Acme\tResearch ops@acme.example", False),
])
def test_user_agent_rules(agent, ok):
    assert (user_agent_problem(agent) is None) is ok


def test_rate_and_pause_rules():
    assert rate_problem(8) is None and rate_problem(10) is None
    assert rate_problem(10.5) and rate_problem(0.01) and rate_problem(float("nan"))
    assert slot_delay(10) == pytest.approx(0.11)  # never closer than 110 ms, even at 10/s
    assert throttle_pause_problem(600) is None
    assert throttle_pause_problem(59) and throttle_pause_problem(float("nan")) and throttle_pause_problem(-1)


# -- the gate at the network edge ------------------------------------------------------------------------------


def test_the_gate_holds_the_eleventh_send_of_a_second():
    gate = FairAccessGate(get_crawler(settings_dict=SETTINGS))
    for moment in [i * 0.05 for i in range(10)]:  # ten sends in half a second
        assert gate.budget_wait(moment) == 0
        gate.sent.append(moment)
    assert gate.budget_wait(0.5) == pytest.approx(0.505)  # the eleventh waits until the first is a second old
    assert gate.budget_wait(1.006) == 0


# -- the extensions ----------------------------------------------------------------------------------------------


def test_crawl_run_takes_the_lock_records_the_run_and_the_daily_state(tmp_path):
    settings = {**SETTINGS, "EDGAR_DATA_DIR": str(tmp_path), "EDGAR_BUILD_AFTER_CRAWL": False}
    crawler = get_crawler(DailySpider, settings)
    run = CrawlRun.from_crawler(crawler)
    with pytest.raises(DataDirBusy):
        CrawlRun(get_crawler(DailySpider, settings))  # a second crawl of the same data dir
    spider = DailySpider.from_crawler(crawler, **{"from": "2026-03-02", "to": "2026-03-06"})
    crawler.stats.open_spider()
    run.spider_opened(spider)
    crawler.stats.set_value("finish_reason", "finished")
    run.spider_closed(spider, "finished")
    con = sqlite3.connect(tmp_path / "ledger.sqlite")
    outcome, scope = con.execute("SELECT outcome, scope FROM runs").fetchone()
    con.close()
    assert outcome == "ok"
    assert json.loads(scope) == {"forms": "UPLOAD,CORRESP", "from": "2026-03-02", "to": "2026-03-06"}
    assert json.loads((tmp_path / "crawl-state.json").read_text()) == {"daily_completed_through": "2026-03-06"}
    CrawlRun(get_crawler(DailySpider, settings)).lock.close()  # the lock was released at the close


@pytest.mark.parametrize(("stats", "reason", "outcome"), [
    ({"response_received_count": 5}, "finished", "ok"),
    ({"response_received_count": 5, "edgar/listings_failed": 1}, "finished", "incomplete"),
    ({"response_received_count": 5, "spider_exceptions/KeyError": 1}, "finished", "incomplete"),
    ({"downloader/exception_count": 3}, "finished", "unreachable"),
    ({"response_received_count": 5}, "edgar_throttled", "throttled"),
    ({"response_received_count": 5}, "shutdown", "interrupted"),
])
def test_crawl_outcomes(stats, reason, outcome):
    assert crawl_outcome(stats, reason) == outcome


def test_the_archive_store_writes_filings_failures_and_listing_problems(tmp_path):
    crawler = get_crawler(settings_dict={**SETTINGS, "EDGAR_DATA_DIR": str(tmp_path)})
    crawler.stats.open_spider()
    store = RawArchiveStore.from_crawler(crawler)
    body = raw_path(SAMPLE, 1751008, "0000000000-20-012628").read_bytes()
    common = {"cik": 1751008, "url": "u", "index_date_filed": "2020-12-31", "discovered_via": "daily"}

    async def scrape() -> None:
        await store.item_scraped(ArchivedFiling("0000000000-20-012628", form_type="UPLOAD", http_status=200,
                                                fetched_at="2026-12-01T00:00:00+00:00", body=body, **common))
        await store.item_scraped(FailedFiling("0000000000-21-001014", form_type="UPLOAD", status="dead",
                                              reason="HTTP 503 (gave up after 5 attempts)", **common))
        await store.item_scraped(ListingProblem("https://www.sec.gov/x/form.gz", "cannot be read"))

    asyncio.run(scrape())
    store.spider_closed()
    archive = RawArchive(tmp_path)
    rows = {row.accession_number: row for row in archive.rows()}
    assert archive.read(rows["0000000000-20-012628"]) == body
    assert rows["0000000000-21-001014"].status == "dead"
    assert archive.settled_accessions() == {"0000000000-20-012628"}
    archive.close()
    con = sqlite3.connect(tmp_path / "ledger.sqlite")
    assert con.execute("SELECT url, reason FROM listing_problems").fetchall() == [
        ("https://www.sec.gov/x/form.gz", "cannot be read")]
    con.close()


def test_a_daily_spider_with_no_start_continues_from_the_recorded_state(tmp_path):
    from corpus.crawl_state import record_daily_completed

    settings = {**SETTINGS, "EDGAR_DATA_DIR": str(tmp_path)}
    with pytest.raises(ValueError, match="give the first one a start day"):
        DailySpider.from_crawler(get_crawler(DailySpider, settings), to="2026-03-20")
    record_daily_completed(tmp_path, date(2026, 3, 13))
    spider = DailySpider.from_crawler(get_crawler(DailySpider, settings), to="2026-03-20")
    assert (spider.start_date, spider.end_date) == (date(2026, 3, 6), date(2026, 3, 20))
