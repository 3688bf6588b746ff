"""The build stage: raw archive → normalized rows → conversations → Parquet corpus → DuckDB catalog. No network.

Filings are normalized in worker processes (pypdfium2 is not thread-safe, and the crawl's reactor must never
do this work), one filing at a time each, within a time and memory budget (corpus/workers.py). A filing that
cannot be parsed, or is over budget, becomes a `failures` row with the reason; the rest of the build goes on.
A raw file that cannot be read back (damaged on disk) is quarantined and its filing marked for the next crawl.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from corpus.archive import ARCHIVED, DAMAGED, LedgerRow, RawArchive
from corpus.catalog import (
    catalog_build_id,
    publish_catalog,
    remove_stale_catalog_files,
    stage_catalog,
    write_catalog,
)
from corpus.listings import company_listings, listing_digest
from corpus.schema import SCHEMA_VERSION
from corpus.search import SEARCHED_TABLES, build_index, index_all, index_fingerprint
from corpus.store import (
    carry_over,
    compact_table,
    drop_other_builds,
    link_file,
    new_build_dir,
    publish,
    published_build,
    read_file,
    read_manifest,
    read_rows,
    table_files,
    to_table,
    unreadable_files,
    write_manifest,
    write_table,
)
from corpus.tables import PARTITIONED, REGISTRY, produced_by
from corpus.workers import Budget, BudgetedPool
from pipelines.conversations import pair_conversations
from pipelines.indexes import ListedFiling
from pipelines.normalize import FilingSource, Rows, normalize_filing
from pipelines.ocr import tesseract_path
from pipelines.sgml import SubmissionError
from pipelines.topics import TAXONOMY_VERSION


@dataclass(frozen=True, slots=True)
class FilingError:
    """Why one filing gave no rows: unparseable bytes, or (damaged) bytes that are not what was archived."""

    reason: str
    damaged: bool = False


@dataclass(slots=True)
class BuildReport:
    build_id: str
    counts: dict[str, int]  # rows of each table of the registry, over the whole published corpus
    needs_ocr: int
    ocr: bool
    seconds: float
    mode: str = "full"  # full (and why), incremental, or unchanged
    normalized: int = 0  # filings read and normalized by this build
    catalog: str = "unchanged"  # new (written for this build), or repaired (written again for the published one)
    damaged: int = 0  # raw files found damaged and quarantined (their filings are fetched again by the next crawl)

    def __getattr__(self, name: str) -> int:  # report.letters: the rows of a table
        counts = object.__getattribute__(self, "counts")
        if name in counts:
            return counts[name]
        raise AttributeError(name)


def filing_source(row: LedgerRow) -> FilingSource:
    """What the parsers need to know of a ledger row, as plain values."""
    return FilingSource(row.accession_number, row.cik, row.url, row.fetched_at, row.sha256, row.n_bytes,
                        row.discovered_via)


def normalize_archived(archive: RawArchive, row: LedgerRow, tesseract: str | None) -> Rows | FilingError:
    """One archived filing to rows, or why not (a parser bug is left to raise: the pool reports it)."""
    try:
        raw = archive.read(row)
    except (*DAMAGED, ValueError) as exc:
        return FilingError(f"{type(exc).__name__}: {exc}", damaged=True)
    try:
        return normalize_filing(raw, filing_source(row), tesseract)
    except (SubmissionError, ValueError) as exc:
        return FilingError(f"{type(exc).__name__}: {exc}")


def _stderr_progress(done: int, total: int) -> None:
    if done == total or done % 100 == 0:
        print(f"  normalized {done}/{total} filings", file=sys.stderr, flush=True)


COMPACT_AT = 8  # a partition with this many files is merged into one: nightly builds add one file each
# Per filing, in its worker: ample for real letters (the slowest real ones OCR 30 pages in ~3 minutes), and
# what keeps one hostile filing from taking the machine (EDGAR_BUILD_FILING_SECONDS / _MEMORY_MB change it).
FILING_BUDGET = Budget(seconds=float(os.environ.get("EDGAR_BUILD_FILING_SECONDS", "300")),
                       memory_bytes=int(float(os.environ.get("EDGAR_BUILD_FILING_MEMORY_MB", "1024")) * 1024**2))


@dataclass(slots=True)
class Normalized:
    rows: Rows  # the normalize stage's tables, in the order of the filings
    failures: list[dict[str, Any]]  # stage "build": filings that could not be read
    damaged: list[tuple[LedgerRow, str]]  # raw files that could not be read back


def normalize_all(data_dir: Path, rows: list[LedgerRow], workers: int, tesseract: str | None,
                  progress: Callable[[int, int], None] | None, budget: Budget = FILING_BUDGET) -> Normalized:
    """Archived filings to rows, in worker processes; rows come out in the order of `rows`. Workers receive
    ledger rows (accession numbers and what the crawl recorded), and read the bytes from the archive."""
    archive = RawArchive(data_dir)  # opened before the fork: each worker reads through its own copy

    def work(row: LedgerRow) -> Rows | FilingError:
        return normalize_archived(archive, row, tesseract)

    out = Normalized({table.name: [] for table in produced_by("normalize")}, [], [])
    results: dict[int, Rows | FilingError] = {}
    pool: BudgetedPool[LedgerRow, Rows | FilingError] = BudgetedPool(work, workers, budget)
    for done, outcome in enumerate(pool.run(rows), start=1):
        results[outcome.index] = outcome.value if outcome.value is not None else FilingError(
            outcome.error or "no result")
        if progress:
            progress(done, len(rows))
    archive.close()
    for index, row in enumerate(rows):
        result = results[index]
        if isinstance(result, FilingError) and result.damaged:
            out.damaged.append((row, result.reason))
        elif isinstance(result, FilingError):
            out.failures.append({"accession_number": row.accession_number, "cik": row.cik,
                                 "form_type": row.form_type, "stage": "build", "status": "unparseable",
                                 "reason": result.reason, "url": row.url, "http_status": row.http_status})
        else:
            for name, table_rows in result.items():
                out.rows[name].extend(table_rows)
    return out


def pair(rows: Rows, listed: dict[int, list[ListedFiling]]) -> Rows:
    """The pair stage's tables from the normalize stage's, company by company (links, conversation ids and reviewed
    accessions are written into the letters rows). `listed`: the companies' filings the crawl's listings name."""
    return pair_conversations(rows["filings"], rows["letters"], rows["comments"], listed)


PARSING_CODE = (Path(__file__).resolve().parents[1] / "pipelines", Path(__file__).resolve().parents[1] / "edgar_corpus"
                / "edgar.py")


def parser_fingerprint() -> str:
    """Changes whenever the parsing code (pipelines/, the EDGAR primitives) or the schema does, so rows of two
    parser versions are never mixed. Orchestration (this module, the store, the catalog) is not in it: editing
    it keeps incremental builds."""
    digest = hashlib.sha256(str(SCHEMA_VERSION).encode())
    directory, primitives = PARSING_CODE
    for path in [*sorted(directory.glob("*.py")), primitives]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def processed_accessions(build_dir: Path) -> set[str]:
    """Filings a build has normalized: its filings rows and the filings it could not read."""
    done = {a for path in table_files(build_dir, "filings")
            for a in pq.read_table(path, columns=["accession_number"])["accession_number"].to_pylist()}
    failures = read_rows(build_dir, "failures")
    return done | {row["accession_number"] for row in failures.to_pylist() if row["stage"] == "build"}


def why_not_incremental(previous: Path | None, archived: set[str]) -> str | None:
    """None when a build can add to `previous`; otherwise why it must start from the raw archive."""
    if previous is None:
        return "no corpus yet"
    manifest = read_manifest(previous)
    if manifest.get("schema_version") != SCHEMA_VERSION:
        return f"the corpus has schema version {manifest.get('schema_version')}, this tool writes {SCHEMA_VERSION}"
    if manifest.get("parser") != parser_fingerprint():
        return "the normalizing code changed since the corpus was built"
    if damaged := unreadable_files(previous):
        path, why = damaged[0]
        return f"{len(damaged)} corpus files cannot be read ({path.relative_to(previous)}: {why})"
    if not processed_accessions(previous) <= archived:
        return "filings the corpus holds are no longer in the raw archive"
    return None


def crawl_failure_rows(archive: RawArchive) -> list[dict[str, Any]]:
    return [{"accession_number": r.accession_number, "cik": r.cik, "form_type": r.form_type, "stage": "crawl",
             "status": r.status, "reason": r.reason, "url": r.url, "http_status": r.http_status}
            for r in archive.rows() if r.status != ARCHIVED]


def new_build_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


def build_corpus(
    data_dir: Path | str,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = _stderr_progress,
    full: bool = False,
) -> BuildReport:
    """Normalize, pair and publish the corpus. Adds to the published corpus when it can (only filings it
    has not normalized yet are read; companies with new letters are paired again); rebuilds from the raw
    archive when asked (`full`), or when the corpus is missing, damaged or was built by another version."""
    started = time.monotonic()
    data_dir = Path(data_dir)
    remove_stale_catalog_files(data_dir)
    archive = RawArchive(data_dir)
    archive.recover()
    tesseract = tesseract_path()
    archived_rows = archive.rows(ARCHIVED)
    archive.close()
    workers = workers or os.cpu_count() or 1
    previous = published_build(data_dir)
    archived = {row.accession_number for row in archived_rows}
    reason = "asked for a full build" if full else why_not_incremental(previous, archived)
    build_id = new_build_id()
    incremental = reason is None and previous is not None

    done = processed_accessions(previous) if incremental else set()
    todo = [row for row in archived_rows if row.accession_number not in done]
    new = normalize_all(data_dir, todo, workers, tesseract, progress)
    archive = _note_damaged(data_dir, new)
    kept = [row for row in read_rows(previous, "failures").to_pylist()
            if row["stage"] == "build" and row["accession_number"] in archived] if incremental else []
    failures = crawl_failure_rows(archive) + kept + new.failures
    archive.close()

    # the companies' listed filings: which filings their letters reviewed, when registrations became effective
    letter_ciks = {row.cik for row in archived_rows}
    listed = company_listings(data_dir, letter_ciks)
    digests = {str(cik): listing_digest(rows) for cik, rows in listed.items()}
    if incremental:
        assert previous is not None
        before = read_manifest(previous).get("listing_digests", {})
        relisted = {int(cik) for cik, digest in digests.items() if before.get(cik) != digest}
        # an index made by other search code (or none, from before search had one) is made again, from the rows
        reindex = read_manifest(previous).get("search_index") != index_fingerprint()
        if (not new.rows["filings"] and not relisted and not reindex
                and to_table("failures", failures).equals(read_rows(previous, "failures"))):
            return _unchanged(data_dir, previous, len(todo), len(new.damaged), tesseract, started)
        build_dir = new_build_dir(data_dir, build_id)
        _add_to_build(previous, build_dir, new, failures, listed, relisted, index=not reindex)
        if reindex:
            index_all(build_dir, _rows_by_year(build_dir, SEARCHED_TABLES))
        mode = "incremental"
    else:
        build_dir = new_build_dir(data_dir, build_id)
        tables = {**new.rows, **pair(new.rows, listed), "failures": failures}
        file_name = f"part-{build_id}.parquet"
        with ThreadPoolExecutor(max_workers=workers) as writers:  # pyarrow compresses and writes without the GIL
            list(writers.map(lambda table: write_table(build_dir, table.name, to_table(table.name, tables[table.name]),
                                                       file_name if table.partitioned else "part-0.parquet"),
                             REGISTRY))
        build_index(build_dir, tables)
        mode = f"full ({reason})"
    for name in PARTITIONED:
        compact_table(build_dir, name, min_files=COMPACT_AT)
    write_manifest(build_dir, {"schema_version": SCHEMA_VERSION, "parser": parser_fingerprint(),
                               "build_id": build_id, "content_id": build_id, "mode": mode.split(" ")[0],
                               "previous": previous.name if previous else None, "normalized": len(todo),
                               "taxonomy_version": TAXONOMY_VERSION, "listing_digests": digests,
                               "search_index": index_fingerprint()})
    # The catalog is written before anything is published, then both are put in place one after the other;
    # a crash between the two leaves a catalog stamped with another build id, which the next build repairs
    staged = stage_catalog(data_dir, build_dir, build_id)
    publish(data_dir, build_dir)
    publish_catalog(data_dir, staged)
    report = _report(build_dir, mode, len(todo), tesseract, started)
    report.catalog = "new"
    report.damaged = len(new.damaged)
    return report


def _unchanged(data_dir: Path, previous: Path, normalized: int, damaged: int, tesseract: str | None,
               started: float) -> BuildReport:
    """Nothing new: the published corpus stays; a catalog that does not match it is written again."""
    drop_other_builds(data_dir, previous)
    report = _report(previous, "unchanged", normalized, tesseract, started)
    content_id = read_manifest(previous).get("content_id", previous.name)
    if catalog_build_id(data_dir) != content_id:  # a build interrupted between corpus and catalog
        write_catalog(data_dir, previous, content_id)
        report.catalog = "repaired"
    report.damaged = damaged
    return report


def _note_damaged(data_dir: Path, new: Normalized) -> RawArchive:
    """Quarantine the raw files found damaged and mark their filings for the next crawl; the archive, reopened."""
    archive = RawArchive(data_dir)
    for row, reason in new.damaged:
        print(f"  {row.accession_number}: {reason}; quarantined, the next crawl fetches it again", file=sys.stderr)
        archive.mark_damaged(row, reason)
    return archive


def report_line(report: BuildReport, data_dir: Path) -> str:
    """What a build prints: how it went, and the rows of every table."""
    counts = ", ".join(f"{report.counts[table.name]} {table.name.replace('_', ' ')}" for table in REGISTRY)
    line = (f"build {report.build_id} ({report.mode}, {report.normalized} filings normalized, catalog "
            f"{report.catalog}): {counts} in {report.seconds:.1f}s -> {Path(data_dir) / 'corpus'}, "
            f"{Path(data_dir) / 'corpus.duckdb'}")
    if report.damaged:
        line += f"\n  {report.damaged} damaged raw files quarantined; run the crawl again to fetch them"
    if report.needs_ocr:
        advice = ("OCR failed on them" if report.ocr
                  else "install tesseract (e.g. apt-get install tesseract-ocr) and rebuild")
        line += f"\n  {report.needs_ocr} scanned documents have no text ({advice}); see documents.needs_ocr"
    return line


def _add_to_build(previous: Path, build_dir: Path, new: Normalized, failures: list[dict[str, Any]],
                  listed: dict[int, list[ListedFiling]], relisted: set[int], index: bool = True) -> None:
    """An incremental build: the previous build's files, plus the new filings' rows, with the companies that
    have new letters (or new listed filings) paired again over all their letters. Only rows that changed are
    rewritten; the search index is the previous one with these companies' changed documents (unless `index` is
    false: the caller indexes the whole build)."""
    file_name = f"part-{build_dir.name}.parquet"
    added = {name: to_table(name, rows) for name, rows in new.rows.items()}
    # Pairing works company by company: these companies' rows, old and new (both read through the schema, so
    # old and new rows have the same Python types), are paired again.
    ciks = {row["cik"] for row in new.rows["letters"]} | relisted
    inputs: Rows = {}
    old: dict[str, pa.Table] = {}
    for name in new.rows:
        old[name] = read_rows(previous, name, ciks)
        inputs[name] = old[name].to_pylist() + added[name].to_pylist()
    derived = {**inputs, **pair(inputs, listed)}
    for table in REGISTRY:
        if table.update == "append":
            carry_over(previous, build_dir, table.name, table.row_key, set(), added[table.name], file_name)
        elif table.update == "regroup":
            before = old[table.name] if table.name in old else read_rows(previous, table.name, ciks)
            _replace_changed(previous, build_dir, table.name, table.row_key, before,
                             to_table(table.name, derived[table.name]), file_name)
        else:
            write_table(build_dir, table.name, to_table(table.name, failures))
    if index:  # the search index: these companies' documents as they were, and as they are now
        build_index(build_dir, {name: derived[name] for name in SEARCHED_TABLES}, previous,
                    replaced={name: old[name].to_pylist() for name in SEARCHED_TABLES})


def _rows_by_year(build_dir: Path, names: tuple[str, ...]) -> Iterator[Rows]:
    """The tables' rows one year partition at a time (a filing's rows of every table share its year)."""
    years = sorted({path.parent.name for name in names for path in table_files(build_dir, name)})
    for year in years:
        yield {name: [row for path in table_files(build_dir, name) if path.parent.name == year
                      for row in read_file(path, name).to_pylist()] for name in names}


def _replace_changed(previous: Path, build_dir: Path, name: str, key: str, old: pa.Table, new: pa.Table,
                     file_name: str) -> None:
    """Carry `name` over, replacing the groups of rows (by `key`) that differ between `old` and `new`."""
    def groups(table: pa.Table) -> dict[Any, list[dict[str, Any]]]:
        grouped: dict[Any, list[dict[str, Any]]] = {}
        for row in table.to_pylist():
            grouped.setdefault(row[key], []).append(row)
        return grouped

    before, after = groups(old), groups(new)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    replacement = new.filter(pc.is_in(new[key], pa.array(sorted(changed & after.keys()), new.schema.field(key).type)))
    carry_over(previous, build_dir, name, key, changed, replacement, file_name)


def _report(build_dir: Path, mode: str, normalized: int, tesseract: str | None, started: float) -> BuildReport:
    """Counts over the whole published corpus, from the Parquet footers."""
    counts = {table.name: sum(pq.ParquetFile(path).metadata.num_rows for path in table_files(build_dir, table.name))
              for table in REGISTRY}
    needs_ocr = sum(pc.sum(pq.read_table(path, columns=["needs_ocr"])["needs_ocr"]).as_py() or 0
                    for path in table_files(build_dir, "documents"))
    return BuildReport(build_dir.name, counts, needs_ocr, tesseract is not None, time.monotonic() - started, mode,
                       normalized)


def compact_corpus(data_dir: Path | str) -> tuple[str, int]:
    """Merge every partition that has more than one file into one sorted file, as a new build published
    atomically. Rows do not change, so the catalog (views through `corpus/`, the search table) stays valid."""
    data_dir = Path(data_dir)
    previous = published_build(data_dir)
    if previous is None:
        raise FileNotFoundError(f"{data_dir} has no corpus to compact: run `edgar-corpus build` first")
    build_id = new_build_id()
    build_dir = new_build_dir(data_dir, build_id)
    for path in previous.rglob("*"):  # the Parquet files and the search index's segments
        if path.is_file() and path.name != "_build.json" and not path.name.startswith(".tantivy-"):
            link_file(path, build_dir / path.relative_to(previous))
    merged = sum(compact_table(build_dir, name, min_files=2) for name in PARTITIONED)
    manifest = read_manifest(previous)  # same rows: the content id, which the catalog is stamped with, stays
    write_manifest(build_dir, {**manifest, "build_id": build_id, "content_id": manifest.get("content_id",
                                                                                              previous.name),
                               "mode": "compacted", "previous": previous.name})
    publish(data_dir, build_dir)
    return build_id, merged
