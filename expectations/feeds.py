"""Feed suites: the row-level rules of a data contract as a GX suite, and its results as sentences.

Each rule is written once, in the contract; this module derives the expectations from it
(``required`` -> not null, ``allowed`` -> in set, ``min``/``max`` -> between, ``unique`` and the
primary key -> unique, ``not_in_future`` -> at most the arrival date, ``not_before`` -> column pair,
``references`` -> in the referenced feed's codes, ``period_columns`` -> within the delivery period)
and turns each failed expectation into a message a ministry data officer can act on: column, rule,
count of rows and up to five example rows (1-based) with their values.
Values of record identifiers and direct identifiers are never echoed.

Rules whose bounds depend on the delivery (arrival date, period, reference codes) use GX suite
parameters; ``feed_parameters`` gives their values for one delivered file.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from cpmonitor.core.contracts import DATE_TYPES, Column, Contract
from cpmonitor.core.periods import period_bounds
from expectations.runner import EXAMPLE_COUNT, Outcome

PRIVATE_CLASSES = ("record_id", "direct_identifier")


def feed_suite_name(feed: str) -> str:
    """Name of a feed's suite, as recorded in ``audit.check_results.suite``."""
    return f"feed.{feed}"


def feed_expectations(contract: Contract) -> list[Any]:
    """GX expectations for a contract's row-level rules (schema is checked before, in plain Python)."""
    import great_expectations.expectations as gxe  # lazy: GX takes seconds to import (see ``expectations``)

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
        if column.checks_future and column.type in DATE_TYPES:
            expectations.append(
                gxe.ExpectColumnValuesToBeBetween(
                    column=column.name,
                    max_value={"$PARAMETER": _arrival_parameter(column)},
                    meta={**meta, "rule": "not_in_future"},
                )
            )
        if column.not_before:
            expectations.append(
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=column.name,
                    column_B=column.not_before,
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                    meta={**meta, "rule": "not_before", "other": column.not_before},
                )
            )
        if column.references is not None:
            expectations.append(
                gxe.ExpectColumnValuesToBeInSet(
                    column=column.name,
                    value_set={"$PARAMETER": reference_parameter(column.name)},
                    meta={**meta, "rule": "references", "feed": column.references.feed},
                )
            )
    expectations += _period_expectations(contract, private)
    key = contract.primary_key
    if key:
        meta = {"withhold_values": bool(private & set(key)), "rule": "primary_key"}
        if len(key) == 1:
            expectations.append(gxe.ExpectColumnValuesToBeUnique(column=key[0], meta=meta))
        else:
            expectations.append(gxe.ExpectCompoundColumnsToBeUnique(column_list=key, meta=meta))
    return expectations


def reference_parameter(column: str) -> str:
    """Name of the suite parameter holding the valid codes of a ``references`` column."""
    return f"reference_codes__{column}"


def feed_parameters(
    contract: Contract,
    period: str | None,
    arrived_at: dt.datetime,
    reference_codes: dict[str, list[str]],
) -> dict[str, Any]:
    """Values of a feed suite's parameters for one delivered file.

    ``reference_codes`` maps each ``references`` column to its valid codes; a column missing from it
    gets an empty list (its outcome is then discarded by the caller, with a warning). A period that
    is not valid for the feed gives unbounded period limits (the location check reports it).
    """
    parameters: dict[str, Any] = {
        "arrival_date": arrived_at.date(),
        "arrival_time": arrived_at,
    }
    if period and contract.period_is_valid(period):
        start, end = period_bounds(period, contract.frequency)
    else:
        start, end = dt.date.min, dt.date.max
    parameters |= {
        "period_start": start,
        "period_end": end,
        "period_start_time": dt.datetime.combine(start, dt.time.min),
        "period_end_time": dt.datetime.combine(end, dt.time.max),
        "period_first_year": start.year,
        "period_last_year": end.year,
    }
    for column in contract.columns:
        if column.references is not None:
            parameters[reference_parameter(column.name)] = reference_codes.get(column.name, [])
    return parameters


def _arrival_parameter(column: Column) -> str:
    return "arrival_time" if column.type == "timestamp" else "arrival_date"


def _period_expectations(contract: Contract, private: set[str]) -> list[Any]:
    """One column: within the period. Two: the [start, end] interval overlaps the period."""
    import great_expectations.expectations as gxe  # lazy: GX takes seconds to import (see ``expectations``)

    columns = [contract.column(name) for name in contract.period_columns]
    out: list[Any] = []
    for position, column in enumerate(columns):
        suffix = "_time" if column.type == "timestamp" else ""
        low: Any = {"$PARAMETER": f"period_start{suffix}"}
        high: Any = {"$PARAMETER": f"period_end{suffix}"}
        if column.type == "integer":
            low, high = {"$PARAMETER": "period_first_year"}, {"$PARAMETER": "period_last_year"}
        part = "within"
        if len(columns) == 2:
            part = "start" if position == 0 else "end"
            low, high = (None, high) if position == 0 else (low, None)
        out.append(
            gxe.ExpectColumnValuesToBeBetween(
                column=column.name,
                min_value=low,
                max_value=high,
                meta={
                    "withhold_values": column.name in private,
                    "rule": "period",
                    "part": part,
                },
            )
        )
    return out


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
    elif rule == "not_in_future":
        arrived = _text(meta.get("arrived")) or "the delivery's arrival"
        what = f"{rows} {_dates(count)} in the future (after the delivery arrived on {arrived})"
    elif rule == "not_before":
        what = f"{rows} {_dates(count)} before '{meta['other']}'"
    elif rule == "references":
        codes = meta.get("codes_label") or f"the latest {meta['feed']} delivery"
        what = f"{rows} {_codes(count)} not found in {codes}"
    elif rule == "period":
        period = meta.get("period", "the delivery period")
        what = {
            "start": f"{rows} a start after the delivery period {period} ends",
            "end": f"{rows} an end before the delivery period {period} begins",
        }.get(meta.get("part", ""), f"{rows} {values} outside the delivery period {period}")
    else:
        what = f"{rows} unexpected {values} ({outcome.expectation})"
    return f"{subject}: {what} ({examples})"


def format_value(value: Any) -> str:
    """A value as people read it in a message: strings quoted, dates ISO, whole floats as integers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "empty"
    if isinstance(value, tuple):
        return " vs ".join(format_value(v) for v in value)
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


def _dates(count: int) -> str:
    return "a date" if count == 1 else "dates"


def _codes(count: int) -> str:
    return "a code" if count == 1 else "codes"


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
