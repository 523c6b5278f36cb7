"""Data contracts: the machine-readable interface each reporting entity delivers to.

One YAML file per feed in ``data_contracts/``. Every check at ingest and every Great Expectations
expectation of a feed is derived from its contract, so each rule is written once.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path
from typing import Literal

import pyarrow as pa
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cpmonitor.core.settings import CONTRACTS_DIR

ColumnType = Literal["string", "integer", "float", "date", "timestamp", "boolean"]
PrivacyClass = Literal["direct_identifier", "record_id", "quasi_identifier", "public"]
Frequency = Literal["monthly", "quarterly", "yearly"]
# What a violated rule does: refuse the whole delivery, or set aside only the offending rows.
Action = Literal["reject_file", "reject_rows"]
# Rules that can be broken row by row (the schema, an empty file and the location always refuse the file).
Rule = Literal[
    "required",
    "allowed",
    "range",
    "not_in_future",
    "not_before",
    "references",
    "unique",
    "primary_key",
    "period",
]
DEFAULT_ACTIONS: dict[str, Action] = {
    "required": "reject_rows",
    "allowed": "reject_rows",
    "range": "reject_rows",
    "not_in_future": "reject_rows",
    "not_before": "reject_rows",
    "references": "reject_rows",
    "unique": "reject_file",
    "primary_key": "reject_file",
    "period": "reject_file",
}
DATE_TYPES = ("date", "timestamp")

# The Arrow type each contract type is stored as (delivered files may use compatible widths).
ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "float": pa.float64(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "boolean": pa.bool_(),
}

PERIOD_PATTERNS: dict[str, re.Pattern[str]] = {
    "monthly": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
    "quarterly": re.compile(r"^\d{4}-Q[1-4]$"),
    "yearly": re.compile(r"^\d{4}$"),
}
PERIOD_EXAMPLES = {"monthly": "2024-03", "quarterly": "2024-Q1", "yearly": "2024"}


class Reference(BaseModel):
    """Codes a column must take from another feed: ``column`` of that feed's latest loaded delivery,
    restricted to the rows matching ``where``. Without ``column``, the referenced feed's
    ``reference_key`` (or its single-column primary key) is used."""

    model_config = ConfigDict(extra="forbid")

    feed: str
    column: str | None = None
    where: dict[str, str] = {}


class ReferenceKey(BaseModel):
    """What other feeds mean when they write ``references: <this feed>``."""

    model_config = ConfigDict(extra="forbid")

    column: str
    where: dict[str, str] = {}
    label: str = ""


class Column(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    type: ColumnType
    required: bool = False
    privacy: PrivacyClass
    allowed: list[str] | None = None
    min: float | dt.datetime | dt.date | None = None
    max: float | dt.datetime | dt.date | None = None
    unique: bool = False
    not_in_future: bool | None = Field(
        default=None,
        description="Dates after the delivery arrived are refused; default: true for date and "
        "timestamp columns, set false for planned or due dates",
    )
    not_before: str | None = Field(
        default=None, description="Another date column of the feed this one may not precede"
    )
    references: Reference | None = Field(
        default=None, description="Feed whose latest delivery holds the valid codes"
    )
    may_be_absent: bool = Field(
        default=False,
        description="A column added to the contract later: a file without it still loads, with "
        "the column empty (a file that has it is checked as usual)",
    )
    on_violation: dict[Rule, Action] = Field(
        default={}, description="Per-rule override of what a violation on this column does"
    )
    description: str = ""

    @field_validator("references", mode="before")
    @classmethod
    def _reference_shorthand(cls, value: object) -> object:
        """``references: admin_units`` or ``references: admin_units.unit_code``."""
        if isinstance(value, str):
            feed, _, column = value.partition(".")
            return {"feed": feed, "column": column or None}
        return value

    @property
    def checks_future(self) -> bool:
        """Whether dates after the delivery's arrival are refused (default: every date column)."""
        if self.not_in_future is not None:
            return self.not_in_future
        return self.type in DATE_TYPES


class ReportingUnits(BaseModel):
    """A feed compiled from the reports of sub-national offices (e.g. provincial labour offices):
    the register ``feed`` lists, for each delivered period, the offices (``column``: their
    province codes) whose report is in that period's delivery. An office missing from it did not
    report: its figures for the period are unknown, not zero."""

    model_config = ConfigDict(extra="forbid")

    level: Literal["province"] = "province"
    feed: str = Field(
        description="Register feed listing the offices whose report each delivery holds"
    )
    column: str = Field(description="Column of the register holding the office's province code")


class Contract(BaseModel):
    """A feed's contract: owner, delivery frequency, columns and rules."""

    model_config = ConfigDict(extra="forbid")

    feed: str
    title: str
    description: str = ""
    owner: str = Field(description="Code of the reporting entity that delivers the feed")
    owner_name: str
    frequency: Frequency
    delivery: Literal["periodic", "on_change"] = Field(
        default="periodic",
        description="periodic: one delivery per period is expected; on_change: only when it changes",
    )
    due_days: int = Field(
        default=15, ge=0, description="Days after the end of a period by which its delivery is due"
    )
    primary_key: list[str] = []
    period_columns: list[str] = Field(
        default=[],
        description="Columns that place a row in the delivery period: one column (a date, or an "
        "integer year) must fall in the period; two date columns [start, end] form an interval "
        "(end empty = still open) that must overlap the period",
    )
    allow_empty: bool = Field(
        default=False, description="Whether a delivery with no rows is accepted"
    )
    reference_key: ReferenceKey | None = Field(
        default=None, description="What `references: <this feed>` in other contracts checks against"
    )
    on_violation: dict[Rule, Action] = Field(
        default={}, description="Per-rule override, for the whole feed, of what a violation does"
    )
    reporting_units: ReportingUnits | None = Field(
        default=None,
        description="The offices whose reports make up each delivery, and the register that says "
        "which of them reported (reporting completeness by province)",
    )
    columns: list[Column]

    @model_validator(mode="before")
    @classmethod
    def _period_column_alias(cls, data: object) -> object:
        """``period_column: year`` is short for ``period_columns: [year]``."""
        if isinstance(data, dict) and "period_column" in data:
            data = dict(data)
            single = data.pop("period_column")
            if "period_columns" in data:
                raise ValueError("give period_column or period_columns, not both")
            data["period_columns"] = [single] if single else []
        return data

    @model_validator(mode="after")
    def _keys_are_columns(self) -> Contract:
        names = {c.name for c in self.columns}
        missing = [k for k in self.primary_key if k not in names]
        if missing:
            raise ValueError(f"primary_key names unknown columns: {missing}")
        unknown = [p for p in self.period_columns if p not in names]
        if unknown:
            raise ValueError(f"period_columns names unknown columns: {unknown}")
        types = [self.column(p).type for p in self.period_columns]
        if len(types) > 2 or (len(types) == 2 and any(t not in DATE_TYPES for t in types)):
            raise ValueError("period_columns: one date or integer column, or two date columns")
        if any(t not in (*DATE_TYPES, "integer") for t in types):
            raise ValueError("period_columns must be date, timestamp or integer columns")
        for column in self.columns:
            if column.not_before is None:
                continue
            if column.not_before not in names:
                raise ValueError(f"column '{column.name}': not_before names unknown column")
            if column.type not in DATE_TYPES or self.column(column.not_before).type != column.type:
                raise ValueError(
                    f"column '{column.name}': not_before compares two columns of the same date type"
                )
        if self.reference_key is not None and self.reference_key.column not in names:
            raise ValueError("reference_key names an unknown column")
        return self

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def action(self, rule: str, column: str | None = None) -> Action:
        """What a violation of ``rule`` (on ``column``) does: the column's override, then the
        feed's, then the default of the rule."""
        if column is not None and column in self.column_names:
            override = self.column(column).on_violation.get(rule)  # type: ignore[call-overload]
            if override:
                return override
        return self.on_violation.get(rule, DEFAULT_ACTIONS.get(rule, "reject_file"))  # type: ignore[call-overload]

    def reference_target(self) -> ReferenceKey | None:
        """The codes ``references: <this feed>`` means: ``reference_key`` or the single primary key."""
        if self.reference_key is not None:
            return self.reference_key
        if len(self.primary_key) == 1:
            return ReferenceKey(column=self.primary_key[0])
        return None

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def columns_with_privacy(self, *classes: PrivacyClass) -> list[str]:
        return [c.name for c in self.columns if c.privacy in classes]

    def period_is_valid(self, period: str) -> bool:
        return bool(PERIOD_PATTERNS[self.frequency].match(period))


def period_bounds(period: str, frequency: Frequency) -> tuple[dt.date, dt.date]:
    """First and last day of a delivery period (``2024-03``, ``2024-Q1`` or ``2024``)."""
    year = int(period[:4])
    if frequency == "yearly":
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if frequency == "quarterly":
        first_month = 3 * (int(period[-1]) - 1) + 1
        start = dt.date(year, first_month, 1)
        months = 3
    else:
        start = dt.date(year, int(period[5:7]), 1)
        months = 1
    following = start.month - 1 + months
    end = dt.date(year + following // 12, following % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def referenced_feeds(contracts: dict[str, Contract]) -> set[str]:
    """Feeds whose deliveries other feeds' codes are checked against (ingested first)."""
    return {
        c.references.feed
        for contract in contracts.values()
        for c in contract.columns
        if c.references is not None
    }


def resolve_reference(
    column: Column, contracts: dict[str, Contract]
) -> tuple[str, ReferenceKey] | None:
    """The feed and key a column's ``references`` checks against, or None if it has none."""
    if column.references is None:
        return None
    reference = column.references
    target = contracts[reference.feed].reference_target() if reference.feed in contracts else None
    if reference.column is not None:
        target = ReferenceKey(column=reference.column, where=reference.where)
    elif target is not None and reference.where:
        target = ReferenceKey(column=target.column, where=reference.where, label=target.label)
    if target is None:
        return None
    return reference.feed, target


def check_references(contracts: dict[str, Contract]) -> None:
    """Raise if a ``references`` or a ``reporting_units`` register names an unknown feed or
    column (contracts are checked together)."""
    for contract in contracts.values():
        units = contract.reporting_units
        if units is not None:
            register = contracts.get(units.feed)
            if register is None or units.column not in register.column_names:
                raise ValueError(
                    f"{contract.feed}: reporting_units needs a register feed and its column "
                    f"('{units.feed}.{units.column}' is unknown)"
                )
            if register.owner != contract.owner or register.frequency != contract.frequency:
                raise ValueError(
                    f"{contract.feed}: its reporting_units register '{units.feed}' must come "
                    "from the same owner at the same frequency"
                )
        for column in contract.columns:
            if column.references is None:
                continue
            feed = column.references.feed
            if feed not in contracts:
                raise ValueError(f"{contract.feed}.{column.name}: references unknown feed '{feed}'")
            resolved = resolve_reference(column, contracts)
            names = contracts[feed].column_names
            if (
                resolved is None
                or resolved[1].column not in names
                or any(k not in names for k in resolved[1].where)
            ):
                raise ValueError(
                    f"{contract.feed}.{column.name}: references needs a column of '{feed}' "
                    "(give feed.column, or a reference_key or single primary key in its contract)"
                )


def arrow_schema(contract: Contract) -> pa.Schema:
    """The Arrow schema of a feed as delivered: the contract's columns, in order, with their types."""
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.type]) for c in contract.columns])


def load_contract(path: Path) -> Contract:
    with path.open() as handle:
        return Contract.model_validate(yaml.safe_load(handle))


@cache
def load_contracts(directory: Path = CONTRACTS_DIR) -> dict[str, Contract]:
    """All contracts by feed name."""
    contracts = [load_contract(p) for p in sorted(directory.glob("*.yaml"))]
    by_feed = {c.feed: c for c in contracts}
    check_references(by_feed)
    return by_feed
