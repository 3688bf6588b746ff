"""The build stage: raw archive → normalized rows → conversations → Parquet corpus → DuckDB catalog. No network.

Filings are normalized in worker processes (pypdfium2 is not thread-safe, and the crawl's reactor
must never do this work). A filing that cannot be parsed becomes a `failures` row with the reason;
the rest of the build goes on.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import signal
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from corpus.archive import ARCHIVED, LedgerRow, RawArchive, read_raw
from corpus.catalog import catalog_path, write_catalog
from corpus.schema import PARTITIONED, SCHEMA_VERSION
from corpus.store import (
    carry_over,
    compact_table,
    drop_other_builds,
    link_file,
    new_build_dir,
    publish,
    published_build,
    read_manifest,
    read_rows,
    table_files,
    to_table,
    write_manifest,
    write_table,
)
from pipelines.conversations import comment_response_rows, conversation_row, letter_nodes, pair_letters
from pipelines.normalize import FilingRows, normalize_filing
from pipelines.ocr import tesseract_path
from pipelines.sgml import SubmissionError

Result = tuple[str, FilingRows | None, str | None]


@dataclass(slots=True)
class BuildReport:
    build_id: str
    filings: int
    documents: int
    letters: int
    comments: int
    conversations: int
    failures: int
    needs_ocr: int
    ocr: bool
    seconds: float
    mode: str = "full"  # full (and why), incremental, or unchanged
    normalized: int = 0  # filings read and normalized by this build
    catalog: str = "unchanged"  # new (search index built over all letters) or updated (new letters added)


def _normalize_one(task: tuple[LedgerRow, str, str | None]) -> Result:
    """Worker: one archived filing to rows, or to the reason it cannot be read."""
    ledger, path, tesseract = task
    try:
        raw = read_raw(path)
        return ledger.accession_number, normalize_filing(raw, ledger, tesseract), None
    except (SubmissionError, OSError, EOFError, ValueError) as exc:
        return ledger.accession_number, None, f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # a parser bug on one filing must not stop the build of all the others
        return ledger.accession_number, None, f"unexpected {type(exc).__name__}: {exc}"


def pair_conversations(filings: list[dict[str, Any]], letters: list[dict[str, Any]], comments: list[dict[str, Any]]
                       ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Links and conversation ids written into the letters rows; conversations and comment_responses rows."""
    by_accession = {row["accession_number"]: row for row in filings}
    nodes = letter_nodes(letters, by_accession)
    conversations = pair_letters(nodes)
    letter_by_accession = {row["accession_number"]: row for row in letters}
    for node in nodes:
        letter_by_accession[node.accession].update(
            conversation_id=node.conversation_id, responds_to=node.responds_to, link_method=node.link_method,
            link_confidence=node.link_confidence)
    rows = [conversation_row(c, letter_by_accession, by_accession) for c in conversations]
    return rows, comment_response_rows(conversations, comments)


def _die_with_parent() -> None:
    """Worker initializer: on Linux, have the kernel kill this worker when the build process dies. Otherwise a
    kill -9 of a build leaves its workers running, holding the data dir's lock that they inherited."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG


def _stderr_progress(done: int, total: int) -> None:
    if done == total or done % 100 == 0:
        print(f"  normalized {done}/{total} filings", file=sys.stderr, flush=True)


COMPACT_AT = 8  # a partition with this many files is merged into one: nightly builds add one file each


@dataclass(slots=True)
class Normalized:
    filings: list[dict[str, Any]]
    documents: list[dict[str, Any]]
    letters: list[dict[str, Any]]
    comments: list[dict[str, Any]]
    failures: list[dict[str, Any]]  # stage "build": filings that could not be read


def normalize_all(tasks: list[tuple[LedgerRow, str, str | None]], workers: int,
                  progress: Callable[[int, int], None] | None) -> Normalized:
    """Archived filings to rows, in worker processes, in the order of `tasks`."""
    out = Normalized([], [], [], [], [])
    by_accession = {row.accession_number: row for row, _path, _ocr in tasks}
    in_process = workers == 1 or len(tasks) < 20  # a pool costs more than it saves on a handful
    with ProcessPoolExecutor(max_workers=1 if in_process else workers, initializer=_die_with_parent) as pool:
        results = map(_normalize_one, tasks) if in_process else pool.map(_normalize_one, tasks, chunksize=8)
        for done, (accession, rows, error) in enumerate(results, start=1):
            if rows is None:
                row = by_accession[accession]
                out.failures.append({"accession_number": accession, "cik": row.cik, "form_type": row.form_type,
                                     "stage": "build", "status": "unparseable", "reason": error, "url": row.url,
                                     "http_status": row.http_status})
            else:
                out.filings.append(rows.filing)
                out.documents.extend(rows.documents)
                out.letters.append(rows.letter)
                out.comments.extend(rows.comments)
            if progress:
                progress(done, len(tasks))
    return out


def parser_fingerprint() -> str:
    """Changes whenever the normalizing code or the schema does: rows from another parser are not mixed in."""
    digest = hashlib.sha256(str(SCHEMA_VERSION).encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
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
    if not processed_accessions(previous) <= archived:
        return "filings the corpus holds are no longer in the raw archive"
    return None


def build_corpus(
    data_dir: Path | str,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = _stderr_progress,
    full: bool = False,
) -> BuildReport:
    """Normalize, pair and publish the corpus. Adds to the published corpus when it can (only filings it
    has not normalized yet are read; companies with new letters are paired again); rebuilds from the raw
    archive when asked (`full`), or when the corpus is missing or was built by another version."""
    started = time.monotonic()
    data_dir = Path(data_dir)
    archive = RawArchive(data_dir)
    archive.recover()
    tesseract = tesseract_path()
    tasks = [(row, str(path), tesseract) for row, path in archive.iter_archived()]
    crawl_failures: list[dict[str, Any]] = [
        {"accession_number": r.accession_number, "cik": r.cik, "form_type": r.form_type, "stage": "crawl",
         "status": r.status, "reason": r.reason, "url": r.url, "http_status": r.http_status}
        for r in archive.rows() if r.status != ARCHIVED
    ]
    archive.close()
    workers = workers or os.cpu_count() or 1
    previous = published_build(data_dir)
    archived = {row.accession_number for row, _path, _ocr in tasks}
    reason = "asked for a full build" if full else why_not_incremental(previous, archived)
    build_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]

    if reason is None and previous is not None:
        done = processed_accessions(previous)
        tasks = [task for task in tasks if task[0].accession_number not in done]
        kept = [row for row in read_rows(previous, "failures").to_pylist()
                if row["stage"] == "build" and row["accession_number"] in archived]
        failures = to_table("failures", crawl_failures + kept)
        if not tasks and failures.equals(read_rows(previous, "failures")):
            drop_other_builds(data_dir, previous)
            if not catalog_path(data_dir).exists():
                write_catalog(data_dir, previous.name)
            return _report(previous, "unchanged", 0, tesseract, started)
        new = normalize_all(tasks, workers, progress)
        build_dir = new_build_dir(data_dir, build_id)
        _add_to_build(previous, build_dir, new, to_table("failures", crawl_failures + kept + new.failures))
        mode = "incremental"
    else:
        new = normalize_all(tasks, workers, progress)
        conversations, comment_responses = pair_conversations(new.filings, new.letters, new.comments)
        build_dir = new_build_dir(data_dir, build_id)
        tables = {"filings": new.filings, "documents": new.documents, "letters": new.letters,
                  "comments": new.comments, "conversations": conversations, "comment_responses": comment_responses,
                  "failures": crawl_failures + new.failures}
        file_name = f"part-{build_id}.parquet"
        with ThreadPoolExecutor(max_workers=workers) as writers:  # pyarrow compresses and writes without the GIL
            list(writers.map(lambda name: write_table(build_dir, name, to_table(name, tables[name]),
                                                      "part-0.parquet" if name == "failures" else file_name),
                             tables))
        mode = f"full ({reason})"
    for name in PARTITIONED:
        compact_table(build_dir, name, min_files=COMPACT_AT)
    write_manifest(build_dir, {"schema_version": SCHEMA_VERSION, "parser": parser_fingerprint(),
                               "build_id": build_id, "mode": mode.split(" ")[0],
                               "previous": previous.name if previous else None, "normalized": len(tasks)})
    publish(data_dir, build_dir)
    # An incremental build only adds letters: the catalog's search index is updated, not rebuilt
    report = _report(build_dir, mode, len(tasks), tesseract, started)
    report.catalog = write_catalog(data_dir, build_id, update=mode == "incremental")
    report.seconds = time.monotonic() - started
    return report


def _add_to_build(previous: Path, build_dir: Path, new: Normalized, failures: pa.Table) -> None:
    """An incremental build: the previous build's files, plus the new filings' rows, with the companies that
    have new letters paired again over all their letters. Only rows that changed are rewritten."""
    file_name = f"part-{build_dir.name}.parquet"
    added = {name: to_table(name, rows) for name, rows in
             (("filings", new.filings), ("documents", new.documents), ("letters", new.letters),
              ("comments", new.comments))}
    for name in ("filings", "documents", "comments"):  # one row per filing or below it: only added to
        carry_over(previous, build_dir, name, "accession_number", set(), added[name], file_name)
    write_table(build_dir, "failures", failures)

    # Pairing works company by company: these companies' letters, old and new (both read through the
    # schema, so old and new rows have the same Python types), are paired again.
    ciks = {row["cik"] for row in new.letters}
    filings = read_rows(previous, "filings", ciks).to_pylist() + added["filings"].to_pylist()
    old_letters = read_rows(previous, "letters", ciks)
    letters = old_letters.to_pylist() + added["letters"].to_pylist()
    comments = read_rows(previous, "comments", ciks).to_pylist() + added["comments"].to_pylist()
    conversations, comment_responses = pair_conversations(filings, letters, comments)

    _replace_changed(previous, build_dir, "letters", "accession_number", old_letters,
                     to_table("letters", letters), file_name)
    _replace_changed(previous, build_dir, "conversations", "conversation_id",
                     read_rows(previous, "conversations", ciks), to_table("conversations", conversations), file_name)
    _replace_changed(previous, build_dir, "comment_responses", "conversation_id",
                     read_rows(previous, "comment_responses", ciks),
                     to_table("comment_responses", comment_responses), file_name)


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
    def count(name: str) -> int:
        return sum(pq.ParquetFile(path).metadata.num_rows for path in table_files(build_dir, name))

    needs_ocr = sum(pc.sum(pq.read_table(path, columns=["needs_ocr"])["needs_ocr"]).as_py() or 0
                    for path in table_files(build_dir, "documents"))
    return BuildReport(build_dir.name, count("filings"), count("documents"), count("letters"), count("comments"),
                       count("conversations"), count("failures"), needs_ocr, tesseract is not None,
                       time.monotonic() - started, mode, normalized)


def compact_corpus(data_dir: Path | str) -> tuple[str, int]:
    """Merge every partition that has more than one file into one sorted file, as a new build published
    atomically. Rows do not change, so the catalog (views through `corpus/`, the search table) stays valid."""
    data_dir = Path(data_dir)
    previous = published_build(data_dir)
    if previous is None:
        raise FileNotFoundError(f"{data_dir} has no corpus to compact: run `edgar-corpus build` first")
    build_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    build_dir = new_build_dir(data_dir, build_id)
    for path in previous.rglob("*.parquet"):
        link_file(path, build_dir / path.relative_to(previous))
    merged = sum(compact_table(build_dir, name, min_files=2) for name in PARTITIONED)
    write_manifest(build_dir, {**read_manifest(previous), "build_id": build_id, "mode": "compacted",
                               "previous": previous.name})
    publish(data_dir, build_dir)
    return build_id, merged
