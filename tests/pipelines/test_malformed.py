"""Malformed submissions in the raw archive: each is recorded with its reason, nothing else is lost, and
nothing is written outside the data dir. Variants of a real staff letter and a real response."""

from __future__ import annotations

import re
from pathlib import Path

from corpus.archive import RawArchive, utc_now
from corpus.build import build_corpus
from corpus.catalog import connect
from tests.conftest import SAMPLE, raw_path

STAFF = raw_path(SAMPLE, 1512673, "0000000000-23-006942").read_bytes()  # Block, PDF letter, uuencoded
RESPONSE = raw_path(SAMPLE, 1512673, "0001193125-23-184593").read_bytes()  # Block's response, HTML


def variant(raw: bytes, accession: str) -> bytes:
    """The same submission under another accession number, so every variant is its own filing."""
    return re.sub(rb"0000000000-23-006942|0001193125-23-184593", accession.encode(), raw)


def test_malformed_filings_are_recorded_and_the_rest_built(tmp_path: Path) -> None:
    data = tmp_path / "data"
    outside = tmp_path / "outside.htm"
    cases = {
        "0000000000-23-900001": variant(STAFF, "0000000000-23-900001"),  # intact
        "0000000000-23-900002": variant(STAFF, "0000000000-23-900002").replace(b"ACCESSION NUMBER:", b"ACCESSION:"),
        "0000000000-23-900003": variant(STAFF, "0000000000-23-900003")[: len(STAFF) // 2] + b"\n</TEXT>\n</DOCUMENT>\n",
        "0000000000-23-900004": re.sub(rb"(begin 644 [^\n]*\n)M[^\n]*\n", rb"\1M" + b"!" * 60 + b"\n",
                                       variant(STAFF, "0000000000-23-900004"), count=1),
        "0001193125-23-900005": variant(RESPONSE, "0001193125-23-900005").replace(b"the", b"th\xe9\xff", 50),
        "0001193125-23-900006": variant(RESPONSE, "0001193125-23-900006").replace(
            b"<FILENAME>", b"<FILENAME>../../../" + str(outside).encode() + b"#", 1),
    }
    archive = RawArchive(data)
    for accession, body in cases.items():
        archive.store_filing(accession=accession, cik=1512673, form_type="UPLOAD" if accession[0:10] == "0000000000"
                      else "CORRESP", url="test", body=body, http_status=200, fetched_at=utc_now())
    archive.close()
    before = set(tmp_path.rglob("*"))
    report = build_corpus(data, workers=1, progress=None)

    assert report.filings == 5  # all but the one whose header has no accession number
    con = connect(data)
    failures = con.execute("SELECT accession_number, stage, status, reason FROM failures").fetchall()
    assert failures == [("0000000000-23-900002", "build", "unparseable",
                         "SubmissionError: header has no valid ACCESSION NUMBER (found '')")]
    errors = dict(con.execute("SELECT accession_number, error FROM documents WHERE error IS NOT NULL").fetchall())
    assert "truncated" in errors["0000000000-23-900003"]  # the uuencoded PDF lost its end
    assert "0000000000-23-900004" in errors  # a corrupt PDF: pdfium's error, kept with the document
    kinds = dict(con.execute("SELECT accession_number, letter_kind FROM letters").fetchall())
    assert kinds["0000000000-23-900001"] == "comment"
    assert kinds["0001193125-23-900005"] == "response"  # bytes that are not UTF-8 are read as Windows-1252
    assert kinds["0001193125-23-900006"] == "response"
    con.close()
    written_outside = {p for p in set(tmp_path.rglob("*")) - before if data not in p.parents}
    assert written_outside == set() and not outside.exists()
