"""Ingest on several cores: a run's feeds shared among worker processes.

Across feeds, the files of a run touch nothing in common but the codes of the referenced feeds
(``admin_units``: the districts every other feed is checked against), which are ingested first in
the run's own process. Every other feed then goes, whole and in landing order, to one of a few
spawned worker processes, the largest feeds first. A worker ingests its feed exactly as the run's
own process would (``ingest.run``'s ``_Ingest``: the same prefetch, batches, probe children and GX
suites, with its own probe server and GX context) and sends the feed's outcomes back; the run
records them in landing order. So the ledger, the ingested copies, the quarantine and the report
are those of one process: only the wall time differs (national scale, 2 cores: 54 s to about 30 s).

A feed is one task, so one feed's files are never split (its supersessions and batches stay as on
one core). A worker that fails on a feed sends back what it finished and the error; the run then
records what was finished and raises, as one process would.

Workers are *spawned* (never forked: the run's process may hold threads, e.g. a progress bar) and
are only worth their start (a Python interpreter, pyarrow and GX imported, a probe server each:
about 3 s of one core each, hidden behind the referenced feeds) for a run of many files.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.util
import os
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass

from cpmonitor.core.contracts import Contract
from cpmonitor.core.settings import Settings
from ingest.landing import DeliveryKey, LandingEntry
from ingest.outcome import FileOutcome
from ingest.probe import ParseLimits

WORKERS_ENV = "CPMONITOR_INGEST_WORKERS"
MAX_WORKERS = 4
# Below this many new entries a run stays in one process: the workers' start (about 3 s of a core
# each) costs more than they save.
MIN_FILES_FOR_WORKERS = 200


def workers_for(entries: int) -> int:
    """How many worker processes a run with ``entries`` new landing entries uses (1: none).

    ``CPMONITOR_INGEST_WORKERS`` sets it (``1`` keeps ingest in one process); by default one per
    core, at most ``MAX_WORKERS``, for runs of at least ``MIN_FILES_FOR_WORKERS`` new entries."""
    chosen = os.environ.get(WORKERS_ENV, "").strip()
    if chosen:
        try:
            return max(1, int(chosen))
        except ValueError:
            raise ValueError(
                f"{WORKERS_ENV} must be a whole number of worker processes, not {chosen!r}"
            ) from None
    if entries < MIN_FILES_FOR_WORKERS:
        return 1
    return max(1, min(MAX_WORKERS, len(os.sched_getaffinity(0))))


@dataclass(frozen=True)
class FeedTask:
    """One feed's landing entries, each with its place in the run's processing order."""

    feed: str | None
    entries: list[tuple[int, LandingEntry]]
    size: int  # bytes delivered: the largest feeds are handed out first


def feed_tasks(
    entries: list[tuple[int, LandingEntry]], landing_dir: os.PathLike[str]
) -> list[FeedTask]:
    """``entries`` grouped by feed, in landing order within each, the largest feeds first."""
    by_feed: dict[str | None, list[tuple[int, LandingEntry]]] = {}
    for position, entry in entries:
        by_feed.setdefault(DeliveryKey.of(entry.source_file).feed, []).append((position, entry))
    tasks = []
    for feed, items in by_feed.items():
        size = 0
        for _position, entry in items:
            with contextlib.suppress(OSError):
                size += os.stat(os.path.join(landing_dir, entry.source_file)).st_size
        tasks.append(FeedTask(feed, items, size + 4096 * len(items)))  # and a cost per file
    return sorted(tasks, key=lambda t: (-t.size, t.feed or ""))


class FeedPool:
    """Worker processes for one ingest run; use as a context manager. They start (import GX, start
    a probe server) as soon as the pool is made, while the run ingests its referenced feeds."""

    def __init__(
        self,
        workers: int,
        settings: Settings,
        contracts: dict[str, Contract],
        limits: ParseLimits,
        run_id: str,
    ) -> None:
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(settings, contracts, limits, run_id),
        )
        # submitting starts a process per task: every worker starts now, not at the first feed
        self._warming = [self._executor.submit(_ready) for _ in range(workers)]

    def __enter__(self) -> FeedPool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def run(
        self, tasks: list[FeedTask], done: Callable[[int, str], None]
    ) -> Iterator[list[tuple[int, FileOutcome]]]:
        """Each task's outcomes (with their positions) as its feed finishes; ``done(n, label)``
        after each feed with the number of its entries and its last one. A feed that failed raises once every other
        feed's outcomes have been given."""
        for warming in self._warming:
            warming.result()  # a worker that cannot start fails the run here, with its error
        pending: dict[Future[_FeedResult], FeedTask] = {
            self._executor.submit(_ingest_feed, task.entries): task for task in tasks
        }
        failures: list[str] = []
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                task = pending.pop(future)
                result = future.result()
                done(len(task.entries), task.entries[-1][1].source_file)
                yield result.outcomes
                if result.error:
                    failures.append(f"feed {task.feed}: {result.error}")
        if failures:
            raise RuntimeError("ingest failed in a worker process:\n" + "\n".join(failures))


@dataclass(frozen=True)
class _FeedResult:
    outcomes: list[tuple[int, FileOutcome]]
    error: str = ""  # the traceback of a feed that stopped part-way


_worker: dict[str, object] = {}  # this worker process's run context and ledger index


def _start_worker(
    settings: Settings, contracts: dict[str, Contract], limits: ParseLimits, run_id: str
) -> None:
    from ingest.context import RunContext
    from ingest.ledger import LedgerIndex, read_ledger_table
    from ingest.probe import ProbeServer

    server = ProbeServer()
    # a pool worker ends with os._exit: atexit would not run, multiprocessing's finalizers do
    multiprocessing.util.Finalize(server, server.close, exitpriority=10)
    context = RunContext(settings, contracts, limits, run_id, server)
    context.runner()  # GX imported and its context made while the run's first feeds go
    _worker["context"] = context
    # the ledger as the run began: what the run's own process adds first concerns other feeds
    _worker["index"] = LedgerIndex.of(read_ledger_table(settings.ledger_file))


def _ready() -> bool:
    return True


def _ingest_feed(entries: list[tuple[int, LandingEntry]]) -> _FeedResult:
    from ingest.entries import ingest_entries
    from ingest.schema import forget_reused

    outcomes: list[FileOutcome] = []
    error = ""
    try:
        ingest_entries(
            _worker["context"],  # type: ignore[arg-type]
            _worker["index"],  # type: ignore[arg-type]
            [entry for _position, entry in entries],
            outcomes.append,
        )
    except Exception:  # noqa: BLE001  (sent back with what was finished; the run raises it)
        error = traceback.format_exc()
    finally:
        forget_reused()  # the ids kept for reuse are per feed: this feed is done
    positions = [position for position, _entry in entries]
    return _FeedResult(list(zip(positions, outcomes, strict=False)), error)
