"""The main job on the bundled sample: fake EDGAR on loopback → polite Scrapy crawl → corpus → summary."""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path

from corpus.tables import REGISTRY
from fake_edgar import FakeEdgar, FakeEdgarConfig, max_requests_in_window, read_log

DEMO_USER_AGENT = "edgar-corpus demo demo@example.org"
DEMO_MARK = ".edgar-corpus-demo"  # in a data dir the demo made, and only there, so it may start it over


def prepare_demo_dir(data_dir: Path) -> str | None:
    """Empty a data dir the demo made before, or make a new one; why not, when the folder is something else
    (a real crawl's raw archive, say): the demo never removes or changes a data dir it did not create."""
    if data_dir.exists():
        if not (data_dir / DEMO_MARK).is_file():
            if data_dir.is_dir() and not any(data_dir.iterdir()):
                (data_dir / DEMO_MARK).write_text("made by edgar-corpus demo\n")
                return None
            return (f"{data_dir} exists and was not made by the demo; the demo only writes to a folder of its own. "
                    "Give another --data-dir (a new or empty folder), or remove that one yourself")
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    (data_dir / DEMO_MARK).write_text("made by edgar-corpus demo\n")
    return None


def run_demo(data_dir: Path, sample: Path) -> int:
    from edgar_corpus.cli import build_parser, run_crawl

    if not (sample / "Archives").is_dir():
        print(f"no sample mirror at {sample}", file=sys.stderr)
        return 2
    if problem := prepare_demo_dir(data_dir):
        print(f"edgar-corpus demo: {problem}", file=sys.stderr)
        return 2
    log = data_dir / "fake-edgar-requests.jsonl"
    with FakeEdgar(FakeEdgarConfig(root=sample, log_path=log)) as server:
        print(f"fake EDGAR serving {sample} at {server.url} (loopback only)")
        args = build_parser().parse_args([
            "crawl", "--data-dir", str(data_dir), "--from", "2005-01-01", "--to", "2026-03-31",
            "--edgar-url", server.url, "--data-url", server.url, "--user-agent", DEMO_USER_AGENT,
        ])
        code = run_crawl(args)
    if code:
        return code
    print_summary(data_dir, read_log(log))
    return 0


def print_summary(data_dir: Path, requests: list[dict]) -> None:
    from corpus.catalog import connect

    filing_requests = [r for r in requests if str(r["path"]).startswith("/Archives/edgar/data/")]
    con = connect(data_dir)
    n_filings = con.execute("SELECT count(*) FROM filings").fetchone()[0]
    print("\n== Politeness (from the fake EDGAR's request log)")
    print(f"requests: {len(requests)} in all, {len(filing_requests)} for {n_filings} filings "
          f"({len(filing_requests) / max(n_filings, 1):.2f} per filing); "
          f"most in any 1 s: {max_requests_in_window([float(r['t']) for r in requests])}; "
          f"throttle pages: {sum(1 for r in requests if r.get('throttled'))}")
    print("\n== The corpus: rows of each table (docs/SCHEMA.md)")
    for table in REGISTRY:
        rows = con.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0]
        print(f"  {table.name:18s} {rows:6d}  {table.summary}")
    print("\n== Filings by year and form")
    con.sql("""
        SELECT year, count(*) FILTER (form_type = 'UPLOAD') AS staff_letters,
               count(*) FILTER (form_type = 'CORRESP') AS responses, count(*) AS total
        FROM filings GROUP BY year ORDER BY year
    """).show(max_rows=100)
    print("== Text sources")
    con.sql("SELECT text_source, count(*) AS documents, sum(n_chars) AS chars FROM documents "
            "GROUP BY 1 ORDER BY 2 DESC").show()
    print("== Letters by kind")
    con.sql("SELECT sender, letter_kind, count(*) AS letters, sum(n_comments) AS numbered_comments FROM letters "
            "GROUP BY ALL ORDER BY 1 DESC, 3 DESC").show()
    row = con.execute("""
        SELECT l.company_name, l.letter_date, l.accession_number, l.addressee_name, l.addressee_title, l.re_text,
               l.staff_office
        FROM letters l
        WHERE l.letter_kind = 'comment' AND l.n_comments BETWEEN 2 AND 4
        ORDER BY l.letter_date DESC, l.accession_number LIMIT 1
    """).fetchone()
    if row:
        company, dated, accession, name, title, re_text, office = row
        print(f"== A staff comment letter as structure: {company}, {accession}")
        print(f"    dated {dated}, to {name} ({title}), from the {office}")
        print(textwrap.indent("Re: " + (re_text or ""), "    "))
        for number, heading, text in con.execute(
                "SELECT comment_number, heading, text FROM comments WHERE accession_number = ? "
                "ORDER BY comment_number", [accession]).fetchall():
            print(f"    comment {number} [{heading}]: {textwrap.shorten(text, 110)}")
    print("\n== Reviews (conversations)")
    con.sql("""
        SELECT status, count(*) AS reviews, median(n_letters) AS median_letters,
               median(days_to_first_response) AS median_days_to_first_response,
               median(days_to_close) AS median_days_to_close,
               median(release_lag_business_days) AS median_release_lag_business_days
        FROM conversations GROUP BY 1 ORDER BY 2 DESC
    """).show()
    thread = con.execute("""
        SELECT conversation_id, company_name, reviewed_forms FROM conversations
        WHERE status = 'resolved' AND n_rounds >= 2 ORDER BY first_letter_date DESC, conversation_id LIMIT 1
    """).fetchone()
    if thread:
        conversation, company, forms = thread
        print(f"== One review read as a thread: {company}, {', '.join(forms)} ({conversation})")
        for dated, sender, kind, n_comments, accession, answers in con.execute("""
                SELECT letter_date, sender, letter_kind, n_comments, accession_number, responds_to FROM letters
                WHERE conversation_id = ? ORDER BY letter_date, filing_date, accession_number""",
                [conversation]).fetchall():
            print(f"    {dated} {sender:7s} {kind:16s} {n_comments} comments  {accession}"
                  + (f"  answers {answers}" if answers else ""))
        pair = con.execute("""SELECT comment_number, comment_text, response_text FROM comment_responses
                              WHERE conversation_id = ? AND response_text IS NOT NULL
                              ORDER BY staff_accession, comment_number LIMIT 1""", [conversation]).fetchone()
        if pair:
            print(f"    comment {pair[0]}: {textwrap.shorten(pair[1], 100)}")
            print(f"    answer:    {textwrap.shorten(pair[2], 100)}")
    failures = con.execute("SELECT count(*) FROM failures").fetchone()[0]
    print(f"\nfailures recorded: {failures}.  Query it yourself:\n"
          f"  edgar-corpus sql --data-dir {data_dir} \"SELECT company_name, count(*) FROM filings GROUP BY 1\"")
    con.close()
