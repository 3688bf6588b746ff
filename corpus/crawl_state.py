"""The daily crawl's continuation state: `<data-dir>/crawl-state.json`, the last day a daily crawl completed.

`scrapy crawl edgar_daily` (or `edgar-corpus crawl --daily`) with no `from` starts a week before that day, so
a filing EDGAR listed late in the daily index of a day already read is still found; index files come back as
304s and archived filings are not fetched again.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from corpus.archive import write_atomic

DAILY_REREAD_DAYS = 7  # a daily crawl with no `from` re-reads a week before the last day it completed


class NoDailyState(ValueError):
    """No daily crawl of this data dir has completed: the first one needs a start day."""


def state_path(data_dir: Path | str) -> Path:
    return Path(data_dir) / "crawl-state.json"


def daily_completed_through(data_dir: Path | str) -> date | None:
    path = state_path(data_dir)
    if not path.exists():
        return None
    try:
        return date.fromisoformat(json.loads(path.read_text())["daily_completed_through"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a damaged state file: the user is asked for --from, nothing is guessed


def continue_daily_from(data_dir: Path | str, reread_days: int = DAILY_REREAD_DAYS) -> tuple[date, date]:
    """(start day, last completed day) of a daily crawl with no start day given."""
    completed = daily_completed_through(data_dir)
    if completed is None:
        raise NoDailyState(f"no daily crawl of {data_dir} has completed yet: give the first one a start day "
                           "(--from YYYY-MM-DD, or -a from=YYYY-MM-DD); later daily crawls continue from where "
                           "the last one ended")
    return completed - timedelta(days=reread_days), completed


def record_daily_completed(data_dir: Path | str, through: date) -> None:
    """After a daily crawl that ended well: remember its last day (never moving backwards)."""
    path = state_path(data_dir)
    try:
        state = json.loads(path.read_text()) if path.exists() else {}
    except (OSError, ValueError):
        state = {}
    previous = daily_completed_through(data_dir)
    if previous is None or previous < through:
        state["daily_completed_through"] = through.isoformat()
        write_atomic(path, json.dumps(state, indent=2).encode())
