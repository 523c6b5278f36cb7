"""Which files are validated together: consecutive files of one feed, up to ``MAX_BATCH_ROWS`` rows
(and ``MAX_BATCH_BYTES``), get one GX run of their feed's batch suite (``ingest.batch_suite``).

Files wait in the batch in landing order, with the outcomes of the entries refused or skipped in
between, and are finished (loaded or quarantined) in that order once the batch runs, exactly as
each would be on its own. A feed whose codes are checked against its own deliveries is validated
one file at a time (each load changes the codes the next is checked against).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cpmonitor.core.contracts import Contract
from expectations.feeds import reference_parameter
from ingest.batch_suite import MAX_BATCH_BYTES, MAX_BATCH_ROWS, BatchFile, BatchValidator
from ingest.context import RunContext
from ingest.landing import DeliveredContent
from ingest.outcome import FileOutcome, FileWork
from ingest.references import References
from ingest.table_checks import PreparedCheck, run_suite

# Finishes a read file once its rules have run: load or quarantine it, and record it.
Finish = Callable[[FileWork, References], FileOutcome]


@dataclass
class _Batch:
    """The entries of the current feed batch, in landing order: outcomes already known, and files
    waiting for the batch's one suite run."""

    feed: str | None = None
    slots: list[FileWork | FileOutcome] = field(default_factory=list)
    rows: int = 0
    nbytes: int = 0


class FeedBatches:
    """Collects the run's entries into per-feed batches and hands each entry's outcome, in landing
    order, to ``emit`` once its batch has run."""

    def __init__(
        self, context: RunContext, finish: Finish, emit: Callable[[FileOutcome], None]
    ) -> None:
        self.context = context
        self.finish = finish
        self.emit = emit
        self.batch = _Batch()
        self.validator: BatchValidator | None = None

    def holds(self, content: DeliveredContent) -> bool:
        """Whether a file with this content waits in the current batch."""
        return any(isinstance(w, FileWork) and w.content == content for w in self.batch.slots)

    def enter(self, feed: str | None) -> None:
        """The next entry is of ``feed``: the batch of another feed runs first."""
        if self.batch.slots and feed != self.batch.feed:
            self.flush()
        self.batch.feed = feed

    def add(self, feed: str | None, item: FileWork | FileOutcome) -> None:
        """An entry of ``feed``: a known outcome, or a file read and schema-checked."""
        self.enter(feed)
        batch = self.batch
        if isinstance(item, FileOutcome):
            batch.slots.append(item)
            return
        work = item
        if work.prepared is None:  # nothing to validate: finished at once
            batch.slots.append(self.finish(work, {}))
            return
        rows, nbytes = work.prepared.num_rows, work.table.nbytes if work.table is not None else 0
        if batch.rows and (
            batch.rows + rows > MAX_BATCH_ROWS or batch.nbytes + nbytes > MAX_BATCH_BYTES
        ):
            self.flush()
            batch = self.batch
        batch.feed = feed
        batch.slots.append(work)
        batch.rows += rows
        batch.nbytes += nbytes
        if self.context.references.references_itself(work.prepared.contract):
            self.flush()  # its own loads change its reference codes: one file at a time

    def flush(self) -> None:
        """Run the batch's rules, then finish and emit its entries in landing order."""
        batch, self.batch = self.batch, _Batch()
        works = [w for w in batch.slots if isinstance(w, FileWork)]
        references: References = {}
        if works:
            contract = works[0].prepared.contract  # type: ignore[union-attr]
            try:
                references = self.context.references.for_contract(contract)
            except Exception as exc:  # as when read per file: those files could not be processed
                for work in works:
                    work.outcomes = exc
            else:
                self._validate(contract, works, references)
        for item in batch.slots:
            self.emit(self.finish(item, references) if isinstance(item, FileWork) else item)

    def _validate(self, contract: Contract, works: list[FileWork], references: References) -> None:
        """One batch-suite run for the files with every column checkable, else file by file."""
        whole = [w for w in works if w.prepared is not None and w.prepared.complete]
        if whole:
            if self.validator is None:
                self.validator = BatchValidator(self.context.runner)
            names = {reference_parameter(c.name) for c in contract.columns if c.references}
            try:
                files = [_batch_file(w.prepared, references) for w in whole]  # type: ignore[arg-type]
                shared = {k: v for k, v in files[0].parameters.items() if k in names}
                results = self.validator.validate(contract, files, shared)
            except Exception:  # noqa: BLE001  (then file by file, which reports the failure as before)
                results = None
            if results is not None:
                for work, outcomes in zip(whole, results, strict=True):
                    work.outcomes = outcomes
        for work in works:
            if work.outcomes is None and work.prepared is not None:
                try:
                    work.outcomes = run_suite(work.prepared, self.context.runner(), references)
                except Exception as exc:  # noqa: BLE001
                    work.outcomes = exc


def _batch_file(prepared: PreparedCheck, references: References) -> BatchFile:
    return BatchFile(prepared.frame, prepared.parameters(references), prepared.period_valid)
