"""Real crawls of the real sample through the real fake EDGAR: completeness, politeness, failure handling."""

from __future__ import annotations

import hashlib
import json
import os
import pty
import random
import re
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from corpus.catalog import connect
from fake_edgar import max_requests_in_window, read_log
from fake_edgar.server import FAULT_KINDS
from tests.conftest import ROOT, SAMPLE, cli, crawl_args, raw_path, run_crawl, sample_rows

FAST_RETRIES = ["--setting", "EDGAR_BACKOFF_BASE=0.05", "--setting", "EDGAR_BACKOFF_MAX=0.5"]
SHORT_PAUSE = ["--setting", "EDGAR_ALLOW_SHORT_PAUSE=1"]  # tests may pause seconds, not the 60 s a real crawl must
# Two companies served by submissions JSON, 48 filings: enough for failure tests, quick to crawl.
SUBSET = ["--cik", "927628", "--cik", "865752"]


def subset_rows() -> list[dict[str, str]]:
    return [r for r in sample_rows() if r["cik"] in ("927628", "865752")]


def filing_fetches(requests: list[dict]) -> Counter:
    return Counter(str(r["path"]).rsplit("/", 1)[-1].removesuffix(".txt")
                   for r in requests if str(r["path"]).startswith("/Archives/edgar/data/"))


# -- the whole sample ---------------------------------------------------------------------------


def test_full_sample_is_archived_completely(full_crawl):
    expected = {r["accession"] for r in sample_rows()}
    assert set(full_crawl.ledger("archived")) == expected
    assert len(expected) == 157


def test_archive_holds_exact_bytes(full_crawl):
    for accession, row in full_crawl.ledger("archived").items():
        original = raw_path(SAMPLE, row["cik"], accession).read_bytes()
        assert row["sha256"] == hashlib.sha256(original).hexdigest(), accession


def test_header_fields_match_mirror_truth(full_crawl):
    con = connect(full_crawl.data_dir)
    got = {r[0]: r[1:] for r in con.execute(
        "SELECT accession_number, form_type, cik, filing_date, release_date, "
        "strftime(acceptance_datetime, '%Y%m%d%H%M%S') FROM filings").fetchall()}
    for row in sample_rows():
        assert got[row["accession"]] == (
            row["form"], int(row["cik"]), date.fromisoformat(row["filing_date"]),
            date.fromisoformat(row["release_date"]), row["acceptance"],
        ), row["accession"]


def test_apple_upload_header_parsed_exactly(full_crawl):
    con = connect(full_crawl.data_dir)
    row = con.execute(
        "SELECT company_name, file_numbers, reference_accession, submitter_prefix, sic, cf_office, "
        "fiscal_year_end, state_of_incorporation, public_document_count, acceptance_datetime_utc "
        "FROM filings WHERE accession_number = '0000000000-24-003505'").fetchone()
    assert row[0] == "Apple Inc."
    assert row[1] == ["001-36743"]
    assert row[2] == "0000320193-23-000106"
    assert row[3] == "0000000000"
    assert row[4] == 3571
    assert row[5] == "06 Technology"
    assert row[6] == "0928"
    assert row[7] == "CA"
    assert row[8] == 2
    assert row[9].isoformat() == "2024-04-02T16:36:07+00:00"  # 12:36:07 EDT


def test_one_request_per_filing(full_crawl):
    fetches = filing_fetches(full_crawl.requests)
    assert sum(fetches.values()) / 157 <= 1.02
    assert max(fetches.values()) == 1


def test_never_more_than_ten_requests_in_any_second(full_crawl):
    times = [float(r["t"]) for r in full_crawl.requests]
    assert len(times) > 200
    assert max_requests_in_window(times) <= 10


def test_no_throttle_page_and_a_declared_user_agent(full_crawl):
    assert not any(r["throttled"] for r in full_crawl.requests)
    assert {r["ua"] for r in full_crawl.requests} == {"edgar-corpus tests tests@example.org"}


def test_rerun_fetches_no_filing(full_crawl, fake_edgar, tmp_path):
    server = fake_edgar()
    again = run_crawl(server, full_crawl.data_dir, "--from", "2005-01-01", "--to", "2026-03-31", "--no-build")
    assert again.returncode == 0, again.stderr[-2000:]
    assert filing_fetches(again.requests) == Counter()
    # the index files come back as 304s against the copies kept from the first run
    assert Counter(r["status"] for r in again.requests)[304] > 20


def test_rate_ten_still_stays_within_ten_in_any_second(fake_edgar, tmp_path):
    server = fake_edgar()
    result = run_crawl(server, tmp_path / "r", *SUBSET, "--rate", "10", "--no-build")
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(result.requests) >= 50
    assert max_requests_in_window([float(r["t"]) for r in result.requests]) <= 10
    assert not any(r["throttled"] for r in result.requests)


# -- discovery modes ----------------------------------------------------------------------------


def test_daily_mode_finds_letters_on_their_release_day(fake_edgar, tmp_path):
    server = fake_edgar()
    result = run_crawl(server, tmp_path / "d", "--daily", "--from", "2025-11-03", "--to", "2026-03-20")
    assert result.returncode == 0, result.stderr[-2000:]
    expected = {r["accession"] for r in sample_rows() if "2025-11-03" <= r["release_date"] <= "2026-03-20"}
    assert expected  # the window holds releases of the sample
    assert set(result.ledger("archived")) == expected
    weekend = [r for r in result.requests if "daily-index" in str(r["path"])
               and date(*map(int, (str(r["path"])[-12:-8], str(r["path"])[-8:-6], str(r["path"])[-6:-4]))
                        ).weekday() >= 5]
    assert weekend == []  # weekends are never asked for


def test_company_mode_reads_submissions_and_pages(fake_edgar, tmp_path):
    server = fake_edgar()
    result = run_crawl(server, tmp_path / "c", "--cik", "1751008", "--cik", "320193")
    assert result.returncode == 0, result.stderr[-2000:]
    assert set(result.ledger("archived")) == {r["accession"] for r in sample_rows() if r["cik"] == "1751008"}
    assert "no submissions JSON for CIK 320193" in result.stderr


def test_company_mode_follows_older_submissions_pages(fake_edgar, tmp_path):
    pages = sorted(p.name for p in (SAMPLE / "submissions").glob("*-submissions-*.json"))
    assert pages, "the sample keeps at least one -submissions-NNN.json page"
    cik = str(int(pages[0][3:13]))
    server = fake_edgar()
    result = run_crawl(server, tmp_path / "p", "--cik", cik)
    assert result.returncode == 0, result.stderr[-2000:]
    assert any(str(r["path"]).endswith(pages[0]) for r in result.requests)
    assert set(result.ledger("archived")) == {r["accession"] for r in sample_rows() if r["cik"] == cik}


# -- politeness under pressure ------------------------------------------------------------------


@pytest.mark.parametrize("status", [403, 429])
def test_forced_throttle_stops_everything_then_completes(fake_edgar, tmp_path, status):
    server = fake_edgar(throttle_at=(12,), block_seconds=3.0, throttle_status=status)
    result = run_crawl(server, tmp_path / "t", *SUBSET, "--throttle-pause", "4", *SHORT_PAUSE, "--no-build")
    assert result.returncode == 0, result.stderr[-2000:]
    assert set(result.ledger("archived")) == {r["accession"] for r in subset_rows()}
    throttled = [r for r in result.requests if r["throttled"]]
    assert throttled
    last_blocked = max(float(r["t"]) for r in throttled)
    after = [float(r["t"]) for r in result.requests if float(r["t"]) > last_blocked]
    # nothing at all while the block lasts: the first request after it comes a full pause later
    assert min(after) - last_blocked >= 3.0
    assert "stopping every request" in result.stderr


def test_injected_faults_still_archive_every_filing_exactly_once(fake_edgar, tmp_path):
    server = fake_edgar(fault_rate=0.25, seed=7, slow_seconds=3.0)
    result = run_crawl(server, tmp_path / "f", *SUBSET, *FAST_RETRIES, "--setting", "DOWNLOAD_TIMEOUT=1.5",
                       "--no-build")
    assert result.returncode == 0, result.stderr[-2000:]
    kinds = Counter(r["fault"] for r in result.requests if r["fault"])
    assert len(kinds) >= 4, kinds  # 500, 503, reset, slow and truncate all occurred
    archived = result.ledger("archived")
    assert set(archived) == {r["accession"] for r in subset_rows()}
    for accession, row in archived.items():
        assert row["sha256"] == hashlib.sha256(raw_path(SAMPLE, row["cik"], accession).read_bytes()).hexdigest()
    files = list((tmp_path / "f" / "raw").glob("*/*.txt.gz"))
    assert len(files) == len(archived)
    good = Counter(str(r["path"]).rsplit("/", 1)[-1] for r in result.requests
                   if str(r["path"]).startswith("/Archives/edgar/data/") and r["status"] == 200 and not r["fault"])
    assert set(good.values()) == {1}  # each filing was served whole exactly once


def test_corrupt_body_becomes_dead_letter_and_the_rest_is_fine(fake_edgar, tmp_path):
    victim = subset_rows()[3]
    server = fake_edgar(fault_paths={f"/{victim['accession']}.txt": "corrupt"})
    result = run_crawl(server, tmp_path / "x", *SUBSET, *FAST_RETRIES)
    assert result.returncode == 0, result.stderr[-2000:]
    dead = result.ledger("dead")
    assert list(dead) == [victim["accession"]]
    assert "not a complete submission" in dead[victim["accession"]]["reason"]
    assert len(result.ledger("archived")) == len(subset_rows()) - 1
    con = connect(tmp_path / "x")
    assert con.execute("SELECT stage, status FROM failures").fetchall() == [("crawl", "dead")]
    assert con.execute("SELECT count(*) FROM filings").fetchone()[0] == len(subset_rows()) - 1


def test_missing_filing_is_recorded_and_not_retried(fake_edgar, tmp_path):
    # a fake root where one listed filing's .txt is absent: EDGAR's 403 S3 XML for it
    import shutil

    root = tmp_path / "root"
    shutil.copytree(SAMPLE, root)
    victim = subset_rows()[0]
    raw_path(root, victim["cik"], victim["accession"]).unlink()
    server = fake_edgar(root=root)
    result = run_crawl(server, tmp_path / "m", *SUBSET, "--no-build")
    assert result.returncode == 0
    missing = result.ledger("missing")
    assert list(missing) == [victim["accession"]]
    assert missing[victim["accession"]]["http_status"] == 403
    assert filing_fetches(result.requests)[victim["accession"]] == 1
    again = run_crawl(server, tmp_path / "m", *SUBSET, "--no-build")
    assert again.returncode == 0
    assert filing_fetches(again.requests[len(result.requests):]) == Counter()


# -- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize("agent", [None, "", "Scrapy/2.19.0 (+https://scrapy.org)", "Acme Research"])
def test_refuses_to_start_without_a_declared_user_agent(fake_edgar, tmp_path, agent):
    server = fake_edgar()
    result = run_crawl(server, tmp_path / "u", "--cik", "1751008", user_agent=agent)
    assert result.returncode == 2
    assert "EDGAR_USER_AGENT" in result.stderr
    assert result.requests == []


def test_scrapy_crawl_also_refuses_without_user_agent(fake_edgar, tmp_path):
    server = fake_edgar()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDGAR_")}
    env.update(EDGAR_URL=server.url, EDGAR_DATA_URL=server.url, EDGAR_DATA_DIR=str(tmp_path / "s"))
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "edgar_company", "-a", "cik=1751008"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "Refusing to crawl EDGAR" in proc.stderr
    assert server.config.log_path.exists() is False or server.config.log_path.read_text() == ""


def test_plain_scrapy_crawl_records_runs_continues_the_daily_state_and_builds(fake_edgar, tmp_path):
    """What scrapyd runs: `scrapy crawl edgar_daily` with a range, then with no `from`. The crawl's own
    extensions take the lock, record both runs, keep the daily state and build the corpus, as the CLI does."""
    server = fake_edgar()
    data = tmp_path / "s"
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDGAR_")}
    env.update(EDGAR_URL=server.url, EDGAR_DATA_URL=server.url, EDGAR_DATA_DIR=str(data),
               EDGAR_USER_AGENT="edgar-corpus tests tests@example.org")

    def scrapy_crawl(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "scrapy", "crawl", "edgar_daily", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)

    first = scrapy_crawl("-a", "from=2025-11-03", "-a", "to=2026-01-15")
    assert first.returncode == 0, first.stderr[-2000:]
    assert json.loads((data / "crawl-state.json").read_text()) == {"daily_completed_through": "2026-01-15"}
    second = scrapy_crawl("-a", "to=2026-03-20")
    assert second.returncode == 0, second.stderr[-2000:]
    assert "continuing from 2026-01-08" in second.stderr
    expected = {r["accession"] for r in sample_rows() if "2025-11-03" <= r["release_date"] <= "2026-03-20"}
    con = sqlite3.connect(data / "ledger.sqlite")
    assert {a for (a,) in con.execute("SELECT accession_number FROM filings WHERE status = 'archived'")} == expected
    runs = con.execute("SELECT outcome, scope FROM runs ORDER BY started_at").fetchall()
    con.close()
    assert [outcome for outcome, _scope in runs] == ["ok", "ok"]
    assert json.loads(runs[1][1])["from"] == "2026-01-08"
    status = cli("status", "--data-dir", str(data)).stdout
    assert "crawls recorded: 2 (ok 2)" in status
    corpus = connect(data)  # built after each crawl, by the extension
    assert corpus.execute("SELECT count(*) FROM filings").fetchone()[0] == len(expected)
    corpus.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cik", "1751008", "--rate", "11"], "at most 10"),
        (["--cik", "1751008", "--rate", "0"], "between 0.1 and 10"),
        (["--from", "2024-05-01", "--to", "2024-01-01"], "before --from"),
        (["--from", "2024-13-01"], "YYYY-MM-DD"),
        ([], "say what to crawl"),
        (["--cik", "1751008", "--daily", "--from", "2024-01-01"], "drop --from"),
    ],
)
def test_bad_command_lines_are_refused_with_advice(fake_edgar, tmp_path, args, message):
    server = fake_edgar()
    result = run_crawl(server, tmp_path / "b", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.requests == []


def test_unreachable_edgar_exits_nonzero_with_advice(tmp_path):
    import socket

    with socket.socket() as s:  # a loopback port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    proc = cli("crawl", "--data-dir", str(tmp_path / "n"), "--cik", "1751008", "--edgar-url", url,
               "--data-url", url, "--user-agent", "edgar-corpus tests tests@example.org", *FAST_RETRIES)
    assert proc.returncode == 3
    assert "Could not reach EDGAR" in proc.stderr


def test_a_second_crawl_of_the_same_data_dir_is_refused(fake_edgar, tmp_path):
    import fcntl

    server = fake_edgar()
    data_dir = tmp_path / "l"
    data_dir.mkdir()
    with open(data_dir / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running crawl holds it
        result = run_crawl(server, data_dir, "--cik", "1751008")
    assert result.returncode == 2
    assert "another crawl or build is using" in result.stderr
    assert result.requests == []


def test_build_without_an_archive_says_to_crawl_first(tmp_path):
    proc = cli("build", "--data-dir", str(tmp_path / "empty"))
    assert proc.returncode == 2 and "crawl into it first" in proc.stderr


def test_an_index_that_cannot_be_read_makes_the_crawl_fail_loudly(fake_edgar, tmp_path):
    server = fake_edgar(fault_paths={"/2024/QTR2/form.gz": "503"})
    result = run_crawl(server, tmp_path / "q", "--from", "2024-04-01", "--to", "2024-06-30", *FAST_RETRIES)
    assert result.returncode == 3
    assert "could not be read" in result.stderr
    # the other quarters of the window were still read and their filings archived
    listed_later = {r["accession"] for r in sample_rows()
                    if "2024-04-01" <= r["filing_date"] <= "2024-06-30"}
    assert listed_later  # the sample has letters in that quarter
    assert set(result.ledger("archived")) <= listed_later


def test_daily_crawl_without_dates_continues_from_the_last_one(fake_edgar, tmp_path):
    server = fake_edgar()
    data = tmp_path / "d"
    first_try = run_crawl(server, data, "--daily")
    assert first_try.returncode == 2 and "give the first one a start day (--from" in first_try.stderr
    first = run_crawl(server, data, "--daily", "--from", "2025-11-03", "--to", "2026-01-15", "--no-build")
    assert first.returncode == 0, first.stderr[-2000:]
    assert json.loads((data / "crawl-state.json").read_text()) == {"daily_completed_through": "2026-01-15"}
    asked_before = len(first.requests)
    second = run_crawl(server, data, "--daily", "--to", "2026-03-20")
    assert second.returncode == 0, second.stderr[-2000:]
    assert "continuing from 2026-01-08" in second.stderr
    days = sorted(str(r["path"])[-12:-4] for r in second.requests[asked_before:] if "daily-index" in str(r["path"]))
    assert days[0] == "20260108"  # a week re-read before the last completed day, nothing earlier
    expected = {r["accession"] for r in sample_rows() if "2025-11-03" <= r["release_date"] <= "2026-03-20"}
    assert set(second.ledger("archived")) == expected
    filing_paths = [str(r["path"]) for r in second.requests if str(r["path"]).startswith("/Archives/edgar/data/")]
    assert len(filing_paths) == len(set(filing_paths))  # the re-read week fetched no filing twice
    assert json.loads((data / "crawl-state.json").read_text()) == {"daily_completed_through": "2026-03-20"}


def test_long_crawls_log_their_progress(fake_edgar, tmp_path):
    server = fake_edgar()
    result = run_crawl(server, tmp_path / "p", "--cik", "1751008", "--no-build",
                       "--setting", "EDGAR_PROGRESS_SECONDS=0.5")
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if "progress:" in line]
    assert len(lines) >= 2
    done = [int(line.split("progress: ")[1].split()[0]) for line in lines]
    assert done == sorted(done) and done[-1] == len(result.ledger("archived"))  # the last line is the final count
    assert "responses/s" in lines[-1] and "throttle pauses" in lines[-1] and "ETA" in lines[-1]


def test_a_crawl_is_quiet_unless_asked(fake_edgar, tmp_path):
    """Without --verbose: the crawl's own lines only, no Scrapy settings or component dump, no stats dump, no
    deprecation warnings (the full sample crawl, run with --verbose, shows them: see the test above)."""
    server = fake_edgar()
    result = run_crawl(server, tmp_path / "q", "--cik", "1751008", "--no-build")
    assert result.returncode == 0, result.stderr[-2000:]
    for chatter in ("Overridden settings", "Enabled extensions", "Dumping Scrapy stats", "Deprecation", "started (bot"):
        assert chatter not in result.stderr
    assert "progress:" in result.stderr and "outcome ok" in result.stderr + result.stdout


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # the process ended while we looked
        return b""


def test_kill_9_at_ten_points_of_crawl_and_build_gives_the_same_corpus(full_crawl, fake_edgar, tmp_path):
    """kill -9 at 10 random moments of a crawl and 10 of a build, re-running after each: the corpus ends the
    same as an uninterrupted run's, row for row, and every raw file has the checksum EDGAR's bytes have."""
    server = fake_edgar()
    data_dir = tmp_path / "k10"
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDGAR_")}
    args = crawl_args(server, data_dir, "--from", "2005-01-01", "--to", "2026-03-31", "--no-build")
    moments = random.Random(20261124)

    def run_and_kill(command: list[str], after: float) -> None:
        proc = subprocess.Popen([sys.executable, "-m", "edgar_corpus.cli", *command], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=after)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()

    for _ in range(10):
        run_and_kill(args, moments.uniform(1.0, 4.0))
    on_disk = {p.name.removesuffix(".txt.gz") for p in (data_dir / "raw").glob("*/*.txt.gz")}
    fetched_before = len(read_log(server.config.log_path))
    finished = cli(*args)
    assert finished.returncode == 0, finished.stderr[-2000:]
    refetched = set(filing_fetches(read_log(server.config.log_path)[fetched_before:])) & on_disk
    assert refetched == set()  # nothing a killed run left on disk was fetched again
    for _ in range(10):
        run_and_kill(["build", "--data-dir", str(data_dir)], moments.uniform(0.5, 2.5))
    built = cli("build", "--data-dir", str(data_dir))
    assert built.returncode == 0, built.stderr[-2000:]

    def corpus(data: Path) -> dict[str, list]:
        con = connect(data)
        tables = {"filings": "SELECT * EXCLUDE (fetched_at, source_url, discovered_via) FROM filings ORDER BY 1"}
        for name in ("documents", "letters", "comments", "conversations", "comment_responses", "failures"):
            tables[name] = f"SELECT * FROM {name} ORDER BY ALL"
        out = {name: con.execute(sql).fetchall() for name, sql in tables.items()}
        con.close()
        return out

    def checksums(data: Path) -> dict[str, str]:
        con = sqlite3.connect(data / "ledger.sqlite")
        out = dict(con.execute("SELECT accession_number, sha256 FROM filings WHERE status = 'archived'").fetchall())
        con.close()
        return out

    leftovers = [p for p in Path("/proc").glob("[0-9]*/cmdline") if str(data_dir).encode() in _read(p)]
    assert leftovers == []  # no worker of a killed build outlives it
    assert checksums(data_dir) == checksums(full_crawl.data_dir)
    assert {p.name for p in (data_dir / "raw").glob("*/*.txt.gz")} == {
        p.name for p in (full_crawl.data_dir / "raw").glob("*/*.txt.gz")}
    assert corpus(data_dir) == corpus(full_crawl.data_dir)


def test_an_oversized_body_is_recorded_and_the_rest_archived(fake_edgar, tmp_path):
    """A filing larger than DOWNLOAD_MAXSIZE is a dead letter with its reason; the others are archived."""
    server = fake_edgar()
    limit = 100_000
    result = run_crawl(server, tmp_path / "o", "--daily", "--from", "2025-11-03", "--to", "2026-03-20", "--no-build",
                       "--setting", f"DOWNLOAD_MAXSIZE={limit}")
    sizes = {r["accession"]: raw_path(SAMPLE, r["cik"], r["accession"]).stat().st_size
             for r in sample_rows() if "2025-11-03" <= r["release_date"] <= "2026-03-20"}
    too_big = {accession for accession, size in sizes.items() if size > limit}
    assert too_big and too_big != set(sizes)  # the window has filings on both sides of the limit
    assert set(result.ledger("archived")) == set(sizes) - too_big
    dead = result.ledger("dead")
    assert set(dead) == too_big
    assert all("DOWNLOAD_MAXSIZE" in row["reason"] for row in dead.values())


def test_progress_bar_on_an_interactive_terminal(fake_edgar, tmp_path):
    server = fake_edgar()
    main, terminal = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDGAR_")}
    args = crawl_args(server, tmp_path / "t", "--cik", "1751008", "--no-build")
    proc = subprocess.Popen([sys.executable, "-m", "edgar_corpus.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=terminal)
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the crawl closed the terminal
            break
        if not chunk:
            break
        output += chunk
    assert proc.wait(timeout=120) == 0
    os.close(main)
    bars = re.findall(rb"\r\[([#.]{30})\] (\d+)/(\d+) filings", output)
    assert bars  # drawn in place, once a second
    assert bars[-1][1] == bars[-1][2]  # and full at the end


def test_a_server_stricter_than_the_published_limit_still_gets_a_complete_crawl(fake_edgar, tmp_path):
    """The fake blocks above 5 requests in a second; the crawl starts at 8, is throttled, comes back at half
    the rate, and finishes instead of being blocked again and again."""
    server = fake_edgar(rate_limit=5, block_seconds=2.0)
    result = run_crawl(server, tmp_path / "s", *SUBSET, "--throttle-pause", "2", *SHORT_PAUSE, "--no-build")
    assert result.returncode == 0, result.stderr[-2000:]
    assert set(result.ledger("archived")) == {r["accession"] for r in subset_rows()}
    resumed = re.findall(r"Resuming after the throttle pause at ([\d.]+) requests/s", result.stderr)
    assert resumed and float(resumed[0]) <= 4.5  # half of 8 (requests are never closer than 110 ms)
    assert len(resumed) <= 2  # it converges: at most one more halving


def test_five_percent_faults_of_every_kind_still_archive_every_filing_exactly_once(full_crawl, fake_edgar, tmp_path):
    # Faults are a hash of (seed, path, attempt); seed 2 is one whose 5% of first attempts hold all five kinds.
    server = fake_edgar(fault_rate=0.05, seed=2, slow_seconds=3.0)
    result = run_crawl(server, tmp_path / "f5", "--from", "2005-01-01", "--to", "2026-03-31", *FAST_RETRIES,
                       "--setting", "DOWNLOAD_TIMEOUT=1.5", "--no-build")
    assert result.returncode == 0, result.stderr[-2000:]
    kinds = Counter(r["fault"] for r in result.requests if r["fault"])
    assert set(kinds) == set(FAULT_KINDS), kinds  # every kind happened at least once
    archived = result.ledger("archived")
    assert set(archived) == set(full_crawl.ledger("archived"))
    good = Counter(str(r["path"]).rsplit("/", 1)[-1] for r in result.requests
                   if str(r["path"]).startswith("/Archives/edgar/data/") and r["status"] == 200 and not r["fault"])
    assert set(good.values()) == {1}  # each filing served whole exactly once
    for accession, row in archived.items():
        assert row["sha256"] == full_crawl.ledger("archived")[accession]["sha256"]


def test_no_remote_access_into_a_running_crawl(full_crawl):
    """Neither Scrapy's telnet console nor its remote-control endpoint is enabled in a real crawl."""
    enabled = re.search(r"Enabled extensions:\n(\[.*?\])", full_crawl.stderr, re.S)
    assert enabled and "crawler.extensions.RawArchiveStore" in enabled.group(1)  # the log lists them
    assert "TelnetConsole" not in enabled.group(1) and "RemoteControl" not in enabled.group(1)
    assert "Telnet console listening" not in full_crawl.stderr


def test_a_build_that_fails_after_the_crawl_is_not_a_success(fake_edgar, tmp_path):
    """The archive is whole, the build cannot write (here `.builds` is a file): exit 5, what failed, what to run."""
    data = tmp_path / "b"
    data.mkdir()
    (data / ".builds").write_text("not a folder")
    result = run_crawl(fake_edgar(), data, "--cik", "1751008")
    assert result.returncode == 5, result.stderr[-2000:]
    assert "the build after it failed (NotADirectoryError" in result.stderr
    assert f"edgar-corpus build --data-dir {data}" in result.stderr and "Traceback" not in result.stderr
    assert len(result.ledger("archived")) == 13  # every filing is archived all the same


def test_ctrl_c_during_a_crawl_stops_it_cleanly_with_advice(fake_edgar, tmp_path):
    """Ctrl-C (SIGINT to the process group, as a terminal sends it) once the crawl is under way: exit 130, one
    piece of advice, no traceback; the run is recorded as interrupted."""
    server = fake_edgar()
    proc = subprocess.Popen([sys.executable, "-m", "edgar_corpus.cli",
                             *crawl_args(server, tmp_path / "c", "--from", "2005-01-01", "--to", "2026-03-31")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env={k: v for k, v in os.environ.items() if not k.startswith("EDGAR_")},
                            start_new_session=True)
    started = []
    for line in proc.stderr:
        started.append(line)
        if "already settled" in line:  # the spider is running
            break
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, "".join(started) + err[-2000:]
    assert "Run the same command again to resume" in err and "Traceback" not in err
    assert "outcome interrupted" in out
