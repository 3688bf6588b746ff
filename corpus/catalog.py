"""The DuckDB catalog: `<data-dir>/corpus.duckdb` holds views over the Parquet corpus, views and table macros for
common questions, the search macros, `search_meta` (what a search hit shows: company, date, kind, conversation)
and `corpus_info` (schema version, the build it was written for, the taxonomy version).

The catalog is written into a temporary file before the build is published and renamed into place after it,
stamped with the build's content id: `connect` refuses a catalog of another build (a build interrupted between
the two renames) and the next build writes it again. Readers open it read-only; a concurrent writer's lock is
retried (tenacity). The search engine itself is tantivy (`corpus/search.py`), whose index lives in the build
directory; `connect` registers the function `edgar_search` that the macros `search_letters`, `search_comments`
and `search_answers` call, so SQL, Python (`search`) and the command line give the same hits.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
from tenacity import retry, retry_if_exception, stop_after_delay, wait_exponential

from corpus.schema import SCHEMA_VERSION
from corpus.search import SCOPES, Filters, QueryError, search_build
from corpus.store import published_build, read_manifest
from corpus.tables import PARTITIONED, TABLES


class CatalogError(RuntimeError):
    """The catalog is missing or belongs to a corpus this version cannot read."""


def catalog_path(data_dir: Path) -> Path:
    return Path(data_dir) / "corpus.duckdb"


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def view_sql(name: str) -> str:
    """A view over one table's Parquet files. The path is relative to the data dir (`connect` sets DuckDB's
    file_search_path to it), so a copied or moved data dir reads its own files, never the original's."""
    root = f"corpus/{name}"
    if name in PARTITIONED:
        source = (f"read_parquet({_sql_string(root + '/*/*.parquet')}, hive_partitioning = true, "
                  "hive_types = {'year': SMALLINT}, union_by_name = true)")
    else:
        source = f"read_parquet({_sql_string(root + '/*.parquet')}, union_by_name = true)"
    return f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {source}"


def _use_data_dir(con: duckdb.DuckDBPyConnection, directory: Path) -> None:
    con.execute(f"SET file_search_path = {_sql_string(str(Path(directory).absolute()))}")


# Table macros for the questions asked most; parameters are values, never pasted SQL
MACROS = (
    """CREATE OR REPLACE MACRO conversations_of(target_cik) AS TABLE
       SELECT * FROM conversations WHERE cik = target_cik ORDER BY first_letter_date""",
    """CREATE OR REPLACE MACRO conversation_letters(target_conversation) AS TABLE
       SELECT l.letter_date, l.sender, l.letter_kind, l.n_comments, l.accession_number, l.responds_to, l.company_name
       FROM letters l
       WHERE l.conversation_id = target_conversation ORDER BY l.letter_date, l.filing_date, l.accession_number""",
    """CREATE OR REPLACE MACRO letters_between(start_date, end_date) AS TABLE
       SELECT * FROM letters WHERE letter_date BETWEEN start_date AND end_date ORDER BY letter_date""",
    """CREATE OR REPLACE MACRO comments_of_office(office) AS TABLE
       SELECT c.*, l.staff_office, l.letter_date FROM comments c JOIN letters l USING (accession_number)
       WHERE c.sender = 'staff' AND l.staff_office ILIKE '%' || office || '%' ORDER BY l.letter_date""",
    """CREATE OR REPLACE MACRO comments_on(target_topic) AS TABLE
       SELECT c.*, t.method, t.confidence, t.evidence, l.letter_date, l.staff_office, l.conversation_id
       FROM comment_topics t JOIN comments c USING (accession_number, comment_number)
       JOIN letters l USING (accession_number)
       WHERE c.sender = 'staff' AND t.topic = target_topic ORDER BY l.letter_date, c.accession_number""",
)
# Views over the tables: a company's answer takes the topics of the staff comment it answers
VIEWS = (
    """CREATE OR REPLACE VIEW answer_topics AS
       SELECT r.response_accession AS accession_number, r.response_comment_number AS comment_number,
              r.staff_accession, r.comment_number AS staff_comment_number, t.topic, t.method, t.confidence,
              r.conversation_id, r.cik
       FROM comment_responses r JOIN comment_topics t
         ON t.accession_number = r.staff_accession AND t.comment_number = r.comment_number
       WHERE r.response_accession IS NOT NULL""",
)
# What a search hit shows beside its text, kept with the catalog (it changes when letters are paired again; the
# search index does not)
SEARCH_META = """CREATE OR REPLACE TABLE search_meta AS
    SELECT l.accession_number, l.cik, l.company_name, l.letter_date, l.form_type, l.sender, l.letter_kind,
           l.conversation_id, l.staff_office
    FROM letters l ORDER BY l.accession_number"""
HIT = "STRUCT(rank INTEGER, score DOUBLE, accession_number VARCHAR, comment_number INTEGER, snippet VARCHAR)"
SEARCH_MACROS = tuple(f"""CREATE OR REPLACE MACRO search_{scope}(query, lim := 10, filters := '{{}}') AS TABLE
    SELECT h.rank, h.score, m.company_name, m.letter_date, m.letter_kind, m.conversation_id, h.accession_number,
           h.comment_number, h.snippet, m.cik, m.sender, m.staff_office
    FROM (SELECT unnest(edgar_search(query, '{scope}', lim, filters), recursive := true)) h
    LEFT JOIN search_meta m USING (accession_number) ORDER BY h.rank""" for scope in SCOPES)


def stage_catalog(data_dir: Path, build_dir: Path, content_id: str) -> Path:
    """Write the catalog of the build in `build_dir` (not yet published) to a temporary file: views, macros,
    `search_meta` and `corpus_info` with the build's content id. `publish_catalog` puts it in place. While it is
    written, the views' `corpus/` resolves to `build_dir` through a staging link, so `search_meta` holds the new
    build's rows."""
    data_dir = Path(data_dir)
    path = catalog_path(data_dir)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    staging = data_dir / f".catalog-staging-{os.getpid()}"
    _remove_catalog_files(tmp)
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir()
        (staging / "corpus").symlink_to(Path(build_dir).absolute(), target_is_directory=True)
        with duckdb.connect(str(tmp)) as con:
            _use_data_dir(con, staging)
            for name in TABLES:
                con.execute(view_sql(name))
            con.execute(SEARCH_META)
            register_search(con, Path(build_dir))  # the macros are checked against the function's signature
            for statement in (*VIEWS, *MACROS, *SEARCH_MACROS):
                con.execute(statement)
            con.execute("CREATE OR REPLACE TABLE corpus_info "
                        "(schema_version INTEGER, build_id VARCHAR, built_at TIMESTAMPTZ, taxonomy_version VARCHAR)")
            con.execute("INSERT INTO corpus_info VALUES (?, ?, now(), ?)",
                        [SCHEMA_VERSION, content_id, read_manifest(build_dir).get("taxonomy_version")])
    except BaseException:
        _remove_catalog_files(tmp)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return tmp


def publish_catalog(data_dir: Path, staged: Path) -> None:
    os.replace(staged, catalog_path(data_dir))


def write_catalog(data_dir: Path, build_dir: Path, content_id: str) -> None:
    """Stage and publish at once: for a corpus already published (a catalog that does not match it)."""
    publish_catalog(data_dir, stage_catalog(data_dir, build_dir, content_id))


def _remove_catalog_files(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)


def remove_stale_catalog_files(data_dir: Path) -> None:
    """What a crashed build left of a catalog it was writing (the caller holds the data dir's lock)."""
    for leftover in Path(data_dir).glob(".corpus.duckdb.*.tmp*"):
        leftover.unlink(missing_ok=True)
    for staging in Path(data_dir).glob(".catalog-staging-*"):
        shutil.rmtree(staging, ignore_errors=True)


def catalog_build_id(data_dir: Path) -> str | None:
    """The content id the catalog was written for (None: no readable catalog)."""
    path = catalog_path(data_dir)
    if not path.exists():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return con.execute("SELECT max(build_id) FROM corpus_info").fetchone()[0]
    except duckdb.Error:
        return None


def _is_lock_error(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


@retry(retry=retry_if_exception(_is_lock_error), wait=wait_exponential(multiplier=0.2, max=5),
       stop=stop_after_delay(30), reraise=True)
def connect(data_dir: Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the catalog, checking it was built for this schema version."""
    path = catalog_path(data_dir)
    if not path.exists():
        raise CatalogError(f"no corpus catalog at {path}: run `edgar-corpus build --data-dir {data_dir}` first")
    try:
        con = duckdb.connect(str(path), read_only=read_only)
        version, content_id = con.execute("SELECT max(schema_version), max(build_id) FROM corpus_info").fetchone()
    except duckdb.Error as exc:
        if _is_lock_error(exc):
            raise
        raise CatalogError(f"the catalog {path} cannot be read ({exc}): rebuild it with "
                           f"`edgar-corpus build --data-dir {data_dir}`") from None
    if version != SCHEMA_VERSION:
        con.close()
        raise CatalogError(
            f"the corpus at {data_dir} has schema version {version}, this tool reads version {SCHEMA_VERSION}: "
            f"rebuild it with `edgar-corpus build --data-dir {data_dir}`"
        )
    published = read_manifest(published_build(data_dir)).get("content_id") if published_build(data_dir) else None
    if published is not None and content_id != published:
        con.close()
        raise CatalogError(f"the catalog of {data_dir} was written for another build of the corpus (an interrupted "
                           f"build?): run `edgar-corpus build --data-dir {data_dir}` to repair it")
    _use_data_dir(con, data_dir)
    register_search(con, published_build(data_dir))
    return con


def register_search(con: duckdb.DuckDBPyConnection, build_dir: Path | None) -> None:
    """Make `edgar_search(query, scope, lim, filters)` callable from SQL: the best hits of a build's index, as a
    list of structs (the search macros unnest it). `filters` is a JSON object of `Filters` fields."""
    def edgar_search(query: str, scope: str, lim: int, filters: str) -> list[dict[str, Any]]:
        if build_dir is None:
            return []
        try:
            chosen = filters_from_json(filters)
            hits = search_build(build_dir, query, scope, chosen, int(lim))
        except QueryError as exc:
            raise duckdb.InvalidInputException(str(exc)) from None
        return [{"rank": rank, "score": hit.score, "accession_number": hit.accession_number,
                 "comment_number": hit.comment_number, "snippet": hit.snippet} for rank, hit in enumerate(hits, 1)]

    con.create_function("edgar_search", edgar_search, ["VARCHAR", "VARCHAR", "INTEGER", "VARCHAR"], f"{HIT}[]",
                        side_effects=True)


def filters_from_json(text: str | None) -> Filters:
    """Filters from the JSON the search macros take: {"year": 2024, "forms": ["10-K"], "start": "2024-01-01"}."""
    try:
        values = json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        raise QueryError(f"filters must be a JSON object, e.g. '{{\"year\": 2024}}' ({exc})") from None
    if not isinstance(values, dict):
        raise QueryError("filters must be a JSON object, e.g. '{\"year\": 2024}'")
    known = set(Filters.__dataclass_fields__)
    if unknown := set(values) - known:
        raise QueryError(f"unknown filters {sorted(unknown)}: use {sorted(known)}")
    for name in ("start", "end"):
        if isinstance(values.get(name), str):
            values[name] = date.fromisoformat(values[name])
    if isinstance(values.get("forms"), str):
        values["forms"] = [values["forms"]]
    values["forms"] = tuple(values.get("forms") or ())
    return Filters(**values)


def filters_json(filters: Filters) -> str:
    return json.dumps({k: (v.isoformat() if isinstance(v, date) else list(v) if isinstance(v, tuple) else v)
                       for k, v in asdict(filters).items() if v not in (None, ())})


def search(con: duckdb.DuckDBPyConnection, query: str, scope: str = "letters", filters: Filters | None = None,
           limit: int = 10) -> list[dict[str, Any]]:
    """The best hits for `query` in `scope` (letters, comments or answers), as rows of the search macro: rank,
    score, company_name, letter_date, letter_kind, conversation_id, accession_number, comment_number, snippet,
    cik, sender, staff_office. QueryError when the query cannot be read."""
    if scope not in SCOPES:
        raise QueryError(f"search in letters, comments or answers (not {scope!r})")
    try:
        cursor = con.execute(f"SELECT * FROM search_{scope}(?, lim := ?, filters := ?)",
                             [query, limit, filters_json(filters or Filters())])
    except duckdb.InvalidInputException as exc:  # the function's QueryError, through DuckDB
        message = str(exc).splitlines()[0]
        raise QueryError(message.rsplit("InvalidInputException: ", 1)[-1]) from None
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
