"""Full-text search over the corpus: letters, staff comments and company answers, with a query language that
keeps accounting's codes, exact phrases, boolean operators, prefixes and filters. The engine is tantivy
(BENCHMARKS.md compares it with DuckDB's fts and SQLite's FTS5 on the same corpus and queries).

Index: one tantivy index per scope (`letters`, `comments`, `answers`) inside each build directory
(`<build>/search/<scope>/`), so the corpus link publishes the index with the rows it was built from. An
incremental build hard-links the previous build's segment files and adds its new documents; documents never
change (their text and filter fields are fixed once normalized; what pairing changes, such as the conversation,
is looked up in the catalog's `search_docs` table when hits are shown).

Tokens: text is split on everything that is not a letter or a digit and lowercased, so codes keep their numbers
("ASC 606-10-25-19" is asc 606 10 25 19; "10-K" is 10 k; "Item 10(e)" is item 10 e) and every dash or hyphen
variant splits the same way; nothing is dropped as a stopword. Each text is indexed twice: as written (for
phrases and codes, matched exactly) and stemmed (for plain words: "revenues" finds "revenue").

Query language (`parse_query`):
    words                  all required (AND), stemmed: revenue recognition
    "a phrase"             exactly that sequence, case-insensitive: "going concern"
    606-10-25-19  10-K     a word with a dash, dot or parenthesis is a code: matched exactly, as a phrase
    Item 303  Rule 3-05    Item, Rule, Section or ASC and the number after it: one code ("Item 303" also
                           finds "Items 303 and 305", "ASC 606" also finds "Topic 606"; "ASC 606-10-25-19" finds
                           the paragraph however it is introduced)
    OR                     either side; binds tighter than AND: non-GAAP OR EBITDA reconciliation
    -word  NOT word        must not occur: impairment -goodwill
    revenu*                any word that starts so
    ( )                    grouping: (segment OR segments) CODM
"""

from __future__ import annotations

import hashlib
import inspect
import re
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import tantivy

SCOPES = ("letters", "comments", "answers")
INDEX_DIR = "search"
PREFIX_TERMS = 200  # words a prefix query expands to
WRITER_HEAP = 128 * 1024**2  # bytes of tantivy's indexing buffer (per build; it flushes segments past it)
_EXACT, _STEMMED = "exact", "stemmed"
_WORD = re.compile(r"[^\W_]+")  # what the "simple" tokenizer keeps: runs of letters and digits


class QueryError(ValueError):
    """A query that cannot be parsed; the message says why and what to write instead."""


# -- the index ---------------------------------------------------------------------------------------------------


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw", index_option="basic")  # accession#comment
    builder.add_text_field(_EXACT, stored=True, tokenizer_name="exact", index_option="position")
    builder.add_text_field(_STEMMED, stored=False, tokenizer_name="stemmed", index_option="position")
    builder.add_date_field("letter_date", indexed=True, fast=True)
    builder.add_integer_field("year", indexed=True, fast=True)
    builder.add_integer_field("cik", indexed=True, fast=True)
    for name in ("form", "kind", "sender", "topic"):
        builder.add_text_field(name, stored=False, tokenizer_name="raw", index_option="basic")
    for name in ("company", "office"):
        builder.add_text_field(name, stored=False, tokenizer_name="exact", index_option="position")
    return builder.build()


def _register(index: tantivy.Index) -> None:
    simple = tantivy.Tokenizer.simple()
    index.register_tokenizer("exact", tantivy.TextAnalyzerBuilder(simple).filter(tantivy.Filter.lowercase()).build())
    index.register_tokenizer("stemmed", tantivy.TextAnalyzerBuilder(simple).filter(tantivy.Filter.lowercase())
                             .filter(tantivy.Filter.stemmer("english")).build())


def open_index(path: Path, create: bool = False) -> tantivy.Index:
    if create:
        path.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(schema(), path=str(path), reuse=False)
    else:
        index = tantivy.Index.open(str(path))
    _register(index)
    return index


@dataclass(frozen=True, slots=True)
class SearchDoc:
    """One searchable unit: a letter, a staff comment, or a company's answer; its text and its filter values."""

    scope: str
    accession_number: str
    comment_number: int | None
    text: str
    letter_date: date | None
    cik: int | None
    forms: tuple[str, ...]  # the letter's EDGAR form (UPLOAD, CORRESP) and the forms its Re: block names
    kind: str | None
    sender: str | None
    company: str | None
    office: str | None
    topics: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.accession_number}#{self.comment_number or 0}"


def _document(doc: SearchDoc) -> tantivy.Document:
    fields: dict[str, Any] = {"key": doc.key, _EXACT: doc.text, _STEMMED: doc.text, "year": doc.letter_date.year
                              if doc.letter_date else 0, "cik": doc.cik or 0}
    if doc.letter_date:
        fields["letter_date"] = datetime(doc.letter_date.year, doc.letter_date.month, doc.letter_date.day)
    for name, value in (("kind", doc.kind), ("sender", doc.sender), ("company", doc.company), ("office", doc.office)):
        if value:
            fields[name] = value.lower() if name in ("kind", "sender") else value
    document = tantivy.Document(**fields)
    for form in doc.forms:
        document.add_text("form", _form_key(form))
    for topic in doc.topics:
        document.add_text("topic", topic)
    return document


def add_documents(path: Path, docs: Iterable[SearchDoc], create: bool, delete_keys: Iterable[str] = ()) -> int:
    """Index documents into the index at `path` (made when `create`), after deleting the documents whose key is
    in `delete_keys`; how many were added."""
    index = open_index(path, create=create)
    writer = index.writer(heap_size=WRITER_HEAP)
    for key in sorted(delete_keys):
        writer.delete_documents_by_term("key", key)
    n = 0
    for doc in docs:
        writer.add_document(_document(doc))
        n += 1
    writer.commit()
    writer.wait_merging_threads()
    return n


def link_index(previous: Path, target: Path) -> None:
    """A new build's copy of an index: hard links to the previous build's (immutable) segment files."""
    target.mkdir(parents=True, exist_ok=True)
    for path in previous.iterdir():
        if path.is_file() and not path.name.startswith(".tantivy-"):  # lock files belong to their writer
            try:
                (target / path.name).hardlink_to(path)
            except OSError:
                shutil.copy2(path, target / path.name)


# -- documents from the corpus's rows ---------------------------------------------------------------------------


def search_docs(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[SearchDoc]]:
    """The documents of each scope for some filings' rows (the `filings`, `letters`, `comments` and
    `comment_topics` tables' rows of the corpus schema)."""
    company = {row["accession_number"]: row["company_name"] for row in rows["filings"]}
    comment_topics: dict[tuple[str, int], list[str]] = {}
    for row in rows["comment_topics"]:
        comment_topics.setdefault((row["accession_number"], row["comment_number"]), []).append(row["topic"])
    letter_topics: dict[str, set[str]] = {}
    for (accession, _number), values in comment_topics.items():
        letter_topics.setdefault(accession, set()).update(values)
    by_letter: dict[str, dict[str, Any]] = {}
    out: dict[str, list[SearchDoc]] = {scope: [] for scope in SCOPES}
    for row in rows["letters"]:
        accession = row["accession_number"]
        forms = [row.get("form_type") or ""]
        for reviewed in row.get("reviewed_filings") or []:
            if reviewed.get("form_type"):  # an amendment is also its EDGAR form, 10-K/A
                forms += [reviewed["form_type"]] + ([reviewed["form_type"] + "/A"] if reviewed.get("amendment") else [])
        common = {"letter_date": row.get("letter_date"), "cik": row.get("cik"),
                  "forms": tuple(dict.fromkeys(f for f in forms if f)), "kind": row.get("letter_kind"),
                  "company": company.get(accession), "office": row.get("staff_office")}
        by_letter[accession] = common
        if row.get("text_clean"):
            out["letters"].append(SearchDoc("letters", accession, None, row["text_clean"], sender=row.get("sender"),
                                            topics=tuple(sorted(letter_topics.get(accession, ()))), **common))
    for row in rows["comments"]:
        common = by_letter.get(row["accession_number"])
        if common is None:
            continue
        key = (row["accession_number"], row["comment_number"])
        if row["sender"] == "staff" and row.get("text"):
            text = f"{row['heading']}\n{row['text']}" if row.get("heading") else row["text"]
            out["comments"].append(SearchDoc("comments", key[0], key[1], text, sender="staff",
                                             topics=tuple(comment_topics.get(key, ())), **common))
        elif row["sender"] != "staff" and row.get("answer_text"):
            out["answers"].append(SearchDoc("answers", key[0], key[1], row["answer_text"], sender=row["sender"],
                                            topics=(), **common))
    return out


def build_index(build_dir: Path, rows: dict[str, list[dict[str, Any]]], previous: Path | None = None,
                replaced: dict[str, list[dict[str, Any]]] | None = None) -> dict[str, int]:
    """The build's search indexes. A full build indexes every scope's documents of `rows`. An incremental build
    passes the previous build and, for the companies it paired again, their rows before (`replaced`) and after
    (`rows`): the previous index is copied (hard links to its segment files, which tantivy never rewrites), the
    documents that pairing changed (a letter's reviewed forms) are replaced and new ones added, so an unchanged
    document is never indexed twice and BM25 statistics stay those of a full build. How many documents were
    added, by scope."""
    docs = search_docs(rows)
    before_docs = search_docs(replaced) if replaced is not None else {scope: [] for scope in SCOPES}
    added = {}
    for scope in SCOPES:
        path = index_path(build_dir, scope)
        before = index_path(previous, scope) if previous is not None else None
        if before is not None and (before / "meta.json").exists():
            link_index(before, path)
            kept = set(before_docs[scope]) & set(docs[scope])
            stale = {doc.key for doc in before_docs[scope] if doc not in kept}
            added[scope] = add_documents(path, [doc for doc in docs[scope] if doc not in kept], create=False,
                                         delete_keys=stale)
        else:
            added[scope] = add_documents(path, docs[scope], create=True)
    return added


def index_fingerprint() -> str:
    """Changes whenever what is indexed does (the schema, the tokenizers, the documents made from rows): a build
    whose previous build was indexed otherwise indexes every letter again (`corpus/build.py`)."""
    digest = hashlib.sha256()
    for part in (schema, _register, SearchDoc, _document, _form_key, search_docs):
        digest.update(inspect.getsource(part).encode())
    return digest.hexdigest()[:16]


def index_all(build_dir: Path, batches: Iterable[dict[str, list[dict[str, Any]]]]) -> dict[str, int]:
    """Index a whole build again, from scratch, from batches of its rows (a batch holds all rows of its letters:
    one year partition of each searched table, say), so that memory holds one batch at a time."""
    shutil.rmtree(Path(build_dir) / INDEX_DIR, ignore_errors=True)
    writers = {scope: open_index(index_path(build_dir, scope), create=True).writer(heap_size=WRITER_HEAP)
               for scope in SCOPES}
    added = dict.fromkeys(SCOPES, 0)
    for batch in batches:
        for scope, docs in search_docs(batch).items():
            for doc in docs:
                writers[scope].add_document(_document(doc))
            added[scope] += len(docs)
    for writer in writers.values():
        writer.commit()
        writer.wait_merging_threads()
    return added


SEARCHED_TABLES = ("filings", "letters", "comments", "comment_topics")


# -- the query language ------------------------------------------------------------------------------------------


@dataclass
class Node:
    """A parsed query: `op` is and | or | not | term | phrase | prefix."""

    op: str
    children: list[Node] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # term: one word; phrase: the sequence; prefix: the stem

    def positive_words(self) -> list[str]:
        """The words a hit may contain, for marking them in snippets."""
        if self.op == "not":
            return []
        return [*self.words, *(w for child in self.children for w in child.positive_words())]


# a word may carry parenthesized parts with no space before them: 10(e), 13(a)(1)
_TOKENS = re.compile(r'\s*(?:(?P<quote>"[^"]*"?)|(?P<word>[^\s()"]+(?:\([^\s()"]{1,6}\))*)|(?P<open>\()|(?P<close>\)))')
# words that make a code with the number after them: "Item 303" is the phrase, not item AND 303
_CODE_LEADS = frozenset({"item", "items", "rule", "rules", "asc", "section", "sections"})


def _lex(query: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    position = 0
    query = query.strip()
    while position < len(query):
        match = _TOKENS.match(query, position)
        if not match or match.end() == position:
            break
        position = match.end()
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "quote" and (len(value) < 2 or not value.endswith('"')):
            raise QueryError(f"a quotation mark is not closed: {value!r}; close it, or remove it")
        if (kind == "word" and value[:1].isdigit() and out and out[-1][0] == "word"
                and out[-1][1].lower() in _CODE_LEADS):
            out[-1] = ("word", f"{out[-1][1]} {value}")
            continue
        out.append((kind, value))
    return out


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def parse_query(query: str) -> Node:
    """The query as a tree; QueryError (with what to do) when it cannot be read."""
    tokens = _lex(query)
    if not tokens:
        raise QueryError("the query is empty: give words, a \"phrase\", or a code such as 606-10-25-19")
    position = 0

    def peek() -> tuple[str, str] | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal position
        position += 1
        return tokens[position - 1]

    # OR binds tighter than AND, as in web search: non-GAAP OR EBITDA reconciliation is
    # (non-GAAP OR EBITDA) AND reconciliation
    def parse_and() -> Node:
        parts: list[Node] = []
        while (token := peek()) and token[0] != "close":
            if token == ("word", "AND"):
                take()
                continue
            if token == ("word", "OR"):
                raise QueryError("OR needs a term on both sides, e.g. non-GAAP OR EBITDA")
            parts.append(parse_or())
        if not parts:
            raise QueryError("an operator has nothing to apply to: write terms between AND, OR and parentheses")
        return parts[0] if len(parts) == 1 else Node("and", parts)

    def parse_or() -> Node:
        branches = [parse_unary()]
        while (token := peek()) and token == ("word", "OR"):
            take()
            if peek() is None or peek()[0] == "close" or peek() in (("word", "OR"), ("word", "AND")):
                raise QueryError("OR needs a term on both sides, e.g. non-GAAP OR EBITDA")
            branches.append(parse_unary())
        return branches[0] if len(branches) == 1 else Node("or", branches)

    def parse_unary() -> Node:
        kind, value = take()
        if (kind, value) == ("word", "NOT") or (kind == "word" and value.startswith("-") and len(value) > 1):
            if value == "NOT":
                if peek() is None or peek()[0] == "close":
                    raise QueryError("NOT needs a term after it, e.g. impairment NOT goodwill")
                return Node("not", [parse_unary()])
            return Node("not", [atom("word", value[1:])])
        if kind == "open":
            inner = parse_and()
            if peek() is None or take()[0] != "close":
                raise QueryError("a parenthesis is not closed: add the missing ')'")
            return inner
        return atom(kind, value)

    def atom(kind: str, value: str) -> Node:
        if kind == "close":
            raise QueryError("a ')' has no '(' before it: remove it")
        if kind == "quote":
            words = _words(value[1:-1])
            if not words:
                raise QueryError(f"the phrase {value} has no words in it")
            return Node("phrase", words=words)
        if value.endswith("*"):
            stem = _words(value[:-1])
            if len(stem) != 1 or len(stem[0]) < 2:
                raise QueryError(f"{value}: a prefix is one word of two letters or more followed by *, e.g. revenu*")
            return Node("prefix", words=stem)
        words = _words(value)
        if not words:
            raise QueryError(f"{value!r} has no letters or digits to search for")
        if words[0] == "asc" and len(words) > 1:  # the Codification: "ASC 606" is also written "Topic 606"
            if len(words) > 2:  # a subtopic or paragraph (606-10-25-19) is its numbers, whatever precedes them
                return Node("phrase", words=words[1:])
            return Node("or", [Node("phrase", words=words), Node("phrase", words=["topic", words[1]])])
        if words[0] in _CODE_LEADS and len(words) > 1 and words[1][:1].isdigit():  # "Items 303 and 305" too
            lead = words[0].removesuffix("s")
            rest = words[1:]
            return Node("or", [Node("phrase", words=[lead, *rest]), Node("phrase", words=[lead + "s", *rest])])
        # a code ("606-10-25-19", "10-K", "10(e)") is its words in sequence; a plain word is stemmed
        return Node("phrase", words=words) if len(words) > 1 else Node("term", words=words)

    tree = parse_and()
    if position < len(tokens):
        raise QueryError("a ')' has no '(' before it: remove it")
    if _only_negative(tree):
        raise QueryError("the query only excludes: add something to find, e.g. impairment -goodwill")
    return tree


def _only_negative(node: Node) -> bool:
    if node.op == "not":
        return True
    if node.op == "and":
        return all(_only_negative(child) for child in node.children)
    if node.op == "or":
        return any(_only_negative(child) for child in node.children)
    return False


def _stem(index: tantivy.Index, word: str) -> str:
    """The word as the stemmed field holds it (tantivy's own analyzer, so query and index agree)."""
    analyzer = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.lowercase()).filter(
        tantivy.Filter.stemmer("english")).build()
    tokens = analyzer.analyze(word)
    return tokens[0] if tokens else word


def to_tantivy(index: tantivy.Index, node: Node) -> tantivy.Query:
    schema_ = index.schema
    if node.op == "term":
        return tantivy.Query.term_query(schema_, _STEMMED, _stem(index, node.words[0]))
    if node.op == "phrase":
        if len(node.words) == 1:
            return tantivy.Query.term_query(schema_, _EXACT, node.words[0])
        return tantivy.Query.phrase_query(schema_, _EXACT, node.words)
    if node.op == "prefix":  # the index's words that start so (the most frequent 200), so hits rank by BM25
        words = [w for w, _count in index.searcher().terms_with_prefix(_EXACT, node.words[0], limit=PREFIX_TERMS)]
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.term_query(schema_, _EXACT, w))
                                            for w in words]) if words else tantivy.Query.empty_query()
    if node.op == "not":  # only inside an AND (a bare NOT was refused by the parser)
        return to_tantivy(index, node.children[0])
    occur = tantivy.Occur.Must if node.op == "and" else tantivy.Occur.Should
    clauses = [((tantivy.Occur.MustNot if child.op == "not" else occur), to_tantivy(index, child))
               for child in node.children]
    if node.op == "and" and all(o == tantivy.Occur.MustNot for o, _q in clauses):
        clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
    return tantivy.Query.boolean_query(clauses)


# -- filters -------------------------------------------------------------------------------------------------------


def _form_key(form: str) -> str:
    return re.sub(r"\s+", " ", form.strip().upper())


# EDGAR's form names for what a Re: block calls by the schedule's name
_PROXY = ("SCHEDULE 14A", "DEF 14A", "PRE 14A", "DEFA14A", "DEFM14A", "PREM14A", "PRER14A", "DEFR14A")
FORM_ALIASES = {form: _PROXY for form in _PROXY} | {
    "SC 13D": ("SC 13D", "SCHEDULE 13D"), "SCHEDULE 13D": ("SC 13D", "SCHEDULE 13D"),
    "SC TO-T": ("SC TO-T", "SCHEDULE TO-T", "SCHEDULE TO"), "SC TO-I": ("SC TO-I", "SCHEDULE TO-I", "SCHEDULE TO"),
    "SC 14D9": ("SC 14D9", "SCHEDULE 14D-9", "SCHEDULE 14D9"),
}


@dataclass(frozen=True, slots=True)
class Filters:
    start: date | None = None  # letter date, inclusive
    end: date | None = None
    year: int | None = None
    forms: tuple[str, ...] = ()  # the letter's EDGAR form or a form its Re: block names (10-K, 10-K/A, S-1,
    # UPLOAD); DEF 14A and the other proxy forms also match a Re: block's "Schedule 14A"
    kind: str | None = None
    sender: str | None = None
    cik: int | None = None
    company: str | None = None  # words of the company's name
    office: str | None = None  # words of the staff office
    topic: str | None = None

    def queries(self, index: tantivy.Index) -> list[tantivy.Query]:
        schema_ = index.schema
        out = []
        if self.start or self.end:
            low = datetime.combine(self.start or date(1900, 1, 1), datetime.min.time())
            high = datetime.combine(self.end or date(2200, 12, 31), datetime.min.time())
            out.append(tantivy.Query.range_query(schema_, "letter_date", tantivy.FieldType.Date, low, high))
        if self.year:
            out.append(tantivy.Query.term_query(schema_, "year", self.year))
        if self.forms:
            wanted = {alias for form in self.forms for alias in FORM_ALIASES.get(_form_key(form), (_form_key(form),))}
            out.append(tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.term_query(
                schema_, "form", form)) for form in sorted(wanted)]))
        for name, value in (("kind", self.kind), ("sender", self.sender), ("topic", self.topic)):
            if value:
                out.append(tantivy.Query.term_query(schema_, name, value.lower() if name != "topic" else value))
        if self.cik:
            out.append(tantivy.Query.term_query(schema_, "cik", self.cik))
        for name, value in (("company", self.company), ("office", self.office)):
            words = _words(value or "")
            if words:
                out.append(tantivy.Query.phrase_query(schema_, name, words) if len(words) > 1
                           else tantivy.Query.term_query(schema_, name, words[0]))
        return out


# -- searching -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    scope: str
    accession_number: str
    comment_number: int | None
    score: float
    snippet: str  # a passage around the match, the matched words **marked**


def index_path(build_dir: Path, scope: str) -> Path:
    return Path(build_dir) / INDEX_DIR / scope


def search_build(build_dir: Path, query: str, scope: str = "letters", filters: Filters | None = None,
                 limit: int = 10) -> list[Hit]:
    """The best `limit` hits for `query` (BM25), ties broken by accession and comment number."""
    if scope not in SCOPES:
        raise QueryError(f"--in {scope}: search letters, comments or answers")
    tree = parse_query(query)
    path = index_path(build_dir, scope)
    if not (path / "meta.json").exists():
        return []
    index = open_index(path)
    clauses = [(tantivy.Occur.Must, to_tantivy(index, tree))]
    clauses += [(tantivy.Occur.Must, q) for q in (filters or Filters()).queries(index)]
    compiled = tantivy.Query.boolean_query(clauses) if len(clauses) > 1 else clauses[0][1]
    searcher = index.searcher()
    # a few more than asked, so that ties at the cut are broken by key as a full ranking would
    found = searcher.search(compiled, limit + 20).hits
    scored = sorted(((score, searcher.doc(address)) for score, address in found),
                    key=lambda item: (-round(item[0], 5), item[1]["key"][0]))
    marks = _match_pattern(index, tree)
    hits = []
    for score, document in scored[:limit]:
        accession, _, number = document["key"][0].partition("#")
        hits.append(Hit(scope, accession, int(number) or None if scope != "letters" else None, float(score),
                        snippet(document[_EXACT][0], marks)))
    return hits


# -- snippets ------------------------------------------------------------------------------------------------------


def _match_pattern(index: tantivy.Index, tree: Node) -> re.Pattern[str]:
    """What the query's positive parts look like in the text: a phrase as its words with anything that is not a
    letter or digit between them; a plain word as its stem and an ending; a prefix as itself and the rest of a
    word. One named group per part, so a snippet can prefer the passage with the most parts."""
    parts = []
    for node in _positive(tree):
        if node.op == "prefix":
            body = re.escape(node.words[0]) + r"[^\W_]*"
        elif node.op == "term":
            body = re.escape(_stem(index, node.words[0])) + r"[^\W_]{0,5}"
        else:
            body = r"[\W_]+".join(map(re.escape, node.words))
        parts.append(f"(?P<p{len(parts)}>(?<![^\\W_]){body}(?![^\\W_]))")
    return re.compile("|".join(parts) or r"(?!x)x", re.IGNORECASE)


def snippet(text: str, pattern: re.Pattern[str], width: int = 240, before: int = 60) -> str:
    """A passage of about `width` characters around the matches of `pattern`, the one that holds the most of the
    query's parts (the first such), the matches marked **so**, whitespace collapsed."""
    matches: list[tuple[int, int, str | None]] = []
    for match in pattern.finditer(text):
        end = match.end()
        if text[match.start():end].count("(") > text[match.start():end].count(")") and text[end:end + 1] == ")":
            end += 1  # "Item 10(e)" is marked whole, its parenthesis closed
        matches.append((match.start(), end, match.lastgroup))
        if len(matches) == 200:  # enough to choose a passage from
            break
    if not matches:
        return re.sub(r"\s+", " ", text[:width]).strip()
    best, best_parts = 0, -1
    for i, (first, _end, _part) in enumerate(matches):
        parts = {part for m_start, m_end, part in matches[i:] if m_end <= first + width - before}
        if len(parts) > best_parts:
            best, best_parts = i, len(parts)
    start = max(0, matches[best][0] - before)
    if start:  # begin at a word
        space = text.find(" ", start, matches[best][0])
        start = space + 1 if space != -1 else start
    end = min(len(text), start + width)
    out, position = ["… " if start else ""], start
    for m_start, m_end, _part in matches:
        if m_start < start or m_end > end:
            continue
        out += [text[position:m_start], "**", text[m_start:m_end], "**"]
        position = m_end
    out.append(text[position:end])
    tail = " …" if end < len(text) else ""
    return re.sub(r"\s+", " ", "".join(out)).strip() + tail


def _positive(node: Node) -> Iterator[Node]:
    if node.op == "not":
        return
    if node.op in ("and", "or"):
        for child in node.children:
            yield from _positive(child)
    else:
        yield node


def iter_hits(hits: Iterable[Hit]) -> Iterator[dict[str, Any]]:
    for hit in hits:
        yield {"scope": hit.scope, "accession_number": hit.accession_number, "comment_number": hit.comment_number,
               "score": round(hit.score, 4), "snippet": hit.snippet}

