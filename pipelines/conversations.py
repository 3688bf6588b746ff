"""Reviews as conversations: which letter answers which, which letters form one review, which answer
goes with which staff comment. Pure functions over the rows of the `letters`, `filings` and `comments`
tables of one build.

Signals, strongest first (docs/reference/comment-letters.md §1.3):
1. the date a letter cites ("your letter dated March 6, 2024", "Response dated ...") matched to a
   same-company letter of the other side dated that day;
2. SEC file numbers (Re: block and UPLOAD header) shared by two letters;
3. the release batch: EDGAR makes every letter of one review public on the same day;
4. chronology: a response answers the latest staff letter before it, a staff letter reviews the latest
   response before it.
A link is kept only when its confidence reaches LINK_THRESHOLD; below it the link stays empty.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from edgar_corpus.edgar import (
    ACCELERATION_REQUEST,
    COMMENT,
    COMPANY,
    EFFECTIVENESS_FORM,
    EXTENSION_REQUEST,
    NO_REVIEW,
    OTHER,
    RESPONSE,
    REVIEW_COMPLETE,
    STAFF,
)
from pipelines.dates import business_days_between
from pipelines.indexes import ListedFiling
from pipelines.letters import letter_body
from pipelines.reviewed import reviewed_accessions

LINK_THRESHOLD = 0.6
CHRONOLOGY_DAYS = 180  # a response answers a staff letter of the last six months at most
STAFF_KINDS_ANSWERED = (COMMENT, OTHER)  # staff letters a company letter can answer
RESPONDING_KINDS = (RESPONSE, EXTENSION_REQUEST)  # company letters that answer a staff letter
_FILE_NUMBER = re.compile(r"(\d{1,3})-(\d{3,6})")


@dataclass(slots=True)
class LetterNode:
    """What pairing needs to know of one letter (one row of `letters`, with its filing's header fields)."""
    accession: str
    cik: int
    sender: str  # staff | company
    kind: str | None
    letter_date: date | None
    filing_date: date
    release_date: date | None
    file_numbers: frozenset[str]  # normalized: "001-06991" and "1-6991" are both "1-6991"
    forms: frozenset[str]  # forms named in the Re: block
    responds_to_date: date | None
    reference_accession: str | None = None  # UPLOAD header: the filing reviewed
    n_comments: int = 0
    acceptance: datetime | None = None  # orders two letters of one day (a response and the completion letter)
    periods: frozenset[date] = frozenset()  # fiscal periods of the filings reviewed
    prior_letter_dates: frozenset[date] = frozenset()  # staff: its own earlier letters it cites
    answers_oral_comments: bool = False
    # results
    responds_to: str | None = None
    link_method: str | None = None
    link_confidence: float | None = None
    conversation_id: str | None = None

    @property
    def day(self) -> date:
        return self.letter_date or self.filing_date

    @property
    def order(self) -> tuple[date, date, datetime, str]:
        return (self.day, self.filing_date, self.acceptance or datetime.min, self.accession)


@dataclass(slots=True)
class Conversation:
    conversation_id: str
    cik: int
    letters: list[LetterNode] = field(default_factory=list)


def normalize_file_number(value: str) -> str | None:
    match = _FILE_NUMBER.search(value)
    return f"{int(match.group(1))}-{int(match.group(2))}" if match else None


def letter_nodes(letters: Iterable[dict[str, Any]], filings: dict[str, dict[str, Any]]) -> list[LetterNode]:
    """Nodes from `letters` rows, with the UPLOAD header's file numbers and reference accession added."""
    nodes = []
    for row in letters:
        filing = filings.get(row["accession_number"], {})
        numbers = {normalize_file_number(n) for n in [*(row.get("file_numbers") or []),
                                                       *(filing.get("file_numbers") or [])]}
        reviewed = row.get("reviewed_filings") or []
        forms = {f["form_type"] for f in reviewed if f.get("form_type")}
        nodes.append(LetterNode(
            accession=row["accession_number"], cik=row["cik"], sender=row["sender"], kind=row.get("letter_kind"),
            letter_date=row.get("letter_date"), filing_date=row["filing_date"], release_date=row.get("release_date"),
            file_numbers=frozenset(n for n in numbers if n), forms=frozenset(forms),
            responds_to_date=row.get("responds_to_date"), reference_accession=filing.get("reference_accession"),
            n_comments=row.get("n_comments") or 0, acceptance=filing.get("acceptance_datetime"),
            periods=frozenset(f["period_end"] for f in reviewed if f.get("period_end")),
            prior_letter_dates=frozenset(row.get("prior_letter_dates") or []),
            answers_oral_comments=bool(row.get("answers_oral_comments")),
        ))
    return nodes


def _related(a: LetterNode, b: LetterNode) -> float:
    """How strongly two letters of one company look like the same review, from batch and file numbers."""
    score = 0.0
    if a.release_date and a.release_date == b.release_date:
        score += 0.4
    if a.file_numbers & b.file_numbers:
        score += 0.3
    elif a.file_numbers and b.file_numbers:
        score -= 0.3  # both name file numbers and none is shared: another review
    if a.forms & b.forms:
        score += 0.1
    if a.reference_accession and a.reference_accession == b.reference_accession:
        score += 0.3
    return score


def _cited(candidates: list[LetterNode], cited: date) -> list[LetterNode]:
    return [c for c in candidates if c.letter_date == cited] or [c for c in candidates if c.filing_date == cited]


def link_response(letter: LetterNode, staff: list[LetterNode]) -> None:
    """The staff letter a company letter answers: the one whose date it cites, else the latest related one."""
    earlier = [s for s in staff if s.kind in STAFF_KINDS_ANSWERED and s.order <= letter.order
               and (letter.day - s.day).days <= CHRONOLOGY_DAYS]
    if not earlier:
        return
    if letter.responds_to_date:
        cited = _cited(earlier, letter.responds_to_date)
        if cited:
            best = max(cited, key=lambda s: (_related(letter, s), s.order))
            agrees = _related(letter, best) > 0
            _set_link(letter, best.accession, "cited_date" + ("+batch_or_file" if agrees else ""),
                      0.99 if agrees else 0.9)
            return
    if letter.answers_oral_comments:
        return  # it answers comments given by telephone, not a letter
    best = max(earlier, key=lambda s: (_related(letter, s), s.order))
    signals = _related(letter, best)
    confidence = 0.3 + signals + (0.1 if best is earlier[-1] or best.order == max(s.order for s in earlier) else 0)
    if confidence >= LINK_THRESHOLD:
        _set_link(letter, best.accession, _method(letter, best) + "+chronology", min(confidence, 0.95))


def _method(a: LetterNode, b: LetterNode) -> str:
    parts = []
    if a.release_date and a.release_date == b.release_date:
        parts.append("release_batch")
    if a.file_numbers & b.file_numbers:
        parts.append("file_number")
    if a.reference_accession and a.reference_accession == b.reference_accession:
        parts.append("reference_accession")
    return "+".join(parts) or "date"


def _set_link(letter: LetterNode, target: str, method: str, confidence: float) -> None:
    letter.responds_to, letter.link_method, letter.link_confidence = target, method, round(confidence, 2)


class _UnionFind:
    def __init__(self, keys: Iterable[str]) -> None:
        self.parent = {k: k for k in keys}

    def find(self, key: str) -> str:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _compatible(a: frozenset, b: frozenset) -> bool:
    return not a or not b or bool(a & b)


def _same_review(a: LetterNode, b: LetterNode) -> bool:
    """Two letters of one batch name the same file number and, where both name them, a common fiscal period
    and a common form (a 10-K review and a proxy review of one company can share a batch and a file number)."""
    return bool(a.file_numbers & b.file_numbers) and _compatible(a.periods, b.periods) and _compatible(a.forms, b.forms)


def group_company(nodes: list[LetterNode]) -> list[list[LetterNode]]:
    """The reviews of one company.

    1. Letters joined by their links, and staff letters by the earlier staff letters they cite.
    2. In each release batch: letters naming the same file number (and, where both name one, the same
       fiscal period) join; the rest join the batch's only review, or the one nearest in time.
    3. A later batch that continues a review (it starts with a completion letter or a follow-up that
       cites a response, on the same file number and filing) joins it; so does an acceleration or
       extension request released apart from its review.
    """
    groups = _UnionFind(n.accession for n in nodes)
    by_accession = {n.accession: n for n in nodes}
    for node in nodes:
        if node.responds_to in by_accession:
            groups.union(node.accession, node.responds_to)
        if node.sender == STAFF and node.responds_to_date:  # "We have reviewed your March 20, 2024 response"
            for other in nodes:
                if (other.sender, other.kind, other.letter_date) == (COMPANY, RESPONSE, node.responds_to_date):
                    groups.union(node.accession, other.accession)
        for cited in node.prior_letter_dates:
            for other in nodes:
                if other.sender == STAFF and other is not node and other.letter_date == cited \
                        and not _closed_between(nodes, other, node):
                    groups.union(node.accession, other.accession)
    batches: dict[date, list[LetterNode]] = defaultdict(list)
    for node in nodes:
        if node.release_date is not None:
            batches[node.release_date].append(node)
    for batch in batches.values():
        _group_batch(batch, groups)
    _join_continued_reviews(nodes, groups)
    members: dict[str, list[LetterNode]] = defaultdict(list)
    for node in nodes:
        members[groups.find(node.accession)].append(node)
    return [sorted(group, key=lambda n: n.order) for group in members.values()]


def _closed_between(nodes: list[LetterNode], cited: LetterNode, citing: LetterNode) -> bool:
    """A completion letter on the cited letter's file came between them: the citing letter opens a new review
    that only refers back to the old one ("see our letter dated March 31, 2017" a year later)."""
    return any(n.sender == STAFF and n.kind in (REVIEW_COMPLETE, NO_REVIEW)
               and cited.order < n.order < citing.order
               and (not cited.file_numbers or n.file_numbers & cited.file_numbers) for n in nodes)


STRAY_LETTER_DAYS = 60


def _group_batch(batch: list[LetterNode], groups: _UnionFind) -> None:
    specific = [n for n in batch if n.file_numbers and n.periods]
    for i, a in enumerate(specific):
        for b in specific[i + 1:]:
            if _same_review(a, b):
                groups.union(a.accession, b.accession)
    rest = sorted((n for n in batch if not (n.file_numbers and n.periods)), key=lambda n: n.order)
    for node in rest:  # file numbers but no period first, then no file number at all
        if not node.file_numbers:
            continue
        matches = [n for n in batch if n is not node and _same_review(n, node)]
        if matches:
            groups.union(node.accession, _nearest(node, matches).accession)
    for node in rest:
        if node.file_numbers:
            continue
        if node.kind == OTHER and all(abs((n.day - node.day).days) > STRAY_LETTER_DAYS for n in batch if n is not node):
            continue  # a cover letter months apart from a review released the same day is not part of it
        roots = {groups.find(n.accession) for n in batch if n.file_numbers}
        if len(roots) == 1:
            groups.union(node.accession, roots.pop())
            continue
        others = [n for n in batch if n is not node]
        if others:
            groups.union(node.accession, _nearest(node, others).accession)


def _nearest(node: LetterNode, others: list[LetterNode]) -> LetterNode:
    earlier = [n for n in others if n.order <= node.order]
    return max(earlier, key=lambda n: n.order) if earlier else min(others, key=lambda n: n.order)


def _join_continued_reviews(nodes: list[LetterNode], groups: _UnionFind) -> None:
    members: dict[str, list[LetterNode]] = defaultdict(list)
    for node in nodes:
        members[groups.find(node.accession)].append(node)
    ordered = sorted(members.values(), key=lambda group: min(n.order for n in group))
    for index, group in enumerate(ordered):
        first = min(group, key=lambda n: n.order)
        continues = (first.sender == STAFF and (first.kind == REVIEW_COMPLETE or first.responds_to_date)) or (
            first.sender == COMPANY and first.kind in (ACCELERATION_REQUEST, EXTENSION_REQUEST))
        if not continues:
            continue
        for earlier in reversed(ordered[:index]):
            last = max(earlier, key=lambda n: n.order)
            if (first.day - last.day).days > 270:
                break
            shares_filing = any(_same_review(a, b) and (a.periods or a.forms & b.forms)
                                for a in group for b in earlier)
            if first.kind in (ACCELERATION_REQUEST, EXTENSION_REQUEST):
                shares_filing = any(a.file_numbers & b.file_numbers for a in group for b in earlier)
            if shares_filing:
                groups.union(first.accession, last.accession)
                break


def conversation_id(letters: list[LetterNode]) -> str:
    """Derived from the first staff letter's accession (else the first letter's), so it survives rebuilds."""
    staff = [n for n in letters if n.sender == STAFF]
    first = min(staff or letters, key=lambda n: n.order)
    return "CL-" + first.accession


def link_staff_letters(conversation: list[LetterNode]) -> None:
    """Each staff letter after the first reviewed the response it cites by date, else the latest response before
    it in its conversation."""
    responses = [n for n in conversation if n.sender == COMPANY and n.kind == RESPONSE]
    staff = [n for n in conversation if n.sender == STAFF]
    for letter in staff:
        earlier = [r for r in responses if r.order < letter.order]
        if not earlier:
            continue
        latest = max(earlier, key=lambda r: r.order)
        cited = _cited(earlier, letter.responds_to_date) if letter.responds_to_date else []
        if cited and latest in cited:
            _set_link(letter, latest.accession, "cited_date+conversation", 0.99)
        elif cited:  # "your September 30, 2024 response", though a later supplemental letter came in between
            _set_link(letter, max(cited, key=lambda r: r.order).accession, "cited_date", 0.95)
        else:
            _set_link(letter, latest.accession, "conversation_chronology", 0.85)


def pair_letters(nodes: list[LetterNode]) -> list[Conversation]:
    """Links, conversation ids and conversations for all letters (any number of companies)."""
    by_cik: dict[int, list[LetterNode]] = defaultdict(list)
    for node in nodes:
        by_cik[node.cik].append(node)
    conversations = []
    for cik, company in sorted(by_cik.items(), key=lambda item: item[0] or 0):
        company.sort(key=lambda n: n.order)
        staff = [n for n in company if n.sender == STAFF]
        for node in company:
            if node.sender == COMPANY and node.kind in RESPONDING_KINDS:
                link_response(node, staff)
        for group in group_company(company):
            cid = conversation_id(group)
            for node in group:
                node.conversation_id = cid
            link_staff_letters(group)
            conversations.append(Conversation(cid, cik, group))
    return sorted(conversations, key=lambda c: c.conversation_id)


# A registration statement's review usually ends with its effectiveness, not a completion letter: EDGAR's notice
# of effectiveness (form EFFECT, in the same index files) closes it when it comes on or after the review's first
# letter and within EFFECTIVE_WINDOW of its last one (an acceleration request names a day a few days ahead).
# "Form 10" but not "10-K" or "10-Q"
REGISTRATION_FORMS = re.compile(
    r"^(?:S-\d+|F-\d+|S-11|10-12[BG]|10(?![-\w])|FORM 10(?![-\w])|DRS|N-\d|1-A|POS AM|SF-\d)", re.I)
EFFECTIVE_WINDOW_DAYS = 60


def effective_date(conversation: Conversation, forms: list[str], effective: list[date]) -> date | None:
    """When the registration statement a review examined was declared effective (EDGAR's EFFECT notice)."""
    if not any(REGISTRATION_FORMS.match(form or "") for form in forms):
        return None
    first, last = conversation.letters[0].day, conversation.letters[-1].day
    later = sorted(day for day in effective if first <= day <= last + timedelta(days=EFFECTIVE_WINDOW_DAYS))
    return later[0] if later else None


# A registration statement's review, draft or public, is often answered by an amended filing (DRS/A, S-1/A, or the
# public S-1 after a draft) with no CORRESP letter: its first response is then that filing, if it comes within
# AMENDMENT_WINDOW_DAYS of the first staff letter and before any response letter.
AMENDMENT_WINDOW_DAYS = 120


def is_registration_amendment(form_type: str) -> bool:
    """A filing that can answer a registration review's comments: a registration form other than a notice."""
    form = form_type.upper()
    return bool(REGISTRATION_FORMS.match(form)) and not form.endswith("MEF") and form != EFFECTIVENESS_FORM


def _base_form(form: str) -> str:
    return re.sub(r"\s+", " ", form.upper().removeprefix("FORM ")).removesuffix("/A").strip()


def first_response(conversation: Conversation, forms: list[str], amendments: list[tuple[date, str]]
                   ) -> tuple[date | None, str | None]:
    """The day of a review's first answer and what it was: 'letter' (a CORRESP response) or 'amended_filing' (a
    filing of the reviewed form or its draft: DRS/A, S-1/A, or the public S-1 after a draft)."""
    staff = [n for n in conversation.letters if n.sender == STAFF]
    responses = [n.day for n in conversation.letters if n.sender == COMPANY and n.kind == RESPONSE]
    letter_day = responses[0] if responses else None
    reviewed = {_base_form(form) for form in forms if REGISTRATION_FORMS.match(form or "")}
    if not staff or not reviewed:
        return letter_day, "letter" if letter_day else None
    first = staff[0].day
    filed = sorted(day for day, form in amendments if first < day <= first + timedelta(days=AMENDMENT_WINDOW_DAYS)
                   and (_base_form(form) in reviewed or _base_form(form) == "DRS"))
    if filed and (letter_day is None or filed[0] < letter_day):
        return filed[0], "amended_filing"
    return letter_day, "letter" if letter_day else None


def conversation_row(conversation: Conversation, letters: dict[str, dict[str, Any]],
                     filings: dict[str, dict[str, Any]], effective: list[date] | None = None,
                     amendments: list[tuple[date, str]] | None = None) -> dict[str, Any]:
    """One `conversations` row: the review's filings, dates, counts and status. `effective`: the days of the
    company's notices of effectiveness (EDGAR form EFFECT); `amendments`: the days and forms of the registration
    statements and amendments it filed (is_registration_amendment)."""
    nodes = conversation.letters
    staff = [n for n in nodes if n.sender == STAFF]
    responses = [n for n in nodes if n.sender == COMPANY and n.kind == RESPONSE]
    comment_letters = [n for n in staff if n.kind == COMMENT]
    completion = [n for n in staff if n.kind == REVIEW_COMPLETE]
    no_review = [n for n in staff if n.kind == NO_REVIEW]
    status = "resolved" if completion else "no_review" if no_review else "open"
    first_staff = staff[0] if staff else None
    last = nodes[-1]
    closed = completion[-1] if completion else no_review[-1] if no_review else None
    releases = sorted({n.release_date for n in nodes if n.release_date})
    forms: list[str] = []
    periods: list[date] = []
    for node in nodes:
        for reviewed in letters[node.accession].get("reviewed_filings") or []:
            if reviewed.get("form_type") and reviewed["form_type"] not in forms:
                forms.append(reviewed["form_type"])
            if reviewed.get("period_end") and reviewed["period_end"] not in periods:
                periods.append(reviewed["period_end"])
    file_numbers = sorted({f for n in nodes for f in n.file_numbers})
    references = sorted({n.reference_accession for n in nodes if n.reference_accession})
    reviewed = list(dict.fromkeys(a for n in nodes for a in letters[n.accession].get("reviewed_accessions") or []))
    effective_on = effective_date(conversation, forms, effective or [])
    answered_on, answered_by = first_response(conversation, forms, amendments or [])
    if status == "open" and effective_on is not None:
        status = "effective"
    return {
        "conversation_id": conversation.conversation_id,
        "cik": conversation.cik,
        "company_name": filings.get(nodes[0].accession, {}).get("company_name"),
        "reviewed_forms": forms,
        "reviewed_periods": sorted(periods),
        "file_numbers": file_numbers,
        "reference_accessions": references,
        "first_letter_date": nodes[0].day,
        "last_letter_date": last.day,
        "release_date": releases[-1] if releases else None,
        "status": status,
        "effective_date": effective_on,
        "reviewed_accessions": reviewed,
        "n_letters": len(nodes),
        "n_staff_letters": len(staff),
        "n_responses": len(responses),
        "n_rounds": len(comment_letters),
        "n_comments_first_letter": comment_letters[0].n_comments if comment_letters else 0,
        "n_comments_total": sum(n.n_comments for n in comment_letters),
        "days_to_first_response": (answered_on - first_staff.day).days if answered_on and first_staff else None,
        "first_response_via": answered_by,
        "days_to_close": ((closed.day - first_staff.day).days if closed and first_staff
                          else (effective_on - first_staff.day).days if status == "effective" and first_staff
                          else None),
        "release_lag_business_days": (business_days_between(last.day, releases[-1]) if releases else None),
        "has_extension_request": any(n.kind == EXTENSION_REQUEST for n in nodes),
        "year": nodes[0].day.year,
    }


_WORDS = re.compile(r"[a-z0-9]+")


def _word_set(text: str, limit: int = 60) -> set[str]:
    return set(_WORDS.findall(text.lower())[:limit])


def _similarity(a: str, b: str) -> float:
    wa, wb = _word_set(a), _word_set(b)
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0


def comment_response_rows(conversations: list[Conversation], comments: list[dict[str, Any]],
                          unnumbered_answers: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """One row per staff comment: the answer to it (by number, else by the repeated text, else a response that
    answers the letter as a whole) and, for a follow-up ("We note your response to prior comment 2"), the
    earlier comment it continues. `unnumbered_answers`: the body of each response that numbers no answer
    ("we will enhance our future disclosures in accordance with the topics of your letter"), by accession."""
    unnumbered_answers = unnumbered_answers or {}
    by_accession: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for comment in comments:
        by_accession[comment["accession_number"]].append(comment)
    rows = []
    for conversation in conversations:
        staff_letters = [n for n in conversation.letters if n.sender == STAFF and by_accession.get(n.accession)]
        for index, letter in enumerate(staff_letters):
            answers = [n for n in conversation.letters if n.responds_to == letter.accession
                       and n.sender == COMPANY and n.kind == RESPONSE]
            cited = [n for n in staff_letters[:index] if n.letter_date in letter.prior_letter_dates]
            previous = cited[-1] if cited else staff_letters[index - 1] if index > 0 else None
            # only when no response to the letter numbers its answers: a supplemental letter beside numbered
            # answers ("questions you asked during our call") answers something else
            numbered = any(by_accession.get(n.accession) for n in answers)
            whole = None if numbered else next((n.accession for n in sorted(answers, key=lambda r: r.order)
                                                if n.accession in unnumbered_answers), None)
            for comment in sorted(by_accession[letter.accession], key=lambda c: c["comment_number"]):
                answer_number, answer, method, response = _find_answer(comment, answers, by_accession)
                if method is None and whole:
                    answer, method, response = unnumbered_answers[whole], "whole_letter", whole
                refs = comment.get("prior_comment_refs") or []
                rows.append({
                    "conversation_id": conversation.conversation_id,
                    "cik": conversation.cik,
                    "staff_accession": letter.accession,
                    "comment_number": comment["comment_number"],
                    "heading": comment.get("heading"),
                    "comment_text": comment["text"],
                    "response_accession": response,
                    "response_comment_number": answer_number,
                    "response_text": answer,
                    "match_method": method,
                    # a follow-up: the earlier letter may predate the corpus; the comment number is kept anyway
                    "continues_accession": previous.accession if previous and refs else None,
                    "continues_comment_number": refs[0] if refs else None,
                    "year": letter.day.year,
                })
    return rows


def _find_answer(comment: dict[str, Any], responses: list[LetterNode], by_accession: dict[str, list[dict[str, Any]]]
                 ) -> tuple[int | None, str | None, str | None, str | None]:
    """(answered comment's number, answer text, how it was matched, response accession) for one staff comment."""
    for response in sorted(responses, key=lambda r: r.order):
        answered = by_accession.get(response.accession, [])
        same_number = [a for a in answered if a["comment_number"] == comment["comment_number"]]
        if same_number and (_similarity(same_number[0]["text"], comment["text"]) >= 0.2
                            or len(answered) == len(by_accession.get(comment["accession_number"], []))):
            return same_number[0]["comment_number"], same_number[0].get("answer_text"), "number", response.accession
        scored = [(_similarity(a["text"], comment["text"]), a) for a in answered]
        if scored:
            score, best = max(scored, key=lambda pair: pair[0])
            if score >= 0.4:
                return best["comment_number"], best.get("answer_text"), "text", response.accession
    return None, None, None, responses[0].accession if responses else None


def pair_conversations(filings: list[dict[str, Any]], letters: list[dict[str, Any]], comments: list[dict[str, Any]],
                       listed: dict[int, list[ListedFiling]] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Letters into reviews: the links, conversation ids and reviewed accessions are written into the `letters`
    rows; returns the `conversations` and `comment_responses` rows, by table name. `listed`: each company's
    filings as EDGAR's listings name them (for the filings reviewed and the notices of effectiveness)."""
    listed = listed or {}
    by_accession = {row["accession_number"]: row for row in filings}
    for row in letters:
        company = listed.get(row["cik"], [])
        row["reviewed_accessions"] = reviewed_accessions(
            row.get("reviewed_filings") or [], row.get("letter_date"), company,
            by_accession.get(row["accession_number"], {}).get("reference_accession"))
    effective = {cik: [f.date_filed for f in rows if f.form_type == EFFECTIVENESS_FORM and f.date_filed]
                 for cik, rows in listed.items()}
    nodes = letter_nodes(letters, by_accession)
    conversations = pair_letters(nodes)
    letter_by_accession = {row["accession_number"]: row for row in letters}
    for node in nodes:
        letter_by_accession[node.accession].update(
            conversation_id=node.conversation_id, responds_to=node.responds_to, link_method=node.link_method,
            link_confidence=node.link_confidence)
    amendments = {cik: [(f.date_filed, f.form_type) for f in rows
                        if is_registration_amendment(f.form_type) and f.date_filed]
                  for cik, rows in listed.items()}
    rows = [conversation_row(c, letter_by_accession, by_accession, effective.get(c.cik), amendments.get(c.cik))
            for c in conversations]
    answered = {c["accession_number"] for c in comments}
    unnumbered = {row["accession_number"]: body for row in letters
                  if row.get("sender") == COMPANY and row.get("letter_kind") == RESPONSE
                  and row["accession_number"] not in answered and (body := letter_body(row.get("text_clean") or ""))}
    return {"conversations": rows, "comment_responses": comment_response_rows(conversations, comments, unnumbered)}
