"""Speed-up of `edgar-corpus build` from 1 to N worker processes, over the whole mirror.

Archives the mirror's 884 complete submissions into a temporary data dir (RawArchive.store, as a
crawl would; not timed), then times `build_corpus` (read raw archive, parse, text, structure, pair,
write Parquet, write the DuckDB catalog with its BM25 index) with 1 worker and with N workers,
alternating, several rounds (full builds). Prints the medians and the speed-up N-worker / 1-worker.
Each round also times a full build in a fresh process pinned to 1 core and to N cores (CPU affinity, so
DuckDB's and pyarrow's own threads are limited too): the speed-up from 1 to N cores.
Then times an incremental build that adds the mirror's latest --nightly filings to a corpus of the rest.

    python bench/bench_build.py [--mirror ../shared/edgar-mirror] [--rounds 3] [--workers N] [--nightly 20]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus.archive import RawArchive, utc_now
from corpus.build import build_corpus

ROOT = Path(__file__).resolve().parents[1]


def mirror_rows(mirror: Path) -> list[dict[str, str]]:
    with (mirror / "MIRROR.tsv").open(newline="") as f:
        return sorted(csv.DictReader(f, delimiter="\t"), key=lambda row: (row["filing_date"], row["accession"]))


def archive_mirror(mirror: Path, data_dir: Path, rows: list[dict[str, str]] | None = None) -> int:
    """Store the mirror's submissions (or `rows` of them) in a data dir's raw archive, as a crawl would."""
    archive = RawArchive(data_dir)
    rows = mirror_rows(mirror) if rows is None else rows
    for row in rows:
        accession = row["accession"]
        path = mirror / "Archives/edgar/data" / row["cik"] / accession.replace("-", "") / f"{accession}.txt"
        archive.store_filing(accession=accession, cik=int(row["cik"]), form_type=row["form"], url=str(path),
                      body=path.read_bytes(), http_status=200, fetched_at=utc_now(), discovered_via="bench")
    archive.close()
    return len(rows)


# One full build in a fresh process allowed to run on `cores` CPUs only (workers = cores): the 1-core run is
# then really one core, DuckDB's and pyarrow's threads included. Only the build itself is timed.
_PINNED_BUILD = """
import json, os, sys, time
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:int(sys.argv[2])]))
from corpus.build import build_corpus
started = time.perf_counter()
build_corpus(sys.argv[1], workers=int(sys.argv[2]), progress=None, full=True)
print(json.dumps(time.perf_counter() - started))
"""


def build_on_cores(data_dir: Path, cores: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "EDGAR_TESSERACT": "off"}
    out = subprocess.run([sys.executable, "-c", _PINNED_BUILD, str(data_dir), str(cores)], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "edgar-mirror")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--nightly", type=int, default=20, help="filings an incremental build adds")
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
        pinned: dict[int, list[float]] = {1: [], args.workers: []}
        for _ in range(args.rounds):
            for workers in seconds:
                started = time.perf_counter()
                report = build_corpus(data_dir, workers=workers, progress=None, full=True)
                seconds[workers].append(time.perf_counter() - started)
            for cores in pinned:
                pinned[cores].append(build_on_cores(data_dir, cores))
        medians = {w: statistics.median(s) for w, s in seconds.items()}
        pinned_medians = {c: statistics.median(s) for c, s in pinned.items()}

        # A nightly build: the corpus of all but the latest --nightly filings is built (not timed); they
        # are then archived and the incremental build that adds them is timed (N workers).
        rows = mirror_rows(args.mirror)
        nightly = []
        for round_ in range(args.rounds):
            night_dir = Path(tmp) / f"night{round_}"
            archive_mirror(args.mirror, night_dir, rows[:-args.nightly])
            build_corpus(night_dir, workers=args.workers, progress=None)
            archive_mirror(args.mirror, night_dir, rows[-args.nightly:])
            started = time.perf_counter()
            night = build_corpus(night_dir, workers=args.workers, progress=None)
            nightly.append(time.perf_counter() - started)
            assert night.mode == "incremental" and night.normalized == args.nightly
        print(json.dumps({
            "filings": n, "letters": report.letters, "conversations": report.conversations,
            "rounds": args.rounds, "seconds_median": {str(w): round(s, 2) for w, s in medians.items()},
            "all_rounds": {str(w): [round(x, 2) for x in s] for w, s in seconds.items()},
            "filings_per_s": {str(w): round(n / s) for w, s in medians.items()},
            "speedup": round(medians[1] / medians[args.workers], 2), "workers": args.workers,
            "cores_pinned": {"seconds_median": {str(c): round(s, 2) for c, s in pinned_medians.items()},
                             "all_rounds": {str(c): [round(x, 2) for x in s] for c, s in pinned.items()},
                             "speedup": round(pinned_medians[1] / pinned_medians[args.workers], 2)},
            "incremental": {"new_filings": args.nightly, "seconds_median": round(statistics.median(nightly), 2),
                            "all_rounds": [round(x, 2) for x in nightly],
                            "over_full_build": round(statistics.median(nightly) / medians[args.workers], 2)},
            "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        }, indent=2))


if __name__ == "__main__":
    main()
