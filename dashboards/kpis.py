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


def change_since_baseline(
    monthly: pd.DataFrame,
    *,
    baseline_value: float | None = None,
    baseline_date: dt.date | str | None = None,
) -> Change | None:
    """Latest value of a stock series (oldest first) against its baseline.

    The catalogue's baseline (value on ``baseline_date``) when one is given, e.g. the national
    care-reform baseline; otherwise the first value of the series, e.g. for a province.
    """
    rows = monthly.dropna(subset=["value"])
    if rows.empty:
        return None
    last = rows.iloc[-1]
    latest, latest_label = float(last["value"]), str(last["period_label"])
    if baseline_value is not None and baseline_date is not None:
        when = pd.Timestamp(baseline_date)
        if when < pd.Timestamp(last["period_end"]):
            label = f"the {when.strftime('%-d %b %Y')} baseline"
            return Change(latest, latest_label, float(baseline_value), label)
    first = rows.iloc[0]
    if first["period_end"] >= last["period_end"]:
        return Change(latest, latest_label, None, None)
    return Change(latest, latest_label, float(first["value"]), f"end of {first['period_label']}")


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
