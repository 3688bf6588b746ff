"""Write the corpus as Parquet, all or nothing.

Every build is a complete directory `<data-dir>/.builds/<build-id>/`; the symlink `<data-dir>/corpus`
is swapped to it with one atomic rename. Readers see the old corpus or the new one, never a mix, and a
crash mid-build leaves the previous corpus in place.

    corpus/filings/year=2024/part-<build>.parquet   hive partitions by year of filing_date; each file's
    corpus/documents/year=2024/part-<build>.parquet rows sorted by (cik, filing_date, accession_number)
    corpus/failures/part-0.parquet
    corpus/_build.json                              schema version, parser fingerprint, build id

An incremental build is copy-on-write at file level: files it does not change are hard links to the
previous build's (no copy); it adds one small file per partition for its new rows, and rewrites only the
files that held rows it replaces. Compaction merges a partition's files into one sorted file.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from corpus.tables import PARTITIONED, TABLES

# DuckDB parallelizes per row group; ~100 MB uncompressed (docs/reference/engineering-notes.md §3.2)
ROW_GROUP_BYTES = 96 * 1024**2
_LOW_CARDINALITY = ["form_type", "document_type", "text_source", "submitter_prefix", "cf_office", "stage", "sender",
                    "letter_kind", "link_method", "match_method", "answer_method", "staff_office",
                    "status", "discovered_via", "business_state", "state_of_incorporation"]


def corpus_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "corpus"


def to_table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Rows to a table of the canonical schema, sorted for min/max pruning."""
    return to_table_sorted(name, pa.Table.from_pylist(rows, schema=TABLES[name].schema))


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


def write_table(build_dir: Path, name: str, table: pa.Table, file_name: str = "part-0.parquet",
                empty_file: bool = True) -> None:
    """Write a table of the canonical schema: one file per year partition (`file_name` in each)."""
    root = build_dir / name
    if name not in PARTITIONED:
        _write_file(table, root / file_name)
        return
    if table.num_rows == 0:
        if empty_file:  # an empty table still gets a file, so views over it work
            _write_file(table.drop_columns(["year"]), root / "year=0" / file_name)
        return
    for year in sorted(pc.unique(table["year"]).to_pylist()):
        part = table.filter(pc.equal(table["year"], year)).drop_columns(["year"])
        _write_file(part, root / f"year={year}" / file_name)


# -- reading a build back, and copy-on-write ----------------------------------------------------


def table_files(build_dir: Path, name: str) -> list[Path]:
    root = Path(build_dir) / name
    return sorted(root.glob("year=*/*.parquet") if name in PARTITIONED else root.glob("*.parquet"))


def unreadable_files(build_dir: Path) -> list[tuple[Path, str]]:
    """Files of a build whose Parquet footer cannot be read (truncated or damaged), with why."""
    bad = []
    for path in sorted(Path(build_dir).rglob("*.parquet")):
        try:
            pq.ParquetFile(path).metadata  # noqa: B018 - reading the footer is the check
        except (OSError, pa.ArrowException) as exc:
            bad.append((path, f"{type(exc).__name__}: {exc}"))
    return bad


def read_file(path: Path, name: str) -> pa.Table:
    """One Parquet file as a table of the canonical schema (the year comes back from its directory)."""
    table = pq.read_table(path)
    if name in PARTITIONED:
        year = int(path.parent.name.removeprefix("year="))
        table = table.append_column("year", pa.array([year] * table.num_rows, pa.int16()))
    schema = TABLES[name].schema
    for field in schema:  # a file written before a nullable column was added reads it as nulls
        if field.name not in table.column_names:
            table = table.append_column(field, pa.nulls(table.num_rows, field.type))
    return table.select(schema.names).cast(schema)


def read_rows(build_dir: Path, name: str, ciks: Iterable[int] | None = None) -> pa.Table:
    """A table's rows, all or those of some companies (files whose CIK range misses them are not read)."""
    wanted = None if ciks is None else pa.array(sorted(set(ciks)), pa.int64())
    parts = []
    for path in table_files(build_dir, name):
        if wanted is not None and not _may_hold(path, wanted):
            continue
        table = read_file(path, name)
        parts.append(table if wanted is None else table.filter(pc.is_in(table["cik"], wanted)))
    return pa.concat_tables(parts) if parts else TABLES[name].schema.empty_table()


def _may_hold(path: Path, ciks: pa.Array) -> bool:
    """Whether a file's cik min/max statistics leave room for any of `ciks`."""
    meta = pq.ParquetFile(path).metadata
    index = meta.schema.to_arrow_schema().get_field_index("cik")
    for group in range(meta.num_row_groups):
        stats = meta.row_group(group).column(index).statistics
        if stats is None or not stats.has_min_max:
            return True
        if pc.any(pc.and_(pc.greater_equal(ciks, stats.min), pc.less_equal(ciks, stats.max))).as_py():
            return True
    return False


def link_file(source: Path, target: Path) -> None:
    """Put an unchanged file into a new build: a hard link (no copy); a copy where links are not possible."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def carry_over(previous: Path, build_dir: Path, name: str, key: str, drop: set[Any], new_rows: pa.Table,
               file_name: str) -> None:
    """The table in a new build: the previous build's rows, minus those whose `key` is in `drop`, plus
    `new_rows`. Files without dropped rows are linked; the others are rewritten, together with the new rows
    of their year, into `file_name` in each partition."""
    kept: list[pa.Table] = []
    dropped = pa.array(sorted(drop), TABLES[name].schema.field(key).type) if drop else None
    for path in table_files(previous, name):
        if dropped is not None:
            keys = pq.read_table(path, columns=[key])[key]
            if pc.any(pc.is_in(keys, dropped)).as_py():
                table = read_file(path, name)
                kept.append(table.filter(pc.invert(pc.is_in(table[key], dropped))))
                continue
        link_file(path, build_dir / path.relative_to(previous))
    rows = pa.concat_tables([*kept, new_rows]) if kept else new_rows
    write_table(build_dir, name, to_table_sorted(name, rows), file_name, empty_file=False)


def to_table_sorted(name: str, table: pa.Table) -> pa.Table:
    return table.sort_by(TABLES[name].sort_by) if table.num_rows else table


def compact_table(build_dir: Path, name: str, min_files: int = 2) -> int:
    """Merge each partition's files into one sorted file where it has at least `min_files`; how many merged."""
    by_partition: dict[Path, list[Path]] = {}
    for path in table_files(build_dir, name):
        by_partition.setdefault(path.parent, []).append(path)
    merged = 0
    for directory, files in by_partition.items():
        if len(files) < min_files:
            continue
        table = to_table_sorted(name, pa.concat_tables([read_file(path, name) for path in files]))
        target = directory / "part-compacted.parquet"
        try:
            _write_file(table.drop_columns(["year"]) if name in PARTITIONED else table, target.with_suffix(".tmp"))
        except BaseException:
            target.with_suffix(".tmp").unlink(missing_ok=True)
            raise
        for path in files:
            path.unlink()
        os.replace(target.with_suffix(".tmp"), target)
        merged += 1
    return merged


def write_manifest(build_dir: Path, manifest: dict) -> None:
    (build_dir / "_build.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def read_manifest(build_dir: Path) -> dict:
    path = build_dir / "_build.json"
    return json.loads(path.read_text()) if path.exists() else {}


def published_build(data_dir: Path) -> Path | None:
    link = corpus_dir(data_dir)
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


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
    drop_other_builds(data_dir, build_dir)


def drop_other_builds(data_dir: Path, keep: Path) -> None:
    """Remove every build but `keep`: replaced ones, and what a crashed build left behind."""
    for old in (Path(data_dir) / ".builds").iterdir():
        if old.resolve() != keep.resolve():
            shutil.rmtree(old, ignore_errors=True)


def new_build_dir(data_dir: Path, build_id: str) -> Path:
    path = Path(data_dir) / ".builds" / build_id
    path.mkdir(parents=True)
    return path
