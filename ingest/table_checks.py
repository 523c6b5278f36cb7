"""The checks of one delivered file against its contract: location, schema, then row-level rules.

Where the file was delivered and its schema are checked in plain Python (``location_problems``,
``prepare_check``); the row-level rules are the feed's GX suite (``expectations.feeds``), run on
the table's well-typed columns (``run_suite``, or once for a whole batch: ``ingest.batch_suite``).
``finish_check`` reads the outcomes as the contract says (``Contract.action``): problems that
refuse the file, rows set aside with their short reasons, warnings and the check results.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import pyarrow as pa

from cpmonitor.core.contracts import ARROW_TYPES, Contract
from cpmonitor.core.periods import PERIOD_EXAMPLES, PERIOD_FORMATS
from expectations.feeds import (
    describe_outcome,
    feed_expectations,
    feed_parameters,
    feed_suite_name,
    outcome_columns,
)
from expectations.results import CheckResult, Severity, utc_now
from expectations.runner import Outcome, SuiteRunner
from ingest.landing import LOCATION_HINT
from ingest.references import References
from ingest.schema import schema_problems

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
class TableCheck:
    """A read table after its checks: problems that refuse the file, problems of rejected rows,
    the rejected row positions (0-based) with their short reasons, warnings, and the check results."""

    file_problems: list[str]
    row_problems: list[str]
    rejected: dict[int, list[str]]
    warnings: list[str]
    checks: list[CheckResult]


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

    @property
    def period_valid(self) -> bool:
        """Whether the delivery's period folder is a period of the feed (its rows can be placed)."""
        return bool(self.period and self.contract.period_is_valid(self.period))

    def parameters(self, references: References) -> dict[str, Any]:
        codes = {name: found.codes for name, found in references.items() if found is not None}
        return feed_parameters(self.contract, self.period, self.arrived_at, codes)


class _Judged(NamedTuple):
    """One relevant outcome and what it does: passes, rejects rows, or refuses the file."""

    outcome: Outcome
    details: str
    kind: Literal["pass", "rows", "file"]


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


def check_table(
    table: pa.Table,
    contract: Contract,
    runner: SuiteRunner,
    *,
    source_file: str,
    run_id: str,
    period: str | None = None,
    arrived_at: dt.datetime | None = None,
    reference_codes: References | None = None,
) -> TableCheck:
    """Schema problems (plain Python) then row-level rules (the feed's GX suite) of a read table.

    Rules on missing or mistyped columns are not run, so each fault is reported once. Each failed
    rule goes to the file's or the rows' problems as the contract says (``Contract.action``).
    ``reference_codes`` maps each ``references`` column to its codes, or None when the
    referenced feed has no loaded delivery yet: that rule is then skipped with a warning.
    (Ingest runs the rules per feed batch, ``ingest.batching``; this checks one table on its own.)
    """
    prepared = prepare_check(
        table, contract, source_file=source_file, run_id=run_id, period=period,
        arrived_at=arrived_at,
    )  # fmt: skip
    references = reference_codes or {}
    return finish_check(prepared, run_suite(prepared, runner, references), references)


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


def run_suite(
    prepared: PreparedCheck, runner: SuiteRunner, references: References
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


def finish_check(
    prepared: PreparedCheck, raw_outcomes: list[Outcome], references: References
) -> TableCheck:
    """Messages, rejected rows and check results of a table from its feed-suite outcomes."""
    contract = prepared.contract
    file_problems = list(prepared.file_problems)
    row_problems: list[str] = []
    warnings: list[str] = []
    rejected: dict[int, list[str]] = {}
    judged: list[_Judged] = []
    for outcome in _relevant_outcomes(prepared, raw_outcomes, references):
        column = outcome.column_name
        rule = outcome.meta.get("rule", outcome.expectation)
        if rule == "references" and references.get(column or "") is None:
            feed = outcome.meta.get("feed", "the referenced feed")
            warnings.append(
                f"column '{column}': codes not checked, no {feed} delivery has been loaded yet"
            )
            continue
        if outcome.success:
            judged.append(_Judged(outcome, "", "pass"))
            continue
        details = describe_outcome(outcome)
        action = contract.action(rule, column if column in contract.column_names else None)
        if action == "reject_rows" and not outcome.error:
            row_problems.append(details)
            label = ROW_REASONS.get(rule, rule).format(other=outcome.meta.get("other", ""))
            for row in outcome.unexpected_rows:
                rejected.setdefault(row, []).append(f"{column}: {label}")
            judged.append(_Judged(outcome, details, "rows"))
        else:
            file_problems.append(details)
            judged.append(_Judged(outcome, details, "file"))
    refused = bool(file_problems) or (bool(rejected) and len(rejected) >= prepared.num_rows)

    def result(
        expectation: str,
        column_name: str | None,
        success: bool,
        severity: Severity,
        unexpected_count: int | None,
        details: str,
    ) -> CheckResult:
        return CheckResult(
            run_id=prepared.run_id,
            checked_at=prepared.checked_at,
            suite=feed_suite_name(contract.feed),
            target=prepared.source_file,
            expectation=expectation,
            column_name=column_name,
            success=success,
            severity=severity,
            unexpected_count=unexpected_count,
            details=details,
        )

    schema_only = prepared.schema_only
    checks = [
        result(
            "columns_match_contract",
            None,
            not schema_only,
            "error",
            len(schema_only),
            "; ".join(schema_only),
        )  # fmt: skip
    ]
    for outcome, details, kind in judged:
        severity: Severity = "warning" if kind == "rows" and not refused else "error"
        checks.append(
            result(
                outcome.expectation,
                outcome.column_name,
                kind == "pass",
                severity,
                outcome.unexpected_count,
                details,
            )  # fmt: skip
        )
    for warning in warnings:
        checks.append(
            result(
                "expect_column_values_to_be_in_set",
                warning.split("'")[1],
                False,
                "warning",
                None,
                warning,
            )  # fmt: skip
        )
    return TableCheck(file_problems, row_problems, rejected, warnings, checks)


def _relevant_outcomes(
    prepared: PreparedCheck, raw_outcomes: list[Outcome], references: References
) -> list[Outcome]:
    """Outcomes of rules whose columns were checked, given context for their messages."""
    present = set(prepared.present)
    outcomes = []
    for outcome in raw_outcomes:
        if not set(outcome_columns(outcome)) <= present or _pair_missing(outcome, present):
            continue
        rule = outcome.meta.get("rule")
        if rule == "period" and not prepared.period_valid:
            continue
        extra: dict[str, Any] = {
            "arrived": prepared.arrived_at.date().isoformat(),
            "period": prepared.period,
        }
        found = references.get(outcome.column_name or "")
        if rule == "references" and found is not None:
            extra["codes_label"] = found.label
        outcomes.append(dataclasses.replace(outcome, meta={**outcome.meta, **extra}))
    return outcomes


def _pair_missing(outcome: Outcome, present: set[str]) -> bool:
    other = outcome.meta.get("other")
    return bool(other) and other not in present


def _plain(values: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_dictionary(values.type):
        return values.cast(values.type.value_type)
    return values
