"""The companies' filings as the crawl's listings name them: what the build resolves reviewed filings and notices
of effectiveness from, without a request of its own.

Every index file and submissions JSON the crawl kept (corpus/listing_cache.py) is parsed once: its rows of the
forms letters review (pipelines/reviewed.py, REVIEWABLE) go to a sidecar beside it, `listing-cache/rows/<key>.tsv`,
made again only when the listing's body changes. A build then reads the sidecars, not megabytes of index files.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from corpus.archive import write_atomic
from corpus.listing_cache import ListingCache
from edgar_corpus.edgar import parse_edgar_date
from pipelines.indexes import ListedFiling, ListingError, parse_form_index, parse_master_index, parse_submissions
from pipelines.reviewed import REVIEWABLE


def parse_listing(url_path: str, body: bytes) -> list[ListedFiling]:
    """The filings a cached listing names (an index file or a submissions JSON); [] for anything else."""
    name = url_path.rsplit("/", 1)[-1]
    if url_path.endswith(".gz"):
        body = gzip.decompress(body)
    if name.startswith("form."):
        return parse_form_index(body.decode("latin-1"))
    if name.startswith("master."):
        return parse_master_index(body.decode("latin-1"))
    if url_path.startswith("/submissions/"):
        cik = int("".join(ch for ch in name.split("-")[0] if ch.isdigit()) or 0)
        return parse_submissions(json.loads(body), cik).filings
    return []


def _sidecar(rows_dir: Path, url_path: str, body: bytes) -> list[ListedFiling]:
    key = hashlib.sha256(url_path.encode()).hexdigest()[:32]
    digest = hashlib.sha256(body).hexdigest()[:16]
    path = rows_dir / f"{key}.tsv"
    if path.exists():
        lines = path.read_text().splitlines()
        if lines and lines[0] == digest:
            return [ListedFiling(a, int(c), f, parse_edgar_date(d), "") for a, c, f, d in
                    (line.split("\t") for line in lines[1:])]
    try:
        listed = [row for row in parse_listing(url_path, body) if REVIEWABLE.match(row.form_type.upper())]
    except (OSError, EOFError, ValueError, ListingError):
        listed = []  # only listings that parsed are kept by the crawl; a damaged copy is replaced by the next one
    text = "\n".join([digest, *(f"{r.accession_number}\t{r.cik}\t{r.form_type}\t"
                                f"{r.date_filed.isoformat() if r.date_filed else ''}" for r in listed)])
    write_atomic(path, text.encode())
    return listed


def company_listings(data_dir: Path | str, ciks: Iterable[int]) -> dict[int, list[ListedFiling]]:
    """Each company's filings (of the forms letters review, and EFFECT notices) named by the cached listings,
    once each, in filing order."""
    wanted = set(ciks)
    cache = ListingCache(data_dir)
    out: dict[int, dict[str, ListedFiling]] = {cik: {} for cik in wanted}
    for url_path, body in cache.entries():
        for row in _sidecar(cache.root / "rows", url_path, body):
            if row.cik in wanted:
                out[row.cik].setdefault(row.accession_number, row)
    return {cik: sorted(rows.values(), key=lambda r: (r.date_filed, r.accession_number)) for cik, rows in out.items()}


def listing_digest(rows: list[ListedFiling]) -> str:
    """Changes when a company's listed filings do: its reviews are paired again then."""
    return hashlib.sha256("\n".join(f"{r.accession_number}{r.form_type}{r.date_filed}" for r in rows).encode()
                          ).hexdigest()[:16]
