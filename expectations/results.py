"""Check results as the warehouse keeps them (``audit.check_results``), whatever ran the check."""

from __future__ import annotations

import datetime as dt
from dataclasses import astuple, dataclass
from typing import Literal

import pandas as pd

Severity = Literal["error", "warning"]

CHECK_RESULT_DTYPES: dict[str, str] = {
    "run_id": "string",
    "checked_at": "datetime64[us]",
    "suite": "string",
    "target": "string",
    "expectation": "string",
    "column_name": "string",
    "success": "boolean",
    "severity": "string",
    "unexpected_count": "Int64",
    "details": "string",
}


@dataclass(frozen=True)
class CheckResult:
    """One expectation (or plain-Python check) evaluated on one target.

    ``checked_at`` is naive UTC. ``column_name`` is None for table-level checks and holds the
    comma-separated columns of a compound check. ``details`` is a sentence for people, empty on success.
    """

    run_id: str
    checked_at: dt.datetime
    suite: str
    target: str
    expectation: str
    column_name: str | None
    success: bool
    severity: Severity
    unexpected_count: int | None
    details: str


def utc_now() -> dt.datetime:
    """Current time as naive UTC (how every timestamp of the warehouse is stored)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def check_results_frame(results: list[CheckResult]) -> pd.DataFrame:
    """The ``audit.check_results`` columns, typed, in order; also when there are no results."""
    frame = pd.DataFrame([astuple(r) for r in results], columns=list(CHECK_RESULT_DTYPES))
    return frame.astype(CHECK_RESULT_DTYPES)
