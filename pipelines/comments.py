"""Numbered staff comments, and the answers to them in a company's response. Pure functions over clean text.

Staff letters number their comments 1, 2, 3 ... under headings that name the section and page
of the filing reviewed; a comment without a heading of its own falls under the one above it.
Responses repeat each comment and answer it, often after a "Response:" label. Numbers are only
accepted in strict sequence; when a number appears more than once (a numbered note heading in
a filing, a numbered list inside an answer), the most comment-like chain wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from pipelines.clean import LEGEND_START

_MARKER = re.compile(
    r"(?:(?:sec\s+|staff\s+)?(?:oral\s+)?comment\s*(?:no\.?|#)?\s*(?P<labelled>\d{1,2})\s*(?:[:.\-–]\s*|$)"
    r"|(?P<number>\d{1,2})[.)]\s+(?:(?:sec\s+|staff\s+)?comment\s*:\s*)?)(?P<rest>.*)",
    re.IGNORECASE,
)
_COMMENT_LABEL = re.compile(
    r"(?:sec\s+|staff\s+|the staff'?s\s+)?comments?\s*(?:(?:no\.?|#)\s*\d{1,2}\s*)?[:.]?\s*(?P<rest>.*)", re.IGNORECASE)
_RESPONSE_LABEL = re.compile(
    r"(?:(?:[\w.&’'-]+\s){0,2})?(?:response|answer|reply)(?:\s+(?:to\s+(?:staff\s+|sec\s+)?comment\s*)?(?:no\.?|#)?\s*\d*)?"
    r"\s*(?:[:\-–—]\s*(?P<rest>.*)|$)",
    re.IGNORECASE,
)
_PAGE_TAIL = re.compile(r",?\s*pages?\s+[\w-]+$|,\s*page$", re.IGNORECASE)
_TERMINAL = re.compile(r"[.;:?!]\s*[\"”’)]?$")
_BULLET = re.compile(r"(?:[•·◦▪●○-]|\(?[a-z]\)|[a-z]\.|\([ivx]+\))\s", re.IGNORECASE)
_PAGE_REF = re.compile(
    r"\bpages?\s+((?:[A-Z]{1,2}-)?\d+[A-Z]?(?:\s*(?:-|–|through|to|and)\s*(?:[A-Z]{1,2}-)?\d+[A-Z]?)?)",
    re.IGNORECASE,
)
_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
}
_NUM = r"(?:\d{1,2}|" + "|".join(_WORD_NUMBERS) + r")"
_NUM_LIST = rf"{_NUM}(?:\s*(?:,|and|&|through|to|-|–)\s*(?:comments?\s+)?{_NUM})*"
_PRIOR_REF = re.compile(
    rf"\b(?:prior|previous|earlier|former)\s+comments?\s+(?:nos?\.?\s*)?(?P<a>{_NUM_LIST})"
    rf"|\bresponses?\s+to\s+(?:our\s+)?(?:prior\s+|previous\s+)?comments?\s+(?:nos?\.?\s*)?(?P<b>{_NUM_LIST})"
    rf"|\bcomments?\s+(?:nos?\.?\s*)?(?P<c>{_NUM_LIST})\s+(?:issued\s+)?(?:in|of|from)\s+our\s+(?:prior\s+|previous\s+)?"
    rf"(?:\w+\s+){{0,4}}letter",
    re.IGNORECASE,
)
STAFF_CLOSING = re.compile(
    r"(?:in closing,?\s+)?we remind you|we urge all persons|(?:you may|please) contact|please direct"
    r"|sincerely|in responding to our comments|we will consider a written request|if you have any questions"
    r"|refer to rules 460 and 461|please refer to rules 460",
    re.IGNORECASE,
)
COMPANY_CLOSING = re.compile(
    r"sincerely|very truly yours|respectfully(?: submitted| yours)?,|yours (?:truly|sincerely)"
    r"|(?:if|should) (?:you|the staff) (?:have|has|require|would like|need)|please (?:do not hesitate|feel free)"
    r"|(?:\*\s*){3,}$|in connection with (?:responding|its response)"
    r"|in responding to (?:your|the staff.s|these|the) comments,? (?:the company|we|\w+) (?:hereby )?acknowledges?"
    # the acknowledgements staff once asked for, not an answer that begins "The Company acknowledges that it ..."
    r"|(?:the company|\w+) (?:hereby )?acknowledges that(?:\s*:|.{0,60}\bresponsible for the adequacy"
    r"|.{0,80}\bstaff comments or changes)"
    r"|if we can (?:be of|assist|facilitate)|we (?:trust|hope) that (?:this|these|the foregoing)",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Comment:
    number: int
    text: str
    heading_path: list[str] = field(default_factory=list)
    page_refs: list[str] = field(default_factory=list)
    prior_comment_refs: list[int] = field(default_factory=list)
    answer_text: str | None = None
    answer_method: str | None = None  # how the answer was told apart: label | paragraph | group

    @property
    def heading(self) -> str | None:
        return self.heading_path[-1] if self.heading_path else None


@dataclass(slots=True)
class _Candidate:
    line: int
    number: int
    rest: str


def _number(word: str) -> int | None:
    word = word.lower()
    return int(word) if word.isdigit() else _WORD_NUMBERS.get(word)


def prior_comment_refs(text: str) -> list[int]:
    """Numbers of earlier comments a comment refers to: "prior comment 2", "comments 3 and 4", "comment one"."""
    refs: list[int] = []
    for match in _PRIOR_REF.finditer(text):
        numbers_text = match.group("a") or match.group("b") or match.group("c")
        words = re.findall(_NUM, numbers_text, re.IGNORECASE)
        numbers = [n for n in (_number(w) for w in words) if n is not None]
        if re.search(r"through|\bto\b|[-–]", numbers_text) and len(numbers) == 2 and 0 < numbers[1] - numbers[0] < 30:
            numbers = list(range(numbers[0], numbers[1] + 1))
        refs.extend(n for n in numbers if n not in refs)
    return refs


def page_refs(text: str) -> list[str]:
    refs: list[str] = []
    for match in _PAGE_REF.finditer(text):
        ref = re.sub(r"\s+", " ", match.group(1))
        if ref not in refs:
            refs.append(ref)
    return refs


# a telephone number or other run of digits from a letterhead or page footer ("312-634-8100"), never a heading
_NUMBER_LINE = re.compile(r"[\d\s().+/–-]{7,}")


def is_heading_like(line: str) -> bool:
    """Section headings are short and end without sentence punctuation ("Note 9. Taxes, page 45")."""
    stripped = line.strip()
    if not stripped or len(stripped) > 240:
        return False
    if _PAGE_TAIL.search(stripped):  # "b. Revenue Recognition, page F-7" is a heading despite its letter; a path
        return True  # flattened onto one line ("Management's Discussion ... Land Management, page 26") is long
    if len(stripped) > 160 or _NUMBER_LINE.fullmatch(stripped) or stripped.endswith("[REDACTED]"):
        return False  # (an answer's last sentence followed by its redaction ends without a full stop)
    if _BULLET.match(stripped):
        return False
    return not _TERMINAL.search(stripped)


_SMALL_WORDS = frozenset(
    "a an and as at by for from in into of on or the to with under vs".split()  # noqa: SIM905
)


def is_title_like(line: str) -> bool:
    """Most words capitalized, as in "Management's Discussion and Analysis of Financial Condition"; wrapped
    sentence lines of a PDF lack end punctuation too, but are mostly lower case."""
    words = [w for w in re.findall(r"[A-Za-z][\w’'-]*", line) if w.lower() not in _SMALL_WORDS]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.6 * len(words)


def is_response_label(line: str) -> bool:
    lowered = line[:80].lower()  # cheap test first: most lines are not labels
    return ("respons" in lowered or "answer" in lowered or "reply" in lowered) and bool(
        _RESPONSE_LABEL.fullmatch(line.strip()))


def _candidates(lines: list[str]) -> list[_Candidate]:
    out = []
    for i, line in enumerate(lines):
        first = line[:1]
        if not (first.isdigit() or first in "CcSs"):  # markers start "1." or "Comment", "Staff", "SEC"
            continue
        match = _MARKER.fullmatch(line.strip())
        if match:
            number = int(match.group("labelled") or match.group("number"))
            if number > 0:
                out.append(_Candidate(i, number, match.group("rest")))
    return out


# a run-in title and a dash before the sentence, as items of a company's own numbered list are written
_RUN_IN_TITLE = re.compile(r"[A-Z][^.:;–—]{3,80}?\s[–—]\s+[A-Z]")


def _score(candidate: _Candidate, lines: list[str], next_line: int, has_labels: bool, is_response: bool) -> int:
    """How comment-like a numbered line is. A comment is a sentence (not a numbered note heading of the
    filing), is answered after a "Response" label where the letter uses them, and does not continue a
    list introduced by a colon or made of consecutive numbered lines (a list inside an answer)."""
    score = 1 if is_heading_like(candidate.rest) and is_title_like(candidate.rest) else 3
    if is_response and _RUN_IN_TITLE.match(candidate.rest):
        score -= 2  # "2. Vehicles shipped by a Ford-owned delivery company – Generally, ...": a list item of an answer
    if has_labels:  # where answers follow "Response:" labels, a comment without one is a list item of an answer
        score += 2 if any(is_response_label(line) for line in lines[candidate.line + 1:next_line]) else -4
    previous = next((lines[i].strip() for i in range(candidate.line - 1, -1, -1) if lines[i].strip()), "")
    previous_marker = _MARKER.fullmatch(previous) if is_response else None
    previous_number = previous_marker and (previous_marker.group("labelled") or previous_marker.group("number"))
    if previous.endswith(":") or (previous_number and int(previous_number) == candidate.number - 1):
        score -= 5  # "1. a; 2. b; 3. c" one line after another is a list inside an answer
    return score


_CITED_COMMENT = re.compile(r"\bcomments?\s+(?:no\.?\s*|number\s+|#\s*)?(\d{1,2})\b", re.IGNORECASE)


def cited_start_numbers(lines: list[str]) -> set[int]:
    """Comment numbers a response names in its opening ("a supplemental response to the Staff's comment no. 2"):
    such a response may answer from that number on, not from 1."""
    opening = " ".join(line.strip() for line in lines[:40])[:3000]
    return {int(n) for n in _CITED_COMMENT.findall(opening)}


def best_chain(lines: list[str], has_labels: bool = False, is_response: bool = False,
               starts: set[int] | None = None) -> list[_Candidate]:
    """The run of markers numbered 1, 2, 3 ... in order with the highest total score (pipelines/comments._score):
    every plausible comment adds to it, a list item inside an answer takes away. `starts`: the numbers a run may
    start at (1)."""
    candidates = _candidates(lines)
    if not candidates:
        return []
    starts = starts or {1}
    scores = []
    for k, candidate in enumerate(candidates):
        next_line = candidates[k + 1].line if k + 1 < len(candidates) else len(lines)
        scores.append(_score(candidate, lines, next_line, has_labels, is_response))
    # best[k] = (chain length, total score, index of the previous candidate in the chain)
    best: list[tuple[int, int, int | None]] = []
    for k, candidate in enumerate(candidates):
        entry: tuple[int, int, int | None] = (0, 0, None)
        if candidate.number in starts:
            entry = (1, scores[k], None)
        else:
            for p in range(k):
                length, total, _ = best[p]
                if length and candidates[p].number == candidate.number - 1 and candidates[p].line < candidate.line:
                    option = (length + 1, total + scores[k], p)
                    if (option[1], option[0]) > (entry[1], entry[0]):
                        entry = option
        best.append(entry)
    end = max(range(len(candidates)), key=lambda k: (best[k][1], best[k][0]))
    if best[end][0] == 0:
        return []
    chain = []
    k: int | None = end
    while k is not None:
        chain.append(candidates[k])
        k = best[k][2]
    return chain[::-1]


def _heading_above(lines: list[str], marker: int, floor: int, chain_lines: frozenset[int] = frozenset()
                   ) -> tuple[list[str], int]:
    """Heading lines right above a marker (skipping blank lines and "Comment:" labels), and where they start.

    The line right above may be any short unpunctuated line; lines further up must also be title-like,
    so that the wrapped lines of the previous comment's last sentence are not taken for headings.
    """
    collected: list[str] = []
    start = marker
    i = marker - 1
    while i >= floor and len(collected) < 6:
        stripped = lines[i].strip()
        label = _COMMENT_LABEL.fullmatch(stripped) if stripped else None
        if not stripped or (label and not label.group("rest")):
            i -= 1
            continue
        if i in chain_lines or is_response_label(stripped) or _PAGE_FURNITURE.fullmatch(stripped):
            break  # (what is above a page header is the previous page's footer, not a heading)
        above = lines[i - 1].strip() if i - 1 >= floor else ""
        if collected:
            # a heading wrapped mid-phrase ("... an increasing proportion" + "of our Marketplace GOV, page 113")
            # continues upward whatever its capitals
            wrapped = ((collected[-1][:1].islower() and not _LIST_LABEL.match(collected[-1]))
                       or _BARE_PAGE.fullmatch(collected[-1]) is not None)
            fits = ((is_heading_like(stripped) and (is_title_like(stripped) or wrapped))
                    or bool(_PAGE_TAIL.search(stripped)))
        else:
            # a heading path flattened onto one line can be long, but it ends with its page reference
            fits = is_heading_like(stripped) and (len(stripped.split()) <= 16 or bool(_PAGE_TAIL.search(stripped)))
        wrapped_end = (stripped.endswith(".") and len(stripped.split()) <= 6 and bool(above)
                       and is_heading_like(above) and is_title_like(above) and i - 1 not in chain_lines)
        if fits or wrapped_end:
            collected.append(stripped)
            start = i
            i -= 1
            continue
        break
    collected.reverse()
    # the top lines may end the previous comment's last sentence, which broke off at a line's end ("Please refer
    # to Question" + "103.01 of our Compliance and Disclosure Interpretations ..."), and so may the lines below
    # them, until one ends the sentence: they are not headings. A line that names its page is a heading.
    open_sentence = start - 1 >= floor and _breaks_off(lines[start - 1].strip(), collected[0] if collected else "")
    while collected and open_sentence and not _PAGE_TAIL.search(collected[0]):
        open_sentence = not _TERMINAL.search(collected.pop(0))
        start += 1
        while start < marker and not lines[start].strip():
            start += 1
    return collected, start if collected else marker


_OPEN_WORD = re.compile(r"\b(?:and|of|the|for|in|to|on|or|from|by|with|an?|that|whether|should|under|Question|"
                        r"Questions|Item|Items|Rule|Rules|Section|Topic|ASC|Article)$")


def _breaks_off(line: str, below: str) -> bool:
    """Whether a prose line stops mid-sentence, continued by the line `below`: it ends with a word that needs
    more ("of", "Question"), or with a lower-case word while `below` starts in lower case or with a number."""
    if len(line.split()) < 6 or _TERMINAL.search(line) or is_title_like(line) or _BULLET.match(line):
        return False
    return bool(_OPEN_WORD.search(line)) or (line[-1:].islower() and (below[:1].islower() or below[:1].isdigit()))


def _split_answer(segment: list[str]) -> tuple[list[str], list[str], str | None]:
    """A response's comment segment into (repeated comment, answer, how they were told apart)."""
    for i, line in enumerate(segment):
        match = _RESPONSE_LABEL.fullmatch(line.strip())
        if i > 0 and match:
            rest = (match.group("rest") or "").strip()
            if len(rest) < 120 and LEGEND_START.match(re.sub(r"^rule 83\s+", "", rest, flags=re.IGNORECASE)):
                rest = ""  # "Response: Rule 83 Confidential Treatment Request by Discover #1" is a legend
            return segment[:i], ([rest] if rest else []) + segment[i + 1:], "label"
    # no label: the comment is its first paragraph (with its bullet points), the answer the rest
    i = 1
    while i < len(segment):
        stripped = segment[i].strip()
        previous = segment[i - 1].strip()
        if not stripped:
            break
        if not (_BULLET.match(stripped) or (previous and not _TERMINAL.search(previous))):
            break
        i += 1
    # the comment may go on for more paragraphs, in the staff's voice ("Refer to Question 103.01 ..."; a law
    # firm's office list printed as a footer between them), until the company speaks
    while (nxt := _paragraph_end(segment, i)) > i:
        paragraph = " ".join(line.strip() for line in segment[i:nxt])
        furniture = is_title_like(paragraph) and len(paragraph.split()) <= 30
        after = " ".join(line.strip() for line in segment[nxt:_paragraph_end(segment, nxt)])
        if _COMPANY_VOICE.search(paragraph) or not (_STAFF_VOICE.search(paragraph) or (
                furniture and _STAFF_VOICE.search(after) and not _COMPANY_VOICE.search(after))):
            break
        if not any(line.strip() for line in segment[nxt:]):
            break  # the answer is never empty for want of a company voice
        i = nxt
    answer = [line for line in segment[i:] if line.strip()]
    return segment[:i], answer, ("paragraph" if answer else None)


_STAFF_VOICE = re.compile(r"\b(?:you|your|please (?:provide|revise|tell|explain|disclose|expand|clarify|ensure|"
                          r"describe|discuss|quantify)|refer to (?:Item|Rule|Question|ASC|Section|SAB))\b", re.I)
# (not "we believe", "we note": the staff writes them too)
_COMPANY_VOICE = re.compile(r"\b(?:the Staff|Staff['’]s|the Company|In response|respectfully|acknowledges?|our "
                            r"(?:response|proposed)|we (?:will|propose|confirm|advise|supplementally))\b", re.I)


def _paragraph_end(segment: list[str], start: int) -> int:
    """Where the paragraph that starts at `start` ends: at a blank line, or after a line with a full stop that
    is not followed by a bullet point."""
    i = start
    while i < len(segment) and not segment[i].strip():
        i += 1
    if i >= len(segment):
        return start
    i += 1
    while i < len(segment):
        stripped, previous = segment[i].strip(), segment[i - 1].strip()
        if not stripped or not (_BULLET.match(stripped) or not _TERMINAL.search(previous)):
            break
        i += 1
    return i


_BARE_PAGE = re.compile(
    r"\(?(?:pages?\s+)?(?:[A-Z]{1,2}-)?\d+[A-Z]?(?:\s*(?:-|–|and|through|to)\s*(?:[A-Z]{1,2}-)?\d+[A-Z]?)?[.,;:)]*",
    re.IGNORECASE)
# what a continuation page's header repeats of the addressee, never a section heading: "U.S. Securities and
# Exchange Commission", "Division of Corporation Finance", "Page 7 <May 9, 2017>"
_PAGE_FURNITURE = re.compile(
    r"(?:(?:the\s+)?(?:u\.\s?s\.|united states)\s+)?securities\s+and\s+exchange\s+commission[.,]?"
    r"(?:\s*[-–,]?\s*(?:page\s*)?[-–]?\s*\d{1,3}\s*[-–]?\s*(?:[A-Z][a-z]+\.?\s+\d{1,2},\s+\d{4})?)?"
    r"|division\s+of\s+corporation\s+finance|100\s+f\s+street,?\s+n\.?\s?e\.?|washington,?\s+d\.?\s?c\.?\s+\d{5}(?:-\d{4})?"
    r"|page\s+\d{1,3}\s*[<(\[]?\s*[A-Z][a-z]+\.?\s+\d{1,2},\s+\d{4}\s*[>)\]]?",
    re.IGNORECASE)
_LIST_LABEL = re.compile(r"(?:[a-z]|[ivx]+)[.)]\s|\((?:[a-z]|[ivx]+)\)\s")
_OPEN_END = re.compile(r"(?:[,&(/–-]|\b(?:and|of|the|for|in|to|on|or|from|by|with|page|pages|an?))$", re.IGNORECASE)


def join_wrapped_heading(path: list[str]) -> list[str]:
    """Heading lines that are one heading wrapped ("Management's Discussion ... Operations, page" + "37", "Key
    Factors Affecting" + "of our Marketplace, page 113") joined into it; a bare page number or the tail of the
    previous comment's sentence ("3)") is never a heading of its own."""
    joined: list[str] = []
    for line in path:
        continues = bool(joined) and (
            _BARE_PAGE.fullmatch(line) is not None or _OPEN_END.search(joined[-1]) is not None
            or (line[:1].islower() and not _LIST_LABEL.match(line)))
        if continues:
            joined[-1] = f"{joined[-1].rstrip('-') if joined[-1].endswith(' -') else joined[-1]} {line}"
        else:
            joined.append(line)
    # a figure from a table above ("24,332") or a placeholder date ("[●], 2022") has no word: not a heading
    return [line for line in joined if not _BARE_PAGE.fullmatch(line) and re.search(r"[A-Za-z]{3}", line)
            and not _PAGE_FURNITURE.fullmatch(line) and not _is_prose(line)]


_SENTENCE_BREAK = re.compile(r"[a-z)]{3,}[.?]\s+[A-Z][a-z]")


def _is_prose(line: str) -> bool:
    """Wrapped lines of the previous comment's last sentences joined up ("... industry-wide factors. Refer to
    Section III.A ... operations. Refer to Item 303(a)"): two sentence breaks and no page reference at the end."""
    return len(_SENTENCE_BREAK.findall(line)) >= 2 and not _PAGE_TAIL.search(line)


_BLANK_RUNS = re.compile(r"\n{3,}")


def _join(lines: list[str]) -> str:
    text = "\n".join(line.strip() for line in lines).strip()
    return _BLANK_RUNS.sub("\n\n", text) if "\n\n\n" in text else text


def _unnumbered_responses(lines: list[str]) -> list[_Candidate]:
    """Responses that repeat comments under "Comment:" labels without numbers: numbered in order."""
    out = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        match = re.match(r"(?:sec\s+|staff\s+)?comment\s*:\s*(?P<rest>.*)", stripped, re.IGNORECASE)
        if match:
            out.append(_Candidate(i, len(out) + 1, match.group("rest")))
    return out


_INLINE_MARKER = re.compile(r"(?<=[.)”\"?]\s)(\d{1,2})\.\s+(?=[A-Z“\"])")


def split_inline_markers(lines: list[str]) -> list[str]:
    """Lines broken before comment numbers that flattened text runs into the middle of a line ("... (page 3) 4. In
    future filings, ..."): only the number that follows one already at the start of a line, and that no
    line starts with itself."""
    starts = {int(m.group(1)) for m in (re.match(r"(\d{1,2})[.)]\s", line.strip()) for line in lines) if m}
    out: list[str] = []
    seen: set[int] = set()
    for line in lines:
        match = re.match(r"(\d{1,2})[.)]\s", line.strip())
        if match:
            seen.add(int(match.group(1)))
        cuts = []
        for inline in _INLINE_MARKER.finditer(line):
            number = int(inline.group(1))
            if number - 1 in seen and number not in starts and number not in seen:
                cuts.append(inline.start())
                seen.add(number)
        for start, end in zip([0, *cuts], [*cuts, len(line)], strict=True):
            out.append(line[start:end].rstrip())
    return out


def split_comments(lines: list[str], is_response: bool) -> list[Comment]:
    """The numbered comments of a letter body (the lines between salutation and signature)."""
    if not is_response:
        lines = split_inline_markers(lines)
    has_labels = any(is_response_label(line) for line in lines)
    chain = best_chain(lines, has_labels, is_response)
    if not chain and is_response and (cited := cited_start_numbers(lines) - {1}):
        chain = best_chain(lines, has_labels, is_response, starts=cited)  # a reply to comment 2 alone
    if not chain and is_response:
        chain = _unnumbered_responses(lines)
    if not chain:
        return []
    closing = STAFF_CLOSING if not is_response else COMPANY_CLOSING
    comments: list[Comment] = []
    previous_path: list[str] = []
    floor = 0
    chain_lines = frozenset(c.line for c in chain)
    for k, candidate in enumerate(chain):
        path, _ = _heading_above(lines, candidate.line, floor, chain_lines)
        if k + 1 < len(chain):
            _next_path, end = _heading_above(lines, chain[k + 1].line, candidate.line + 1, chain_lines)
        else:
            end = next((i for i in range(candidate.line + 1, len(lines)) if closing.match(lines[i].strip())),
                       len(lines))
        segment = [candidate.rest, *lines[candidate.line + 1:end]]
        if not candidate.rest.strip():  # "Comment #1:" on a line of its own, then headings, then the comment
            segment = segment[1:]
            while len(segment) > 1 and (not segment[0].strip() or is_heading_like(segment[0])):
                if segment[0].strip():
                    path = [*path, segment[0].strip()]
                segment = segment[1:]
        answer_lines: list[str] = []
        method = None
        if is_response:
            segment, answer_lines, method = _split_answer(segment)
        path = join_wrapped_heading(path) or previous_path
        text = _join(segment)
        comments.append(Comment(
            number=candidate.number,
            text=text,
            heading_path=path,
            page_refs=page_refs("\n".join([*path, text])),
            prior_comment_refs=prior_comment_refs(text),
            answer_text=_join(answer_lines) or None if is_response else None,
            answer_method=method,
        ))
        previous_path = path
        floor = candidate.line + 1
    return share_group_answers(comments) if is_response else comments


# An answer written once for several repeated comments: "The Company acknowledges the Staff's comments and will
# enhance its disclosures", "Response to Comments 1 and 2"
_GROUP_ANSWER = re.compile(r"\b(?:comments|each of (?:the|these)|all of (?:the|these))\b", re.I)


def share_group_answers(comments: list[Comment]) -> list[Comment]:
    """Repeated comments left without an answer, followed by an answer that speaks of the comments (plural),
    share that answer (method `group`)."""
    shared = list(comments)
    for k, comment in enumerate(comments):
        if not comment.answer_text or not _GROUP_ANSWER.search(comment.answer_text[:300]):
            continue
        j = k - 1
        while j >= 0 and not shared[j].answer_text:
            shared[j] = replace(shared[j], answer_text=comment.answer_text, answer_method="group")
            j -= 1
    return shared
