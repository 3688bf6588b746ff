"""docs/SCHEMA.md from the schemas in corpus/schema.py: `python -m corpus.schema_doc > docs/SCHEMA.md`."""

from __future__ import annotations

import pyarrow as pa

from corpus.schema import SCHEMA_VERSION
from corpus.tables import REGISTRY

INTRO = """# Corpus schema (version {version})

Generated from `corpus/schema.py` by `python -m corpus.schema_doc > docs/SCHEMA.md`; do not edit by hand.
Each table is Parquet under `<data-dir>/corpus/<table>/` (hive-partitioned by `year` where noted) and a
view of the same name in `<data-dir>/corpus.duckdb`. Types are Arrow types (DuckDB: string = VARCHAR,
int64 = BIGINT, date32 = DATE, list<...> = ...[], struct<...> = STRUCT(...)).

Versioning: the schema version is stored in every Parquet file's metadata (`corpus.schema_version`)
and in the catalog's `corpus_info` table. Adding a nullable column or a table keeps the version;
renaming, retyping or removing a column bumps it. This tool refuses a corpus of another version and
says to rebuild it with `edgar-corpus build`, which regenerates every table from the raw archive
(a build that finds a corpus of another version rebuilds it in full).
"""

NOTES = """
## Notes on columns that are easy to misread

- **Which office**: `letters.staff_office` is the office that signed the letter, read from its signature
  ("Office of Manufacturing") or, for a company letter, the office it is addressed to. One spelling per office:
  "&" is written "and", commas and stray dashes go, capitals are normalized, so "Office of Real Estate &
  - Commodities" and "Office of Real Estate and Commodities" are one value; `staff_office_raw` keeps what
  was printed. `filings.cf_office` is something else: the SGML header's ORGANIZATION NAME, the office EDGAR
  assigned the filing to ("06 Technology"), present only in headers since about 2019 and written in EDGAR's
  own numbered form. Count letters by `staff_office`; use `cf_office` to join to EDGAR's own office
  assignment. Offices renamed by the SEC (the 2019 reorganization's "Office of Real Estate & Construction")
  are not merged with their old names.
- **Days to the first response**: `conversations.days_to_first_response` counts calendar days from the first
  staff letter to the company's first answer. For most reviews that is the first response letter (CORRESP).
  A registration review (a draft or public registration statement, Form 10) is often answered by filing an
  amendment instead, with no letter: then the first answer is the first registration statement or amendment
  the company filed after the letter, within 120 days and before any response letter, as EDGAR's index rows
  list it (`first_response_via = 'amended_filing'`). For a draft review that filing may be the public S-1.
"""


def _type(type_: pa.DataType) -> str:
    if pa.types.is_list(type_) or pa.types.is_large_list(type_):
        return f"list<{_type(type_.value_type)}>"
    if pa.types.is_struct(type_):
        return "struct<" + ", ".join(f"{f.name}: {_type(f.type)}" for f in type_) + ">"
    return str(type_)


def _description(field: pa.Field) -> str:
    return (field.metadata or {}).get(b"description", b"").decode()


def _struct_notes(type_: pa.DataType) -> list[str]:
    while pa.types.is_list(type_) or pa.types.is_large_list(type_):
        type_ = type_.value_type
    if not pa.types.is_struct(type_):
        return []
    return [f"`{f.name}`: {_description(f)}" for f in type_ if _description(f)]


def schema_markdown() -> str:
    parts = [INTRO.format(version=SCHEMA_VERSION)]
    for table in REGISTRY:
        layout = "partitioned by `year`" if table.partitioned else "one file"
        keys = ", ".join(table.sort_keys)
        update = {"append": "an incremental build adds the new filings' rows",
                  "regroup": f"re-derived for companies with new letters; changed groups (by `{table.row_key}`) "
                             "are rewritten",
                  "rewrite": "written whole by every build"}[table.update]
        parts.append(f"\n## {table.name}\n\n{table.summary[0].upper() + table.summary[1:]}. {layout}; rows "
                     f"sorted by ({keys}); {update}.\n\n| column | type | meaning |\n|---|---|---|")
        for field in table.schema:
            notes = _struct_notes(field.type)
            meaning = _description(field) + (" (" + "; ".join(notes) + ")" if notes else "")
            required = " not null" if not field.nullable else ""
            meaning = meaning.replace("|", "/").replace("<", "&lt;").replace(">", "&gt;")
            parts.append(f"| `{field.name}` | `{_type(field.type)}`{required} | {meaning} |")
    return "\n".join(parts) + "\n" + NOTES


if __name__ == "__main__":
    print(schema_markdown(), end="")
