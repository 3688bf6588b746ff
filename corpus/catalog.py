"""The DuckDB catalog: `<data-dir>/corpus.duckdb` holds views over the Parquet corpus, table macros
for common questions, and one materialized table, `letter_search`, with its BM25 full-text index.

The catalog is written into a temporary file and renamed into place, so a reader never opens a
half-written one. A full build writes it anew; an incremental build copies it and merges the new
letters into its search index (`update_search_index`), since rebuilding fts over every letter takes
minutes at 600k letters. Readers open it read-only; a concurrent writer's lock is retried (tenacity).
Extensions cannot be downloaded here: the fts extension comes from the `duckdb-extension-fts`
wheel, whose version must equal duckdb's (both pinned in pyproject.toml).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import duckdb
import duckdb_extension_fts
from tenacity import retry, retry_if_exception, stop_after_delay, wait_exponential

from corpus.schema import SCHEMA_VERSION
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
       SELECT l.letter_date, l.sender, l.letter_kind, l.n_comments, l.accession_number, l.responds_to, f.company_name
       FROM letters l JOIN filings f USING (accession_number)
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
SEARCH_COLUMNS = """
    SELECT l.accession_number, l.conversation_id, l.cik, f.company_name, l.letter_date, l.sender, l.letter_kind,
           l.text_clean
    FROM letters l JOIN filings f USING (accession_number)
    WHERE l.text_clean IS NOT NULL
"""
SEARCH_TABLE = f"CREATE TABLE letter_search AS {SEARCH_COLUMNS} ORDER BY l.accession_number\n"
SEARCH_METADATA = ("conversation_id", "cik", "company_name", "letter_date", "sender", "letter_kind")
BM25_K, BM25_B = 1.2, 0.75  # match_bm25's defaults, so both rank alike
# fts keeps one `terms` row per token, in document order: match_bm25 scans all of them for every query
# (1.2 s at 600k letters). One row per (term, letter), sorted by term, with the letter's length, lets a
# query read only its terms' row groups (min/max pruning) and skip the join with `docs`.
POSTINGS_SELECT = """
    SELECT t.termid, t.docid, count(*)::INTEGER AS tf, any_value(d.len)::INTEGER AS len
    FROM {fts}.terms t JOIN {fts}.docs d USING (docid)
    GROUP BY t.termid, t.docid
"""
POSTINGS_TABLE = ("CREATE TABLE fts_main_letter_search.postings AS "
                  + POSTINGS_SELECT.format(fts="fts_main_letter_search") + " ORDER BY termid, docid")


def fts_extension_path() -> Path:
    """The fts extension shipped in the duckdb-extension-fts wheel for this duckdb version."""
    return Path(duckdb_extension_fts.__file__).parent / "extensions" / f"v{duckdb.__version__}" / "fts.duckdb_extension"


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    path = fts_extension_path()
    if not path.exists():
        raise CatalogError(f"no fts extension for duckdb {duckdb.__version__} at {path}: install the "
                           f"duckdb-extension-fts wheel of the same version (pyproject.toml pins both)")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute(f"LOAD {_sql_string(str(path))}")


def stage_catalog(data_dir: Path, build_dir: Path, content_id: str, update: bool = False) -> tuple[Path, str]:
    """Write the catalog of the build in `build_dir` (not yet published) to a temporary file: views, macros,
    the BM25 index over letters and `corpus_info` with the build's content id. With `update`, the published
    catalog (of this schema version) is copied and its search index brought up to date instead (letters are
    only ever added, and their text never changes while the normalizing code stays the same); otherwise, or
    when that is not possible, it is built anew. Returns (the temporary file, "new" or "updated");
    `publish_catalog` puts it in place. While it is written, the views' `corpus/` resolves to `build_dir`
    through a staging link, so the search index is built from the new build's rows."""
    data_dir = Path(data_dir)
    path = catalog_path(data_dir)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    staging = data_dir / f".catalog-staging-{os.getpid()}"
    _remove_catalog_files(tmp)
    shutil.rmtree(staging, ignore_errors=True)
    how = "new"
    if update and _catalog_version(path) == SCHEMA_VERSION:
        shutil.copyfile(path, tmp)
        how = "updated"
    try:
        staging.mkdir()
        (staging / "corpus").symlink_to(Path(build_dir).absolute(), target_is_directory=True)
        with duckdb.connect(str(tmp)) as con:
            _use_data_dir(con, staging)
            for name in TABLES:
                con.execute(view_sql(name))
            for statement in (*VIEWS, *MACROS):
                con.execute(statement)
            if how == "updated" and not update_search_index(con):
                how = "new"
            if how == "new":
                _drop_all(con)
                for name in TABLES:
                    con.execute(view_sql(name))
                for statement in (*VIEWS, *MACROS):
                    con.execute(statement)
                con.execute(SEARCH_TABLE)
                create_search_index(con)
            con.execute("CREATE OR REPLACE TABLE corpus_info "
                        "(schema_version INTEGER, build_id VARCHAR, built_at TIMESTAMPTZ, taxonomy_version VARCHAR)")
            con.execute("INSERT INTO corpus_info VALUES (?, ?, now(), ?)",
                        [SCHEMA_VERSION, content_id, read_manifest(build_dir).get("taxonomy_version")])
    except BaseException:
        _remove_catalog_files(tmp)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return tmp, how


def publish_catalog(data_dir: Path, staged: Path) -> None:
    os.replace(staged, catalog_path(data_dir))


def write_catalog(data_dir: Path, build_dir: Path, content_id: str, update: bool = False) -> str:
    """Stage and publish at once: for a corpus already published (a catalog that does not match it)."""
    staged, how = stage_catalog(data_dir, build_dir, content_id, update)
    publish_catalog(data_dir, staged)
    return how


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


def _catalog_version(path: Path) -> int | None:
    if not path.exists():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return con.execute("SELECT max(schema_version) FROM corpus_info").fetchone()[0]
    except duckdb.Error:
        return None


def _drop_all(con: duckdb.DuckDBPyConnection) -> None:
    """Empty a copied catalog that cannot be updated, so it is built like a new one."""
    for (schema,) in con.execute("SELECT schema_name FROM duckdb_schemas() WHERE schema_name LIKE 'fts_main_%' "
                                 "AND database_name = current_database()").fetchall():
        con.execute(f"DROP SCHEMA {schema} CASCADE")
    con.execute("DROP TABLE IF EXISTS letter_search")
    con.execute("DROP TABLE IF EXISTS corpus_info")


def update_search_index(con: duckdb.DuckDBPyConnection) -> bool:
    """Bring a copied catalog's search index up to date with the corpus its views read: refresh the
    metadata of letters that changed (a letter's review, say), and index the letters not in it yet
    in a scratch index that is then merged (fts's own tokens, document lengths, document frequencies
    and statistics, so every score equals a full rebuild's). False when letters left the corpus."""
    load_fts(con)
    fts = "fts_main_letter_search"
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = 'postings'",
                       [fts]).fetchone()[0]:
        return False
    con.execute("CREATE TEMP TABLE corpus_letters AS SELECT accession_number, "
                + ", ".join(f"{c}" for c in SEARCH_METADATA)
                + " FROM (" + SEARCH_COLUMNS.replace("l.text_clean\n", "NULL AS text_clean\n", 1) + ")")
    gone = con.execute("SELECT count(*) FROM letter_search s ANTI JOIN corpus_letters c "
                       "USING (accession_number)").fetchone()[0]
    if gone:
        return False
    changed = " OR ".join(f"s.{c} IS DISTINCT FROM c.{c}" for c in SEARCH_METADATA)
    con.execute(f"UPDATE letter_search s SET {', '.join(f'{c} = c.{c}' for c in SEARCH_METADATA)} "
                f"FROM corpus_letters c WHERE s.accession_number = c.accession_number AND ({changed})")
    con.execute(f"""CREATE TABLE letter_search_new AS
        SELECT * FROM ({SEARCH_COLUMNS}) WHERE accession_number IN (
            SELECT accession_number FROM corpus_letters ANTI JOIN letter_search USING (accession_number))
        ORDER BY accession_number""")
    if con.execute("SELECT count(*) FROM letter_search_new").fetchone()[0]:
        con.execute("PRAGMA create_fts_index('letter_search_new', 'accession_number', 'text_clean', "
                    "stemmer = 'porter', stopwords = 'english', overwrite = 1)")
        new = "fts_main_letter_search_new"
        con.execute(f"""CREATE TEMP TABLE doc_map AS
            SELECT docid AS new_docid, docid + (SELECT coalesce(max(docid) + 1, 0) FROM {fts}.docs) AS docid
            FROM {new}.docs""")
        con.execute(f"""INSERT INTO {fts}.dict
            SELECT (SELECT coalesce(max(termid) + 1, 0) FROM {fts}.dict) + row_number() OVER (ORDER BY term) - 1,
                   term, 0
            FROM {new}.dict ANTI JOIN {fts}.dict USING (term)""")
        con.execute(f"""CREATE TEMP TABLE term_map AS
            SELECT n.termid AS new_termid, d.termid FROM {new}.dict n JOIN {fts}.dict d USING (term)""")
        con.execute(f"UPDATE {fts}.dict d SET df = d.df + n.df FROM {new}.dict n WHERE d.term = n.term")
        con.execute(f"INSERT INTO {fts}.docs SELECT m.docid, n.name, n.len FROM {new}.docs n "
                    f"JOIN doc_map m ON m.new_docid = n.docid")
        con.execute(f"""INSERT INTO {fts}.terms SELECT m.docid, t.fieldid, tm.termid FROM {new}.terms t
            JOIN doc_map m ON m.new_docid = t.docid JOIN term_map tm ON tm.new_termid = t.termid""")
        con.execute(f"""INSERT INTO {fts}.postings
            SELECT tm.termid, m.docid, p.tf, p.len FROM ({POSTINGS_SELECT.format(fts=new)}) p
            JOIN doc_map m ON m.new_docid = p.docid JOIN term_map tm ON tm.new_termid = p.termid
            ORDER BY tm.termid, m.docid""")
        con.execute(f"UPDATE {fts}.stats SET num_docs = (SELECT count(*) FROM {fts}.docs), "
                    f"avgdl = (SELECT avg(len) FROM {fts}.docs)")
        con.execute("INSERT INTO letter_search SELECT * FROM letter_search_new")
        con.execute("PRAGMA drop_fts_index('letter_search_new')")
    con.execute("DROP TABLE letter_search_new")
    return True


def create_search_index(con: duckdb.DuckDBPyConnection) -> None:
    """The BM25 index over `letter_search`: fts's own (tokenizer, stemmer, stopwords, `match_bm25`) and
    the term-sorted postings that `search_letters` ranks from."""
    load_fts(con)
    con.execute("PRAGMA create_fts_index('letter_search', 'accession_number', 'text_clean', "
                "stemmer = 'porter', stopwords = 'english', overwrite = 1)")
    con.execute(POSTINGS_TABLE)


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
    load_fts(con)
    return con


def search_terms(con: duckdb.DuckDBPyConnection, query: str) -> str:
    """The query as the index sees it: lower case, letters only, stopwords dropped ("non-GAAP" -> "gaap"),
    so that requiring every term does not require a word the index left out."""
    words = re.sub(r"[^a-z]+", " ", query.lower()).split()
    stopwords = {row[0] for row in con.execute("SELECT sw FROM fts_main_letter_search.stopwords").fetchall()}
    return " ".join(w for w in words if w not in stopwords)


def search_letters(con: duckdb.DuckDBPyConnection, query: str, limit: int = 10) -> list[tuple]:
    """Letters ranked by BM25 for `query` (all its terms required): score, company, date, kind, conversation,
    accession, the text."""
    top = ranked_letters(con, search_terms(con, query), limit)
    if not top:
        return []
    rows = con.execute("""
        SELECT accession_number, company_name, letter_date, letter_kind, conversation_id, text_clean
        FROM letter_search WHERE accession_number IN (SELECT unnest(?::VARCHAR[]))
    """, [[accession for accession, _score in top]]).fetchall()
    by_accession = {row[0]: row for row in rows}
    return [(score, *by_accession[accession][1:5], accession, by_accession[accession][5]) for accession, score in top]


def ranked_letters(con: duckdb.DuckDBPyConnection, terms: str, limit: int) -> list[tuple[str, float]]:
    """(accession, BM25 score) of the best `limit` letters holding every term: match_bm25's formula and
    conjunctive mode, computed from the postings of the query's terms only."""
    query_terms = con.execute("""
        SELECT DISTINCT stem(unnest(fts_main_letter_search.tokenize(?)), 'porter') AS term
    """, [terms]).fetchall()
    if not query_terms or not terms.strip():
        return []
    known = con.execute(f"""
        SELECT d.termid, log((s.num_docs - d.df + 0.5) / (d.df + 0.5) + 1) * ({BM25_K} + 1) AS weight
        FROM fts_main_letter_search.dict d, fts_main_letter_search.stats s
        WHERE d.term IN (SELECT unnest(?::VARCHAR[]))
    """, [[t[0] for t in query_terms]]).fetchall()
    if len(known) < len(query_terms):  # a term no letter has: no letter has them all
        return []
    avgdl = con.execute("SELECT avgdl FROM fts_main_letter_search.stats").fetchone()[0]
    # Literals, not parameters, so the filter on termid reaches the scan and prunes row groups. They are
    # integers and doubles read from the index itself, never text from the user.
    ids = ", ".join(str(int(termid)) for termid, _weight in known)
    weights = " ".join(f"WHEN {int(termid)} THEN {float(weight):.17e}" for termid, weight in known)  # e: a DOUBLE
    norm = f"{BM25_K} * (1 - {BM25_B} + {BM25_B} * len / {float(avgdl):.17e})"
    # Ties at the cut are broken by accession, as a full ranking would: keep every letter scoring at
    # least the limit-th best score, then order those by (score, accession).
    return con.execute(f"""
        WITH scores AS (
            SELECT docid, sum(CASE termid {weights} END * tf / (tf + {norm})) AS score
            FROM fts_main_letter_search.postings WHERE termid IN ({ids})
            GROUP BY docid HAVING count(*) = {len(known)}
        ), cut AS (SELECT min(score) AS score FROM (SELECT score FROM scores ORDER BY score DESC LIMIT ?))
        SELECT docs.name, scores.score FROM scores JOIN fts_main_letter_search.docs docs USING (docid)
        WHERE scores.score >= (SELECT score FROM cut)
        ORDER BY scores.score DESC, docs.name LIMIT ?
    """, [limit, limit]).fetchall()
