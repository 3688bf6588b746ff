"""Accuracy of the letter parser against letters labeled by reading them (tests/data/letters/README.md).

Each labeled filing goes through the same path as the build (complete submission -> documents ->
main letter -> structure). The per-field accuracy, per set, is printed at the end of the test run.
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines.normalize import letter_rows
from pipelines.sgml import parse_submission
from pipelines.text import extract_document_text
from tests.conftest import ACCURACY_REPORTS

LETTERS = Path(__file__).resolve().parents[1] / "data" / "letters"
FIELDS = ("letter_date", "letter_kind", "n_comments", "file_numbers", "responds_to_date")
TARGETS = {"letter_date": 0.99, "letter_kind": 0.97, "n_comments": 0.95, "file_numbers": 0.97}


@dataclass
class Outcome:
    accession: str
    set: str
    expected: dict[str, str]
    got: dict[str, str]

    def right(self, field: str) -> bool:
        return self.expected[field] == self.got[field]


def _as_label(row: dict) -> dict[str, str]:
    return {
        "letter_date": str(row.get("letter_date") or ""),
        "letter_kind": row.get("letter_kind") or "",
        "n_comments": str(row.get("n_comments") or 0),
        "file_numbers": ",".join(row.get("file_numbers") or []),
        "responds_to_date": str(row.get("responds_to_date") or ""),
    }


@pytest.fixture(scope="module")
def outcomes() -> list[Outcome]:
    with (LETTERS / "labels.tsv").open(newline="") as f:
        labels = list(csv.DictReader(f, delimiter="\t"))
    results = []
    for label in labels:
        submission = parse_submission(gzip.decompress((LETTERS / "raw" / f"{label['accession']}.txt.gz").read_bytes()))
        texts = [extract_document_text(document) for document in submission.documents]
        letter, _comments = letter_rows(submission, texts, int(label["cik"]))
        results.append(Outcome(label["accession"], label["set"], {f: label[f] for f in FIELDS}, _as_label(letter)))
    return results


def accuracy(outcomes: list[Outcome], field: str) -> float:
    return sum(o.right(field) for o in outcomes) / len(outcomes)


def test_labeled_set_is_big_and_varied_enough(outcomes: list[Outcome]) -> None:
    assert len(outcomes) >= 80
    kinds = {o.expected["letter_kind"] for o in outcomes}
    assert kinds >= {"comment", "review_complete", "no_review", "response", "acceleration_request",
                     "extension_request"}
    assert len({o.expected["letter_date"][:4] for o in outcomes}) >= 10


@pytest.mark.parametrize("field", FIELDS)
def test_accuracy_per_field(outcomes: list[Outcome], field: str) -> None:
    line = f"{field:17s}"
    for name in ("dev", "heldout", "all"):
        subset = [o for o in outcomes if name in ("all", o.set)]
        right = sum(o.right(field) for o in subset)
        line += f"  {name} {right}/{len(subset)} ({right / len(subset):.1%})"
    ACCURACY_REPORTS.append(line)
    misses = [(o.accession, o.expected[field], o.got[field]) for o in outcomes if not o.right(field)]
    if field in TARGETS:
        assert accuracy(outcomes, field) >= TARGETS[field], f"{field} below target; misses: {misses}"
