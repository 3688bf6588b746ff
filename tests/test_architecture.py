"""The structure matches the data flow: parsing modules do no I/O of the corpus and no process work, the
crawler and the corpus code do not import each other in a cycle, and the parser fingerprint covers parsing
code only (an edit to orchestration keeps incremental builds; an edit to a parser forces a full one)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, SAMPLE, raw_path, sample_rows

FORBIDDEN_IN_PARSING = ("concurrent.futures", "multiprocessing", "pyarrow.parquet", "duckdb", "sqlite3", "scrapy",
                        "corpus", "crawler")


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_parsing_modules_import_no_process_pool_parquet_duckdb_or_storage():
    offenders = {path.name: sorted(name for name in imports(path)
                                   if any(name == f or name.startswith(f + ".") for f in FORBIDDEN_IN_PARSING))
                 for path in (ROOT / "pipelines").glob("*.py")}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_no_import_cycle_between_the_crawler_and_the_corpus_code():
    corpus_imports = {name for path in (ROOT / "corpus").glob("*.py") for name in imports(path)}
    assert not any(name == "crawler" or name.startswith("crawler.") for name in corpus_imports)


def _build(copy: Path, data: Path) -> str:
    proc = subprocess.run([sys.executable, "-m", "edgar_corpus.cli", "build", "--data-dir", str(data), "--workers",
                           "1"], cwd=copy, env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_an_orchestration_edit_keeps_incremental_builds_and_a_parser_edit_forces_a_full_one(tmp_path):
    copy = tmp_path / "project"  # the project's code, edited here, never in the working tree
    for package in ("pipelines", "corpus", "crawler", "edgar_corpus", "fake_edgar"):
        shutil.copytree(ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__"))
    from corpus.archive import RawArchive, utc_now

    data = tmp_path / "data"
    archive = RawArchive(data)
    for row in [r for r in sample_rows() if r["cik"] == "1751008"]:
        archive.store_filing(accession=row["accession"], cik=int(row["cik"]), form_type=row["form"], url="t",
                             body=raw_path(SAMPLE, row["cik"], row["accession"]).read_bytes(), http_status=200,
                             fetched_at=utc_now())
    archive.close()
    assert "(full (no corpus yet)" in _build(copy, data)
    for module in ("corpus/build.py", "corpus/store.py", "corpus/catalog.py", "corpus/workers.py"):
        (copy / module).write_text((copy / module).read_text() + "\n# an orchestration-only edit\n")
    assert "(unchanged" in _build(copy, data)
    (copy / "pipelines/letters.py").write_text((copy / "pipelines/letters.py").read_text() + "\n# a parser edit\n")
    assert "(full (the normalizing code changed" in _build(copy, data)
