"""Numbered comments: headings (inherited), page references, prior-comment references. Real letters and
sentences copied from them."""

from __future__ import annotations

from pipelines.comments import page_refs, prior_comment_refs
from tests.pipelines.test_letters import letter


def test_comment_without_heading_inherits_the_one_above() -> None:
    resmed = letter("0000000000-16-102723")  # ResMed 2016: comments 2-4 sit under one note heading
    assert [c.heading for c in resmed.comments] == [
        "Report of Independent Registered Public Accounting Firm, page F-1",
        "b. Revenue Recognition, page F-7", "b. Revenue Recognition, page F-7", "b. Revenue Recognition, page F-7",
        "Note 9. Accrued Expenses, page F-16", "Note 15. Segment Information, page F-23",
    ]
    assert resmed.comments[1].heading_path == ["Note 2. Summary of Significant Accounting Policies",
                                               "b. Revenue Recognition, page F-7"]


def test_comment_text_stops_before_the_next_heading() -> None:
    resmed = letter("0000000000-16-102723")
    assert resmed.comments[0].text.endswith("as required by AS 1.")


def test_heading_wrapped_over_two_lines() -> None:
    kinder = letter("0000000000-16-086243")  # "Item 7. Management's Discussion ... Results of" / "Operations."
    assert kinder.comments[0].heading_path[-1] == "General, page 39"
    assert kinder.comments[0].heading_path[-2] == ("Item 7. Management’s Discussion and Analysis of Financial "
                                                   "Condition and Results of Operations.")


def test_prior_comment_refs_numbers_words_and_ranges() -> None:
    assert prior_comment_refs("We note your response to prior comment 3.") == [3]
    assert prior_comment_refs("We note your response to prior comments 1 and 3, and reissue in part.") == [1, 3]
    assert prior_comment_refs("We note your response to prior comment two which indicates") == [2]
    assert prior_comment_refs("We note your revisions in response to comment 12 issued in our March 15, 2023 letter."
                              ) == [12]
    assert prior_comment_refs("See our prior comments 2 through 4.") == [2, 3, 4]
    assert prior_comment_refs("Please tell us the nature and amount of each item.") == []


def test_page_refs() -> None:
    assert page_refs("Consolidated Financial Statements, page F-7") == ["F-7"]
    assert page_refs("Refer to the graphs on pages 69-70 showing") == ["69-70"]
    assert page_refs("Lending Activities, page 57S") == ["57S"]
    assert page_refs("We note your disclosures on pages 45 and 121 of your businesses") == ["45 and 121"]
