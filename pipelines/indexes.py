"""Parse EDGAR's listings: quarterly and daily index files, and submissions JSON. Pure functions.

Formats in edgar-interface.md §4. Index data lines start after the dashed line (the header length
varies); `form.idx` rows are split from the right because long company names can overflow their
column in quarterly files; Date Filed is `YYYY-MM-DD` in quarterly files and `YYYYMMDD` in daily ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from pipelines.sgml import parse_edgar_date

_ACCESSION = re.compile(r"(\d{10}-\d{2}-\d{6})\.txt$")


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


def parse_form_index(text: str) -> list[ListedFiling]:
    """Rows of a `form.idx` (quarterly or daily). Lines that do not parse are skipped."""
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


def parse_submissions(payload: dict, cik: int) -> tuple[list[ListedFiling], list[str]]:
    """Filings of a submissions JSON (main file or a `-submissions-NNN.json` page) and the pages it names.

    The main file nests the columns under `filings.recent` and lists older pages in `filings.files`;
    a page file is the bare column object (edgar-interface.md §4.4).
    """
    filings = payload.get("filings")
    columns = filings.get("recent", {}) if isinstance(filings, dict) else payload
    pages = [f["name"] for f in filings.get("files", []) if "name" in f] if isinstance(filings, dict) else []
    name = payload.get("name", "") if isinstance(filings, dict) else ""
    accessions = columns.get("accessionNumber", [])
    forms = columns.get("form", [])
    dates = columns.get("filingDate", [])
    rows = [
        ListedFiling(acc, cik, form, parse_edgar_date(filed), name)
        for acc, form, filed in zip(accessions, forms, dates, strict=False)
    ]
    return rows, pages


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
