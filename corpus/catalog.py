"""The DuckDB catalog: `<data-dir>/corpus.duckdb` holds views over the Parquet corpus, nothing else.

The catalog is rebuilt into a temporary file and renamed into place, so a reader never opens a
half-written one. Readers open it read-only; a concurrent writer's lock is retried (tenacity).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
from tenacity import retry, retry_if_exception, stop_after_delay, wait_exponential

from corpus.schema import PARTITIONED, SCHEMA_VERSION, TABLES
from corpus.store import corpus_dir


class CatalogError(RuntimeError):
    """The catalog is missing or belongs to a corpus this version cannot read."""


def catalog_path(data_dir: Path) -> Path:
    return Path(data_dir) / "corpus.duckdb"


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def view_sql(data_dir: Path, name: str) -> str:
    root = (corpus_dir(data_dir) / name).absolute()
    if name in PARTITIONED:
        source = (f"read_parquet({_sql_string(str(root / '*' / '*.parquet'))}, hive_partitioning = true, "
                  "hive_types = {'year': SMALLINT}, union_by_name = true)")
    else:
        source = f"read_parquet({_sql_string(str(root / '*.parquet'))}, union_by_name = true)"
    return f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {source}"


def write_catalog(data_dir: Path, build_id: str) -> Path:
    """(Re)create the catalog's views and its `corpus_info` row."""
    path = catalog_path(data_dir)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    with duckdb.connect(str(tmp)) as con:
        for name in TABLES:
            con.execute(view_sql(data_dir, name))
        con.execute("CREATE TABLE corpus_info (schema_version INTEGER, build_id VARCHAR, built_at TIMESTAMPTZ)")
        con.execute("INSERT INTO corpus_info VALUES (?, ?, now())", [SCHEMA_VERSION, build_id])
    os.replace(tmp, path)
    return path


def _is_lock_error(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


@retry(retry=retry_if_exception(_is_lock_error), wait=wait_exponential(multiplier=0.2, max=5),
       stop=stop_after_delay(30), reraise=True)
def connect(data_dir: Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the catalog, checking it was built for this schema version."""
    path = catalog_path(data_dir)
    if not path.exists():
        raise CatalogError(f"no corpus catalog at {path}: run `edgar-corpus build --data-dir {data_dir}` first")
    con = duckdb.connect(str(path), read_only=read_only)
    version = con.execute("SELECT max(schema_version) FROM corpus_info").fetchone()[0]
    if version != SCHEMA_VERSION:
        con.close()
        raise CatalogError(
            f"the corpus at {data_dir} has schema version {version}, this tool reads version {SCHEMA_VERSION}: "
            f"rebuild it with `edgar-corpus build --data-dir {data_dir}`"
        )
    return con
