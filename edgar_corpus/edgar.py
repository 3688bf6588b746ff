"""EDGAR primitives every stage shares: accession numbers, EDGAR dates, form types, letter kinds, fair-access limits.

A neutral module: it imports nothing of the project, so the crawler, the parsers and the corpus code can all
use it without importing each other.
"""

from __future__ import annotations

import re
from datetime import date, datetime

# -- fair access (docs/reference/edgar-interface.md §2) ---------------------------------------------------
SEC_MAX_REQUESTS = 10  # the SEC's limit: requests per second, all of a user's traffic to all its hosts together
SEC_WINDOW_SECONDS = 1.0
MIN_DELAY = 0.11  # seconds between two requests, even at 10/s, so network jitter cannot make 11 in a second
MIN_RATE = 0.1  # requests per second; below this a crawl would take days per index file and look stuck
MIN_THROTTLE_PAUSE = 60.0  # seconds; the SEC's block lasts 10 minutes, a shorter pause only re-arms it
SEC_HOSTS = frozenset({"www.sec.gov", "sec.gov", "data.sec.gov", "efts.sec.gov"})

# -- identifiers ---------------------------------------------------------------------------------------------
ACCESSION = re.compile(r"\d{10}-\d{2}-\d{6}")  # submitter id (0000000000 = SEC staff), year, sequence


def is_accession(value: object) -> bool:
    """A well-formed accession number, `0000320193-24-000006`."""
    return isinstance(value, str) and ACCESSION.fullmatch(value) is not None


def accession_folder(accession: str) -> str:
    """The 18-digit folder name of an accession in /Archives/edgar/data/<cik>/."""
    return accession.replace("-", "")


def parse_edgar_date(value: str | bytes | None) -> date | None:
    """`YYYYMMDD` (header and daily-index style) or `YYYY-MM-DD` (quarterly-index style) to a date; None when
    absent or invalid."""
    if not value:
        return None
    text = value.decode("ascii", "replace") if isinstance(value, bytes) else value
    text = text.strip().replace("-", "")
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


# -- forms and letters -----------------------------------------------------------------------------------------
STAFF_LETTER, COMPANY_LETTER = "UPLOAD", "CORRESP"
DEFAULT_FORMS = (STAFF_LETTER, COMPANY_LETTER)
DRAFT_FORMS = ("DRSLTR", "DOSLTR")  # letters about draft registration statements (confidential reviews)
STAFF_FORMS = frozenset({"UPLOAD", "SEC STAFF LETTER", "SEC STAFF ACTION"})
LETTER_FORMS = (*DEFAULT_FORMS, *DRAFT_FORMS, "SEC STAFF LETTER", "SEC STAFF ACTION")  # what `--forms` may keep
EFFECTIVENESS_FORM = "EFFECT"  # the notice that a registration statement was declared effective

STAFF, COMPANY = "staff", "company"  # letters.sender
COMMENT, REVIEW_COMPLETE, NO_REVIEW = "comment", "review_complete", "no_review"
RESPONSE, ACCELERATION_REQUEST, EXTENSION_REQUEST, OTHER = (
    "response", "acceleration_request", "extension_request", "other")
STAFF_KINDS = (COMMENT, REVIEW_COMPLETE, NO_REVIEW)
COMPANY_KINDS = (RESPONSE, ACCELERATION_REQUEST, EXTENSION_REQUEST, OTHER)
LETTER_KINDS = (*STAFF_KINDS, *COMPANY_KINDS)


def sender_of(form_type: str | None) -> str:
    """Who wrote a letter of this form: the SEC's staff (UPLOAD) or the company (CORRESP and the rest)."""
    return STAFF if (form_type or "").upper() in STAFF_FORMS else COMPANY
