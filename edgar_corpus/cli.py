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
import json
import logging
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from corpus.tables import REGISTRY
from edgar_corpus import edgar

EXIT_USAGE, EXIT_EDGAR, EXIT_NO_CORPUS, EXIT_BUILD, EXIT_INTERRUPTED, EXIT_CLOSED_PIPE = 2, 3, 4, 5, 130, 141
DEFAULT_FORMS = ",".join(edgar.DEFAULT_FORMS)
DRAFT_FORMS = ",".join(edgar.DRAFT_FORMS)
SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "edgar"


class UsageProblem(Exception):
    """A bad command line; the message says what to do."""


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: use YYYY-MM-DD") from None


def _rate(value: str) -> float:
    from crawler.middlewares import rate_problem

    try:
        rate = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if problem := rate_problem(rate):
        raise argparse.ArgumentTypeError(f"{problem}; the default is 8")
    return rate


def _seconds(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None


DATA_DIR_HELP = "the data dir: raw archive (raw/, ledger.sqlite), Parquet corpus (corpus/), catalog (corpus.duckdb)"
SQL_FORMATS = ("table", "csv", "json", "line", "parquet")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="edgar-corpus", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="Run `edgar-corpus COMMAND --help` for a command's options.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    crawl = commands.add_parser("crawl", help="fetch letters from EDGAR into the raw archive, then build")
    crawl.add_argument("--data-dir", type=Path, required=True, help=DATA_DIR_HELP)
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
    crawl.add_argument("--throttle-pause", type=_seconds, default=None,
                       help="seconds to stop after a throttle page (env EDGAR_THROTTLE_PAUSE, default 600)")
    crawl.add_argument("--no-build", action="store_true", help="archive only; build later with `build`")
    crawl.add_argument("--verbose", "-v", action="store_true",
                       help="also Scrapy's own log: versions, settings, components, stats (or set EDGAR_LOG_LEVEL)")
    crawl.add_argument("--setting", "-s", action="append", default=[], metavar="NAME=VALUE",
                       help="override a Scrapy setting (as `scrapy crawl -s`)")

    build = commands.add_parser("build", help="normalize new filings of the raw archive into the Parquet corpus "
                                              "and DuckDB catalog")
    build.add_argument("--data-dir", type=Path, required=True, help=DATA_DIR_HELP)
    build.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    build.add_argument("--full", action="store_true",
                       help="normalize every filing again instead of adding the new ones to the corpus")

    compact = commands.add_parser("compact", help="merge the small files incremental builds add, per partition")
    compact.add_argument("--data-dir", type=Path, required=True, help=DATA_DIR_HELP)

    sql = commands.add_parser("sql", help="run SQL against the corpus catalog and print the result")
    sql.add_argument("--data-dir", type=Path, required=True, help=DATA_DIR_HELP)
    sql.add_argument("--format", choices=SQL_FORMATS, default="table",
                     help="table (default); csv; json (one object per row, a line each); line (one column per "
                          "line, for long text); parquet (to --output). Lists, structs and dates are written as "
                          "JSON and ISO dates in csv and json")
    sql.add_argument("--csv", dest="format", action="store_const", const="csv", help="the same as --format csv")
    sql.add_argument("--output", "-o", type=Path, help="the file --format parquet writes")
    sql.add_argument("query", help="SQL over the corpus's tables and the catalog's macros; tables: "
                                   + "; ".join(f"{t.name} ({t.summary})" for t in REGISTRY) + " (docs/SCHEMA.md)")

    status = commands.add_parser("status", help="what the data dir holds: archive, last crawls, failures")
    status.add_argument("--data-dir", type=Path, required=True, help=DATA_DIR_HELP)
    status.add_argument("--limit", type=int, default=20, help="failures and unfetched filings to list (default 20)")

    search = commands.add_parser(
        "search", help="full-text search (BM25): letters, staff comments or company answers",
        description="Ranked (BM25) search over the corpus. Query language: words (all required, stemmed); "
                    '"a phrase" (exactly that sequence); codes such as 606-10-25-19, 10-K, 10(e) (matched exactly); '
                    "OR; -word or NOT word; revenu* (prefix); ( ) grouping.")
    search.add_argument("--data-dir", type=Path, required=True, help="the data dir whose corpus to search")
    search.add_argument("query",
                        help='e.g. \'"going concern"\', \'ASC 606\', \'"Item 303" -segment\', \'non-GAAP OR EBITDA\'')
    search.add_argument("--in", dest="scope", choices=("letters", "comments", "answers"), default="letters",
                        help="whole letters (default), staff comments, or company answers")
    search.add_argument("--from", dest="start", type=_iso_date, help="letters dated on or after (YYYY-MM-DD)")
    search.add_argument("--to", dest="end", type=_iso_date, help="letters dated on or before (YYYY-MM-DD)")
    search.add_argument("--year", type=int, help="letters dated in this year")
    search.add_argument("--form", action="append", default=[],
                        help="the letter's form (UPLOAD, CORRESP) or a form its Re: block names (10-K, S-1); "
                             "repeat for several")
    search.add_argument("--kind", choices=edgar.LETTER_KINDS, help="the letter's kind")
    search.add_argument("--sender", choices=(edgar.STAFF, edgar.COMPANY), help="who wrote the letter")
    search.add_argument("--cik", type=int, help="the company's CIK")
    search.add_argument("--company", help="words of the company's name")
    search.add_argument("--office", help="words of the staff office, e.g. 'Technology'")
    search.add_argument("--topic", help="a topic of taxonomy v1 (docs/comment-topics.md), e.g. non_gaap")
    search.add_argument("--limit", type=int, default=10, help="hits to print (default 10)")
    search.add_argument("--format", choices=("table", "json", "csv"), default="table",
                        help="table (default), json (one object per line) or csv")

    audit = commands.add_parser(
        "audit", help="consistency checks that flag likely parsing errors in the built corpus, without labels",
        description="Each check counts the rows it looked at and the rows it flags (a response dated before the "
                    "letter it answers, a heading that is only a page number, ...) and shows examples. A flag is "
                    "a lead to read, not a verdict. Exit 0 whatever is flagged.")
    audit.add_argument("--data-dir", type=Path, required=True, help=DATA_DIR_HELP)
    audit.add_argument("--format", choices=("table", "json"), default="table",
                       help="table (default) or json (one object per check, with every flagged row)")
    audit.add_argument("--examples", type=int, default=5, help="flagged rows to show per check in the table")

    demo = commands.add_parser("demo", help="serve the bundled sample with the fake EDGAR, crawl, build, summarize")
    demo.add_argument("--data-dir", type=Path, default=Path("demo-data"),
                      help="a new or empty folder, or one an earlier demo made (default demo-data); the demo never "
                           "touches a data dir it did not create")
    demo.add_argument("--sample", type=Path, default=SAMPLE, help="mirror tree to serve")

    fake = commands.add_parser("fake-edgar", help="serve a mirror tree like EDGAR on loopback (for tests/mirrors)")
    fake.add_argument("args", nargs=argparse.REMAINDER)
    return parser


# -- crawl ------------------------------------------------------------------------------------------
# The CLI only turns flags into a spider, its arguments and settings: the lock, the run record, the daily
# continuation and the build after the crawl are the crawl's own extensions (crawler/extensions.py), so a
# plain `scrapy crawl` (and a scrapyd job) behaves the same.


def crawl_plan(args: argparse.Namespace) -> tuple[str, dict[str, str]]:
    """The spider and its arguments for a crawl command line; UsageProblem when it makes no sense."""
    from corpus.crawl_state import NoDailyState, continue_daily_from
    from crawler.spiders.base import split_forms

    asked = split_forms(args.forms, ())
    if unknown := [f for f in asked if f not in edgar.LETTER_FORMS]:
        raise UsageProblem(f"--forms {','.join(unknown)}: not a comment-letter form; this crawler keeps "
                           f"{', '.join(edgar.LETTER_FORMS)} (default {DEFAULT_FORMS}; --include-drafts adds "
                           f"{DRAFT_FORMS})")
    if not asked:
        raise UsageProblem(f"--forms is empty: give form types, e.g. {DEFAULT_FORMS}")
    forms = args.forms + ("," + DRAFT_FORMS if args.include_drafts else "")
    kwargs = {"forms": forms}
    if args.cik:
        if args.start or args.end or args.daily:
            raise UsageProblem("--cik crawls all correspondence of the companies: drop --from/--to/--daily")
        return "edgar_company", {**kwargs, "cik": ",".join(str(c) for c in args.cik)}
    if args.daily and not args.start:
        try:
            start, _completed = continue_daily_from(args.data_dir)
        except NoDailyState as exc:
            raise UsageProblem(str(exc)) from None
        if args.end and args.end < start:
            raise UsageProblem(f"--to {args.end} is before {start}, where the daily crawl continues")
    elif not args.start:
        raise UsageProblem("say what to crawl: --from YYYY-MM-DD [--to YYYY-MM-DD] [--daily], or --cik N")
    elif args.end and args.end < args.start:
        raise UsageProblem(f"--to {args.end} is before --from {args.start}")
    elif args.start > date.today():
        raise UsageProblem(f"--from {args.start} is in the future")
    else:
        kwargs["from"] = args.start.isoformat()
    if args.end:
        kwargs["to"] = args.end.isoformat()
    return ("edgar_daily" if args.daily else "edgar_quarterly"), kwargs


def crawl_settings(args: argparse.Namespace) -> Any:
    from crawler.middlewares import throttle_pause_problem, user_agent_problem

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    overrides = {
        "USER_AGENT": args.user_agent, "EDGAR_RATE": args.rate, "EDGAR_URL": args.edgar_url,
        "EDGAR_DATA_URL": args.data_url, "EDGAR_THROTTLE_PAUSE": args.throttle_pause,
        "EDGAR_DATA_DIR": str(args.data_dir), "EDGAR_BUILD_AFTER_CRAWL": not args.no_build,
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
    problem = throttle_pause_problem(settings.getfloat("EDGAR_THROTTLE_PAUSE"),
                                     settings.getbool("EDGAR_ALLOW_SHORT_PAUSE"))
    if problem:
        raise UsageProblem(problem)
    for option, name in (("--edgar-url", "EDGAR_URL"), ("--data-url", "EDGAR_DATA_URL")):
        if problem := base_url_problem(settings.get(name)):
            raise UsageProblem(f"{option} {settings.get(name)!r}: {problem}")
    return settings


def base_url_problem(url: str | None) -> str | None:
    """Why a base URL cannot be crawled, or None: http(s), a host, no path beyond it."""
    from urllib.parse import urlsplit

    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "give a full base URL with its scheme, e.g. https://www.sec.gov (or http://127.0.0.1:8765)"
    if parts.path.strip("/") or parts.query or parts.fragment:
        return "give only the scheme and host, e.g. https://www.sec.gov (the crawl adds /Archives/...)"
    return None


def check_data_dir_free(data_dir: Path) -> None:
    """Refuse early, with a message, when another crawl or build holds the data dir (the crawl's own
    extension takes the lock for real)."""
    from crawler.extensions import DataDirBusy, lock_data_dir

    try:
        lock_data_dir(data_dir).close()
    except DataDirBusy as exc:
        raise UsageProblem(str(exc)) from None


OUTCOME_ADVICE = {
    "throttled": (EXIT_EDGAR, "EDGAR kept throttling this crawl; it stopped. Lower --rate, make sure no other "
                              "crawler shares your IP, and run the same command again: archived filings are not "
                              "fetched twice."),
    "unreachable": (EXIT_EDGAR, "Could not reach EDGAR at {url}. Check the network or --edgar-url/--data-url, then "
                                "run the same command again."),
    "incomplete": (EXIT_EDGAR, "{listings} index or submissions files could not be read (see `edgar-corpus status "
                               "--data-dir {data_dir}`), so some filings may not have been listed. Run the same "
                               "command again; archived filings are not fetched twice."),
    "interrupted": (EXIT_INTERRUPTED, "The crawl was stopped. Run the same command again to resume: archived "
                                      "filings are not fetched twice."),
}


class ScrapyChatterFilter:
    """Drops Scrapy's and Twisted's own INFO and DEBUG lines (versions, settings, enabled components, the stats
    dump); the crawl's own lines (progress, pauses, the build) and every warning or error pass."""

    NAMES = ("scrapy", "twisted", "py.warnings")

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or not record.name.startswith(self.NAMES)


def quiet_scrapy(verbose: bool) -> ScrapyChatterFilter | None:
    """Quiet by default: Scrapy's chatter and deprecation warnings only with --verbose or an explicit
    EDGAR_LOG_LEVEL. The filter goes on Scrapy's version logger now (it logs while CrawlerProcess starts); the
    levels follow once CrawlerProcess has configured logging (`attach_quiet_filter`)."""
    if verbose or os.environ.get("EDGAR_LOG_LEVEL"):
        return None
    import warnings

    from scrapy.exceptions import ScrapyDeprecationWarning

    warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning)
    chatter = ScrapyChatterFilter()
    logging.getLogger("scrapy.utils.log").addFilter(chatter)
    return chatter


def attach_quiet_filter(chatter: ScrapyChatterFilter | None) -> None:
    """After CrawlerProcess has configured logging (which sets Scrapy's loggers to DEBUG); each crawler installs
    its own root handler later, so the levels, not a handler filter, keep the chatter out."""
    if chatter is not None:
        for name in ScrapyChatterFilter.NAMES:
            logging.getLogger(name).setLevel(logging.WARNING)


def run_crawl(args: argparse.Namespace) -> int:
    spider_name, spider_args = crawl_plan(args)
    settings = crawl_settings(args)
    check_data_dir_free(args.data_dir)
    from scrapy.crawler import CrawlerProcess

    chatter = quiet_scrapy(args.verbose)
    process = CrawlerProcess(settings)
    attach_quiet_filter(chatter)
    crawler = process.create_crawler(spider_name)
    process.crawl(crawler, **spider_args)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    outcome = stats.get("edgar/outcome")
    if outcome is None:
        print("The crawl could not start (see the error above).", file=sys.stderr)
        return EXIT_EDGAR
    hidden = ("edgar/outcome", "edgar/build", "edgar/build_failed", "edgar/run_id")
    summary = {k.removeprefix("edgar/"): v for k, v in stats.items() if k.startswith("edgar/") and k not in hidden}
    print("crawl: " + ", ".join(f"{k}={v}" for k, v in sorted(summary.items())) + f"; outcome {outcome}")
    if failed := stats.get("edgar/build_failed"):
        print(f"The crawl archived what it fetched, but the build after it failed ({failed}). Run `edgar-corpus "
              f"build --data-dir {args.data_dir}` once the cause is fixed.", file=sys.stderr)
        return EXIT_BUILD
    if outcome != "ok":
        code, advice = OUTCOME_ADVICE.get(outcome, (EXIT_EDGAR, "The crawl stopped before the end ({outcome}). Run "
                                                   "the same command again to resume: archived filings are not "
                                                   "fetched twice."))
        print(advice.format(url=settings.get("EDGAR_URL"), listings=stats.get("edgar/listings_failed", 0),
                            data_dir=args.data_dir, outcome=outcome), file=sys.stderr)
        return code
    if build := stats.get("edgar/build"):
        print(build)
    return 0


# -- build and sql ------------------------------------------------------------------------------


def run_build(data_dir: Path, workers: int | None, full: bool = False) -> int:
    if not (data_dir / "ledger.sqlite").exists():
        raise UsageProblem(f"{data_dir} has no raw archive (no ledger.sqlite): crawl into it first")
    if workers is not None and workers < 1:
        raise UsageProblem(f"--workers {workers}: give 1 or more (default: all cores)")
    from corpus.build import build_corpus, report_line

    with data_dir_lock(data_dir):
        print(report_line(build_corpus(data_dir, workers=workers, full=full), data_dir))
    return 0


def run_compact(data_dir: Path) -> int:
    from corpus.build import compact_corpus

    with data_dir_lock(data_dir):
        try:
            build_id, merged = compact_corpus(data_dir)
        except FileNotFoundError as exc:
            raise UsageProblem(str(exc)) from None
    print(f"compact {build_id}: merged the files of {merged} partitions")
    return 0


@contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[None]:
    """One crawl or build per data dir at a time (the same lock the crawl's extension takes)."""
    from crawler.extensions import DataDirBusy, lock_data_dir

    try:
        handle = lock_data_dir(data_dir)
    except DataDirBusy as exc:
        raise UsageProblem(str(exc)) from None
    try:
        yield
    finally:
        handle.close()


def run_sql(data_dir: Path, query: str, fmt: str, output: Path | None = None) -> int:
    from corpus.catalog import CatalogError, connect

    if fmt == "parquet" and output is None:
        raise UsageProblem("--format parquet writes a file: give --output FILE.parquet")
    if output is not None and output.exists():
        raise UsageProblem(f"--output {output} exists; give a new file name (nothing is overwritten)")
    if output is not None and fmt != "parquet":
        raise UsageProblem("--output is for --format parquet; other formats print to stdout (redirect with >)")
    try:
        con = connect(data_dir)
    except CatalogError as exc:
        print(exc, file=sys.stderr)
        return EXIT_NO_CORPUS
    with ctrl_c_noted() as pressed:
        code = _run_query(con, query, fmt, output)
    return report_interrupt("sql") if pressed else code


@contextmanager
def ctrl_c_noted() -> Iterator[list[bool]]:
    """Ctrl-C raises KeyboardInterrupt as usual, and is also noted: DuckDB may catch the interruption inside a
    query and return normally (seen once on a loaded machine), and the user must still hear it was interrupted."""
    pressed: list[bool] = []

    def on_sigint(_signum: int, _frame: Any) -> None:
        pressed.append(True)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, previous)


def _run_query(con: Any, query: str, fmt: str, output: Path | None) -> int:
    import duckdb

    try:
        if fmt == "table":
            result = con.sql(query)
            if result is None:  # a statement that returns no rows (SET, CREATE TEMP TABLE, ...)
                print("OK")
            else:
                result.show(max_rows=200, max_width=160)
        elif fmt == "parquet":
            result = con.sql(query)
            if result is None:
                raise UsageProblem("the statement returns no rows to write")
            result.write_parquet(str(output))
            print(f"wrote {output}", file=sys.stderr)
        else:
            cursor = con.execute(query)
            if cursor.description:
                write_rows(cursor, fmt, sys.stdout)
            else:
                print("OK")
    except duckdb.InterruptException as exc:  # Ctrl-C that DuckDB turned into its own error
        raise KeyboardInterrupt from exc
    except duckdb.Error as exc:
        print(f"SQL error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        con.close()
    return 0


def plain_value(value: Any) -> Any:
    """A DuckDB value as JSON has it: dates and times in ISO form, lists and structs as arrays and objects,
    decimals as numbers, everything else as text (never a Python repr such as datetime.date(...))."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [plain_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain_value(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def flat_value(value: Any) -> Any:
    """A value for one cell or line of text: scalars as plain_value has them, lists and structs as JSON."""
    plain = plain_value(value)
    return json.dumps(plain, ensure_ascii=False) if isinstance(plain, (list, dict)) else plain


def write_rows(cursor: Any, fmt: str, out: Any, batch: int = 1000) -> None:
    """Rows of a DuckDB cursor as csv, json (an object per line) or line (one `column = value` per line, a blank
    line between rows), streamed in batches."""
    names = [d[0] for d in cursor.description]
    writer = csv.writer(out)
    if fmt == "csv":
        writer.writerow(names)
    width = max(len(n) for n in names)
    while rows := cursor.fetchmany(batch):
        for row in rows:
            if fmt == "csv":
                writer.writerow([flat_value(v) for v in row])
            elif fmt == "json":
                out.write(json.dumps(dict(zip(names, map(plain_value, row), strict=True)), ensure_ascii=False)
                          + "\n")
            else:
                for name, value in zip(names, row, strict=True):
                    text = flat_value(value)
                    out.write(f"{name:>{width}} = {'NULL' if text is None else text}\n")
                out.write("\n")


def run_status(data_dir: Path, limit: int) -> int:
    from corpus.status import archive_status, format_status

    try:
        print(format_status(archive_status(data_dir), limit=max(0, limit)))
    except FileNotFoundError as exc:
        raise UsageProblem(str(exc)) from None
    return 0


def run_audit(data_dir: Path, fmt: str, examples: int) -> int:
    from corpus.audit import format_audit, run_audit
    from corpus.catalog import CatalogError, connect

    if examples < 0:
        raise UsageProblem("--examples must be 0 or more")
    try:
        con = connect(data_dir)
    except CatalogError as exc:
        print(exc, file=sys.stderr)
        return EXIT_NO_CORPUS
    try:
        results = run_audit(con, examples=None if fmt == "json" else examples)
    finally:
        con.close()
    if fmt == "json":
        for result in results:
            print(json.dumps({"check": result.key, "question": result.question, "looked_at": result.looked_at,
                              "flagged": result.flagged, "rate": round(result.rate, 4),
                              "rows": [{k: plain_value(v) for k, v in e.items()} for e in result.examples]}))
    else:
        print(format_audit(results))
    return 0


def run_search(args: argparse.Namespace) -> int:
    from corpus.catalog import CatalogError, connect, search
    from corpus.search import Filters, QueryError
    from pipelines.topics import KEYS

    if args.limit < 1:
        raise UsageProblem("--limit must be 1 or more")
    if args.topic and args.topic not in KEYS:
        raise UsageProblem(f"--topic {args.topic}: use one of {', '.join(KEYS)}")
    filters = Filters(start=args.start, end=args.end, year=args.year, forms=tuple(args.form), kind=args.kind,
                      sender=args.sender, cik=args.cik, company=args.company, office=args.office, topic=args.topic)
    try:
        con = connect(args.data_dir)
    except CatalogError as exc:
        print(exc, file=sys.stderr)
        return EXIT_NO_CORPUS
    try:
        hits = search(con, args.query, args.scope, filters, args.limit)
    except QueryError as exc:
        raise UsageProblem(f"the query cannot be read: {exc}") from None
    finally:
        con.close()
    if args.format == "json":
        for hit in hits:
            print(json.dumps({k: plain_value(v) for k, v in hit.items()}))
        return 0
    if args.format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(hits[0].keys() if hits else ["rank", "score", "accession_number", "snippet"])
        writer.writerows([flat_value(v) for v in hit.values()] for hit in hits)
        return 0
    if not hits:
        where = {"letters": "letter", "comments": "staff comment", "answers": "company answer"}[args.scope]
        print(f"no {where} matched {args.query!r}" + (" within the filters" if filters != Filters() else ""))
        return 0
    for hit in hits:
        comment = f" comment {hit['comment_number']}" if hit["comment_number"] else ""
        print(f"{hit['rank']:2d}. {hit['score']:6.2f}  {hit['company_name']}  {hit['letter_date']}  "
              f"{hit['letter_kind']}  {hit['conversation_id']}  {hit['accession_number']}{comment}")
        print("      " + hit["snippet"])
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "fake-edgar":
        from fake_edgar.server import main as fake_main

        fake_main(argv[1:])
        return 0
    args = build_parser().parse_args(argv)
    try:
        return run_command(args)
    except BrokenPipeError:  # `edgar-corpus sql ... | head`: the reader has what it wanted
        # Python flushes stdout again at exit, which would raise once more: point it at devnull
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_CLOSED_PIPE
    except KeyboardInterrupt:  # Ctrl-C outside a crawl (a crawl stops cleanly and says so itself)
        return report_interrupt(args.command)
    except Exception as exc:
        if not interrupted_by_user(exc):
            raise
        return report_interrupt(args.command)


def interrupted_by_user(exc: BaseException) -> bool:
    """DuckDB turns Ctrl-C into RuntimeError('Query interrupted') raised from the KeyboardInterrupt."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def report_interrupt(command: str) -> int:
    print(f"\nedgar-corpus {command}: interrupted; run the same command again (a crawl does not fetch archived "
          "filings twice; a build replaces the corpus only when it completes)", file=sys.stderr)
    return EXIT_INTERRUPTED


def run_command(args: argparse.Namespace) -> int:
    try:
        if args.command == "crawl":
            return run_crawl(args)
        if args.command == "build":
            return run_build(args.data_dir, args.workers, args.full)
        if args.command == "compact":
            return run_compact(args.data_dir)
        if args.command == "sql":
            return run_sql(args.data_dir, args.query, args.format, args.output)
        if args.command == "status":
            return run_status(args.data_dir, args.limit)
        if args.command == "search":
            return run_search(args)
        if args.command == "audit":
            return run_audit(args.data_dir, args.format, args.examples)
        if args.command == "demo":
            from edgar_corpus.demo import run_demo

            return run_demo(args.data_dir, args.sample)
    except UsageProblem as exc:
        print(f"edgar-corpus {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
