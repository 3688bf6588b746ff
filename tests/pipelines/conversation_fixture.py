"""The labeled conversations (tests/data/conversations): their letters parsed as the build parses them."""

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


def _raw(accession: str, cik: str) -> bytes:
    for folder in (CONVERSATIONS / "raw", DATA / "letters" / "raw"):
        path = folder / f"{accession}.txt.gz"
        if path.exists():
            return gzip.decompress(path.read_bytes())
    return (DATA / "edgar/Archives/edgar/data" / cik / accession.replace("-", "") / f"{accession}.txt").read_bytes()


def read_tsv(name: str) -> list[dict[str, str]]:
    with (CONVERSATIONS / name).open(newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@cache
def parsed() -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """letters rows, filings fields (by accession) and comments rows of every labeled letter."""
    letters, filings, comments = [], {}, []
    for label in read_tsv("labels.tsv"):
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
