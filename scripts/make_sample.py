"""Cut the bundled sample (tests/data/edgar/) out of the full mirror in ../shared/edgar-mirror.

The sample keeps EDGAR's URL layout so the fake server can serve it like the full mirror:
every filing of the chosen companies, their submissions JSON (with older pages), and every
quarterly and daily index file of the mirror with only the chosen companies' rows kept
(headers untouched, so empty days stay empty files, as on EDGAR).

    python scripts/make_sample.py [--mirror ../shared/edgar-mirror] [--out tests/data/edgar]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import shutil
from pathlib import Path

# 15 companies, chosen to cover: the three byte-exact captures (Apple, Nuvectis, ALLTEL with
# its PEM wrapper; these have no submissions JSON, as in the mirror), letters released inside
# the daily-index window (Capital One, Texas Pacific, ServiceNow, Carrier, Kimco, Solventum),
# filing agents and self-filers, 2005 and 2016-2026, and an older submissions page (Intuitive Surgical).
SAMPLE_CIKS = (
    320193, 1875558, 65873, 927628, 1811074, 1373715, 1783180, 879101,
    1792789, 1751008, 1512673, 1757898, 1964738, 1035267, 865752,
)


def keep_index_line(line: str, ciks: set[str]) -> bool:
    """True for header lines and for data rows of the sample companies."""
    if line.count("|") >= 4:  # master.idx row: CIK|Company|Form|Date|File
        return line.split("|", 1)[0] in ciks
    parts = line.split()
    if len(parts) >= 4 and parts[-1].startswith("edgar/data/"):
        return parts[-3] in ciks
    return True


def filter_index(src: Path, dst: Path, ciks: set[str]) -> None:
    text = src.read_bytes().decode("latin-1")
    kept = "".join(line for line in text.splitlines(keepends=True) if keep_index_line(line, ciks))
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(kept.encode("latin-1"))


SAMPLE_ENTRIES = {"Archives", "MIRROR.tsv", "README.md", "submissions"}  # what this script writes into --out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=Path("../shared/edgar-mirror"))
    parser.add_argument("--out", type=Path, default=Path("tests/data/edgar"))
    args = parser.parse_args()
    src, out = args.mirror, args.out
    ciks = {str(c) for c in SAMPLE_CIKS}
    if out.exists():
        # only an earlier sample is replaced: never a folder that holds anything else (a real mirror, a data dir)
        if not (out / "MIRROR.tsv").is_file() or {p.name for p in out.iterdir()} - SAMPLE_ENTRIES:
            parser.error(f"{out} exists and is not a sample this script made; give a new --out or remove it yourself")
        shutil.rmtree(out)

    with (src / "MIRROR.tsv").open(newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["cik"] in ciks]
    out.mkdir(parents=True)
    with (out / "MIRROR.tsv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    for cik in ciks:
        folder = src / "Archives/edgar/data" / cik
        if folder.is_dir():
            shutil.copytree(folder, out / "Archives/edgar/data" / cik)
    for path in (src / "submissions").glob("CIK*.json"):
        if str(int(path.name[3:13])) in ciks:
            (out / "submissions").mkdir(exist_ok=True)
            shutil.copy2(path, out / "submissions" / path.name)

    for kind in ("full-index", "daily-index"):
        for path in sorted((src / "Archives/edgar" / kind).rglob("*.idx")):
            dst = out / path.relative_to(src)
            filter_index(path, dst, ciks)
            if (path.parent / "form.gz").exists() and path.name == "form.idx":
                dst.with_name("form.gz").write_bytes(gzip.compress(dst.read_bytes(), mtime=0))
    (out / "README.md").write_text(
        "# Bundled sample of ../shared/edgar-mirror\n\n"
        f"{len(rows)} real filings of {len(ciks)} companies, cut by `scripts/make_sample.py`.\n"
        "Filings and submissions JSON are copied unchanged; index files keep only these companies' rows.\n"
        "See the mirror's README for what is real and what was rebuilt.\n"
    )
    print(json.dumps({"filings": len(rows), "companies": len(ciks)}))


if __name__ == "__main__":
    main()
