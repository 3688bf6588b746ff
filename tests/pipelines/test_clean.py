"""Clean text: furniture out, legends and redactions detected, the body kept. Real letters."""

from __future__ import annotations

from pipelines.clean import clean_letter_text
from tests.pipelines.test_letters import letter


def test_law_firm_running_header_date_and_page_number_removed() -> None:
    meta = letter("0000950103-22-021265")  # Davis Polk: "December 21, 2022 2" at the top of page 2
    assert "December 21, 2022 2" not in meta.text_clean
    assert meta.text_clean.count("December 21, 2022") == 1  # the letter's own date stays


def test_response_running_header_removed_but_not_the_body_heading() -> None:
    occidental = letter("0000797468-17-000013")  # "Occidental Petroleum Corporation / Page 2 of 5"
    assert "Page 2 of 5" not in occidental.text_clean
    assert "Form 10-K for the Fiscal Year Ended December 31, 2016\nManagement’s Discussion" in occidental.text_clean


def test_bracketed_redaction_spanning_lines_counts_once() -> None:
    walmart = letter("0000104169-18-000076")  # "[INFORMATION REDACTED: ****...\nINFORMATION REDACTED]"
    assert (walmart.n_redactions, walmart.has_confidential_treatment) == (1, True)
    assert "INFORMATION REDACTED" not in walmart.text_clean


def test_legend_with_bates_number_line_removed() -> None:
    ea = letter("0000712515-19-000044")  # "CONFIDENTIAL TREATMENT REQUESTED" / "BY ELECTRONIC ARTS INC.: EA-00 2"
    assert "BY ELECTRONIC ARTS INC.: EA-00" not in ea.text_clean
    assert "CONFIDENTIAL TREATMENT REQUESTED" not in ea.text_clean
    assert ea.has_confidential_treatment


def test_plain_letter_has_no_legend() -> None:
    assert clean_letter_text("June 1, 2020\nDear Mr. Smith:\nWe have completed our review of your filing.\n"
                             ).has_confidential_treatment is False


def test_windows_line_ends_and_odd_spaces_normalized() -> None:
    cleaned = clean_letter_text("Re: Apple\r\nFile\xa0No. 001-36743\r\nRegulation S\ufffeK\ufeff")
    assert cleaned.text == "Re: Apple\nFile No. 001-36743\nRegulation S-K"
