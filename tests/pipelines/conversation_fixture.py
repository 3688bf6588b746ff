"""Labeled letters parsed as the build parses them: the conversations set (tests/data/conversations) and
the hard-case set of issue 16 (tests/data/letters16)."""

from __future__ import annotations

import csv
import gzip
from functools import cache
from pathlib import Path
from typing import Any

from pipelines.normalize import letter_rows
from pipelines.sgml import parse_submission
from pipelines.text import extract_document_text

DATA = Path(__file__).resolve().parents[1] / "data"
CONVERSATIONS = DATA / "conversations"
RAW_FOLDERS = (CONVERSATIONS / "raw", DATA / "letters" / "raw", DATA / "letters16" / "raw", DATA / "cases" / "raw")


def _raw(accession: str, cik: str) -> bytes:
    for folder in RAW_FOLDERS:
        path = folder / f"{accession}.txt.gz"
        if path.exists():
            return gzip.decompress(path.read_bytes())
    return (DATA / "edgar/Archives/edgar/data" / cik / accession.replace("-", "") / f"{accession}.txt").read_bytes()


def read_tsv(name: str, folder: Path = CONVERSATIONS) -> list[dict[str, str]]:
    with (folder / name).open(newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def parse_labeled(labels: list[dict[str, str]]) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]], list]:
    """letters rows, filings fields (by accession) and comments rows of the labeled letters."""
    letters, filings, comments = [], {}, []
    for label in labels:
        submission = parse_submission(_raw(label["accession"], label["cik"]))
        texts = [extract_document_text(document) for document in submission.documents]
        row, rows = letter_rows(submission, texts, int(label["cik"]))
        letters.append(row)
        comments.extend(rows)
        header = submission.header
        filings[header.accession_number] = {"file_numbers": header.file_numbers,
                                            "reference_accession": header.reference_accession,
                                            "acceptance_datetime": header.acceptance_datetime}
    return letters, filings, comments


@cache
def parsed() -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """The conversations set, parsed."""
    return parse_labeled(read_tsv("labels.tsv"))
