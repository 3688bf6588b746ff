"""The table registry: one declaration per output table, which the build, its report, the catalog,
docs/SCHEMA.md, the CLI and the demo all iterate over.

Adding a table is its row producer (a function in pipelines/ that returns rows for it) plus one entry here:
the schema (corpus/schema.py), the sort keys, whether it is partitioned by year, its row key, and how an
incremental build updates it:

* `append`  rows belong to one filing and never change once written (filings, documents, comments): an
            incremental build adds the new filings' rows and links every old file unchanged;
* `regroup` rows are derived from all of a company's letters (letters' links, conversations, comment pairs):
            they are derived again for the companies with new letters, and the groups of rows (by the row key)
            that changed are rewritten, the rest linked;
* `rewrite` a small table written whole by every build (failures).

`stage` says which step produces the rows: `normalize` (pipelines/normalize.py, one filing at a time, in the
worker processes), `pair` (pipelines/conversations.py, company by company) or `build` (the build itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyarrow as pa

from corpus import schema


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    schema: pa.Schema
    sort_keys: tuple[str, ...]
    row_key: str
    update: Literal["append", "regroup", "rewrite"]
    stage: Literal["normalize", "pair", "build"]
    partitioned: bool = True  # hive-partitioned by `year`; otherwise one file
    summary: str = ""  # a few words for the CLI help and the build report

    @property
    def sort_by(self) -> list[tuple[str, str]]:
        return [(column, "ascending") for column in self.sort_keys]


REGISTRY: tuple[Table, ...] = (
    Table("filings", schema.FILINGS, ("cik", "filing_date", "accession_number"), "accession_number", "append",
          "normalize", summary="one row per accession: the SGML header and how it was fetched"),
    Table("documents", schema.DOCUMENTS, ("cik", "filing_date", "accession_number", "sequence"), "accession_number",
          "append", "normalize", summary="one row per document of a filing: its text and how it was read"),
    Table("letters", schema.LETTERS, ("cik", "filing_date", "accession_number"), "accession_number", "regroup",
          "normalize", summary="one row per filing's letter: date, kind, Re: block, parties, clean text, links"),
    Table("comments", schema.COMMENTS, ("cik", "filing_date", "accession_number", "comment_number"),
          "accession_number", "append", "normalize",
          summary="one row per numbered staff comment (and per comment a response answers)"),
    Table("conversations", schema.CONVERSATIONS, ("cik", "first_letter_date", "conversation_id"), "conversation_id",
          "regroup", "pair", summary="one row per review: its letters, rounds, days and release lag"),
    Table("comment_responses", schema.COMMENT_RESPONSES, ("cik", "conversation_id", "staff_accession",
                                                          "comment_number"), "conversation_id", "regroup", "pair",
          summary="one row per staff comment, with the answer to it"),
    Table("comment_topics", schema.COMMENT_TOPICS, ("cik", "filing_date", "accession_number", "comment_number",
                                                    "topic"), "accession_number", "append", "normalize",
          summary="one row per (staff comment, topic) of taxonomy v1, with how it was decided"),
    Table("citations", schema.CITATIONS, ("cik", "filing_date", "accession_number", "comment_number", "system",
                                          "ref"), "accession_number", "append", "normalize",
          summary="one row per authority a staff comment or a company answer cites (ASC, S-K, S-X, SAB, ...)"),
    Table("failures", schema.FAILURES, ("accession_number",), "accession_number", "rewrite", "build",
          partitioned=False, summary="filings that could not be fetched or read, and why"),
)
TABLES: dict[str, Table] = {table.name: table for table in REGISTRY}
PARTITIONED = tuple(table.name for table in REGISTRY if table.partitioned)


def produced_by(stage: str) -> list[Table]:
    return [table for table in REGISTRY if table.stage == stage]
