"""What a data dir holds: the raw archive, the last crawls, what failed, what was listed but never fetched.

Read-only over `ledger.sqlite`, `raw/` and `listing-cache/`; `edgar-corpus status` prints it.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from corpus.archive import LocalRawStore
from corpus.listing_cache import ListingCache
from edgar_corpus.edgar import DEFAULT_FORMS
from pipelines.indexes import ListedFiling, ListingError, parse_form_index, parse_master_index, parse_submissions


@dataclass
class ArchiveStatus:
    data_dir: Path
    raw_bytes: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_form_year: dict[tuple[str, str], int] = field(default_factory=dict)  # archived, by (form, year filed)
    runs: list[dict] = field(default_factory=list)  # latest first
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (accession, status, reason)
    listed_never_fetched: list[str] = field(default_factory=list)  # in the scope of a recorded crawl
    listed_out_of_scope: int = 0  # listed by a cached file, but outside every crawl's dates, companies and forms
    listing_problems: list[tuple[str, str, str]] = field(default_factory=list)  # (url, reason, run) of the last run


def in_scope(filing: ListedFiling, run: dict) -> bool:
    """Whether a crawl with this recorded scope was asked for the filing (a run with no scope: yes)."""
    scope = json.loads(run.get("scope") or "{}")
    if not scope:
        return True
    forms = {form.strip().upper() for form in scope.get("forms", "").split(",") if form.strip()}
    if forms and filing.form_type.upper() not in forms:
        return False
    if "cik" in scope:
        return str(filing.cik) in {c.strip().lstrip("0") for c in scope["cik"].split(",")}
    if filing.date_filed is None:
        return False
    start = date.fromisoformat(scope["from"])
    end = date.fromisoformat(scope.get("to") or str(run.get("started_at") or "9999-12-31")[:10])
    return start <= filing.date_filed <= end


def listed_filings(data_dir: Path) -> list[ListedFiling]:
    """Filings named by the cached index and submissions files."""
    listed: list[ListedFiling] = []
    for url_path, body in ListingCache(data_dir).entries():
        name = url_path.rsplit("/", 1)[-1]
        try:
            if url_path.endswith(".gz"):
                body = gzip.decompress(body)
            if name.startswith("form."):
                listed.extend(parse_form_index(body.decode("latin-1")))
            elif name.startswith("master."):
                listed.extend(parse_master_index(body.decode("latin-1")))
            elif url_path.startswith("/submissions/"):
                cik = int("".join(ch for ch in name.split("-")[0] if ch.isdigit()) or 0)
                listed.extend(parse_submissions(json.loads(body), cik).filings)
        except (OSError, EOFError, ValueError, ListingError):
            continue  # only listings that parsed are kept; a damaged copy is skipped, the next crawl replaces it
    return listed


def archive_status(data_dir: Path, forms: tuple[str, ...] = DEFAULT_FORMS) -> ArchiveStatus:
    data_dir = Path(data_dir)
    status = ArchiveStatus(data_dir)
    ledger = data_dir / "ledger.sqlite"
    if not ledger.exists():
        raise FileNotFoundError(f"{data_dir} has no raw archive (no ledger.sqlite): crawl into it first")
    status.raw_bytes = LocalRawStore(data_dir).size()
    con = sqlite3.connect(f"file:{ledger}?mode=ro", uri=True)
    try:
        status.by_status = dict(con.execute("SELECT status, count(*) FROM filings GROUP BY 1").fetchall())
        status.by_form_year = {
            (form or "?", year or "?"): n for form, year, n in con.execute(
                "SELECT form_type, substr(index_date_filed, 1, 4), count(*) FROM filings WHERE status = 'archived' "
                "GROUP BY 1, 2 ORDER BY 2, 1")
        }
        columns = ("run_id", "started_at", "finished_at", "command", "outcome", "stats", "scope")
        has_scope = "scope" in {row[1] for row in con.execute("PRAGMA table_info(runs)")}
        status.runs = [dict(zip(columns, row, strict=False)) for row in con.execute(
            "SELECT run_id, started_at, finished_at, command, outcome, stats"
            + (", scope" if has_scope else "") + " FROM runs ORDER BY started_at DESC")]
        status.failures = con.execute(
            "SELECT accession_number, status, coalesce(reason, '') FROM filings WHERE status <> 'archived' "
            "ORDER BY status, accession_number").fetchall()
        known = {row[0] for row in con.execute("SELECT accession_number FROM filings")}
        if status.runs and con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'listing_problems'"
                                       ).fetchone()[0]:
            status.listing_problems = con.execute(
                "SELECT url, reason, run_id FROM listing_problems WHERE run_id = ? ORDER BY at",
                (status.runs[0]["run_id"],)).fetchall()
    except sqlite3.DatabaseError as exc:
        raise FileNotFoundError(f"{ledger} cannot be read ({exc}): run a crawl or a build, which moves a damaged "
                                "ledger aside and rebuilds it from the raw archive") from None
    finally:
        con.close()
    unfetched = {f.accession_number: f for f in listed_filings(data_dir)
                 if f.form_type in forms and f.accession_number not in known}
    asked = {a for a, f in unfetched.items() if not status.runs or any(in_scope(f, run) for run in status.runs)}
    status.listed_never_fetched = sorted(asked)
    status.listed_out_of_scope = len(unfetched) - len(asked)
    return status


def format_status(status: ArchiveStatus, limit: int = 20) -> str:
    archived = status.by_status.get("archived", 0)
    others = ", ".join(f"{k} {v}" for k, v in sorted(status.by_status.items()) if k != "archived")
    lines = [f"data dir {status.data_dir}",
             f"raw archive: {archived} filings, {status.raw_bytes / 1e6:.1f} MB gzipped"
             + (f"; also {others}" if others else "")]
    years = sorted({year for _form, year in status.by_form_year})
    forms = sorted({form for form, _year in status.by_form_year})
    if years:
        lines.append("archived by year filed: " + "  ".join(
            f"{year} " + "/".join(str(status.by_form_year.get((form, year), 0)) for form in forms) for year in years)
            + f"   ({'/'.join(forms)})")
    if status.runs:
        last = status.runs[0]
        lines.append(f"last crawl: {last['started_at']} -> {last['finished_at'] or 'did not finish'}, "
                     f"outcome {last['outcome'] or 'unknown (killed?)'}: {last['command']}")
        outcomes = Counter(run["outcome"] or "unfinished" for run in status.runs)
        lines.append(f"crawls recorded: {len(status.runs)} (" + ", ".join(f"{k} {v}" for k, v in outcomes.items())
                     + ")")
    else:
        lines.append("last crawl: none recorded")
    if status.listing_problems:
        lines.append(f"listings the last crawl could not read: {len(status.listing_problems)} (its filings may be "
                     "missing; run the same crawl again)")
        lines.extend(f"  {url}  {reason}" for url, reason, _run in status.listing_problems[:limit])
    lines.append(f"not archived: {len(status.failures)}")
    for accession, state, reason in status.failures[:limit]:
        lines.append(f"  {accession}  {state}  {reason}")
    if len(status.failures) > limit:
        lines.append(f"  ... and {len(status.failures) - limit} more")
    lines.append(f"listed for a crawl but never fetched: {len(status.listed_never_fetched)}"
                 + (" (run the same crawl again to fetch them)" if status.listed_never_fetched else ""))
    lines.extend(f"  {accession}" for accession in status.listed_never_fetched[:limit])
    if status.listed_out_of_scope:
        lines.append(f"also listed by a cached index file, outside the dates and companies crawled: "
                     f"{status.listed_out_of_scope}")
    return "\n".join(lines)
