"""Text of documents: PDF text layer, HTML with cp1252 entities, TEXT-EXTRACT, bad input."""

from __future__ import annotations

from pipelines.sgml import Document, parse_submission
from pipelines.text import (
    HTML,
    NONE,
    PDF,
    SEC_TEXT_EXTRACT,
    extract_document_text,
    fix_cp1252_entities,
    html_to_text,
)
from tests.conftest import SAMPLE, raw_path


def _documents(cik, accession):
    return parse_submission(raw_path(SAMPLE, cik, accession).read_bytes()).documents


def test_cp1252_numeric_entities_become_real_characters():
    assert fix_cp1252_entities("Company&#146;s &#147;quoted&#148; &#150; &#x92;") == "Company’s “quoted” – ’"


def test_html_to_text_keeps_blocks_apart_and_drops_title():
    text = html_to_text("<html><head><title>Document</title></head><body><p>Re: Form 10-K</p>"
                        "<p>Dear Ms. Smith&#146;s office:</p></body></html>")
    assert text == "Re: Form 10-K\n\nDear Ms. Smith’s office:"


def test_staff_pdf_letter_text():
    letter = extract_document_text(_documents(320193, "0000000000-24-003505")[0])
    assert letter.text_source == PDF
    assert letter.n_pages == 2
    assert "File No. 001-36743" in letter.text
    assert "\x02" not in letter.text and "\r" not in letter.text


def test_sec_text_extract_is_kept_as_is():
    extract = extract_document_text(_documents(320193, "0000000000-24-003505")[1])
    assert extract.text_source == SEC_TEXT_EXTRACT
    assert extract.text.startswith("United States securities and exchange commission logo")


def test_corresp_html_letter_text():
    letter = extract_document_text(_documents(1875558, "0001104659-26-017097")[0])
    assert letter.text_source == HTML
    assert "<" not in letter.text[:200]
    assert "Nuvectis" in letter.text


def test_image_has_no_text():
    image = extract_document_text(_documents(1875558, "0001104659-26-017097")[1])
    assert (image.text, image.text_source, image.error) == (None, NONE, None)


def test_corrupt_pdf_gives_an_error_not_an_exception():
    broken = Document("LETTER", 1, "filename1.pdf", None, b"%PDF-1.5\nthis is not a pdf", False)
    result = extract_document_text(broken)
    assert result.text is None
    assert result.error


def test_truncated_uuencoded_document_gives_an_error():
    doc = _documents(320193, "0000000000-24-003505")[0]
    broken = Document(doc.document_type, 1, doc.filename, None, doc.body[:3000], True)
    assert "truncated" in extract_document_text(broken).error
