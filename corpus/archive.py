"""The raw archive: every fetched complete submission, compressed, plus a SQLite ledger.

Layout under the data dir:

    raw/<cik>/<accession>.txt.gz   the bytes EDGAR served (decompressed HTTP body), gzip'd
    ledger.sqlite                  one row per accession: archived / missing / dead, with why

A file is written to a temporary name, fsync'd and renamed, then its ledger row is committed.
A kill -9 between the two leaves a complete file without a row; `recover()` adopts such files
on the next open, so a re-run fetches nothing that is already on disk and loses nothing.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ARCHIVED, MISSING, DEAD = "archived", "missing", "dead"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS filings (
    accession_number TEXT PRIMARY KEY,
    cik INTEGER NOT NULL,
    form_type TEXT,
    status TEXT NOT NULL,            -- archived | missing (403/404, never retried) | dead (gave up)
    url TEXT,
    http_status INTEGER,
    fetched_at TEXT,                 -- ISO 8601 UTC
    sha256 TEXT,                     -- of the uncompressed body
    n_bytes INTEGER,
    reason TEXT,                     -- why missing or dead
    index_date_filed TEXT,           -- Date Filed of the index row that listed it
    discovered_via TEXT,             -- quarterly | daily | submissions
    recovered INTEGER DEFAULT 0      -- 1 when adopted from disk after a crash
);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    started_at TEXT,
    finished_at TEXT,
    command TEXT,
    outcome TEXT,
    stats TEXT,
    scope TEXT                       -- JSON: what the crawl was asked for (forms, from/to dates or ciks)
);
"""


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(slots=True, frozen=True)
class LedgerRow:
    accession_number: str
    cik: int
    form_type: str | None
    status: str
    url: str | None
    http_status: int | None
    fetched_at: str | None
    sha256: str | None
    n_bytes: int | None
    reason: str | None
    index_date_filed: str | None
    discovered_via: str | None
    recovered: int


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes so that a reader (or a crash) sees the old file or the whole new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_raw(path: Path | str) -> bytes:
    """The submission bytes of one archive file."""
    return gzip.decompress(Path(path).read_bytes())


class RawArchive:
    """Raw submissions on disk and the ledger that says what the crawl has done with each accession."""

    def __init__(self, data_dir: Path | str) -> None:
        self.data_dir = Path(data_dir)
        self.raw_dir = self.data_dir / "raw"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.data_dir / "ledger.sqlite", check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(runs)")}
        if "scope" not in columns:  # ledgers written before runs had a scope
            self._db.execute("ALTER TABLE runs ADD COLUMN scope TEXT")
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    def raw_path(self, cik: int, accession: str) -> Path:
        if not accession.replace("-", "").isdigit():  # never let a name from the network pick a path
            raise ValueError(f"not an accession number: {accession!r}")
        return self.raw_dir / str(int(cik)) / f"{accession}.txt.gz"

    # -- writing --------------------------------------------------------------------------------

    def store(
        self,
        *,
        accession: str,
        cik: int,
        form_type: str | None,
        url: str,
        body: bytes,
        http_status: int,
        fetched_at: str,
        index_date_filed: str | None = None,
        discovered_via: str | None = None,
    ) -> None:
        """Archive one submission's bytes and mark it archived."""
        write_atomic(self.raw_path(cik, accession), gzip.compress(body, compresslevel=6, mtime=0))
        self._upsert(
            LedgerRow(accession, cik, form_type, ARCHIVED, url, http_status, fetched_at,
                      hashlib.sha256(body).hexdigest(), len(body), None, index_date_filed, discovered_via, 0)
        )

    def record_failure(
        self,
        *,
        accession: str,
        cik: int,
        form_type: str | None,
        url: str,
        status: str,
        reason: str,
        http_status: int | None = None,
        index_date_filed: str | None = None,
        discovered_via: str | None = None,
    ) -> None:
        """Record a filing as missing (EDGAR says it does not exist) or dead (we gave up), with why."""
        if status not in (MISSING, DEAD):
            raise ValueError(status)
        with self._lock:
            row = self._db.execute(
                "SELECT status FROM filings WHERE accession_number = ?", (accession,)
            ).fetchone()
        if row and row[0] == ARCHIVED:  # a later failure never hides bytes we already have
            return
        self._upsert(LedgerRow(accession, cik, form_type, status, url, http_status, utc_now(), None, None,
                               reason, index_date_filed, discovered_via, 0))

    def _upsert(self, row: LedgerRow) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO filings VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (row.accession_number, row.cik, row.form_type, row.status, row.url, row.http_status,
                 row.fetched_at, row.sha256, row.n_bytes, row.reason, row.index_date_filed,
                 row.discovered_via, row.recovered),
            )

    def recover(self) -> int:
        """Adopt complete raw files that have no ledger row (a crash between rename and commit)."""
        if not self.raw_dir.is_dir():
            return 0
        known = {r.accession_number for r in self.rows(ARCHIVED)}
        adopted = 0
        for path in sorted(self.raw_dir.glob("*/*.txt.gz")):
            accession = path.name.removesuffix(".txt.gz")
            if accession in known:
                continue
            try:
                body = read_raw(path)
            except (OSError, EOFError):
                path.unlink()  # cannot happen with atomic writes, but never keep a broken file
                continue
            fetched = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")
            self._upsert(
                LedgerRow(accession, int(path.parent.name), None, ARCHIVED, None, 200, fetched,
                          hashlib.sha256(body).hexdigest(), len(body), None, None, None, 1)
            )
            adopted += 1
        return adopted

    def start_run(self, run_id: str, command: str, scope: dict[str, str] | None = None) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO runs (run_id, started_at, command, scope) VALUES (?,?,?,?)",
                (run_id, utc_now(), command, json.dumps(scope or {}, sort_keys=True)),
            )

    def finish_run(self, run_id: str, outcome: str, stats: str) -> None:
        with self._lock, self._db:
            self._db.execute(
                "UPDATE runs SET finished_at = ?, outcome = ?, stats = ? WHERE run_id = ?",
                (utc_now(), outcome, stats, run_id),
            )

    # -- reading --------------------------------------------------------------------------------

    def rows(self, status: str | None = None) -> list[LedgerRow]:
        query = "SELECT * FROM filings"
        params: tuple[str, ...] = ()
        if status:
            query += " WHERE status = ?"
            params = (status,)
        with self._lock:
            return [LedgerRow(*r) for r in self._db.execute(query + " ORDER BY accession_number", params)]

    def settled_accessions(self) -> set[str]:
        """Accessions a crawl must not request again: archived, or known to be absent on EDGAR."""
        with self._lock:
            cur = self._db.execute("SELECT accession_number FROM filings WHERE status IN (?, ?)",
                                   (ARCHIVED, MISSING))
            return {r[0] for r in cur}

    def iter_archived(self) -> Iterator[tuple[LedgerRow, Path]]:
        for row in self.rows(ARCHIVED):
            yield row, self.raw_path(row.cik, row.accession_number)
