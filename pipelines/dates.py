"""Dates as letters write them ("April 2, 2024", "Sept. 30, 2016", "December\n23, 2015"). Pure functions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

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


# a PDF text layer's stray spaces inside a date's digits: "September 9, 2 024", "July 3 1, 2017"
_SPACED_DATE = re.compile(
    r"(?P<month>(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+)(?P<day>\d(?: ?\d)?)"
    r"(?P<sep>(?:st|nd|rd|th)?\s*,\s*|\s+)(?P<year>[12] ?[09] ?\d ?\d)(?!\d)", re.IGNORECASE)


def join_spaced_date_digits(text: str) -> str:
    """Dates with stray spaces between their digits written whole again; any other text is left as it is."""
    def fix(match: re.Match[str]) -> str:
        day, year = match.group("day").replace(" ", ""), match.group("year").replace(" ", "")
        if not ("19" <= year[:2] <= "20" and 1 <= int(day) <= 31):
            return match.group(0)
        return f"{match.group('month')}{day}{match.group('sep')}{year}"
    return _SPACED_DATE.sub(fix, text) if re.search(r"\d \d", text) else text


def date_from_match(match: re.Match[str]) -> date | None:
    try:
        return date(int(match.group("year")), MONTHS[match.group("month")[:3].lower()], int(match.group("day")))
    except ValueError:  # "February 30, 2020" in a typo
        return None


def find_dates(text: str) -> Iterator[tuple[re.Match[str], date]]:
    for match in _DATE.finditer(text):
        value = date_from_match(match)
        if value is not None:
            yield match, value


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th given weekday of a month (n = -1: the last)."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    return day - timedelta(days=1) if day.weekday() == 5 else day + timedelta(days=1) if day.weekday() == 6 else day


def federal_holidays(year: int) -> set[date]:
    """US federal holidays as observed (the days EDGAR and the SEC are closed)."""
    days = {
        _observed(date(year, 1, 1)), _nth_weekday(year, 1, 0, 3), _nth_weekday(year, 2, 0, 3),
        _nth_weekday(year, 5, 0, -1), _observed(date(year, 7, 4)), _nth_weekday(year, 9, 0, 1),
        _nth_weekday(year, 10, 0, 2), _observed(date(year, 11, 11)), _nth_weekday(year, 11, 3, 4),
        _observed(date(year, 12, 25)),
    }
    if year >= 2021:
        days.add(_observed(date(year, 6, 19)))
    return days


def business_days_between(start: date, end: date) -> int:
    """Business days after `start` up to and including `end` (negative when end is before start)."""
    if end < start:
        return -business_days_between(end, start)
    holidays = set().union(*(federal_holidays(y) for y in range(start.year, end.year + 1)))
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            count += 1
    return count
