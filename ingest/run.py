"""Ingest the landing zone: archive each delivered file, check it against its contract, pseudonymise
and write the accepted rows for dbt, quarantine the rest with every reason, and record all in the ledger.

The landing originals are never moved, modified or deleted; each is first copied into the
content-addressed archive, and only that copy is parsed, in a child process with hard limits
(``ingest.probe``). A rule set to ``reject_rows`` sets the offending rows aside in
``quarantine/<sha12>__rows.parquet`` and loads the rest; any other problem refuses the whole file.
A newer delivery for the same entity, feed and period supersedes the one before it. One bad file
never stops the others.

This module runs the whole: which entries are looked at, in which order, and what the ledger says
afterwards. The jobs it hands out:

- ``ingest.landing``: what is in the landing zone, what may be read, the archive;
- ``ingest.table_checks``: location, schema and row-level rules of one file;
- ``ingest.batching`` and ``ingest.batch_suite``: the rules of a feed's files in one GX run;
- ``ingest.outcome``: one file read, then loaded or quarantined, and recorded;
- ``ingest.ledger``, ``ingest.ingested``, ``ingest.references``: the ledger, the ingested folder
  dbt reads, and the codes other feeds are checked against.
"""

from __future__ import annotations

import contextlib
import os
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
from ingest.batching import FeedBatches
from ingest.context import RunContext
from ingest.ingested import remove_superseded_copies, write_empty_feed_files
from ingest.landing import (
    DeliveredContent,
    DeliveryKey,
    LandingEntry,
    archive_delivery,
    hash_delivery,
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
    FileWork,
    finish_file,
    read_file,
    refused_file,
    skipped_file,
)
from ingest.probe import MAX_FILES_PER_CHILD, ParseLimits, ProbeServer
from ingest.references import References
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
) -> IngestReport:
    """Process every file in the landing zone not already in the ledger; return what happened."""
    settings.ensure_dirs()
    contracts = load_contracts() if contracts is None else contracts
    write_empty_feed_files(settings.ingested_dir, contracts)
    ledger = read_ledger_table(settings.ledger_file)
    entries = _in_processing_order(landing_entries(settings.landing_dir), contracts)
    results: list[FileResult] = []
    checks: list[CheckResult] = []
    new_rows: list[LedgerRow] = []
    newly_superseded: list[LedgerRow] = []
    with ProbeServer() as server:
        context = RunContext(settings, contracts, limits or ParseLimits(), run_id, server)

        def emit(outcome: FileOutcome) -> None:
            results.append(outcome.result)
            checks.extend(outcome.checks)
            if outcome.row is not None:
                new_rows.append(outcome.row)
            if progress is not None:
                progress(outcome.result.source_file, len(results), len(entries))

        run = _Ingest(context, LedgerIndex.of(ledger), emit)
        try:
            for start in range(0, len(entries), MAX_FILES_PER_CHILD):
                window = entries[start : start + MAX_FILES_PER_CHILD]
                run.prefetch(window)
                for entry in window:
                    run.add(entry)
            run.batches.flush()
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


class _Ingest:
    """One run's entries, one at a time: each is refused unread, skipped, or read and
    schema-checked at once; the files read wait in their feed's batch (``ingest.batching``) for
    one GX run, then each is loaded or quarantined exactly as on its own, in landing order."""

    def __init__(
        self, context: RunContext, index: LedgerIndex, emit: Callable[[FileOutcome], None]
    ) -> None:
        self.context = context
        self.index = index
        self.batches = FeedBatches(context, self._finish, emit)
        self._hashed: dict[str, tuple[str, os.stat_result] | Exception] = {}

    def prefetch(self, entries: list[LandingEntry]) -> None:
        """Hash the next entries, and archive and probe in one round trip the files among them
        that ``read_file`` will read (as the ledger stands), so each is probed in a warm child.

        Only files that are read anyway are archived: one found to need no reading by the time
        it comes (its content loaded meanwhile, in this run) has content archived in this run.
        Nothing here decides an outcome: a failure is met again, and reported, when the entry
        comes (``_begin``)."""
        settings, limits = self.context.settings, self.context.limits
        archived = []
        for entry in entries:
            if entry.refusal:
                continue
            try:
                sha256, info = hash_delivery(settings.landing_dir, entry.source_file)
            except Exception as exc:  # noqa: BLE001  (raised again by ``_hash``)
                self._hashed[entry.source_file] = exc
                continue
            self._hashed[entry.source_file] = (sha256, info)
            content = DeliveredContent(DeliveryKey.of(entry.source_file), sha256)
            if (
                self.index.skip_reason(entry.source_file, content)
                or (content.key.feed or "") not in self.context.contracts
                or info.st_size > limits.max_file_bytes
            ):
                continue
            try:
                archived.append(
                    archive_delivery(
                        settings.landing_dir, entry.source_file, settings.archive_dir, sha256
                    )
                )
            except Exception:  # noqa: BLE001, S112  (``read_file`` tries again and reports it)
                continue
        with contextlib.suppress(Exception):  # then each is probed on its own, as before
            self.context.server.prefetch(archived, limits)

    def _hash(self, source_file: str) -> tuple[str, os.stat_result]:
        """``hash_delivery`` of an entry, as ``prefetch`` found it (its error raised again)."""
        found = self._hashed.pop(source_file, None)
        if found is None:
            return hash_delivery(self.context.settings.landing_dir, source_file)
        if isinstance(found, Exception):
            raise found
        return found

    def add(self, entry: LandingEntry) -> None:
        feed = DeliveryKey.of(entry.source_file).feed
        self.batches.enter(feed)
        self.batches.add(feed, self._begin(entry))

    def _begin(self, entry: LandingEntry) -> FileWork | FileOutcome:
        """Refused unread, skipped, or read and schema-checked. Never raises for a bad file."""
        source_file = entry.source_file
        key = DeliveryKey.of(source_file)
        refusal = entry.refusal
        sha256, info = "", None
        if not refusal:
            try:
                sha256, info = self._hash(source_file)
            except ValueError as exc:
                refusal = str(exc)
            except OSError as exc:  # e.g. no permission: recorded, and tried again next run
                refusal = f"could not be opened ({type(exc).__name__}: {exc.strerror or exc})"
        if refusal or info is None:
            if (source_file, refusal) in self.index.refused:
                unchanged = DeliveredContent(key, "")
                return skipped_file(source_file, unchanged, 0, "already refused, unchanged since")
            self.index.refused.add((source_file, refusal))
            return refused_file(source_file, refusal)
        content = DeliveredContent(key, sha256)
        if self.batches.holds(content):
            self.batches.flush()  # whether this one is a repeat depends on how that one ends
        if skip_reason := self.index.skip_reason(source_file, content):
            return skipped_file(source_file, content, info.st_size, skip_reason)
        return read_file(source_file, content, info.st_size, info.st_mtime, self.context)

    def _finish(self, work: FileWork, references: References) -> FileOutcome:
        outcome = finish_file(work, references, self.context)
        self.index.processed.add((work.source_file, work.sha256))
        if outcome.result.status in USED_STATUSES:
            self.index.used[work.content] = work.source_file
            self.context.references.forget(outcome.result.feed)
        return outcome


def _in_processing_order(
    entries: list[LandingEntry], contracts: dict[str, Contract]
) -> list[LandingEntry]:
    """Deliveries of referenced feeds (e.g. admin units) first, so codes are checked against them."""
    first = referenced_feeds(contracts)
    return sorted(
        entries, key=lambda e: (DeliveryKey.of(e.source_file).feed not in first, e.source_file)
    )
