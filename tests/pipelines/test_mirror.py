"""The parser over all 884 filings of ../shared/edgar-mirror (skipped on a clone without it)."""

from __future__ import annotations

import csv

import pytest

from pipelines.sgml import document_bytes, parse_submission
from tests.conftest import SHARED_MIRROR, raw_path

pytestmark = [
    pytest.mark.mirror,
    pytest.mark.skipif(not (SHARED_MIRROR / "MIRROR.tsv").exists(), reason="../shared/edgar-mirror is absent"),
]


def test_every_mirror_filing_parses_with_exact_header_fields():
    with (SHARED_MIRROR / "MIRROR.tsv").open(newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert len(rows) == 884
    for row in rows:
        submission = parse_submission(raw_path(SHARED_MIRROR, row["cik"], row["accession"]).read_bytes())
        header = submission.header
        assert (header.accession_number, header.form_type, str(header.filing_date), str(header.release_date),
                header.acceptance_datetime.strftime("%Y%m%d%H%M%S"), header.entities[0].cik) == (
            row["accession"], row["form"], row["filing_date"], row["release_date"], row["acceptance"],
            int(row["cik"])), row["accession"]
        primary = next(d for d in submission.documents if d.filename == row["primary_document"])
        if row["primary_document"].endswith(".pdf"):
            assert document_bytes(primary).startswith(b"%PDF-"), row["accession"]
