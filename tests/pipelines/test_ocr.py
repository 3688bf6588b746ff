"""Scanned letters: OCR with tesseract where it is installed, a `needs_ocr` flag where it is not.

The scan is a real staff letter rasterized to an image-only PDF (scripts/make_scanned_fixture.py).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from pipelines.letters import parse_letter
from pipelines.ocr import tesseract_path, text_from_tsv
from pipelines.sgml import Document
from pipelines.text import extract_document_text

SCAN = Path(__file__).resolve().parents[1] / "data" / "samples" / "scanned_letter.pdf"
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None,
                                     reason="tesseract is not installed (scripts/install-ocr.sh installs it)")


def scanned_document() -> Document:
    return Document("LETTER", 1, "filename1.pdf", None, SCAN.read_bytes(), False)


def test_scan_without_ocr_is_flagged_not_lost() -> None:
    text = extract_document_text(scanned_document(), tesseract=None)
    assert (text.text, text.text_source, text.needs_ocr, text.n_pages, text.error) == (None, "none", True, 2, None)


def test_ocr_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDGAR_TESSERACT", "off")
    assert tesseract_path() is None


def test_missing_tesseract_program_is_not_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EDGAR_TESSERACT", str(tmp_path / "no-such-tesseract"))
    assert tesseract_path() is None


def test_failing_tesseract_leaves_the_page_flagged(tmp_path: Path) -> None:
    broken = tmp_path / "tesseract"
    broken.write_text("#!/bin/sh\nexit 1\n")
    broken.chmod(0o755)
    text = extract_document_text(scanned_document(), tesseract=str(broken))
    assert (text.text_source, text.needs_ocr) == ("none", True)


def test_tsv_to_lines_and_confidence() -> None:
    tsv = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
           "5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t96.0\tJune\n5\t1\t1\t1\t1\t2\t0\t0\t1\t1\t90.0\t29,\n"
           "4\t1\t1\t1\t2\t0\t0\t0\t1\t1\t-1\t\n5\t1\t2\t1\t1\t1\t0\t0\t1\t1\t84.0\tRe:\n")
    ocr = text_from_tsv(tsv)
    assert (ocr.text, ocr.confidence) == ("June 29,\n\nRe:", 90.0)


@needs_tesseract
def test_scan_is_ocrd_with_a_confidence() -> None:
    text = extract_document_text(scanned_document(), tesseract=shutil.which("tesseract"))
    assert (text.text_source, text.needs_ocr) == ("ocr", False)
    assert text.ocr_confidence > 80
    assert "Please revise your filing to provide the address of your principal executive offices." in text.text


@needs_tesseract
def test_ocr_text_parses_into_the_same_letter() -> None:
    text = extract_document_text(scanned_document(), tesseract=shutil.which("tesseract"))
    letter = parse_letter(text.text or "", "UPLOAD", date(2023, 6, 29))
    assert (letter.letter_date, letter.letter_kind, letter.n_comments, letter.file_numbers) == (
        date(2023, 6, 29), "comment", 1, ["001-37622"])
    assert letter.comments[0].heading == "Cover Page"
