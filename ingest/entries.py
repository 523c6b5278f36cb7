"""One process's share of an ingest run: its entries, one at a time, in landing order.

``ingest.run`` hands this process all of a run's entries (or, with workers, the referenced feeds'),
and each ``ingest.parallel`` worker its feeds'.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable

from cpmonitor.core.statuses import USED_STATUSES
from ingest.batching import FeedBatches
from ingest.context import RunContext
from ingest.landing import (
    DeliveredContent,
    DeliveryKey,
    LandingEntry,
    archive_delivery,
    hash_delivery,
)
from ingest.ledger import LedgerIndex
from ingest.outcome import (
    FileOutcome,
    FileWork,
    finish_file,
    read_file,
    refused_file,
    skipped_file,
)
from ingest.probe import MAX_FILES_PER_CHILD
from ingest.references import References


def ingest_entries(
    context: RunContext,
    index: LedgerIndex,
    entries: list[LandingEntry],
    emit: Callable[[FileOutcome], None],
) -> None:
    """Ingest ``entries`` in order, one outcome each to ``emit`` (in that order)."""
    run = _Ingest(context, index, emit)
    for start in range(0, len(entries), MAX_FILES_PER_CHILD):
        window = entries[start : start + MAX_FILES_PER_CHILD]
        run.prefetch(window)
        for entry in window:
            run.add(entry)
    run.batches.flush()


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
