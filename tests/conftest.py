"""Shared fixtures: the bundled sample, a real fake-EDGAR server, and real crawls through the CLI.

Crawls run `edgar-corpus` in a subprocess (Twisted's reactor cannot restart inside one pytest
process, and a subprocess is what a user runs); the fake EDGAR runs in this process on loopback,
so tests read its request log directly.
"""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fake_edgar import FakeEdgar, FakeEdgarConfig, read_log

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "edgar"
SAMPLES = ROOT / "tests" / "data" / "samples"
SHARED_MIRROR = ROOT.parent / "shared" / "edgar-mirror"
USER_AGENT = "edgar-corpus tests tests@example.org"


def sample_rows() -> list[dict[str, str]]:
    """MIRROR.tsv of the bundled sample: the independent truth about every filing in it."""
    with (SAMPLE / "MIRROR.tsv").open(newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def raw_path(root: Path, cik: str | int, accession: str) -> Path:
    return root / "Archives/edgar/data" / str(cik) / accession.replace("-", "") / f"{accession}.txt"


@dataclass
class CrawlResult:
    data_dir: Path
    returncode: int
    stdout: str
    stderr: str
    requests: list[dict]

    def ledger(self, status: str | None = None) -> dict[str, dict]:
        con = sqlite3.connect(self.data_dir / "ledger.sqlite")
        con.row_factory = sqlite3.Row
        rows = con.execute("SELECT * FROM filings").fetchall()
        con.close()
        return {r["accession_number"]: dict(r) for r in rows if status is None or r["status"] == status}


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("EDGAR_")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "edgar_corpus.cli", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout, cwd=ROOT)


def crawl_args(server: FakeEdgar, data_dir: Path, *args: str, user_agent: str | None = USER_AGENT) -> list[str]:
    out = ["crawl", "--data-dir", str(data_dir), "--edgar-url", server.url, "--data-url", server.url, *args]
    if user_agent is not None:
        out += ["--user-agent", user_agent]
    return out


@pytest.fixture
def fake_edgar(tmp_path: Path) -> Iterator[callable]:
    """Factory: start a fake EDGAR over the sample with config overrides; stopped after the test."""
    servers: list[FakeEdgar] = []

    def start(**overrides: object) -> FakeEdgar:
        config = FakeEdgarConfig(root=SAMPLE, log_path=tmp_path / f"requests-{len(servers)}.jsonl")
        for key, value in overrides.items():
            setattr(config, key, value)
        server = FakeEdgar(config).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def run_crawl(server: FakeEdgar, data_dir: Path, *args: str, **kwargs: object) -> CrawlResult:
    env = kwargs.pop("env", None)
    proc = cli(*crawl_args(server, data_dir, *args, **kwargs), env=env)
    return CrawlResult(data_dir, proc.returncode, proc.stdout, proc.stderr, read_log(server.config.log_path))


@pytest.fixture(scope="session")
def full_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CrawlResult]:
    """The whole bundled sample crawled once through the quarterly indexes, then built."""
    base = tmp_path_factory.mktemp("full")
    config = FakeEdgarConfig(root=SAMPLE, log_path=base / "requests.jsonl")
    with FakeEdgar(config) as server:
        result = run_crawl(server, base / "data", "--from", "2005-01-01", "--to", "2026-03-31", "--verbose")
    assert result.returncode == 0, result.stderr[-3000:]
    yield result


# Accuracy figures that tests measured (tests/pipelines/test_letter_accuracy.py), printed at the end of the run
ACCURACY_REPORTS: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if ACCURACY_REPORTS:
        terminalreporter.section("accuracy on labeled letters")
        for line in ACCURACY_REPORTS:
            terminalreporter.write_line(line)
