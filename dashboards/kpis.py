"""Headline numbers and target status computed from query results (pure functions, no I/O)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import pandas as pd

TargetState = Literal["met", "missed", "on_track", "off_track", "unknown"]


@dataclass(frozen=True)
class Change:
    """Latest value of a series and its change since a base period."""

    latest: float
    latest_label: str
    base: float | None
    base_label: str | None

    @property
    def difference(self) -> float | None:
        return None if self.base is None else self.latest - self.base

    @property
    def percent(self) -> float | None:
        if self.base in (None, 0):
            return None
        return (self.latest - self.base) / self.base * 100


@dataclass(frozen=True)
class TargetStatus:
    """Where an indicator stands against its catalogue target."""

    state: TargetState
    text: str


def format_number(value: float | None, number_format: str | None) -> str:
    """Format like the catalogue's d3 ``number_format`` (``,.0f``, ``,.1f``); em dash when missing."""
    if value is None or pd.isna(value):
        return "—"
    try:
        return format(float(value), number_format or ",.0f")
    except ValueError:
        return f"{value:,.1f}"


def latest_with_base(latest_series: pd.DataFrame, base_series: pd.DataFrame) -> Change | None:
    """Latest value of ``latest_series`` against the first row of ``base_series`` (both oldest first).

    Used for stocks: the latest month against the end of the first (baseline) year.
    """
    latest_rows = latest_series.dropna(subset=["value"])
    if latest_rows.empty:
        return None
    last = latest_rows.iloc[-1]
    base_rows = base_series.dropna(subset=["value"])
    if base_rows.empty or base_rows.iloc[0]["period_end"] >= last["period_end"]:
        return Change(float(last["value"]), str(last["period_label"]), None, None)
    first = base_rows.iloc[0]
    return Change(
        float(last["value"]),
        str(last["period_label"]),
        float(first["value"]),
        str(first["period_label"]),
    )


def rolling_rate(
    monthly: pd.DataFrame, factor: float, months: int = 12
) -> tuple[float | None, str, str]:
    """Rate over the last ``months`` months, re-aggregated from numerators and denominators.

    Returns the value (None when the denominator is 0) and the first and last period labels.
    """
    window = monthly.dropna(subset=["numerator"]).tail(months)
    if window.empty:
        return None, "", ""
    denominator = float(window["denominator"].sum())
    value = float(window["numerator"].sum()) / denominator * factor if denominator else None
    return value, str(window.iloc[0]["period_label"]), str(window.iloc[-1]["period_label"])


def target_status(
    value: float,
    as_of: dt.date,
    *,
    direction: str | None,
    target_value: float | None,
    target_year: int | None,
    baseline_value: float | None = None,
    baseline_date: dt.date | None = None,
) -> TargetStatus:
    """On track or not against the target, aware of whether higher or lower is better.

    Once the target year has ended the target is met or missed. Before that, the value is compared
    with a straight path from the baseline to the target at the end of the target year.
    """
    if target_value is None or target_year is None or direction not in ("up", "down"):
        return TargetStatus("unknown", "No target set")
    better = (lambda a, b: a >= b) if direction == "up" else (lambda a, b: a <= b)
    deadline = dt.date(int(target_year), 12, 31)
    if as_of >= deadline:
        if better(value, target_value):
            return TargetStatus("met", "Target reached")
        return TargetStatus("missed", "Target not reached")
    if better(value, target_value):
        return TargetStatus("met", "Target already reached")
    if baseline_value is None or baseline_date is None or as_of <= baseline_date:
        return TargetStatus("unknown", "Not yet at target")
    share = (as_of - baseline_date).days / (deadline - baseline_date).days
    expected = baseline_value + (target_value - baseline_value) * share
    if better(value, expected):
        return TargetStatus("on_track", "On track")
    return TargetStatus("off_track", "Off track")
