"""Worker processes with a budget per task: the build's executor, kept apart from what it executes.

Each worker takes one task at a time. A task that runs past its time budget, grows its worker past the memory
budget, or kills its worker (a crash in C code, the kernel's OOM killer) becomes an error result with the
reason; its worker is replaced and every other task goes on. (A ProcessPoolExecutor cannot do this: one dead
worker breaks the whole pool, and the same filing broke every rebuild.)

Memory is watched two ways: the parent polls each worker's resident set (RSS, less what it had when forked)
and kills it over the budget, and each worker's address space is capped (RLIMIT_AS) at its size when started
plus three times the budget, so an allocation too fast for the polling still fails inside the worker (a
MemoryError, reported as such).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import resource
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
POLL_SECONDS = 0.2  # how often the parent looks at each worker's memory and clock
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True, slots=True)
class Budget:
    """What one task may use in its worker."""

    seconds: float = 300.0
    memory_bytes: int = 1536 * 1024**2


@dataclass(slots=True)
class Outcome(Generic[R]):
    """A task's result, or why there is none."""

    index: int  # position of the task in the input
    value: R | None
    error: str | None = None


def _die_with_parent() -> None:
    """On Linux, have the kernel kill this worker when the build process dies: otherwise a kill -9 of a build
    leaves its workers running, holding the data dir's lock that they inherited."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG


def _virtual_size() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * _PAGE
    except OSError:
        return 0


def _resident_size(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _worker_loop(connection: Connection, work: Callable[[Any], Any], memory_bytes: int) -> None:
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if memory_bytes and hasattr(resource, "RLIMIT_AS"):
        limit = _virtual_size() + 3 * memory_bytes
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        try:
            message = connection.recv()
        except EOFError:
            return
        if message is None:
            return
        index, task = message
        try:
            outcome = Outcome(index, work(task))
        except MemoryError:
            outcome = Outcome(index, None, "over the memory budget (MemoryError)")
        except Exception as exc:  # a bug on one task must not stop the others
            outcome = Outcome(index, None, f"unexpected {type(exc).__name__}: {exc}")
        try:
            connection.send(outcome)
        except MemoryError:
            connection.send(Outcome(index, None, "over the memory budget (its result could not be sent back)"))


class _Worker:
    def __init__(self, context: Any, work: Callable[[Any], Any], memory_bytes: int) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker_loop, args=(child, work, memory_bytes), daemon=True)
        self.process.start()
        child.close()
        self.task: int | None = None
        self.started = 0.0
        # pages shared with the parent count in a forked worker's RSS: the budget is on what it adds
        self.baseline = _resident_size(self.process.pid)

    def give(self, index: int, task: Any) -> None:
        self.connection.send((index, task))
        self.task, self.started = index, time.monotonic()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


def _death(process: multiprocessing.process.BaseProcess) -> str:
    process.join(timeout=1)
    code = process.exitcode
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        return f"its worker died (killed by {name}: out of memory, or a crash in a library)"
    return f"its worker died (exit code {code})"


class BudgetedPool(Generic[T, R]):
    """Run `work` over tasks in `workers` processes, each task within `budget`.

    Workers are forked, so `work` may be any function (or closure) of the parent; tasks and results must pickle.
    """

    def __init__(self, work: Callable[[T], R], workers: int, budget: Budget) -> None:
        self.work = work
        self.size = max(1, workers)
        self.budget = budget
        self.context = multiprocessing.get_context("fork")

    def _spawn(self) -> _Worker:
        return _Worker(self.context, self.work, self.budget.memory_bytes)

    def run(self, tasks: Iterable[T]) -> Iterator[Outcome[R]]:
        """Outcomes as tasks finish (not in input order; `Outcome.index` says which task)."""
        pending = deque(enumerate(tasks))
        if not pending:
            return
        workers = [self._spawn() for _ in range(min(self.size, len(pending)))]
        try:
            while pending or any(w.task is not None for w in workers):
                for worker in workers:
                    if worker.task is None and pending:
                        worker.give(*pending.popleft())
                busy = [w for w in workers if w.task is not None]
                ready = wait([w.connection for w in busy], timeout=POLL_SECONDS)
                for worker in busy:
                    outcome = None
                    if worker.connection in ready:
                        try:
                            outcome = worker.connection.recv()
                        except (EOFError, OSError):
                            outcome = Outcome(worker.task, None, _death(worker.process))
                    else:
                        outcome = self._over_budget(worker)
                    if outcome is None:
                        continue
                    if self._must_replace(outcome) or not worker.process.is_alive():
                        workers[workers.index(worker)] = self._replace(worker)
                    else:
                        worker.task = None
                    yield outcome
        finally:
            for worker in workers:
                worker.stop() if worker.task is None else worker.kill()

    def _over_budget(self, worker: _Worker) -> Outcome[R] | None:
        index = worker.task
        assert index is not None
        elapsed = time.monotonic() - worker.started
        if elapsed > self.budget.seconds:
            return Outcome(index, None, f"over the time budget of {self.budget.seconds:.0f} s (stopped)")
        if self.budget.memory_bytes and _resident_size(worker.process.pid) - worker.baseline > self.budget.memory_bytes:
            return Outcome(index, None, f"over the memory budget of {self.budget.memory_bytes / 1024**2:.0f} MiB "
                                        "(stopped)")
        if not worker.process.is_alive():
            return Outcome(index, None, _death(worker.process))
        return None

    @staticmethod
    def _must_replace(outcome: Outcome[R]) -> bool:
        return outcome.error is not None and outcome.error.startswith(("over the", "its worker died"))

    def _replace(self, worker: _Worker) -> _Worker:
        worker.kill()
        return self._spawn()
