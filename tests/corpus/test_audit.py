"""`edgar-corpus audit`: consistency checks over a built corpus (corpus/audit.py).

The bundled sample's audit is compared with what a reader found behind each flag (tests/data/edgar/AUDIT.tsv):
a new flag, or an explained one that no longer fires, fails the test until the file says why.
"""

from __future__ import annotations

import csv
import json

import duckdb
import pytest

from corpus.audit import CHECKS, run_audit
from corpus.tables import PARTITIONED
from tests.conftest import SAMPLE, cli


def explained() -> set[tuple[str, str, str]]:
    with (SAMPLE / "AUDIT.tsv").open(newline="") as f:
        return {(r["check"], r["accession_number"], r["comment_number"]) for r in csv.DictReader(f, delimiter="\t")}


def audit_json(data_dir) -> list[dict]:
    done = cli("audit", "--data-dir", str(data_dir), "--format", "json")
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_every_flag_of_the_sample_is_explained(full_crawl) -> None:
    results = audit_json(full_crawl.data_dir)
    assert [r["check"] for r in results] == [c.key for c in CHECKS]
    flagged = {(r["check"], row["accession_number"], str(row["comment_number"] or ""))
               for r in results for row in r["rows"]}
    assert flagged - explained() == set(), "new flags: read the letters, fix the parser or explain them"
    assert explained() - flagged == set(), "explained flags that no longer fire: take them out of AUDIT.tsv"


def test_counts_rates_and_rows_agree(full_crawl) -> None:
    for result in audit_json(full_crawl.data_dir):
        assert result["flagged"] == len(result["rows"])
        assert 0 <= result["flagged"] <= result["looked_at"]
        assert result["rate"] == pytest.approx(result["flagged"] / result["looked_at"] if result["looked_at"] else 0,
                                               abs=1e-4)


def test_table_output_names_each_check_with_its_examples(full_crawl) -> None:
    done = cli("audit", "--data-dir", str(full_crawl.data_dir), "--examples", "1")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines if not line.startswith(" ")][:len(CHECKS)] == [c.key for c in CHECKS]
    assert "0001193125-24-284257" not in done.stdout  # the 4th mismatch: one example per check
    assert "0000950103-22-016715: answers 0 comments; 0000000000-22-010286 asked 3" in done.stdout
    assert lines[-1].startswith("5 flags in 2 of 12 checks")


def test_no_corpus_and_bad_arguments_are_refused(tmp_path) -> None:
    done = cli("audit", "--data-dir", str(tmp_path))
    assert done.returncode == 4 and "build" in done.stderr
    done = cli("audit", "--data-dir", str(tmp_path), "--examples", "-1")
    assert done.returncode == 2 and "--examples" in done.stderr


@pytest.fixture
def sample_tables(full_crawl):
    """The sample corpus's tables copied into an in-memory DuckDB database, to plant errors in."""
    corpus = (full_crawl.data_dir / "corpus").resolve()
    con = duckdb.connect()
    for name in ("letters", "comments", "comment_responses", "conversations"):
        files = corpus / name / ("*/*.parquet" if name in PARTITIONED else "*.parquet")
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet('{files}', union_by_name = true, "
                    f"hive_partitioning = {name in PARTITIONED})")
    return con


def flags(con, key: str) -> set:
    (result,) = [r for r in run_audit(con, examples=None) if r.key == key]
    return {(e["accession_number"], e["comment_number"]) for e in result.examples}


def test_a_planted_duplicate_comment_number_is_flagged(sample_tables) -> None:
    con = sample_tables
    accession, number = con.execute("SELECT accession_number, comment_number FROM comments LIMIT 1").fetchone()
    assert (accession, number) not in flags(con, "duplicate_comment_numbers")
    con.execute("INSERT INTO comments SELECT * FROM comments WHERE accession_number = ? AND comment_number = ?",
                [accession, number])
    assert (accession, number) in flags(con, "duplicate_comment_numbers")


def test_a_planted_response_dated_before_its_letter_is_flagged(sample_tables) -> None:
    con = sample_tables
    (accession,) = con.execute("SELECT accession_number FROM letters WHERE sender = 'company' AND responds_to "
                               "IS NOT NULL ORDER BY accession_number LIMIT 1").fetchone()
    assert flags(con, "response_before_letter") == set()
    con.execute("UPDATE letters SET letter_date = DATE '2001-01-01' WHERE accession_number = ?", [accession])
    assert (accession, None) in flags(con, "response_before_letter")


def test_a_planted_page_number_heading_is_flagged(sample_tables) -> None:
    con = sample_tables
    accession, number = con.execute("SELECT accession_number, comment_number FROM comments WHERE heading IS NOT "
                                    "NULL LIMIT 1").fetchone()
    con.execute("UPDATE comments SET heading = 'page 37' WHERE accession_number = ? AND comment_number = ?",
                [accession, number])
    assert flags(con, "heading_is_page_number") == {(accession, number)}


def test_an_extension_request_taken_for_a_response_is_flagged(sample_tables) -> None:
    con = sample_tables
    (accession,) = con.execute("SELECT accession_number FROM letters WHERE letter_kind = 'extension_request' "
                               "ORDER BY accession_number LIMIT 1").fetchone()
    con.execute("UPDATE letters SET letter_kind = 'response' WHERE accession_number = ?", [accession])
    assert (accession, None) in flags(con, "response_asks_more_time")
