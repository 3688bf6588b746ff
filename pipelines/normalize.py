"""One archived filing to corpus rows: a `filings` row and its `documents` rows. Pure functions."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from corpus.archive import LedgerRow
from pipelines.sgml import Submission, SubmissionHeader, parse_submission
from pipelines.text import extract_document_text

EASTERN = ZoneInfo("America/New_York")
_SIC = re.compile(r"^(.*?)\s*\[(\d+)\]\s*$")


def _sic(value: str | None) -> tuple[int | None, str | None]:
    if not value:
        return None, None
    match = _SIC.match(value)
    if match:
        return int(match.group(2)), match.group(1) or None
    return (int(value), None) if value.isdigit() else (None, value)


def _utc(eastern: datetime | None) -> datetime | None:
    return eastern.replace(tzinfo=EASTERN).astimezone(UTC) if eastern else None


def filing_row(header: SubmissionHeader, n_documents: int, ledger: LedgerRow) -> dict[str, Any]:
    entity = header.entities[0] if header.entities else None
    fields = entity.fields if entity else {}
    sic, sic_description = _sic(fields.get("STANDARD INDUSTRIAL CLASSIFICATION"))
    ciks = [e.cik for e in header.entities if e.cik is not None]
    cik = ledger.cik or (ciks[0] if ciks else None)
    filed = header.filing_date
    return {
        "accession_number": header.accession_number,
        "form_type": header.form_type,
        "cik": cik,
        "ciks": ciks,
        "company_name": fields.get("COMPANY CONFORMED NAME"),
        "filing_date": filed,
        "release_date": header.release_date,
        "acceptance_datetime": header.acceptance_datetime,
        "acceptance_datetime_utc": _utc(header.acceptance_datetime),
        "file_numbers": header.file_numbers,
        "reference_accession": header.reference_accession,
        "submitter_prefix": header.submitter_prefix,
        "sic": sic,
        "sic_description": sic_description,
        "cf_office": fields.get("ORGANIZATION NAME"),
        "state_of_incorporation": fields.get("STATE OF INCORPORATION"),
        "fiscal_year_end": fields.get("FISCAL YEAR END"),
        "irs_number": fields.get("IRS NUMBER") or fields.get("EIN"),
        "business_city": entity.business_address.get("CITY") if entity else None,
        "business_state": entity.business_address.get("STATE") if entity else None,
        "former_names": [name for name, _ in entity.former_names] if entity else [],
        "public_document_count": header.public_document_count,
        "n_documents": n_documents,
        "private_to_public": header.private_to_public,
        "source_url": ledger.url,
        "fetched_at": datetime.fromisoformat(ledger.fetched_at) if ledger.fetched_at else None,
        "raw_sha256": ledger.sha256,
        "raw_bytes": ledger.n_bytes,
        "discovered_via": ledger.discovered_via,
        "year": filed.year if filed else 0,
    }


def document_rows(submission: Submission, cik: int | None) -> list[dict[str, Any]]:
    header = submission.header
    rows = []
    for document in submission.documents:
        text = extract_document_text(document)
        rows.append({
            "accession_number": header.accession_number,
            "cik": cik,
            "filing_date": header.filing_date,
            "sequence": document.sequence,
            "document_type": document.document_type,
            "filename": document.filename,
            "description": document.description,
            "text": text.text,
            "text_source": text.text_source,
            "n_chars": len(text.text) if text.text is not None else None,
            "n_bytes": text.n_bytes,
            "n_pages": text.n_pages,
            "error": text.error,
            "year": header.filing_date.year if header.filing_date else 0,
        })
    return rows


def normalize_filing(raw: bytes, ledger: LedgerRow) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Rows for one complete submission. Raises SubmissionError when the bytes cannot be parsed."""
    submission = parse_submission(raw)
    filing = filing_row(submission.header, len(submission.documents), ledger)
    return filing, document_rows(submission, filing["cik"])
