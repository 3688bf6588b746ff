"""Which listed filings a recorded crawl asked for (status's "never fetched" counts only those)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from corpus.status import in_scope
from pipelines.indexes import ListedFiling

FILING = ListedFiling("0001193125-20-000001", 320193, "CORRESP", date(2020, 3, 2), "APPLE INC")


def run(scope: dict, started_at: str = "2020-06-01T00:00:00+00:00") -> dict:
    return {"scope": json.dumps(scope), "started_at": started_at}


@pytest.mark.parametrize(("scope", "started_at", "expected"), [
    ({"forms": "UPLOAD,CORRESP", "from": "2020-03-01", "to": "2020-03-31"}, "2020-06-01", True),
    ({"forms": "UPLOAD,CORRESP", "from": "2020-03-03", "to": "2020-03-31"}, "2020-06-01", False),
    ({"forms": "UPLOAD", "from": "2020-01-01", "to": "2020-12-31"}, "2020-06-01", False),
    ({"forms": "UPLOAD,CORRESP", "from": "2020-01-01"}, "2020-03-02", True),  # no --to: up to the crawl's day
    ({"forms": "UPLOAD,CORRESP", "from": "2020-01-01"}, "2020-03-01", False),
    ({"forms": "UPLOAD,CORRESP", "cik": "789019,320193"}, "2020-06-01", True),
    ({"forms": "UPLOAD,CORRESP", "cik": "789019"}, "2020-06-01", False),
    ({}, "2020-06-01", True),  # a run recorded before scopes were: assume it asked
])
def test_in_scope(scope, started_at, expected):
    assert in_scope(FILING, run(scope, started_at)) is expected
