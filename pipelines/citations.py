"""Citations in a staff comment or a company answer: ASC, pre-codification standards, IFRS, Regulation S-K
items, Regulation S-X rules, SABs, C&DIs, Securities Act and Exchange Act rules, and form items, normalized as
docs/comment-topics.md (taxonomy v1) says. Pure functions over text.

A citation is an explicit reference to an authoritative source; page numbers, the company's own filings,
dates and file numbers are not. Each is kept once per comment, with the text as written (`raw`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

ASC, PRE, IFRS, SK, SX, SAB, CDI, RULE, FORM_ITEM = (
    "ASC", "pre-codification", "IFRS", "S-K", "S-X", "SAB", "C&DI", "rule", "form_item")
SYSTEMS = (ASC, PRE, IFRS, SK, SX, SAB, CDI, RULE, FORM_ITEM)


@dataclass(frozen=True, slots=True)
class Citation:
    system: str
    ref: str
    raw: str  # the words as written
    start: int  # where in the text (for ordering and evidence)


_DASH = "[-\u2010\u2011\u2012\u2013\u2014]"
_SUB = r"(?:\((?:[a-z]{1,4}|[ivxlc]+|\d{1,2}|[A-Z])\))"  # (a), (iii), (1), (A)
# 606, 606-10, 606-10-25, 606-10-25-19
# Topic, Subtopic (2 or 3 digits: 944-605), Section (2 digits, or S99 for the SEC's), paragraph
_PARA = rf"\d{{3}}(?:{_DASH}\d{{2,3}}(?:{_DASH}(?:\d{{2}}|S\d{{2}})(?:{_DASH}\d{{1,3}}[A-Z]?)?)?)?"

# ASC: "ASC 606-10-25-19", "FASB ASC Topic 280", "ASC Subtopic 350-20", "Topic 842", "paragraph 350-20-35-3",
# "ASC 606-10-50-12b", "ASC 810-10-15-17(d)", "ASC 470-10-45-12A through 45-20", "ASC 606 and 340-40"
_ASC_LEAD = re.compile(
    r"(?<!Reporting )\b(?:FASB\s+)?(?:Accounting\s+Standards\s+Codification|ASC|Codification)(?:\s*\(\s*ASC\s*\))?"
    r"(?:\s+(?:Topic|Subtopic|Section|Paragraphs?|No\.?))?(?:\s+|\s*" + _DASH + r"\s*)(?P<ref>" + _PARA + ")"
    r"|\b(?:Topic|Subtopic)\s+(?P<topic>\d{3}(?:" + _DASH + r"\d{2})?)\b"
    r"|\b(?:paragraphs?|para\.)\s+(?P<para>\d{3}" + _DASH + r"\d{2}" + _DASH + r"\d{2}" + _DASH + r"\d{1,3}[A-Z]?)",
    re.IGNORECASE)
_ASC_MORE = re.compile(  # the list after a first ASC reference: ", 606-10-55-36, and 340-40-25-1" / "through 45-20"
    r"\s*(?:,\s*(?:and|or)?|\band\b|\bor\b|\bthrough\b|&)\s*(?:ASC\s+|Topic\s+|paragraphs?\s+)?(?P<ref>"
    + _PARA + r"|\d{2}" + _DASH + r"\d{1,3}[A-Z]?)(?![\d-])"
    # "55-89 to 55-91": a range written with "to" (its ends have a dash: "ASC 842 to 100 leases" is no range)
    r"|\s*\bto\s+(?P<to>\d{3}" + _DASH + r"\d{2}" + _DASH + r"\d{2}" + _DASH + r"\d{1,3}[A-Z]?|\d{2}" + _DASH
    + r"\d{1,3}[A-Z]?)(?![\d-])"
    # "606-10-50-17 and -20", "606-10-50-18 or 19": the last part alone, after a paragraph
    r"|\s*(?:,\s*(?:and|or)?|\band\b|\bor\b|\bthrough\b)\s*(?P<last>" + _DASH + r"?\d{1,3}[A-Z]?)(?![\d.,-]\d|[\d-])",
    re.IGNORECASE)
_ASC_BARE = re.compile(r"(?<![\w.$-])(?P<ref>\d{3}" + _DASH + r"\d{2,3}" + _DASH + r"\d{2}" + _DASH
                       + r"\d{1,3}[A-Z]?)(?![\w-])")  # 606-10-25-19 alone: only ASC paragraphs look like this
_VALID_ASC_TOPIC = re.compile(r"[1-9]\d\d")

_PRE = re.compile(
    r"\b(?P<kind>SFAS|FAS|Statement\s+of\s+Financial\s+Accounting\s+Standards|EITF(?:\s+Issue)?|FIN|FASB\s+"
    r"Interpretation|SOP|Statement\s+of\s+Position|APB(?:\s+Opinion)?|FSP(?:\s+FAS)?|ARB)\s*(?:No\.?\s*)?"
    r"(?P<number>\d{1,3}(?:" + _DASH + r"\d{1,2})?(?:" + _DASH + r"[A-Z])?|[A-Z]?\d{2}" + _DASH + r"\d{1,2})\b",
    re.IGNORECASE)
_PRE_KIND = {"sfas": "SFAS", "fas": "SFAS", "statement of financial accounting standards": "SFAS", "eitf": "EITF",
             "eitf issue": "EITF", "fin": "FIN", "fasb interpretation": "FIN", "sop": "SOP",
             "statement of position": "SOP", "apb": "APB", "apb opinion": "APB", "fsp": "FSP", "fsp fas": "FSP FAS",
             "arb": "ARB"}

_IFRS = re.compile(r"\b(?:(?:paragraphs?|para\.)\s+(?P<para>\d{1,3}[A-Z]?)\s+of\s+)?(?P<kind>IFRS|IAS|IFRIC|SIC)"
                   r"\s*(?:No\.?\s*)?(?P<number>\d{1,2})\b(?:\.(?P<dot>\d{1,3}[A-Z]?))?")

# Regulation S-K items and S-X rules: "Item 303 of Regulation S-K", "Item 303(a)(3)(ii)", "Items 101 and 103 of
# Regulation S-K", "Rule 3-05 of Regulation S-X", "Rule 5-02.19", "Article 11 of Regulation S-X"
_ITEM_NUMBER = r"\d{1,4}(?:\.\d{1,2})?(?:" + _SUB + r")*"
_ITEM = re.compile(r"\bItems?\s+(?P<numbers>" + _ITEM_NUMBER + r"(?:(?:\s*(?:,|and|or|through|&)\s*|(?<=\))" + _DASH
                   + r"(?=\())(?:Item\s+)?(?:" + _ITEM_NUMBER + "|" + _SUB + r"+))*)", re.IGNORECASE)
_REG_SK = re.compile(r"^\W{0,3}(?:of\s+)?(?:Regulation\s+S" + _DASH + r"K|S" + _DASH + r"K)\b", re.IGNORECASE)
_REG_SX = re.compile(r"^\W{0,3}(?:of\s+)?(?:Regulation\s+S" + _DASH + r"X|S" + _DASH + r"X)\b", re.IGNORECASE)
_FORM_AFTER = re.compile(r"^\W{0,3}(?:of\s+(?:the\s+)?)?(?P<kind>Form|Schedule)\s+(?P<form>[0-9A-Z]{1,4}(?:"
                         + _DASH + r"[0-9A-Z]{1,3})?)\b")
_FORM_BEFORE = re.compile(r"(?P<kind>Form|Schedule)\s+(?P<form>[0-9A-Z]{1,4}(?:" + _DASH
                          + r"[0-9A-Z]{1,3})?)(?:'s)?\s*,?\s*$")
_SX_RULE = re.compile(r"\b(?:Rules?|Sections?)\s+(?P<numbers>\d{1,2}" + _DASH + r"\d{2}(?:\.\d{1,3})?(?:" + _SUB
                      + r")*(?:\s*(?:,|and|or|through)\s*(?:Rule\s+)?\d{1,2}" + _DASH + r"\d{2}(?:\.\d{1,3})?(?:"
                      + _SUB + r")*)*)", re.IGNORECASE)
_SX_ARTICLE = re.compile(r"\bArticles?\s+(?P<number>\d{1,2}(?:A)?)\b(?!" + _DASH + r"\d)(?=[^.;]{0,40}Regulation\s+S"
                         + _DASH + r"X)|\bArticle\s+(?P<pro>11)\b(?!" + _DASH + r"\d)", re.IGNORECASE)
_SX_ARTICLE_RULE = re.compile(r"\bArticle\s+(?P<rule>\d{1,2}" + _DASH + r"\d{2}(?:" + r"(?:\((?:[a-z]{1,4}|[ivxlc]+|"
                              r"\d{1,2}|[A-Z])\))" + r")*)(?=[^.;]{0,20}Regulation\s+S" + _DASH + r"X)", re.IGNORECASE)
_CFR_SX = re.compile(r"\b17\s+CFR\s+210\.(?P<rule>\d{1,2}" + _DASH + r"\d{2}(?:" + _SUB + r")*)")
_CFR_SK = re.compile(r"\b17\s+CFR\s+229\.(?P<item>\d{3,4}(?:" + _SUB + r")*)")

_SAB = re.compile(
    r"\b(?:SAB|Staff\s+Accounting\s+Bulletin)(?:\s+No\.?)?\s*(?:Topic\s+(?P<topic>\d{1,2}(?:[.:]?[A-Z](?:\.\d)?)?)"
    r"|(?P<number>\d{2,3}))\b"
    r"|\bTopic\s+(?P<topic2>\d{1,2}[.:]?[A-Z](?:\.\d)?)\b(?=[^.]{0,40}(?:SAB|Staff\s+Accounting\s+Bulletin))",
    re.IGNORECASE)

# C&DIs: "Question 100.01 of the Non-GAAP Financial Measures C&DIs", "C&DI 102.10", "Compliance and Disclosure
# Interpretation 102.10", "Question 102.10(b)"
_CDI = re.compile(r"\b(?:(?:C&DIs?|CDIs?|Compliance\s+and\s+Disclosure\s+Interpretations?|Questions?|Interpretations?|"
                  r"Items?(?=\s+\d{3}\.\d{2}\b[^.]{0,30}C&DI))"
                  r"\s+(?:No\.?\s*)?)(?P<numbers>\d{3}\.\d{2}(?:\([a-z]\))?(?:\s*(?:,|and|or)\s*\d{3}\.\d{2}"
                  r"(?:\([a-z]\))?)*)", re.IGNORECASE)

# Securities Act and Exchange Act rules: "Rule 461", "Securities Act Rule 430A", "Exchange Act Rule 12b-2",
# "Rule 14a-8", "Rules 14a-9 and 14a-6", "Rule 13e-4(f)(8)(i)", "Rule 83"
_RULE = re.compile(r"\bRules?\s+(?P<numbers>\d{1,3}[a-z]?(?:" + _DASH + r"\d{1,3}[A-Za-z]?)?(?:" + _SUB
                   + r")*(?:\s*(?:,|and|or)\s*(?:Rule\s+)?\d{1,3}[a-z]?(?:" + _DASH + r"\d{1,3}[A-Za-z]?)?(?:"
                   + _SUB + r")*)*)(?![\w-])", re.IGNORECASE)
_SX_SHAPE = re.compile(r"\d{1,2}" + _DASH + r"\d{2}(?:\.\d+)?(?:\(|$)")


# Where a match can start, per pattern: the lowercase words it begins with, found with str.find in the lowered
# text. The patterns (case-insensitive, many alternatives) would otherwise be tried at every character, which
# cost more than everything else the build does with a comment; each is now tried only where it can match.
_DASHES = ("-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014")
_FIRST_WORDS = {
    "cfr": ("17",),
    "asc": ("fasb", "accounting", "asc", "codification", "topic", "subtopic", "para"),
    "pre": ("sfas", "fas", "statement", "eitf", "fin", "sop", "apb", "fsp", "arb"),
    "ifrs": ("para", "ifrs", "ias", "ifric", "sic"),
    "sab": ("sab", "staff", "topic"),
    "cdi": ("c&di", "cdi", "compliance", "question", "interpretation", "item"),
    "item": ("item",),
    "rule": ("rule", "section"),
    "article": ("article",),
}
# every citation has one of these: a three-digit ASC topic with a dash, or the word that introduces it
_ANY_WORD = ("asc", "codification", "topic", "sfas", "eitf", "apb", "fsp", "arb", "ifrs", "ias", "ifric", "item",
             "rule", "article", "sab", "staff accounting", "c&di", "cdi", "compliance and", "question",
             "interpretation", "cfr", "paragraph", "para.")
_ANY_PATTERN = re.compile(r"(?:fas|fin|sop|sic)\b|\d{3}\s?" + _DASH)


def _lowered(text: str) -> str:
    """`text` in lower case, one character for one (so that positions agree: 'İ'.lower() is two characters)."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else "".join(c.lower()[:1] for c in text)


def _starts(lowered: str, words: tuple[str, ...], cache: dict[str, list[int]]) -> list[int]:
    """Where in `lowered` each of `words` is, in order (`cache`: the words already looked for in it)."""
    found = []
    for word in words:
        if word not in cache:
            cache[word] = places = []
            at = lowered.find(word)
            while at >= 0:
                places.append(at)
                at = lowered.find(word, at + 1)
        found.extend(cache[word])
    return sorted(set(found))


def _matches(pattern: re.Pattern[str], starts: list[int], text: str) -> Iterator[re.Match[str]]:
    """What `pattern.finditer(text)` yields when every match begins at one of `starts`."""
    end = 0
    for start in starts:
        if start >= end and (match := pattern.match(text, start)):
            yield match
            end = max(match.end(), match.start() + 1)


# an SEC release's title, in quotes after its number (and date): the items it names are not cited
_RELEASE_TITLE = re.compile(r"\bRelease\s+(?:No\.?\s*)?[\d-]{4,9}[^“\"”;]{0,40}[“\"](?P<title>[^”\"]{5,200})[”\"]",
                            re.IGNORECASE)
_BROKEN_DASH = re.compile(r"(\d)\s?" + _DASH + r"\s+(\d)")
_DASH_PAREN = re.compile(r"(\d)" + _DASH + r"\(")


def _dashes(value: str) -> str:
    return re.sub(_DASH, "-", value)


def _sub_kind(sub: str) -> str:
    inner = sub.strip("()")
    if inner.isdigit():
        return "digit"
    if (re.fullmatch(r"[ivxlc]+", inner) and inner not in ("c", "l", "v", "x", "i")) or inner in ("ii", "iii"):
        return "roman"
    return "upper" if inner.isupper() else "lower"


def _continue(previous: str, subs: str) -> str:
    """`(B)` after `10(e)(1)(i)(A)` is `10(e)(1)(i)(B)`; `(b)(2)` after `303(a)` is `303(b)(2)`: the new sub-parts
    replace the previous reference's from the first one of the same kind."""
    first = re.match(_SUB, subs).group(0)
    parts = re.findall(_SUB, previous)
    stem = previous[: len(previous) - len("".join(parts))]
    for i, part in enumerate(parts):
        if _sub_kind(part) == _sub_kind(first):
            return stem + "".join(parts[:i]) + subs
    return stem + "".join(parts) + subs


def _split_numbers(numbers: str) -> list[tuple[str, str]]:
    """'303(a) and 101(c)' -> [('303(a)', ...)], keeping what each was written as; '(a) and (b)' after a number
    repeat its stem: '10(e)(1)(i)(A) and (B)' -> 10(e)(1)(i)(A), 10(e)(1)(i)(B)."""
    out: list[tuple[str, str]] = []
    for part in re.split(r"\s*(?:,|\band\b|\bor\b|\bthrough\b|&)\s*|(?<=\))" + _DASH + r"(?=\()", numbers):
        part = re.sub(r"^(?:Items?|Rules?)\s+", "", part.strip(), flags=re.IGNORECASE)
        if not part:
            continue
        if re.fullmatch(_SUB + "+", part) and out:
            out.append((_continue(out[-1][0], part), part))
        else:
            out.append((_dashes(part), part))
    return out


def _sk_item(number: str) -> str:
    """An S-K item's first sub-part is a small letter: "Item 303(A)" is 303(a) (capitals come deeper:
    10(e)(1)(i)(A))."""
    return re.sub(r"^(\d+)\(([A-Z])\)", lambda m: f"{m[1]}({m[2].lower()})", number)


def _expand_asc(first: str, more: str) -> str:
    """`45-20` after `470-10-45-12A` -> `470-10-45-20`: a short reference keeps the longer one's stem."""
    parts, short = first.split("-"), more.split("-")
    if len(short) < len(parts) and len(parts) >= 3:
        return "-".join(parts[: len(parts) - len(short)] + short)
    return more


def find_citations(text: str) -> list[Citation]:
    """Every citation in `text`, once each (the first place it is written), in order of appearance."""
    if not text:
        return []
    lowered = _lowered(text)
    if not any(map(lowered.__contains__, _ANY_WORD)) and not _ANY_PATTERN.search(lowered):
        return []  # most comments cite nothing: a few substring tests say so
    cache: dict[str, list[int]] = {}
    dashes = _starts(text, _DASHES, cache)
    if any(text[at + 1: at + 2].isspace() or text[at + 1: at + 2] == "(" for at in dashes):
        text = _BROKEN_DASH.sub(r"\1-\2", text)  # "ASC 280-10-50- 29": a dash at the end of a PDF line
        text = _DASH_PAREN.sub(r"\1(", text)  # "Rule 11-02-(a)(9)(i)"
        cache = {}
        lowered, dashes = _lowered(text), _starts(text, _DASHES, cache)

    def scan(pattern: re.Pattern[str], first: str) -> Iterator[re.Match[str]]:
        return _matches(pattern, _starts(lowered, _FIRST_WORDS[first], cache), text)

    found: dict[tuple[str, str], Citation] = {}
    taken: list[tuple[int, int]] = []  # spans already read as a citation: a rule number inside "Rule 3-05 of
    #                                   Regulation S-X" is not also an Exchange Act rule

    titles = [m.span("title") for m in _RELEASE_TITLE.finditer(text)] if "release" in lowered else []

    def add(system: str, ref: str, raw: str, start: int, end: int) -> None:
        if any(s <= start < e for s, e in titles):
            return  # "Release No. 33-10825, “Modernization of Regulation S-K Items 101, 103 and 105”": a title
        taken.append((start, end))
        key = (system, ref)
        if key not in found:
            found[key] = Citation(system, ref, raw.strip(), start)

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in taken)

    for match in scan(_CFR_SX, "cfr"):
        add(SX, _dashes(match.group("rule")), match.group(0), match.start(), match.end())
    for match in scan(_CFR_SK, "cfr"):
        add(SK, match.group("item"), match.group(0), match.start(), match.end())
    for match in scan(_ASC_LEAD, "asc"):
        ref = match.group("ref") or match.group("topic") or match.group("para")
        ref = _dashes(ref)
        if not _VALID_ASC_TOPIC.fullmatch(ref[:3]):
            continue
        add(ASC, ref, match.group(0), match.start(), match.end())
        position, last = match.end(), ref
        while more := _ASC_MORE.match(text, position):
            if more.group("last") and last.count("-") != 3:
                break  # "ASC 606 and 2": a lone number continues only a paragraph
            short = more.group("ref") or more.group("to") or _dashes(more.group("last")).lstrip("-")
            expanded = _expand_asc(last, _dashes(short))
            if not _VALID_ASC_TOPIC.fullmatch(expanded[:3]):
                break
            add(ASC, expanded, more.group(0), more.start(), more.end())
            position, last = more.end(), expanded
    for match in _matches(_ASC_BARE, [at - 3 for at in dashes if at >= 3], text):
        if free(match.start(), match.end()) and _VALID_ASC_TOPIC.fullmatch(match.group("ref")[:3]):
            add(ASC, _dashes(match.group("ref")), match.group(0), match.start(), match.end())
    for match in scan(_PRE, "pre"):
        kind = _PRE_KIND[re.sub(r"\s+", " ", match.group("kind").lower())]
        add(PRE, f"{kind} {_dashes(match.group('number'))}", match.group(0), match.start(), match.end())
    for match in scan(_IFRS, "ifrs"):
        ref = f"{match.group('kind')} {match.group('number')}"
        paragraph = match.group("para") or match.group("dot")
        add(IFRS, f"{ref}.{paragraph}" if paragraph else ref, match.group(0), match.start(), match.end())
    for match in scan(_SAB, "sab"):
        topic = match.group("topic") or match.group("topic2")
        if topic:
            topic = re.sub(r"[.:]?([A-Z])", r".\1", topic.upper(), count=1)
            add(SAB, f"Topic {topic}", match.group(0), match.start(), match.end())
        elif match.group("number"):
            add(SAB, match.group("number"), match.group(0), match.start(), match.end())
    for match in scan(_CDI, "cdi"):
        for number, raw in _split_numbers(match.group("numbers")):
            add(CDI, re.sub(r"\([a-z]\)$", "", number), raw, match.start(), match.end())
    for match in scan(_ITEM, "item"):
        after = text[match.end(): match.end() + 60]
        before = text[max(0, match.start() - 40): match.start()]
        numbers = _split_numbers(match.group("numbers"))
        if _REG_SK.match(after) or (not _FORM_AFTER.match(after) and not _FORM_BEFORE.search(before)
                                    and all(re.match(r"\d{3,4}\b|\d{2,4}\(", n) for n, _ in numbers)
                                    and re.search(r"Regulation\s+S" + _DASH + "K|S" + _DASH + "K",
                                                  text[max(0, match.start() - 300): match.end() + 300])):
            for number, raw in numbers:
                add(SK, _sk_item(number), raw, match.start(), match.end())
        elif form := (_FORM_AFTER.match(after) or _FORM_BEFORE.search(before)):
            name = ("Schedule " if form.group("kind").lower() == "schedule" else "") + _dashes(form.group("form"))
            for number, raw in numbers:
                add(FORM_ITEM, f"{name} {number}", raw, match.start(), match.end())
        elif numbers and all(re.fullmatch(r"10\(e\).*|[1-9]\d\d(?:\(.*)?|1[0-6]\d\d(?:\(.*)?", n) for n, _ in numbers):
            # "Item 10(e)", "Item 303(b)", "Item 1007(d)" (Regulation M-A is S-K's subpart 1000): S-K's item
            # numbers, named without the regulation; a form's items are small numbers (Item 2.02, Item 5)
            for number, raw in numbers:
                add(SK, _sk_item(number), raw, match.start(), match.end())
    for match in scan(_SX_RULE, "rule"):
        after = text[match.end(): match.end() + 60]
        numbers = _split_numbers(match.group("numbers"))
        if not free(match.start(), match.end()):
            continue
        if _REG_SX.match(after) or all(_SX_SHAPE.match(n) for n, _ in numbers):
            for number, raw in numbers:
                add(SX, number, raw, match.start(), match.end())
    for match in scan(_SX_ARTICLE_RULE, "article"):
        add(SX, _dashes(match.group("rule")), match.group(0), match.start(), match.end())
    for match in scan(_SX_ARTICLE, "article"):
        add(SX, f"Article {match.group('number') or match.group('pro')}", match.group(0), match.start(), match.end())
    for match in scan(_RULE, "rule"):
        if not free(match.start(), match.end()):
            continue
        after = text[match.end(): match.end() + 40]
        if _REG_SX.match(after) or re.match(r"^\s*(?:submissions?|filings?)\b", after, re.IGNORECASE):
            continue  # an S-X rule; "your Rule 425 submission" names a filing
        for number, raw in _split_numbers(match.group("numbers")):
            if _SX_SHAPE.match(number):
                continue
            add(RULE, number, raw, match.start(), match.end())
    return sorted(found.values(), key=lambda c: c.start)
