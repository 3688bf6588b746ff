"""The corpus tables as explicit pyarrow schemas: the one place that says what every column is.

Every write casts to these schemas, so a column never drifts in type between files. Bump
SCHEMA_VERSION when a column is renamed, retyped or removed (adding a nullable column does not
need it); readers refuse a corpus whose version they do not know.
"""

from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = 1

FILINGS = pa.schema(
    [
        pa.field("accession_number", pa.string(), nullable=False),  # 0000000000-24-003505
        pa.field("form_type", pa.string()),  # UPLOAD (SEC staff letter) | CORRESP (company letter) | ...
        pa.field("cik", pa.int64()),  # the company, from the listing that named the filing
        pa.field("ciks", pa.list_(pa.int64())),  # every entity CIK of the header (co-registrants)
        pa.field("company_name", pa.string()),  # COMPANY CONFORMED NAME at filing time
        pa.field("filing_date", pa.date32()),  # FILED AS OF DATE: when the letter was sent
        pa.field("release_date", pa.date32()),  # <SEC-DOCUMENT> stamp: when EDGAR made it public
        pa.field("acceptance_datetime", pa.timestamp("s")),  # ACCEPTANCE-DATETIME, US Eastern local time
        pa.field("acceptance_datetime_utc", pa.timestamp("s", tz="UTC")),
        pa.field("file_numbers", pa.list_(pa.string())),  # SEC FILE NUMBER(s) of the header
        pa.field("reference_accession", pa.string()),  # PUBLIC REFERENCE ACCESSION NUMBER (the filing reviewed)
        pa.field("submitter_prefix", pa.string()),  # accession prefix: 0000000000 = SEC, else filer or agent
        pa.field("sic", pa.int32()),
        pa.field("sic_description", pa.string()),
        pa.field("cf_office", pa.string()),  # ORGANIZATION NAME, e.g. "06 Technology" (headers since ~2019)
        pa.field("state_of_incorporation", pa.string()),
        pa.field("fiscal_year_end", pa.string()),  # MMDD
        pa.field("irs_number", pa.string()),  # IRS NUMBER or EIN
        pa.field("business_city", pa.string()),
        pa.field("business_state", pa.string()),
        pa.field("former_names", pa.list_(pa.string())),
        pa.field("public_document_count", pa.int32()),
        pa.field("n_documents", pa.int32()),
        pa.field("private_to_public", pa.bool_()),
        pa.field("source_url", pa.string()),
        pa.field("fetched_at", pa.timestamp("s", tz="UTC")),
        pa.field("raw_sha256", pa.string()),  # of the complete submission as EDGAR served it
        pa.field("raw_bytes", pa.int64()),
        pa.field("discovered_via", pa.string()),  # quarterly | daily | submissions
        pa.field("year", pa.int16()),  # partition: year of filing_date
    ],
    metadata={"corpus.schema_version": str(SCHEMA_VERSION), "corpus.table": "filings"},
)

DOCUMENTS = pa.schema(
    [
        pa.field("accession_number", pa.string(), nullable=False),
        pa.field("cik", pa.int64()),
        pa.field("filing_date", pa.date32()),
        pa.field("sequence", pa.int32()),
        pa.field("document_type", pa.string()),  # LETTER | TEXT-EXTRACT | CORRESP | GRAPHIC | ...
        pa.field("filename", pa.string()),
        pa.field("description", pa.string()),
        pa.field("text", pa.large_string()),  # NULL for images and unreadable documents
        pa.field("text_source", pa.string()),  # html | pdf_text_layer | sec_text_extract | plain_text | ocr | none
        pa.field("n_chars", pa.int32()),
        pa.field("n_bytes", pa.int64()),  # the document's own bytes (decoded for binaries)
        pa.field("n_pages", pa.int32()),  # PDFs only
        pa.field("error", pa.string()),  # why the text could not be read
        pa.field("needs_ocr", pa.bool_()),  # scanned pages left without text (tesseract missing or failed)
        pa.field("ocr_confidence", pa.float32()),  # mean tesseract word confidence (0-100) of OCR'd pages
        pa.field("year", pa.int16()),
    ],
    metadata={"corpus.schema_version": str(SCHEMA_VERSION), "corpus.table": "documents"},
)

REVIEWED_FILING = pa.struct([
    pa.field("form_type", pa.string()),  # 10-K, S-1, SCHEDULE 14A, ... as the Re: block names it
    pa.field("description", pa.string()),  # the Re: line, e.g. "Form 10-K for the Fiscal Year Ended December 31, 2023"
    pa.field("period_end", pa.date32()),  # "for the fiscal year ended ..."
    pa.field("filed_date", pa.date32()),  # "Filed February 23, 2023"
    pa.field("amendment", pa.int32()),  # "Amendment No. 2 to ..."
    pa.field("draft", pa.bool_()),  # a draft registration statement (confidential review)
])
SIGNER = pa.struct([pa.field("name", pa.string()), pa.field("title", pa.string())])
STAFF_CONTACT = pa.struct([
    pa.field("name", pa.string()), pa.field("title", pa.string()), pa.field("phone", pa.string())])

LETTERS = pa.schema(
    [
        pa.field("accession_number", pa.string(), nullable=False),
        pa.field("cik", pa.int64()),
        pa.field("form_type", pa.string()),
        pa.field("filing_date", pa.date32()),
        pa.field("release_date", pa.date32()),
        pa.field("document_sequence", pa.int32()),  # which document of the filing is the letter
        pa.field("text_source", pa.string()),  # of that document (see documents.text_source)
        pa.field("sender", pa.string()),  # staff (UPLOAD) | company (CORRESP)
        pa.field("letter_date", pa.date32()),  # the date the letter is dated (often a day or more before filing)
        # comment | review_complete | no_review | response | acceleration_request | extension_request | other
        pa.field("letter_kind", pa.string()),
        pa.field("addressee_name", pa.string()),
        pa.field("addressee_title", pa.string()),
        pa.field("re_text", pa.string()),  # the Re: block as written
        pa.field("reviewed_filings", pa.list_(REVIEWED_FILING)),
        pa.field("file_numbers", pa.list_(pa.string())),  # File No. in the Re: block, as written ("1-6991")
        pa.field("responds_to_date", pa.date32()),  # the letter this one answers / reviewed, by the date it cites
        pa.field("signers", pa.list_(SIGNER)),
        pa.field("staff_division", pa.string()),  # "Division of Corporation Finance"
        pa.field("staff_office", pa.string()),  # signing office (staff) or office addressed (company)
        pa.field("staff_contacts", pa.list_(STAFF_CONTACT)),  # staff named with a phone number in the closing
        pa.field("cc_people", pa.list_(pa.string())),
        pa.field("cc_law_firms", pa.list_(pa.string())),
        pa.field("cc_audit_firms", pa.list_(pa.string())),
        pa.field("prior_letter_dates", pa.list_(pa.date32())),  # staff: its own earlier letters it cites
        pa.field("answers_oral_comments", pa.bool_()),  # company: answers comments given by telephone
        pa.field("n_comments", pa.int32()),  # numbered comments (staff) or comments answered (response)
        pa.field("has_confidential_treatment", pa.bool_()),  # Rule 83 legend or request
        pa.field("n_redactions", pa.int32()),  # "[***]", "[Redacted]" markers, now "[REDACTED]" in text_clean
        pa.field("needs_ocr", pa.bool_()),  # the letter is a scan no text could be read from
        pa.field("conversation_id", pa.string()),  # the review it belongs to (conversations table)
        # company letter: the staff letter it answers; staff letter: the company response it reviewed
        pa.field("responds_to", pa.string()),
        pa.field("link_method", pa.string()),  # cited_date, release_batch, file_number, chronology, ... (+-joined)
        pa.field("link_confidence", pa.float32()),  # 0-1; links below 0.6 are left empty
        pa.field("text_clean", pa.large_string()),  # page furniture and legends removed (original in documents)
        pa.field("year", pa.int16()),
    ],
    metadata={"corpus.schema_version": str(SCHEMA_VERSION), "corpus.table": "letters"},
)

COMMENTS = pa.schema(
    [
        pa.field("accession_number", pa.string(), nullable=False),
        pa.field("cik", pa.int64()),
        pa.field("filing_date", pa.date32()),
        pa.field("sender", pa.string()),  # staff: the comment as asked; company: the comment as repeated and answered
        pa.field("comment_number", pa.int32(), nullable=False),
        pa.field("heading", pa.string()),  # innermost section heading above the comment (inherited when none)
        pa.field("heading_path", pa.list_(pa.string())),  # all heading lines above it, outermost first
        pa.field("page_refs", pa.list_(pa.string())),  # "44", "F-7", "69-70"
        pa.field("text", pa.large_string()),
        pa.field("prior_comment_refs", pa.list_(pa.int32())),  # "prior comment 2", "comments 3 and 4", "comment one"
        pa.field("answer_text", pa.large_string()),  # responses only
        pa.field("answer_method", pa.string()),  # label ("Response:") | paragraph (the text after the comment)
        pa.field("year", pa.int16()),
    ],
    metadata={"corpus.schema_version": str(SCHEMA_VERSION), "corpus.table": "comments"},
)

FAILURES = pa.schema(
    [
        pa.field("accession_number", pa.string(), nullable=False),
        pa.field("cik", pa.int64()),
        pa.field("form_type", pa.string()),
        pa.field("stage", pa.string()),  # crawl | build
        pa.field("status", pa.string()),  # missing (EDGAR has no such file) | dead (gave up) | unparseable
        pa.field("reason", pa.string()),
        pa.field("url", pa.string()),
        pa.field("http_status", pa.int32()),
    ],
    metadata={"corpus.schema_version": str(SCHEMA_VERSION), "corpus.table": "failures"},
)

CONVERSATIONS = pa.schema(
    [
        pa.field("conversation_id", pa.string(), nullable=False),  # "CL-" + the first staff letter's accession
        pa.field("cik", pa.int64()),
        pa.field("company_name", pa.string()),
        pa.field("reviewed_forms", pa.list_(pa.string())),  # forms the Re: blocks name (10-K, S-4, ...)
        pa.field("reviewed_periods", pa.list_(pa.date32())),  # fiscal periods they name
        pa.field("file_numbers", pa.list_(pa.string())),  # normalized: 001-06991 -> 1-6991
        pa.field("reference_accessions", pa.list_(pa.string())),  # UPLOAD headers' PUBLIC REFERENCE ACCESSION
        pa.field("first_letter_date", pa.date32()),
        pa.field("last_letter_date", pa.date32()),
        pa.field("release_date", pa.date32()),  # when EDGAR made the review public (the latest, if several)
        pa.field("status", pa.string()),  # resolved (completion letter) | no_review | open
        pa.field("n_letters", pa.int32()),
        pa.field("n_staff_letters", pa.int32()),
        pa.field("n_responses", pa.int32()),  # company letters of kind response
        pa.field("n_rounds", pa.int32()),  # staff letters with comments
        pa.field("n_comments_first_letter", pa.int32()),
        pa.field("n_comments_total", pa.int32()),
        pa.field("days_to_first_response", pa.int32()),  # first staff letter -> first response
        pa.field("days_to_close", pa.int32()),  # first staff letter -> completion (or no-review) letter
        pa.field("release_lag_business_days", pa.int32()),  # last letter -> release, US federal business days
        pa.field("has_extension_request", pa.bool_()),
        pa.field("year", pa.int16()),  # partition: year of the first letter
    ],
    metadata={"corpus.schema_version": str(SCHEMA_VERSION), "corpus.table": "conversations"},
)

COMMENT_RESPONSES = pa.schema(
    [
        pa.field("conversation_id", pa.string()),
        pa.field("cik", pa.int64()),
        pa.field("staff_accession", pa.string(), nullable=False),
        pa.field("comment_number", pa.int32(), nullable=False),
        pa.field("heading", pa.string()),
        pa.field("comment_text", pa.large_string()),
        pa.field("response_accession", pa.string()),  # the response to the staff letter (NULL: none in the corpus)
        pa.field("response_comment_number", pa.int32()),  # the comment as the response numbers it
        pa.field("response_text", pa.large_string()),  # the answer
        pa.field("match_method", pa.string()),  # number | text (the repeated comment's words) | NULL: not found
        pa.field("continues_accession", pa.string()),  # a follow-up: the earlier staff letter ...
        pa.field("continues_comment_number", pa.int32()),  # ... and its comment it refers to ("prior comment 2")
        pa.field("year", pa.int16()),
    ],
    metadata={"corpus.schema_version": str(SCHEMA_VERSION), "corpus.table": "comment_responses"},
)

TABLES: dict[str, pa.Schema] = {
    "filings": FILINGS, "documents": DOCUMENTS, "letters": LETTERS, "comments": COMMENTS,
    "conversations": CONVERSATIONS, "comment_responses": COMMENT_RESPONSES, "failures": FAILURES}
# hive-partitioned by year; failures is one small file
PARTITIONED = ("filings", "documents", "letters", "comments", "conversations", "comment_responses")
SORT_KEYS = {
    "filings": [("cik", "ascending"), ("filing_date", "ascending"), ("accession_number", "ascending")],
    "documents": [("cik", "ascending"), ("filing_date", "ascending"), ("accession_number", "ascending"),
                  ("sequence", "ascending")],
    "letters": [("cik", "ascending"), ("filing_date", "ascending"), ("accession_number", "ascending")],
    "comments": [("cik", "ascending"), ("filing_date", "ascending"), ("accession_number", "ascending"),
                 ("comment_number", "ascending")],
    "conversations": [("cik", "ascending"), ("first_letter_date", "ascending"), ("conversation_id", "ascending")],
    "comment_responses": [("cik", "ascending"), ("conversation_id", "ascending"), ("staff_accession", "ascending"),
                          ("comment_number", "ascending")],
    "failures": [("accession_number", "ascending")],
}
