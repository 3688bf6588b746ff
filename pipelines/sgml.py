"""Parse an EDGAR complete submission (`<accession>.txt`): SGML header, documents, uuencoded binaries.

Pure functions over bytes. The layout is described in docs/reference/edgar-interface.md §6:
an optional PEM wrapper, `<SEC-DOCUMENT>` and `<SEC-HEADER>` stamps carrying the release date,
a TAB-indented "KEY: value" header, then one `<DOCUMENT>` block per document.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from edgar_corpus.edgar import ACCESSION, parse_edgar_date


class SubmissionError(ValueError):
    """The bytes are not a parseable EDGAR complete submission; the message says why."""


@dataclass(slots=True)
class Entity:
    """One entity block of the header (FILER, FILED FOR, SUBJECT COMPANY, ...)."""

    role: str
    fields: dict[str, str] = field(default_factory=dict)  # COMPANY DATA, flattened
    filing_values: dict[str, str] = field(default_factory=dict)
    business_address: dict[str, str] = field(default_factory=dict)
    former_names: list[tuple[str, str]] = field(default_factory=list)  # (name, YYYYMMDD of change)

    @property
    def cik(self) -> int | None:
        value = self.fields.get("CENTRAL INDEX KEY", "")
        return int(value) if value.isdigit() else None


@dataclass(slots=True)
class SubmissionHeader:
    accession_number: str
    form_type: str
    filing_date: date | None
    release_date: date | None
    acceptance_datetime: datetime | None  # US Eastern local time, as EDGAR writes it
    public_document_count: int | None
    reference_accession: str | None
    private_to_public: bool
    entities: list[Entity]
    top_level: dict[str, str]

    @property
    def file_numbers(self) -> list[str]:
        numbers: list[str] = []
        for entity in self.entities:
            number = entity.filing_values.get("SEC FILE NUMBER")
            if number and number not in numbers:
                numbers.append(number)
        return numbers

    @property
    def submitter_prefix(self) -> str:
        """The 10-digit submitter ID of the accession: 0000000000 for SEC staff, else filer or agent."""
        return self.accession_number.split("-", 1)[0]


@dataclass(slots=True)
class Document:
    document_type: str
    sequence: int | None
    filename: str
    description: str | None
    body: bytes  # raw bytes between <TEXT> and </TEXT>
    is_uuencoded: bool


@dataclass(slots=True)
class Submission:
    header: SubmissionHeader
    documents: list[Document]


_STAMP = re.compile(rb"<SEC-DOCUMENT>\s*\S+\s*:\s*(\d{8})")
_ACCEPTANCE = re.compile(rb"<ACCEPTANCE-DATETIME>\s*(\d{14})")
_HEADER_LINE = re.compile(r"^(\t*)([A-Z0-9][A-Z0-9 ,&()\-/.]*?):[ \t]*(.*?)\s*$")
_DOCUMENT = re.compile(rb"<DOCUMENT>\n(.*?)</DOCUMENT>", re.DOTALL)
_DOC_TAG = re.compile(rb"^<(TYPE|SEQUENCE|FILENAME|DESCRIPTION)>(.*)$", re.MULTILINE)
_UU_BEGIN = re.compile(rb"^begin [0-7]{3,4} [^\n]*\n", re.MULTILINE)
_ENTITY_ROLES = ("FILER", "FILED FOR", "SUBJECT COMPANY", "FILED BY", "REPORTING OWNER", "ISSUER")


_IDENTITY_ACCESSION = re.compile(rb"^ACCESSION NUMBER:[ \t]*(\S+)", re.MULTILINE)
_IDENTITY_CIK = re.compile(rb"^\t+CENTRAL INDEX KEY:[ \t]*(\d+)", re.MULTILINE)


def submission_identity(raw: bytes) -> tuple[str | None, set[int]]:
    """The header's ACCESSION NUMBER and entity CIKs, read cheaply (the crawler checks every fetched filing)."""
    end = raw.find(b"</SEC-HEADER>", 0, 1 << 20)
    header = raw[: end if end >= 0 else 1 << 16]
    accession = _IDENTITY_ACCESSION.search(header)
    ciks = {int(m.group(1)) for m in _IDENTITY_CIK.finditer(header)}
    return (accession.group(1).decode("latin-1") if accession else None), ciks


def parse_submission(raw: bytes) -> Submission:
    """Split a complete submission into its parsed header and its documents."""
    start = raw.find(b"<SEC-DOCUMENT>")
    if start < 0:
        raise SubmissionError("no <SEC-DOCUMENT> line: not an EDGAR complete submission")
    end_header = raw.find(b"</SEC-HEADER>", start)
    if end_header < 0:
        raise SubmissionError("no </SEC-HEADER>: header is truncated or missing")
    header = parse_submission_header(raw[start:end_header])
    documents = [parse_document(block) for block in _document_blocks(raw, end_header)]
    if not documents:
        raise SubmissionError("no <DOCUMENT> block after the header")
    return Submission(header=header, documents=documents)


def _document_blocks(raw: bytes, start: int) -> list[bytes]:
    """The insides of the `<DOCUMENT>` blocks. bytes.find, not a lazy regex: a regex scanning
    megabytes of uuencoded PDF for `</DOCUMENT>` was the slowest step of the whole parse."""
    blocks = []
    while True:
        begin = raw.find(b"<DOCUMENT>\n", start)
        if begin < 0:
            return blocks
        end = raw.find(b"</DOCUMENT>", begin)
        if end < 0:  # an unterminated last document is left out, as the regex did
            return blocks
        blocks.append(raw[begin + len(b"<DOCUMENT>\n"):end])
        start = end + len(b"</DOCUMENT>")


def parse_submission_header(header: bytes) -> SubmissionHeader:
    """Parse the bytes from `<SEC-DOCUMENT>` up to `</SEC-HEADER>`."""
    stamp = _STAMP.search(header)
    acceptance = _ACCEPTANCE.search(header)
    text = header.decode("latin-1")  # headers are ASCII; latin-1 never fails

    top: dict[str, str] = {}
    entities: list[Entity] = []
    entity: Entity | None = None
    block = ""  # current depth-1 block name inside an entity
    for line in text.split("\n"):
        if line.startswith("<"):
            continue
        match = _HEADER_LINE.match(line)
        if not match:
            continue
        depth, key, value = len(match.group(1)), match.group(2), match.group(3)
        if depth == 0:
            if key in _ENTITY_ROLES and not value:
                entity = Entity(role=key)
                entities.append(entity)
                block = ""
            else:
                entity = None
                top.setdefault(key, value)
        elif entity is not None and depth == 1:
            block = key
            if key == "FORMER COMPANY":
                entity.former_names.append(("", ""))
        elif entity is not None and depth >= 2:
            if block == "COMPANY DATA":
                entity.fields[key] = value
            elif block == "FILING VALUES":
                entity.filing_values[key] = value
            elif block == "BUSINESS ADDRESS":
                entity.business_address[key] = value
            elif block == "FORMER COMPANY" and entity.former_names:
                name, changed = entity.former_names[-1]
                if key == "FORMER CONFORMED NAME":
                    name = value
                elif key == "DATE OF NAME CHANGE":
                    changed = value
                entity.former_names[-1] = (name, changed)

    accession = top.get("ACCESSION NUMBER", "")
    if not ACCESSION.fullmatch(accession):
        raise SubmissionError(f"header has no valid ACCESSION NUMBER (found {accession!r})")
    count = top.get("PUBLIC DOCUMENT COUNT", "")
    return SubmissionHeader(
        accession_number=accession,
        form_type=top.get("CONFORMED SUBMISSION TYPE", ""),
        filing_date=parse_edgar_date(top.get("FILED AS OF DATE")),
        release_date=parse_edgar_date(stamp.group(1)) if stamp else None,
        acceptance_datetime=(
            datetime.strptime(acceptance.group(1).decode(), "%Y%m%d%H%M%S") if acceptance else None
        ),
        public_document_count=int(count) if count.isdigit() else None,
        reference_accession=top.get("PUBLIC REFERENCE ACCESSION NUMBER") or None,
        private_to_public=b"<PRIVATE-TO-PUBLIC>" in header,
        entities=entities,
        top_level=top,
    )


def parse_document(block: bytes) -> Document:
    """Parse one `<DOCUMENT>` block (without its `<DOCUMENT>`/`</DOCUMENT>` lines)."""
    text_at = block.find(b"<TEXT>")
    meta_part = block if text_at < 0 else block[:text_at]
    tags = {m.group(1).decode(): m.group(2).strip().decode("latin-1") for m in _DOC_TAG.finditer(meta_part)}
    body = b""
    if text_at >= 0:
        body = block[text_at + len(b"<TEXT>") :]
        body = body.removeprefix(b"\n")
        close = body.rfind(b"</TEXT>")
        if close >= 0:
            body = body[:close]
    sequence = tags.get("SEQUENCE", "")
    head = body[:200].lstrip()
    return Document(
        document_type=tags.get("TYPE", ""),
        sequence=int(sequence) if sequence.isdigit() else None,
        filename=tags.get("FILENAME", ""),
        description=tags.get("DESCRIPTION") or None,
        body=body,
        is_uuencoded=head.startswith(b"<PDF>") or _UU_BEGIN.match(head) is not None,
    )


def uudecode(body: bytes) -> bytes:
    """Decode a uuencoded document body, tolerant of EDGAR's stripped trailing spaces.

    EDGAR strips trailing spaces from uuencoded lines (so a line of zero bytes becomes a bare
    `M`, and the zero-length terminator line becomes empty); each line is padded back to the
    length its first character announces before decoding.
    """
    begin = _UU_BEGIN.search(body)
    if begin is None:
        raise SubmissionError("uuencoded body has no 'begin' line")
    fast = _uudecode_full_lines(body[begin.end():])
    if fast is not None:
        return fast
    out = bytearray()
    ended = False
    for line in body[begin.end() :].split(b"\n"):
        line = line.rstrip(b"\r")
        if line == b"end":
            ended = True
            break
        if not line:
            continue
        count = (line[0] - 32) & 0x3F
        if count == 0:
            continue
        needed = 1 + (count + 2) // 3 * 4
        try:
            out += binascii.a2b_uu(line[:needed].ljust(needed, b" "))
        except binascii.Error as exc:
            raise SubmissionError(f"corrupt uuencoded line: {exc}") from exc
    if not ended:
        raise SubmissionError("uuencoded body is truncated (no 'end' line)")
    return bytes(out)


# uuencode's alphabet (space or backtick = 0, then "!" ... "_") mapped onto base64's, so that all
# the full 45-byte lines can be decoded by one a2b_base64 call instead of one a2b_uu call per line
_UU_TO_BASE64 = bytes.maketrans(
    bytes(range(32, 96)) + b"`",
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" + b"A",
)


def _uudecode_full_lines(data: bytes) -> bytes | None:
    """Fast path for the usual layout: full "M" lines, then at most one shorter line, then "end".
    Returns None for anything else, and the line-by-line decoder handles it."""
    lines = data.replace(b"\r", b"").split(b"\n")
    try:
        end = lines.index(b"end")
    except ValueError:
        return None
    lines = [line for line in lines[:end] if line and line != b"`"]
    if not lines:
        return b""
    tail = lines[-1]
    body = lines[:-1]
    if any(line[:1] != b"M" or len(line) > 61 for line in body):
        return None
    if tail[:1] == b"M":
        body, tail = lines, b""
    chunks = b"".join([line[1:].ljust(60) for line in body]).translate(_UU_TO_BASE64)
    try:
        out = binascii.a2b_base64(chunks, strict_mode=True)
        if tail:
            count = (tail[0] - 32) & 0x3F
            needed = 1 + (count + 2) // 3 * 4
            out += binascii.a2b_uu(tail[:needed].ljust(needed, b" "))
    except binascii.Error:
        return None
    return out


def document_bytes(document: Document) -> bytes:
    """The document's own bytes: uudecoded for binaries, the text body as is otherwise."""
    return uudecode(document.body) if document.is_uuencoded else document.body
