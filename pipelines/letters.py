"""One letter as structure: date, addressee, Re: block, kind, comments, signers, office, cc parties.

Pure functions over the letter's clean text (pipelines/clean.py). The classic staff letter reads:
date; addressee, title, company, address; a "Re:" block naming the filing(s) reviewed, when
filed, and the File No.; salutation; opening paragraphs; numbered comments under headings;
closing ("We remind you ...", "Please contact ..."); the staff office; a cc line. Company
letters (CORRESP) answer those comments, ask for acceleration of a registration statement's
effective date (Rule 461), or ask for more time to respond.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from edgar_corpus.edgar import (
    ACCELERATION_REQUEST,
    COMMENT,
    COMPANY,
    EXTENSION_REQUEST,
    NO_REVIEW,
    OTHER,
    RESPONSE,
    REVIEW_COMPLETE,
    STAFF,
    sender_of,
)
from pipelines.clean import clean_letter_text
from pipelines.comments import STAFF_CLOSING, Comment, page_refs, prior_comment_refs, split_comments
from pipelines.dates import DATE_TEXT, find_dates
from pipelines.parties import (
    COMPANY_WORDS,
    NAME_SUFFIX,
    Signer,
    StaffContact,
    canonical_office,
    find_cc,
    find_signers,
    find_staff_contacts,
    find_staff_office,
    looks_like_person,
    signature_block,
    split_name,
    squash,
)

_SALUTATION = re.compile(
    r"(?:dear\b.*|ladies and gentlemen.*|gentlemen\s*[:,]?|to whom it may concern.*|dear sirs?.*"
    r"|to (?:the )?(?:division|staff|office)\b.{0,60}[:,])", re.IGNORECASE)
_DATE_ONLY = re.compile(rf"(?:dated:?\s*)?(?:{DATE_TEXT})\.?", re.IGNORECASE)
_RE_START = re.compile(r"(?:re|subject|reference)\s*[:.]\s*(?P<rest>.*)|re\s+(?P<rest2>[A-Z].*)", re.IGNORECASE)
_RE_STOP = re.compile(
    r"(?:united states\s+|u\.\s?s\.\s+)?securities (?:and|&) exchange commission|division of corporat|100 f street"
    r"|washington,? d\.?\s?c|attn\b|attention\b|office of\b|mail stop",
    re.IGNORECASE,
)
_FILE_NUMBER = re.compile(r"(?<![\d-])(\d{1,3}-\d{3,6}(?:-\d{2})?)(?![\d-])")
_FILE_NO_CONTEXT = re.compile(r"file|registration|commission|sec\b|no\.", re.IGNORECASE)
_FILE_WORD = re.compile(r"\bfile\b", re.IGNORECASE)
_FORM = re.compile(
    r"\b(10-K(?:/A|405|SB)?|10-Q(?:/A|SB)?|8-K(?:/A)?|20-F(?:/A)?|40-F|6-K|11-K|10-12[BG]|S-1(?:/A)?|S-3(?:ASR)?"
    r"|S-4(?:/A)?|S-8|S-11|F-1|F-3|F-4|F-10|N-\d[A-Z]?|DEF ?14[AC]|PRE ?14[AC]|PREC ?14A|PREM ?14A|DEFA ?14A"
    r"|DFAN ?14A|DEFM ?14A|DEFC ?14A|SC ?TO-[TIC]|SC ?14D-?9|SC ?13[DEG]|Schedule 14[ACD](?:-9)?|Schedule TO(?:-[TIC])?"
    r"|Schedule 13[DEG]|Form 10(?![-\w])|1-A|Form D\b|425)",
    re.IGNORECASE,
)
_PERIOD = re.compile(rf"(?:year|quarter|period|months?)\s*(?:ly\s+period\s+)?(?:ended|ending)\s*:?\s*(?:{DATE_TEXT})",
                     re.IGNORECASE)
_FILED = re.compile(rf"\b(?:filed|submitted|furnished|dated)\s*(?:on\s+)?:?\s*(?:{DATE_TEXT})", re.IGNORECASE)
_AMENDMENT = re.compile(r"amendment\s+no\.?\s*(\d+)", re.IGNORECASE)
_SKIP_AFTER_DATE = re.compile(
    r"(?:via|by|sent via|delivered via|filed via)\b.*|mail stop.*|correspondence filed via edgar|confidential.*",
    re.IGNORECASE)
_ATTENTION = re.compile(r"(?:attn|attention)\s*[:.]?\s*(?P<rest>.*)", re.IGNORECASE)
_NOT_REVIEW = re.compile(r"(?:have not|has not|did not|do not|will not|not) (?:\w+ )?review(?:ed)?"
                         r"|will not review|not be reviewed|no review", re.IGNORECASE)
_REVIEW_COMPLETE = re.compile(
    r"completed (?:our|its|the staff's) review|no further comments|review (?:is|has been) completed"
    r"|concluded (?:our|its) review", re.IGNORECASE)
_HAS_COMMENTS = re.compile(r"(?:have|has) the following comments?|following comments? (?:on|regarding|about)"
                           r"|we have (?:the )?following comment", re.IGNORECASE)
_ACCELERATION = re.compile(  # "accelerated" alone also appears in responses ("accelerated filer", quoted comments)
    r"rule 461|accelerat\w* (?:of )?(?:the )?(?:effective|effectiveness)|effective date .{0,120}?accelerat"
    r"|declared effective|request(?:s|ed)? (?:that )?(?:the )?(?:effective date|effectiveness)"
    r"|be (?:made|declared) effective|become effective at", re.IGNORECASE)
_EXTENSION = re.compile(
    r"extension|additional time|more time|(?:will|intends? to|expects? to|plans? to|anticipates?|propose to)"
    r" (?:\S+ ){0,6}(?:respond|submit|file|provide)\w* (?:\S+ ){0,30}(?:by|on or before|no later than|within)"
    r"|not be able to (?:respond|submit)|confirm receipt", re.IGNORECASE)
_RESPONDING = re.compile(r"in response to|respond(?:s|ing)? to|response to|responses? of|following responses?",
                         re.IGNORECASE)
_STAFF_REQUEST = re.compile(
    r"\bplease (?:advise|tell us|explain|provide|revise|confirm|describe|disclose|clarify|expand|quantify)", re.I)
_PRIOR_LETTER = re.compile(
    rf"\bour\s+(?:(?:comment\s+)?letter\s+dated\s+(?:{DATE_TEXT})|(?:{DATE_TEXT}),?\s+(?:comment\s+)?letter)", re.I)
_ORAL_COMMENTS = re.compile(
    r"\boral(?:ly)? (?:comments?|provided|conveyed|communicated)|comments?\W+(?:\w+\W+){0,12}?"
    r"(?:orally|telephonically|by (?:tele)?phone|in an? (?:tele)?phone (?:call|conversation)|during an? "
    r"(?:tele|conference )?(?:phone )?call)"
    # "the comment ... that you conveyed during our February 12, 2016 telephone conversation"
    r"|(?:conveyed|communicated|provided|raised|given)\s+(?:\w+\W+){0,3}?(?:during|in|on)\s+(?:\w+\W+){0,5}?"
    r"(?:tele)?phone (?:call|conversation)", re.I)
_LETTER_WORD = re.compile(r"letter|comments?|correspondence", re.IGNORECASE)
_FILING_WORDS = re.compile(r"registration statement|proxy|information statement|offering statement|annual report"
                           r"|quarterly report", re.IGNORECASE)
_LETTER_DATED = re.compile(r"(?:comment\s+)?letter\s+(?:dated|issued|of)", re.IGNORECASE)
_CITED_BEFORE = re.compile(r"(?:dated|of|on|from)\s*$", re.IGNORECASE)
_CITED_AFTER = re.compile(r"\s*,?\s*(?:comment\s+)?letter", re.IGNORECASE)
_NOT_A_LETTER_DATE = re.compile(r"(?:filed|ended|ending|through|since|until|as of|effective)\s*(?:on\s+)?$",
                                re.IGNORECASE)
_OWN_LETTER = re.compile(r"\b(?:our|company['’]s|prior|previous)\s+(?:\S+\s+){0,3}(?:letter|response)[^.]{0,40}$",
                         re.IGNORECASE)
_YOUR_LETTER = re.compile(r"\byour\s+(?:\S+\s+){0,2}letter\W{0,3}(?:dated|of)?\s*$", re.IGNORECASE)
_GENERIC_GREETING = re.compile(r"(?:sirs?|madam|sir or madam|division|staff|office|ladies)\b", re.IGNORECASE)


@dataclass(slots=True)
class ReviewedFiling:
    form_type: str | None
    description: str
    period_end: date | None = None
    filed_date: date | None = None
    amendment: int | None = None
    draft: bool = False


@dataclass(slots=True)
class Letter:
    sender: str
    letter_date: date | None
    letter_kind: str
    addressee_name: str | None
    addressee_title: str | None
    re_text: str | None
    reviewed_filings: list[ReviewedFiling]
    file_numbers: list[str]
    responds_to_date: date | None
    signers: list[Signer]
    staff_division: str | None
    staff_office: str | None  # one spelling per office (parties.canonical_office)
    staff_office_raw: str | None  # as printed, wrapped lines joined
    staff_contacts: list[StaffContact]
    cc_people: list[str]
    cc_law_firms: list[str]
    cc_audit_firms: list[str]
    comments: list[Comment]
    has_confidential_treatment: bool
    n_redactions: int
    text_clean: str
    prior_letter_dates: list[date] = field(default_factory=list)  # staff: its own earlier letters it cites
    answers_oral_comments: bool = False  # company: answers comments given by telephone, not in a letter

    @property
    def n_comments(self) -> int:
        return len(self.comments)


def find_salutation(lines: list[str], limit: int = 160) -> int | None:
    """The "Dear ...:" or "Ladies and Gentlemen:" line. A law firm's list of offices, one city a line, can put
    it 100 lines down."""
    for i, line in enumerate(lines[:limit]):
        if _SALUTATION.fullmatch(line.strip()):
            return i
    return None


def find_letter_date(head: list[str], filing_date: date | None) -> date | None:
    """The date the letter is dated: a line that is only a date, in the head of the letter.

    A letter is dated on or a little before the day it is filed; of the dates written alone on a
    line, the first plausible one wins, so a "Re: ... Filed <date>" line or a letterhead date
    far from the filing day does not.
    """
    def plausible(value: date) -> bool:
        return filing_date is None or filing_date - timedelta(days=120) <= value <= filing_date + timedelta(days=7)

    standalone = []
    for line in head:
        match = _DATE_ONLY.fullmatch(line.strip())
        if match:
            standalone.extend(value for _m, value in find_dates(line))
    for value in standalone:
        if plausible(value):
            return value
    for line in head:
        if _RE_START.match(line.strip()):
            break  # dates inside the Re: block are filing dates, not the letter's
        for _match, value in find_dates(line):
            if plausible(value):
                return value
    return standalone[0] if standalone else None


def date_from_page_headers(text: str, filing_date: date | None) -> date | None:
    """The date a letter's continuation pages print in their running header ("Mr. Smith / Acme Inc. / May 3,
    2024 / Page 2"), for a letter whose first page has none."""
    lines = [line.strip() for line in text[:60000].split("\n")]
    for i, line in enumerate(lines):
        if not re.search(r"\bpage\s*[2-9]\b(?:\s*of\s*\d+)?\s*$", line, re.IGNORECASE) or len(line) > 160:
            continue
        for nearby in [line, *lines[max(0, i - 4):i], *lines[i + 1:i + 3]]:
            for _match, value in find_dates(nearby):
                if filing_date is None or filing_date - timedelta(days=120) <= value <= filing_date + timedelta(days=7):
                    return value
    return None


def find_re_block(lines: list[str], salutation: int | None) -> tuple[list[str], int | None]:
    """The lines of the "Re:" block (from "Re:" to the salutation, an SEC address line, or 12 lines)
    and the index of the line after it."""
    stop = salutation if salutation is not None else min(len(lines), 60)
    for i in range(stop):
        match = _RE_START.fullmatch(lines[i].strip())
        if not match:
            continue
        first = (match.group("rest") or match.group("rest2") or "").strip()
        block = [first] if first else []
        end = i + 1
        for line in lines[i + 1:stop]:
            stripped = line.strip()
            if (len(block) >= 12 or _SALUTATION.fullmatch(stripped) or (block and _RE_STOP.match(stripped))
                    or (block and _DATE_ONLY.fullmatch(stripped))):
                break
            if stripped and len(stripped) > 250:  # a paragraph of the body: the letter has no salutation
                break
            end += 1
            if stripped:
                block.append(stripped.lstrip("•·-◦ ").strip())
        return block, end
    return [], None


_STRAY_DASH_SPACE = re.compile(r"(?<![\d-])(\d{1,3})-\s(?=\d{3,6}\b)")


def file_numbers_in(lines: list[str]) -> list[str]:
    """File numbers as written ("001-38776"); a PDF's stray space after the dash ("333- 232001") is dropped."""
    numbers: list[str] = []
    for line in lines:
        if not _FILE_NO_CONTEXT.search(line):
            continue
        line = _STRAY_DASH_SPACE.sub(r"\1-", line)
        for number in _FILE_NUMBER.findall(line):
            if number not in numbers:
                numbers.append(number)
    return numbers


def parse_reviewed_filings(re_block: list[str]) -> list[ReviewedFiling]:
    """Filings named in the Re: block, each with its period, filing date and amendment number where given."""
    filings: list[ReviewedFiling] = []
    for line in re_block:
        forms = _FORM.findall(line)
        period = _PERIOD.search(line)
        filed = _FILED.search(line)
        is_filing_line = bool(forms) or bool(_FILING_WORDS.search(line))
        if is_filing_line and not re.match(r"(?:response|letter|comment letter)\s+dated", line, re.I):
            form = re.sub(r"\s+", " ", forms[-1]).upper().replace("FORM ", "") if forms else None
            amendment = _AMENDMENT.search(line)
            filings.append(ReviewedFiling(
                form_type=form,
                description=line,
                amendment=int(amendment.group(1)) if amendment else None,
                draft=bool(re.search(r"\bdraft\b", line, re.I)),
            ))
        if not filings:
            continue
        current = filings[-1]
        if period and current.period_end is None:
            current.period_end = next((v for _m, v in find_dates(period.group(0))), None)
        if filed and current.filed_date is None and not re.match(r"(?:response|letter)\s+dated", line, re.I):
            current.filed_date = next((v for _m, v in find_dates(filed.group(0))), None)
    return filings


def find_responds_to_date(sender: str, re_block: list[str], opening: str, letter_date: date | None) -> date | None:
    """The letter this one answers, by its date: for a company, the staff letter it responds to; for the
    staff, the company response it reviewed ("Response dated ...", "your March 20, 2024 response")."""
    def before_letter(value: date) -> bool:
        return letter_date is None or value <= letter_date

    if sender == STAFF:
        for line in re_block:
            match = re.search(rf"(?:response|letter|correspondence)s?(?:\s+letter)?\s+(?:dated|filed|submitted)"
                              rf"\s+(?:on\s+)?(?:{DATE_TEXT})", line, re.I)
            if match:
                return next((v for _m, v in find_dates(match.group(0)) if before_letter(v)), None)
        match = re.search(rf"your\s+(?:letters?|responses?|correspondence)\s+(?:dated|of)\s+(?:{DATE_TEXT})"
                          rf"|your\s+(?:{DATE_TEXT})\s*,?\s+(?:response|letter|correspondence)", opening, re.I)
        if match:
            return next((v for _m, v in find_dates(match.group(0)) if before_letter(v)), None)
        return None
    for line in re_block:  # "Re: Comment Letter Dated April 25, 2016"
        if _LETTER_DATED.search(line) and not line.lower().startswith("response"):
            found = next((v for _m, v in find_dates(line) if before_letter(v)), None)
            if found:
                return found
    for match, value in find_dates(opening):
        before = opening[max(0, match.start() - 200):match.start()]
        after = opening[match.end():match.end() + 60]
        cited = _CITED_BEFORE.search(before) or _CITED_AFTER.match(after)
        about_letter = _LETTER_WORD.search(before[-160:]) or _LETTER_WORD.search(after[:30])
        not_a_letter = _NOT_A_LETTER_DATE.search(before)
        # "the Company's responses to your comment letter, dated June 1": the company's words, the staff's letter
        own_letter = _OWN_LETTER.search(before) and not _YOUR_LETTER.search(before)
        if before_letter(value) and cited and about_letter and not not_a_letter and not own_letter:
            return value
    return None


_ROLE_END = r"(?:Officer|President|Counsel|Secretary|Treasurer|Director|Controller|Chairman|Chair|Manager|Partner)"
_FLAT_ADDRESS = re.compile(
    rf"(?P<name>(?:[A-Z][\w.'’-]*\s){{1,3}}?)(?P<title>(?:(?:Executive|Senior|Chief|Vice|General|Co-|Interim|Acting)"
    rf"\s*)*{_ROLE_END}(?:.*?{_ROLE_END})?)"
    rf"\s+(?P<rest>[A-Z0-9].*)")


def find_addressee(head: list[str], date_line: int | None, sender: str) -> tuple[str | None, str | None]:
    """Name and title of the person the letter is addressed to, from the address block."""
    for line in head:
        match = _ATTENTION.fullmatch(line.strip())
        if match and match.group("rest"):
            name, title = split_name(match.group("rest"))
            return squash(name).rstrip(";") or None, squash(title) or None
    start = date_line + 1 if date_line is not None else 0
    lines = [line.strip() for line in head[start:] if line.strip()]
    while lines and _SKIP_AFTER_DATE.fullmatch(lines[0]):
        lines.pop(0)
    if not lines or _RE_START.match(lines[0]):
        return None, None
    first = lines[0]
    flat = _FLAT_ADDRESS.fullmatch(first) if len(first) > 60 else None
    if flat and looks_like_person(flat.group("name")):  # the whole address block flattened onto one line
        return squash(flat.group("name")), squash(flat.group("title"))
    name, inline_title = split_name(first)
    if not looks_like_person(NAME_SUFFIX.sub("", name)):
        return None, None
    if inline_title.strip():
        return squash(name), squash(inline_title)
    title_lines = []
    for line in lines[1:5]:
        if (re.match(r"\d", line) or _RE_START.match(line) or (sender == STAFF and COMPANY_WORDS.search(line))
                or (sender == COMPANY and re.match(r"(?:united states|u\.\s?s\.|securities)", line, re.I))
                or (looks_like_person(line) and title_lines)):
            break
        title_lines.append(line)
        if sender == COMPANY:
            break
    return squash(name), squash(" ".join(title_lines)) or None


def letter_body(text_clean: str) -> str:
    """The letter between its salutation and its complimentary close (a cleaned text, as `letters.text_clean`):
    for a response that numbers no answer, its answer to the letter as a whole."""
    lines = text_clean.split("\n")
    salutation = find_salutation(lines)
    if salutation is None:
        return ""
    closing, _signature = signature_block(lines)
    end = closing if closing > salutation else len(lines)
    return "\n".join(line.strip() for line in lines[salutation + 1:end]).strip()


def unnumbered_staff_comment(body_lines: list[str]) -> list[Comment]:
    """A staff letter that asks one thing without numbering it ("Please advise us what consideration ..."):
    the body up to the closing is comment 1."""
    end = next((i for i, line in enumerate(body_lines) if STAFF_CLOSING.match(line.strip())), len(body_lines))
    text = "\n".join(line.strip() for line in body_lines[:end]).strip()
    if not text:
        return []
    return [Comment(number=1, text=text, page_refs=page_refs(text), prior_comment_refs=prior_comment_refs(text))]


def classify_letter(sender: str, body: str, n_comments: int, n_answered: int, cites_letter: bool = False) -> str:
    """The kind of letter. A company letter that cites a staff letter and asks for neither acceleration
    nor more time is a response, even without numbered comments ("we will consider these comments")."""
    opening = body[:2500]
    if sender == STAFF:
        if _NOT_REVIEW.search(opening[:600]) and not n_comments:
            return NO_REVIEW
        if n_comments or _HAS_COMMENTS.search(opening):
            return COMMENT
        if _REVIEW_COMPLETE.search(opening):
            return REVIEW_COMPLETE
        return OTHER
    if n_answered:
        return RESPONSE
    head = body[:1500]
    opening_paragraphs = body[:3000]  # a long letterhead and Re: block can push the request past 1,500
    if _ACCELERATION.search(head):
        return ACCELERATION_REQUEST
    if _EXTENSION.search(opening_paragraphs):
        return EXTENSION_REQUEST
    if (_RESPONDING.search(head) and _LETTER_WORD.search(head)) or cites_letter:
        return RESPONSE
    return OTHER


def parse_letter(text: str, form_type: str | None, filing_date: date | None = None) -> Letter:
    """Everything the letter says about itself. `text` is the main document's text as extracted."""
    sender = sender_of(form_type)
    clean = clean_letter_text(text)
    lines = clean.text.split("\n")
    salutation = find_salutation(lines)
    head = lines[:salutation] if salutation is not None else lines[:30]
    letter_date = find_letter_date(head, filing_date) or date_from_page_headers(text, filing_date)
    date_line = next((i for i, line in enumerate(head) if _DATE_ONLY.fullmatch(line.strip())), None)
    re_block, re_end = find_re_block(lines, salutation)
    file_numbers = file_numbers_in(re_block) or file_numbers_in([line for line in head if _FILE_WORD.search(line)])
    body_start = salutation + 1 if salutation is not None else re_end if re_end is not None else date_line or 0
    closing, signature = signature_block(lines)
    body_lines = lines[body_start:closing] if closing > body_start else lines[body_start:]
    comments = split_comments(body_lines, is_response=sender == COMPANY)
    body = "\n".join(body_lines)
    opening = squash(" ".join(body_lines[:12]))
    n_answered = sum(1 for c in comments if c.answer_text) if sender == COMPANY else 0
    responds_to_date = find_responds_to_date(sender, re_block, opening, letter_date)
    kind = classify_letter(sender, squash(body[:6000]), len(comments), n_answered or len(comments),
                           cites_letter=responds_to_date is not None)
    if sender == COMPANY and kind != RESPONSE:
        comments = []  # a numbered list in an acceleration or extension request is not a comment
    if sender == STAFF and not comments and kind in (COMMENT, OTHER) and _STAFF_REQUEST.search(squash(body[:3000])):
        comments = unnumbered_staff_comment(body_lines)  # one comment, written without a number
        kind = COMMENT if comments else kind
    addressee_name, addressee_title = find_addressee(head, date_line, sender)
    if addressee_name is None and salutation is not None:  # "Dear Mses. Kindelan and Collins,"
        greeted = re.fullmatch(r"dear\s+(.+?)\s*[:,;]?", lines[salutation].strip(), re.I)
        if greeted and not _GENERIC_GREETING.match(greeted.group(1)):
            addressee_name = greeted.group(1)
    division, office = find_staff_office(signature if sender == STAFF else head)
    tail = lines[closing:] if closing < len(lines) else lines[-20:]
    people, law, audit = find_cc(tail)
    squashed_body = squash(body)
    prior_letter_dates = sorted({d for m in _PRIOR_LETTER.finditer(squashed_body) for _m, d in find_dates(m.group(0))
                                 if letter_date is None or d < letter_date}) if sender == STAFF else []
    return Letter(
        sender=sender,
        letter_date=letter_date,
        letter_kind=kind,
        addressee_name=addressee_name,
        addressee_title=addressee_title,
        re_text="\n".join(re_block) or None,
        reviewed_filings=parse_reviewed_filings(re_block),
        file_numbers=file_numbers,
        responds_to_date=responds_to_date,
        signers=find_signers(signature),
        staff_division=division,
        staff_office=canonical_office(office),
        staff_office_raw=office,
        staff_contacts=find_staff_contacts(squash(" ".join(body_lines[-40:]))) if sender == STAFF else [],
        cc_people=people,
        cc_law_firms=law,
        cc_audit_firms=audit,
        comments=comments,
        has_confidential_treatment=clean.has_confidential_treatment,
        n_redactions=clean.n_redactions,
        text_clean=clean.text,
        prior_letter_dates=prior_letter_dates,
        answers_oral_comments=sender == COMPANY and bool(_ORAL_COMMENTS.search(opening[:1200])),
    )
