"""Feed suites: the row-level rules of a data contract as a GX suite, and its results as sentences.

Each rule is written once, in the contract; this module derives the expectations from it
(``required`` -> not null, ``allowed`` -> in set, ``min``/``max`` -> between, ``unique`` and the
primary key -> unique) and turns each failed expectation into a message a ministry data officer can
act on: column, rule, count of rows and up to five example rows (1-based) with their values.
Values of record identifiers and direct identifiers are never echoed.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from expectations.runner import EXAMPLE_COUNT, Outcome
from ingest.contracts import Column, Contract

PRIVATE_CLASSES = ("record_id", "direct_identifier")


def feed_suite_name(feed: str) -> str:
    """Name of a feed's suite, as recorded in ``audit.check_results.suite``."""
    return f"feed.{feed}"


def feed_expectations(contract: Contract) -> list[Any]:
    """GX expectations for a contract's row-level rules (schema is checked before, in plain Python)."""
    import great_expectations.expectations as gxe

    private = set(contract.columns_with_privacy(*PRIVATE_CLASSES))
    expectations: list[Any] = []
    for column in contract.columns:
        meta = {"withhold_values": column.name in private}
        if column.required:
            expectations.append(
                gxe.ExpectColumnValuesToNotBeNull(
                    column=column.name, meta={**meta, "rule": "required"}
                )
            )
        if column.allowed:
            expectations.append(
                gxe.ExpectColumnValuesToBeInSet(
                    column=column.name,
                    value_set=list(column.allowed),
                    meta={**meta, "rule": "allowed", "allowed": list(column.allowed)},
                )
            )
        if column.min is not None or column.max is not None:
            low, high = _bound(column, column.min), _bound(column, column.max)
            expectations.append(
                gxe.ExpectColumnValuesToBeBetween(
                    column=column.name,
                    min_value=low,
                    max_value=high,
                    meta={**meta, "rule": "range", "min": _text(low), "max": _text(high)},
                )
            )
        if column.unique and contract.primary_key != [column.name]:
            expectations.append(
                gxe.ExpectColumnValuesToBeUnique(
                    column=column.name, meta={**meta, "rule": "unique"}
                )
            )
    key = contract.primary_key
    if key:
        meta = {"withhold_values": bool(private & set(key)), "rule": "primary_key"}
        if len(key) == 1:
            expectations.append(gxe.ExpectColumnValuesToBeUnique(column=key[0], meta=meta))
        else:
            expectations.append(gxe.ExpectCompoundColumnsToBeUnique(column_list=key, meta=meta))
    return expectations


def outcome_columns(outcome: Outcome) -> list[str]:
    """The columns an outcome is about (several for a compound key)."""
    return [c.strip() for c in (outcome.column_name or "").split(",") if c.strip()]


def describe_outcome(outcome: Outcome) -> str:
    """One sentence on a failed feed expectation, e.g. ``column 'sex': 3 rows have values outside
    the allowed codes [F, M] (rows 4, 17, 22: 'X', 'U', 'X')``."""
    meta = outcome.meta
    rule = meta.get("rule", outcome.expectation)
    columns = outcome_columns(outcome)
    subject = f"column '{columns[0]}'" if len(columns) == 1 else f"columns ({', '.join(columns)})"
    if outcome.error:
        return f"{subject}: the '{rule}' check could not run ({outcome.error})"
    count = outcome.unexpected_count or 0
    rows = _rows(count)
    examples = _examples(outcome, show_values=rule != "required")
    values = "a value" if count == 1 else "values"
    if rule == "required":
        what = f"{rows} no value, but a value is required"
    elif rule == "allowed":
        what = f"{rows} {values} outside the allowed codes [{', '.join(meta['allowed'])}]"
    elif rule == "range":
        low, high = meta.get("min"), meta.get("max")
        if low is not None and high is not None:
            what = f"{rows} {values} outside the allowed range {low} to {high}"
        elif low is not None:
            what = f"{rows} {values} below the minimum {low}"
        else:
            what = f"{rows} {values} above the maximum {high}"
    elif rule == "primary_key":
        what = f"{rows} a duplicate primary key (each key must appear once)"
    elif rule == "unique":
        what = f"{rows} a duplicate value (each value must appear once)"
    else:
        what = f"{rows} unexpected {values} ({outcome.expectation})"
    return f"{subject}: {what} ({examples})"


def format_value(value: Any) -> str:
    """A value as people read it in a message: strings quoted, dates ISO, whole floats as integers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "empty"
    if isinstance(value, dict):
        return "(" + ", ".join(format_value(v) for v in value.values()) + ")"
    if isinstance(value, str):
        return repr(value)
    if hasattr(value, "item") and not isinstance(value, dt.date):
        value = value.item()  # numpy scalar
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if abs(value) >= 1 else f"{value:.3g}"
    return str(value)


def _rows(count: int) -> str:
    return "1 row has" if count == 1 else f"{count} rows have"


def _examples(outcome: Outcome, *, show_values: bool) -> str:
    rows = [r + 1 for r in outcome.example_rows]
    count = outcome.unexpected_count or 0
    if not rows:
        return "no example rows available"
    lead = "row" if len(rows) == 1 else "rows"
    if count > len(rows):
        lead = f"first {len(rows)}: {lead}"
    text = f"{lead} {', '.join(str(r) for r in rows)}"
    if not show_values or not outcome.example_values:
        return text
    if outcome.meta.get("withhold_values"):
        return f"{text}: values not shown, record identifiers"
    return f"{text}: {', '.join(format_value(v) for v in outcome.example_values[:EXAMPLE_COUNT])}"


def _bound(column: Column, value: float | dt.date | None) -> Any:
    if value is None:
        return None
    if column.type == "date":
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    if column.type == "timestamp":
        return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if column.type == "integer" and float(value).is_integer():
        return int(value)
    return value


def _text(value: Any) -> str | None:
    return None if value is None else format_value(value).strip("'")
