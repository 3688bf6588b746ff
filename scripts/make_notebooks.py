"""Write notebooks/*.ipynb from the cells below (no outputs), so the notebooks are reviewed as code.

Run: python scripts/make_notebooks.py. The tests execute every notebook against the sample corpus.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

OUT = Path(__file__).resolve().parents[1] / "notebooks"

SETUP = '''import os
from pathlib import Path

import matplotlib

from corpus.catalog import connect

matplotlib.use(os.environ.get("MPLBACKEND", "Agg"))  # headless by default; Jupyter shows figures inline anyway

# Which corpus: EDGAR_CORPUS_DATA, else the demo's data dir (run `edgar-corpus demo` first)
DATA_DIR = Path(os.environ.get("EDGAR_CORPUS_DATA", Path.cwd().parent / "demo-data"))
if not (DATA_DIR / "corpus.duckdb").exists():
    raise SystemExit(f"no corpus at {DATA_DIR}: run `edgar-corpus demo` in the project folder, "
                     "or set EDGAR_CORPUS_DATA to a data dir built by `edgar-corpus build`")
con = connect(DATA_DIR)
print(con.execute("SELECT count(*) FROM letters").fetchone()[0], "letters in", DATA_DIR)'''

NOTEBOOKS = {
    "01_letters_and_reviews.ipynb": [
        "# Letters and reviews by year, reviewed form and office\n\n"
        "How many staff letters and company responses each year; which filings the staff reviews; which "
        "offices of the Division of Corporation Finance write the comments.",
        SETUP,
        '''by_year = con.sql("""
    SELECT year(letter_date) AS year, sender, count(*) AS letters
    FROM letters WHERE letter_date IS NOT NULL GROUP BY ALL ORDER BY ALL
""").df()
pivot = by_year.pivot(index="year", columns="sender", values="letters").fillna(0)
ax = pivot.plot(kind="bar", figsize=(9, 4), title="Letters by year and sender")
ax.set_xlabel("year of the letter's date")
ax.set_ylabel("letters (count)")
pivot''',
        '''forms = con.sql("""
    SELECT form, count(*) AS reviews FROM (SELECT unnest(reviewed_forms) AS form FROM conversations)
    GROUP BY 1 ORDER BY 2 DESC LIMIT 12
""").df()
ax = forms.plot(kind="barh", x="form", y="reviews", figsize=(7, 4), title="Reviews by form reviewed", legend=False)
ax.set_xlabel("reviews (conversations; one review may name several forms)")
ax.set_ylabel("form reviewed (the 12 most frequent)")
ax.invert_yaxis()
forms''',
        '''offices = con.sql("""
    SELECT staff_office, count(DISTINCT accession_number) AS letters, count(*) AS comments
    FROM comments_of_office('') GROUP BY 1 ORDER BY comments DESC
""").df()
ax = offices.plot(kind="barh", x="staff_office", y="comments", figsize=(8, 4),
                  title="Numbered staff comments by office", legend=False)
ax.set_xlabel("numbered staff comments (count)")
ax.set_ylabel("staff office (as the letter names it)")
ax.invert_yaxis()
offices''',
        '''kinds = con.sql("SELECT letter_kind, count(*) AS letters FROM letters GROUP BY 1 ORDER BY 2 DESC").df()
assert kinds["letters"].sum() == con.execute("SELECT count(*) FROM filings").fetchone()[0]
kinds''',
    ],
    "02_review_length_and_release_lag.ipynb": [
        "# Review length, rounds and release lag\n\n"
        "Days from the first staff letter to completion, rounds of comments, days to the first response, and "
        "business days from the last letter to public release (the SEC releases a review no earlier than 20 "
        "business days after it ends).",
        SETUP,
        '''reviews = con.sql("""
    SELECT conversation_id, company_name, status, n_letters, n_rounds, n_comments_total,
           days_to_first_response, days_to_close, release_lag_business_days
    FROM conversations WHERE n_rounds > 0
""").df()
reviews.describe()''',
        '''import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, 3, figsize=(13, 3.5))
# bins span each column's whole range, so no review falls outside them; rounds get one bar per whole number
reviews["days_to_close"].dropna().plot(kind="hist", bins=20, ax=axes[0], title="Days to close")
rounds_max = int(reviews["n_rounds"].max())
reviews["n_rounds"].plot(kind="hist", bins=[r - 0.5 for r in range(1, rounds_max + 2)], ax=axes[1],
                         title="Rounds of comments")
axes[1].set_xticks(range(1, rounds_max + 1))
reviews["release_lag_business_days"].dropna().plot(kind="hist", bins=20, ax=axes[2],
                                                   title="Release lag (business days)")
for ax, unit in zip(axes, ("calendar days, first staff letter to the end", "staff letters with comments",
                           "business days, last letter to public release"), strict=True):
    ax.set_xlabel(unit)
    ax.set_ylabel("reviews (count)")
fig.tight_layout()
shown = [int(p.get_height()) for p in axes[1].patches]
assert sum(shown) == len(reviews), "every review is in the rounds histogram"''',
        '''summary = reviews.agg({"n_letters": "median", "days_to_close": "median", "days_to_first_response": "median",
                       "release_lag_business_days": "median"})
summary''',
        '''# More rounds, longer reviews?
rounds = reviews.groupby("n_rounds")["days_to_close"].agg(["count", "median"])
rounds''',
    ],
    "03_company_thread.ipynb": [
        "# One company's reviews, read as a thread\n\n"
        "Each review of one company in order: the staff letter, the company's answer to each comment, and the "
        "follow-ups. Set `EDGAR_CORPUS_CIK` (or `CIK` below) to the company you want; by default, the company "
        "that answered the most staff letters.",
        SETUP,
        '''CIK = int(os.environ.get("EDGAR_CORPUS_CIK", "0")) or con.execute(
    "SELECT cik FROM conversations GROUP BY 1 ORDER BY sum(n_responses) DESC, cik LIMIT 1").fetchone()[0]
con.sql(f"SELECT conversation_id, reviewed_forms, status, n_letters, first_letter_date, days_to_close "
        f"FROM conversations_of({CIK})").df()''',
        '''import textwrap


def show_thread(conversation_id: str, width: int = 110) -> None:
    """The review's letters, then every staff comment in full with its letter and date, and the answer."""
    for dated, sender, kind, _n_comments, accession, answers, _company in con.execute(
            "SELECT * FROM conversation_letters(?)", [conversation_id]).fetchall():
        print(f"{dated}  {sender:7s} {kind:20s} {accession}" + (f"  answers {answers}" if answers else ""))
    for staff_date, staff, number, comment, answer_date, response, answer, continues in con.execute("""
            SELECT s.letter_date, r.staff_accession, r.comment_number, r.comment_text, a.letter_date,
                   r.response_accession, r.response_text, r.continues_comment_number
            FROM comment_responses r JOIN letters s ON s.accession_number = r.staff_accession
            LEFT JOIN letters a ON a.accession_number = r.response_accession
            WHERE r.conversation_id = ? ORDER BY s.letter_date, r.staff_accession, r.comment_number""",
            [conversation_id]).fetchall():
        follow_up = f", following up comment {continues}" if continues else ""
        print(f"\\n--- comment {number} of the staff letter of {staff_date} ({staff}){follow_up}")
        print(textwrap.fill(comment, width, initial_indent="  ", subsequent_indent="  "))
        if answer:
            print(f"  answer in the response of {answer_date} ({response}):")
            print(textwrap.fill(answer, width, initial_indent="    ", subsequent_indent="    "))
        else:
            print("  answer: (none in the corpus)")

first = con.execute("SELECT conversation_id FROM conversations_of(?) WHERE n_rounds > 0 "
                    "ORDER BY n_responses DESC, first_letter_date LIMIT 1", [CIK]).fetchone()
if first:
    show_thread(first[0])''',
    ],
    "04_what_the_sec_asks_about.ipynb": [
        "# What the SEC asks about\n\n"
        "Topics of the staff's comments (taxonomy v1, `docs/comment-topics.md`) by year: the share of comment letters "
        "with at least one comment on a topic, beside the published figures; the authorities the comments cite "
        "most; and one topic followed from the staff's question to the company's answer. Topics come from rules "
        "(`pipelines/topics.py`); their measured accuracy is in `BENCHMARKS.md`, so read shares as estimates.",
        SETUP,
        '''shares = con.sql("""
    WITH letters_with_comments AS (
        SELECT accession_number, year(letter_date) AS year FROM letters
        WHERE letter_kind = 'comment' AND letter_date IS NOT NULL),
    per_letter AS (SELECT DISTINCT t.accession_number, t.topic FROM comment_topics t),
    per_year AS (SELECT year, count(*) AS comment_letters FROM letters_with_comments GROUP BY 1)
    SELECT l.year, p.topic, count(*) AS letters, any_value(y.comment_letters) AS comment_letters,
           count(*) / any_value(y.comment_letters) AS share
    FROM letters_with_comments l JOIN per_letter p USING (accession_number) JOIN per_year y USING (year)
    GROUP BY l.year, p.topic ORDER BY l.year, letters DESC
""").df()
n_letters = con.sql("""SELECT year(letter_date) AS year, count(*) AS comment_letters FROM letters
                       WHERE letter_kind = 'comment' AND letter_date IS NOT NULL GROUP BY 1 ORDER BY 1""").df()
n_letters''',
        '''top = shares.groupby("topic")["letters"].sum().sort_values(ascending=False).head(8).index
pivot = shares[shares["topic"].isin(top)].pivot(index="year", columns="topic", values="share").fillna(0) * 100
ax = pivot.plot(figsize=(10, 4.5), marker="o", title="Share of comment letters with a comment on the topic")
ax.set_xlabel("year of the staff letter")
ax.set_ylabel("% of comment letters")
pivot.round(1)''',
        '''import pandas as pd

# Published figures (docs/comment-topics.md, last section) beside this corpus. Audit Analytics counts letters
# on Forms 10-K, 10-Q and 8-K of all registrants; this corpus holds large companies' letters on every form, so
# its shares are of a different population: compare the direction of change, not the level.
published = {("non_gaap", 2010): 4.5, ("non_gaap", 2017): 23.7, ("mdna_results", 2013): 17.0,
             ("mdna_results", 2014): 15.0, ("mdna_results", 2015): 15.0}
ours = {(t, y): round(v * 100, 1) for t, y, v in shares[["topic", "year", "share"]].itertuples(index=False)}

pd.DataFrame([{"topic": t, "year": y, "published %": v, "this corpus %": ours.get((t, y))}
              for (t, y), v in published.items()])''',
        '''citations = con.sql("""
    SELECT system, ref, count(*) AS comments, count(DISTINCT accession_number) AS letters
    FROM citations WHERE NOT in_answer GROUP BY ALL ORDER BY comments DESC, system, ref LIMIT 15
""").df()
ax = citations.plot(kind="barh", x="ref", y="comments", figsize=(8, 5), legend=False,
                    title="Authorities the staff's comments cite most")
ax.set_xlabel("staff comments citing it")
ax.set_ylabel("reference (system: see the table)")
ax.invert_yaxis()
citations''',
        '''import textwrap

TOPIC = os.environ.get("EDGAR_CORPUS_TOPIC", "non_gaap")
pairs = con.execute("""
    SELECT c.letter_date, c.company_name, a.staff_accession, a.staff_comment_number, r.comment_text, r.response_text
    FROM answer_topics a
    JOIN comment_responses r ON r.staff_accession = a.staff_accession AND r.comment_number = a.staff_comment_number
    JOIN letters c ON c.accession_number = a.staff_accession
    WHERE a.topic = ? ORDER BY c.letter_date LIMIT 3""", [TOPIC]).fetchall()
print(f"{len(pairs)} staff comments on {TOPIC} with the company's answer (the first three):")
for dated, company, accession, number, question, answer in pairs:
    print(f"\\n{dated} {company}, {accession} comment {number}")
    print(textwrap.fill("Staff: " + question, 110))
    print(textwrap.fill("Company: " + (answer or "(no answer in the corpus)"), 110))''',
    ],
}


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        notebook = new_notebook(cells=[new_markdown_cell(cells[0]), *(new_code_cell(c) for c in cells[1:])])
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(notebook, OUT / name)
        print(OUT / name)


if __name__ == "__main__":
    main()
