"""The raw archive: every fetched complete submission, compressed, plus a SQLite ledger.

Layout under the data dir:

    raw/<cik>/<accession>.txt.gz   the bytes EDGAR served (decompressed HTTP body), gzip'd
    raw/.quarantine/...            damaged raw files moved aside (the ledger then says to fetch them again)
    ledger.sqlite                  one row per accession: archived / missing / dead, with why; the crawls

Storage of the bytes goes through one small interface, `RawStore` (put, get, exists, iterate, size,
quarantine), whose one implementation today is `LocalRawStore`, the folder above: another backend (object
storage, say) is another class, and neither the parsers nor the spiders change.

A file is written to a temporary name, fsync'd and renamed, then its ledger row is committed. A kill -9
between the two leaves a complete file without a row; `recover()` adopts such files on the next open, so a
re-run fetches nothing that is already on disk and loses nothing. A raw file that turns out to be damaged
(a zlib error, a truncated body, bytes whose checksum is not the ledger's) is quarantined and its filing
marked dead, so the next crawl fetches it again. A ledger that SQLite cannot read is moved aside and a new
one is built from the raw files, with a warning that says so.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import sqlite3
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from edgar_corpus.edgar import is_accession

ARCHIVED, MISSING, DEAD = "archived", "missing", "dead"
logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS filings (
    accession_number TEXT PRIMARY KEY,
    cik INTEGER NOT NULL,
    form_type TEXT,
    status TEXT NOT NULL,            -- archived | missing (EDGAR's no-such-file, never retried) | dead (gave up)
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
CREATE TABLE IF NOT EXISTS listing_problems (
    run_id TEXT,
    url TEXT,
    reason TEXT,                     -- why the index or submissions file could not be read
    at TEXT
);
"""

# what reading a damaged gzip file raises
DAMAGED = (OSError, EOFError, zlib.error)


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
    """Write bytes so that a reader (or a crash) sees the old file or the whole new one, never a part.
    A failed write (a full disk) leaves no temporary file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class RawStore(Protocol):
    """Where the complete submissions' bytes live, addressed by (cik, accession number)."""

    def put(self, cik: int, accession: str, data: bytes) -> None: ...
    def get(self, cik: int, accession: str) -> bytes: ...  # raises one of DAMAGED when unreadable
    def exists(self, cik: int, accession: str) -> bool: ...
    def iterate(self) -> Iterator[tuple[int, str]]: ...  # (cik, accession) of every stored submission
    def size(self) -> int: ...  # bytes stored
    def quarantine(self, cik: int, accession: str) -> None: ...  # move a damaged one aside


class LocalRawStore:
    """`raw/<cik>/<accession>.txt.gz` under a data dir, gzip level 6 with a zero mtime (same bytes, same file)."""

    def __init__(self, data_dir: Path | str) -> None:
        self.root = Path(data_dir) / "raw"

    def path(self, cik: int, accession: str) -> Path:
        if not is_accession(accession):  # never let a name from the network pick a path
            raise ValueError(f"not an accession number: {accession!r}")
        return self.root / str(int(cik)) / f"{accession}.txt.gz"

    def put(self, cik: int, accession: str, data: bytes) -> None:
        write_atomic(self.path(cik, accession), gzip.compress(data, compresslevel=6, mtime=0))

    def get(self, cik: int, accession: str) -> bytes:
        return gzip.decompress(self.path(cik, accession).read_bytes())

    def exists(self, cik: int, accession: str) -> bool:
        return self.path(cik, accession).is_file()

    def iterate(self) -> Iterator[tuple[int, str]]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.glob("[0-9]*/*.txt.gz")):
            accession = path.name.removesuffix(".txt.gz")
            if path.parent.name.isdigit() and is_accession(accession):
                yield int(path.parent.name), accession

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.root.glob("[0-9]*/*.txt.gz")) if self.root.is_dir() else 0

    def quarantine(self, cik: int, accession: str) -> None:
        source = self.path(cik, accession)
        target = self.root / ".quarantine" / str(int(cik)) / f"{accession}.{int(datetime.now(UTC).timestamp())}.gz"
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.exists():
            os.replace(source, target)


def _open_ledger(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, check_same_thread=False, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(_SCHEMA)
    columns = {row[1] for row in db.execute("PRAGMA table_info(runs)")}
    if "scope" not in columns:  # ledgers written before runs had a scope
        db.execute("ALTER TABLE runs ADD COLUMN scope TEXT")
    db.execute("SELECT count(*) FROM filings").fetchone()  # reads the pages: a damaged file fails here
    return db


class RawArchive:
    """Raw submissions and the ledger that says what the crawl has done with each accession."""

    def __init__(self, data_dir: Path | str, store: RawStore | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.store: RawStore = store or LocalRawStore(self.data_dir)
        self.ledger_path = self.data_dir / "ledger.sqlite"
        self.replaced_ledger: Path | None = None  # where a damaged ledger was moved, when one was
        try:
            self._db = _open_ledger(self.ledger_path)
        except sqlite3.DatabaseError as exc:
            self._db = self._replace_damaged_ledger(exc)
        self._lock = threading.Lock()
        if self.replaced_ledger is not None:
            self.recover()

    def _replace_damaged_ledger(self, error: sqlite3.DatabaseError) -> sqlite3.Connection:
        """Move a ledger SQLite cannot read aside and start a new one; `recover()` re-adopts the raw files.
        Filings recorded missing or dead are forgotten, so the next crawl asks for them again."""
        aside = self.ledger_path.with_name(f"ledger.sqlite.damaged-{datetime.now(UTC):%Y%m%dT%H%M%S}")
        for suffix in ("", "-wal", "-shm"):
            part = Path(str(self.ledger_path) + suffix)
            if part.exists():
                os.replace(part, Path(str(aside) + suffix))
        self.replaced_ledger = aside
        logger.warning("The ledger %s could not be read (%s): moved it to %s and rebuilt the ledger from the raw "
                       "archive; filings recorded as missing or dead will be asked for again",
                       self.ledger_path, error, aside)
        return _open_ledger(self.ledger_path)

    def close(self) -> None:
        self._db.close()

    # -- writing --------------------------------------------------------------------------------

    def store_filing(
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
        self.store.put(cik, accession, body)
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

    def mark_damaged(self, row: LedgerRow, reason: str) -> None:
        """A raw file that cannot be read back as what was archived: quarantine it and mark its filing dead, so
        the next crawl fetches it again."""
        self.store.quarantine(row.cik, row.accession_number)
        with self._lock, self._db:
            self._db.execute(
                "UPDATE filings SET status = ?, reason = ?, sha256 = NULL, n_bytes = NULL WHERE accession_number = ?",
                (DEAD, f"raw file damaged ({reason}); quarantined, the next crawl fetches it again",
                 row.accession_number),
            )

    def _upsert(self, row: LedgerRow) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO filings VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (row.accession_number, row.cik, row.form_type, row.status, row.url, row.http_status,
                 row.fetched_at, row.sha256, row.n_bytes, row.reason, row.index_date_filed,
                 row.discovered_via, row.recovered),
            )

    def recover(self) -> int:
        """Adopt complete raw files that have no ledger row (a crash between rename and commit); quarantine
        files without a row that cannot be read (they were never acknowledged, so nothing is lost)."""
        known = {r.accession_number for r in self.rows(ARCHIVED)}
        adopted = 0
        for cik, accession in self.store.iterate():
            if accession in known:
                continue
            try:
                body = self.store.get(cik, accession)
            except DAMAGED:
                self.store.quarantine(cik, accession)
                logger.warning("Quarantined the damaged raw file of %s (no ledger row)", accession)
                continue
            fetched = utc_now()
            self._upsert(
                LedgerRow(accession, cik, None, ARCHIVED, None, 200, fetched,
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

    def record_listing_problem(self, run_id: str | None, url: str, reason: str) -> None:
        with self._lock, self._db:
            self._db.execute("INSERT INTO listing_problems VALUES (?,?,?,?)", (run_id, url, reason, utc_now()))

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

    def read(self, row: LedgerRow) -> bytes:
        """The archived bytes of a ledger row, checked against the ledger's checksum. Raises one of DAMAGED
        (ValueError for a checksum mismatch) when the file cannot be trusted."""
        body = self.store.get(row.cik, row.accession_number)
        if row.sha256 and hashlib.sha256(body).hexdigest() != row.sha256:
            raise ValueError(f"its checksum is not the archived one ({len(body)} bytes, {row.n_bytes} archived)")
        return body
