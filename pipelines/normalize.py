"""One archived filing to corpus rows, by table: its `filings` row, `documents` rows, `letters` row, `comments`
rows, and what each comment is about (`comment_topics`) and cites (`citations`). The keys are the table names
of corpus/tables.py.

Pure functions over the archived bytes (OCR aside, see pipelines/ocr.py).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from edgar_corpus.edgar import STAFF, STAFF_FORMS, sender_of
from pipelines.citations import Citation, find_citations
from pipelines.letters import Letter, parse_letter
from pipelines.sgml import Document, Submission, SubmissionError, SubmissionHeader, parse_submission
from pipelines.text import DocumentText, extract_document_text
from pipelines.topics import classify_comment

EASTERN = ZoneInfo("America/New_York")
# Structure parsing (and the search index after it) takes at most this much of one letter: a real letter is
# under 100,000 characters, a letter with its exhibits pasted in a few million, and a 64 MB one took minutes to
# index. The whole text stays in documents.text; letters.text_truncated says when the cut was made.
MAX_LETTER_CHARS = 1_000_000
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


@dataclass(frozen=True, slots=True)
class FilingSource:
    """What the crawl recorded about a submission's bytes: plain values, whatever the archive's storage."""

    accession_number: str  # the accession asked for: the header must name it
    cik: int | None  # from the listing that named the filing
    url: str | None = None
    fetched_at: str | None = None  # ISO 8601 UTC
    sha256: str | None = None
    n_bytes: int | None = None
    discovered_via: str | None = None


def company_name(header: SubmissionHeader) -> str | None:
    """COMPANY CONFORMED NAME of the header's first entity (the filer, or the subject company of a staff letter)."""
    return header.entities[0].fields.get("COMPANY CONFORMED NAME") if header.entities else None


def filing_row(header: SubmissionHeader, n_documents: int, source: FilingSource) -> dict[str, Any]:
    entity = header.entities[0] if header.entities else None
    fields = entity.fields if entity else {}
    sic, sic_description = _sic(fields.get("STANDARD INDUSTRIAL CLASSIFICATION"))
    ciks = [e.cik for e in header.entities if e.cik is not None]
    cik = source.cik or (ciks[0] if ciks else None)
    filed = header.filing_date
    return {
        "accession_number": header.accession_number,
        "form_type": header.form_type,
        "cik": cik,
        "ciks": ciks,
        "company_name": company_name(header),
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
        "source_url": source.url,
        "fetched_at": datetime.fromisoformat(source.fetched_at) if source.fetched_at else None,
        "raw_sha256": source.sha256,
        "raw_bytes": source.n_bytes,
        "discovered_via": source.discovered_via,
        "year": filed.year if filed else 0,
    }


Rows = dict[str, list[dict[str, Any]]]  # table name -> rows


def document_rows(submission: Submission, texts: list[DocumentText], cik: int | None) -> list[dict[str, Any]]:
    header = submission.header
    rows = []
    for document, text in zip(submission.documents, texts, strict=True):
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
            "needs_ocr": text.needs_ocr,
            "ocr_confidence": text.ocr_confidence,
            "year": header.filing_date.year if header.filing_date else 0,
        })
    return rows


def main_letter(submission: Submission, texts: list[DocumentText]) -> int | None:
    """Index of the document that is the letter itself: a staff letter's PDF (its text layer is cleaner than
    the SEC's TEXT-EXTRACT, which is the fallback), or a company letter's first text document."""
    def has_text(i: int) -> bool:
        return bool(texts[i].text and texts[i].text.strip())

    documents: list[Document] = submission.documents
    preferred = ("LETTER",) if submission.header.form_type.upper() in STAFF_FORMS else (submission.header.form_type,)
    for types in (preferred, ("TEXT-EXTRACT",)):
        for i, document in enumerate(documents):
            if document.document_type.upper() in types and has_text(i):
                return i
    return next((i for i in range(len(documents)) if has_text(i)), None)


def letter_rows(submission: Submission, texts: list[DocumentText], cik: int | None) -> tuple[dict[str, Any], list]:
    header = submission.header
    index = main_letter(submission, texts)
    year = header.filing_date.year if header.filing_date else 0
    common = {"accession_number": header.accession_number, "cik": cik, "filing_date": header.filing_date}
    letter: Letter | None = None
    full_text = texts[index].text or "" if index is not None else ""
    if index is not None:
        letter = parse_letter(full_text[:MAX_LETTER_CHARS], header.form_type, header.filing_date)
    row: dict[str, Any] = {
        **common,
        "company_name": company_name(header),
        "form_type": header.form_type,
        "release_date": header.release_date,
        "document_sequence": submission.documents[index].sequence if index is not None else None,
        "text_source": texts[index].text_source if index is not None else None,
        "sender": sender_of(header.form_type),
        "needs_ocr": any(t.needs_ocr for t in texts) and index is None,
        "n_comments": 0,
        "text_truncated": len(full_text) > MAX_LETTER_CHARS,
        "year": year,
    }
    comments: list[dict[str, Any]] = []
    if letter is not None:
        row.update({
            "letter_date": letter.letter_date,
            "letter_kind": letter.letter_kind,
            "addressee_name": letter.addressee_name,
            "addressee_title": letter.addressee_title,
            "re_text": letter.re_text,
            "reviewed_filings": [asdict(f) for f in letter.reviewed_filings],
            "file_numbers": letter.file_numbers,
            "responds_to_date": letter.responds_to_date,
            "signers": [asdict(s) for s in letter.signers],
            "staff_division": letter.staff_division,
            "staff_office": letter.staff_office,
            "staff_office_raw": letter.staff_office_raw,
            "staff_contacts": [asdict(c) for c in letter.staff_contacts],
            "cc_people": letter.cc_people,
            "cc_law_firms": letter.cc_law_firms,
            "cc_audit_firms": letter.cc_audit_firms,
            "n_comments": letter.n_comments,
            "has_confidential_treatment": letter.has_confidential_treatment,
            "n_redactions": letter.n_redactions,
            "text_clean": letter.text_clean,
            "prior_letter_dates": letter.prior_letter_dates,
            "answers_oral_comments": letter.answers_oral_comments,
        })
        for comment in letter.comments:
            comments.append({
                **common,
                "sender": letter.sender,
                "comment_number": comment.number,
                "heading": comment.heading,
                "heading_path": comment.heading_path,
                "page_refs": comment.page_refs,
                "text": comment.text,
                "prior_comment_refs": comment.prior_comment_refs,
                "answer_text": comment.answer_text,
                "answer_method": comment.answer_method,
                "year": year,
            })
    return row, comments


def comment_citations(comment: dict[str, Any], own_heading: bool = True) -> list[Citation]:
    """What a comment row cites: a staff comment in its heading (some cite there only; `own_heading`: the heading
    is written above this comment, not one it shares with the comments before it) or text; a response's row in
    the company's answer (the repeated staff comment is the staff's)."""
    if comment["sender"] == STAFF:
        heading = comment["heading"] if own_heading else ""
        return find_citations(f"{heading or ''}\n{comment['text'] or ''}")
    return find_citations(comment["answer_text"] or "")


def about_rows(comments: list[dict[str, Any]], reviewed_forms: list[str]) -> tuple[list[dict[str, Any]], list]:
    """`comment_topics` (one row per staff comment and topic, never none: `other`) and `citations` (one row per
    authority cited in a staff comment or a company's answer, each once per comment)."""
    topics, citations = [], []
    previous_heading = None
    for comment in comments:
        key = {k: comment[k] for k in ("accession_number", "cik", "filing_date", "comment_number", "year")}
        # "Soliciting Material filed pursuant to Rule 14a-12" heads every comment below it: it cites for the first
        cited = comment_citations(comment, own_heading=comment["heading"] != previous_heading)
        previous_heading = comment["heading"]
        citations.extend(key | {"in_answer": comment["sender"] != STAFF, "system": c.system, "ref": c.ref,
                                "raw": c.raw} for c in cited)
        if comment["sender"] != STAFF:
            continue  # a company's answer takes the topics of the comment it answers (the answer_topics view)
        topics.extend(key | {"topic": label.topic, "method": label.method, "confidence": label.confidence,
                             "evidence": label.evidence}
                      for label in classify_comment(comment["text"], comment["heading_path"], cited, reviewed_forms))
    return topics, citations


def normalize_filing(raw: bytes, source: FilingSource, tesseract: str | None = None) -> Rows:
    """Rows for one complete submission. Raises SubmissionError when the bytes cannot be parsed, or are not the
    submission `source` names. `tesseract` is the OCR program for scanned pages (None: flagged `needs_ocr`)."""
    submission = parse_submission(raw)
    if submission.header.accession_number != source.accession_number:
        raise SubmissionError(f"the header's accession number is {submission.header.accession_number}, not "
                              f"{source.accession_number}: the archived bytes are another filing")
    filing = filing_row(submission.header, len(submission.documents), source)
    texts = [extract_document_text(document, tesseract) for document in submission.documents]
    letter, comments = letter_rows(submission, texts, filing["cik"])
    reviewed_forms = [f["form_type"] for f in letter.get("reviewed_filings") or [] if f.get("form_type")]
    topics, citations = about_rows(comments, reviewed_forms)
    return {"filings": [filing], "documents": document_rows(submission, texts, filing["cik"]), "letters": [letter],
            "comments": comments, "comment_topics": topics, "citations": citations}
