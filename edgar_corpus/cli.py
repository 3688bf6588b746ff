"""`edgar-corpus`: crawl EDGAR's comment letters, build the corpus, query it.

    edgar-corpus crawl --data-dir DIR --from 2024-01-01 --to 2024-03-31   quarterly full index
    edgar-corpus crawl --data-dir DIR --daily --from 2026-03-02          daily indexes
    edgar-corpus crawl --data-dir DIR --cik 320193 --cik 1875558        submissions JSON
    edgar-corpus build --data-dir DIR                                     raw archive -> corpus, offline
    edgar-corpus sql   --data-dir DIR "SELECT form_type, count(*) FROM filings GROUP BY 1"
    edgar-corpus search --data-dir DIR "non-GAAP measures"                 BM25 search over letters
    edgar-corpus status --data-dir DIR                                    archive, crawls, failures
    edgar-corpus demo                                                     all of it on the bundled sample

Exit status: 0 success, 2 bad arguments, 3 EDGAR unreachable or throttling the crawl, 4 no corpus.
"""

from __future__ import annotations

import argparse
import csv
import fcntl
import json
import os
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

EXIT_USAGE, EXIT_EDGAR, EXIT_NO_CORPUS = 2, 3, 4
DEFAULT_FORMS = "UPLOAD,CORRESP"
DRAFT_FORMS = "DRSLTR,DOSLTR"
DAILY_REREAD_DAYS = 7  # a daily crawl with no --from re-reads a week before the last day it completed
SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "edgar"


class UsageProblem(Exception):
    """A bad command line; the message says what to do."""


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: use YYYY-MM-DD") from None


def _rate(value: str) -> float:
    try:
        rate = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not 0 < rate <= 10:
        raise argparse.ArgumentTypeError(
            f"{value} requests/s is not allowed: the SEC's limit is 10 per second for all of your traffic; "
            "use a value above 0 and at most 10 (default 8)"
        )
    return rate


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="edgar-corpus", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="Run `edgar-corpus COMMAND --help` for a command's options.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    crawl = commands.add_parser("crawl", help="fetch letters from EDGAR into the raw archive, then build")
    crawl.add_argument("--data-dir", type=Path, required=True, help="where the archive and corpus live")
    crawl.add_argument("--from", dest="start", type=_iso_date,
                       help="first day (YYYY-MM-DD); with --daily and no --from, continue from the last daily crawl")
    crawl.add_argument("--to", dest="end", type=_iso_date, help="last day, inclusive (default: today)")
    crawl.add_argument("--daily", action="store_true", help="read the daily indexes of the days (release days)")
    crawl.add_argument("--cik", type=int, action="append", help="a company's CIK; repeat for several")
    crawl.add_argument("--forms", default=DEFAULT_FORMS, help=f"form types to keep (default {DEFAULT_FORMS})")
    crawl.add_argument("--include-drafts", action="store_true", help=f"also keep {DRAFT_FORMS}")
    crawl.add_argument("--rate", type=_rate, default=None,
                       help="requests per second for all SEC hosts together, at most 10 (env EDGAR_RATE, default 8)")
    crawl.add_argument("--user-agent", default=None,
                       help="your declared identity, 'Name contact@example.com' (env EDGAR_USER_AGENT; required)")
    crawl.add_argument("--edgar-url", default=None, help="www.sec.gov base URL (env EDGAR_URL)")
    crawl.add_argument("--data-url", default=None, help="data.sec.gov base URL (env EDGAR_DATA_URL)")
    crawl.add_argument("--throttle-pause", type=float, default=None,
                       help="seconds to stop after a throttle page (env EDGAR_THROTTLE_PAUSE, default 600)")
    crawl.add_argument("--no-build", action="store_true", help="archive only; build later with `build`")
    crawl.add_argument("--setting", "-s", action="append", default=[], metavar="NAME=VALUE",
                       help="override a Scrapy setting (as `scrapy crawl -s`)")

    build = commands.add_parser("build", help="normalize new filings of the raw archive into the Parquet corpus "
                                              "and DuckDB catalog")
    build.add_argument("--data-dir", type=Path, required=True)
    build.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    build.add_argument("--full", action="store_true",
                       help="normalize every filing again instead of adding the new ones to the corpus")

    compact = commands.add_parser("compact", help="merge the small files incremental builds add, per partition")
    compact.add_argument("--data-dir", type=Path, required=True)

    sql = commands.add_parser("sql", help="run SQL against the corpus catalog and print the result")
    sql.add_argument("--data-dir", type=Path, required=True)
    sql.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    sql.add_argument("query", help="SQL; tables: filings, documents, letters, comments, conversations, "
                                   "comment_responses, failures (docs/SCHEMA.md)")

    status = commands.add_parser("status", help="what the data dir holds: archive, last crawls, failures")
    status.add_argument("--data-dir", type=Path, required=True)
    status.add_argument("--limit", type=int, default=20, help="failures and unfetched filings to list (default 20)")

    search = commands.add_parser("search", help="full-text search (BM25) over the letters' clean text")
    search.add_argument("--data-dir", type=Path, required=True)
    search.add_argument("--limit", type=int, default=10, help="hits to print (default 10)")
    search.add_argument("query", help='words that must all occur, e.g. "non-GAAP measures"')

    demo = commands.add_parser("demo", help="serve the bundled sample with the fake EDGAR, crawl, build, summarize")
    demo.add_argument("--data-dir", type=Path, default=Path("demo-data"))
    demo.add_argument("--sample", type=Path, default=SAMPLE, help="mirror tree to serve")

    fake = commands.add_parser("fake-edgar", help="serve a mirror tree like EDGAR on loopback (for tests/mirrors)")
    fake.add_argument("args", nargs=argparse.REMAINDER)
    return parser


# -- crawl ------------------------------------------------------------------------------------------


def crawl_plan(args: argparse.Namespace) -> tuple[str, dict[str, str]]:
    """The spider and its arguments for a crawl command line; UsageProblem when it makes no sense."""
    forms = args.forms + ("," + DRAFT_FORMS if args.include_drafts else "")
    kwargs = {"forms": forms, "data_dir": str(args.data_dir)}
    if args.cik:
        if args.start or args.end or args.daily:
            raise UsageProblem("--cik crawls all correspondence of the companies: drop --from/--to/--daily")
        return "edgar_company", {**kwargs, "cik": ",".join(str(c) for c in args.cik)}
    if args.daily and not args.start:
        args.start = continue_daily_from(args.data_dir)
    if not args.start:
        raise UsageProblem("say what to crawl: --from YYYY-MM-DD [--to YYYY-MM-DD] [--daily], or --cik N")
    if args.end and args.end < args.start:
        raise UsageProblem(f"--to {args.end} is before --from {args.start}")
    if args.start > date.today():
        raise UsageProblem(f"--from {args.start} is in the future")
    kwargs["from"] = args.start.isoformat()
    if args.end:
        kwargs["to"] = args.end.isoformat()
    return ("edgar_daily" if args.daily else "edgar_quarterly"), kwargs


def _state_path(data_dir: Path) -> Path:
    return Path(data_dir) / "crawl-state.json"


def continue_daily_from(data_dir: Path) -> date:
    """Where a daily crawl with no --from starts: a few days before the last day a daily crawl of this data dir
    completed, so that a filing EDGAR listed late in the daily index of a day already read is still found."""
    path = _state_path(data_dir)
    if not path.exists():
        raise UsageProblem(f"no daily crawl of {data_dir} has completed yet: give the first one --from YYYY-MM-DD; "
                           "later `crawl --daily` runs continue from where the last one ended")
    completed = date.fromisoformat(json.loads(path.read_text())["daily_completed_through"])
    start = completed - timedelta(days=DAILY_REREAD_DAYS)
    print(f"daily crawl: the last one completed {completed}; continuing from {start} "
          f"(re-reading {DAILY_REREAD_DAYS} days; what is archived is not fetched again)", file=sys.stderr)
    return start


def record_daily_completed(data_dir: Path, through: date) -> None:
    """After a daily crawl that ended well: remember its last day (never moving backwards)."""
    from corpus.archive import write_atomic

    path = _state_path(data_dir)
    state = json.loads(path.read_text()) if path.exists() else {}
    previous = state.get("daily_completed_through")
    if previous is None or date.fromisoformat(previous) < through:
        state["daily_completed_through"] = through.isoformat()
        write_atomic(path, json.dumps(state, indent=2).encode())


def crawl_settings(args: argparse.Namespace) -> Any:
    from crawler.middlewares import user_agent_problem

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    overrides = {
        "USER_AGENT": args.user_agent, "EDGAR_RATE": args.rate, "EDGAR_URL": args.edgar_url,
        "EDGAR_DATA_URL": args.data_url, "EDGAR_THROTTLE_PAUSE": args.throttle_pause,
        "EDGAR_DATA_DIR": str(args.data_dir),
    }
    for name, value in overrides.items():
        if value is not None:
            settings.set(name, value, priority="cmdline")
    for item in args.setting:
        name, sep, value = item.partition("=")
        if not sep:
            raise UsageProblem(f"--setting {item!r}: use NAME=VALUE")
        settings.set(name, value, priority="cmdline")
    problem = user_agent_problem(settings.get("USER_AGENT"))
    if problem:
        raise UsageProblem(
            f"{problem}. The SEC requires every automated client to declare who it is: pass "
            "--user-agent 'Your Name or Org you@example.com' or set EDGAR_USER_AGENT."
        )
    return settings


@contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[None]:
    """One crawl or build per data dir at a time: two crawls would also add up past the SEC's limit."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageProblem(f"another crawl or build is using {data_dir}; wait for it to finish") from None
        yield


def run_crawl(args: argparse.Namespace) -> int:
    spider_name, spider_args = crawl_plan(args)
    settings = crawl_settings(args)
    with data_dir_lock(args.data_dir):
        return _crawl_locked(args, spider_name, spider_args, settings)


def _crawl_locked(args: argparse.Namespace, spider_name: str, spider_args: dict[str, str], settings: Any) -> int:
    from scrapy.crawler import CrawlerProcess

    from corpus.archive import RawArchive

    run_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    archive = RawArchive(args.data_dir)
    scope = {k: v for k, v in spider_args.items() if k in ("forms", "from", "to", "cik")}
    archive.start_run(run_id, " ".join(sys.argv[1:]) or spider_name, scope)
    process = CrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler(spider_name)
    process.crawl(crawler, **spider_args)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    reason = stats.get("finish_reason", "unknown")
    responses = stats.get("response_received_count", 0)
    errors = stats.get("downloader/exception_count", 0)
    summary = {k.removeprefix("edgar/"): v for k, v in stats.items() if k.startswith("edgar/")}
    summary["requests"] = stats.get("downloader/request_count", 0)
    outcome = "ok"
    code = 0
    if reason == "edgar_throttled":
        outcome, code = "throttled", EXIT_EDGAR
        print("EDGAR kept throttling this crawl; it stopped. Lower --rate, make sure no other crawler shares "
              "your IP, and run the same command again: archived filings are not fetched twice.", file=sys.stderr)
    elif responses == 0 and errors:
        outcome, code = "unreachable", EXIT_EDGAR
        print(f"Could not reach EDGAR at {settings.get('EDGAR_URL')} ({errors} connection errors). Check the "
              "network or --edgar-url/--data-url, then run the same command again.", file=sys.stderr)
    elif summary.get("listings_failed"):
        outcome, code = "incomplete", EXIT_EDGAR
        print(f"{summary['listings_failed']} index or submissions files could not be read (see the log), so "
              "some filings may not have been listed. Run the same command again; archived filings are not "
              "fetched twice.", file=sys.stderr)
    elif reason != "finished":
        outcome, code = reason, EXIT_EDGAR
        print(f"The crawl stopped before the end ({reason}). Run the same command again to resume: "
              "archived filings are not fetched twice.", file=sys.stderr)
    archive.finish_run(run_id, outcome, json.dumps(summary, default=str))
    archive.close()
    if outcome == "ok" and spider_name == "edgar_daily":
        record_daily_completed(args.data_dir, date.fromisoformat(spider_args.get("to") or date.today().isoformat()))
    print("crawl: " + ", ".join(f"{k}={v}" for k, v in sorted(summary.items())))
    if code == 0 and not args.no_build:
        return _build_locked(args.data_dir, None)
    return code


# -- build and sql ------------------------------------------------------------------------------


def run_build(data_dir: Path, workers: int | None, full: bool = False) -> int:
    if not (data_dir / "ledger.sqlite").exists():
        raise UsageProblem(f"{data_dir} has no raw archive (no ledger.sqlite): crawl into it first")
    if workers is not None and workers < 1:
        raise UsageProblem(f"--workers {workers}: give 1 or more (default: all cores)")
    with data_dir_lock(data_dir):
        return _build_locked(data_dir, workers, full)


def run_compact(data_dir: Path) -> int:
    from pipelines.build import compact_corpus

    with data_dir_lock(data_dir):
        try:
            build_id, merged = compact_corpus(data_dir)
        except FileNotFoundError as exc:
            raise UsageProblem(str(exc)) from None
    print(f"compact {build_id}: merged the files of {merged} partitions")
    return 0


def _build_locked(data_dir: Path, workers: int | None, full: bool = False) -> int:
    from pipelines.build import build_corpus

    report = build_corpus(data_dir, workers=workers, full=full)
    print(f"build {report.build_id} ({report.mode}, {report.normalized} filings normalized, catalog {report.catalog}): "
          f"{report.filings} filings, {report.documents} documents, "
          f"{report.letters} letters, {report.comments} comments, {report.conversations} conversations, "
          f"{report.failures} failures "
          f"in {report.seconds:.1f}s -> {data_dir / 'corpus'}, {data_dir / 'corpus.duckdb'}")
    if report.needs_ocr:
        advice = ("OCR failed on them" if report.ocr
                  else "install tesseract (e.g. apt-get install tesseract-ocr) and rebuild")
        print(f"  {report.needs_ocr} scanned documents have no text ({advice}); see documents.needs_ocr")
    return 0


def run_sql(data_dir: Path, query: str, as_csv: bool) -> int:
    import duckdb

    from corpus.catalog import CatalogError, connect

    try:
        con = connect(data_dir)
    except CatalogError as exc:
        print(exc, file=sys.stderr)
        return EXIT_NO_CORPUS
    try:
        if as_csv:
            cursor = con.execute(query)
            writer = csv.writer(sys.stdout)
            writer.writerow([d[0] for d in cursor.description or []])
            writer.writerows(cursor.fetchall())
        else:
            con.sql(query).show(max_rows=200, max_width=160)
    except duckdb.Error as exc:
        print(f"SQL error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        con.close()
    return 0


def run_status(data_dir: Path, limit: int) -> int:
    from corpus.status import archive_status, format_status

    try:
        print(format_status(archive_status(data_dir), limit=max(0, limit)))
    except FileNotFoundError as exc:
        raise UsageProblem(str(exc)) from None
    return 0


def run_search(data_dir: Path, query: str, limit: int) -> int:
    import textwrap

    from corpus.catalog import CatalogError, connect, search_letters

    if limit < 1:
        raise UsageProblem("--limit must be 1 or more")
    try:
        con = connect(data_dir)
    except CatalogError as exc:
        print(exc, file=sys.stderr)
        return EXIT_NO_CORPUS
    try:
        hits = search_letters(con, query, limit)
    finally:
        con.close()
    if not hits:
        print(f"no letter contains all of: {query}")
        return 0
    for rank, (score, company, dated, kind, conversation, accession, text) in enumerate(hits, start=1):
        print(f"{rank:2d}. {score:6.2f}  {company}  {dated}  {kind}  {conversation}  {accession}")
        first = next((m.start() for w in query.lower().split() if (m := re.search(re.escape(w), text.lower()))), 0)
        print(textwrap.indent(textwrap.shorten(text[max(0, first - 80):first + 220], 160), "      "))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "fake-edgar":
        from fake_edgar.server import main as fake_main

        fake_main(argv[1:])
        return 0
    args = build_parser().parse_args(argv)
    try:
        if args.command == "crawl":
            return run_crawl(args)
        if args.command == "build":
            return run_build(args.data_dir, args.workers, args.full)
        if args.command == "compact":
            return run_compact(args.data_dir)
        if args.command == "sql":
            return run_sql(args.data_dir, args.query, args.csv)
        if args.command == "status":
            return run_status(args.data_dir, args.limit)
        if args.command == "search":
            return run_search(args.data_dir, args.query, args.limit)
        if args.command == "demo":
            from edgar_corpus.demo import run_demo

            return run_demo(args.data_dir, args.sample)
    except UsageProblem as exc:
        print(f"edgar-corpus {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
