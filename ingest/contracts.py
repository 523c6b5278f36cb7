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
from pydantic import BaseModel, ConfigDict, Field, model_validator

from cpmonitor.settings import CONTRACTS_DIR

ColumnType = Literal["string", "integer", "float", "date", "timestamp", "boolean"]
PrivacyClass = Literal["direct_identifier", "record_id", "quasi_identifier", "public"]
Frequency = Literal["monthly", "quarterly", "yearly"]

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
    description: str = ""


class Contract(BaseModel):
    """A feed's contract: owner, delivery frequency, columns and rules."""

    model_config = ConfigDict(extra="forbid")

    feed: str
    title: str
    description: str = ""
    owner: str = Field(description="Code of the reporting entity that delivers the feed")
    owner_name: str
    frequency: Frequency
    due_days: int = Field(
        default=15, ge=0, description="Days after the end of a period by which its delivery is due"
    )
    primary_key: list[str] = []
    columns: list[Column]

    @model_validator(mode="after")
    def _keys_are_columns(self) -> Contract:
        names = {c.name for c in self.columns}
        missing = [k for k in self.primary_key if k not in names]
        if missing:
            raise ValueError(f"primary_key names unknown columns: {missing}")
        return self

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def columns_with_privacy(self, *classes: PrivacyClass) -> list[str]:
        return [c.name for c in self.columns if c.privacy in classes]

    def period_is_valid(self, period: str) -> bool:
        return bool(PERIOD_PATTERNS[self.frequency].match(period))


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
    return {c.feed: c for c in contracts}
