"""Text of one document: PDF text layer, HTML to text, or plain text as it is.

Pure functions over bytes. pypdfium2 is not thread-safe, so these run in worker processes
of the build stage, never in the crawler's reactor thread (engineering-notes.md §4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import html_text
import pypdfium2

from pipelines.sgml import Document, SubmissionError, document_bytes

# text_source values, one per way the text was obtained
HTML, PDF, PLAIN, SEC_TEXT_EXTRACT, NONE = "html", "pdf_text_layer", "plain_text", "sec_text_extract", "none"

_CP1252_ENTITY = re.compile(r"&#(?:(1[2-5][0-9])|[xX]([89][0-9a-fA-F]));")
_BLANK_RUNS = re.compile(r"\n{3,}")
_TITLE = re.compile(r"<title\b.*?</title>", re.IGNORECASE | re.DOTALL)  # html-text keeps <title>
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".gif", ".png", ".bmp", ".tif", ".tiff")


@dataclass(slots=True)
class DocumentText:
    text: str | None
    text_source: str
    n_bytes: int  # size of the document's own bytes (decoded for binaries)
    n_pages: int | None = None
    error: str | None = None


def decode_text(data: bytes) -> str:
    """Bytes of a text document to str: UTF-8 when valid, else Windows-1252 (EDGAR declares neither)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _cp1252_char(match: re.Match[str]) -> str:
    code = int(match.group(1)) if match.group(1) else int(match.group(2), 16)
    char = bytes([code]).decode("cp1252", errors="ignore")
    return char or match.group(0)


def fix_cp1252_entities(html: str) -> str:
    """Turn `&#146;`-style references (Windows-1252 code points written as numbers) into real characters.

    HTML5 maps these to the cp1252 characters, but lxml yields C1 control characters for them.
    """
    return _CP1252_ENTITY.sub(_cp1252_char, html)


def html_to_text(html: str) -> str:
    text = html_text.extract_text(_TITLE.sub("", fix_cp1252_entities(html)), guess_layout=True)
    return _BLANK_RUNS.sub("\n\n", text.replace("\xa0", " ")).strip()


def pdf_to_text(data: bytes) -> tuple[str, int]:
    """Text layer of a PDF and its page count. pdfium's `\\x02` marks a line-break hyphen."""
    pdf = pypdfium2.PdfDocument(data)
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        text = "\n\f".join(pages).replace("\r\n", "\n").replace("\r", "\n").replace("\x02", "-")
        return text.strip(), len(pages)
    finally:
        pdf.close()


def looks_like_html(text: str) -> bool:
    head = text[:2000].lower()
    return "<html" in head or "<body" in head or "<p" in head or "<div" in head or "<!doctype html" in head


def extract_document_text(document: Document) -> DocumentText:
    """Text of one document; a document that cannot be read gets `error` and no text, never an exception."""
    try:
        data = document_bytes(document)
    except SubmissionError as exc:
        return DocumentText(None, NONE, len(document.body), error=str(exc))
    name = document.filename.lower()
    try:
        if data.startswith(b"%PDF") or name.endswith(".pdf"):
            text, pages = pdf_to_text(data)
            return DocumentText(text, PDF, len(data), n_pages=pages)
        if document.is_uuencoded or name.endswith(_IMAGE_SUFFIXES):
            return DocumentText(None, NONE, len(data))
        text = decode_text(data)
        if document.document_type == "TEXT-EXTRACT":
            return DocumentText(text.strip(), SEC_TEXT_EXTRACT, len(data))
        if name.endswith((".htm", ".html")) or looks_like_html(text):
            return DocumentText(html_to_text(text), HTML, len(data))
        return DocumentText(text.strip(), PLAIN, len(data))
    except Exception as exc:  # a corrupt PDF or HTML must not stop the build; pdfium raises PdfiumError
        return DocumentText(None, NONE, len(data), error=f"{type(exc).__name__}: {exc}")
