"""Ingest the landing zone: archive each delivered file, check it against its contract, pseudonymise
and write the accepted rows for dbt, quarantine the rest with every reason, and record all in the ledger.

The landing originals are never moved, modified or deleted; each is first copied into the
content-addressed archive, and only that copy is parsed, in a child process with hard limits
(``ingest.probe``). A rule set to ``reject_rows`` sets the offending rows aside in
``quarantine/<sha12>__rows.parquet`` and loads the rest; any other problem refuses the whole file.
A newer delivery for the same entity, feed and period supersedes the one before it. One bad file
never stops the others.

This module runs the whole: which entries are looked at, in which order, by which processes, and
what the ledger says afterwards. The jobs it hands out:

- ``ingest.entries``: one process's entries, one at a time, in landing order;
- ``ingest.parallel``: the feeds shared among worker processes, for a run of many files;
- ``ingest.landing``: what is in the landing zone, what may be read, the archive;
- ``ingest.table_checks``: location, schema and row-level rules of one file;
- ``ingest.batching`` and ``ingest.batch_suite``: the rules of a feed's files in one GX run;
- ``ingest.outcome``: one file read, then loaded or quarantined, and recorded;
- ``ingest.ledger``, ``ingest.ingested``, ``ingest.references``: the ledger, the ingested folder
  dbt reads, and the codes other feeds are checked against.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

from cpmonitor.core.contracts import Contract, load_contracts, referenced_feeds
from cpmonitor.core.settings import Settings
from cpmonitor.core.statuses import (
    LOADED_WITH_REJECTIONS,
    QUARANTINED,
    SKIPPED,
    USED_STATUSES,
)
from expectations.results import CheckResult
from ingest.context import RunContext
from ingest.entries import ingest_entries
from ingest.ingested import remove_superseded_copies, write_empty_feed_files
from ingest.landing import (
    DeliveryKey,
    LandingEntry,
    landing_entries,
)
from ingest.ledger import (
    LedgerIndex,
    LedgerRow,
    append_rows,
    read_ledger,
    read_ledger_table,
    supersede,
    write_ledger,
)
from ingest.outcome import (
    FileOutcome,
    FileResult,
)
from ingest.parallel import FeedPool, feed_tasks, workers_for
from ingest.probe import ParseLimits, ProbeServer
from ingest.schema import forget_reused
from ingest.table_checks import ROW_REASONS, check_table

# The public names of ingest. ``read_ledger``, ``check_table``, ``ROW_REASONS`` and
# ``write_empty_feed_files`` live in their own modules and are also read from here by tests.
__all__ = [
    "ROW_REASONS",
    "FileResult",
    "IngestReport",
    "Progress",
    "check_table",
    "ingest_landing",
    "read_ledger",
    "write_empty_feed_files",
]

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class IngestReport:
    """Summary of one ingest run: counts, one result per file seen, and the feed check results.

    ``files_loaded`` counts every file whose rows were loaded, with or without rejected rows.
    """

    files_seen: int
    files_loaded: int
    files_quarantined: int
    files_skipped: int
    results: list[FileResult] = field(default_factory=list)
    check_results: list[CheckResult] = field(default_factory=list)
    files_loaded_with_rejections: int = 0
    files_superseded: int = 0


def ingest_landing(
    settings: Settings,
    *,
    run_id: str,
    contracts: dict[str, Contract] | None = None,
    progress: Progress | None = None,
    limits: ParseLimits | None = None,
    workers: int | None = None,
) -> IngestReport:
    """Process every file in the landing zone not already in the ledger; return what happened.

    ``workers`` processes share the feeds (``ingest.parallel``); by default one per core for a
    run of many new files (``parallel.workers_for``: a month's deliveries stay in one process),
    1 for none."""
    settings.ensure_dirs()
    contracts = load_contracts() if contracts is None else contracts
    write_empty_feed_files(settings.ingested_dir, contracts)
    ledger = read_ledger_table(settings.ledger_file)
    entries = _in_processing_order(landing_entries(settings.landing_dir), contracts)
    if workers is None:  # the entries under a name the ledger does not know are the work to do
        known = set(ledger.column("source_file").to_pylist())
        workers = workers_for(sum(e.source_file not in known for e in entries))
    workers = max(1, workers)
    results: list[FileResult] = []
    checks: list[CheckResult] = []
    new_rows: list[LedgerRow] = []
    newly_superseded: list[LedgerRow] = []
    done = 0

    def record(outcome: FileOutcome) -> None:
        results.append(outcome.result)
        checks.extend(outcome.checks)
        if outcome.row is not None:
            new_rows.append(outcome.row)

    def advance(files: int, label: str) -> None:
        nonlocal done
        done += files
        if progress is not None:
            progress(label, done, len(entries))

    def emit(outcome: FileOutcome) -> None:
        record(outcome)
        advance(1, outcome.result.source_file)

    first, rest = _first_and_rest(entries, contracts, workers)
    with ProbeServer() as server:
        context = RunContext(settings, contracts, limits or ParseLimits(), run_id, server)
        try:
            # the workers are stopped before the ledger is written
            with contextlib.ExitStack() as stack:
                pool = None
                if rest:
                    settings.pseudonym_key()  # made here once, never by two workers at once
                    pool = stack.enter_context(
                        FeedPool(workers, settings, contracts, context.limits, run_id)
                    )
                ingest_entries(context, LedgerIndex.of(ledger), first, emit)
                if pool is not None:
                    finished: list[tuple[int, FileOutcome]] = []
                    try:
                        for outcomes in pool.run(feed_tasks(rest, settings.landing_dir), advance):
                            finished.extend(outcomes)
                    finally:  # in the run's order, as one process would have recorded them
                        for _position, outcome in sorted(finished, key=lambda item: item[0]):
                            record(outcome)
        finally:
            if new_rows:
                ledger, newly_superseded = supersede(append_rows(ledger, new_rows))
                write_ledger(ledger, settings.ledger_file)
            remove_superseded_copies(ledger, settings.ingested_dir)
            forget_reused()
    return IngestReport(
        files_seen=len(results),
        files_loaded=sum(r.status in USED_STATUSES for r in results),
        files_quarantined=sum(r.status == QUARANTINED for r in results),
        files_skipped=sum(r.status == SKIPPED for r in results),
        results=results,
        check_results=checks,
        files_loaded_with_rejections=sum(r.status == LOADED_WITH_REJECTIONS for r in results),
        files_superseded=len(newly_superseded),
    )


def _first_and_rest(
    entries: list[LandingEntry], contracts: dict[str, Contract], workers: int
) -> tuple[list[LandingEntry], list[tuple[int, LandingEntry]]]:
    """The entries this process ingests first (all of them with one worker: else the referenced
    feeds' deliveries), and the rest with their positions, for the workers."""
    if workers <= 1:
        return entries, []
    referenced = referenced_feeds(contracts)
    first = [e for e in entries if DeliveryKey.of(e.source_file).feed in referenced]
    rest = [
        (position, e)
        for position, e in enumerate(entries)
        if DeliveryKey.of(e.source_file).feed not in referenced
    ]
    return first, rest


def _in_processing_order(
    entries: list[LandingEntry], contracts: dict[str, Contract]
) -> list[LandingEntry]:
    """Deliveries of referenced feeds (e.g. admin units) first, so codes are checked against them."""
    first = referenced_feeds(contracts)
    return sorted(
        entries, key=lambda e: (DeliveryKey.of(e.source_file).feed not in first, e.source_file)
    )
