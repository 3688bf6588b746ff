"""The corpus tables as explicit pyarrow schemas: the one place that says what every column is.

Every write casts to these schemas, so a column never drifts in type between files. Each column
carries its description (field metadata), which docs/SCHEMA.md is generated from
(`python -m corpus.schema_doc > docs/SCHEMA.md`; a test fails when it is stale).

Versioning policy: SCHEMA_VERSION is stored in every Parquet file's metadata and in the catalog's
`corpus_info`. Adding a nullable column or a new table keeps the version (readers use
`union_by_name`). Renaming, retyping or removing a column bumps it. A reader refuses a corpus of
another version with a message that says to rebuild it: the raw archive is the source of truth,
so `edgar-corpus build` is the migration (a build that finds a corpus of another version rebuilds it in full).
"""

from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = 1


def column(name: str, type_: pa.DataType, description: str, nullable: bool = True) -> pa.Field:
    """A field whose description travels with it, in the Parquet files' Arrow schema and in docs/SCHEMA.md."""
    return pa.field(name, type_, nullable, metadata={"description": description})


FILINGS = pa.schema(
    [
        column("accession_number", pa.string(),
               "the filing's accession number, e.g. 0000000000-24-003505", nullable=False),
        column("form_type", pa.string(), "UPLOAD (SEC staff letter) | CORRESP (company letter) | ..."),
        column("cik", pa.int64(), "the company, from the listing that named the filing"),
        column("ciks", pa.list_(pa.int64()), "every entity CIK of the header (co-registrants)"),
        column("company_name", pa.string(), "COMPANY CONFORMED NAME at filing time"),
        column("filing_date", pa.date32(), "FILED AS OF DATE: when the letter was sent"),
        column("release_date", pa.date32(), "<SEC-DOCUMENT> stamp: when EDGAR made it public"),
        column("acceptance_datetime", pa.timestamp("s"), "ACCEPTANCE-DATETIME, US Eastern local time"),
        column("acceptance_datetime_utc", pa.timestamp("s", tz="UTC"), "ACCEPTANCE-DATETIME converted to UTC"),
        column("file_numbers", pa.list_(pa.string()), "SEC FILE NUMBER(s) of the header"),
        column("reference_accession", pa.string(), "PUBLIC REFERENCE ACCESSION NUMBER (the filing reviewed)"),
        column("submitter_prefix", pa.string(), "accession prefix: 0000000000 = SEC, else filer or agent"),
        column("sic", pa.int32(), "Standard Industrial Classification code of the company"),
        column("sic_description", pa.string(), "SIC description, e.g. \"SERVICES-PREPACKAGED SOFTWARE\""),
        column("cf_office", pa.string(), "ORGANIZATION NAME, e.g. \"06 Technology\" (headers since ~2019)"),
        column("state_of_incorporation", pa.string(), "STATE OF INCORPORATION, two letters"),
        column("fiscal_year_end", pa.string(), "MMDD"),
        column("irs_number", pa.string(), "IRS NUMBER or EIN"),
        column("business_city", pa.string(), "business address city"),
        column("business_state", pa.string(), "business address state"),
        column("former_names", pa.list_(pa.string()), "FORMER CONFORMED NAMEs of the company"),
        column("public_document_count", pa.int32(), "PUBLIC DOCUMENT COUNT of the header"),
        column("n_documents", pa.int32(), "<DOCUMENT> blocks in the submission"),
        column("private_to_public", pa.bool_(),
               "the header carries <PRIVATE-TO-PUBLIC>: filed privately, released later"),
        column("source_url", pa.string(), "the URL the complete submission was fetched from"),
        column("fetched_at", pa.timestamp("s", tz="UTC"), "when the crawler fetched it"),
        column("raw_sha256", pa.string(), "of the complete submission as EDGAR served it"),
        column("raw_bytes", pa.int64(), "size of the complete submission as EDGAR served it"),
        column("discovered_via", pa.string(), "quarterly | daily | submissions"),
        column("year", pa.int16(), "partition: year of filing_date"),
    ],
    metadata={"corpus.schema_version": str(SCHEMA_VERSION), "corpus.table": "filings"},
)

DOCUMENTS = pa.schema(
    [
        column("accession_number", pa.string(), "the filing (filings.accession_number)", nullable=False),
        column("cik", pa.int64(), "the company"),
        column("filing_date", pa.date32(), "FILED AS OF DATE of the filing"),
        column("sequence", pa.int32(), "<SEQUENCE> of the document in the submission, from 1"),
        column("document_type", pa.string(), "LETTER | TEXT-EXTRACT | CORRESP | GRAPHIC | ..."),
        column("filename", pa.string(), "<FILENAME>, e.g. filename1.pdf"),
        column("description", pa.string(), "<DESCRIPTION>, when given"),
        column("text", pa.large_string(), "NULL for images and unreadable documents"),
        column("text_source", pa.string(), "html | pdf_text_layer | sec_text_extract | plain_text | ocr | none"),
        column("n_chars", pa.int32(), "characters of text"),
        column("n_bytes", pa.int64(), "the document's own bytes (decoded for binaries)"),
        column("n_pages", pa.int32(), "PDFs only"),
        column("error", pa.string(), "why the text could not be read"),
        column("needs_ocr", pa.bool_(), "scanned pages left without text (tesseract missing or failed)"),
        column("ocr_confidence", pa.float32(), "mean tesseract word confidence (0-100) of OCR'd pages"),
        column("year", pa.int16(), "partition: year of filing_date"),
    ],
    metadata={"corpus.schema_version": str(SCHEMA_VERSION), "corpus.table": "documents"},
)

REVIEWED_FILING = pa.struct([
    column("form_type", pa.string(), "10-K, S-1, SCHEDULE 14A, ... as the Re: block names it"),
    column("description", pa.string(), "the Re: line, e.g. \"Form 10-K for the Fiscal Year Ended December 31, 2023\""),
    column("period_end", pa.date32(), "\"for the fiscal year ended ...\""),
    column("filed_date", pa.date32(), "\"Filed February 23, 2023\""),
    column("amendment", pa.int32(), "\"Amendment No. 2 to ...\""),
    column("draft", pa.bool_(), "a draft registration statement (confidential review)"),
])
SIGNER = pa.struct([pa.field("name", pa.string()), pa.field("title", pa.string())])
STAFF_CONTACT = pa.struct([
    pa.field("name", pa.string()), pa.field("title", pa.string()), pa.field("phone", pa.string())])

LETTERS = pa.schema(
    [
        column("accession_number", pa.string(), "the filing whose main letter this is", nullable=False),
        column("cik", pa.int64(), "the company"),
        column("company_name", pa.string(), "COMPANY CONFORMED NAME at filing time (as filings.company_name)"),
        column("form_type", pa.string(), "UPLOAD | CORRESP | ..."),
        column("filing_date", pa.date32(), "FILED AS OF DATE"),
        column("release_date", pa.date32(), "when EDGAR made it public"),
        column("document_sequence", pa.int32(), "which document of the filing is the letter"),
        column("text_source", pa.string(), "of that document (see documents.text_source)"),
        column("sender", pa.string(), "staff (UPLOAD) | company (CORRESP)"),
        column("letter_date", pa.date32(), "the date the letter is dated (often a day or more before filing)"),
        column("letter_kind", pa.string(),
               "comment | review_complete | no_review | response | acceleration_request | extension_request | "
               "other"),
        column("addressee_name", pa.string(),
               "the person addressed (\"Mses. Kindelan and Collins\" when only the salutation names them)"),
        column("addressee_title", pa.string(), "the addressee's title, as written"),
        column("re_text", pa.string(), "the Re: block as written"),
        column("reviewed_filings", pa.list_(REVIEWED_FILING), "filings the Re: block names"),
        column("file_numbers", pa.list_(pa.string()), "File No. in the Re: block, as written (\"1-6991\")"),
        column("responds_to_date", pa.date32(), "the letter this one answers / reviewed, by the date it cites"),
        column("signers", pa.list_(SIGNER),
               "people who signed (a staff letter signed \"for\" another names the other)"),
        column("staff_division", pa.string(), "\"Division of Corporation Finance\""),
        column("staff_office", pa.string(),
               "signing office (staff) or office addressed (company), one spelling per office (\"Office of Mergers "
               "and Acquisitions\" for \"& \"); prefer it to filings.cf_office, see docs/SCHEMA.md"),
        column("staff_office_raw", pa.string(), "the office as printed, wrapped lines joined"),
        column("staff_contacts", pa.list_(STAFF_CONTACT), "staff named with a phone number in the closing"),
        column("cc_people", pa.list_(pa.string()), "people copied"),
        column("cc_law_firms", pa.list_(pa.string()), "law firms copied"),
        column("cc_audit_firms", pa.list_(pa.string()), "audit firms copied"),
        column("prior_letter_dates", pa.list_(pa.date32()), "staff: its own earlier letters it cites"),
        column("answers_oral_comments", pa.bool_(), "company: answers comments given by telephone"),
        column("n_comments", pa.int32(), "numbered comments (staff) or comments answered (response)"),
        column("has_confidential_treatment", pa.bool_(), "Rule 83 legend or request"),
        column("n_redactions", pa.int32(), "\"[***]\", \"[Redacted]\" markers, now \"[REDACTED]\" in text_clean"),
        column("needs_ocr", pa.bool_(), "the letter is a scan no text could be read from"),
        column("conversation_id", pa.string(), "the review it belongs to (conversations table)"),
        column("responds_to", pa.string(),
               "company letter: the staff letter it answers; staff letter: the company response it reviewed"),
        column("link_method", pa.string(), "cited_date, release_batch, file_number, chronology, ... (+-joined)"),
        column("link_confidence", pa.float32(), "0-1; links below 0.6 are left empty"),
        column("text_clean", pa.large_string(),
               "page furniture and legends removed (original in documents); at most the first 1,000,000 characters"),
        column("reviewed_accessions", pa.list_(pa.string()),
               "the filings the Re: block names (and the header's PUBLIC REFERENCE ACCESSION NUMBER), resolved to "
               "accession numbers from the company's EDGAR listings; join to filings reviewed, e.g. the 10-K"),
        column("text_truncated", pa.bool_(),
               "the letter is longer than 1,000,000 characters: structure and text_clean come from its start"),
        column("year", pa.int16(), "partition: year of filing_date"),
    ],
    metadata={"corpus.schema_version": str(SCHEMA_VERSION), "corpus.table": "letters"},
)

COMMENTS = pa.schema(
    [
        column("accession_number", pa.string(), "the letter (letters.accession_number)", nullable=False),
        column("cik", pa.int64(), "the company"),
        column("filing_date", pa.date32(), "FILED AS OF DATE of the letter"),
        column("sender", pa.string(), "staff: the comment as asked; company: the comment as repeated and answered"),
        column("comment_number", pa.int32(), "the comment's number, 1, 2, 3 ...", nullable=False),
        column("heading", pa.string(), "innermost section heading above the comment (inherited when none)"),
        column("heading_path", pa.list_(pa.string()), "all heading lines above it, outermost first"),
        column("page_refs", pa.list_(pa.string()), "\"44\", \"F-7\", \"69-70\""),
        column("text", pa.large_string(), "the comment (staff) or the comment as the response repeats it"),
        column("prior_comment_refs", pa.list_(pa.int32()),
               "\"prior comment 2\", \"comments 3 and 4\", \"comment one\""),
        column("answer_text", pa.large_string(), "responses only"),
        column("answer_method", pa.string(), "label (\"Response:\") | paragraph (the text after the comment)"
               " | group (one answer after several repeated comments, \"the Staff's comments\")"),
        column("year", pa.int16(), "partition: year of filing_date"),
    ],
    metadata={"corpus.schema_version": str(SCHEMA_VERSION), "corpus.table": "comments"},
)

FAILURES = pa.schema(
    [
        column("accession_number", pa.string(), "the filing", nullable=False),
        column("cik", pa.int64(), "the company, from the listing"),
        column("form_type", pa.string(), "from the listing"),
        column("stage", pa.string(), "crawl | build"),
        column("status", pa.string(), "missing (EDGAR has no such file) | dead (gave up) | unparseable"),
        column("reason", pa.string(), "why, in words"),
        column("url", pa.string(), "the URL tried"),
        column("http_status", pa.int32(), "the last HTTP status, when there was one"),
    ],
    metadata={"corpus.schema_version": str(SCHEMA_VERSION), "corpus.table": "failures"},
)

CONVERSATIONS = pa.schema(
    [
        column("conversation_id", pa.string(), "\"CL-\" + the first staff letter's accession", nullable=False),
        column("cik", pa.int64(), "the company"),
        column("company_name", pa.string(), "the company's name in the first letter's header"),
        column("reviewed_forms", pa.list_(pa.string()), "forms the Re: blocks name (10-K, S-4, ...)"),
        column("reviewed_periods", pa.list_(pa.date32()), "fiscal periods they name"),
        column("file_numbers", pa.list_(pa.string()), "normalized: 001-06991 -> 1-6991"),
        column("reference_accessions", pa.list_(pa.string()), "UPLOAD headers' PUBLIC REFERENCE ACCESSION"),
        column("first_letter_date", pa.date32(), "date of the first letter"),
        column("last_letter_date", pa.date32(), "date of the last letter"),
        column("release_date", pa.date32(), "when EDGAR made the review public (the latest, if several)"),
        column("status", pa.string(),
               "resolved (a completion letter) | effective (a registration statement declared effective, EDGAR's "
               "EFFECT notice) | no_review | open"),
        column("effective_date", pa.date32(), "registration reviews: when EDGAR's notice of effectiveness was filed"),
        column("reviewed_accessions", pa.list_(pa.string()), "the filings the review's letters reviewed (letters."
                                                              "reviewed_accessions, each once)"),
        column("n_letters", pa.int32(), "letters in the review"),
        column("n_staff_letters", pa.int32(), "staff letters, completion and no-review letters included"),
        column("n_responses", pa.int32(), "company letters of kind response"),
        column("n_rounds", pa.int32(), "staff letters with comments"),
        column("n_comments_first_letter", pa.int32(), "numbered comments of the first staff comment letter"),
        column("n_comments_total", pa.int32(), "numbered comments of all its staff comment letters"),
        column("days_to_first_response", pa.int32(),
               "first staff letter -> first answer: the first response letter, or for a registration review an "
               "amended filing (DRS/A, S-1/A, the public S-1 after a draft) filed before any response letter and "
               "within 120 days; first_response_via says which"),
        column("first_response_via", pa.string(), "letter | amended_filing (null: no answer in the corpus)"),
        column("days_to_close", pa.int32(),
               "first staff letter -> completion (or no-review) letter, or -> effectiveness for an effective review"),
        column("release_lag_business_days", pa.int32(), "last letter -> release, US federal business days"),
        column("has_extension_request", pa.bool_(), "the company asked for more time"),
        column("year", pa.int16(), "partition: year of the first letter"),
    ],
    metadata={"corpus.schema_version": str(SCHEMA_VERSION), "corpus.table": "conversations"},
)

COMMENT_RESPONSES = pa.schema(
    [
        column("conversation_id", pa.string(), "the review"),
        column("cik", pa.int64(), "the company"),
        column("staff_accession", pa.string(), "the staff letter", nullable=False),
        column("comment_number", pa.int32(), "the staff comment's number", nullable=False),
        column("heading", pa.string(), "the heading above the staff comment"),
        column("comment_text", pa.large_string(), "the staff comment"),
        column("response_accession", pa.string(), "the response to the staff letter (NULL: none in the corpus)"),
        column("response_comment_number", pa.int32(), "the comment as the response numbers it"),
        column("response_text", pa.large_string(), "the answer"),
        column("match_method", pa.string(),
               "number | text (the repeated comment's words) | whole_letter (a response that numbers no answer: its"
               " body answers every comment of the letter) | NULL: not found"),
        column("continues_accession", pa.string(), "a follow-up: the earlier staff letter ..."),
        column("continues_comment_number", pa.int32(), "... and its comment it refers to (\"prior comment 2\")"),
        column("year", pa.int16(), "partition: year of the staff letter"),
    ],
    metadata={"corpus.schema_version": str(SCHEMA_VERSION), "corpus.table": "comment_responses"},
)


COMMENT_TOPICS = pa.schema(
    [
        column("accession_number", pa.string(), "the staff letter (letters.accession_number)", nullable=False),
        column("cik", pa.int64(), "the company"),
        column("filing_date", pa.date32(), "FILED AS OF DATE of the letter"),
        column("comment_number", pa.int32(), "the comment (comments.comment_number)", nullable=False),
        column("topic", pa.string(), "a key of taxonomy v1 (docs/comment-topics.md); other when none fits",
               nullable=False),
        column("method", pa.string(), "what decided: citation | text | heading | form (the filing reviewed) | default"),
        column("confidence", pa.float32(), "0-1: how much evidence there was"),
        column("evidence", pa.string(), "the words that decided (a cue, the citation as written, the heading)"),
        column("year", pa.int16(), "partition: year of filing_date"),
    ],
    metadata={"corpus.schema_version": str(SCHEMA_VERSION), "corpus.table": "comment_topics"},
)

CITATIONS = pa.schema(
    [
        column("accession_number", pa.string(), "the letter: a staff letter, or a response", nullable=False),
        column("cik", pa.int64(), "the company"),
        column("filing_date", pa.date32(), "FILED AS OF DATE of the letter"),
        column("comment_number", pa.int32(), "the comment (comments.comment_number)", nullable=False),
        column("in_answer", pa.bool_(), "found in the company's answer (else in the staff comment or its heading)"),
        column("system", pa.string(), "ASC | pre-codification | IFRS | S-K | S-X | SAB | C&DI | rule | form_item",
               nullable=False),
        column("ref", pa.string(), "normalized: 606-10-25-19, 303(a)(3)(ii), 3-05, Topic 11.M, 100.01, 14a-8, "
                                   "8-K 2.02 (docs/comment-topics.md)", nullable=False),
        column("raw", pa.string(), "as written in the letter"),
        column("year", pa.int16(), "partition: year of filing_date"),
    ],
    metadata={"corpus.schema_version": str(SCHEMA_VERSION), "corpus.table": "citations"},
)
