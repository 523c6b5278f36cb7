"""The expectations of a batch suite (``ingest.batch_suite``) evaluated directly on the batch's
pandas frame, with the semantics of GX's pandas engine, instead of through a GX validation run.

A GX run costs its machinery (metric graphs, configuration copies, pydantic) on every batch, and
GX compares dates and non-nanosecond timestamps one value at a time in Python. Here each
expectation is the same pandas expression GX evaluates, on the same rows:

- the rows GX looks at: a column's non-null values (``filter_column_isnull``), every row for
  ``not_null``, or the rows ``ignore_row_if`` keeps (``PandasExecutionEngine.get_domain_records``);
- the condition GX's ``_pandas`` metric computes on them (``isnull``, ``isin``, ``duplicated``,
  ``>=``), and for ``between`` the comparisons its ``is_between`` makes value by value, done for
  the whole column once the values are known to be comparable as ``is_between`` compares them;
- the offending rows are those positions (the frame's index is reset, as the runner resets it).

Anything else (another expectation, ``mostly``, a row condition, a comparison GX would refuse or
that might raise) is ``Unsupported``: the caller then runs GX itself, so results never differ.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

NOT_NULL = "expect_column_values_to_not_be_null"
IN_SET = "expect_column_values_to_be_in_set"
BETWEEN = "expect_column_values_to_be_between"
COMPOUND_UNIQUE = "expect_compound_columns_to_be_unique"
PAIR_GREATER = "expect_column_pair_values_a_to_be_greater_than_b"

# The fields of each expectation this module reads; any other field set is unsupported.
_FIELDS = {
    NOT_NULL: ("column",),
    IN_SET: ("column", "value_set"),
    BETWEEN: ("column", "min_value", "max_value", "strict_min", "strict_max"),
    COMPOUND_UNIQUE: ("column_list", "ignore_row_if"),
    PAIR_GREATER: ("column_A", "column_B", "or_equal", "ignore_row_if"),
}
# Fields every expectation has that do not change which rows offend.
_INERT = {
    "result_format", "catch_exceptions", "severity", "meta", "notes", "id", "description",
    "rendered_content", "windows", "batch_id",
}  # fmt: skip
_DROPNA = {
    "all_values_are_missing": "all",
    "any_value_is_missing": "any",
    "both_values_are_missing": "all",
    "either_value_is_missing": "any",
}


class Unsupported(Exception):
    """This expectation (or these values) is left to GX."""


@dataclass(frozen=True)
class Rule:
    """An expectation's type and the fields that decide its offending rows (defaults filled in)."""

    type: str
    fields: dict[str, Any]
    supported: bool


def rule_of(expectation: Any) -> Rule:
    """The rule of a GX expectation object, read once (its ``configuration`` is costly)."""
    kind = expectation.configuration.type
    values = expectation.dict()
    wanted = _FIELDS.get(kind)
    supported = wanted is not None
    if supported:
        for name, value in values.items():
            if name in _INERT or name in wanted:
                continue
            if name == "mostly" and value in (None, 1):
                continue
            if name in ("row_condition", "condition_parser") and value is None:
                continue
            supported = False
    return Rule(kind, {k: values.get(k) for k in wanted or ()}, supported)


def unexpected_positions(rule: Rule, frame: pd.DataFrame, parameters: dict[str, Any]) -> np.ndarray:
    """Positions (0-based, ascending) of the rows of ``frame`` that fail ``rule``, as GX finds them.

    ``parameters`` gives the values of ``{"$PARAMETER": name}`` fields. Raises ``Unsupported``.
    """
    if not rule.supported:
        raise Unsupported(rule.type)
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0:
        raise Unsupported("the frame's index is not its row positions")
    fields = {k: _resolve(v, parameters) for k, v in rule.fields.items()}
    try:
        if rule.type == NOT_NULL:
            return np.flatnonzero(frame[fields["column"]].isnull().to_numpy())
        if rule.type == IN_SET:
            return _in_set(frame[fields["column"]], fields["value_set"])
        if rule.type == BETWEEN:
            return _between(frame[fields["column"]], fields)
        if rule.type == COMPOUND_UNIQUE:
            columns = list(fields["column_list"])
            domain = _domain(frame, columns, fields["ignore_row_if"])
            return _positions(domain, domain[columns].duplicated(keep=False))
        if rule.type == PAIR_GREATER:
            a, b = fields["column_A"], fields["column_B"]
            domain = _domain(frame, [a, b], fields["ignore_row_if"])
            meets = domain[a] >= domain[b] if fields["or_equal"] else domain[a] > domain[b]
            return _positions(domain, ~meets)
    except Unsupported:
        raise
    except Exception as exc:  # GX would report an error here: let GX say it
        raise Unsupported(f"{type(exc).__name__}: {exc}") from exc
    raise Unsupported(rule.type)


def _resolve(value: Any, parameters: dict[str, Any]) -> Any:
    if isinstance(value, dict) and set(value) == {"$PARAMETER"}:
        name = value["$PARAMETER"]
        if name not in parameters:
            raise Unsupported(f"no value for suite parameter {name!r}")
        return parameters[name]
    if isinstance(value, dict):
        raise Unsupported("a field is a dict")
    return value


def _domain(frame: pd.DataFrame, columns: list[str], ignore_row_if: Any) -> pd.DataFrame:
    """The rows ``ignore_row_if`` keeps, as ``PandasExecutionEngine.get_domain_records`` drops them."""
    if ignore_row_if in ("never", "neither"):
        return frame
    how = _DROPNA.get(ignore_row_if)
    if how is None:
        raise Unsupported(f"ignore_row_if {ignore_row_if!r}")
    return frame.dropna(axis=0, how=how, subset=columns)


def _positions(domain: pd.DataFrame | pd.Series, offends: pd.Series) -> np.ndarray:
    return domain.index.to_numpy()[offends.to_numpy(dtype=bool)].astype(np.int64)


def _in_set(column: pd.Series, value_set: Any) -> np.ndarray:
    if value_set is None:
        return np.empty(0, np.int64)  # vacuously true, as in GX
    if not isinstance(value_set, list | tuple | set | frozenset) or not value_set:
        raise Unsupported("value_set")
    domain = column[column.notnull()]
    return _positions(domain, ~domain.isin(value_set))


def _between(column: pd.Series, fields: dict[str, Any]) -> np.ndarray:
    """``ColumnValuesBetween._pandas``: vectorised for numbers as GX does it; dates and timestamps
    compared as ``is_between`` compares each value (the same ``>=``/``<=``), here all at once."""
    low, high = fields["min_value"], fields["max_value"]
    strict_min, strict_max = fields["strict_min"], fields["strict_max"]
    if low is None and high is None:
        raise Unsupported("min_value and max_value cannot both be None")
    if isinstance(low, str) or isinstance(high, str):
        raise Unsupported("a bound is text")
    if low is not None and high is not None and low > high:
        raise Unsupported("min_value cannot be greater than max_value")
    domain = column[column.notnull()]
    dtype = domain.dtype
    if dtype in (np.dtype(np.int64), np.dtype(np.float64)):
        pass  # GX's ``_pandas_vectorized``
    elif pd.api.types.is_datetime64_dtype(dtype) and not isinstance(dtype, pd.DatetimeTZDtype):
        for bound in (low, high):  # ``Timestamp`` against a datetime; exact at microseconds
            if bound is not None and not (isinstance(bound, dt.datetime) and bound.tzinfo is None):
                raise Unsupported("a timestamp compared with something else than a datetime")
            if bound is not None and not pd.Timestamp.min <= bound <= pd.Timestamp.max:
                raise Unsupported("a bound beyond pandas timestamps")
    elif dtype == np.dtype(object):
        if len(domain) and pd.api.types.infer_dtype(domain, skipna=False) != "date":
            raise Unsupported("values other than dates in an object column")
        for bound in (low, high):
            if bound is not None and (type(bound) is not dt.date):
                raise Unsupported("dates compared with something else than a date")
    else:
        raise Unsupported(f"dtype {dtype}")
    if low is None:
        meets = domain < high if strict_max else domain <= high
    elif high is None:
        meets = low < domain if strict_min else low <= domain
    else:
        above = (low < domain) if strict_min else (low <= domain)
        below = (domain < high) if strict_max else (domain <= high)
        meets = above & below
    return _positions(domain, ~meets)
