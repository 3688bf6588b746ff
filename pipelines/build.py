"""The build stage: raw archive → normalized rows → conversations → Parquet corpus → DuckDB catalog. No network.

Filings are normalized in worker processes (pypdfium2 is not thread-safe, and the crawl's reactor
must never do this work). A filing that cannot be parsed becomes a `failures` row with the reason;
the rest of the build goes on.
"""

from __future__ import annotations

import ctypes
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

from corpus.archive import ARCHIVED, LedgerRow, RawArchive, read_raw
from corpus.catalog import write_catalog
from corpus.store import new_build_dir, publish, to_table, write_table
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


def build_corpus(
    data_dir: Path | str,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = _stderr_progress,
) -> BuildReport:
    started = time.monotonic()
    data_dir = Path(data_dir)
    archive = RawArchive(data_dir)
    archive.recover()
    tesseract = tesseract_path()
    tasks = [(row, str(path), tesseract) for row, path in archive.iter_archived()]
    failures: list[dict[str, Any]] = [
        {"accession_number": r.accession_number, "cik": r.cik, "form_type": r.form_type, "stage": "crawl",
         "status": r.status, "reason": r.reason, "url": r.url, "http_status": r.http_status}
        for r in archive.rows() if r.status != ARCHIVED
    ]
    archive.close()
    by_accession = {row.accession_number: row for row, _path, _ocr in tasks}

    filings: list[dict[str, Any]] = []
    documents: list[dict[str, Any]] = []
    letters: list[dict[str, Any]] = []
    comments: list[dict[str, Any]] = []
    workers = workers or os.cpu_count() or 1
    in_process = workers == 1 or len(tasks) < 20  # a pool costs more than it saves on a handful
    with ProcessPoolExecutor(max_workers=1 if in_process else workers, initializer=_die_with_parent) as pool:
        results = map(_normalize_one, tasks) if in_process else pool.map(_normalize_one, tasks, chunksize=8)
        for done, (accession, rows, error) in enumerate(results, start=1):
            if rows is None:
                row = by_accession[accession]
                failures.append({"accession_number": accession, "cik": row.cik, "form_type": row.form_type,
                                 "stage": "build", "status": "unparseable", "reason": error, "url": row.url,
                                 "http_status": row.http_status})
            else:
                filings.append(rows.filing)
                documents.extend(rows.documents)
                letters.append(rows.letter)
                comments.extend(rows.comments)
            if progress:
                progress(done, len(tasks))

    conversations, comment_responses = pair_conversations(filings, letters, comments)
    build_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    build_dir = new_build_dir(data_dir, build_id)
    tables = {"filings": filings, "documents": documents, "letters": letters, "comments": comments,
              "conversations": conversations, "comment_responses": comment_responses, "failures": failures}
    with ThreadPoolExecutor(max_workers=workers) as writers:  # pyarrow compresses and writes without the GIL
        list(writers.map(lambda name: write_table(build_dir, name, to_table(name, tables[name])), tables))
    publish(data_dir, build_dir)
    write_catalog(data_dir, build_id)
    needs_ocr = sum(1 for row in documents if row["needs_ocr"])
    return BuildReport(build_id, len(filings), len(documents), len(letters), len(comments), len(conversations),
                       len(failures), needs_ocr, tesseract is not None, time.monotonic() - started)
