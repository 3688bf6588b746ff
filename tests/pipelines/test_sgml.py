"""The complete-submission parser on real files: one fixture per case, one assertion per field."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from pipelines.sgml import SubmissionError, document_bytes, parse_submission, uudecode
from tests.conftest import SAMPLE, raw_path

APPLE_UPLOAD = raw_path(SAMPLE, 320193, "0000000000-24-003505")  # byte-exact EDGAR file
NUVECTIS_CORRESP = raw_path(SAMPLE, 1875558, "0001104659-26-017097")  # byte-exact, agent-filed, with an image
ALLTEL_PEM = raw_path(SAMPLE, 65873, "0000065873-05-000060")  # byte-exact 2005 file in a PEM wrapper


@pytest.fixture(scope="module")
def apple():
    return parse_submission(APPLE_UPLOAD.read_bytes())


def test_accession(apple):
    assert apple.header.accession_number == "0000000000-24-003505"


def test_form_type(apple):
    assert apple.header.form_type == "UPLOAD"


def test_filing_date(apple):
    assert apple.header.filing_date == date(2024, 4, 2)


def test_release_date_from_sec_document_stamp(apple):
    assert apple.header.release_date == date(2024, 6, 14)


def test_acceptance_datetime_is_eastern_local(apple):
    assert apple.header.acceptance_datetime == datetime(2024, 4, 2, 12, 36, 7)


def test_public_reference_accession(apple):
    assert apple.header.reference_accession == "0000320193-23-000106"


def test_file_numbers(apple):
    assert apple.header.file_numbers == ["001-36743"]


def test_filed_for_entity(apple):
    entity = apple.header.entities[0]
    assert (entity.role, entity.cik, entity.fields["COMPANY CONFORMED NAME"]) == ("FILED FOR", 320193, "Apple Inc.")


def test_former_names(apple):
    assert apple.header.entities[0].former_names == [("APPLE INC", "20070109"), ("APPLE COMPUTER INC", "19970808")]


def test_documents(apple):
    assert [(d.document_type, d.sequence, d.filename) for d in apple.documents] == [
        ("LETTER", 1, "filename1.pdf"), ("TEXT-EXTRACT", 2, "filename2.txt")]


def test_uudecode_tolerates_stripped_trailing_spaces(apple):
    pdf = document_bytes(apple.documents[0])
    assert len(pdf) == 29688  # the size EDGAR's index page gives for filename1.pdf
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")


def test_corresp_filer_block_and_image():
    submission = parse_submission(NUVECTIS_CORRESP.read_bytes())
    assert submission.header.entities[0].role == "FILER"
    assert submission.header.submitter_prefix == "0001104659"  # Toppan Merrill, not the company
    assert submission.header.reference_accession is None
    image = submission.documents[1]
    assert image.document_type == "GRAPHIC"
    assert document_bytes(image).startswith(b"\xff\xd8\xff")  # a JPEG


def test_pem_wrapper_is_skipped():
    submission = parse_submission(ALLTEL_PEM.read_bytes())
    assert submission.header.accession_number == "0000065873-05-000060"
    assert submission.header.release_date == date(2006, 5, 1)


def test_irs_number_or_ein():
    nuvectis = parse_submission(NUVECTIS_CORRESP.read_bytes())
    assert nuvectis.header.entities[0].fields["EIN"] == "862405608"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"<html>not a filing</html>", "no <SEC-DOCUMENT>"),
        (b"<SEC-DOCUMENT>x.txt : 20240101\n<SEC-HEADER>x\nACCESSION NUMBER:\t1\n", "</SEC-HEADER>"),
        (b"<SEC-DOCUMENT>x.txt : 20240101\nACCESSION NUMBER:\tnope\n</SEC-HEADER>\n", "ACCESSION NUMBER"),
    ],
)
def test_bad_submissions_raise_with_reason(raw, message):
    with pytest.raises(SubmissionError, match=message):
        parse_submission(raw)


def test_truncated_uuencode_is_an_error_not_garbage(apple):
    body = apple.documents[0].body
    with pytest.raises(SubmissionError, match="truncated"):
        uudecode(body[: len(body) // 2])
