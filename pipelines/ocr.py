"""OCR of scanned PDF pages with the tesseract command-line program, when it is installed.

Early staff letters (2005–06) are scanned PDFs with no text layer. tesseract is a system
program, not a Python package, so it is optional: without it such pages are flagged
`needs_ocr` and the build goes on. `EDGAR_TESSERACT` names the program (a path), or turns
OCR off with `off`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

import pypdfium2

OCR_DPI = 300  # tesseract's accuracy falls off below ~300 dpi on typewritten letters
OCR_TIMEOUT_SECONDS = 120
# A letter page at 300 dpi is 8.4 megapixels. A page may declare any size (a 131 KB PDF of 200-inch pages
# rendered at 300 dpi took 11.5 GB): the scale is lowered so no page renders to more than this.
OCR_MAX_PIXELS = 40_000_000


@dataclass(slots=True)
class OcrText:
    text: str
    confidence: float  # mean word confidence reported by tesseract, 0–100


def tesseract_path() -> str | None:
    """The tesseract program to use, or None when OCR is unavailable or turned off."""
    configured = os.environ.get("EDGAR_TESSERACT", "").strip()
    if configured.lower() in ("off", "none", "0", "false"):
        return None
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("tesseract")


def render_scale(width_points: float, height_points: float, dpi: int = OCR_DPI) -> float:
    """pdfium's render scale for a page: `dpi`, lowered so the bitmap stays within OCR_MAX_PIXELS."""
    scale = dpi / 72
    pixels = max(width_points, 1.0) * max(height_points, 1.0) * scale * scale
    return scale if pixels <= OCR_MAX_PIXELS else scale * (OCR_MAX_PIXELS / pixels) ** 0.5


def page_as_pgm(page: pypdfium2.PdfPage, dpi: int = OCR_DPI) -> bytes:
    """Render one page to a greyscale PGM image (leptonica, tesseract's image reader, takes PNM)."""
    width, height = page.get_size()
    bitmap = page.render(scale=render_scale(width, height, dpi), grayscale=True)
    try:
        width, height, stride = bitmap.width, bitmap.height, bitmap.stride
        buffer = bytes(bitmap.buffer)
    finally:
        bitmap.close()
    rows = buffer if stride == width else b"".join(buffer[y * stride:y * stride + width] for y in range(height))
    return b"P5 %d %d 255\n" % (width, height) + rows


def text_from_tsv(tsv: str) -> OcrText:
    """tesseract's TSV output (one row per word) back to lines and paragraphs, with the mean confidence."""
    lines: dict[tuple[int, int, int], list[str]] = {}
    confidences: list[float] = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":  # level 5 rows are words
            continue
        word = cols[11].strip()
        if not word:
            continue
        lines.setdefault((int(cols[2]), int(cols[3]), int(cols[4])), []).append(word)
        confidence = float(cols[10])
        if confidence >= 0:
            confidences.append(confidence)
    out: list[str] = []
    previous_paragraph = None
    for (block, paragraph, _line), words in lines.items():
        if previous_paragraph is not None and (block, paragraph) != previous_paragraph:
            out.append("")
        out.append(" ".join(words))
        previous_paragraph = (block, paragraph)
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return OcrText("\n".join(out), round(mean, 1))


def ocr_page(page: pypdfium2.PdfPage, tesseract: str) -> OcrText:
    """OCR one page. Raises OSError or subprocess errors when tesseract fails; callers record them."""
    result = subprocess.run(
        [tesseract, "stdin", "stdout", "-l", "eng", "--psm", "3", "tsv"],
        input=page_as_pgm(page), capture_output=True, timeout=OCR_TIMEOUT_SECONDS, check=True,
    )
    return text_from_tsv(result.stdout.decode("utf-8", errors="replace"))
