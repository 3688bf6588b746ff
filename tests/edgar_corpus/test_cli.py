"""The command line as a new user meets it: misuse answered in one line, output programs can read, nothing of a
user's data removed. Each test does what the user did, through the real CLI in a subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from tests.conftest import ROOT, cli

QUERY = ("SELECT accession_number, letter_date, file_numbers, letter_kind FROM letters "
         "WHERE len(file_numbers) > 0 ORDER BY accession_number LIMIT 3")


@pytest.fixture(scope="module")
def data(full_crawl) -> str:
    return str(full_crawl.data_dir)


def test_sql_csv_writes_lists_as_json_and_dates_in_iso_form(data):
    proc = cli("sql", "--data-dir", data, "--format", "csv", QUERY)
    assert proc.returncode == 0, proc.stderr
    header, first, *_ = proc.stdout.splitlines()
    assert header == "accession_number,letter_date,file_numbers,letter_kind"
    assert "datetime.date" not in proc.stdout and "[" in first
    fields = next(__import__("csv").reader([first]))
    assert len(fields[1]) == 10 and fields[1][4] == "-"  # 2024-03-22
    assert isinstance(json.loads(fields[2]), list)


def test_sql_json_is_one_object_per_row(data):
    proc = cli("sql", "--data-dir", data, "--format", "json", QUERY)
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 3
    assert all(isinstance(r["file_numbers"], list) and len(r["letter_date"]) == 10 for r in rows)


def test_sql_line_shows_one_column_per_line(data):
    proc = cli("sql", "--data-dir", data, "--format", "line", QUERY)
    records = [block.splitlines() for block in proc.stdout.strip().split("\n\n")]
    assert len(records) == 3 and all(len(r) == 4 for r in records)
    assert records[0][0].strip().startswith("accession_number = ")


def test_sql_parquet_writes_a_file_duckdb_reads_back(data, tmp_path):
    out = tmp_path / "letters.parquet"
    proc = cli("sql", "--data-dir", data, "--format", "parquet", "--output", str(out), QUERY)
    assert proc.returncode == 0, proc.stderr
    expected = cli("sql", "--data-dir", data, "--format", "json", QUERY).stdout
    back = duckdb.sql(f"SELECT accession_number FROM '{out}'").fetchall()
    assert [r[0] for r in back] == [json.loads(line)["accession_number"] for line in expected.splitlines()]
    again = cli("sql", "--data-dir", data, "--format", "parquet", "--output", str(out), QUERY)
    assert again.returncode == 2 and "exists" in again.stderr  # never overwritten
    missing = cli("sql", "--data-dir", data, "--format", "parquet", QUERY)
    assert missing.returncode == 2 and "--output" in missing.stderr


def test_a_closed_pipe_ends_quietly(data):
    """`edgar-corpus sql ... | head -1`: the reader leaves early; no traceback, the shell's code for SIGPIPE."""
    proc = subprocess.Popen([sys.executable, "-m", "edgar_corpus.cli", "sql", "--data-dir", data, "--format",
                             "json", "SELECT * FROM comments, range(20)"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout.readline().startswith(b"{")
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


def test_ctrl_c_during_a_query_says_so_and_exits_130(data):
    proc = subprocess.Popen([sys.executable, "-m", "edgar_corpus.cli", "sql", "--data-dir", data,
                             "SELECT sum(range) FROM range(100000000000)"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT, start_new_session=True)
    time.sleep(4)  # connected and running: the query takes minutes
    for _ in range(30):  # Ctrl-C, again if it came before the query started (a busy machine), as a user would
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        try:
            proc.wait(timeout=2)
            break
        except subprocess.TimeoutExpired:
            continue
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out[-2000:], err)
    assert "interrupted; run the same command again" in err and "Traceback" not in err


def test_an_unknown_form_is_refused_with_the_forms_there_are(tmp_path):
    proc = cli("crawl", "--data-dir", str(tmp_path / "d"), "--from", "2024-01-01", "--forms", "10-K,CORRESP",
               "--user-agent", "Test Lab test@example.com")
    assert proc.returncode == 2
    assert "--forms 10-K: not a comment-letter form" in proc.stderr and "CORRESP" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "d").exists()


def test_fake_edgar_refuses_a_folder_that_is_not_a_mirror(tmp_path):
    proc = cli("fake-edgar", "--root", str(tmp_path / "nowhere"))
    assert proc.returncode == 2 and "not a folder laid out like EDGAR" in proc.stderr


def test_every_subcommand_explains_data_dir():
    for command in ("crawl", "build", "compact", "sql", "status", "search", "demo"):
        proc = cli(command, "--help")
        assert proc.returncode == 0
        option = proc.stdout.split("\n  --data-dir", 1)[1].split("\n  -", 1)[0]
        assert len(option.split()) > 3, command  # the metavar and words that explain it


def test_demo_never_touches_a_data_dir_it_did_not_make(tmp_path):
    """The user points the demo at a real crawl's data dir: refused, every file left as it was."""
    real = tmp_path / "data"
    (real / "raw" / "320193").mkdir(parents=True)
    (real / "raw" / "320193" / "0000320193-24-000001.txt.gz").write_bytes(b"archived")
    (real / "ledger.sqlite").write_bytes(b"ledger")
    before = sorted((p.relative_to(real), p.read_bytes()) for p in real.rglob("*") if p.is_file())
    proc = cli("demo", "--data-dir", str(real))
    assert proc.returncode == 2 and "was not made by the demo" in proc.stderr
    assert sorted((p.relative_to(real), p.read_bytes()) for p in real.rglob("*") if p.is_file()) == before
