"""Accuracy of pairing and grouping against conversations labeled by reading the letters
(tests/data/conversations/README.md). Figures are printed at the end of the test run."""

from __future__ import annotations

from collections import defaultdict

import pytest

from pipelines.conversations import comment_response_rows, letter_nodes, pair_letters
from tests.conftest import ACCURACY_REPORTS
from tests.pipelines.conversation_fixture import parsed, read_tsv


@pytest.fixture(scope="module")
def result():
    letters, filings, comments = parsed()
    nodes = letter_nodes(letters, filings)
    conversations = pair_letters(nodes)
    return {n.accession: n for n in nodes}, conversations, comment_response_rows(conversations, comments)


def link_scores(nodes, sender: str) -> tuple[int, int, int]:
    tp = fp = fn = 0
    for label in read_tsv("labels.tsv"):
        node = nodes[label["accession"]]
        if node.sender != sender or label["responds_to"] == "?":
            continue
        truth, got = label["responds_to"] or None, node.responds_to
        tp += got is not None and got == truth
        fp += got is not None and got != truth
        fn += truth is not None and got != truth
    return tp, fp, fn


def test_response_links(result) -> None:
    nodes, _, _ = result
    tp, fp, fn = link_scores(nodes, "company")
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    ACCURACY_REPORTS.append(f"response -> staff letter: precision {tp}/{tp + fp} ({precision:.1%}), "
                            f"recall {tp}/{tp + fn} ({recall:.1%})")
    s_tp, s_fp, s_fn = link_scores(nodes, "staff")
    ACCURACY_REPORTS.append(f"staff letter -> response reviewed: precision {s_tp}/{s_tp + s_fp}, "
                            f"recall {s_tp}/{s_tp + s_fn}")
    assert precision >= 0.98 and recall >= 0.95


def test_conversations_exactly_right(result) -> None:
    nodes, conversations, _ = result
    labeled: dict[str, set[str]] = defaultdict(set)
    for label in read_tsv("labels.tsv"):
        labeled[label["conversation"]].add(label["accession"])
    found = {frozenset(n.accession for n in c.letters) for c in conversations}
    right = sum(frozenset(members) in found for members in labeled.values())
    ACCURACY_REPORTS.append(f"conversations exactly right: {right}/{len(labeled)} ({right / len(labeled):.1%}); "
                            f"found {len(found)}")
    assert len(labeled) >= 40
    assert right / len(labeled) >= 0.90


def test_comment_answer_pairs(result) -> None:
    _, _, rows = result
    got = {(r["staff_accession"], r["comment_number"]): r for r in rows}
    pairs = read_tsv("comment_pairs.tsv")
    right = 0
    for pair in pairs:
        row = got.get((pair["staff_accession"], int(pair["comment_number"])))
        right += bool(row and row["response_accession"] == pair["response_accession"]
                      and row["response_comment_number"] == int(pair["response_comment_number"]))
    ACCURACY_REPORTS.append(f"comment <-> answer pairs right: {right}/{len(pairs)} ({right / len(pairs):.1%})")
    assert right / len(pairs) >= 0.90
