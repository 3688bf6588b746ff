"""The fake EDGAR answers like EDGAR (docs/reference/edgar-interface.md §11.1), over real sockets."""

from __future__ import annotations

import gzip
import http.client
import time
import urllib.error
import urllib.request

import pytest

from fake_edgar.server import is_declared_user_agent

UA = "edgar-corpus tests tests@example.org"
APPLE = "/Archives/edgar/data/320193/000000000024003505"


def get(server, path, ua=UA, **headers):
    request = urllib.request.Request(server.url + path, headers={"User-Agent": ua, **headers} if ua else headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def test_complete_submission_with_release_last_modified(fake_edgar):
    status, headers, body = get(fake_edgar(), f"{APPLE}/0000000000-24-003505.txt")
    assert status == 200
    assert len(body) == 46547  # the real file's Content-Length
    assert headers["Last-Modified"] == "Fri, 14 Jun 2024 10:00:00 GMT"


def test_gzip_when_asked(fake_edgar):
    _, headers, body = get(fake_edgar(), f"{APPLE}/0000000000-24-003505.txt", **{"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip"
    assert headers["ETag"].endswith('-gzip"')
    assert len(gzip.decompress(body)) == 46547


def test_not_modified_since(fake_edgar):
    status, _, body = get(fake_edgar(), f"{APPLE}/0000000000-24-003505.txt",
                          **{"If-Modified-Since": "Sat, 15 Jun 2024 00:00:00 GMT"})
    assert (status, body) == (304, b"")


def test_legacy_flat_path(fake_edgar):
    assert get(fake_edgar(), "/Archives/edgar/data/320193/0000000000-24-003505.txt")[0] == 200


def test_pdf_served_decoded(fake_edgar):
    status, headers, body = get(fake_edgar(), f"{APPLE}/filename1.pdf")
    assert (status, headers["Content-Type"], len(body), body[:5]) == (200, "application/pdf", 29688, b"%PDF-")


def test_text_document_served_in_its_sgml_envelope(fake_edgar):
    _, _, body = get(fake_edgar(), f"{APPLE}/filename2.txt")
    assert len(body) == 4798  # the size EDGAR's index page gives, envelope included
    assert body.startswith(b"<DOCUMENT>\n<TYPE>TEXT-EXTRACT\n") and body.endswith(b"</TEXT>\n</DOCUMENT>\n")


def test_missing_archive_path_is_s3_access_denied(fake_edgar):
    status, headers, body = get(fake_edgar(), "/Archives/edgar/full-index/2099/QTR1/form.gz")
    assert (status, headers["Content-Type"]) == (403, "application/xml")
    assert b"<Code>AccessDenied</Code>" in body


def test_weekend_daily_index_is_403(fake_edgar):
    assert get(fake_edgar(), "/Archives/edgar/daily-index/2026/QTR1/form.20260321.idx")[0] == 403


def test_missing_submissions_is_404_no_such_key(fake_edgar):
    status, _, body = get(fake_edgar(), "/submissions/CIK0000320193.json")
    assert status == 404 and b"<Code>NoSuchKey</Code>" in body and b"submissions/CIK0000320193.json" in body


def test_path_traversal_is_refused(fake_edgar):
    server = fake_edgar()
    conn = http.client.HTTPConnection(server.url.removeprefix("http://"))
    conn.request("GET", "/Archives/../../pyproject.toml", headers={"User-Agent": UA})
    assert conn.getresponse().status == 403


def test_binds_loopback_only(fake_edgar):
    assert fake_edgar().httpd.server_address[0] == "127.0.0.1"


@pytest.mark.parametrize("agent", [None, "python-requests/2.32.3", "Scrapy/2.19.0 (+https://scrapy.org)",
                                   "Mozilla/5.0 (X11; Linux x86_64)", "GalaxyResidual/1.0"])
def test_undeclared_user_agents_get_the_403_page(fake_edgar, agent):
    status, _, body = get(fake_edgar(), "/submissions/CIK0001751008.json", ua=agent)
    assert status == 403 and b"Undeclared Automated Tool" in body


def test_declared_user_agents():
    assert is_declared_user_agent("Sample Company Name AdminContact@example.com")
    assert not is_declared_user_agent("curl/8.5.0 admin@example.com")


@pytest.mark.parametrize("status", [403, 429])
def test_more_than_ten_in_a_second_starts_a_block_that_requests_rearm(fake_edgar, status):
    server = fake_edgar(block_seconds=0.6, throttle_status=status)
    answers = [get(server, "/submissions/CIK0001751008.json")[0] for _ in range(11)]
    assert answers[:10] == [200] * 10 and answers[10] == status
    time.sleep(0.4)
    code, headers, body = get(server, "/submissions/CIK0001751008.json")  # during the block: re-arms it
    assert code == status and b"Request Rate Threshold Exceeded" in body and "Retry-After" not in headers
    time.sleep(0.4)  # 0.8 s after the first throttle, but only 0.4 s after the re-arming request
    assert get(server, "/submissions/CIK0001751008.json")[0] == status
    time.sleep(0.7)
    assert get(server, "/submissions/CIK0001751008.json")[0] == 200


def test_faults_are_reproducible_from_the_seed(fake_edgar):
    def faults(seed):
        server = fake_edgar(fault_rate=0.5, seed=seed, fault_kinds=("500", "503"), fault_scope="/")
        out = []
        for i in range(8):
            out.append(get(server, f"/Archives/edgar/data/320193/x{i}.txt")[0])
            time.sleep(0.11)
        return out

    first, again, other = faults(3), faults(3), faults(4)
    assert first == again
    assert first != other
    assert {500, 503} & set(first)


def test_request_log_records_every_request(fake_edgar):
    from fake_edgar import read_log

    server = fake_edgar()
    get(server, f"{APPLE}/0000000000-24-003505.txt")
    get(server, "/submissions/CIK0000320193.json")
    log = read_log(server.config.log_path)
    assert [(r["path"], r["status"], r["ua"]) for r in log] == [
        (f"{APPLE}/0000000000-24-003505.txt", 200, UA), ("/submissions/CIK0000320193.json", 404, UA)]
