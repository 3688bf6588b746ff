"""Review statistics of a mirror, to set beside the published ones (docs/reference/comment-letters.md §0 item 9).

Parses every filing of the mirror as the build does (pipelines/normalize.py), pairs them
(pipelines/conversations.pair_conversations) and prints medians over the reviews that have a staff comment
letter, and over those that also end with a completion letter.

    python bench/conversation_figures.py [--mirror ../shared/edgar-mirror]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
from pathlib import Path

from pipelines.conversations import pair_conversations
from pipelines.normalize import FilingSource, normalize_filing

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "edgar-mirror")
    args = parser.parse_args()
    if not (args.mirror / "MIRROR.tsv").exists():
        args.mirror = ROOT / "tests" / "data" / "edgar"
        print(f"full mirror not found; using the bundled sample {args.mirror}")
    os.environ["EDGAR_TESSERACT"] = "off"
    filings, letters, comments = [], [], []
    with (args.mirror / "MIRROR.tsv").open(newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            accession = row["accession"]
            raw = (args.mirror / "Archives/edgar/data" / row["cik"] / accession.replace("-", "")
                   / f"{accession}.txt").read_bytes()
            rows = normalize_filing(raw, FilingSource(accession, int(row["cik"]), discovered_via="mirror"))
            filings.extend(rows["filings"])
            letters.extend(rows["letters"])
            comments.extend(rows["comments"])
    conversations = pair_conversations(filings, letters, comments)["conversations"]
    reviewed = [c for c in conversations if c["n_rounds"] > 0]
    resolved = [c for c in reviewed if c["status"] == "resolved"]

    def median(rows: list[dict], key: str) -> float | None:
        values = [r[key] for r in rows if r[key] is not None]
        return statistics.median(values) if values else None

    def p90(rows: list[dict], key: str) -> float | None:
        values = sorted(r[key] for r in rows if r[key] is not None)
        return values[int(0.9 * (len(values) - 1))] if values else None

    report = {
        "filings": len(filings), "conversations": len(conversations),
        "by_status": {s: sum(1 for c in conversations if c["status"] == s) for s in ("resolved", "open", "no_review")},
        "reviews_with_comments": len(reviewed), "of_which_resolved": len(resolved),
        "median_letters_per_review": median(reviewed, "n_letters"),
        "median_staff_letters_per_review": median(reviewed, "n_staff_letters"),
        "median_rounds": median(reviewed, "n_rounds"),
        "mean_rounds": round(statistics.mean(c["n_rounds"] for c in reviewed), 2),
        "median_days_to_first_response": median(reviewed, "days_to_first_response"),
        "p90_days_to_first_response": p90(reviewed, "days_to_first_response"),
        "median_days_to_close_resolved": median(resolved, "days_to_close"),
        "mean_days_to_close_resolved": round(statistics.mean(c["days_to_close"] for c in resolved), 1),
        "mean_letters_per_resolved_review": round(statistics.mean(c["n_letters"] for c in resolved), 2),
        "share_resolved_after_1_or_2_staff_comment_letters": round(
            sum(1 for c in resolved if c["n_rounds"] <= 2) / len(resolved), 3),
        "median_release_lag_business_days": median(conversations, "release_lag_business_days"),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
