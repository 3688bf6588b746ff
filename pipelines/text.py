"""Text of one document: PDF text layer (OCR for scanned pages), HTML to text, or plain text as it is.

Pure functions over bytes, apart from OCR, which runs the tesseract program (pipelines/ocr.py).
pypdfium2 is not thread-safe, so these run in worker processes of the build stage, never in
the crawler's reactor thread (docs/reference/engineering-notes.md §4).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass

import html_text
import pypdfium2
import pypdfium2.raw as pdfium_c
from lxml import etree
from lxml import html as lxml_html

from pipelines.ocr import ocr_page
from pipelines.sgml import Document, SubmissionError, document_bytes

# text_source values, one per way the text was obtained
HTML, PDF, PLAIN, SEC_TEXT_EXTRACT, OCR, NONE = (
    "html", "pdf_text_layer", "plain_text", "sec_text_extract", "ocr", "none")
MIN_PAGE_CHARS = 20  # a PDF page with fewer characters of text layer (and an image) is a scan
MAX_OCR_PAGES = 60  # scanned pages OCR'd per document (~6 s each); the rest are flagged needs_ocr
_LONE_NUMBER = re.compile(r"^[ \t]*\d{1,2}\.[ \t]*$", re.MULTILINE)

_CP1252_ENTITY = re.compile(r"&#(?:(1[2-5][0-9])|[xX]([89][0-9a-fA-F]));")
_BLANK_RUNS = re.compile(r"\n{3,}")
HTML_TREE_MAX_CHARS = 32 * 1024**2  # larger HTML is read by the linear tag stripper: an lxml tree takes ~10x
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".gif", ".png", ".bmp", ".tif", ".tiff")


@dataclass(slots=True)
class DocumentText:
    text: str | None
    text_source: str
    n_bytes: int  # size of the document's own bytes (decoded for binaries)
    n_pages: int | None = None
    error: str | None = None
    needs_ocr: bool = False  # scanned pages left without text (no tesseract, or OCR failed)
    ocr_confidence: float | None = None  # mean word confidence of the OCR'd pages, 0–100


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


# what html-text's Cleaner removes, minus the work: stripping these in C gives the same text 20% faster
_INVISIBLE = (etree.Comment, etree.ProcessingInstruction, "script", "style", "noscript", "title", "meta", "link",
              "object", "embed", "applet", "iframe", "frame")


_HIDDEN_TEXT_LAYER = re.compile(r"font-size:\s*1pt;\s*color:\s*(?:white|#fff)", re.IGNORECASE)
_LINE_GAP = re.compile(r"(?<=\S) {2,}(?=\S)")


def drop_element(html: str, tag: str) -> str:
    """Remove every `<tag ...>...</tag>` in one pass (a regex over many unclosed ones is quadratic: 13 s for
    14,285 unclosed `<title>`s). A `<tag>` never closed loses only its tag: lxml would take the whole rest of
    the document for a title."""
    out, position, lower = [], 0, html.lower()
    opening, closing = f"<{tag}", f"</{tag}>"
    while (start := lower.find(opening, position)) >= 0:
        after = start + len(opening)
        if after < len(lower) and (lower[after].isalnum() or lower[after] in "-_:"):  # <titles>, <style-x>
            out.append(html[position:after])
            position = after
            continue
        end = lower.find(closing, start)
        out.append(html[position:start])
        if end < 0:
            out.append(re.sub(rf"<{tag}\b[^>]*>", "", html[start:], flags=re.IGNORECASE))
            return "".join(out)
        position = end + len(closing)
    out.append(html[position:])
    return "".join(out)


def drop_comments(html: str) -> str:
    out, position = [], 0
    while (start := html.find("<!--", position)) >= 0:
        end = html.find("-->", start + 4)
        out.append(html[position:start])
        if end < 0:
            return "".join(out)
        position = end + 3
    out.append(html[position:])
    return "".join(out)


_BLOCK_TAG = re.compile(
    r"<\s*/?\s*(?:p|div|br|tr|li|h[1-6]|table|section|article|blockquote|pre|hr|ul|ol|dd|dt|center|address)\b[^>]*>",
    re.IGNORECASE)
_CELL_TAG = re.compile(r"<\s*/?\s*t[dh]\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v]+")


def flat_html_to_text(html: str) -> str:
    """Text of HTML without building a tree: for documents too large or too deeply nested for lxml (libxml2
    stops at 2,048 levels and drops the rest). Block tags become line breaks, cells spaces; linear in the size."""
    import html as html_module

    text = drop_comments(html)
    for tag in ("script", "style", "noscript"):
        text = drop_element(text, tag)
    text = _CELL_TAG.sub(" ", _BLOCK_TAG.sub("\n", text))
    text = html_module.unescape(_ANY_TAG.sub("", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\xa0", " ").split("\n"))
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def parse_html_tree(html: str) -> etree._Element | None:
    """An lxml tree of the HTML, or None when libxml2 had to stop (nesting beyond its limit) and text was lost."""
    parser = lxml_html.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)  # huge_tree: 2,048 levels, not 256
    body = html.strip().replace("\x00", "").encode("utf-8") or b"<html/>"
    root = etree.fromstring(body, parser=parser)
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        return None
    return root if root is not None else etree.fromstring(b"<html/>", parser=parser)


def html_to_text(html: str) -> str:
    if _HIDDEN_TEXT_LAYER.search(html):
        # Page images with their text as an invisible 1pt layer (a Workiva export): line breaks survive only
        # as runs of spaces, which HTML whitespace rules would collapse
        html = _LINE_GAP.sub("<br>", html)
    html = drop_element(fix_cp1252_entities(html), "title")
    tree = parse_html_tree(html) if len(html) <= HTML_TREE_MAX_CHARS else None
    if tree is None:
        return flat_html_to_text(html)
    etree.strip_elements(tree, *_INVISIBLE, with_tail=False)
    text = html_text.etree_to_text(tree, guess_layout=True)
    return _BLANK_RUNS.sub("\n\n", text.replace("\xa0", " ")).strip()


def reattach_margin_numbers(text: str, textpage: pypdfium2.PdfTextPage) -> str:
    """Put each comment number printed in the left margin back at the start of its paragraph.

    Staff letters set numbered comments in two columns: the number sits in the margin, level
    with the paragraph's first line. pdfium often emits that number as a line of its own after
    the paragraph (or even after the page). The character boxes tell which line it belongs to.
    `text` must be `textpage.get_text_range()` unchanged, so string offsets are char indices.
    """
    lines, offset = [], 0
    for line in text.split("\r\n"):
        lines.append((offset, line))
        offset += len(line) + 2

    def first_char_box(start: int, line: str) -> tuple[float, float, float, float] | None:
        stripped = len(line) - len(line.lstrip())
        return textpage.get_charbox(start + stripped) if line.strip() else None

    boxes = [first_char_box(start, line) for start, line in lines]
    moves: dict[int, int] = {}  # lone number line -> the line it belongs to
    for i, (_start, line) in enumerate(lines):
        box = boxes[i]
        if box is None or not _LONE_NUMBER.fullmatch(line):
            continue
        _left, bottom, right, top = box
        best, best_gap = None, None
        for j, other in enumerate(boxes):
            if j == i or other is None or _LONE_NUMBER.fullmatch(lines[j][1]):
                continue
            o_left, o_bottom, _o_right, o_top = other
            if o_left > right and min(top, o_top) - max(bottom, o_bottom) > 0.5 * (top - bottom):
                gap = o_left - right
                if best_gap is None or gap < best_gap:
                    best, best_gap = j, gap
        if best is not None:
            moves[i] = best
    if not moves:
        return text
    prefixes = {target: lines[number][1].strip() for number, target in moves.items()}
    out = [prefixes[j] + " " + line.lstrip() if j in prefixes else line
           for j, (_start, line) in enumerate(lines) if j not in moves]
    return "\r\n".join(out)


def _has_image(page: pypdfium2.PdfPage) -> bool:
    return next(page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2), None) is not None


@dataclass(slots=True)
class PdfText:
    text: str
    n_pages: int
    n_pages_ocr: int = 0
    n_pages_needing_ocr: int = 0
    ocr_confidence: float | None = None


def pdf_to_text(data: bytes, tesseract: str | None = None) -> PdfText:
    """Text of a PDF, page by page, pages separated by a form feed. pdfium's `\\x02` marks a
    line-break hyphen. Pages with (almost) no text layer but an image are OCR'd when `tesseract`
    names the program, else counted in `n_pages_needing_ocr`."""
    pdf = pypdfium2.PdfDocument(data)
    try:
        pages: list[str] = []
        ocr_confidences: list[float] = []
        needing_ocr = 0
        for page in pdf:
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            if _LONE_NUMBER.search(text):
                text = reattach_margin_numbers(text, textpage)
            textpage.close()
            if len(text.strip()) < MIN_PAGE_CHARS and _has_image(page):
                if tesseract and len(ocr_confidences) < MAX_OCR_PAGES:
                    try:
                        ocr = ocr_page(page, tesseract)
                        text = ocr.text
                        ocr_confidences.append(ocr.confidence)
                    except (OSError, subprocess.SubprocessError):
                        needing_ocr += 1
                else:
                    needing_ocr += 1
            page.close()
            pages.append(text)
        text = "\n\f".join(pages).replace("\r\n", "\n").replace("\r", "\n").replace("\x02", "-")
        confidence = round(sum(ocr_confidences) / len(ocr_confidences), 1) if ocr_confidences else None
        return PdfText(text.strip(), len(pages), len(ocr_confidences), needing_ocr, confidence)
    finally:
        pdf.close()


def looks_like_html(text: str) -> bool:
    head = text[:2000].lower()
    return "<html" in head or "<body" in head or "<p" in head or "<div" in head or "<!doctype html" in head


def extract_document_text(document: Document, tesseract: str | None = None) -> DocumentText:
    """Text of one document; a document that cannot be read gets `error` and no text, never an exception.
    `tesseract` is the OCR program for scanned PDF pages (None: flag them `needs_ocr`)."""
    try:
        data = document_bytes(document)
    except SubmissionError as exc:
        return DocumentText(None, NONE, len(document.body), error=str(exc))
    name = document.filename.lower()
    try:
        if data.startswith(b"%PDF") or name.endswith(".pdf"):
            pdf = pdf_to_text(data, tesseract)
            return DocumentText(pdf.text or None, OCR if pdf.n_pages_ocr else PDF if pdf.text else NONE, len(data),
                                n_pages=pdf.n_pages, needs_ocr=pdf.n_pages_needing_ocr > 0,
                                ocr_confidence=pdf.ocr_confidence)
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
