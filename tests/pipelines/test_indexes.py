"""Index and submissions parsers on EDGAR's real files (tests/data/samples, see SOURCES.tsv there)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest

from pipelines.indexes import (
    ListingError,
    add_quarters,
    business_days,
    parse_form_index,
    parse_master_index,
    parse_submissions,
    quarters_between,
)
from tests.conftest import SAMPLE, SAMPLES


def _read(name):
    return (SAMPLES / name).read_text(encoding="latin-1")


def test_daily_form_index_lists_released_correspondence_with_original_dates():
    rows = parse_form_index(_read("form.20200318.idx"))
    letters = [r for r in rows if r.form_type in ("UPLOAD", "CORRESP")]
    assert Counter(r.form_type for r in letters) == {"UPLOAD": 19, "CORRESP": 12}
    assert all(r.date_filed < date(2020, 3, 18) for r in letters)


def test_daily_index_repeats_an_accession_under_two_names():
    rows = parse_form_index(_read("form.20200318.idx"))
    assert Counter(r.accession_number for r in rows)["0000000000-19-014851"] == 2


def test_cik_comes_from_the_row_not_the_accession():
    row = next(r for r in parse_form_index(_read("form.20200318.idx")) if r.form_type == "UPLOAD")
    assert row.accession_number.startswith("0000000000")
    assert row.cik > 0


def test_quarterly_form_index_with_dashed_dates():
    rows = parse_form_index(_read("badform.idx.txt"))
    assert len(rows) == 10
    assert rows[0].date_filed == date(2021, 2, 5)


def test_empty_index_has_no_rows():
    assert parse_form_index(_read("empty-form.idx")) == []


def test_master_index():
    rows = parse_master_index(_read("master.20181231.idx"))
    assert (rows[0].cik, rows[0].form_type, rows[0].date_filed) == (1000228, "4", date(2018, 12, 31))


def test_submissions_json_and_pages():
    payload = json.loads((SAMPLE / "submissions" / "CIK0001035267.json").read_text())
    main = parse_submissions(payload, 1035267)
    assert main.pages == ["CIK0001035267-submissions-001.json"]
    assert {"0000000000-22-002263", "0001035267-22-000070"} <= {r.accession_number for r in main.filings}
    assert main.malformed == 0
    page = parse_submissions(json.loads((SAMPLE / "submissions" / main.pages[0]).read_text()), 1035267)
    assert page.filings and page.pages == [] and page.malformed == 0


def test_submissions_rows_with_a_null_or_malformed_accession_are_counted_not_listed():
    payload = json.loads((SAMPLE / "submissions" / "CIK0001035267.json").read_text())
    recent = payload["filings"]["recent"]
    n = len(recent["accessionNumber"])
    recent["accessionNumber"][0] = None
    recent["accessionNumber"][1] = "../../etc/passwd"
    listed = parse_submissions(payload, 1035267)
    assert listed.malformed == 2
    assert len(listed.filings) == n - 2
    assert all(r.accession_number and r.accession_number[0].isdigit() for r in listed.filings)


@pytest.mark.parametrize("payload", [[], "html", {"filings": {"recent": {"form": []}}}, {"unrelated": 1}])
def test_a_body_that_is_not_a_submissions_file_is_refused(payload):
    with pytest.raises(ListingError):
        parse_submissions(payload, 1)


def test_quarter_arithmetic():
    assert quarters_between(date(2024, 11, 5), date(2025, 2, 1)) == [(2024, 4), (2025, 1)]
    assert add_quarters(date(2024, 11, 5), 2) == date(2025, 4, 1)
    assert list(business_days(date(2026, 3, 20), date(2026, 3, 23))) == [date(2026, 3, 20), date(2026, 3, 23)]
