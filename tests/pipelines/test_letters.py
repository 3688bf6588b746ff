"""Letters as structure, one real letter per case, one assertion per field (tests/data/letters/raw)."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pytest

from pipelines.letters import Letter, ReviewedFiling, Signer, StaffContact, parse_letter
from pipelines.normalize import letter_rows, main_letter
from pipelines.sgml import parse_submission
from pipelines.text import extract_document_text

RAW = Path(__file__).resolve().parents[1] / "data" / "letters" / "raw"


def letter(accession: str) -> Letter:
    submission = parse_submission(gzip.decompress((RAW / f"{accession}.txt.gz").read_bytes()))
    texts = [extract_document_text(document) for document in submission.documents]
    index = main_letter(submission, texts)
    assert index is not None
    return parse_letter(texts[index].text or "", submission.header.form_type, submission.header.filing_date)


# The classic staff letter: one numbered comment, a page-2 running header, staff contacts, a cc line.
# Block, Inc., Form 10-K review, June 29, 2023.
@pytest.fixture(scope="module")
def classic() -> Letter:
    return letter("0000000000-23-006942")


def test_classic_sender(classic: Letter) -> None:
    assert classic.sender == "staff"


def test_classic_letter_date(classic: Letter) -> None:
    assert classic.letter_date == date(2023, 6, 29)


def test_classic_kind(classic: Letter) -> None:
    assert classic.letter_kind == "comment"


def test_classic_addressee(classic: Letter) -> None:
    assert (classic.addressee_name, classic.addressee_title) == ("Amrita Ahuja", "Chief Financial Officer")


def test_classic_re_block(classic: Letter) -> None:
    assert classic.re_text == ("Block, Inc.\nForm 10-K for the Fiscal Year Ended December 31, 2022\n"
                               "Filed February 23, 2023\nFile No. 001-37622")


def test_classic_reviewed_filing(classic: Letter) -> None:
    assert classic.reviewed_filings == [ReviewedFiling(
        form_type="10-K", description="Form 10-K for the Fiscal Year Ended December 31, 2022",
        period_end=date(2022, 12, 31), filed_date=date(2023, 2, 23), amendment=None, draft=False)]


def test_classic_file_numbers(classic: Letter) -> None:
    assert classic.file_numbers == ["001-37622"]


def test_classic_one_numbered_comment(classic: Letter) -> None:
    assert [c.number for c in classic.comments] == [1]


def test_classic_comment_heading(classic: Letter) -> None:
    assert classic.comments[0].heading_path == ["Form 10-K for the Fiscal Year Ended December 31, 2022", "Cover Page"]


def test_classic_comment_text_is_whole_and_alone(classic: Letter) -> None:
    text = classic.comments[0].text
    assert text.startswith("Please revise your filing to provide the address of your principal executive offices.")
    assert text.endswith("where you can receive regulatory communications from the Commission.")


def test_classic_staff_contacts(classic: Letter) -> None:
    assert classic.staff_contacts == [
        StaffContact("Laura Veator", "Senior Staff Accountant", "202-551-3716"),
        StaffContact("Stephen Krikorian", "Accounting Branch Chief", "202-551-3488"),
    ]


def test_classic_office(classic: Letter) -> None:
    assert (classic.staff_division, classic.staff_office) == ("Division of Corporation Finance", "Office of Technology")


def test_classic_no_person_signs(classic: Letter) -> None:
    assert classic.signers == []


def test_classic_cc(classic: Letter) -> None:
    assert (classic.cc_people, classic.cc_law_firms, classic.cc_audit_firms) == (["Shahzia Rahman"], [], [])


def test_classic_page_furniture_removed(classic: Letter) -> None:
    for furniture in ("FirstName", "Comapany Name", "Page 2", "securities and exchange commission logo"):
        assert furniture not in classic.text_clean


def test_classic_body_kept(classic: Letter) -> None:
    assert "In closing, we remind you that the company and its management are responsible" in classic.text_clean


def test_classic_no_confidential_treatment(classic: Letter) -> None:
    assert (classic.has_confidential_treatment, classic.n_redactions) == (False, 0)


# A response under Rule 83: the legend on every page, Bates numbers, [***] redactions. Apple, April 29, 2024.
@pytest.fixture(scope="module")
def apple_response() -> Letter:
    return letter("0000320193-24-000061")


def test_response_kind(apple_response: Letter) -> None:
    assert apple_response.letter_kind == "response"


def test_response_answers_staff_letter_of(apple_response: Letter) -> None:
    assert apple_response.responds_to_date == date(2024, 4, 2)


def test_response_confidential_treatment(apple_response: Letter) -> None:
    assert apple_response.has_confidential_treatment is True


def test_response_redactions_counted_and_marked(apple_response: Letter) -> None:
    assert apple_response.n_redactions == 12
    assert apple_response.text_clean.count("[REDACTED]") == 12


def test_response_legends_are_not_content(apple_response: Letter) -> None:
    assert "Confidential Treatment Requested by Apple Inc.\n" not in apple_response.text_clean + "\n"
    assert not [line for line in apple_response.text_clean.splitlines() if line.startswith("AI-00")]  # Bates numbers
    assert "Information omitted and provided under separate cover" not in apple_response.text_clean


def test_response_comments_repeat_the_staff_comments(apple_response: Letter) -> None:
    assert [c.text[:60] for c in apple_response.comments] == [
        "We note your response to prior comment 1. Please describe fu",
        "We note your response to prior comment 2 that you believe th",
    ]


def test_response_prior_comment_refs(apple_response: Letter) -> None:
    assert [c.prior_comment_refs for c in apple_response.comments] == [[1], [2]]


def test_response_answers(apple_response: Letter) -> None:
    assert [c.answer_text[:45] for c in apple_response.comments if c.answer_text] == [
        "The Company respectfully advises the Staff th",
        "The Company respectfully advises the Staff th",
    ]


def test_response_heading_and_page(apple_response: Letter) -> None:
    assert [(c.heading, c.page_refs) for c in apple_response.comments] == [
        ("Products and Services Performance, page 22", ["22"]), ("Note 2 - Revenue, page 35", ["35"])]


def test_response_signer(apple_response: Letter) -> None:
    assert apple_response.signers == [Signer("Luca Maestri", "Senior Vice President, Chief Financial Officer")]


def test_response_cc(apple_response: Letter) -> None:
    assert apple_response.cc_law_firms == ["Latham & Watkins LLP"]
    assert apple_response.cc_people[:2] == ["Kate Adams", "Chris Kondo"]


# Two-column layout: comment 2's number sits in the margin and pdfium emits it after the paragraph.
# Tyler Technologies, April 7, 2025.
def test_margin_number_put_back_at_its_paragraph() -> None:
    tyler = letter("0000000000-25-003720")
    assert [c.number for c in tyler.comments] == [1, 2, 3, 4, 5]
    assert tyler.comments[1].text.startswith("You disclose that the primary measure used by the chief operating")
    assert tyler.comments[1].heading == "Note (2) Segment and Related Information, page F-16"


# A numbered note heading of the filing ("1. Business, Basis of Presentation ...") above comment 1. MetLife 2018.
def test_note_heading_is_not_a_comment() -> None:
    metlife = letter("0000000000-18-011238")
    assert [c.number for c in metlife.comments] == [1, 2]
    assert metlife.comments[0].text.startswith("You recorded a revision")
    assert metlife.comments[1].heading_path == [
        "8. Investments", "Collectively Significant Equity Method Investments, page 289"]


# A list numbered 1-4 inside the answer to comment 1 is not comments 2-4. Electronic Arts 2019.
def test_list_inside_an_answer_is_not_comments() -> None:
    ea = letter("0000712515-19-000044")
    assert [c.number for c in ea.comments] == [1, 2, 3]
    assert ea.comments[1].text.startswith("Please clarify your disclosures")


# Old letters signed by one person for another; the auditor and law firm copied. Best Buy 2016, Walmart 2016.
def test_signed_for_the_official() -> None:
    assert letter("0000000000-16-083666").signers == [Signer("Mara L. Ransom", "Assistant Director")]


def test_cc_audit_and_law_firms() -> None:
    best_buy = letter("0000764478-16-000086")
    assert best_buy.cc_audit_firms == ["Deloitte & Touche LLP"]
    assert best_buy.cc_law_firms == ["Simpson, Thacher & Bartlett LLP"]


def test_no_review_letter() -> None:
    expedia = letter("0000000000-17-041614")
    assert (expedia.letter_kind, expedia.letter_date, expedia.file_numbers) == (
        "no_review", date(2017, 11, 27), ["333-221623"])


def test_follow_up_staff_letter_cites_the_response_it_reviewed() -> None:
    kinder = letter("0000000000-16-086243")
    assert kinder.responds_to_date == date(2016, 7, 12)
    assert [c.prior_comment_refs for c in kinder.comments] == [[4], [], [6]]


def test_letter_rows_for_the_corpus() -> None:
    submission = parse_submission(gzip.decompress((RAW / "0000000000-23-006942.txt.gz").read_bytes()))
    texts = [extract_document_text(document) for document in submission.documents]
    row, comments = letter_rows(submission, texts, 1512673)
    assert (row["letter_kind"], row["n_comments"], row["release_date"], len(comments)) == (
        "comment", 1, submission.header.release_date, 1)
    assert comments[0]["heading"] == "Cover Page"
