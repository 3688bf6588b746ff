"""Real crawls against a hostile network and broken listings, each counted on the server's side.

What an audit did to the crawler, done again against the fake EDGAR on loopback: resets on reused connections,
redirects to other hosts and to URLs already fetched, corrupt and lying listings, generic "Access Denied" pages,
a submission that is another filing, arguments that would break politeness, and SIGTERM during a throttle pause.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from corpus.listing_cache import ListingCache
from fake_edgar import Canned, max_requests_in_window, read_log
from tests.conftest import ROOT, SAMPLE, cli, crawl_args, raw_path, run_crawl, sample_rows

FAST_RETRIES = ["--setting", "EDGAR_BACKOFF_BASE=0.05", "--setting", "EDGAR_BACKOFF_MAX=0.2"]
COMPANY = "1751008"  # 13 filings, listed by one submissions JSON
SUBMISSIONS = f"/submissions/CIK{int(COMPANY):010d}.json"


def company_rows() -> list[dict[str, str]]:
    return [r for r in sample_rows() if r["cik"] == COMPANY]


def txt_path(row: dict[str, str]) -> str:
    return f"/Archives/edgar/data/{row['cik']}/{row['accession'].replace('-', '')}/{row['accession']}.txt"


def fetches(requests: list[dict], path: str) -> int:
    return sum(1 for r in requests if r["path"] == path)


def status_of(data_dir) -> str:
    return cli("status", "--data-dir", str(data_dir)).stdout


# -- every request passes the one budget ------------------------------------------------------------


@pytest.mark.parametrize("rate", ["10"])
def test_resets_on_reused_connections_never_push_the_rate_over_ten(fake_edgar, tmp_path, rate):
    """Every second filing request is answered by a reset after the request was read. Twisted's pool used to
    re-send at once, outside the slot: the server saw 15 in one second at --rate 10."""
    server = fake_edgar(fault_every=2)
    result = run_crawl(server, tmp_path / "r", "--cik", "927628", "--cik", "865752", "--rate", rate, "--no-build",
                       *FAST_RETRIES)
    assert result.returncode == 0, result.stderr[-2000:]
    resets = [r for r in result.requests if r["fault"] == "reset"]
    assert len(resets) >= 20
    assert max_requests_in_window([float(r["t"]) for r in result.requests]) <= int(rate)
    # Scrapy and the server count the same requests: nothing was sent behind the crawler's back
    sent = int(result.stdout.split("requests_sent=")[1].split(",")[0].split(";")[0])
    assert sent == len(result.requests)
    settled = set(result.ledger("archived")) | set(result.ledger("dead"))
    assert settled == {r["accession"] for r in sample_rows() if r["cik"] in ("927628", "865752")}


# -- redirects ----------------------------------------------------------------------------------------


def test_a_redirect_to_another_host_is_not_followed_and_the_user_agent_never_goes_there(fake_edgar, tmp_path):
    other = fake_edgar(check_user_agent=False)  # another loopback server: a host outside the SEC's
    victim = company_rows()[2]
    server = fake_edgar(canned={txt_path(victim): Canned(302, headers=(("Location", other.url + txt_path(victim)),))})
    result = run_crawl(server, tmp_path / "f", "--cik", COMPANY, "--no-build", *FAST_RETRIES)
    assert read_log(other.config.log_path) == []  # not one request reached the other host
    dead = result.ledger("dead")
    assert list(dead) == [victim["accession"]]
    assert "outside the SEC's hosts" in dead[victim["accession"]]["reason"]
    assert len(result.ledger("archived")) == len(company_rows()) - 1


def test_a_redirect_to_a_url_already_fetched_does_not_make_the_filing_vanish(fake_edgar, tmp_path):
    first, victim = company_rows()[0], company_rows()[5]
    server = fake_edgar(canned={txt_path(victim): Canned(301, headers=(("Location", txt_path(first)),))})
    result = run_crawl(server, tmp_path / "s", "--cik", COMPANY, "--no-build", *FAST_RETRIES)
    assert fetches(result.requests, txt_path(first)) == 2  # followed past the duplicate filter
    ledger = result.ledger()
    assert set(ledger) == {r["accession"] for r in company_rows()}  # every listed filing has its row
    assert ledger[victim["accession"]]["status"] == "dead"
    assert f"is {first['accession']}, not {victim['accession']}" in ledger[victim["accession"]]["reason"]
    assert ledger[first["accession"]]["status"] == "archived"


def test_a_redirect_within_edgar_archives_the_filing_from_where_it_leads(fake_edgar, tmp_path):
    victim = company_rows()[3]
    legacy = f"/Archives/edgar/data/{victim['cik']}/{victim['accession']}.txt"  # EDGAR's flat path, same bytes
    server = fake_edgar(canned={txt_path(victim): Canned(301, headers=(("Location", legacy),))})
    result = run_crawl(server, tmp_path / "w", "--cik", COMPANY, "--no-build")
    archived = result.ledger("archived")
    assert set(archived) == {r["accession"] for r in company_rows()}
    assert archived[victim["accession"]]["url"].endswith(legacy)


# -- listings that cannot be read ---------------------------------------------------------------------


def test_a_corrupt_form_gz_makes_the_crawl_incomplete_and_is_never_kept(fake_edgar, tmp_path):
    real = (SAMPLE / "Archives/edgar/full-index/2025/QTR1/form.gz").read_bytes()
    corrupt = real[:200] + bytes(b ^ 0x5A for b in real[200:400]) + real[400:]  # a zlib error midway
    with pytest.raises(Exception, match=r"invalid|incorrect|Error"):
        gzip.decompress(corrupt)
    server = fake_edgar(canned={"/2025/QTR1/form.gz": Canned(200, corrupt, (("Last-Modified",
                                                                              "Mon, 31 Mar 2025 22:00:00 GMT"),))})
    data = tmp_path / "g"
    result = run_crawl(server, data, "--from", "2025-01-01", "--to", "2025-03-31", "--no-build")
    assert result.returncode == 3
    assert "outcome incomplete" in result.stdout
    status = status_of(data)
    assert "listings the last crawl could not read: 1" in status and "2025/QTR1/form.gz" in status
    assert ListingCache(data).get(server.url + "/Archives/edgar/full-index/2025/QTR1/form.gz") is None
    again = run_crawl(server, data, "--from", "2025-01-01", "--to", "2025-03-31", "--no-build")
    asked = [r for r in again.requests[len(result.requests):] if r["path"].endswith("2025/QTR1/form.gz")]
    assert asked and asked[0]["status"] == 200  # asked unconditionally again: no bad copy to get a 304 for
    assert again.returncode == 3


def test_an_html_page_served_as_submissions_json_makes_the_crawl_incomplete(fake_edgar, tmp_path):
    page = b"<html><head><title>SEC.gov | Maintenance</title></head><body>Back soon</body></html>"
    server = fake_edgar(canned={SUBMISSIONS: Canned(200, page, (("Content-Type", "text/html"),))})
    data = tmp_path / "h"
    result = run_crawl(server, data, "--cik", COMPANY)
    assert result.returncode == 3 and "outcome incomplete" in result.stdout
    assert SUBMISSIONS in status_of(data)
    assert "could not be read" in result.stderr


def test_null_and_malformed_accessions_are_reported_and_the_rest_crawled(fake_edgar, tmp_path):
    payload = json.loads((SAMPLE / "submissions" / f"CIK{int(COMPANY):010d}.json").read_text())
    recent = payload["filings"]["recent"]
    bad = [i for i, form in enumerate(recent["form"]) if form in ("UPLOAD", "CORRESP")][:2]
    recent["accessionNumber"][bad[0]] = None
    recent["accessionNumber"][bad[1]] = "not-an-accession"
    server = fake_edgar(canned={SUBMISSIONS: Canned(200, json.dumps(payload).encode())})
    result = run_crawl(server, tmp_path / "n", "--cik", COMPANY, "--no-build")
    assert result.returncode == 3 and "outcome incomplete" in result.stdout
    assert "2 rows with a null or malformed accession" in status_of(tmp_path / "n")
    assert len(result.ledger("archived")) == len(company_rows()) - 2
    assert not any("not-an-accession" in r["path"] or "None" in r["path"] for r in result.requests)


def test_a_submissions_page_that_lists_itself_is_read_once(fake_edgar, tmp_path):
    payload = json.loads((SAMPLE / "submissions" / f"CIK{int(COMPANY):010d}.json").read_text())
    page = f"CIK{int(COMPANY):010d}-submissions-001.json"
    payload["filings"]["files"] = [{"name": page}]
    looping = {"accessionNumber": [], "form": [], "filingDate": [], "files": [{"name": page}],
               "filings": {"recent": {"accessionNumber": [], "form": [], "filingDate": []}, "files": [{"name": page}]}}
    server = fake_edgar(canned={SUBMISSIONS: Canned(200, json.dumps(payload).encode()),
                                "/" + page: Canned(200, json.dumps(looping).encode())})
    result = run_crawl(server, tmp_path / "l", "--cik", COMPANY, "--no-build")
    assert fetches(result.requests, "/submissions/" + page) == 1
    assert result.returncode == 3 and "outcome incomplete" in result.stdout
    assert "a loop of pages" in status_of(tmp_path / "l")
    assert len(result.ledger("archived")) == len(company_rows())


# -- 403s that are not EDGAR's "no such file" ---------------------------------------------------------


def test_a_generic_access_denied_page_is_retried_and_never_settled(fake_edgar, tmp_path):
    victim = company_rows()[4]
    denied = b"<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied</H1>You don't have " \
             b"permission to access this resource.</BODY></HTML>"
    server = fake_edgar(canned={txt_path(victim): Canned(403, denied, (("Content-Type", "text/html"),))})
    data = tmp_path / "a"
    result = run_crawl(server, data, "--cik", COMPANY, "--no-build", *FAST_RETRIES)
    assert fetches(result.requests, txt_path(victim)) == 5  # the first attempt and four retries
    dead = result.ledger("dead")
    assert list(dead) == [victim["accession"]] and "not EDGAR's no-such-file answer" in dead[victim["accession"]][
        "reason"]
    assert result.ledger("missing") == {}
    fixed = fake_edgar()  # the page is gone: the next crawl asks again and archives it
    again = run_crawl(fixed, data, "--cik", COMPANY, "--no-build")
    assert fetches(again.requests, txt_path(victim)) == 1
    assert victim["accession"] in again.ledger("archived")


def test_edgar_s3_answer_settles_a_filing_as_missing(fake_edgar, tmp_path):
    victim = company_rows()[4]
    s3 = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied'
          b"</Message><RequestId>X</RequestId><HostId>Y</HostId></Error>")
    server = fake_edgar(canned={txt_path(victim): Canned(403, s3, (("Content-Type", "application/xml"),))})
    result = run_crawl(server, tmp_path / "m", "--cik", COMPANY, "--no-build", *FAST_RETRIES)
    assert fetches(result.requests, txt_path(victim)) == 1
    assert list(result.ledger("missing")) == [victim["accession"]]


# -- the submission must be the one asked for ---------------------------------------------------------


def test_a_submission_that_is_another_filing_is_a_dead_letter_not_a_duplicate(fake_edgar, tmp_path):
    asked, served = company_rows()[1], company_rows()[6]
    body = raw_path(SAMPLE, served["cik"], served["accession"]).read_bytes()
    server = fake_edgar(canned={txt_path(asked): Canned(200, body)})
    data = tmp_path / "d"
    result = run_crawl(server, data, "--cik", COMPANY)
    dead = result.ledger("dead")
    assert list(dead) == [asked["accession"]]
    assert f"is {served['accession']}, not {asked['accession']}" in dead[asked["accession"]]["reason"]
    from corpus.catalog import connect

    con = connect(data)
    assert con.execute("SELECT count(*), count(DISTINCT accession_number) FROM filings").fetchone() == (12, 12)
    con.close()
    rebuilt = cli("build", "--data-dir", str(data))
    assert rebuilt.returncode == 0 and "(unchanged" in rebuilt.stdout  # not a full rebuild every time


# -- arguments that would break politeness ------------------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (["--throttle-pause", "-5"], "--throttle-pause must be at least 60"),
    (["--throttle-pause", "0"], "--throttle-pause must be at least 60"),
    (["--throttle-pause", "nan"], "--throttle-pause must be at least 60"),
    (["--throttle-pause", "30"], "--throttle-pause must be at least 60"),
    (["--rate", "0.001"], "between 0.1 and 10"),
    (["--rate", "nan"], "between 0.1 and 10"),
    (["--edgar-url", "sec.gov"], "full base URL with its scheme"),
    (["--edgar-url", "ftp://www.sec.gov"], "full base URL with its scheme"),
])
def test_arguments_that_would_break_politeness_are_refused(fake_edgar, tmp_path, args, message):
    server = fake_edgar()
    result = run_crawl(server, tmp_path / "b", "--cik", COMPANY, *args)
    assert result.returncode == 2, result.stderr[-1000:]
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.requests == []


@pytest.mark.parametrize("agent", ["  Scrapy/2.19.0 (+https://scrapy.org) me@example.org",
                                   "Acme Research ops@acme.example ", "Acme\nResearch ops@acme.example"])
def test_user_agents_padded_around_a_default_or_with_control_characters_are_refused(fake_edgar, tmp_path, agent):
    server = fake_edgar()
    result = run_crawl(server, tmp_path / "u", "--cik", COMPANY, user_agent=agent)
    assert result.returncode == 2
    assert result.requests == []


def test_plain_scrapy_crawl_refuses_a_short_throttle_pause(fake_edgar, tmp_path):
    server = fake_edgar()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDGAR_")}
    env.update(EDGAR_URL=server.url, EDGAR_DATA_URL=server.url, EDGAR_DATA_DIR=str(tmp_path / "p"),
               EDGAR_USER_AGENT="edgar-corpus tests tests@example.org", EDGAR_THROTTLE_PAUSE="5")
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "edgar_company", "-a", f"cik={COMPANY}"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert "must be at least 60 seconds" in proc.stderr
    assert read_log(server.config.log_path) == []


def test_sigterm_during_a_throttle_pause_ends_the_crawl_promptly_and_cleanly(fake_edgar, tmp_path):
    """A real 600 s pause after a forced throttle page; SIGTERM a few seconds in: the crawl stops in seconds,
    sends nothing more, and records the run as interrupted."""
    server = fake_edgar(throttle_at=(6,), block_seconds=600.0)
    data = tmp_path / "t"
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDGAR_")}
    proc = subprocess.Popen([sys.executable, "-m", "edgar_corpus.cli",
                             *crawl_args(server, data, "--cik", COMPANY, "--no-build")],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(600):  # up to a minute for the throttle page to come
        if any(r["throttled"] for r in read_log(server.config.log_path)) or proc.poll() is not None:
            break
        time.sleep(0.1)
    assert proc.poll() is None and any(r["throttled"] for r in read_log(server.config.log_path))
    time.sleep(2.0)
    seen = len(read_log(server.config.log_path))
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=30)  # raises if it takes the 600 s the pause had left
    assert proc.returncode == 130, err[-2000:]
    assert len(read_log(server.config.log_path)) == seen  # nothing was sent during the pause or after
    assert "Traceback" not in err
    status = status_of(data)
    assert "outcome interrupted" in status
    assert Counter(r["status"] for r in read_log(server.config.log_path))[403] == 1
