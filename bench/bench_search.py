"""Search engines on the same scaled corpus and queries: tantivy (what `corpus/search.py` uses), SQLite FTS5 and
DuckDB's fts.

1. Archive and build the mirror (884 filings) in a temporary directory (not timed).
2. Its search documents (`search_docs`: letters, staff comments, company answers) are repeated --copies times
   under new ids (the accession's first four digits carry the copy number, the CIK's high digits too), which
   gives 601,120 letters at the default 680 copies.
3. Each engine indexes them (time and size): tantivy all three scopes through `add_documents`, the build's own
   path; FTS5 (unicode61 tokenizer, porter stemmer: words and digits, the same splitting as ours) letters and
   comments; DuckDB fts (porter stemmer, no stopwords) letters only, since it has no positions and no phrases.
4. Queries are timed warm, median of --runs: tantivy through `search_build` (parse, open the index, rank,
   fetch the hits, snippets: what the CLI and the SQL macro do, without DuckDB) and through the catalog's
   `search()` (the SQL macro); FTS5 with `MATCH ... ORDER BY rank LIMIT 10` and its `snippet()`; DuckDB with
   `match_bm25` (term queries). Hit counts are compared between tantivy and FTS5 (both should find the same
   documents for a phrase).
5. A nightly update: --nightly new letters (another copy of the first ones, with their comments and answers)
   added to a copy of the index, as an incremental build does (hard links, then add).

    python bench/bench_search.py [--copies 680] [--runs 5] [--engines tantivy,fts5,duckdb] [--keep DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pyarrow.dataset as ds

from corpus.build import build_corpus
from corpus.search import (
    SCOPES,
    Filters,
    SearchDoc,
    add_documents,
    index_path,
    link_index,
    open_index,
    parse_query,
    search_build,
    search_docs,
    to_tantivy,
)

ROOT = Path(__file__).resolve().parents[1]

# (name, kind, our query, FTS5 query, DuckDB fts terms or None, scope)
QUERIES = [
    ("revenue", "term", "revenue", "revenue", "revenue", "letters"),
    ("cybersecurity", "term", "cybersecurity", "cybersecurity", "cybersecurity", "letters"),
    ("goodwill impairment", "term", "goodwill impairment", "goodwill impairment", "goodwill impairment", "letters"),
    ("606", "term", "606", "606", "606", "letters"),
    ('"non-GAAP financial measures"', "phrase", '"non-GAAP financial measures"', '"non gaap financial measures"',
     None, "letters"),
    ("Item 303", "phrase", "Item 303", '"item 303"', None, "letters"),
    ("606-10-25-19", "phrase", "606-10-25-19", '"606 10 25 19"', None, "letters"),
    ('"critical accounting estimates"', "phrase", '"critical accounting estimates"',
     '"critical accounting estimates"', None, "letters"),
    ("non-GAAP OR EBITDA", "boolean", "non-GAAP OR EBITDA", '"non gaap" OR ebitda', None, "letters"),
    ("revenue -606", "boolean", "revenue -606", "revenue NOT 606", None, "letters"),
    ("Item 303 (comments)", "comment", "Item 303", '"item 303"', None, "comments"),
    ('"pro forma" (comments)', "comment", '"pro forma"', '"pro forma"', None, "comments"),
    ("segment* (comments)", "comment", "segment*", "segment*", None, "comments"),
    ("revenue, year 2023 (comments)", "comment", "revenue", "revenue", None, "comments"),
]


def scaled_docs(base: list[SearchDoc], copies: range) -> Iterator[SearchDoc]:
    for copy in copies:
        tag = f"{copy:04d}"
        for doc in base:
            yield dataclasses.replace(doc, accession_number=tag + doc.accession_number[4:],
                                      cik=(doc.cik or 0) + copy * 10_000_000)


def median_ms(function: Callable[[], object], runs: int) -> tuple[float, object]:
    function()  # warm
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 1), result


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def base_documents(mirror: Path, tmp: Path) -> dict[str, list[SearchDoc]]:
    os.environ["EDGAR_TESSERACT"] = "off"
    from bench_build import archive_mirror  # the same archiving as the build bench

    source = tmp / "mirror"
    archive_mirror(mirror, source)
    build_corpus(source, progress=None)
    corpus = (source / "corpus").resolve()
    rows = {name: ds.dataset(corpus / name, format="parquet", partitioning="hive").to_table().to_pylist()
            for name in ("filings", "letters", "comments", "comment_topics")}
    return search_docs(rows)


def bench_tantivy(base: dict[str, list[SearchDoc]], work: Path, copies: int, nightly: int, runs: int) -> dict:
    build = work / "tantivy" / "build-1"
    out: dict = {"index_seconds": {}, "index_bytes": {}}
    for scope in SCOPES:
        started = time.perf_counter()
        add_documents(index_path(build, scope), scaled_docs(base[scope], range(1, copies + 1)), create=True)
        out["index_seconds"][scope] = round(time.perf_counter() - started, 1)
        out["index_bytes"][scope] = size(index_path(build, scope))
    # nightly: a copy of the index (hard links) plus the next copy's first --nightly letters and their comments
    new = {doc.accession_number for doc in base["letters"][:nightly]}
    later = build.with_name("build-2")
    started = time.perf_counter()
    for scope in SCOPES:
        link_index(index_path(build, scope), index_path(later, scope))
        add_documents(index_path(later, scope), scaled_docs([d for d in base[scope] if d.accession_number in new],
                                                            range(copies + 1, copies + 2)), create=False)
    out["nightly_seconds"] = round(time.perf_counter() - started, 2)
    out["nightly_new_letters"] = len(new)
    out["nightly_new_bytes"] = size(later) - sum(p.stat().st_size for p in later.rglob("*")
                                                 if p.is_file() and p.stat().st_nlink > 1)
    out["queries_ms"], out["hits"], out["matching_docs"] = {}, {}, {}
    for name, _kind, query, _fts5, _duck, scope in QUERIES:
        filters = Filters(year=2023) if "year 2023" in name else None
        ms, hits = median_ms(lambda q=query, s=scope, f=filters: search_build(build, q, s, f, 10), runs)
        out["queries_ms"][name] = ms
        out["hits"][name] = len(hits)
        if filters is None:  # every matching document, to compare with FTS5's
            index = open_index(index_path(build, scope))
            out["matching_docs"][name] = index.searcher().search(to_tantivy(index, parse_query(query)), 1,
                                                                 count=True).count
    return out


def bench_fts5(base: dict[str, list[SearchDoc]], work: Path, copies: int, runs: int) -> dict:
    path = work / "fts5.sqlite"
    con = sqlite3.connect(path)
    out: dict = {"index_seconds": {}}
    for scope in ("letters", "comments"):
        con.execute(f"CREATE VIRTUAL TABLE {scope} USING fts5(key UNINDEXED, year UNINDEXED, text, "
                    "tokenize = 'porter unicode61 remove_diacritics 0')")
        started = time.perf_counter()
        con.executemany(f"INSERT INTO {scope} VALUES (?, ?, ?)",
                        ((f"{d.accession_number}#{d.comment_number or 0}", d.letter_date.year if d.letter_date else 0,
                          d.text) for d in scaled_docs(base[scope], range(1, copies + 1))))
        con.execute(f"INSERT INTO {scope}({scope}) VALUES ('optimize')")
        con.commit()
        out["index_seconds"][scope] = round(time.perf_counter() - started, 1)
    out["db_bytes"] = size(path)
    out["queries_ms"], out["matching_docs"] = {}, {}
    for name, _kind, _ours, query, _duck, scope in QUERIES:
        where = " AND year = 2023" if "year 2023" in name else ""
        sql = (f"SELECT key, snippet({scope}, 2, '**', '**', '…', 24) FROM {scope} WHERE {scope} MATCH ?{where} "
               "ORDER BY rank LIMIT 10")
        ms, _rows = median_ms(lambda s=sql, q=query: con.execute(s, [q]).fetchall(), runs)
        out["queries_ms"][name] = ms
        if not where:
            out["matching_docs"][name] = con.execute(f"SELECT count(*) FROM {scope} WHERE {scope} MATCH ?",
                                                     [query]).fetchone()[0]
    con.close()
    return out


def bench_duckdb_fts(base: dict[str, list[SearchDoc]], work: Path, copies: int, runs: int) -> dict:
    import duckdb_extension_fts  # the bench extra: pip install -e '.[bench]'

    extension = (Path(duckdb_extension_fts.__file__).parent / "extensions" / f"v{duckdb.__version__}"
                 / "fts.duckdb_extension")
    path = work / "fts.duckdb"
    con = duckdb.connect(str(path))
    con.execute("SET autoinstall_known_extensions = false")
    con.load_extension(str(extension))
    con.execute("CREATE TABLE letters (key VARCHAR, text VARCHAR)")
    batch: list[tuple[str, str]] = []
    for doc in scaled_docs(base["letters"], range(1, copies + 1)):
        batch.append((doc.accession_number, doc.text))
        if len(batch) == 20_000:
            con.executemany("INSERT INTO letters VALUES (?, ?)", batch)
            batch = []
    con.executemany("INSERT INTO letters VALUES (?, ?)", batch) if batch else None
    started = time.perf_counter()
    con.execute("PRAGMA create_fts_index('letters', 'key', 'text', stemmer = 'porter', stopwords = 'none')")
    out: dict = {"index_seconds": {"letters": round(time.perf_counter() - started, 1)}}
    con.execute("CHECKPOINT")
    out["db_bytes"] = size(path)
    out["queries_ms"] = {}
    sql = """SELECT key, score FROM (SELECT key, fts_main_letters.match_bm25(key, ?, conjunctive := 1) AS score
             FROM letters) WHERE score IS NOT NULL ORDER BY score DESC LIMIT 10"""
    for name, _kind, _ours, _fts5, terms, _scope in QUERIES:
        if terms is None:
            continue
        out["queries_ms"][name], _rows = median_ms(lambda t=terms: con.execute(sql, [t]).fetchall(), runs)
    con.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "edgar-mirror")
    parser.add_argument("--copies", type=int, default=680)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--nightly", type=int, default=50, help="new letters of the nightly update")
    parser.add_argument("--engines", default="tantivy,fts5,duckdb")
    parser.add_argument("--keep", type=Path, help="work here and keep the indexes")
    args = parser.parse_args()
    engines = args.engines.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        base = base_documents(args.mirror, Path(tmp))
        report: dict = {"copies": args.copies, "documents": {s: len(base[s]) * args.copies for s in SCOPES},
                        "letter_text_bytes": sum(len(d.text.encode()) for d in base["letters"]) * args.copies}
        if "tantivy" in engines:
            report["tantivy"] = bench_tantivy(base, work, args.copies, args.nightly, args.runs)
        if "fts5" in engines:
            report["fts5"] = bench_fts5(base, work, args.copies, args.runs)
        if "duckdb" in engines:
            report["duckdb_fts"] = bench_duckdb_fts(base, work, args.copies, args.runs)
        report["machine"] = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
        print(json.dumps(report, indent=2))
        if args.keep is None:
            shutil.rmtree(work / "tantivy", ignore_errors=True)


if __name__ == "__main__":
    main()
