"""Speed of the build's per-filing work: parse + text + structure, in filings per second on one core.

Reads every complete submission of a mirror into memory first (I/O is not measured), then times, in
one process, N rounds of each variant over all filings:
  baseline   parse_submission + extract_document_text for every document (the issue-2 build)
  structure  the same + parse_letter on the main letter (the build before issue 14)
  rows       normalize_filing without what each comment is about: parse, text, structure and the rows (the
             per-filing work of the build before issue 14)
  full       normalize_filing: the same, and each comment's topics and citations (issue 14): what the build
             does now, pipelines/normalize.py
Prints the median of the rounds and the ratios structure/baseline and full/rows measured in the same run
(full/rows also as the median of each round's ratio).
OCR is off (the mirror has no scanned pages), so the figures are for text-layer PDFs and HTML.

    python bench/bench_structure.py [--mirror ../shared/edgar-mirror] [--rounds 5]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import time
from pathlib import Path

from pipelines import normalize
from pipelines.letters import parse_letter
from pipelines.normalize import FilingSource, main_letter, normalize_filing
from pipelines.sgml import parse_submission
from pipelines.text import extract_document_text

ROOT = Path(__file__).resolve().parents[1]


def load(mirror: Path) -> list[bytes]:
    with (mirror / "MIRROR.tsv").open(newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [(mirror / "Archives/edgar/data" / r["cik"] / r["accession"].replace("-", "") / f"{r['accession']}.txt")
            .read_bytes() for r in rows]


def baseline(raws: list[bytes]) -> None:
    for raw in raws:
        submission = parse_submission(raw)
        [extract_document_text(document) for document in submission.documents]


def structure(raws: list[bytes]) -> None:
    for raw in raws:
        submission = parse_submission(raw)
        texts = [extract_document_text(document) for document in submission.documents]
        index = main_letter(submission, texts)
        if index is not None:
            parse_letter(texts[index].text or "", submission.header.form_type, submission.header.filing_date)


def full(raws: list[bytes]) -> None:
    for raw in raws:
        accession = raw[raw.index(b"ACCESSION NUMBER:") + 17:][:40].split()[0].decode()
        normalize_filing(raw, FilingSource(accession, None))


def rows(raws: list[bytes]) -> None:
    real = normalize.about_rows
    normalize.about_rows = lambda comments, forms: ([], [])  # the build before issue 14 had no topics/citations
    try:
        full(raws)
    finally:
        normalize.about_rows = real


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "edgar-mirror")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not (args.mirror / "MIRROR.tsv").exists():
        args.mirror = ROOT / "tests" / "data" / "edgar"
        print(f"full mirror not found; using the bundled sample {args.mirror}")
    os.environ["EDGAR_TESSERACT"] = "off"
    raws = load(args.mirror)
    structure(raws)  # warm-up: imports, regex compilation, page cache
    results: dict[str, list[float]] = {"baseline": [], "structure": [], "rows": [], "full": []}
    for _ in range(args.rounds):
        for name, run in (("baseline", baseline), ("structure", structure), ("rows", rows), ("full", full)):
            started = time.perf_counter()
            run(raws)
            results[name].append(len(raws) / (time.perf_counter() - started))
    medians = {name: statistics.median(values) for name, values in results.items()}
    report = {
        "filings": len(raws), "mb": round(sum(map(len, raws)) / 1e6, 1), "rounds": args.rounds,
        "filings_per_s_per_core": {k: round(v) for k, v in medians.items()},
        "all_rounds": {k: [round(v) for v in vs] for k, vs in results.items()},
        "structure_over_baseline": round(medians["structure"] / medians["baseline"], 3),
        "structure_ms_per_filing": round(1000 / medians["structure"] - 1000 / medians["baseline"], 3),
        "full_over_rows": round(medians["full"] / medians["rows"], 3),
        # the same, paired: each round's full over the rows measured just before it (less exposed to drift)
        "full_over_rows_paired": round(statistics.median(
            f / r for f, r in zip(results["full"], results["rows"], strict=True)), 3),
        "topics_citations_ms_per_filing": round(1000 / medians["full"] - 1000 / medians["rows"], 3),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
