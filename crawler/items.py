"""What the spiders yield: a fetched submission, or a filing that could not be fetched and why."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class ArchivedFiling:
    accession_number: str
    cik: int
    form_type: str
    url: str
    http_status: int
    fetched_at: str  # ISO 8601 UTC
    body: bytes = field(repr=False)  # the complete submission, decompressed
    index_date_filed: str | None = None
    discovered_via: str | None = None


@dataclass(slots=True)
class FailedFiling:
    accession_number: str
    cik: int
    form_type: str
    url: str
    status: str  # "missing": EDGAR says it does not exist (never retried); "dead": we gave up
    reason: str
    http_status: int | None = None
    index_date_filed: str | None = None
    discovered_via: str | None = None


@dataclass(slots=True)
class ListingProblem:
    """An index or submissions file that could not be read: the filings it lists may be missing from the crawl."""

    url: str
    reason: str
