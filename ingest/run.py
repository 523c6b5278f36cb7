"""Ingest the landing zone: archive each delivered file, check it against its contract, pseudonymise
and write the accepted rows for dbt, quarantine the rest with every reason, and record all in the ledger.

The landing originals are never moved, modified or deleted; each is first copied into the
content-addressed archive, and only that copy is parsed, in a child process with hard limits
(``ingest.probe``). A rule set to ``reject_rows`` sets the offending rows aside in
``quarantine/<sha12>__rows.parquet`` and loads the rest; any other problem refuses the whole file.
A newer delivery for the same entity, feed and period supersedes the one before it. One bad file
never stops the others.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cpmonitor.core.contracts import (
    ARROW_TYPES,
    PERIOD_EXAMPLES,
    Contract,
    ReferenceKey,
    load_contracts,
    referenced_feeds,
    resolve_reference,
)
from cpmonitor.core.parquet_io import write_parquet_atomic, write_text_atomic
from cpmonitor.core.settings import Settings
from cpmonitor.core.statuses import (
    ACCEPTED_STATUSES,
    DELIVERY_STATUS_DIR,
    DELIVERY_STATUS_SCHEMA,
    SUPERSEDED,
    USED_STATUSES,
)
from expectations.completeness import ReportedUnits
from expectations.feeds import (
    describe_outcome,
    feed_expectations,
    feed_parameters,
    feed_suite_name,
    outcome_columns,
    reference_parameter,
)
from expectations.results import CheckResult, utc_now
from expectations.runner import Outcome, SuiteRunner
from ingest.batch import MAX_BATCH_BYTES, MAX_BATCH_ROWS, BatchFile, BatchValidator
from ingest.landing import (
    LandingEntry,
    archive_delivery,
    hash_delivery,
    landing_entries,
)
from ingest.ledger import (
    append_rows,
    ledger_frame,
    read_ledger_table,
    row_to_json,
    supersede,
    write_ledger,
)
from ingest.probe import ParseLimits, ProbeServer
from ingest.schema import (
    blank_strings_to_null,
    ingested_schema,
    schema_problems,
    to_ingested,
)

Status = Literal["loaded", "loaded_with_rejections", "quarantined", "skipped"]
Progress = Callable[[str, int, int], None]
LOCATION_HINT = "<entity>/<feed>/<period>/<file>.parquet"
PERIOD_FORMATS = {"monthly": "YYYY-MM", "quarterly": "YYYY-Qn", "yearly": "YYYY"}
# Short reason stored with each rejected row in quarantine, per rule.
ROW_REASONS = {
    "required": "no value",
    "allowed": "not an allowed code",
    "range": "out of range",
    "not_in_future": "date in the future",
    "not_before": "date before {other}",
    "references": "unknown code",
    "period": "outside the delivery period",
    "unique": "duplicate value",
    "primary_key": "duplicate key",
}


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
    status: Status
    reason: str
    rows_rejected: int = 0


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


@dataclass(frozen=True)
class TableCheck:
    """A read table after its checks: problems that refuse the file, problems of rejected rows,
    the rejected row positions (0-based) with their short reasons, warnings, and the check results."""

    file_problems: list[str]
    row_problems: list[str]
    rejected: dict[int, list[str]]
    warnings: list[str]
    checks: list[CheckResult]


@dataclass
class _RunState:
    """What one ingest run shares between files (created per run, never module-level)."""

    settings: Settings
    contracts: dict[str, Contract]
    limits: ParseLimits
    run_id: str
    server: ProbeServer
    runner: list[SuiteRunner] = field(default_factory=list)
    key: bytes | None = None
    reference_cache: dict[tuple[str, str], tuple[list[str], str] | None] = field(
        default_factory=dict
    )

    def get_runner(self) -> SuiteRunner:
        if not self.runner:
            self.runner.append(_feed_runner(self.contracts))
        return self.runner[0]

    def get_key(self) -> bytes:
        if self.key is None:
            self.key = self.settings.pseudonym_key()
        return self.key


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
    known, processed, refused = _ledger_index(ledger)
    entries = _in_processing_order(landing_entries(settings.landing_dir), contracts)
    results: list[FileResult] = []
    checks: list[CheckResult] = []
    new_rows: list[dict[str, Any]] = []
    newly_superseded: list[dict[str, Any]] = []
    with ProbeServer() as server:
        state = _RunState(settings, contracts, limits or ParseLimits(), run_id, server)

        def emit(
            source_file: str,
            result: FileResult,
            file_checks: list[CheckResult],
            row: dict[str, Any] | None,
        ) -> None:
            results.append(result)
            checks.extend(file_checks)
            if row is not None:
                new_rows.append(row)
            if progress is not None:
                progress(source_file, len(results), len(entries))

        run = _Ingest(state, known, processed, refused, emit)
        try:
            for entry in entries:
                run.add(entry)
            run.flush()
        finally:
            if new_rows:
                ledger, newly_superseded = supersede(append_rows(ledger, new_rows))
                write_ledger(ledger, settings.ledger_file)
            remove_superseded_copies(ledger, settings.ingested_dir)
    return IngestReport(
        files_seen=len(results),
        files_loaded=sum(r.status in USED_STATUSES for r in results),
        files_quarantined=sum(r.status == "quarantined" for r in results),
        files_skipped=sum(r.status == "skipped" for r in results),
        results=results,
        check_results=checks,
        files_loaded_with_rejections=sum(r.status == "loaded_with_rejections" for r in results),
        files_superseded=len(newly_superseded),
    )


def ingested_path(ingested_dir: Path, feed: str, entity: str, period: str, sha256: str) -> Path:
    """Where the ingested copy of a delivery lives."""
    return ingested_dir / feed / f"{entity}__{period}__{sha256[:12]}.parquet"


def remove_superseded_copies(ledger: pa.Table, ingested_dir: Path) -> list[Path]:
    """Delete the ingested copy of every superseded delivery (the archive keeps the original).

    Idempotent, so a run killed between writing the ledger and cleaning up is finished next time.
    """
    removed = []
    for row in ledger.filter(pc.equal(ledger["status"], SUPERSEDED)).to_pylist():
        path = ingested_path(ingested_dir, row["feed"], row["entity"], row["period"], row["sha256"])
        if path.exists():
            path.unlink()
            removed.append(path)
    return removed


def read_ledger(settings: Settings) -> pd.DataFrame:
    """The ledger (``audit.ingest_files`` columns); an empty, typed frame when there is none yet."""
    return ledger_frame(read_ledger_table(settings.ledger_file))


def landing_files(landing_dir: Path) -> list[Path]:
    """Every delivered regular file under the landing dir, sorted (links and hidden files left out)."""
    return [landing_dir / e.source_file for e in landing_entries(landing_dir) if not e.refusal]


def file_sha256(path: Path) -> str:
    """SHA-256 hex of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_empty_feed_files(ingested_dir: Path, contracts: dict[str, Contract]) -> None:
    """Ensure ``ingested/<feed>/_empty.parquet`` (zero rows, full schema) for every contract feed,
    and for the delivery status the pipeline writes, so dbt can read each glob before its first
    accepted delivery."""
    schemas = {contract.feed: ingested_schema(contract) for contract in contracts.values()}
    for folder, schema in (schemas | {DELIVERY_STATUS_DIR: DELIVERY_STATUS_SCHEMA}).items():
        path = ingested_dir / folder / "_empty.parquet"
        if path.exists() and pq.read_schema(path).remove_metadata().equals(schema):
            continue
        write_parquet_atomic(schema.empty_table(), path)


def location_problems(source_file: str, contracts: dict[str, Contract]) -> list[str]:
    """Problems with where a file was delivered: layout, feed, owner, period format."""
    parts = source_file.split("/")
    if len(parts) != 4:
        return [f"unexpected location; deliveries go in {LOCATION_HINT}"]
    entity, feed, period, name = parts
    problems = []
    if not name.lower().endswith(".parquet"):
        problems.append(f"is not a .parquet file; deliveries go in {LOCATION_HINT}")
    contract = contracts.get(feed)
    if contract is None:
        known = ", ".join(sorted(contracts))
        return problems + [f"unknown feed '{feed}': no data contract (known feeds: {known})"]
    if entity != contract.owner:
        problems.append(
            f"feed '{feed}' is delivered by '{contract.owner}' ({contract.owner_name}), "
            f"not by '{entity}'"
        )
    if not contract.period_is_valid(period):
        problems.append(
            f"period folder '{period}' does not match the {contract.frequency} format "
            f"{PERIOD_FORMATS[contract.frequency]} (e.g. {PERIOD_EXAMPLES[contract.frequency]})"
        )
    return problems


@dataclass
class PreparedCheck:
    """A read table after its schema checks, before its row-level rules run: what ``finish_check``
    needs, and the checked columns cast to the contract types (``frame``)."""

    contract: Contract
    source_file: str
    run_id: str
    period: str | None
    arrived_at: dt.datetime
    checked_at: dt.datetime
    num_rows: int
    schema_only: list[str]
    file_problems: list[str]
    frame: pa.Table

    @property
    def present(self) -> tuple[str, ...]:
        return tuple(self.frame.column_names)

    @property
    def complete(self) -> bool:
        """All contract columns present and well typed (a batch suite can check it)."""
        return list(self.present) == self.contract.column_names

    def parameters(self, references: dict[str, tuple[list[str], str] | None]) -> dict[str, Any]:
        codes = {name: found[0] for name, found in references.items() if found is not None}
        return feed_parameters(self.contract, self.period, self.arrived_at, codes)


def check_table(
    table: pa.Table,
    contract: Contract,
    runner: SuiteRunner,
    *,
    source_file: str,
    run_id: str,
    period: str | None = None,
    arrived_at: dt.datetime | None = None,
    reference_codes: dict[str, tuple[list[str], str] | None] | None = None,
) -> TableCheck:
    """Schema problems (plain Python) then row-level rules (the feed's GX suite) of a read table.

    Rules on missing or mistyped columns are not run, so each fault is reported once. Each failed
    rule goes to the file's or the rows' problems as the contract says (``Contract.action``).
    ``reference_codes`` maps each ``references`` column to (codes, label), or None when the
    referenced feed has no loaded delivery yet: that rule is then skipped with a warning.
    (Ingest runs the rules per feed batch, ``ingest.batch``; this checks one table on its own.)
    """
    prepared = prepare_check(
        table, contract, source_file=source_file, run_id=run_id, period=period,
        arrived_at=arrived_at,
    )  # fmt: skip
    references = reference_codes or {}
    return finish_check(prepared, _run_suite(prepared, runner, references), references)


def prepare_check(
    table: pa.Table,
    contract: Contract,
    *,
    source_file: str,
    run_id: str,
    period: str | None = None,
    arrived_at: dt.datetime | None = None,
) -> PreparedCheck:
    """The schema checks of a read table (plain Python) and its columns ready for the suite."""
    schema_only, bad_columns = schema_problems(contract, table.schema)
    file_problems = list(schema_only)
    if table.num_rows == 0 and not contract.allow_empty:
        file_problems.append("has no rows (the contract does not accept an empty delivery)")
    checked_at = utc_now()
    good = [
        c for c in contract.columns if c.name in table.column_names and c.name not in bad_columns
    ]
    frame = pa.Table.from_arrays(
        [_plain(table.column(c.name)).cast(ARROW_TYPES[c.type]) for c in good],
        names=[c.name for c in good],
    )
    return PreparedCheck(
        contract, source_file, run_id, period, arrived_at or checked_at, checked_at,
        table.num_rows, schema_only, file_problems, frame,
    )  # fmt: skip


def finish_check(
    prepared: PreparedCheck,
    raw_outcomes: list[Outcome],
    references: dict[str, tuple[list[str], str] | None],
) -> TableCheck:
    """Messages, rejected rows and check results of a table from its feed-suite outcomes."""
    contract, source_file, run_id = prepared.contract, prepared.source_file, prepared.run_id
    suite = feed_suite_name(contract.feed)
    schema_only, checked_at = prepared.schema_only, prepared.checked_at
    file_problems = list(prepared.file_problems)
    outcomes = _relevant_outcomes(prepared, raw_outcomes, references)
    row_problems: list[str] = []
    warnings: list[str] = []
    rejected: dict[int, list[str]] = {}
    failures: list[tuple[Outcome, str, str]] = []
    for outcome in outcomes:
        column = outcome.column_name
        rule = outcome.meta.get("rule", outcome.expectation)
        if rule == "references" and references.get(column or "") is None:
            feed = outcome.meta.get("feed", "the referenced feed")
            warnings.append(
                f"column '{column}': codes not checked, no {feed} delivery has been loaded yet"
            )
            continue
        if outcome.success:
            failures.append((outcome, "", "pass"))
            continue
        details = describe_outcome(outcome)
        action = contract.action(rule, column if column in contract.column_names else None)
        if action == "reject_rows" and not outcome.error:
            row_problems.append(details)
            label = ROW_REASONS.get(rule, rule).format(other=outcome.meta.get("other", ""))
            for row in outcome.unexpected_rows:
                rejected.setdefault(row, []).append(f"{column}: {label}")
            failures.append((outcome, details, "rows"))
        else:
            file_problems.append(details)
            failures.append((outcome, details, "file"))
    refused = bool(file_problems) or (bool(rejected) and len(rejected) >= prepared.num_rows)
    checks = [
        CheckResult(
            run_id=run_id,
            checked_at=checked_at,
            suite=suite,
            target=source_file,
            expectation="columns_match_contract",
            column_name=None,
            success=not schema_only,
            severity="error",
            unexpected_count=len(schema_only),
            details="; ".join(schema_only),
        )
    ]
    for outcome, details, kind in failures:
        checks.append(
            CheckResult(
                run_id=run_id,
                checked_at=checked_at,
                suite=suite,
                target=source_file,
                expectation=outcome.expectation,
                column_name=outcome.column_name,
                success=kind == "pass",
                severity="warning" if kind == "rows" and not refused else "error",
                unexpected_count=outcome.unexpected_count,
                details=details,
            )
        )
    for warning in warnings:
        checks.append(
            CheckResult(
                run_id=run_id,
                checked_at=checked_at,
                suite=suite,
                target=source_file,
                expectation="expect_column_values_to_be_in_set",
                column_name=warning.split("'")[1],
                success=False,
                severity="warning",
                unexpected_count=None,
                details=warning,
            )
        )
    return TableCheck(file_problems, row_problems, rejected, warnings, checks)


def reference_codes_of(
    ingested_dir: Path, feed: str, key: ReferenceKey
) -> tuple[list[str], str] | None:
    """Codes of ``key`` in the latest loaded delivery of ``feed`` (latest period, then arrival),
    and a label for messages; None when no delivery of the feed has been loaded."""
    files = sorted(p for p in (ingested_dir / feed).glob("*.parquet") if p.name != "_empty.parquet")
    if not files:
        return None
    columns = [key.column, *key.where, "_period", "_received_at", "_source_file"]
    frame = pa.concat_tables(pq.read_table(p, columns=columns) for p in files).to_pylist()
    if not frame:
        return None
    latest = max(
        frame,
        key=lambda r: (r["_period"], r["_received_at"] or dt.datetime.min, r["_source_file"]),
    )
    chosen = [r for r in frame if r["_source_file"] == latest["_source_file"]]
    codes = sorted(
        {
            str(r[key.column])
            for r in chosen
            if r[key.column] is not None and all(str(r[k]) == v for k, v in key.where.items())
        }
    )
    what = key.label or f"{key.column} values" + "".join(
        f" with {k} {v}" for k, v in key.where.items()
    )
    return codes, f"the {what} of the latest {feed} delivery ({latest['_period']})"


def reported_units(ingested_dir: Path, contracts: dict[str, Contract]) -> dict[str, ReportedUnits]:
    """For each feed compiled from provincial offices' reports (``reporting_units``): the offices
    (the province codes its register's column references, from their latest loaded delivery) and,
    per delivered period, the offices its register lists. Feeds whose register or provinces have
    never loaded are left out (judged for the country as a whole)."""
    found: dict[str, ReportedUnits] = {}
    for contract in contracts.values():
        units = contract.reporting_units
        if units is None or units.feed not in contracts:
            continue
        resolved = resolve_reference(contracts[units.feed].column(units.column), contracts)
        codes = reference_codes_of(ingested_dir, *resolved) if resolved else None
        files = sorted(
            p for p in (ingested_dir / units.feed).glob("*.parquet") if p.name != "_empty.parquet"
        )
        if not codes or not files:
            continue
        rows = pa.concat_tables(pq.read_table(p, columns=[units.column, "_period"]) for p in files)
        listed: dict[str, set[str]] = {}
        for code, period in zip(*rows.to_pydict().values(), strict=True):
            listed.setdefault(period, set()).add(str(code))
        found[contract.feed] = ReportedUnits(
            units=tuple(codes[0]), by_period={p: frozenset(c) for p, c in listed.items()}
        )
    return found


def _run_suite(
    prepared: PreparedCheck,
    runner: SuiteRunner,
    references: dict[str, tuple[list[str], str] | None],
) -> list[Outcome]:
    """The feed suite on one table's good columns, every offending row listed."""
    name = feed_suite_name(prepared.contract.feed)
    if not runner.has_suite(name):
        runner.add_suite(name, feed_expectations(prepared.contract))
    return runner.validate(
        name,
        prepared.frame.to_pandas(),
        parameters=prepared.parameters(references),
        all_rows=True,
    )


def _relevant_outcomes(
    prepared: PreparedCheck,
    raw_outcomes: list[Outcome],
    references: dict[str, tuple[list[str], str] | None],
) -> list[Outcome]:
    """Outcomes of rules whose columns were checked, given context for their messages."""
    contract, period, arrived_at = prepared.contract, prepared.period, prepared.arrived_at
    present = set(prepared.present)
    outcomes = []
    for outcome in raw_outcomes:
        if not set(outcome_columns(outcome)) <= present or _pair_missing(outcome, present):
            continue
        rule = outcome.meta.get("rule")
        if rule == "period" and not (period and contract.period_is_valid(period)):
            continue
        extra: dict[str, Any] = {"arrived": arrived_at.date().isoformat(), "period": period}
        found = references.get(outcome.column_name or "")
        if rule == "references" and found is not None:
            extra["codes_label"] = found[1]
        outcomes.append(dataclasses.replace(outcome, meta={**outcome.meta, **extra}))
    return outcomes


def _pair_missing(outcome: Outcome, present: set[str]) -> bool:
    other = outcome.meta.get("other")
    return bool(other) and other not in present


@dataclass
class _Work:
    """One new file of the run, from its reading to its outcome (kept while its batch fills)."""

    source_file: str
    sha256: str
    size: int
    received_at: dt.datetime
    delivery: tuple[str | None, str | None, str | None, str]
    problems: list[str] = field(default_factory=list)
    rows: int | None = None
    table: pa.Table | None = None
    prepared: PreparedCheck | None = None
    crash: Exception | None = None
    outcomes: list[Outcome] | Exception | None = None


@dataclass
class _Pending:
    """The entries of the current feed batch, in landing order: finished results and files
    waiting for the batch's one suite run."""

    feed: str | None = None
    slots: list[tuple[str, _Work | tuple[FileResult, list[CheckResult], dict[str, Any] | None]]] = (
        field(default_factory=list)
    )
    rows: int = 0
    nbytes: int = 0

    def deliveries(self) -> set[tuple]:
        return {w.delivery for _, w in self.slots if isinstance(w, _Work)}


class _Ingest:
    """Feeds the run's entries through per-feed batches: each entry is refused, skipped or read and
    schema-checked at once; the files read wait (``MAX_BATCH_ROWS`` at most) for one GX run of
    their feed, then each is loaded or quarantined exactly as on its own, in landing order."""

    def __init__(
        self,
        state: _RunState,
        known: dict[tuple, str],
        processed: set[tuple[str, str]],
        refused: set[tuple[str, str]],
        emit: Callable[[str, FileResult, list[CheckResult], dict[str, Any] | None], None],
    ) -> None:
        self.state, self.known, self.processed, self.refused = state, known, processed, refused
        self.emit = emit
        self.pending = _Pending()
        self.validator: BatchValidator | None = None

    def add(self, entry: LandingEntry) -> None:
        feed = _location_parts(entry.source_file)[1]
        if self.pending.slots and feed != self.pending.feed:
            self.flush()
        self.pending.feed = feed
        outcome = self._begin(entry)
        if not isinstance(outcome, _Work):
            self.pending.slots.append((entry.source_file, outcome))
            return
        work = outcome
        if work.prepared is None:  # nothing to validate: finished at once
            self.pending.slots.append((entry.source_file, self._finish(work, {})))
            return
        rows, nbytes = work.prepared.num_rows, work.table.nbytes if work.table is not None else 0
        if self.pending.rows and (
            self.pending.rows + rows > MAX_BATCH_ROWS
            or self.pending.nbytes + nbytes > MAX_BATCH_BYTES
        ):
            self.flush()
        self.pending.feed = feed
        self.pending.slots.append((entry.source_file, work))
        self.pending.rows += rows
        self.pending.nbytes += nbytes
        if _references_itself(work.prepared.contract, self.state.contracts):
            self.flush()  # its own loads change its reference codes: one file at a time

    def flush(self) -> None:
        pending, self.pending = self.pending, _Pending()
        works = [w for _, w in pending.slots if isinstance(w, _Work)]
        references: dict[str, tuple[list[str], str] | None] = {}
        if works:
            contract = works[0].prepared.contract  # type: ignore[union-attr]
            try:
                references = _references_for(contract, self.state)
            except Exception as exc:  # as when read per file: those files could not be processed
                for work in works:
                    work.outcomes = exc
            else:
                self._validate(contract, works, references)
        for source_file, item in pending.slots:
            if isinstance(item, _Work):
                item = self._finish(item, references)
            self.emit(source_file, *item)

    def _begin(
        self, entry: LandingEntry
    ) -> _Work | tuple[FileResult, list[CheckResult], dict[str, Any] | None]:
        """Refused unread, skipped, or read and schema-checked. Never raises for a bad file."""
        source_file = entry.source_file
        entity, feed, period = _location_parts(source_file)
        refusal = entry.refusal
        sha256, info = "", None
        if not refusal:
            try:
                sha256, info = hash_delivery(self.state.settings.landing_dir, source_file)
            except ValueError as exc:
                refusal = str(exc)
            except OSError as exc:  # e.g. no permission: recorded, and tried again next run
                refusal = f"could not be opened ({type(exc).__name__}: {exc.strerror or exc})"
        if refusal or info is None:
            if (source_file, refusal) in self.refused:
                skipped = FileResult(
                    source_file, entity, feed, period, "", 0, None, "skipped",
                    "already refused, unchanged since",
                )  # fmt: skip
                return skipped, [], None
            row = _refused_row(source_file, refusal)
            self.refused.add((source_file, refusal))
            return _result_of(row), [], row
        delivery = (entity, feed, period, sha256)
        if delivery in self.pending.deliveries():
            self.flush()  # whether this one is a repeat depends on how that one ends
        if skip_reason := _skip_reason(source_file, delivery, self.known, self.processed):
            skipped = FileResult(
                source_file, entity, feed, period, sha256, info.st_size, None, "skipped",
                skip_reason,
            )  # fmt: skip
            return skipped, [], None
        return _read_file(source_file, sha256, info.st_size, info.st_mtime, delivery, self.state)

    def _validate(
        self,
        contract: Contract,
        works: list[_Work],
        references: dict[str, tuple[list[str], str] | None],
    ) -> None:
        """One batch-suite run for the files with every column checkable, else file by file."""
        runner = self.state.get_runner()
        whole = [w for w in works if w.prepared is not None and w.prepared.complete]
        if whole:
            if self.validator is None:
                self.validator = BatchValidator(runner)
            names = {reference_parameter(c.name) for c in contract.columns if c.references}
            results = None
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
                    work.outcomes = _run_suite(work.prepared, runner, references)
                except Exception as exc:  # noqa: BLE001
                    work.outcomes = exc

    def _finish(
        self, work: _Work, references: dict[str, tuple[list[str], str] | None]
    ) -> tuple[FileResult, list[CheckResult], dict[str, Any]]:
        result, file_checks, row = _finish_file(work, references, self.state)
        self.processed.add((work.source_file, work.sha256))
        if result.status in USED_STATUSES:
            self.known[work.delivery] = work.source_file
            self.state.reference_cache = {
                k: v for k, v in self.state.reference_cache.items() if k[0] != result.feed
            }
        return result, file_checks, row


def _batch_file(
    prepared: PreparedCheck, references: dict[str, tuple[list[str], str] | None]
) -> BatchFile:
    period = prepared.period
    valid = bool(period and prepared.contract.period_is_valid(period))
    return BatchFile(prepared.frame, prepared.parameters(references), valid)


def _references_itself(contract: Contract, contracts: dict[str, Contract]) -> bool:
    return any(
        (resolved := resolve_reference(c, contracts)) is not None and resolved[0] == contract.feed
        for c in contract.columns
    )


def _read_file(
    source_file: str,
    sha256: str,
    size: int,
    mtime: float,
    delivery: tuple[str | None, str | None, str | None, str],
    state: _RunState,
) -> _Work:
    """Archive, probe, read and schema-check one new file (its rules run later, with its batch)."""
    settings, contracts = state.settings, state.contracts
    _, feed, period = _location_parts(source_file)
    received_at = dt.datetime.fromtimestamp(mtime, dt.UTC).replace(tzinfo=None)
    work = _Work(source_file, sha256, size, received_at, delivery)
    try:
        problems = location_problems(source_file, contracts)
        work.problems = problems
        contract = contracts.get(feed or "")
        if size > state.limits.max_file_bytes:
            problems.append(
                f"is {size:,} bytes, more than the limit of {state.limits.max_file_bytes:,}"
            )
        else:
            archived = archive_delivery(
                settings.landing_dir, source_file, settings.archive_dir, sha256
            )
            if contract is not None:
                probe = state.server.probe(archived, state.limits)
                if probe.problem:
                    problems.append(probe.problem)
                else:
                    work.table = blank_strings_to_null(pq.read_table(archived))
                    work.rows = work.table.num_rows
        if work.table is not None and contract is not None:
            work.prepared = prepare_check(
                work.table, contract, source_file=source_file, run_id=state.run_id,
                period=period, arrived_at=received_at,
            )  # fmt: skip
    except Exception as exc:  # one bad file must never stop the run
        work.crash, work.prepared, work.table = exc, None, None
    return work


def _finish_file(
    work: _Work, references: dict[str, tuple[list[str], str] | None], state: _RunState
) -> tuple[FileResult, list[CheckResult], dict[str, Any]]:
    """Load a checked file (whole or its good rows) or quarantine it, and record what happened."""
    settings = state.settings
    source_file, sha256, size, received_at = (
        work.source_file, work.sha256, work.size, work.received_at,
    )  # fmt: skip
    entity, feed, period = _location_parts(source_file)
    checks: list[CheckResult] = []
    rows = work.rows
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
                key = state.get_key()
                keep = pa.array([i not in rejected for i in range(table.num_rows)], pa.bool_())
                out = to_ingested(contract, table.filter(keep), key, metadata)
                if rejected:
                    write_parquet_atomic(
                        rejected_rows_table(contract, table, rejected, key, metadata),
                        settings.quarantine_dir / f"{sha256[:12]}__rows.parquet",
                    )
                target = ingested_path(
                    settings.ingested_dir, contract.feed, entity or "", period or "", sha256
                )
                write_parquet_atomic(out, target)
            else:
                problems += row_problems
    except Exception as exc:  # one bad file must never stop the run
        problems = [f"could not be processed ({type(exc).__name__}: {exc})"]
        checks, rejected, row_problems = [], {}, []
    status: Status = "quarantined" if problems else "loaded"
    reason = f"{source_file}: {'; '.join(problems)}" if problems else ""
    if not problems and rejected:
        status = "loaded_with_rejections"
        reason = (
            f"{source_file}: {len(rejected)} of {rows} rows rejected (kept in quarantine): "
            + "; ".join(row_problems)
        )
    if status == "quarantined":
        checks = [dataclasses.replace(c, severity="error") if not c.success else c for c in checks]
    row = {
        "source_file": source_file,
        "entity": entity,
        "feed": feed,
        "period": period,
        "sha256": sha256,
        "size_bytes": size,
        "rows": rows,
        "rows_rejected": len(rejected) if status == "loaded_with_rejections" else None,
        "status": status,
        "reason": reason,
        "received_at": received_at,
        "ingested_at": utc_now(),
        "superseded_by": None,
    }
    if status != "loaded":
        document = {
            "run_id": state.run_id,
            **row_to_json(row),
            "problems": problems or row_problems,
        }
        name = source_file.rsplit("/", 1)[-1]
        target = settings.quarantine_dir / f"{sha256[:12]}__{name}.json"
        write_text_atomic(json.dumps(document, indent=2, ensure_ascii=False) + "\n", target)
    return _result_of(row), checks, row


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


def _references_for(
    contract: Contract, state: _RunState
) -> dict[str, tuple[list[str], str] | None]:
    """Valid codes (and their label) of each ``references`` column of a contract."""
    out: dict[str, tuple[list[str], str] | None] = {}
    for column in contract.columns:
        resolved = resolve_reference(column, state.contracts)
        if resolved is None:
            continue
        feed, key = resolved
        cache_key = (feed, key.model_dump_json())
        if cache_key not in state.reference_cache:
            state.reference_cache[cache_key] = reference_codes_of(
                state.settings.ingested_dir, feed, key
            )
        out[column.name] = state.reference_cache[cache_key]
    return out


def _in_processing_order(
    entries: list[LandingEntry], contracts: dict[str, Contract]
) -> list[LandingEntry]:
    """Deliveries of referenced feeds (e.g. admin units) first, so codes are checked against them."""
    first = referenced_feeds(contracts)
    return sorted(
        entries, key=lambda e: (_location_parts(e.source_file)[1] not in first, e.source_file)
    )


def _ledger_index(
    ledger: pa.Table,
) -> tuple[dict[tuple, str], set[tuple[str, str]], set[tuple[str, str]]]:
    """Deliveries already used ((entity, feed, period, sha256) -> source file), every (source file,
    sha256) processed, and every (source file, reason) refused without being read."""
    rows = ledger.select(
        ["source_file", "entity", "feed", "period", "sha256", "status", "reason"]
    ).to_pylist()
    known = {
        (r["entity"], r["feed"], r["period"], r["sha256"]): r["source_file"]
        for r in rows
        if r["sha256"] and r["status"] in ACCEPTED_STATUSES
    }
    processed = {(r["source_file"], r["sha256"]) for r in rows if r["sha256"]}
    refused = {
        (r["source_file"], (r["reason"] or "").removeprefix(f"{r['source_file']}: "))
        for r in rows
        if not r["sha256"]
    }
    return known, processed, refused


def _refused_row(source_file: str, refusal: str) -> dict[str, Any]:
    """Ledger row of an entry refused without being read (no hash: checked again next run)."""
    entity, feed, period = _location_parts(source_file)
    return {
        "source_file": source_file,
        "entity": entity,
        "feed": feed,
        "period": period,
        "sha256": "",
        "size_bytes": 0,
        "rows": None,
        "rows_rejected": None,
        "status": "quarantined",
        "reason": f"{source_file}: {refusal}",
        "received_at": None,
        "ingested_at": utc_now(),
        "superseded_by": None,
    }


def _result_of(row: dict[str, Any]) -> FileResult:
    return FileResult(
        source_file=row["source_file"],
        entity=row["entity"],
        feed=row["feed"],
        period=row["period"],
        sha256=row["sha256"],
        size_bytes=row["size_bytes"],
        rows=row["rows"],
        status=row["status"],
        reason=row["reason"],
        rows_rejected=row["rows_rejected"] or 0,
    )


def _skip_reason(
    source_file: str,
    delivery: tuple[str | None, str | None, str | None, str],
    known: dict[tuple, str],
    processed: set[tuple[str, str]],
) -> str:
    """Why a file needs no processing ("" when it does).

    The same content delivered again for the same entity, feed and period is never loaded twice,
    whatever its name (the same content for another period is that period's delivery, e.g. an
    unchanged quarterly register); a quarantined file is looked at again only when it comes back
    changed or at another place (e.g. moved to the right folder).
    """
    if delivery in known:
        return f"already ingested (same content as {known[delivery]})"
    if (source_file, delivery[3]) in processed:
        return "already quarantined, unchanged since"
    return ""


def _feed_runner(contracts: dict[str, Contract]) -> SuiteRunner:
    """The run's one GX context; each feed's suites are added when first needed."""
    return SuiteRunner()


def _location_parts(source_file: str) -> tuple[str | None, str | None, str | None]:
    parts = source_file.split("/")
    if len(parts) != 4:
        return None, None, None
    return parts[0], parts[1], parts[2]


def _plain(values: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_dictionary(values.type):
        return values.cast(values.type.value_type)
    return values
