"""The mart suite: checks on ``main.fct_indicator_values`` of a built warehouse before it is published.

The fact table is fetched (with each indicator's unit and kind from ``dim_indicator``) into pandas and
validated with GX, because GX's SQL path does not work with DuckDB. Messages name offending rows by
their key (indicator, period, area, breakdown) so an analyst can find them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cpmonitor.core import vocabularies as v
from expectations.feeds import format_value
from expectations.results import CheckResult, utc_now
from expectations.runner import Outcome, SuiteRunner

SUITE = "mart.fct_indicator_values"
TARGET = "main.fct_indicator_values"
KEY = ["indicator_code", "period_id", "geo_code", "disaggregation", "disaggregation_value"]
NOT_NULL = ["indicator_code", "period_type", "period_id", "geo_level", "geo_code"]
NOT_NULL += ["disaggregation", "disaggregation_value"]
# The vocabularies of the mart's keys (cpmonitor.core.vocabularies, read from dbt_project.yml).
ALLOWED = {
    "period_type": list(v.PERIOD_TYPES),
    "geo_level": ["national", "province", "district"],
    "disaggregation": ["total", *v.DISAGGREGATIONS],
    "disaggregation_value": [
        "total",
        *(value for values in v.DISAGGREGATION_VALUES.values() for value in values),
    ],
}
SCOPE = "_percent_scope"  # derived: 'percent', 'cumulative_percent' or 'other'

# Only the columns the suite reads (its rules and the keys its messages name): at scale 0.1 the
# whole row took 23.5 s and 3.9 GB to fetch and check, these 18.0 s and 3.0 GB.
FACT_COLUMNS = list(dict.fromkeys([*NOT_NULL, *KEY, "numerator", "value"]))
FACT_QUERY = f"""
select {", ".join(f"f.{c}" for c in FACT_COLUMNS)}, d.unit as _unit, d.kind as _kind
from main.fct_indicator_values as f
left join main.dim_indicator as d using (indicator_code)
"""


def validate_marts(db_path: Path, *, run_id: str) -> list[CheckResult]:
    """Run the mart suite on a built warehouse (opened read-only); one result per check."""
    with duckdb.connect(str(db_path), read_only=True) as connection:
        facts = _categorical_frame(connection.sql(FACT_QUERY).to_arrow_table())
        codes = [
            r[0]
            for r in connection.execute("select indicator_code from main.dim_indicator").fetchall()
        ]
    return check_facts(facts, codes, run_id=run_id)


def _categorical_frame(table: pa.Table) -> pd.DataFrame:
    """The fetched facts with every text column as a pandas categorical: the keys repeat on
    millions of rows (at national scale 4.6 M rows), and as codes they take a fraction of the
    memory and time of Python strings, for the same checks and the same messages."""
    columns = [
        pc.dictionary_encode(column) if pa.types.is_string(column.type) else column
        for column in table.columns
    ]
    return pa.table(columns, names=table.column_names).to_pandas()


def check_facts(
    facts: pd.DataFrame, indicator_codes: list[str], *, run_id: str
) -> list[CheckResult]:
    """The mart suite on an already fetched fact frame (with ``_unit`` and ``_kind`` columns)."""
    frame = facts.reset_index(drop=True)
    frame[SCOPE] = _percent_scope(frame)
    runner = SuiteRunner()
    runner.add_suite(SUITE, mart_expectations())
    checked_at = utc_now()
    results = [
        CheckResult(
            run_id=run_id,
            checked_at=checked_at,
            suite=SUITE,
            target=TARGET,
            expectation=outcome.expectation,
            column_name=outcome.column_name,
            success=outcome.success,
            severity=outcome.severity,
            unexpected_count=outcome.unexpected_count,
            details="" if outcome.success else describe_mart_outcome(outcome, frame),
        )
        for outcome in runner.validate(SUITE, frame)
    ]
    present = set(frame["indicator_code"].dropna())
    missing = [code for code in indicator_codes if code not in present]
    results.append(
        CheckResult(
            run_id=run_id,
            checked_at=checked_at,
            suite=SUITE,
            target=TARGET,
            expectation="every_indicator_has_values",
            column_name="indicator_code",
            success=not missing,
            severity="error",
            unexpected_count=len(missing),
            details=f"indicators of the catalogue with no values: {', '.join(missing)}"
            if missing
            else "",
        )
    )
    return results


def mart_expectations() -> list[Any]:
    """GX expectations of ``fct_indicator_values``."""
    import great_expectations.expectations as gxe  # lazy: GX takes seconds to import (see ``expectations``)
    from great_expectations.expectations.metadata_types import FailureSeverity
    from great_expectations.expectations.row_conditions import Column

    expectations: list[Any] = [
        gxe.ExpectColumnValuesToNotBeNull(column=c, meta={"rule": "required"}) for c in NOT_NULL
    ]
    expectations += [
        gxe.ExpectColumnValuesToBeInSet(
            column=c, value_set=codes, meta={"rule": "allowed", "allowed": codes}
        )
        for c, codes in ALLOWED.items()
    ]
    expectations.append(gxe.ExpectCompoundColumnsToBeUnique(column_list=KEY, meta={"rule": "key"}))
    expectations += [
        gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, meta={"rule": "not_negative"})
        for c in ("numerator", "value")
    ]
    expectations.append(
        gxe.ExpectColumnValuesToBeBetween(
            column="value",
            min_value=0,
            max_value=100,
            row_condition=Column(SCOPE) == "percent",
            meta={"rule": "percent"},
        )
    )
    expectations.append(
        gxe.ExpectColumnValuesToBeBetween(
            column="value",
            max_value=100,
            row_condition=Column(SCOPE) == "cumulative_percent",
            severity=FailureSeverity.WARNING,
            meta={"rule": "cumulative_percent"},
        )
    )
    return expectations


def describe_mart_outcome(outcome: Outcome, frame: pd.DataFrame) -> str:
    """One sentence on a failed mart check, naming example rows by their key."""
    count = outcome.unexpected_count or 0
    rows = "1 row has" if count == 1 else f"{count} rows have"
    values = "a value" if count == 1 else "values"
    column = outcome.column_name
    rule = outcome.meta.get("rule")
    if outcome.error:
        return f"column '{column}': the check could not run ({outcome.error})"
    if rule == "required":
        what = f"column '{column}': {rows} no value"
    elif rule == "allowed":
        allowed = ", ".join(outcome.meta["allowed"])
        what = f"column '{column}': {rows} {values} outside [{allowed}]"
    elif rule == "key":
        what = f"{rows} a duplicate key ({column})"
    elif rule == "not_negative":
        what = f"column '{column}': {rows} a negative {values.removeprefix('a ')}"
    elif rule == "percent":
        what = f"column 'value': {rows} {values} outside 0 to 100 for a percentage indicator"
    elif rule == "cumulative_percent":
        what = (
            f"column 'value': {rows} {values} above 100 for a cumulative percentage indicator "
            "(possible when more children left care than the baseline count; worth a look)"
        )
    else:
        what = f"column '{column}': {rows} unexpected {values} ({outcome.expectation})"
    show_value = rule not in ("required", "key")
    examples = [
        _row_label(frame, row, column if show_value else None) for row in outcome.example_rows
    ]
    more = "e.g. " if count > len(examples) else ""
    return f"{what} ({more}{'; '.join(examples)})" if examples else what


def _row_label(frame: pd.DataFrame, row: int, column: str | None) -> str:
    record = frame.iloc[row]
    key = " ".join(
        str(record[c]) if pd.notna(record[c]) else "?" for c in KEY if c != "disaggregation"
    )
    return f"{key}: {format_value(record[column])}" if column else key


def _percent_scope(frame: pd.DataFrame) -> pd.Series:
    # Compared per distinct unit, not per row: the columns are categoricals (``_categorical_frame``).
    percent_units = [u for u in frame["_unit"].dropna().unique() if str(u).startswith("%")]
    percent = frame["_unit"].isin(percent_units)
    cumulative = frame["_kind"].eq("cumulative_rate").fillna(False).astype(bool)
    scope = pd.Series("other", index=frame.index, dtype="object")
    scope[percent & ~cumulative] = "percent"
    # Below national level a cumulative share can pass 100% legitimately (children admitted after
    # the baseline are reintegrated too), so only the national figure is questioned.
    national = frame["geo_level"].eq("national").fillna(False).astype(bool)
    scope[percent & cumulative & national] = "cumulative_percent"
    return scope
