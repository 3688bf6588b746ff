"""The corpus at scale: the mirror's rows repeated under new ids to N filings, then typical queries timed.

1. Archive and build the mirror (884 filings) in a temporary data dir (not timed).
2. Repeat its filings, letters, comments, conversations and comment_responses R times under new ids
   (the accession's first four digits and the CIK's high digits carry the copy number, so every key
   stays unique and every conversation stays whole), write them with the build's Parquet writer
   (hive-partitioned by year, zstd, sorted, row groups sized by bytes) and write the catalog's views.
3. Time, median of 5 runs each, on a fresh read-only connection: counts by year and form, one
   conversation's letters, numbered comments by staff office, and the text bytes of the letters.
Search at this scale has its own bench, bench/bench_search.py.

    python bench/bench_scale.py [--copies 680] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from corpus.build import build_corpus
from corpus.catalog import connect, write_catalog
from corpus.store import write_table

ROOT = Path(__file__).resolve().parents[1]
ACCESSIONS = ("accession_number", "responds_to", "staff_accession", "response_accession", "continues_accession")
SCALED = ("filings", "letters", "comments", "conversations", "comment_responses", "comment_topics", "citations")


def read_table(corpus: Path, name: str) -> pa.Table:
    return ds.dataset(corpus / name, format="parquet", partitioning="hive").to_table()


def copy_of(table: pa.Table, copy: int) -> pa.Table:
    """The table with every accession, conversation id and CIK moved to copy number `copy`."""
    tag = f"{copy:04d}"
    for name in ACCESSIONS:
        if name in table.column_names:
            table = table.set_column(table.column_names.index(name), name,
                                     pc.utf8_replace_slice(table[name], 0, 4, tag))
    if "conversation_id" in table.column_names:
        index = table.column_names.index("conversation_id")
        table = table.set_column(index, "conversation_id", pc.utf8_replace_slice(table["conversation_id"], 3, 7, tag))
    if "cik" in table.column_names:
        index = table.column_names.index("cik")
        table = table.set_column(index, "cik", pc.add(table["cik"], pa.scalar(copy * 10_000_000, pa.int64())))
    return table


def timed(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None, runs: int = 5) -> tuple[float, list]:
    times, result = [], []
    for _ in range(runs):
        started = time.perf_counter()
        result = con.execute(sql, params or []).fetchall()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 1), result


def timed_call(function, runs: int = 5) -> tuple[float, list]:
    times, result = [], []
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 1), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "edgar-mirror")
    parser.add_argument("--copies", type=int, default=680)
    parser.add_argument("--keep", type=Path, help="build the scaled corpus here and keep it")
    args = parser.parse_args()
    os.environ["EDGAR_TESSERACT"] = "off"
    from bench_build import archive_mirror  # the same archiving as the build bench

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "mirror"
        n = archive_mirror(args.mirror, source)
        build_corpus(source, progress=None)
        scaled = args.keep or Path(tmp) / "scaled"
        build = scaled / ".builds" / "scaled"
        started = time.perf_counter()
        for name in SCALED:
            base = read_table(source / "corpus", name)
            if "year" in base.column_names:
                base = base.set_column(base.column_names.index("year"), "year", pc.cast(base["year"], pa.int16()))
            table = pa.concat_tables(copy_of(base, copy) for copy in range(1, args.copies + 1))
            write_table(build, name, table)
            del table
        (scaled / "corpus").symlink_to(build.relative_to(scaled), target_is_directory=True)
        for name in ("documents", "failures"):  # the views need every table; these two stay small
            write_table(build, name, read_table(source / "corpus", name).slice(0, 0) if name == "documents" else
                        read_table(source / "corpus", name))
        write_catalog(scaled, build, "scaled")
        write_seconds = time.perf_counter() - started

        con = connect(scaled)
        filings = con.execute("SELECT count(*) FROM filings").fetchone()[0]
        conversation = con.execute("SELECT conversation_id FROM conversations WHERE n_letters >= 5 "
                                   "ORDER BY conversation_id LIMIT 1 OFFSET 1000").fetchone()[0]
        queries = {
            "counts by year and form": timed(con, "SELECT year, form_type, count(*) FROM filings GROUP BY ALL")[0],
            "one conversation's letters": timed(con, "SELECT * FROM conversation_letters(?)", [conversation])[0],
            "comments by staff office": timed(con, """SELECT l.staff_office, count(*) FROM comments c
                JOIN letters l USING (accession_number) WHERE c.sender = 'staff' GROUP BY 1""")[0],
        }
        text_bytes = con.execute("SELECT sum(strlen(text_clean)) FROM letters").fetchone()[0]
        letters_parquet = sum(p.stat().st_size for p in (scaled / "corpus" / "letters").rglob("*.parquet"))
        con.close()

    print(json.dumps({
        "source_filings": n, "copies": args.copies, "filings": filings,
        "write_seconds": round(write_seconds, 1), "query_ms_median_of_5": queries,
        "letters_text_bytes": text_bytes, "letters_parquet_bytes": letters_parquet,
        "letters_parquet_over_text": round(letters_parquet / text_bytes, 3),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
    }, indent=2))


if __name__ == "__main__":
    main()
