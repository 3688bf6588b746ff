"""Conversations, case by case: follow-up comments, business days, file numbers."""

from __future__ import annotations

from datetime import date

from pipelines.conversations import comment_response_rows, letter_nodes, normalize_file_number, pair_letters
from pipelines.dates import business_days_between, federal_holidays
from tests.pipelines.conversation_fixture import parsed


def test_follow_up_comment_continues_the_earlier_one() -> None:
    letters, filings, comments = parsed()
    conversations = pair_letters(letter_nodes(letters, filings))
    rows = {(r["staff_accession"], r["comment_number"]): r for r in comment_response_rows(conversations, comments)}
    # Eaton, Jan 25, 2018: "We have considered your response to prior comment one" (of the Dec 20, 2017 letter)
    follow_up = rows[("0000000000-18-002703", 1)]
    assert (follow_up["continues_accession"], follow_up["continues_comment_number"]) == ("0000000000-17-044426", 1)
    assert follow_up["response_accession"] == "0001551182-18-000012"


def test_release_lag_counts_federal_business_days() -> None:
    # Apple's completion letter of May 16, 2024 was released June 14, 2024: day 20, Memorial Day skipped
    assert business_days_between(date(2024, 5, 16), date(2024, 6, 14)) == 20
    assert date(2024, 5, 27) in federal_holidays(2024)
    assert date(2021, 6, 18) in federal_holidays(2021)  # Juneteenth on a Saturday, observed Friday
    assert business_days_between(date(2024, 6, 14), date(2024, 5, 16)) == -20


def test_file_numbers_compare_without_leading_zeros() -> None:
    assert normalize_file_number("001-06991") == normalize_file_number("1-6991") == "1-6991"
    assert normalize_file_number("333-123596") == "333-123596"
    assert normalize_file_number("CIK No. 0001783180") is None
