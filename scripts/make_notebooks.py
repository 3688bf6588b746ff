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
ax.set_ylabel("letters")
pivot''',
        '''forms = con.sql("""
    SELECT form, count(*) AS reviews FROM (SELECT unnest(reviewed_forms) AS form FROM conversations)
    GROUP BY 1 ORDER BY 2 DESC LIMIT 12
""").df()
ax = forms.plot(kind="barh", x="form", y="reviews", figsize=(7, 4), title="Reviews by form reviewed", legend=False)
ax.invert_yaxis()
forms''',
        '''offices = con.sql("""
    SELECT staff_office, count(DISTINCT accession_number) AS letters, count(*) AS comments
    FROM comments_of_office('') GROUP BY 1 ORDER BY comments DESC
""").df()
ax = offices.plot(kind="barh", x="staff_office", y="comments", figsize=(8, 4),
                  title="Numbered staff comments by office", legend=False)
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
reviews["days_to_close"].dropna().plot(kind="hist", bins=20, ax=axes[0], title="Days to close")
reviews["n_rounds"].plot(kind="hist", bins=range(1, 8), ax=axes[1], title="Rounds of comments")
reviews["release_lag_business_days"].dropna().plot(kind="hist", bins=20, ax=axes[2],
                                                   title="Release lag (business days)")
fig.tight_layout()''',
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
    for dated, sender, kind, _n_comments, accession, answers, _company in con.execute(
            "SELECT * FROM conversation_letters(?)", [conversation_id]).fetchall():
        print(f"{dated}  {sender:7s} {kind:20s} {accession}" + (f"  answers {answers}" if answers else ""))
    for number, comment, answer, continues in con.execute("""
            SELECT comment_number, comment_text, response_text, continues_comment_number
            FROM comment_responses WHERE conversation_id = ? ORDER BY staff_accession, comment_number""",
            [conversation_id]).fetchall():
        follow_up = f" (follows up prior comment {continues})" if continues else ""
        print(f"\\n  comment {number}{follow_up}: " + textwrap.shorten(comment, width))
        print("  answer: " + (textwrap.shorten(answer, width) if answer else "(none in the corpus)"))

first = con.execute("SELECT conversation_id FROM conversations_of(?) WHERE n_rounds > 0 "
                    "ORDER BY n_responses DESC, first_letter_date LIMIT 1", [CIK]).fetchone()
if first:
    show_thread(first[0])''',
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
