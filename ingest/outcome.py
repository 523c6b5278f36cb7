"""What becomes of one delivered file: read and schema-checked, then loaded (whole or its good rows)
or quarantined with every reason, and recorded (``FileResult``, a ledger row, the check results).

A file is read from its archived copy only, after the probe (``ingest.probe``) found it safe; its
row-level rules run with its feed's batch (``ingest.batching``) between ``read_file`` and
``finish_file``. Nothing here raises for a bad file: whatever goes wrong quarantines that file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq

from cpmonitor.core.contracts import Contract
from cpmonitor.core.parquet_io import write_parquet_atomic, write_text_atomic
from cpmonitor.core.statuses import (
    LOADED,
    LOADED_WITH_REJECTIONS,
    QUARANTINED,
    SKIPPED,
    LedgerStatus,
)
from expectations.results import CheckResult, utc_now
from expectations.runner import Outcome
from ingest.context import RunContext
from ingest.ingested import ingested_path
from ingest.landing import DeliveredContent, DeliveryKey, archive_delivery
from ingest.ledger import LedgerRow
from ingest.references import References
from ingest.schema import blank_strings_to_null, to_ingested
from ingest.table_checks import PreparedCheck, finish_check, location_problems, prepare_check


@dataclass(frozen=True)
class FileResult:
    """What happened to one delivered file. ``reason`` is empty when it loaded whole."""

    source_file: str
    entity: str | None
    feed: str | None
    period: str | None
    sha256: str
    size_bytes: int
    rows: int | None
    status: LedgerStatus
    reason: str
    rows_rejected: int = 0

    @classmethod
    def of(cls, row: LedgerRow) -> FileResult:
        return cls(
            source_file=row.source_file,
            entity=row.entity,
            feed=row.feed,
            period=row.period,
            sha256=row.sha256,
            size_bytes=row.size_bytes,
            rows=row.rows,
            status=row.status,
            reason=row.reason,
            rows_rejected=row.rows_rejected or 0,
        )


class FileOutcome(NamedTuple):
    """One file's result, its check results, and its new ledger row (None when it was skipped)."""

    result: FileResult
    checks: list[CheckResult]
    row: LedgerRow | None


@dataclass
class FileWork:
    """One new file of the run, from its reading to its outcome (kept while its batch fills)."""

    source_file: str
    content: DeliveredContent
    size: int
    received_at: dt.datetime
    problems: list[str] = field(default_factory=list)
    rows: int | None = None
    table: pa.Table | None = None
    prepared: PreparedCheck | None = None
    crash: Exception | None = None
    outcomes: list[Outcome] | Exception | None = None

    @property
    def sha256(self) -> str:
        return self.content.sha256


def skipped_file(
    source_file: str, content: DeliveredContent, size: int, reason: str
) -> FileOutcome:
    """A file that needs no processing (already ingested, or unchanged since it was refused)."""
    entity, feed, period = content.key
    result = FileResult(
        source_file, entity, feed, period, content.sha256, size, None, SKIPPED, reason
    )
    return FileOutcome(result, [], None)


def refused_file(source_file: str, refusal: str) -> FileOutcome:
    """A file refused without being read (no hash: it is looked at again next run)."""
    entity, feed, period = DeliveryKey.of(source_file)
    row = LedgerRow(
        source_file=source_file,
        entity=entity,
        feed=feed,
        period=period,
        sha256="",
        size_bytes=0,
        rows=None,
        rows_rejected=None,
        status=QUARANTINED,
        reason=f"{source_file}: {refusal}",
        received_at=None,
        ingested_at=utc_now(),
    )
    return FileOutcome(FileResult.of(row), [], row)


def read_file(
    source_file: str, content: DeliveredContent, size: int, mtime: float, context: RunContext
) -> FileWork:
    """Archive, probe, read and schema-check one new file (its rules run later, with its batch)."""
    settings, contracts = context.settings, context.contracts
    period = content.key.period
    received_at = dt.datetime.fromtimestamp(mtime, dt.UTC).replace(tzinfo=None)
    work = FileWork(source_file, content, size, received_at)
    try:
        problems = location_problems(source_file, contracts)
        work.problems = problems
        contract = contracts.get(content.key.feed or "")
        if size > context.limits.max_file_bytes:
            problems.append(
                f"is {size:,} bytes, more than the limit of {context.limits.max_file_bytes:,}"
            )
        else:
            archived = archive_delivery(
                settings.landing_dir, source_file, settings.archive_dir, content.sha256
            )
            if contract is not None:
                probe = context.server.probe(archived, context.limits)
                if probe.problem:
                    problems.append(probe.problem)
                else:
                    work.table = blank_strings_to_null(pq.read_table(archived))
                    work.rows = work.table.num_rows
        if work.table is not None and contract is not None:
            work.prepared = prepare_check(
                work.table, contract, source_file=source_file, run_id=context.run_id,
                period=period, arrived_at=received_at,
            )  # fmt: skip
    except Exception as exc:  # one bad file must never stop the run
        work.crash, work.prepared, work.table = exc, None, None
    return work


def finish_file(work: FileWork, references: References, context: RunContext) -> FileOutcome:
    """Load a checked file (whole or its good rows) or quarantine it, and record what happened."""
    source_file, sha256, received_at = work.source_file, work.sha256, work.received_at
    entity, feed, period = work.content.key
    checks: list[CheckResult] = []
    rejected: dict[int, list[str]] = {}
    row_problems: list[str] = []
    problems = work.problems
    table, prepared = work.table, work.prepared
    work.table = None  # released once this file is written
    try:
        if work.crash is not None:
            raise work.crash
        if table is not None and prepared is not None:
            contract = prepared.contract
            if isinstance(work.outcomes, Exception):
                raise work.outcomes
            checked = finish_check(prepared, work.outcomes or [], references)
            checks = checked.checks
            problems += checked.file_problems
            rejected, row_problems = checked.rejected, checked.row_problems
            if rejected and len(rejected) >= table.num_rows:
                problems += row_problems  # nothing left to load: the file is refused whole
            elif not problems:
                metadata = {
                    "_entity": entity,
                    "_feed": feed,
                    "_period": period,
                    "_source_file": source_file,
                    "_source_sha256": sha256,
                    "_received_at": received_at,
                    "_ingested_at": utc_now(),
                }
                _load(contract, table, rejected, metadata, context)
            else:
                problems += row_problems
    except Exception as exc:  # one bad file must never stop the run
        problems = [f"could not be processed ({type(exc).__name__}: {exc})"]
        checks, rejected, row_problems = [], {}, []
    status: LedgerStatus = QUARANTINED if problems else LOADED
    reason = f"{source_file}: {'; '.join(problems)}" if problems else ""
    if not problems and rejected:
        status = LOADED_WITH_REJECTIONS
        reason = (
            f"{source_file}: {len(rejected)} of {work.rows} rows rejected (kept in quarantine): "
            + "; ".join(row_problems)
        )
    if status == QUARANTINED:
        checks = [dataclasses.replace(c, severity="error") if not c.success else c for c in checks]
    row = LedgerRow(
        source_file=source_file,
        entity=entity,
        feed=feed,
        period=period,
        sha256=sha256,
        size_bytes=work.size,
        rows=work.rows,
        rows_rejected=len(rejected) if status == LOADED_WITH_REJECTIONS else None,
        status=status,
        reason=reason,
        received_at=received_at,
        ingested_at=utc_now(),
    )
    if status != LOADED:
        _write_quarantine_note(row, problems or row_problems, context)
    return FileOutcome(FileResult.of(row), checks, row)


def rejected_rows_table(
    contract: Contract,
    table: pa.Table,
    rejected: dict[int, list[str]],
    key: bytes,
    metadata: dict[str, Any],
) -> pa.Table:
    """Rejected rows as kept in quarantine: ``_row`` (1-based row in the delivered file) and
    ``_reasons``, then the row treated like an ingested one (direct identifiers dropped, record
    ids hashed), since quarantine lives inside the warehouse's data directory too."""
    positions = sorted(rejected)
    out = to_ingested(contract, table.take(pa.array(positions, pa.int64())), key, metadata)
    out = out.add_column(0, "_reasons", pa.array(["; ".join(rejected[i]) for i in positions]))
    return out.add_column(0, "_row", pa.array([i + 1 for i in positions], pa.int64()))


def _load(
    contract: Contract,
    table: pa.Table,
    rejected: dict[int, list[str]],
    metadata: dict[str, Any],
    context: RunContext,
) -> None:
    """Write the good rows where dbt reads them, and the rejected ones to quarantine."""
    settings = context.settings
    key = context.key()
    keep = pa.array([i not in rejected for i in range(table.num_rows)], pa.bool_())
    out = to_ingested(contract, table.filter(keep), key, metadata)
    sha256 = metadata["_source_sha256"]
    if rejected:
        write_parquet_atomic(
            rejected_rows_table(contract, table, rejected, key, metadata),
            settings.quarantine_dir / f"{sha256[:12]}__rows.parquet",
        )
    target = ingested_path(
        settings.ingested_dir,
        contract.feed,
        metadata["_entity"] or "",
        metadata["_period"] or "",
        sha256,
    )
    write_parquet_atomic(out, target)


def _write_quarantine_note(row: LedgerRow, problems: list[str], context: RunContext) -> None:
    """``quarantine/<sha12>__<file name>.json``: the ledger row and every problem, for people."""
    document = {"run_id": context.run_id, **row.to_json(), "problems": problems}
    name = row.source_file.rsplit("/", 1)[-1]
    target = context.settings.quarantine_dir / f"{row.sha256[:12]}__{name}.json"
    write_text_atomic(json.dumps(document, indent=2, ensure_ascii=False) + "\n", target)
