"""Clean letter text: page furniture removed, Rule 83 legends and redaction markers detected.

Pure functions over text. What is removed is furniture that repeats on every page and carries
no content: the running page header of a letter (addressee, company, date, "Page N"), page
numbers, the staff template's mail-merge residue ("FirstName LastName", "Comapany Name"), the
staff letterhead, and Rule 83 legends ("Confidential Treatment Requested by ..."). Redaction
markers ("[***]", "[Redacted]") are counted and normalized to `[REDACTED]`. The original text
stays in `documents.text`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from pipelines.dates import DATE_TEXT, join_spaced_date_digits

REDACTED = "[REDACTED]"

_DATE_LINE = re.compile(rf"(?:{DATE_TEXT})\.?", re.IGNORECASE)
_PAGE_LINE = re.compile(r"(?:page|pg\.?)\s*\d{1,3}(?:\s*of\s*\d{1,3})?|-\s*\d{1,3}\s*-", re.IGNORECASE)
_DATE_PAGE_LINE = re.compile(rf"(?:{DATE_TEXT})\s*(?:,?\s*page\s*)?\d{{1,3}}", re.IGNORECASE)
# a running header flattened onto one line: "Chad Kolean Cellectar Biosciences, Inc. July 31, 2017 Page 2"
_FLAT_HEADER_LINE = re.compile(rf".{{0,120}}?(?:{DATE_TEXT})\s*,?\s*(?:page|pg\.?)\s*\d{{1,3}}(?:\s*of\s*\d{{1,3}})?",
                               re.IGNORECASE)
_LONE_INTEGER = re.compile(r"\d{1,3}")
_TEMPLATE_RESIDUE = re.compile(r"(?:FirstName LastName|Comapany Name|Company Name[A-Z])")
_LETTERHEAD_PART = (r"(?:united states securities and exchange commission logo|united states|securities and exchange "
                    r"commission|washington,? d\.?\s?c\.? 20549|division of|corporation finance|mail stop \d+)")
# one part a line, or all of them flattened onto one ("UNITED STATES SECURITIES AND EXCHANGE COMMISSION WASHINGTON...")
_LETTERHEAD = re.compile(rf"{_LETTERHEAD_PART}(?:\s+{_LETTERHEAD_PART})*", re.IGNORECASE)
LEGEND_START = re.compile(
    r"(?:foia\s+)?confidential\s+treatment\s+(?:requested|request)\b|this (?:filing|letter) has omitted confidential"
    r"|\*+\s*-?\s*information (?:has been )?omitted|pursuant to 17 c\.?\s?f\.?\s?r\.?\s?(?:§|section)?\s*200\.83",
    re.IGNORECASE,
)
# lines that continue a legend: "BY ELECTRONIC ARTS INC.: EA-001", "WALMART INC. PURSUANT TO 17 C.F.R.
# §200.83", "AI-001"
_LEGEND_CONTINUATION = re.compile(
    r"(?:by\s+)?[A-Z0-9][A-Z0-9 .,&'’-]{1,80}(?::\s*[A-Z]{1,6}[- ]?\d[\d ]*|pursuant to 17 c\.?\s?f\.?\s?r\.?.*)"
    r"|[A-Z]{1,6}-\s?\d{2,6}|\(?rule 83\)?",
    re.IGNORECASE,
)
_BLANK_RUNS = re.compile(r"\n{3,}")
_SPACE_RUNS = re.compile(r" {2,}")
_LEGEND_HINT = re.compile(r"onfidential|ONFIDENTIAL|200\.83|omitted|OMITTED")
_CTR_MENTION = re.compile(r"rule 83|200\.83|confidential treatment", re.IGNORECASE)
_REDACTION = re.compile(
    r"\[\s*\*[\s*]*\]|\[\s*(?:information\s+)?redacted\b[^\]]{0,400}\]|\[\s*(?:text\s+)?omitted\s*\]",
    re.IGNORECASE | re.DOTALL,
)
_LONE_MARKER = re.compile(r"(?:\(?\d{1,2}[.)]|\(?[a-z][.)]|\([ivx]{1,4}\)|[•·◦▪●○§-])", re.IGNORECASE)
_SALUTATION = re.compile(r"(?:dear\b|ladies and gentlemen|gentlemen\b|to whom it may concern)", re.IGNORECASE)
# (str.translate with a dict is slow on long texts; a few replace calls are not)
_CHAR_FIXES = (("\r\n", "\n"), ("\r", "\n"), ("\xa0", " "), ("\ufeff", ""), ("\u200b", ""), ("\ufffe", "-"),
               ("\u00ad", ""), ("\t", " "))


@dataclass(slots=True)
class CleanText:
    text: str
    has_confidential_treatment: bool
    n_redactions: int


def _norm(line: str) -> str:
    return " ".join(line.split()).lower()


def _salutation_line(lines: list[str]) -> int | None:
    """Index of the "Dear ...:" line (a long letterhead can put it 150 lines down)."""
    return next((i for i, line in enumerate(lines[:160]) if _SALUTATION.match(line.strip())), None)


def _letter_head(lines: list[str], limit: int = 40) -> set[str]:
    """The lines above the salutation: the page-2+ running header repeats some of them."""
    head: set[str] = set()
    for line in lines[:limit]:
        if _SALUTATION.match(line.strip()) or re.match(r"re\s*:", line.strip(), re.IGNORECASE):
            break  # the Re: block names filings that body headings repeat; the running header never does
        if line.strip():
            head.add(_norm(line))
    return head


def _is_header_line(line: str, head: set[str]) -> bool:
    stripped = line.strip()
    if not stripped:
        return False
    norm = _norm(stripped)
    # the header may shorten a head line: "Dr. Jeffrey M. Leiden" for "Dr. Jeffrey M. Leiden, M.D., Ph.D."
    return (norm in head or (len(stripped) < 25 and bool(_DATE_LINE.fullmatch(stripped)))
            or any(h.startswith(norm + ",") for h in head))


# a draft's date left as a placeholder: "[●], 2022", "[•] 2023"
_PLACEHOLDER_DATE = re.compile(r"\[\s*[●•*_.\s]{0,5}\]\s*,?\s*(?:19|20)\d\d")


def remove_running_headers(lines: list[str]) -> list[str]:
    """Drop each "Page N" line with the header lines around it that repeat the letter's head; below the
    salutation also a header without its page number: a line of the head over a date ("Securities and Exchange
    Commission" / "[●], 2022")."""
    head = _letter_head(lines)
    salutation = _salutation_line(lines)
    drop: set[int] = set()
    for i, line in enumerate(lines):
        stripped = line.strip()
        if (salutation is not None and i > salutation + 1 and len(stripped) < 25
                and (_PLACEHOLDER_DATE.fullmatch(stripped) or _DATE_LINE.fullmatch(stripped))
                and lines[i - 1].strip() and _norm(lines[i - 1]) in head):
            drop.add(i)
            j = i - 1
            while j > salutation and j >= i - 4 and lines[j].strip() and _norm(lines[j]) in head:
                drop.add(j)
                j -= 1
            continue
        if len(stripped) >= 30 and len(stripped) < 160 and _FLAT_HEADER_LINE.fullmatch(stripped):
            drop.add(i)
            continue
        if len(stripped) < 30 and (_PAGE_LINE.fullmatch(stripped) or _DATE_PAGE_LINE.fullmatch(stripped)):
            drop.add(i)
            first_page = re.fullmatch(r"(?:page|pg\.?)\s*1(?:\s*of\s*\d+)?", stripped, re.IGNORECASE)
            for step in (-1,) if first_page else (-1, 1):  # below a "Page 1" header is the letter itself
                j, taken = i + step, 0
                while 0 <= j < len(lines) and taken < 5 and (
                        _is_header_line(lines[j], head) or (not lines[j].strip() and taken < 4)):
                    drop.add(j)
                    j += step
                    taken += 1
    return [line for i, line in enumerate(lines) if i not in drop]


# a postal address with its ZIP code ("... Redwood City, CA 94065 [TEL] 650 628 1500", "Las Vegas, Nevada 89109")
_POSTAL = re.compile(r"\b(?:[A-Z]{2}|[A-Z][a-z]+),?\s+\d{5}(?:-\d{4})?\b")


def remove_repeated_footers(lines: list[str]) -> list[str]:
    """A company's letterhead footer, printed on every page: an address line that recurs below the salutation
    (it splits sentences and would be taken for a heading)."""
    salutation = _salutation_line(lines)
    if salutation is None:
        return lines
    counts = Counter(_norm(line) for line in lines[salutation + 1:]
                     if len(line) < 200 and len(line.split()) >= 3 and _POSTAL.search(line))
    footers = {line for line, n in counts.items() if n >= 2}
    if not footers:
        return lines
    return lines[:salutation + 1] + [line for line in lines[salutation + 1:] if _norm(line) not in footers]


def remove_template_residue(lines: list[str]) -> list[str]:
    """The staff template's mail-merge fields ("FirstName LastName...", "Comapany Name...") and the
    "<date> Page N" line printed with them."""
    out, after_residue = [], False
    for line in lines:
        stripped = line.strip()
        if _TEMPLATE_RESIDUE.match(stripped):
            after_residue = True
            continue
        if after_residue and len(stripped) < 30 and _DATE_PAGE_LINE.fullmatch(stripped):
            continue
        after_residue = False
        out.append(line)
    return out


def remove_letterhead(lines: list[str]) -> list[str]:
    """The staff letterhead above the date ("UNITED STATES / SECURITIES AND EXCHANGE COMMISSION ...")."""
    i = 0
    while i < min(len(lines), 8) and (not lines[i].strip() or _LETTERHEAD.fullmatch(lines[i].strip())):
        i += 1
    return lines[i:]


def remove_legends(lines: list[str]) -> tuple[list[str], bool]:
    """Rule 83 legends out; True when any was found."""
    out, found, in_legend = [], False, False
    for line in lines:
        stripped = line.strip()
        if LEGEND_START.match(stripped) and len(stripped) < 400:
            found, in_legend = True, True
            continue
        if in_legend and stripped and len(stripped) < 120 and _LEGEND_CONTINUATION.fullmatch(stripped):
            continue
        in_legend = False
        out.append(line)
    return out, found


def remove_page_numbers(lines: list[str]) -> list[str]:
    """Lone integer lines that count pages (1, 2, 3, ... in order); numbers in tables stay."""
    expected, drop = None, set()
    for i, line in enumerate(lines):
        stripped = line.strip()
        if len(stripped) <= 3 and _LONE_INTEGER.fullmatch(stripped):
            value = int(stripped)
            if (expected is None and value in (1, 2)) or value == expected:
                drop.add(i)
                expected = value + 1
    return [line for i, line in enumerate(lines) if i not in drop] if len(drop) >= 2 else lines


def join_lone_markers(lines: list[str]) -> list[str]:
    """ "1." or "•" alone on a line (HTML list items, PDF margins) joined to the text after it."""
    out: list[str] = []
    pending = ""
    for line in lines:
        stripped = line.strip()
        if len(stripped) <= 6 and _LONE_MARKER.fullmatch(stripped):
            pending = (pending + " " + stripped).strip()
            continue
        if pending and stripped:
            out.append(pending + " " + stripped)
            pending = ""
        elif not stripped and pending:
            continue
        else:
            out.append(line)
    if pending:
        out.append(pending)
    return out


def count_redactions(text: str) -> tuple[str, int]:
    count = 0

    def mark(_match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return REDACTED

    return _REDACTION.sub(mark, text), count


def clean_letter_text(text: str) -> CleanText:
    """Page furniture out, legends detected, redactions counted; the body intact otherwise."""
    for old, new in _CHAR_FIXES:
        if old in text:
            text = text.replace(old, new)
    text = join_spaced_date_digits(text)
    pages = text.split("\f")
    lines: list[str] = []
    for page in pages:
        lines.extend(line.strip() for line in page.split("\n"))
    if "FirstName" in text or "Comapany" in text or "Company Name" in text:
        lines = remove_template_residue(lines)
    lines, has_legend = remove_legends(lines) if _LEGEND_HINT.search(text) else (lines, False)
    lines = remove_letterhead(lines)
    lines = remove_running_headers(lines)
    lines = remove_repeated_footers(lines)
    lines = remove_page_numbers(lines)
    lines = join_lone_markers(lines)
    cleaned = _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
    if "  " in cleaned:
        cleaned = _SPACE_RUNS.sub(" ", cleaned)
    cleaned, n_redactions = count_redactions(cleaned)
    has_ctr = has_legend or (n_redactions > 0 and bool(_CTR_MENTION.search(cleaned)))
    return CleanText(cleaned, has_ctr, n_redactions)
