"""Which EDGAR filing a letter reviewed: the Re: block's filings resolved to accession numbers from the company's
EDGAR listings (index rows and submissions JSON the crawl already read), and the UPLOAD header's PUBLIC REFERENCE
ACCESSION NUMBER where EDGAR gives one. Pure functions over plain values.

A named filing is matched by its form family (a "Form 10-K/A" or "Amendment No. 2 to Form S-1" is the /A of its
form; a preliminary proxy is PRE 14A, PREC14A or PREM14A, a definitive one DEF 14A and its kin; a draft
registration statement DRS or DRS/A), then by its filed date when the Re: block gives one, else by its fiscal
period (the report filed within a year after the period ends, nearest first), else the latest one before the
letter. An amendment numbered N is the N-th amendment of that form when the date does not decide.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from pipelines.indexes import ListedFiling

# listings rows worth keeping for this (the forms letters review, and EDGAR's notices of effectiveness)
REVIEWABLE = re.compile(r"^(?:10-K|10-Q|10-KT|10-QT|20-F|40-F|8-K|6-K|11-K|10-12[BG]|10-\d|S-\d|F-\d|S-11|N-\d|"
                        r"DEF|DEFA|DEFM|DEFC|DEFR|DEF 14|PRE|PREC|PREM|PRER|PRRN|DFAN|DRS|SC |SC TO|SC 13E|SC 14D|"
                        r"SCHEDULE|424B|POS AM|1-A|EFFECT|40-F|425)")
_SAME_DAY = timedelta(days=3)  # a Re: block's "filed" date and EDGAR's can differ by a day or a weekend
_REGISTRATION = re.compile(r"^(?:S-\d+|F-\d+|S-11|10-12[BG])$")


def listed_form_family(named: str, description: str, amendment: int | None, draft: bool) -> tuple[set[str], bool]:
    """The EDGAR form types a Re: block's filing can be, and whether it is an amendment."""
    form = re.sub(r"\s+", " ", (named or "").upper()).replace("FORM ", "").strip()
    text = (description or "").lower()
    amended = bool(amendment) or form.endswith("/A") or bool(re.search(r"\bamend(?:ed|ment)\b", text))
    base = form.removesuffix("/A")
    if draft or base.startswith("DRS"):
        return {"DRS", "DRS/A"}, amended
    if "14A" in base or "14C" in base or "proxy" in text or "information statement" in text:
        letter = "C" if "14C" in base or "information statement" in text else "A"
        if "preliminary" in text or base.startswith("PRE"):
            return {f"PRE 14{letter}", "PREC14A", "PREM14A", "PRER14A", "PRRN14A", "PREN14A"}, amended
        if "definitive" in text or base.startswith("DEF"):
            return {f"DEF 14{letter}", "DEFA14A", "DEFC14A", "DEFM14A", "DEFR14A", "DEFN14A"}, amended
        return {f"PRE 14{letter}", f"DEF 14{letter}", "PREC14A", "PREM14A", "DEFM14A", "DEFC14A", "DFAN14A"}, amended
    if base.startswith(("SC TO", "SCHEDULE TO")):
        kind = base.split("-")[-1] if "-" in base else ""
        forms = {f"SC TO-{kind}"} if kind in ("T", "I", "C") else {"SC TO-T", "SC TO-I", "SC TO-C"}
        return forms | {f + "/A" for f in forms}, amended
    if base in ("FORM 10", "10"):
        return {"10-12B", "10-12G", "10-12B/A", "10-12G/A", "DRS", "DRS/A"}, amended
    if not base:
        return set(), amended
    if _REGISTRATION.match(base):  # a registration statement may also be its confidential draft (DRS)
        return {base, base + "/A", "DRS", "DRS/A"}, amended
    return {base, base + "/A"}, amended


def _candidates(listed: Iterable[ListedFiling], forms: set[str], amended: bool) -> list[ListedFiling]:
    wanted = {f for f in forms if f.endswith("/A") == amended} or forms
    return [row for row in listed if row.form_type.upper() in wanted and row.date_filed is not None]


def resolve_named(named: dict[str, Any], letter_date: date | None, listed: list[ListedFiling]) -> str | None:
    """The accession of one filing a Re: block names (a reviewed_filings entry), or None when not listed."""
    forms, amended = listed_form_family(named.get("form_type") or "", named.get("description") or "",
                                        named.get("amendment"), bool(named.get("draft")))
    if not forms:
        return None
    family = [r for r in listed if r.form_type.upper() in forms and r.date_filed is not None
              and (letter_date is None or r.date_filed <= letter_date + _SAME_DAY)]
    filed, period = named.get("filed_date"), named.get("period_end")
    if filed is not None:  # the date decides; the Re: block's word "amendment" may sit on another line
        near = sorted(family, key=lambda r: (abs((r.date_filed - filed).days), r.form_type.endswith("/A") != amended,
                                             r.form_type.startswith("DRS"), r.accession_number))
        near = [r for r in near if abs(r.date_filed - filed) <= _SAME_DAY]
        return near[0].accession_number if near else None
    rows = _candidates(family, forms, amended) or (_candidates(family, forms, not amended)
                                                   if not named.get("amendment") else [])
    rows = [r for r in rows if not r.form_type.startswith("DRS") or "DRS" in named.get("form_type", "").upper()
            or named.get("draft")]
    if not rows:
        return None
    if period is not None:
        after = sorted((r.date_filed, r.accession_number) for r in rows
                       if period < r.date_filed <= period + timedelta(days=400))
        return after[0][1] if after else None
    if named.get("amendment"):
        ordered = sorted(rows, key=lambda r: (r.date_filed, r.accession_number))
        amendments = [r for r in ordered if r.form_type.endswith("/A")]
        if len(amendments) >= named["amendment"]:
            return amendments[named["amendment"] - 1].accession_number
    return max(rows, key=lambda r: (r.date_filed, r.accession_number)).accession_number


def reviewed_accessions(reviewed_filings: list[dict[str, Any]], letter_date: date | None, listed: list[ListedFiling],
                        reference_accession: str | None = None) -> list[str]:
    """The accession numbers of the filings a letter reviewed, in the Re: block's order, each once."""
    out: list[str] = []
    for named in reviewed_filings or ():
        accession = resolve_named(named, letter_date, listed)
        if accession and accession not in out:
            out.append(accession)
    if reference_accession and reference_accession not in out:
        out.append(reference_accession)
    return out
