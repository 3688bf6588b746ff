"""Parse EDGAR's listings: quarterly and daily index files, and submissions JSON. Pure functions.

Formats in docs/reference/edgar-interface.md §4. Index data lines start after the dashed line (the header length
varies); `form.idx` rows are split from the right because long company names can overflow their
column in quarterly files; Date Filed is `YYYY-MM-DD` in quarterly files and `YYYYMMDD` in daily ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from edgar_corpus.edgar import is_accession, parse_edgar_date

_ACCESSION = re.compile(r"(\d{10}-\d{2}-\d{6})\.txt$")
_FILING_PATH = re.compile(r"edgar/data/\S*\.txt$")  # a row that names a filing, whether or not it is well-formed


class ListingError(ValueError):
    """A listing that cannot be read as what it claims to be; the message says why."""


@dataclass(frozen=True, slots=True)
class ListedFiling:
    """One filing as a listing names it. `cik` comes from the listing, never from the accession."""

    accession_number: str
    cik: int
    form_type: str
    date_filed: date | None
    company_name: str = ""


def _data_lines(text: str) -> Iterator[str]:
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("-----"):
            yield from (raw for raw in lines[i + 1 :] if raw.strip())
            return


def malformed_rows(text: str, parsed: list[ListedFiling]) -> int:
    """Lines of an index file that name a filing (`edgar/data/....txt`) but were not parsed into `parsed`:
    the filings they stand for cannot be crawled, so the listing is incomplete."""
    return max(0, sum(1 for line in _data_lines(text) if _FILING_PATH.search(line)) - len(parsed))


def parse_form_index(text: str) -> list[ListedFiling]:
    """Rows of a `form.idx` (quarterly or daily). Lines that do not parse are skipped (`malformed_rows`
    counts those that named a filing)."""
    rows = []
    for line in _data_lines(text):
        parts = line[12:].rsplit(None, 3)
        if len(parts) != 4 or not parts[1].isdigit():
            continue
        company, cik, filed, path = parts
        match = _ACCESSION.search(path)
        form = line[:12].strip()
        if not match or not form:
            continue
        rows.append(ListedFiling(match.group(1), int(cik), form, parse_edgar_date(filed), company.strip()))
    return rows


def parse_master_index(text: str) -> list[ListedFiling]:
    """Rows of a pipe-delimited `master.idx` (CIK|Company Name|Form Type|Date Filed|File Name)."""
    rows = []
    for line in _data_lines(text):
        parts = line.split("|")
        if len(parts) != 5 or not parts[0].strip().isdigit():
            continue
        cik, company, form, filed, path = (p.strip() for p in parts)
        match = _ACCESSION.search(path)
        if match:
            rows.append(ListedFiling(match.group(1), int(cik), form, parse_edgar_date(filed), company))
    return rows


@dataclass(slots=True)
class Submissions:
    """One submissions JSON file: its filings, the older pages it names, and rows that could not be read."""

    filings: list[ListedFiling]
    pages: list[str]
    malformed: int = 0  # rows with a null or malformed accession number, or no form


_PAGE_NAME = re.compile(r"CIK\d{10}-submissions-\d{3}\.json")


def parse_submissions(payload: object, cik: int) -> Submissions:
    """Filings of a submissions JSON (main file or a `-submissions-NNN.json` page) and the pages it names.

    The main file nests the columns under `filings.recent` and lists older pages in `filings.files`;
    a page file is the bare column object (docs/reference/edgar-interface.md §4.4). ListingError when it is neither.
    """
    if not isinstance(payload, dict):
        raise ListingError(f"not a submissions object (a JSON {type(payload).__name__})")
    filings = payload.get("filings")
    columns = filings.get("recent", {}) if isinstance(filings, dict) else payload
    if not isinstance(columns, dict) or not isinstance(columns.get("accessionNumber"), list):
        raise ListingError("no accessionNumber column: not a submissions file")
    files = filings.get("files", []) if isinstance(filings, dict) else []
    pages = [f["name"] for f in files if isinstance(f, dict) and _PAGE_NAME.fullmatch(str(f.get("name", "")))]
    malformed = sum(1 for f in files if not (isinstance(f, dict) and _PAGE_NAME.fullmatch(str(f.get("name", "")))))
    name = payload.get("name", "") if isinstance(filings, dict) else ""
    accessions = columns["accessionNumber"]
    forms = columns.get("form") or []
    dates = columns.get("filingDate") or []
    rows = []
    for i, accession in enumerate(accessions):
        form = forms[i] if i < len(forms) else None
        if not is_accession(accession) or not isinstance(form, str) or not form:
            malformed += 1
            continue
        rows.append(ListedFiling(accession, cik, form, parse_edgar_date(dates[i] if i < len(dates) else None),
                                 name if isinstance(name, str) else ""))
    return Submissions(rows, pages, malformed)


def quarters_between(start: date, end: date) -> list[tuple[int, int]]:
    """(year, quarter) pairs from the quarter of `start` to the quarter of `end`, inclusive."""
    first, last = (start.year, (start.month - 1) // 3 + 1), (end.year, (end.month - 1) // 3 + 1)
    out = []
    year, quarter = first
    while (year, quarter) <= last:
        out.append((year, quarter))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return out


def add_quarters(day: date, n: int) -> date:
    """The first day of the quarter `n` quarters after the one holding `day`."""
    index = day.year * 4 + (day.month - 1) // 3 + n
    return date(index // 4, (index % 4) * 3 + 1, 1)


def business_days(start: date, end: date) -> Iterable[date]:
    """Weekdays from start to end inclusive (holidays are found by EDGAR's 403, not guessed here)."""
    day = start
    while day <= end:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)
