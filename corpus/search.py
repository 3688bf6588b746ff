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
    OR                     either side: non-GAAP OR "adjusted EBITDA"
    -word  NOT word        must not occur: impairment -goodwill
    revenu*                any word that starts so
    ( )                    grouping: (segment OR segments) CODM
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import tantivy

SCOPES = ("letters", "comments", "answers")
INDEX_DIR = "search"
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
        document.add_text("form", form.upper())
    for topic in doc.topics:
        document.add_text("topic", topic)
    return document


def add_documents(path: Path, docs: Iterable[SearchDoc], create: bool) -> int:
    """Index documents into the index at `path` (made when `create`); how many were added."""
    index = open_index(path, create=create)
    writer = index.writer(heap_size=WRITER_HEAP)
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


def search_docs(letters: pa.Table, comments: pa.Table, topics: pa.Table, filings: pa.Table) -> dict[str, list]:
    """The documents of each scope for some filings' rows (tables of the corpus schema)."""
    company = dict(zip(filings["accession_number"].to_pylist(), filings["company_name"].to_pylist(), strict=True))
    comment_topics: dict[tuple[str, int], list[str]] = {}
    for accession, number, topic in zip(topics["accession_number"].to_pylist(), topics["comment_number"].to_pylist(),
                                        topics["topic"].to_pylist(), strict=True):
        comment_topics.setdefault((accession, number), []).append(topic)
    letter_topics: dict[str, set[str]] = {}
    for (accession, _number), values in comment_topics.items():
        letter_topics.setdefault(accession, set()).update(values)
    by_letter: dict[str, dict[str, Any]] = {}
    out: dict[str, list] = {scope: [] for scope in SCOPES}
    columns = ("accession_number", "cik", "letter_date", "form_type", "reviewed_filings", "letter_kind", "sender",
               "staff_office", "text_clean")
    for row in letters.select(list(columns)).to_pylist():
        forms = (row["form_type"] or "", *(f["form_type"] for f in row["reviewed_filings"] or [] if f["form_type"]))
        by_letter[row["accession_number"]] = row | {"forms": tuple(f for f in forms if f)}
        if row["text_clean"]:
            out["letters"].append(SearchDoc("letters", row["accession_number"], None, row["text_clean"],
                                            row["letter_date"], row["cik"], by_letter[row["accession_number"]]["forms"],
                                            row["letter_kind"], row["sender"], company.get(row["accession_number"]),
                                            row["staff_office"], tuple(sorted(letter_topics.get(
                                                row["accession_number"], ())))))
    for row in comments.select(["accession_number", "comment_number", "sender", "heading", "text",
                                "answer_text"]).to_pylist():
        letter = by_letter.get(row["accession_number"])
        if letter is None:
            continue
        common = {"letter_date": letter["letter_date"], "cik": letter["cik"], "forms": letter["forms"],
                  "kind": letter["letter_kind"], "sender": row["sender"],
                  "company": company.get(row["accession_number"]), "office": letter["staff_office"]}
        if row["sender"] == "staff" and row["text"]:
            text = f"{row['heading']}\n{row['text']}" if row["heading"] else row["text"]
            out["comments"].append(SearchDoc("comments", row["accession_number"], row["comment_number"], text,
                                             topics=tuple(comment_topics.get((row["accession_number"],
                                                                              row["comment_number"]), ())),
                                             **common))
        elif row["answer_text"]:
            out["answers"].append(SearchDoc("answers", row["accession_number"], row["comment_number"],
                                            row["answer_text"], topics=(), **common))
    return out


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


_TOKENS = re.compile(r'\s*(?:(?P<quote>"[^"]*"?)|(?P<open>\()|(?P<close>\))|(?P<word>[^\s()"]+))')


def _lex(query: str) -> list[tuple[str, str]]:
    out, position = [], 0
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

    def parse_or() -> Node:
        branches = [parse_and()]
        while (token := peek()) and token == ("word", "OR"):
            take()
            if peek() is None or peek()[0] == "close":
                raise QueryError("OR needs a term on both sides, e.g. non-GAAP OR EBITDA")
            branches.append(parse_and())
        return branches[0] if len(branches) == 1 else Node("or", branches)

    def parse_and() -> Node:
        parts: list[Node] = []
        while (token := peek()) and token[0] != "close" and token != ("word", "OR"):
            if token == ("word", "AND"):
                take()
                continue
            parts.append(parse_unary())
        if not parts:
            raise QueryError("an operator has nothing to apply to: write terms between AND, OR and parentheses")
        return parts[0] if len(parts) == 1 else Node("and", parts)

    def parse_unary() -> Node:
        kind, value = take()
        if (kind, value) == ("word", "NOT") or (kind == "word" and value.startswith("-") and len(value) > 1
                                                and not value[1].isdigit()):
            if value == "NOT":
                if peek() is None or peek()[0] == "close":
                    raise QueryError("NOT needs a term after it, e.g. impairment NOT goodwill")
                return Node("not", [parse_unary()])
            return Node("not", [atom("word", value[1:])])
        if kind == "open":
            inner = parse_or()
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
        # a code ("606-10-25-19", "10-K", "10(e)") is its words in sequence; a plain word is stemmed
        return Node("phrase", words=words) if len(words) > 1 else Node("term", words=words)

    tree = parse_or()
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
    if node.op == "prefix":
        return tantivy.Query.regex_query(schema_, _EXACT, re.escape(node.words[0]) + ".*")
    if node.op == "not":  # only inside an AND (a bare NOT was refused by the parser)
        return to_tantivy(index, node.children[0])
    occur = tantivy.Occur.Must if node.op == "and" else tantivy.Occur.Should
    clauses = [((tantivy.Occur.MustNot if child.op == "not" else occur), to_tantivy(index, child))
               for child in node.children]
    if node.op == "and" and all(o == tantivy.Occur.MustNot for o, _q in clauses):
        clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
    return tantivy.Query.boolean_query(clauses)


# -- filters -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Filters:
    start: date | None = None  # letter date, inclusive
    end: date | None = None
    year: int | None = None
    forms: tuple[str, ...] = ()  # the letter's EDGAR form or a form its Re: block names (10-K, S-1, UPLOAD)
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
            out.append(tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.term_query(
                schema_, "form", form.upper())) for form in self.forms]))
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


def search(build_dir: Path, query: str, scope: str = "letters", filters: Filters | None = None,
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
    generator = tantivy.SnippetGenerator.create(searcher, compiled, index.schema, _EXACT)
    generator.set_max_num_chars(240)
    scored = []
    for score, address in found:
        document = searcher.doc(address)
        scored.append((score, document["key"][0], document))
    scored.sort(key=lambda item: (-round(item[0], 5), item[1]))
    hits = []
    for score, key, document in scored[:limit]:
        accession, _, number = key.partition("#")
        hits.append(Hit(scope, accession, int(number) or None if scope != "letters" else None, float(score),
                        _marked(generator.snippet_from_doc(document))))
    return hits


def _marked(snippet: tantivy.Snippet) -> str:
    fragment = snippet.fragment()
    out, position = [], 0
    for span in snippet.highlighted():
        out.append(fragment[position:span.start])
        out.append(f"**{fragment[span.start:span.end]}**")
        position = span.end
    out.append(fragment[position:])
    return re.sub(r"\s+", " ", "".join(out)).strip()


def iter_hits(hits: Iterable[Hit]) -> Iterator[dict[str, Any]]:
    for hit in hits:
        yield {"scope": hit.scope, "accession_number": hit.accession_number, "comment_number": hit.comment_number,
               "score": round(hit.score, 4), "snippet": hit.snippet}

