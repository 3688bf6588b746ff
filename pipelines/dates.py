"""Dates as letters write them ("April 2, 2024", "Sept. 30, 2016", "December\n23, 2015"). Pure functions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
# one group per part; the month names are matched by their first three letters
DATE_PATTERN = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?"
    r"\s*,?\s*(?P<year>(?:19|20)\d{2})(?!\d)"
)
DATE_TEXT = re.sub(r"\(\?P<\w+>", "(?:", DATE_PATTERN)  # the same without group names, to build other patterns
_DATE = re.compile(DATE_PATTERN, re.IGNORECASE)


def date_from_match(match: re.Match[str]) -> date | None:
    try:
        return date(int(match.group("year")), MONTHS[match.group("month")[:3].lower()], int(match.group("day")))
    except ValueError:  # "February 30, 2020" in a typo
        return None


def parse_date(text: str) -> date | None:
    """The first date written in `text`, or None."""
    for found in find_dates(text):
        return found[1]
    return None


def find_dates(text: str) -> Iterator[tuple[re.Match[str], date]]:
    for match in _DATE.finditer(text):
        value = date_from_match(match)
        if value is not None:
            yield match, value
