"""Build time and peak memory against letter size, and for the hostile filings of the audit (issue 12).

Each case is one data dir holding the 13 real filings of one company plus one more filing: a real response
letter inflated to 1, 16, 64 or 150 MB of HTML, or a hostile case (a 200-inch image-only PDF page, 14,285
unclosed <title> tags, HTML nested 20,000 levels deep, a staff letter ending in 20,000 capitals). It is built
first without the extra filing, then again with it (an incremental build: what the nightly job does), in a
subprocess with 2 workers; the peak memory is the largest sum of the resident sets of the build process and
its workers, sampled every 50 ms.

    python bench/bench_hostile.py [--rounds 3] [--sizes 1,16,64,150]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus.archive import RawArchive, utc_now  # noqa: E402
from tests.conftest import SAMPLE, raw_path, sample_rows  # noqa: E402
from tests.hostile import (  # noqa: E402
    RESPONSE,
    STAFF_LETTER,
    as_filing,
    huge_page_pdf,
    inflated_html,
    with_html,
    with_pdf,
)

PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


def build(data: Path) -> tuple[float, int, str]:
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "edgar_corpus.cli", "build", "--data-dir", str(data),
                             "--workers", "2"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.05)
    return time.monotonic() - started, peak, proc.stdout.read().strip().splitlines()[0]


def cases(sizes: list[int]) -> dict[str, tuple[str, bytes]]:
    out = {}
    for size in sizes:
        out[f"letter of {size} MB"] = ("CORRESP", with_html(RESPONSE, inflated_html(size)))
    out["200-inch image-only PDF page"] = ("UPLOAD", with_pdf(STAFF_LETTER, huge_page_pdf()))
    titles = b"<html><body><p>Dear Sir:</p>" + b"<title>x" * 14285 + b"<p>end</p></body></html>"
    out["14,285 unclosed <title> tags"] = ("CORRESP", with_html(RESPONSE, titles))
    deep = b"<html><body>" + b"<div>" * 20000 + b"<p>deep</p>" + b"</div>" * 20000 + b"</body></html>"
    out["HTML nested 20,000 levels"] = ("CORRESP", with_html(RESPONSE, deep))
    capitals = b"<html><body><p>Dear Sir:</p><p>1. Please revise.</p><p>Sincerely,</p><p>" + b"A" * 20000 \
        + b"</p></body></html>"
    out["letter ending in 20,000 capitals"] = ("UPLOAD", with_html(RESPONSE, capitals).replace(
        b"CONFORMED SUBMISSION TYPE:\tCORRESP", b"CONFORMED SUBMISSION TYPE:\tUPLOAD"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default="1,16,64,150")
    args = parser.parse_args()
    company = [r for r in sample_rows() if r["cik"] == "1751008"]
    results = {}
    for name, (form, body) in cases([int(s) for s in args.sizes.split(",")]).items():
        times, peaks, lines = [], [], []
        for _ in range(args.rounds):
            with tempfile.TemporaryDirectory() as tmp:
                data = Path(tmp) / "data"
                archive = RawArchive(data)
                for r in company:
                    archive.store_filing(accession=r["accession"], cik=int(r["cik"]), form_type=r["form"], url="bench",
                                         body=raw_path(SAMPLE, r["cik"], r["accession"]).read_bytes(),
                                         http_status=200, fetched_at=utc_now())
                archive.close()
                build(data)
                archive = RawArchive(data)
                accession = "0001193125-23-900001" if form == "CORRESP" else "0000000000-23-900001"
                archive.store_filing(accession=accession, cik=1512673, form_type=form, url="bench",
                                     body=as_filing(body, accession), http_status=200, fetched_at=utc_now())
                archive.close()
                seconds, peak, line = build(data)
                times.append(seconds)
                peaks.append(peak)
                lines.append(line)
        results[name] = {"median_seconds": round(statistics.median(times), 2),
                         "median_peak_mb": round(statistics.median(peaks) / 1024**2),
                         "max_peak_mb": round(max(peaks) / 1024**2), "build": lines[-1][:160]}
        print(f"{name:34s} {results[name]['median_seconds']:7.2f} s  peak {results[name]['median_peak_mb']:5d} MB "
              f"(max {results[name]['max_peak_mb']})", flush=True)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
