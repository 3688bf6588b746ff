"""Accuracy of pairing and grouping against conversations labeled by reading the letters
(tests/data/conversations/README.md). Figures, per set, are printed at the end of the test run."""

from __future__ import annotations

from collections import defaultdict

import pytest

from pipelines.conversations import comment_response_rows, letter_nodes, pair_letters
from tests.conftest import ACCURACY_REPORTS
from tests.pipelines.conversation_fixture import parsed, read_tsv

SETS = ("dev", "heldout", "all")


@pytest.fixture(scope="module")
def result():
    letters, filings, comments = parsed()
    nodes = letter_nodes(letters, filings)
    conversations = pair_letters(nodes)
    return {n.accession: n for n in nodes}, conversations, comment_response_rows(conversations, comments)


def in_set(row: dict[str, str], name: str) -> bool:
    return name == "all" or row["set"] == name


def link_counts(nodes, sender: str, name: str) -> tuple[int, int, int]:
    """True positives, false positives, false negatives of one side's links ("?" labels are skipped)."""
    tp = fp = fn = 0
    for label in read_tsv("labels.tsv"):
        node = nodes[label["accession"]]
        if node.sender != sender or label["responds_to"] == "?" or not in_set(label, name):
            continue
        truth, got = label["responds_to"] or None, node.responds_to
        tp += got is not None and got == truth
        fp += got is not None and got != truth
        fn += truth is not None and got != truth
    return tp, fp, fn


def test_response_links(result) -> None:
    nodes, _, _ = result
    line = "response -> staff letter:"
    for name in SETS:
        tp, fp, fn = link_counts(nodes, "company", name)
        line += f"  {name} precision {tp}/{tp + fp} recall {tp}/{tp + fn}"
    ACCURACY_REPORTS.append(line)
    line = "staff letter -> response reviewed:"
    for name in SETS:
        tp, fp, fn = link_counts(nodes, "staff", name)
        line += f"  {name} precision {tp}/{tp + fp} recall {tp}/{tp + fn}"
    ACCURACY_REPORTS.append(line)
    tp, fp, fn = link_counts(nodes, "company", "all")
    assert tp / (tp + fp) >= 0.98 and tp / (tp + fn) >= 0.95


def test_conversations_exactly_right(result) -> None:
    _, conversations, _ = result
    labeled: dict[str, set[str]] = defaultdict(set)
    set_of: dict[str, str] = {}
    for label in read_tsv("labels.tsv"):
        labeled[label["conversation"]].add(label["accession"])
        set_of[label["conversation"]] = label["set"]
    found = {frozenset(n.accession for n in c.letters) for c in conversations}
    line = "conversations exactly right:"
    for name in SETS:
        keys = [k for k in labeled if name in ("all", set_of[k])]
        right = sum(frozenset(labeled[k]) in found for k in keys)
        line += f"  {name} {right}/{len(keys)}"
    ACCURACY_REPORTS.append(line)
    right = sum(frozenset(members) in found for members in labeled.values())
    assert len(labeled) >= 40
    assert right / len(labeled) >= 0.90


def test_comment_answer_pairs(result) -> None:
    _, _, rows = result
    got = {(r["staff_accession"], r["comment_number"]): r for r in rows}
    pairs = read_tsv("comment_pairs.tsv")

    def right(pair: dict[str, str]) -> bool:
        row = got.get((pair["staff_accession"], int(pair["comment_number"])))
        return bool(row and row["response_accession"] == pair["response_accession"]
                    and row["response_comment_number"] == int(pair["response_comment_number"]))

    line = "comment <-> answer pairs right:"
    for name in SETS:
        subset = [p for p in pairs if in_set(p, name)]
        line += f"  {name} {sum(map(right, subset))}/{len(subset)}"
    ACCURACY_REPORTS.append(line)
    assert sum(map(right, pairs)) / len(pairs) >= 0.90
