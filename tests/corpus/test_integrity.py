"""The build under hostile filings and damaged files: bounded work per filing, the corpus and its catalog
published together, damage found and said (never fatal to everything), and `sql` as a local shell."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from corpus.archive import RawArchive, utc_now
from corpus.catalog import CatalogError, connect
from pipelines.text import html_to_text
from tests.conftest import ROOT, SAMPLE, cli, raw_path, sample_rows
from tests.hostile import RESPONSE, STAFF_LETTER, as_filing, huge_page_pdf, inflated_html, with_html, with_pdf

COMPANY = "1751008"  # 13 real filings: small enough to build in a second


def archive_filings(data: Path, filings: dict[str, tuple[int, str, bytes]]) -> None:
    archive = RawArchive(data)
    for accession, (cik, form, body) in filings.items():
        archive.store_filing(accession=accession, cik=cik, form_type=form, url="test", body=body, http_status=200,
                             fetched_at=utc_now())
    archive.close()


@pytest.fixture
def small_archive(tmp_path: Path) -> Path:
    """A raw archive of one company's 13 real filings (no crawl: stored as the crawler stores them)."""
    data = tmp_path / "data"
    archive_filings(data, {r["accession"]: (int(r["cik"]), r["form"], raw_path(SAMPLE, r["cik"], r["accession"])
                                            .read_bytes()) for r in sample_rows() if r["cik"] == COMPANY})
    return data


def failures(data: Path) -> dict[str, tuple[str, str, str]]:
    con = connect(data)
    out = {a: (stage, status, reason) for a, stage, status, reason in
           con.execute("SELECT accession_number, stage, status, reason FROM failures").fetchall()}
    con.close()
    return out


def run_build(data: Path, **env: str) -> subprocess.CompletedProcess:
    return cli("build", "--data-dir", str(data), "--workers", "2", env=env)


# -- bounded work per filing ----------------------------------------------------------------------------


def test_a_filing_over_the_memory_budget_is_a_failure_and_the_pool_survives(small_archive):
    archive_filings(small_archive, {"0001193125-23-900001": (1512673, "CORRESP",
                                                             as_filing(with_html(RESPONSE, inflated_html(48)),
                                                                       "0001193125-23-900001"))})
    built = run_build(small_archive, EDGAR_BUILD_FILING_MEMORY_MB="150")
    assert built.returncode == 0, built.stderr[-2000:]
    stage, status, reason = failures(small_archive)["0001193125-23-900001"]
    assert (stage, status) == ("build", "unparseable") and "memory budget" in reason
    con = connect(small_archive)
    assert con.execute("SELECT count(*) FROM filings").fetchone()[0] == 13  # every other filing is built
    con.close()
    again = run_build(small_archive, EDGAR_BUILD_FILING_MEMORY_MB="150")
    assert again.returncode == 0 and "(unchanged" in again.stdout  # recorded once, not retried on every build


def test_a_filing_over_the_time_budget_is_a_failure_and_the_rest_is_built(small_archive):
    archive_filings(small_archive, {"0001193125-23-900002": (1512673, "CORRESP",
                                                             as_filing(with_html(RESPONSE, inflated_html(48)),
                                                                       "0001193125-23-900002"))})
    built = run_build(small_archive, EDGAR_BUILD_FILING_SECONDS="0.3")
    assert built.returncode == 0, built.stderr[-2000:]
    assert "time budget" in failures(small_archive)["0001193125-23-900002"][2]
    con = connect(small_archive)
    assert con.execute("SELECT count(*) FROM filings").fetchone()[0] == 13
    con.close()


def test_a_page_of_200_inches_is_rendered_within_bounds_for_ocr(small_archive):
    """A 663-byte PDF with one image-only 14400 pt page: at 300 dpi a 3.6-gigapixel bitmap, now capped."""
    archive_filings(small_archive, {"0000000000-23-900003": (1512673, "UPLOAD", as_filing(
        with_pdf(STAFF_LETTER, huge_page_pdf()), "0000000000-23-900003"))})
    built = run_build(small_archive, EDGAR_BUILD_FILING_MEMORY_MB="600")
    assert built.returncode == 0, built.stderr[-2000:]
    assert "0000000000-23-900003" not in failures(small_archive)
    con = connect(small_archive)
    assert con.execute("SELECT n_pages FROM documents WHERE accession_number = '0000000000-23-900003'").fetchone() \
        == (1,)
    con.close()


def test_html_with_thousands_of_unclosed_titles_keeps_its_text():
    html = "<html><body><p>Dear Sir:</p>" + "<title>x" * 14285 + "<p>We respectfully advise the Staff.</p></body>"
    text = html_to_text(html)
    assert text.startswith("Dear Sir:") and text.endswith("We respectfully advise the Staff.")


@pytest.mark.parametrize("depth", [300, 3000, 20000])
def test_html_nested_deeper_than_libxml2_allows_loses_no_text(depth):
    html = ("<html><body><p>Dear Sir:</p>" + "<div>" * depth + "<p>In response to the comment</p>"
            + "</div>" * depth + "<p>Sincerely, Jane Doe</p></body></html>")
    assert html_to_text(html).split("\n\n") == ["Dear Sir:", "In response to the comment", "Sincerely, Jane Doe"]


def test_a_staff_letter_ending_in_a_long_run_of_capitals_parses_as_before():
    from pipelines.letters import parse_letter
    from pipelines.normalize import FilingSource, normalize_filing

    rows = normalize_filing(STAFF_LETTER, FilingSource("0000000000-23-006942", 1512673))
    text = next(d["text"] for d in rows["documents"] if d["text"])
    filed = rows["filings"][0]["filing_date"]
    plain = parse_letter(text, "UPLOAD", filed)
    hostile = parse_letter(text + "\n" + "A" * 20000, "UPLOAD", filed)
    assert (hostile.letter_kind, hostile.n_comments, hostile.letter_date) == (
        plain.letter_kind, plain.n_comments, plain.letter_date)


def test_a_letter_of_many_megabytes_is_cut_for_structure_not_lost(small_archive):
    archive_filings(small_archive, {"0001193125-23-900004": (1512673, "CORRESP",
                                                             as_filing(with_html(RESPONSE, inflated_html(8)),
                                                                       "0001193125-23-900004"))})
    assert run_build(small_archive).returncode == 0
    con = connect(small_archive)
    document, clean, truncated = con.execute("""
        SELECT d.n_chars, length(l.text_clean), l.text_truncated
        FROM documents d JOIN letters l USING (accession_number)
        WHERE accession_number = '0001193125-23-900004'""").fetchone()
    con.close()
    assert document > 7_000_000  # documents keeps every character
    assert clean <= 1_000_000 and truncated  # structure and search take the first million


# -- the corpus and its catalog are published together ----------------------------------------------------


def test_a_build_killed_between_corpus_and_catalog_is_repaired_by_the_next(small_archive, tmp_path):
    assert run_build(small_archive).returncode == 0
    archive_filings(small_archive, {r["accession"]: (int(r["cik"]), r["form"], raw_path(SAMPLE, r["cik"],
                    r["accession"]).read_bytes()) for r in sample_rows() if r["cik"] == "1512673"})
    script = ("import corpus.build as b\n"
              "def crash(*a, **k):\n    raise SystemExit(9)\n"
              "b.publish_catalog = crash\n"
              f"b.build_corpus({str(small_archive)!r}, progress=None)\n")
    crashed = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert crashed.returncode == 9
    with pytest.raises(CatalogError, match="another build"):
        connect(small_archive)  # the new corpus and the old catalog: said, not served silently
    repaired = run_build(small_archive)
    assert repaired.returncode == 0 and "repaired" in repaired.stdout, repaired.stdout
    con = connect(small_archive)
    letters, searchable = con.execute("SELECT (SELECT count(*) FROM letters), (SELECT count(*) FROM search_meta)"
                                      ).fetchone()
    con.close()
    assert letters == searchable > 13
    assert not list(small_archive.glob(".*tmp*")) and not list(small_archive.glob(".catalog-staging*"))


def test_a_full_disk_during_the_catalog_leaves_no_temporary_files(small_archive):
    assert run_build(small_archive).returncode == 0
    script = ("import resource, signal\n"
              "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
              "import corpus.build as b\n"
              "real = b.stage_catalog\n"
              "def small_disk(*a, **k):\n"
              "    resource.setrlimit(resource.RLIMIT_FSIZE, (8_000, 8_000))\n"
              "    return real(*a, **k)\n"
              "b.stage_catalog = small_disk\n"
              f"b.build_corpus({str(small_archive)!r}, progress=None, full=True)\n")
    failed = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert failed.returncode != 0
    leftovers = [p for p in small_archive.rglob("*") if ".tmp" in p.name or "staging" in p.name]
    assert leftovers == []
    con = connect(small_archive)  # the previous corpus and catalog, still matched and readable
    assert con.execute("SELECT count(*) FROM search_meta").fetchone()[0] == 13
    con.close()


# -- damaged files are found and said ---------------------------------------------------------------------


def test_a_damaged_raw_file_is_quarantined_and_the_rest_built(small_archive):
    victim = next(r for r in sample_rows() if r["cik"] == COMPANY)
    path = small_archive / "raw" / COMPANY / f"{victim['accession']}.txt.gz"
    data = bytearray(path.read_bytes())
    data[len(data) // 2:len(data) // 2 + 64] = b"\x00" * 64  # a zlib error midway
    path.write_bytes(bytes(data))
    built = run_build(small_archive)
    assert built.returncode == 0, built.stderr[-2000:]
    assert "quarantined" in built.stderr + built.stdout
    stage, status, reason = failures(small_archive)[victim["accession"]]
    assert (stage, status) == ("crawl", "dead") and "the next crawl fetches it again" in reason
    assert list((small_archive / "raw" / ".quarantine").rglob("*"))
    settled = RawArchive(small_archive).settled_accessions()
    assert victim["accession"] not in settled  # so the next crawl asks for it again


def test_a_truncated_raw_file_with_a_ledger_row_is_fetched_again(small_archive, fake_edgar):
    from tests.conftest import run_crawl

    victim = next(r for r in sample_rows() if r["cik"] == COMPANY and r["form"] == "CORRESP")
    path = small_archive / "raw" / COMPANY / f"{victim['accession']}.txt.gz"
    import gzip

    path.write_bytes(gzip.compress(gzip.decompress(path.read_bytes())[:5000], mtime=0))  # whole gzip, half a file
    assert run_build(small_archive).returncode == 0
    server = fake_edgar()
    crawl = run_crawl(server, small_archive, "--cik", COMPANY)
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    fetched = [r["path"] for r in crawl.requests if r["path"].startswith("/Archives/")]
    assert fetched == [f"/Archives/edgar/data/{COMPANY}/{victim['accession'].replace('-', '')}/"
                       f"{victim['accession']}.txt"]
    assert victim["accession"] not in failures(small_archive)


def test_an_unreadable_raw_file_without_a_ledger_row_does_not_stop_a_crawl_or_build(small_archive):
    stray = small_archive / "raw" / COMPANY / "0000000000-21-999999.txt.gz"
    stray.write_bytes(b"\x1f\x8b\x08\x00" + b"\x00" * 100)  # a gzip header and nothing sane
    built = run_build(small_archive)
    assert built.returncode == 0, built.stderr[-2000:]
    assert not stray.exists() and list((small_archive / "raw" / ".quarantine").rglob("*999999*"))


def test_a_truncated_parquet_file_makes_the_next_build_a_full_one(small_archive):
    assert run_build(small_archive).returncode == 0
    victim = next((small_archive / "corpus" / "letters").rglob("*.parquet"))
    victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    archive_filings(small_archive, {r["accession"]: (int(r["cik"]), r["form"], raw_path(
        SAMPLE, r["cik"], r["accession"]).read_bytes()) for r in sample_rows() if r["cik"] == "1512673"})
    built = run_build(small_archive)
    assert built.returncode == 0, built.stderr[-2000:]
    assert "full (1 corpus files cannot be read" in built.stdout
    con = connect(small_archive)
    assert con.execute("SELECT count(*) FROM letters").fetchone()[0] == 13 + sum(
        1 for r in sample_rows() if r["cik"] == "1512673")
    con.close()


def test_a_damaged_ledger_is_set_aside_and_rebuilt_from_the_raw_archive(small_archive):
    (small_archive / "ledger.sqlite").write_bytes(b"this is not a database" * 100)
    status = cli("status", "--data-dir", str(small_archive))
    assert status.returncode == 2 and "cannot be read" in status.stderr and "Traceback" not in status.stderr
    built = run_build(small_archive)
    assert built.returncode == 0, built.stderr[-2000:]
    assert "could not be read" in built.stderr and "rebuilt the ledger" in built.stderr
    assert list(small_archive.glob("ledger.sqlite.damaged-*"))
    con = sqlite3.connect(small_archive / "ledger.sqlite")
    assert con.execute("SELECT count(*) FROM filings WHERE status = 'archived'").fetchone()[0] == 13
    con.close()


# -- sql is a local analytics shell -----------------------------------------------------------------------


@pytest.mark.parametrize("statement", ["SET threads = 1", "CREATE TEMP TABLE t AS SELECT 1 AS x",
                                       "PRAGMA version"])
def test_statements_that_return_no_rows_end_without_a_traceback(small_archive, statement):
    assert run_build(small_archive).returncode == 0
    proc = cli("sql", "--data-dir", str(small_archive), statement)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_copied_data_dir_reads_its_own_parquet(small_archive, tmp_path):
    assert run_build(small_archive).returncode == 0
    copy = tmp_path / "copy"
    shutil.copytree(small_archive, copy, symlinks=True)
    shutil.rmtree(small_archive)  # were the views absolute, the copy would now find nothing
    proc = cli("sql", "--data-dir", str(copy), "SELECT count(*) AS n FROM letters")
    assert proc.returncode == 0, proc.stderr
    assert " 13 " in proc.stdout or "│ 13" in proc.stdout
    os.sync()
