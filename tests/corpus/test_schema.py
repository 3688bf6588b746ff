"""The schema's documentation: every column described, docs/SCHEMA.md generated from it and current."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from corpus.build import build_corpus
from corpus.schema_doc import schema_markdown
from corpus.tables import TABLES

SCHEMA_MD = Path(__file__).resolve().parents[2] / "docs" / "SCHEMA.md"


def test_every_column_is_described() -> None:
    undescribed = [f"{table}.{field.name}" for table, entry in TABLES.items() for field in entry.schema
                   if not (field.metadata or {}).get(b"description")]
    assert undescribed == []


def test_schema_md_is_generated_from_the_schemas() -> None:
    assert SCHEMA_MD.read_text() == schema_markdown(), "run: python -m corpus.schema_doc > docs/SCHEMA.md"


def test_descriptions_travel_with_the_parquet_files(tmp_path, full_crawl) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(full_crawl.data_dir / "raw", data / "raw")
    shutil.copy2(full_crawl.data_dir / "ledger.sqlite", data / "ledger.sqlite")
    build_corpus(data, progress=None)
    schema = pq.ParquetFile(next((data / "corpus" / "letters").glob("year=*/*.parquet"))).schema_arrow
    assert schema.field("letter_kind").metadata[b"description"].startswith(b"comment | review_complete")
    assert schema.metadata[b"corpus.schema_version"] == b"1"
