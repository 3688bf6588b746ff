"""Speed-up of `edgar-corpus build` from 1 to N worker processes, over the whole mirror.

Archives the mirror's 884 complete submissions into a temporary data dir (RawArchive.store, as a
crawl would; not timed), then times `build_corpus` (read raw archive, parse, text, structure, pair,
write Parquet, write the DuckDB catalog with its BM25 index) with 1 worker and with N workers,
alternating, several rounds. Prints the medians and the speed-up N-worker / 1-worker.

    python bench/bench_build.py [--mirror ../shared/edgar-mirror] [--rounds 3] [--workers N]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from corpus.archive import RawArchive, utc_now
from pipelines.build import build_corpus

ROOT = Path(__file__).resolve().parents[1]


def archive_mirror(mirror: Path, data_dir: Path) -> int:
    archive = RawArchive(data_dir)
    with (mirror / "MIRROR.tsv").open(newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    for row in rows:
        accession = row["accession"]
        path = mirror / "Archives/edgar/data" / row["cik"] / accession.replace("-", "") / f"{accession}.txt"
        archive.store(accession=accession, cik=int(row["cik"]), form_type=row["form"], url=str(path),
                      body=path.read_bytes(), http_status=200, fetched_at=utc_now(), discovered_via="bench")
    archive.close()
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "edgar-mirror")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    if not (args.mirror / "MIRROR.tsv").exists():
        args.mirror = ROOT / "tests" / "data" / "edgar"
        print(f"full mirror not found; using the bundled sample {args.mirror}")
    os.environ["EDGAR_TESSERACT"] = "off"
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        n = archive_mirror(args.mirror, data_dir)
        build_corpus(data_dir, workers=1, progress=None)  # warm-up: page cache, imports
        seconds: dict[int, list[float]] = {1: [], args.workers: []}
        for _ in range(args.rounds):
            for workers in seconds:
                started = time.perf_counter()
                report = build_corpus(data_dir, workers=workers, progress=None)
                seconds[workers].append(time.perf_counter() - started)
        medians = {w: statistics.median(s) for w, s in seconds.items()}
        print(json.dumps({
            "filings": n, "letters": report.letters, "conversations": report.conversations,
            "rounds": args.rounds, "seconds_median": {str(w): round(s, 2) for w, s in medians.items()},
            "all_rounds": {str(w): [round(x, 2) for x in s] for w, s in seconds.items()},
            "filings_per_s": {str(w): round(n / s) for w, s in medians.items()},
            "speedup": round(medians[1] / medians[args.workers], 2), "workers": args.workers,
            "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        }, indent=2))


if __name__ == "__main__":
    main()
