"""The build stage and the corpus: offline, re-runnable, atomic, failures recorded."""

from __future__ import annotations

import gzip
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from corpus.build import build_corpus
from corpus.catalog import CatalogError, connect, search
from corpus.search import SCOPES, Filters, index_path, open_index
from edgar_corpus.edgar import LETTER_KINDS
from tests.conftest import ROOT, cli, sample_rows


@pytest.fixture
def archive_copy(full_crawl, tmp_path):
    """A private copy of the crawled data dir (raw archive + ledger), without the built corpus."""
    data = tmp_path / "data"
    shutil.copytree(full_crawl.data_dir / "raw", data / "raw")
    shutil.copy2(full_crawl.data_dir / "ledger.sqlite", data / "ledger.sqlite")
    return data


def rows(data_dir, table):
    con = connect(data_dir)
    out = con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
    con.close()
    return out


def test_build_from_raw_archive_is_deterministic(archive_copy):
    first = build_corpus(archive_copy, workers=2, progress=None)
    before = {table: rows(archive_copy, table) for table in ("filings", "documents", "letters", "comments")}
    second = build_corpus(archive_copy, workers=1, progress=None, full=True)
    assert first.build_id != second.build_id
    assert (first.filings, first.documents, first.letters) == (157, 161, 157)
    assert first.comments == second.comments > 300
    for table, content in before.items():
        assert rows(archive_copy, table) == content, table
    assert len(list((archive_copy / ".builds").iterdir())) == 1  # the old build is gone


def test_parquet_layout_schema_and_compression(archive_copy):
    build_corpus(archive_copy, progress=None)
    files = sorted((archive_copy / "corpus" / "filings").glob("year=*/*.parquet"))
    assert [f.parent.name for f in files] == sorted({f"year={r['filing_date'][:4]}" for r in sample_rows()})
    meta = pq.ParquetFile(files[-1])
    assert meta.schema_arrow.metadata[b"corpus.schema_version"] == b"1"
    assert meta.metadata.row_group(0).column(0).compression == "ZSTD"
    con = connect(archive_copy)
    types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                             "WHERE table_name = 'filings'").fetchall())
    assert types["cik"] == "BIGINT" and types["file_numbers"] == "VARCHAR[]"
    assert types["acceptance_datetime"] == "TIMESTAMP" and types["filing_date"] == "DATE"


def test_letters_and_comments_tables(archive_copy):
    build_corpus(archive_copy, progress=None)
    con = connect(archive_copy)
    kinds = dict(con.execute("SELECT letter_kind, count(*) FROM letters GROUP BY 1").fetchall())
    assert set(kinds) <= set(LETTER_KINDS)
    assert sum(kinds.values()) == 157 and kinds["comment"] > 40 and kinds["response"] > 30
    # every letter row belongs to a filing, senders follow the form type
    assert con.execute("SELECT count(*) FROM letters l JOIN filings f USING (accession_number) "
                       "WHERE (f.form_type = 'UPLOAD') <> (l.sender = 'staff')").fetchone()[0] == 0
    # n_comments agrees with the comments table, numbers run 1..n in every letter
    assert con.execute("""
        SELECT count(*) FROM letters l LEFT JOIN (
            SELECT accession_number, count(*) AS n, max(comment_number) AS top FROM comments GROUP BY 1) c
        USING (accession_number) WHERE l.n_comments <> coalesce(c.n, 0) OR coalesce(c.top, 0) <> l.n_comments
    """).fetchone()[0] == 0
    # every letter names its company, as its filing does
    assert con.execute("SELECT count(*) FROM letters l JOIN filings f USING (accession_number) "
                       "WHERE l.company_name IS DISTINCT FROM f.company_name OR l.company_name IS NULL"
                       ).fetchone()[0] == 0
    block = con.execute("SELECT letter_date, file_numbers, staff_office, n_comments FROM letters "
                        "WHERE accession_number = '0000000000-23-006942'").fetchone()
    assert block == (date(2023, 6, 29), ["001-37622"], "Office of Technology", 1)
    types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                             "WHERE table_name = 'letters'").fetchall())
    assert types["letter_date"] == "DATE" and types["cc_law_firms"] == "VARCHAR[]"
    assert types["signers"] == "STRUCT(\"name\" VARCHAR, title VARCHAR)[]"


def test_conversations_tables(archive_copy):
    build_corpus(archive_copy, progress=None)
    con = connect(archive_copy)
    # every letter belongs to exactly one conversation, and every conversation has its letters
    assert con.execute("SELECT count(*) FROM letters WHERE conversation_id IS NULL").fetchone()[0] == 0
    mismatched = con.execute("""SELECT count(*) FROM conversations c WHERE n_letters <>
                                (SELECT count(*) FROM letters l WHERE l.conversation_id = c.conversation_id)""")
    assert mismatched.fetchone()[0] == 0
    assert con.execute("SELECT sum(n_letters) FROM conversations").fetchone()[0] == 157
    # ids derive from the first staff letter's accession
    assert con.execute("""SELECT count(*) FROM conversations c WHERE n_staff_letters > 0 AND conversation_id <> 'CL-' ||
                          (SELECT accession_number FROM letters l WHERE l.conversation_id = c.conversation_id
                           AND sender = 'staff' ORDER BY letter_date, filing_date, accession_number LIMIT 1)
                       """).fetchone()[0] == 0
    # a response points at a staff letter of the same conversation, dated before it
    assert con.execute("""SELECT count(*) FROM letters r JOIN letters s ON s.accession_number = r.responds_to
                          WHERE r.sender = 'company' AND (s.sender <> 'staff' OR s.conversation_id <> r.conversation_id
                          OR s.letter_date > r.letter_date)""").fetchone()[0] == 0
    # Apple's FY2023 10-K review, byte-exact EDGAR files: letter, response, completion; released 20 business days on
    apple = con.execute("""SELECT status, n_letters, n_rounds, days_to_first_response, days_to_close,
                                  release_lag_business_days, reference_accessions FROM conversations
                           WHERE conversation_id = 'CL-0000000000-24-003505'""").fetchone()
    assert apple == ("resolved", 3, 1, 27, 44, 20, ["0000320193-23-000106"])
    # the follow-up comments continue comments 1 and 2 of a March 6 letter the sample does not hold
    pairs = con.execute("""SELECT comment_number, response_accession, response_comment_number, match_method,
                                  continues_comment_number, continues_accession FROM comment_responses
                           WHERE staff_accession = '0000000000-24-003505' ORDER BY 1""").fetchall()
    assert pairs == [(1, "0000320193-24-000061", 1, "number", 1, None),
                     (2, "0000320193-24-000061", 2, "number", 2, None)]


def test_a_raw_file_that_is_not_what_was_archived_is_quarantined_and_the_rest_built(archive_copy):
    victim = sorted((archive_copy / "raw").glob("*/*.txt.gz"))[5]
    victim.write_bytes(gzip.compress(b"<html>Service Unavailable</html>"))  # not the bytes the ledger's sha256 says
    report = build_corpus(archive_copy, progress=None)
    assert report.filings == 156 and report.damaged == 1
    failures = rows(archive_copy, "failures")
    assert len(failures) == 1
    assert failures[0][0] == victim.name.removesuffix(".txt.gz")
    assert failures[0][3:5] == ("crawl", "dead")  # the next crawl fetches it again
    assert "checksum" in failures[0][5]


def test_sql_command_prints_results_and_refuses_bad_sql(full_crawl):
    ok = cli("sql", "--data-dir", str(full_crawl.data_dir), "--csv",
             "SELECT form_type, count(*) AS n FROM filings GROUP BY 1 ORDER BY 1")
    assert ok.returncode == 0
    assert ok.stdout.splitlines() == ["form_type,n", "CORRESP,70", "UPLOAD,87"]
    bad = cli("sql", "--data-dir", str(full_crawl.data_dir), "SELECT nope FROM filings")
    assert bad.returncode == 2 and "SQL error" in bad.stderr


def test_sql_without_a_corpus_says_how_to_build_one(tmp_path):
    proc = cli("sql", "--data-dir", str(tmp_path), "SELECT 1")
    assert proc.returncode == 4 and "edgar-corpus build" in proc.stderr


def test_catalog_of_another_schema_version_is_refused(archive_copy):
    build_corpus(archive_copy, progress=None)
    con = connect(archive_copy, read_only=False)
    con.execute("UPDATE corpus_info SET schema_version = 99")
    con.close()
    with pytest.raises(CatalogError, match="schema version 99"):
        connect(archive_copy)


def test_search_command_ranks_letters(full_crawl):
    proc = cli("search", "--data-dir", str(full_crawl.data_dir), "--limit", "3", "non-GAAP measures")
    assert proc.returncode == 0, proc.stderr
    hits = [line for line in proc.stdout.splitlines() if line[:3].strip().rstrip(".").isdigit()]
    assert len(hits) == 3
    assert all(" CL-" in hit for hit in hits)  # each hit names its conversation
    assert "gaap" in proc.stdout.lower()
    nothing = cli("search", "--data-dir", str(full_crawl.data_dir), "zzyzx")
    assert nothing.returncode == 0 and "no letter matched 'zzyzx'" in nothing.stdout
    bad = cli("search", "--data-dir", str(full_crawl.data_dir), "--limit", "0", "revenue")
    assert bad.returncode == 2 and "--limit" in bad.stderr


def test_catalog_macros_and_search_index(archive_copy):
    build_corpus(archive_copy, progress=None)
    con = connect(archive_copy)
    assert con.execute("SELECT count(*) FROM conversations_of(320193)").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM conversation_letters('CL-0000000000-24-003505')").fetchone()[0] == 3
    between = con.execute("SELECT count(*) FROM letters_between(DATE '2024-01-01', DATE '2024-12-31')").fetchone()[0]
    assert between == con.execute("SELECT count(*) FROM letters WHERE year(letter_date) = 2024").fetchone()[0]
    assert con.execute("SELECT count(DISTINCT staff_office) FROM comments_of_office('Technology')").fetchone()[0] >= 1
    assert con.execute("SELECT count(*) FROM search_meta").fetchone()[0] == 157
    assert con.execute("SELECT count(*) FROM search_letters('revenue', lim := 500)").fetchone()[0] > 20


def test_status_reports_archive_crawls_and_failures(full_crawl, tmp_path):
    ok = cli("status", "--data-dir", str(full_crawl.data_dir))
    assert ok.returncode == 0, ok.stderr
    assert "raw archive: 157 filings" in ok.stdout
    assert "outcome ok" in ok.stdout and "not archived: 0" in ok.stdout
    assert "listed for a crawl but never fetched: 0" in ok.stdout
    # a copy of the data dir where one filing was given up on, and one listed filing never reached
    data = tmp_path / "data"
    shutil.copytree(full_crawl.data_dir, data, ignore=shutil.ignore_patterns("corpus", ".builds", "corpus.duckdb"))
    con = sqlite3.connect(data / "ledger.sqlite")
    dead, gone = [r[0] for r in con.execute("SELECT accession_number FROM filings ORDER BY 1 LIMIT 2")]
    con.execute("UPDATE filings SET status = 'dead', reason = 'HTTP 503 after 4 retries' WHERE accession_number = ?",
                [dead])
    con.execute("DELETE FROM filings WHERE accession_number = ?", [gone])
    con.commit()
    con.close()
    report = cli("status", "--data-dir", str(data))
    assert report.returncode == 0, report.stderr
    assert "also dead 1" in report.stdout
    assert f"{dead}  dead  HTTP 503 after 4 retries" in report.stdout
    assert "never fetched: 1" in report.stdout and gone in report.stdout
    # the same filing is not a gap when no recorded crawl asked for its dates
    con = sqlite3.connect(data / "ledger.sqlite")
    con.execute("""UPDATE runs SET scope = '{"forms": "UPLOAD,CORRESP", "from": "2005-01-01", "to": "2005-01-31"}'""")
    con.commit()
    con.close()
    narrowed = cli("status", "--data-dir", str(data))
    assert "never fetched: 0" in narrowed.stdout, narrowed.stdout
    assert "outside the dates and companies crawled: 1" in narrowed.stdout
    missing = cli("status", "--data-dir", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "crawl into it first" in missing.stderr


def test_a_build_that_cannot_write_leaves_the_previous_corpus(archive_copy):
    """A build whose writes fail midway (the OS refuses files over 40 KB: RLIMIT_FSIZE, like a full disk)
    leaves the published corpus as it was, readable."""
    build_corpus(archive_copy, progress=None)
    before = rows(archive_copy, "letters")
    published = (archive_copy / "corpus").resolve()
    script = ("import resource, signal, sys\n"
              "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
              "resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))\n"
              "from corpus.build import build_corpus\n"
              f"build_corpus({str(archive_copy)!r}, workers=1, progress=None, full=True)\n")
    failed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert failed.returncode != 0 and ("File too large" in failed.stderr or "Errno 27" in failed.stderr)
    assert (archive_copy / "corpus").resolve() == published  # the link still points at the old build
    assert rows(archive_copy, "letters") == before
    again = build_corpus(archive_copy, progress=None)  # and the next build cleans up after the failed one
    assert again.letters == len(before)
    assert [p.name for p in (archive_copy / ".builds").iterdir()] == [again.build_id]


TABLES = ("filings", "documents", "letters", "comments", "conversations", "comment_responses", "failures")


def archive_until(full: Path, data: Path, cutoff: str) -> int:
    """`data` holds the raw archive and ledger rows of `full`'s filings filed up to `cutoff` (a crawl that far)."""
    data.mkdir(exist_ok=True)
    shutil.copy2(full / "ledger.sqlite", data / "ledger.sqlite")
    con = sqlite3.connect(data / "ledger.sqlite")
    con.execute("DELETE FROM filings WHERE index_date_filed > ?", [cutoff])
    con.commit()
    kept = con.execute("SELECT cik, accession_number FROM filings WHERE status = 'archived'").fetchall()
    con.close()
    for cik, accession in kept:
        target = data / "raw" / str(cik) / f"{accession}.txt.gz"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(full / "raw" / str(cik) / f"{accession}.txt.gz", target)
    return len(kept)


SEARCHES = (("letters", "non-GAAP measures", Filters()), ("letters", '"Item 303"', Filters(year=2023)),
            ("comments", "revenue OR goodwill", Filters()), ("comments", "segment*", Filters(forms=("10-K",))),
            ("answers", "we respectfully", Filters()), ("letters", "comment", Filters(kind="review_complete")))


def search_index_content(data_dir: Path) -> dict:
    """What the search indexes answer (hits, scores, snippets), and how many documents each holds."""
    build = (data_dir / "corpus").resolve()
    out: dict = {"docs": [open_index(index_path(build, scope)).searcher().num_docs for scope in SCOPES]}
    con = connect(data_dir)
    out["hits"] = [[(h["accession_number"], h["comment_number"], h["snippet"], h["conversation_id"])
                    for h in search(con, query, scope, filters, limit=50)] for scope, query, filters in SEARCHES]
    out["scores"] = [h["score"] for scope, query, filters in SEARCHES
                     for h in search(con, query, scope, filters, limit=50)]
    con.close()
    return out


def test_incremental_builds_give_the_rows_of_a_full_build(archive_copy, tmp_path):
    """Three crawls that each reach further, each followed by a build, give the same rows as one full build:
    no duplicates, no stale links; only new filings are normalized; each build adds files, compaction merges."""
    data = tmp_path / "nightly"
    sizes, links = [], []
    for cutoff in ("2021-06-30", "2024-03-31", "2099-12-31"):
        n = archive_until(archive_copy, data, cutoff)
        report = build_corpus(data, workers=1, progress=None)
        sizes.append((n, report.mode.split(" ")[0], report.normalized, report.filings, report.catalog))
        links.append(dict((r[0], r[1:]) for r in connect(data).execute(
            "SELECT conversation_id, n_letters, status FROM conversations").fetchall()))
    # reviews that a later build changed (letters filed after the cutoff joined them): the incremental
    # builds had to rewrite those rows, not only add new ones
    assert any(links[2][cid] != value for build in links[:2] for cid, value in build.items())
    assert sizes[0][1:] == ("full", sizes[0][0], sizes[0][0], "new")
    assert sizes[1][1:] == ("incremental", sizes[1][0] - sizes[0][0], sizes[1][0], "new")
    assert sizes[2][1:] == ("incremental", sizes[2][0] - sizes[1][0], sizes[2][0], "new")
    assert sizes[2][0] == 157
    incremental = {table: rows(data, table) for table in TABLES}
    index = search_index_content(data)
    files_before = len(list((data / "corpus").rglob("*.parquet")))

    build_corpus(archive_copy, workers=1, progress=None)  # the whole archive at once
    for table in TABLES:
        assert incremental[table] == rows(archive_copy, table), table
    # the search index, updated twice, holds what one built from scratch holds, and ranks alike
    full_index = search_index_content(archive_copy)
    assert index["docs"] == full_index["docs"]
    assert all(index["hits"]) and index["hits"] == full_index["hits"]
    assert index["scores"] == pytest.approx(full_index["scores"], rel=1e-6)
    assert files_before > len(list((archive_copy / "corpus").rglob("*.parquet")))  # small files were added

    again = build_corpus(data, workers=1, progress=None)  # nothing new: nothing written
    assert again.mode == "unchanged" and again.build_id == (data / "corpus").resolve().name
    compacted = cli("compact", "--data-dir", str(data))
    assert compacted.returncode == 0, compacted.stderr
    for table in TABLES:
        assert rows(data, table) == incremental[table], table
        directories = [p for p in (data / "corpus" / table).rglob("*") if p.is_dir()] or [data / "corpus" / table]
        assert all(len(list(d.glob("*.parquet"))) == 1 for d in directories), table  # one file per partition
    assert len(list((data / ".builds").iterdir())) == 1


def test_bad_build_and_compact_command_lines_are_refused(full_crawl, tmp_path):
    workers = cli("build", "--data-dir", str(full_crawl.data_dir), "--workers", "0")
    assert workers.returncode == 2 and "--workers 0: give 1 or more" in workers.stderr
    nothing = cli("compact", "--data-dir", str(tmp_path / "empty"))
    assert nothing.returncode == 2 and "no corpus to compact" in nothing.stderr
