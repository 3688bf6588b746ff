"""Write the corpus as Parquet, all or nothing.

A build writes every table into a fresh `<data-dir>/.builds/<build-id>/`, then swaps the symlink
`<data-dir>/corpus` to it with one atomic rename. Readers see the old corpus or the new one, never
a mix, and a crash mid-build leaves the previous corpus in place.

    corpus/filings/year=2024/part-0.parquet     hive partitions by year of filing_date
    corpus/documents/year=2024/part-0.parquet   rows sorted by (cik, filing_date, accession_number)
    corpus/failures/part-0.parquet
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from corpus.schema import PARTITIONED, SORT_KEYS, TABLES

ROW_GROUP_BYTES = 96 * 1024**2  # DuckDB parallelizes per row group; ~100 MB uncompressed (engineering-notes §3.2)
_LOW_CARDINALITY = ["form_type", "document_type", "text_source", "submitter_prefix", "cf_office", "stage", "sender",
                    "letter_kind", "link_method", "match_method", "answer_method", "staff_office",
                    "status", "discovered_via", "business_state", "state_of_incorporation"]


def corpus_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "corpus"


def to_table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Rows to a table of the canonical schema, sorted for min/max pruning."""
    schema = TABLES[name]
    table = pa.Table.from_pylist(rows, schema=schema)
    return table.sort_by(SORT_KEYS[name]) if table.num_rows else table


def _write_file(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mean_row = max(1, table.nbytes // max(1, table.num_rows))
    pq.write_table(
        table,
        path,
        compression="zstd",
        compression_level=3,
        row_group_size=max(1000, ROW_GROUP_BYTES // mean_row),
        use_dictionary=[c for c in _LOW_CARDINALITY if c in table.column_names],
        write_statistics=True,
        write_page_index=True,
    )


def write_table(build_dir: Path, name: str, table: pa.Table) -> None:
    root = build_dir / name
    if name not in PARTITIONED:
        _write_file(table, root / "part-0.parquet")
        return
    if table.num_rows == 0:  # an empty table still gets a file, so views over it work
        _write_file(table.drop_columns(["year"]), root / "year=0" / "part-0.parquet")
        return
    for year in sorted(pc.unique(table["year"]).to_pylist()):
        part = table.filter(pc.equal(table["year"], year)).drop_columns(["year"])
        _write_file(part, root / f"year={year}" / "part-0.parquet")


def publish(data_dir: Path, build_dir: Path) -> None:
    """Point `<data-dir>/corpus` at a finished build atomically, then drop older builds."""
    link = corpus_dir(data_dir)
    if link.exists() and not link.is_symlink():
        raise RuntimeError(f"{link} is a real directory; move it away so builds can replace it atomically")
    tmp_link = link.with_name(".corpus.tmp")
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(build_dir.relative_to(data_dir), target_is_directory=True)
    os.replace(tmp_link, link)
    for old in (Path(data_dir) / ".builds").iterdir():
        if old.resolve() != build_dir.resolve():
            shutil.rmtree(old, ignore_errors=True)


def new_build_dir(data_dir: Path, build_id: str) -> Path:
    path = Path(data_dir) / ".builds" / build_id
    path.mkdir(parents=True)
    return path
