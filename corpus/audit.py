"""The corpus checks itself: consistency rules that flag rows that are likely wrong, without labels.

Labeled letters are a sample; these rules look at every row of a built corpus for what cannot be right (a
response dated before the letter it answers) or is seldom right (a response that answers a different number
of comments than its staff letter asked). Each check is one SQL query over the catalog that yields the flagged
rows (accession, comment number, what looks wrong) and one that counts the rows it looked at, so a flag rate
can be compared between builds. `edgar-corpus audit` prints them.

A flag is a lead, not a verdict: a company may answer two of three comments on purpose. What a reader found
behind each flag of the bundled sample is written down in tests/data/edgar/AUDIT.tsv.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

# A company letter that, in its opening, promises its answer for later: an extension request, whatever it is
# called ("we propose to provide our response by", "intends to submit no later than", "additional time").
MORE_TIME = (r"(additional time|extension of time"
             r"|(we|company|registrant) (hereby )?(respectfully )?request(s|ing)? (\w+ ){0,5}extension"
             r"|(provide|submit|file|deliver)"
             r"\w* (you with )?(its|our|the company.s|a|the) (complete |full )?respon[sc]e\w*"
             r"[^.]{0,80}?\b(by|no later than|on or before|within)\b"
             r"|respon[sc]es? will be (submitted|provided|filed)[^.]{0,80}?\b(by|no later than|on or before)\b)")


# a heading that is only a page number or page reference ("78", "page F-1"), as a SQL regular expression literal
PAGE_NUMBER = r"'^(?i)(page\s*)?[0-9ivxF-]{1,6}[.,:;)]?$'"


@dataclass(frozen=True)
class Check:
    key: str
    question: str  # what a flag means
    population: str  # SQL: one row, one column, the number of rows looked at
    flagged: str  # SQL: accession_number, comment_number (or NULL), detail


@dataclass
class CheckResult:
    key: str
    question: str
    looked_at: int
    flagged: int
    examples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.flagged / self.looked_at if self.looked_at else 0.0


_RESPONSES = "FROM letters r JOIN letters s ON s.accession_number = r.responds_to WHERE r.sender = 'company'"

CHECKS: tuple[Check, ...] = (
    Check("response_before_letter", "a company letter dated before the staff letter it answers",
          f"SELECT count(*) {_RESPONSES} AND r.letter_date IS NOT NULL AND s.letter_date IS NOT NULL",
          f"""SELECT r.accession_number, NULL, 'dated ' || r.letter_date || ', answers ' || s.accession_number
                     || ' dated ' || s.letter_date
              {_RESPONSES} AND r.letter_date < s.letter_date"""),
    Check("answered_count_mismatch",
          "a response answering a different number of comments than its staff letter asked",
          f"SELECT count(*) {_RESPONSES} AND r.letter_kind = 'response' AND s.n_comments > 0",
          f"""SELECT r.accession_number, NULL, 'answers ' || r.n_comments || ' comments; ' || s.accession_number
                     || ' asked ' || s.n_comments
              {_RESPONSES} AND r.letter_kind = 'response' AND s.n_comments > 0 AND r.n_comments <> s.n_comments"""),
    Check("heading_is_page_number", "a comment heading that is only a page number or a page reference",
          "SELECT count(*) FROM comments WHERE heading IS NOT NULL",
          rf"""SELECT accession_number, comment_number, 'heading ' || to_json(heading)
              FROM comments WHERE regexp_matches(trim(heading), {PAGE_NUMBER})"""),
    Check("heading_is_page_furniture",
          "a comment heading that is page furniture (the SEC's address, a page header), a figure, or sentences "
          "(a redacted answer's last line)",
          "SELECT count(*) FROM comments WHERE heading IS NOT NULL",
          r"""SELECT accession_number, comment_number, 'heading ' || to_json(heading)
              FROM comments WHERE heading IS NOT NULL AND (
                regexp_matches(trim(heading), '^(?i)(((the\s+)?(u\.\s?s\.|united states)\s+)?securities and exchange '
                               || 'commission\W*(page\W*)?[0-9]{0,3}\W*|division of corporation finance|100 f street.*'
                               || '|washington,? d\.?\s?c\.?.*'
                               || '|page\s+[0-9]+\s*[<(\[]?\s*[a-z]+\.?\s+[0-9]{1,2},\s+[0-9]{4}.*)$')
                OR heading LIKE '%[REDACTED]'
                OR (NOT regexp_matches(heading, '[A-Za-z]{3}')
                    AND NOT regexp_matches(trim(heading), """ + PAGE_NUMBER + r"""))
                OR (regexp_matches(heading, '[a-z)]{3,}[.?]\s+[A-Z][a-z].*[a-z)]{3,}[.?]\s+[A-Z][a-z]')
                    AND NOT regexp_matches(heading, '(?i),?\s*pages?\s+[A-Z0-9-]+$')))"""),
    # at its end: a heading quoted inside an answer (revised disclosure) is not a swallowed one
    Check("answer_holds_next_heading", "an answer that ends with the next comment's heading",
          "SELECT count(*) FROM comment_responses WHERE response_text IS NOT NULL",
          """SELECT a.staff_accession, a.comment_number, 'answer contains the heading of comment '
                    || b.comment_number || ': ' || to_json(b.heading)
             FROM comment_responses a JOIN comment_responses b
               ON b.staff_accession = a.staff_accession AND b.comment_number = a.comment_number + 1
             WHERE a.response_text IS NOT NULL AND length(b.heading) >= 20
               AND contains(right(a.response_text, length(b.heading) + 120), b.heading)"""),
    Check("empty_answer", "a staff comment paired with an answer that has no text",
          "SELECT count(*) FROM comment_responses WHERE response_accession IS NOT NULL",
          """SELECT staff_accession, comment_number, 'answer in ' || response_accession || ' is empty'
             FROM comment_responses WHERE response_accession IS NOT NULL
               AND length(trim(coalesce(response_text, ''))) < 3"""),
    Check("response_asks_more_time", "a letter classified as a response whose opening asks for more time",
          "SELECT count(*) FROM letters WHERE letter_kind = 'response'",
          f"""SELECT accession_number, NULL, 'opening: ' || to_json(regexp_extract(left(text_clean, 3000),
                     '(?i)[^.]{{0,80}}{MORE_TIME}[^.]{{0,60}}'))
              FROM letters WHERE letter_kind = 'response'
                AND regexp_matches(left(text_clean, 3000), '(?i){MORE_TIME}')"""),
    Check("unanswered_but_answered",
          "a staff comment left unanswered although a response linked to its letter answers that number",
          "SELECT count(*) FROM comment_responses",
          """SELECT cr.staff_accession, cr.comment_number, 'comment ' || cr.comment_number || ' is answered in '
                    || c.accession_number
             FROM comment_responses cr
             JOIN letters r ON r.responds_to = cr.staff_accession AND r.letter_kind = 'response'
             JOIN comments c ON c.accession_number = r.accession_number AND c.comment_number = cr.comment_number
             WHERE cr.response_accession IS NULL"""),
    Check("dated_after_release", "a letter dated after EDGAR filed it or made it public",
          "SELECT count(*) FROM letters WHERE letter_date IS NOT NULL",
          """SELECT accession_number, NULL, 'dated ' || letter_date || ', filed ' || filing_date
                    || ', released ' || coalesce(CAST(release_date AS VARCHAR), '?')
             FROM letters WHERE letter_date > filing_date + 3 OR letter_date > release_date"""),
    Check("dated_long_before", "a letter dated over a year before EDGAR filed it, or before the filing it reviews",
          "SELECT count(*) FROM letters WHERE letter_date IS NOT NULL",
          """SELECT accession_number, NULL, 'dated ' || letter_date || ', filed ' || filing_date
                    || coalesce(', reviews a filing of ' || (SELECT max(f.filed_date) FROM unnest(reviewed_filings)
                                AS t(f)), '')
             FROM letters WHERE letter_date < filing_date - 365
                OR (sender = 'staff' AND letter_date < (SELECT max(f.filed_date) FROM unnest(reviewed_filings)
                                                       AS t(f)) - 7)"""),
    Check("implausible_first_response",
          "a review whose first response came before its first letter or more than 120 days after it",
          "SELECT count(*) FROM conversations WHERE days_to_first_response IS NOT NULL",
          """SELECT conversation_id, NULL, days_to_first_response || ' days to the first response'
             FROM conversations WHERE days_to_first_response < 0 OR days_to_first_response > 120"""),
    Check("duplicate_comment_numbers", "one letter with the same comment number twice",
          "SELECT count(DISTINCT accession_number) FROM comments",
          """SELECT accession_number, comment_number, 'comment ' || comment_number || ' appears ' || count(*)
                    || ' times'
             FROM comments GROUP BY accession_number, comment_number HAVING count(*) > 1"""),
)


def run_audit(con: duckdb.DuckDBPyConnection, examples: int | None = 5) -> list[CheckResult]:
    """Every check over the corpus the connection's catalog describes, with the first `examples` flagged rows
    of each (None: all of them)."""
    results = []
    for check in CHECKS:
        rows = con.execute(f"SELECT * FROM ({check.flagged}) ORDER BY 1, 2").fetchall()
        looked_at = con.execute(check.population).fetchone()[0]
        results.append(CheckResult(check.key, check.question, looked_at, len(rows), [
            {"accession_number": a, "comment_number": n, "detail": d} for a, n, d in rows[:examples]]))
    return results


def format_audit(results: list[CheckResult]) -> str:
    lines = []
    for r in results:
        lines.append(f"{r.key:28s} {r.flagged:5d} of {r.looked_at:6d} ({r.rate:6.1%})  {r.question}")
        for e in r.examples:
            number = f" comment {e['comment_number']}" if e["comment_number"] is not None else ""
            lines.append(f"    {e['accession_number']}{number}: {e['detail']}")
    total = sum(r.flagged for r in results)
    lines.append(f"{total} flags in {sum(r.flagged > 0 for r in results)} of {len(results)} checks")
    return "\n".join(lines)
