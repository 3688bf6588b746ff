"""People and parties of a letter: who signed it, which staff office sent it, which staff to call,
who was copied (people, law firms, audit firms). Pure functions over lines of clean text."""

from __future__ import annotations

import re
from dataclasses import dataclass

COMPANY_WORDS = re.compile(
    r"\b(?:inc|corp|corporation|company|co|llc|l\.?l\.?c|ltd|limited|plc|l\.?p|group|holdings?|trust|bancorp"
    r"|bancshares|n\.a|s\.a|n\.v|ag|se|partners|incorporated)\b\.?", re.IGNORECASE)

SEC_ENTITY = re.compile(
    r"(?:united states\s+|u\.\s?s\.\s+)?securities\s+(?:and|&)\s+exchange\s+commission|division of|office of"
    r"|100 f street|washington", re.IGNORECASE)

_TITLE_WORDS = re.compile(
    r"\b(?:officer|president|director|counsel|secretary|chief|treasurer|controller|chairman|chair|partner|manager"
    r"|head|accountant|attorney|advisor|adviser|analyst|branch|assistant|associate|senior|executive|principal"
    r"|general|vice|deputy|staff|legal|corporate|special|member|founder|owner|trustee|ceo|cfo|coo|evp|svp)\b",
    re.IGNORECASE)

NAME_SUFFIX = re.compile(r",\s*(?:jr|sr|esq|iii|ii|iv|ph\.?d|m\.?d)\.?(?=,|$)", re.IGNORECASE)

# Words start at a word boundary and are matched possessively (*+): a long run of capitals cannot make these
# patterns try every split of it (quadratic: 9 s for a letter ending in 20,000 capitals)
_PERSON = re.compile(
    r"(?:(?:mr|ms|mrs|mses|messrs|dr)\.?\s+)?(?<![\w'’.-])[A-Z][A-Za-z'’.-]*+(?:\s+[A-Z][A-Za-z'’.-]*+\.?){1,4}"
    r"(?:,?\s+(?:jr|sr|esq|iii|ii|iv)\.?)?")

_CLOSING = re.compile(
    r"(?:sincerely(?: yours)?|very truly yours|yours (?:very )?truly|respectfully(?: submitted| yours)?"
    r"|yours sincerely|(?:best|kind|warm) regards|regards|cordially)\s*[,.]?", re.IGNORECASE)

_SIGNED = re.compile(r"(?:by:\s*)?/\s*s\s*/\s*(?P<name>.+?)\s*(?:\(?\bfor\)?)?\s*$", re.IGNORECASE)

_SIGNED_FOR = re.compile(r"\(?\bfor\)?\s*$", re.IGNORECASE)

_NAME_FIELD = re.compile(r"name\s*:\s*(?P<name>.*)", re.IGNORECASE)

_TITLE_FIELD = re.compile(r"title\s*:\s*(?P<title>.*)", re.IGNORECASE)

_DIVISION = re.compile(r"division of [A-Za-z ,&-]+", re.IGNORECASE)  # "... Finance Office of Healthcare & Insurance"

_KNOWN_DIVISION = re.compile(
    r"division of (?:corporation finance|investment management|trading and markets|economic and risk analysis"
    r"|enforcement)", re.IGNORECASE)

_OFFICE = re.compile(r"(?:office of\b.*|disclosure review program|.*\boffice\s*$)", re.IGNORECASE)

_CONTACT = re.compile(
    r"(?P<name>(?<![\w.'’-])[A-Z][\w.'’-]*+(?:\s+[A-Z][\w.'’-]*+){1,3}),?\s+"
    r"(?:(?P<title>[A-Z][\w&-]*+(?:\s+(?:[A-Z][\w&-]*+|and|of|&)){0,7}),\s+)?"
    r"at\s+\(?(?P<area>\d{3})\)?[-.\s]*(?P<exchange>\d{3})[-.\s]*(?P<line>\d{4})")

_OFFICE_IN_LINE = re.compile(r"(office of\b.*|disclosure review program)", re.IGNORECASE)

_CC = re.compile(r"(?:cc|c\.c\.|copy to|copies to|with a copy to)\s*[:.]?\s*(?P<rest>.*)", re.IGNORECASE)

_CC_STOP = re.compile(r"(?:enclosures?|attachments?|exhibit|annex|appendix|\[\s*signature)\b", re.IGNORECASE)

_AUDIT_FIRM = re.compile(
    r"deloitte|pricewaterhouse|\bpwc\b|kpmg|ernst\s*&\s*young|\bey\b|grant thornton|\bbdo\b|\brsm\b|crowe"
    r"|moss adams|marcum|baker tilly|mazars|forvis|cohnreznick|plante|eide bailly|cherry bekaert|withum"
    r"|frazier & deeter|malonebailey|armanino|wolf & company|dixon hughes|mcgladrey|bkd\b|friedman llp",
    re.IGNORECASE,
)

_LAW_FIRM = re.compile(r"\b(?:llp|l\.l\.p\.|p\.c\.|pllc|p\.a\.|law (?:firm|offices?|group)|attorneys at law)\b"
                       r"|wachtell|cravath|skadden",
                       re.IGNORECASE)


@dataclass(slots=True)
class Signer:
    name: str
    title: str | None = None


@dataclass(slots=True)
class StaffContact:
    name: str
    title: str | None
    phone: str


def squash(text: str) -> str:
    return " ".join(text.split())


def canonical_office(raw: str | None) -> str | None:
    """One spelling per office: "Office of Real Estate & - Commodities", "Office of Real Estate and
    Commodities," and "OFFICE OF REAL ESTATE AND COMMODITIES" are all "Office of Real Estate and Commodities".
    Renamed offices (the 2019 reorganization's "Office of Real Estate & Construction") stay distinct."""
    if not raw:
        return None
    text = re.sub(r"\s*&\s*(?:-\s*)?", " and ", raw)
    text = re.sub(r"\s+-\s+|[,;.:]", " ", text)
    words = squash(text).split()
    small = {"of", "and", "the", "for", "in"}
    return " ".join(w.lower() if k and w.lower() in small else w[:1].upper() + w[1:].lower()
                    if w.isupper() or w.islower() else w for k, w in enumerate(words)) or None


def looks_like_person(line: str) -> bool:
    stripped = line.strip().rstrip(",")
    return (bool(_PERSON.fullmatch(stripped)) and not COMPANY_WORDS.search(stripped)
            and not SEC_ENTITY.search(stripped) and not _TITLE_WORDS.search(stripped) and len(stripped.split()) <= 6)


def split_name(line: str) -> tuple[str, str]:
    """ "J. Patrick Gallagher, Jr., Chairman" -> ("J. Patrick Gallagher, Jr.", "Chairman")."""
    suffix = NAME_SUFFIX.search(line)
    cut = suffix.end() if suffix else 0
    name, _, rest = line[cut:].partition(",")
    return (line[:cut] + name).strip(), rest.strip()


def signature_block(lines: list[str]) -> tuple[int, list[str]]:
    """Index of the complimentary close and the lines after it, up to a cc line (a dozen at most)."""
    closing = None
    for i, line in enumerate(lines):
        if len(line) < 40 and _CLOSING.fullmatch(line.strip()):
            closing = i
    if closing is None:
        # modern staff letters may end without one: the block is the division and office lines at the end
        for i in range(len(lines) - 1, max(-1, len(lines) - 12), -1):
            if _DIVISION.fullmatch(lines[i].strip()):
                closing = i - 1
                break
    if closing is None:
        return len(lines), []
    block = []
    for line in lines[closing + 1:closing + 16]:
        if _CC.match(line.strip()) and re.match(r"(?:cc|c\.c\.|copy|copies|with a copy)\b", line.strip(), re.I):
            break
        block.append(line.strip())
    return closing, [line for line in block if line]


def find_signers(block: list[str]) -> list[Signer]:
    signers: list[Signer] = []
    i = 0
    while i < len(block):
        line = block[i]
        signed = _SIGNED.fullmatch(line)
        name_field = _NAME_FIELD.fullmatch(line)
        name = None
        if signed:
            name = signed.group("name").strip()
            if _SIGNED_FOR.search(line) and i + 1 < len(block) and looks_like_person(block[i + 1]):
                i += 1
                name = block[i]  # signed for the official named below
            elif i + 1 < len(block) and squash(block[i + 1]).replace(" ", "").lower() == name.replace(" ", "").lower():
                i += 1  # the typed name repeats the /s/ line
                name = block[i]
        elif name_field and name_field.group("name").strip():
            name = name_field.group("name").strip()
        if name and not any(s.name == name for s in signers):
            title = None
            if i + 1 < len(block):
                following = block[i + 1]
                title_field = _TITLE_FIELD.fullmatch(following)
                if title_field:
                    title = title_field.group("title").strip() or (block[i + 2] if i + 2 < len(block) else None)
                elif not (_DIVISION.fullmatch(following) or _OFFICE.fullmatch(following) or _SIGNED.fullmatch(following)
                          or looks_like_person(following) or COMPANY_WORDS.search(following)):
                    title = following
            signers.append(Signer(squash(name).strip(" ,"), title))
        i += 1
    if not signers:
        for j, line in enumerate(block[:3]):
            if looks_like_person(line) and not _DIVISION.fullmatch(line):
                title = block[j + 1] if j + 1 < len(block) and not _OFFICE.fullmatch(block[j + 1]) \
                    and not _DIVISION.fullmatch(block[j + 1]) else None
                signers.append(Signer(squash(line), title))
                break
    return signers


def find_staff_contacts(closing_text: str) -> list[StaffContact]:
    """Staff named with a telephone number in the closing ("You may contact Laura Veator, Senior Staff
    Accountant, at (202)-551-3716 or ...")."""
    contacts: list[StaffContact] = []
    for match in _CONTACT.finditer(closing_text):
        name, title = match.group("name"), match.group("title")
        words = name.split()
        if (_TITLE_WORDS.search(name) or words[0] in ("You", "Please", "Division", "Office")
                or any(w.endswith(".") and len(w) > 2 and w[:-1].lower() not in ("jr", "sr") for w in words)):
            continue
        phone = f"{match.group('area')}-{match.group('exchange')}-{match.group('line')}"
        if not any(c.name == name for c in contacts):
            contacts.append(StaffContact(name, title.strip() if title else None, phone))
    return contacts


def find_staff_office(lines: list[str]) -> tuple[str | None, str | None]:
    """Division and office named in a block of lines ("Office of Real Estate and" + "Commodities")."""
    division = office = None
    for i, line in enumerate(lines):
        stripped = line.strip()
        known = _KNOWN_DIVISION.search(stripped) if division is None and "ivision" in stripped else None
        if known:
            division = squash(known.group(0)).title().replace(" Of ", " of ").replace(" And ", " and ")
        match = _OFFICE_IN_LINE.search(stripped) if "ffice" in stripped or "rogram" in stripped else None
        if office is None and match:
            office = match.group(1).rstrip(",")
            j = i + 1
            # a name wrapped over lines: "Office of Real Estate and" + "Commodities", or "Office of
            # Information Technologies" + "and Services"
            while (j < len(lines) and lines[j].strip() and not _CC.match(lines[j].strip())
                   and (re.search(r"(?:\band|&|-|,)\s*$", office)
                        or re.match(r"(?:and|&)\s+[A-Z]\w+(?:\s+[A-Z]\w+)?$", lines[j].strip()))):
                office = office.rstrip("-").rstrip() + " " + lines[j].strip()
                j += 1
            office = squash(office).rstrip(",")
    return division, office


def _firms_in(entry: str) -> tuple[list[str], list[str], str]:
    """Law and audit firms named in one cc entry, and what is left of it ("John Ericson")."""
    parts: list[str] = []
    for part in (p.strip() for p in re.split(r",|\(|\)|;|\s+-\s+", entry)):
        if parts and re.fullmatch(r"(?:llp|l\.l\.p\.|llc|p\.c\.|pllc|p\.a\.|inc\.?|ltd\.?)", part, re.I):
            parts[-1] = f"{parts[-1]}, {part}"  # "Wilson Sonsini Goodrich & Rosati, P.C." is one firm
        elif part:
            parts.append(part)
    law: list[str] = []
    audit: list[str] = []
    used: set[int] = set()
    for k, part in enumerate(parts):
        is_audit = bool(_AUDIT_FIRM.search(part))
        is_law = not is_audit and (bool(_LAW_FIRM.search(part)) or (
            " & " in part and not COMPANY_WORDS.search(part) and len(part.split()) <= 6))
        if not (is_audit or is_law):
            continue
        start = k  # "Gibson, Dunn & Crutcher LLP": the firm's name runs back over one-word partner names
        while start - 1 >= 0 and start - 1 not in used and len(parts[start - 1].split()) == 1 \
                and parts[start - 1][:1].isupper() and not NAME_SUFFIX.fullmatch(", " + parts[start - 1]):
            start -= 1
        firm = ", ".join(parts[start:k + 1])
        used.update(range(start, k + 1))
        (audit if is_audit else law).append(firm)
    rest = ", ".join(p for k, p in enumerate(parts) if k not in used)
    return law, audit, rest


def find_cc(lines: list[str]) -> tuple[list[str], list[str], list[str]]:
    """People, law firms and audit firms copied on the letter (the "cc:" lines)."""
    start = None
    for i in range(len(lines) - 1, -1, -1):
        if re.match(r"(?:cc|c\.c\.|copy to|copies to|with a copy to)\s*[:.]?(?:\s|$)", lines[i].strip(), re.I):
            start = i
            break
    if start is None:
        return [], [], []
    entries = []
    first = _CC.fullmatch(lines[start].strip())
    if first and first.group("rest").strip():
        entries.append(first.group("rest").strip())
    blank = 0
    for line in lines[start + 1:start + 24]:
        stripped = line.strip()
        if not stripped:
            blank += 1
            if blank >= 2 and entries:
                break
            continue
        blank = 0
        if _CC_STOP.match(stripped) or len(stripped) > 150 or re.fullmatch(r"\d{1,3}|page \d+", stripped, re.I):
            break
        entries.append(stripped)
    people: list[str] = []
    law: list[str] = []
    audit: list[str] = []

    def add(values: list[str], value: str) -> None:
        value = squash(value).strip(" ,;()")
        if value and value not in values:
            values.append(value)

    for entry in entries:
        entry_law, entry_audit, rest = _firms_in(entry)
        for firm in entry_law:
            add(law, firm)
        for firm in entry_audit:
            add(audit, firm)
        person, _title = split_name(re.sub(r"^(?:mr|ms|mrs|dr)\.?\s+", "", rest, flags=re.I))
        person = NAME_SUFFIX.sub("", person) if re.search(r"esq", person, re.I) else person
        if person and looks_like_person(NAME_SUFFIX.sub("", person)):
            add(people, person)
    return people, law, audit
