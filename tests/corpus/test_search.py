"""Search over the bundled sample: each query's hits against the documents an independent regular expression
finds in the clean text (the same text the index holds), every filter against SQL over the letters' own
columns, the three doors (command line, SQL macro, Python) against each other, and the ranking against BM25
computed here from the words."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import pytest

from corpus.catalog import connect, search
from corpus.search import Filters, QueryError, build_index, parse_query, search_build
from tests.conftest import cli

ALL = 10_000  # a limit above every scope's size: all hits


def regex(*words: str) -> re.Pattern[str]:
    """Words in sequence, separated by anything that is not a letter or digit, as whole words (case-insensitive).
    A word may be a regular expression of its own (impair(?:s|ed|ment|ments)?)."""
    return re.compile(r"(?<![^\W_])" + r"[\W_]+".join(words) + r"(?![^\W_])", re.IGNORECASE)


@pytest.fixture(scope="module")
def corpus(full_crawl):
    """The sample corpus's documents by scope, with each letter's filter values, read with plain SQL."""
    con = connect(full_crawl.data_dir)
    letters = {row[0]: dict(zip(("accession", "text", "date", "form", "kind", "sender", "cik", "company", "office",
                                 "reviewed", "conversation"), row, strict=True))
               for row in con.execute("""
        SELECT l.accession_number, l.text_clean, l.letter_date, l.form_type, l.letter_kind, l.sender, l.cik,
               f.company_name, l.staff_office, [r.form_type FOR r IN l.reviewed_filings], l.conversation_id
        FROM letters l JOIN filings f USING (accession_number) WHERE l.text_clean <> ''""").fetchall()}
    comments = {(a, n): t for a, n, t in con.execute("""
        SELECT accession_number, comment_number, concat_ws(chr(10), nullif(heading, ''), text) FROM comments
        WHERE sender = 'staff' AND text <> ''""").fetchall()}
    answers = {(a, n): t for a, n, t in con.execute("""
        SELECT accession_number, comment_number, answer_text FROM comments
        WHERE sender <> 'staff' AND answer_text <> ''""").fetchall()}
    topics = con.execute("SELECT accession_number, comment_number, topic FROM comment_topics").fetchall()
    con.close()
    return {"data_dir": full_crawl.data_dir, "letters": letters, "comments": comments, "answers": answers,
            "topics": topics}


def hits(corpus, query: str, scope: str = "letters", **filters) -> set:
    con = connect(corpus["data_dir"])
    try:
        found = search(con, query, scope, Filters(**filters), limit=ALL)
    finally:
        con.close()
    return {h["accession_number"] if scope == "letters" else (h["accession_number"], h["comment_number"])
            for h in found}


def expected(corpus, match: Callable[[str], bool], scope: str = "letters",
             letter: Callable[[dict], bool] = lambda _letter: True) -> set:
    """The documents of `scope` whose text `match`es and whose letter passes `letter`."""
    letters = corpus["letters"]
    if scope == "letters":
        return {a for a, row in letters.items() if match(row["text"]) and letter(row)}
    return {key for key, text in corpus[scope].items()
            if key[0] in letters and match(text) and letter(letters[key[0]])}


def has(*patterns: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda text: all(p.search(text) for p in patterns)


IMPAIR = regex("impair(?:s|ed|ing|ment|ments)?")  # what the stemmer folds into "impair"
GOODWILL = regex("goodwill")

# (query, what its hits must contain), one per token class and operator; each must find something in the sample
QUERIES = [
    ("606", has(regex("606"))),  # a plain number, also inside 606-10-25-19
    ("ASC 606", lambda t: bool(regex("asc", "606").search(t) or regex("topic", "606").search(t))),
    ("606-10-25-19", has(regex("606", "10", "25", "19"))),  # a Codification paragraph
    ("ASC 606-10-55-36", has(regex("606", "10", "55", "36"))),
    ("10-K", has(regex("10", "k"))),  # form names
    ("S-1", has(regex("s", "1"))),
    ("10-Q", has(regex("10", "q"))),
    ("Item 303", has(regex("items?", "303"))),  # Regulation S-K items (also "Items 303 and 305")
    ('"Item 10(e)"', has(regex("item", "10", "e"))),
    ("Item 10(e)", has(regex("items?", "10", "e"))),
    ("Rule 3-05", has(regex("rules?", "3", "05"))),  # Regulation S-X
    ("14a-8", has(regex("14a", "8"))),  # Exchange Act rules
    ("Section 13(a)", has(regex("sections?", "13", "a"))),
    ('"SAB Topic"', has(regex("sab", "topic"))),  # SAB topics
    ("2023", has(regex("2023"))),  # a year
    ('"non-GAAP financial measures"', has(regex("non", "gaap", "financial", "measures"))),  # a phrase
    ('"NON-GAAP FINANCIAL MEASURES"', has(regex("non", "gaap", "financial", "measures"))),  # case-insensitive
    ('"in accordance with"', has(regex("in", "accordance", "with"))),  # stopwords are words
    ("goodwill impairment", has(GOODWILL, IMPAIR)),  # AND by default, stemmed
    ("goodwill AND impairments", has(GOODWILL, IMPAIR)),
    ("revenue -606", lambda t: bool(regex("revenues?").search(t)) and not regex("606").search(t)),  # exclusion
    ('"liquidity" NOT 10-K', lambda t: bool(regex("liquidity").search(t)) and not regex("10", "k").search(t)),
    ('"liquidity"', has(regex("liquidity"))),  # a quoted word as written: not liquidation, which stems alike
    ("EBITDA -non-GAAP", lambda t: bool(regex("ebitda").search(t)) and not regex("non", "gaap").search(t)),
    ('"Rule 3-05" OR "Rule 3-14"', lambda t: bool(regex("rule", "3", "05").search(t)
                                                  or regex("rule", "3", "14").search(t))),
    ("cybersecurity OR EBITDA", lambda t: bool(regex("cybersecurity").search(t) or regex("ebitda").search(t))),
    ("(cybersecurity OR EBITDA) 10-K", lambda t: bool((regex("cybersecurity").search(t)
                                                       or regex("ebitda").search(t)) and regex("10", "k").search(t))),
    ("revenu*", has(regex(r"revenu\w*"))),  # a prefix
    ("segment* liquidity", has(regex(r"segment\w*"), regex("liquidity"))),
]


@pytest.mark.parametrize(("query", "match"), QUERIES, ids=[q for q, _m in QUERIES])
def test_letter_hits_are_what_a_regex_finds(corpus, query, match):
    want = expected(corpus, match)
    assert want, f"{query} finds nothing in the sample: not a test"
    assert hits(corpus, query) == want


def test_a_plain_word_is_stemmed_and_a_quoted_one_is_not(corpus):
    exact = hits(corpus, '"liquidity"')
    stemmed = hits(corpus, "liquidity")
    assert exact < stemmed == expected(corpus, has(regex("liquid(?:s|ity|ities|ation|ations)?")))


def test_dash_variants_match_each_other(corpus):
    hyphen = hits(corpus, "606-10-25-19")
    assert hyphen and hits(corpus, "606\u201310\u201325\u201319") == hyphen  # en dash
    assert hits(corpus, "606\u201410\u201425\u201419") == hyphen  # em dash
    assert hits(corpus, "606 10 25 19") >= hyphen  # plain words: all of the numbers, anywhere


def test_dashes_in_the_text_match_a_hyphen_in_the_query(tmp_path):
    """Letters write codes with en dashes, em dashes, non-breaking hyphens and soft line breaks; a query with a
    plain hyphen finds them all (a small index of real phrasings, each with another dash)."""
    texts = {"0000000001-24-000001": "See ASC 606\u201310\u201325\u201319 and Rule 3\u201105.",
             "0000000001-24-000002": "the Form 20\u2014F for fiscal 2023 and Rule 12b\u20132",
             "0000000001-24-000003": "your DEF 14A; Rule 14a\u20138 proposals; substantial doubt about the "
                                     "Company's ability to continue as a going\nconcern",
             "0000000001-24-000004": "To Whom It May Concern: we are going to file a concern letter",
             "0000000001-24-000005": "Refer to Items 303(b) and 305 of Regulation S-K and Rules 3-05 and 3-14"}
    rows = {"filings": [{"accession_number": a, "company_name": "Example Corp"} for a in texts],
            "letters": [{"accession_number": a, "text_clean": t, "letter_date": date(2024, 1, 2), "cik": 1,
                         "form_type": "UPLOAD", "letter_kind": "comment", "sender": "staff"} for a, t in texts.items()],
            "comments": [], "comment_topics": []}
    build_index(tmp_path, rows)
    found = {q: {h.accession_number[-1] for h in search_build(tmp_path, q)} for q in (
        "606-10-25-19", "Rule 3-05", "20-F", "Rule 12b-2", "12b-2", "DEF 14A", "14a-8", '"going concern"', "concern",
        "Item 303", "Items 303", '"Item 303"')}
    assert found == {"606-10-25-19": {"1"}, "Rule 3-05": {"1", "5"}, "20-F": {"2"}, "Rule 12b-2": {"2"},
                     "12b-2": {"2"}, "DEF 14A": {"3"}, "14a-8": {"3"}, '"going concern"': {"3"}, "concern": {"3", "4"},
                     "Item 303": {"5"}, "Items 303": {"5"}, '"Item 303"': set()}  # quoted: that sequence only


def test_a_phrase_is_that_sequence_only(corpus):
    """"going concern" must not find "To Whom It May Concern" (the sample has no going-concern letter)."""
    assert expected(corpus, has(regex("concern")))
    assert hits(corpus, '"going concern"') == expected(corpus, has(regex("going", "concern"))) == set()
    assert hits(corpus, '"may concern"') == expected(corpus, has(regex("may", "concern")))


# -- filters: each against SQL over the letters' columns ------------------------------------------------------


FORM = regex("10", "k")
FILTERS = [
    ({"year": 2023}, lambda r: r["date"] is not None and r["date"].year == 2023),
    ({"start": date(2021, 1, 1), "end": date(2022, 6, 30)},
     lambda r: r["date"] is not None and date(2021, 1, 1) <= r["date"] <= date(2022, 6, 30)),
    ({"forms": ("S-4",)}, lambda r: "S-4" in (r["form"], *r["reviewed"])),
    ({"forms": ("CORRESP",)}, lambda r: r["form"] == "CORRESP"),
    ({"forms": ("S-1", "S-4")}, lambda r: bool({"S-1", "S-4"} & {r["form"], *r["reviewed"]})),
    ({"forms": ("DEF 14A",)}, lambda r: "SCHEDULE 14A" in r["reviewed"]),  # what a Re: block calls a proxy
    ({"kind": "review_complete"}, lambda r: r["kind"] == "review_complete"),
    ({"sender": "company"}, lambda r: r["sender"] == "company"),
    ({"cik": 927628}, lambda r: r["cik"] == 927628),
    ({"company": "capital one"}, lambda r: bool(regex("capital", "one").search(r["company"] or ""))),
    ({"office": "Technology"}, lambda r: bool(regex("technology").search(r["office"] or ""))),
    ({"year": 2024, "sender": "staff", "forms": ("10-K",)},
     lambda r: r["date"] is not None and r["date"].year == 2024 and r["sender"] == "staff"
     and "10-K" in r["reviewed"]),
]


@pytest.mark.parametrize(("filters", "letter"), FILTERS, ids=[json.dumps(f, default=str) for f, _l in FILTERS])
def test_filters_keep_the_letters_sql_keeps(corpus, filters, letter):
    kept = 0
    for query, match in (("10-K", has(FORM)), ("comment OR comments", has(regex("comments?")))):
        want = expected(corpus, match, letter=letter)
        assert hits(corpus, query, **filters) == want
        kept += len(want)
    assert kept, f"{filters} keeps nothing: not a test"


def test_topic_filter_keeps_comments_of_that_topic(corpus):
    tagged = {(a, n) for a, n, topic in corpus["topics"] if topic == "non_gaap"}
    want = {key for key in expected(corpus, has(regex("non", "gaap")), "comments") if key in tagged}
    assert want and hits(corpus, "non-GAAP", "comments", topic="non_gaap") == want
    letters = {a for a, _n in tagged}
    assert hits(corpus, "measures", topic="non_gaap") == expected(corpus, has(regex("measures?")),
                                                                  letter=lambda r: r["accession"] in letters)


# -- comment-level search ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "match"), [("Item 303", has(regex("items?", "303"))),
                                              ('"non-GAAP"', has(regex("non", "gaap"))),
                                              ("pro forma -merger", lambda t: bool(regex("pro", "forma").search(t))
                                               and not regex("mergers?").search(t)),
                                              ("tax OR climate", lambda t: bool(regex("tax(?:es)?").search(t)
                                                                                or regex("climate").search(t)))])
def test_staff_comment_hits(corpus, query, match):
    want = expected(corpus, match, "comments")
    assert want and hits(corpus, query, "comments") == want


@pytest.mark.parametrize(("query", "match"), [('"we respectfully"', has(regex("we", "respectfully"))),
                                              ("Item 303", has(regex("items?", "303"))),
                                              ("revenu* 606", has(regex(r"revenu\w*"), regex("606")))])
def test_company_answer_hits(corpus, query, match):
    want = expected(corpus, match, "answers")
    assert want and hits(corpus, query, "answers") == want


def test_a_comment_hit_names_its_letter_comment_and_conversation(corpus):
    con = connect(corpus["data_dir"])
    found = search(con, "Item 303", "comments", limit=5)
    con.close()
    assert len(found) == 5
    for hit in found:
        letter = corpus["letters"][hit["accession_number"]]
        assert hit["comment_number"] >= 1 and hit["conversation_id"] == letter["conversation"]
        assert hit["letter_date"] == letter["date"] and hit["company_name"] == letter["company"]
        assert "**Item 303**" in hit["snippet"]


# -- output: snippets, ranking, the three doors -------------------------------------------------------------------


@pytest.mark.parametrize("query", ["606", "Rule 3-05", '"non-GAAP financial measures"', "revenu*", "goodwill"])
def test_snippets_mark_the_match(corpus, query):
    con = connect(corpus["data_dir"])
    found = search(con, query, limit=ALL)
    con.close()
    assert found
    for hit in found:
        marked = re.findall(r"\*\*(.+?)\*\*", hit["snippet"])
        assert marked, hit
        words = {w.lower() for m in marked for w in re.findall(r"[^\W_]+", m)}
        assert words & {w.lower() for w in parse_query(query).positive_words()} or (query == "revenu*" and all(
            w.startswith("revenu") for w in words)), (query, hit["snippet"])


def bm25(docs: dict[str, list[str]], terms: list[str], k1: float = 1.2, b: float = 0.75) -> dict[str, float]:
    """Okapi BM25 (tantivy's constants and idf), from word lists."""
    n = len(docs)
    average = sum(len(words) for words in docs.values()) / n
    scores: dict[str, float] = {}
    for term in terms:
        having = [key for key, words in docs.items() if term in words]
        idf = math.log(1 + (n - len(having) + 0.5) / (len(having) + 0.5))
        for key in having:
            tf, length = docs[key].count(term), len(docs[key])
            scores[key] = scores.get(key, 0.0) + idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average))
    return scores


@pytest.mark.parametrize("query", ["ebitda", "china", "climate", "cybersecurity"])
def test_ranking_is_bm25(corpus, query):
    """Hits rank as BM25 computed here ranks them (tantivy stores document lengths in one byte, so near-ties
    may swap: the same best letter and the same top five, in some order)."""
    docs = {a: [w.lower() for w in re.findall(r"[^\W_]+", row["text"])] for a, row in corpus["letters"].items()}
    reference = sorted(bm25(docs, [query]).items(), key=lambda item: (-item[1], item[0]))
    con = connect(corpus["data_dir"])
    found = search(con, query, limit=ALL)
    con.close()
    assert [h["score"] for h in found] == sorted((h["score"] for h in found), reverse=True)
    assert len(found) == len(reference) > 1
    assert found[0]["accession_number"] == reference[0][0]
    assert {h["accession_number"] for h in found[:5]} == {a for a, _s in reference[:5]}


def test_rare_words_outweigh_common_ones(corpus):
    """Letters with the rare word of an OR rank above letters that have only the common one (idf)."""
    con = connect(corpus["data_dir"])
    found = search(con, "cybersecurity OR comment", limit=ALL)
    con.close()
    rare = [regex("cybersecurity").search(corpus["letters"][h["accession_number"]]["text"]) is not None
            for h in found]
    assert rare[: sum(rare)] == [True] * sum(rare) and sum(rare) < len(rare)


def test_one_engine_three_doors(corpus):
    """The command line, the SQL macro and the Python function give the same hits, in the same order."""
    data = str(corpus["data_dir"])
    query, scope = "revenue OR tax OR non-GAAP", "comments"
    proc = cli("search", "--data-dir", data, "--in", scope, "--form", "10-K", "--limit", "15", "--format", "json",
               query)
    assert proc.returncode == 0, proc.stderr
    from_cli = [json.loads(line) for line in proc.stdout.splitlines()]
    con = connect(corpus["data_dir"])
    from_sql = con.execute("""SELECT accession_number, comment_number, score, snippet
        FROM search_comments(?, lim := 15, filters := '{"forms": ["10-K"]}')""", [query]).fetchall()
    from_python = search(con, query, scope, Filters(forms=("10-K",)), limit=15)
    con.close()
    assert len(from_cli) == 15
    assert [(h["accession_number"], h["comment_number"], h["snippet"]) for h in from_cli] == \
        [(a, n, s) for a, n, _score, s in from_sql] == \
        [(h["accession_number"], h["comment_number"], h["snippet"]) for h in from_python]
    assert [h["score"] for h in from_cli] == pytest.approx([s for _a, _n, s, _snip in from_sql])


def test_cli_formats_and_messages(corpus):
    data = str(corpus["data_dir"])
    table = cli("search", "--data-dir", data, "--limit", "2", "Rule 3-05")
    assert table.returncode == 0 and "**Rule 3-05**" in table.stdout and " CL-" in table.stdout
    as_csv = cli("search", "--data-dir", data, "--format", "csv", "--in", "answers", "--limit", "3", "revenue")
    lines = as_csv.stdout.splitlines()
    assert as_csv.returncode == 0 and lines[0].startswith("rank,score,") and len(lines) == 4
    assert "comment_number" in lines[0]
    none = cli("search", "--data-dir", data, "--year", "2005", "606")
    assert none.returncode == 0 and none.stdout.strip() == "no letter matched '606' within the filters"
    bad = cli("search", "--data-dir", data, '"going concern')
    assert bad.returncode == 2 and "quotation mark is not closed" in bad.stderr
    topic = cli("search", "--data-dir", data, "--topic", "nongaap", "x")
    assert topic.returncode == 2 and "non_gaap" in topic.stderr


@pytest.mark.parametrize(("query", "message"), [
    ('"going concern', "quotation mark is not closed"), ("(segment OR CODM", "parenthesis is not closed"),
    ("segment)", "has no '('"), ("revenue OR", "OR needs a term on both sides"), ("-goodwill", "only excludes"),
    ("NOT", "NOT needs a term"), ("r*", "prefix is one word of two letters"), ("", "the query is empty"),
    ("---", "no letters or digits")])
def test_unreadable_queries_say_why(query, message):
    with pytest.raises(QueryError, match=re.escape(message)):
        parse_query(query)


def test_sql_macro_refuses_bad_filters_and_queries(corpus):
    con = connect(corpus["data_dir"])
    with pytest.raises(duckdb.InvalidInputException, match="unknown filters"):
        con.execute("""SELECT * FROM search_letters('606', filters := '{"yeer": 2023}')""").fetchall()
    with pytest.raises(duckdb.InvalidInputException, match="parenthesis is not closed"):
        con.execute("SELECT * FROM search_comments('(606')").fetchall()
    con.close()


def test_search_without_an_index_finds_nothing(tmp_path: Path):
    assert search_build(tmp_path, "606") == []


def test_an_incremental_index_replaces_documents_whose_letter_changed(tmp_path):
    """Pairing can change what a letter reviewed (its forms); the next build's index holds the letter once, with
    its new forms, and keeps the previous build's index as it was."""
    def rows(reviewed: str, accessions: tuple[str, ...]) -> dict:
        return {"filings": [{"accession_number": a, "company_name": "Example Corp"} for a in accessions],
                "letters": [{"accession_number": a, "text_clean": "Please revise Item 303 disclosure.",
                             "letter_date": date(2024, 1, 2), "cik": 1, "form_type": "UPLOAD", "sender": "staff",
                             "letter_kind": "comment", "reviewed_filings": [{"form_type": reviewed}]}
                            for a in accessions], "comments": [], "comment_topics": []}
    first, second = tmp_path / "b1", tmp_path / "b2"
    build_index(first, rows("10-K", ("0000000001-24-000001",)))
    added = build_index(second, rows("S-1", ("0000000001-24-000001", "0000000001-24-000002")), previous=first,
                        replaced=rows("10-K", ("0000000001-24-000001",)))
    assert added["letters"] == 2
    assert [h.accession_number for h in search_build(second, "Item 303", filters=Filters(forms=("10-K",)))] == []
    assert len(search_build(second, "Item 303", filters=Filters(forms=("S-1",)))) == 2
    assert len(search_build(second, "Item 303")) == 2
    assert [h.accession_number for h in search_build(first, "Item 303", filters=Filters(forms=("10-K",)))] == [
        "0000000001-24-000001"]


def test_a_build_indexed_by_other_search_code_is_indexed_again(full_crawl, tmp_path):
    """A corpus whose index was made by other search code (here: none at all, as before search had one) gets a
    whole new index from its rows at the next build, though nothing new was crawled."""
    import shutil

    from corpus.build import build_corpus
    from corpus.store import read_manifest, write_manifest

    data = tmp_path / "data"
    assert not str((full_crawl.data_dir / "corpus").readlink()).startswith("/")  # the copy links to its own build
    shutil.copytree(full_crawl.data_dir, data, symlinks=True)
    build = (data / "corpus").resolve()
    before = hits({"data_dir": data}, "Item 303")
    shutil.rmtree(build / "search")
    write_manifest(build, {**read_manifest(build), "search_index": "older"})
    assert hits({"data_dir": data}, "Item 303") == set()
    report = build_corpus(data, progress=None)
    assert report.mode == "incremental" and report.normalized == 0
    assert hits({"data_dir": data}, "Item 303") == before and before
