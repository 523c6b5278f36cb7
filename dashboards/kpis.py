"""Headline numbers and the words for values, changes and target status (pure functions, no I/O).

Target status itself is computed once, in the warehouse (``fct_indicator_values.status``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cpmonitor.core.formats import format_number, format_value, unit_words


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


STATUS_WORDS = {"on_track": "On track", "off_track": "Off track", "no_target": "No target"}


def status_text(status: str | None, period_end: Any, target_year: int | None) -> str:
    """Words for the warehouse's ``status`` of a value (fct_indicator_values computes it; this only
    words it): ``On track``/``Off track`` before the end of the target year, ``Target reached``/
    ``Target not reached`` from then on."""
    if status not in ("on_track", "off_track"):
        return "No target set" if status == "no_target" else "Not known"
    ended = (
        target_year is not None
        and period_end is not None
        and pd.Timestamp(period_end) >= pd.Timestamp(int(target_year), 12, 31)
    )
    if ended:
        return "Target reached" if status == "on_track" else "Target not reached"
    return STATUS_WORDS[status]


def format_change(difference: float | None, number_format: str | None, unit: str | None) -> str:
    """A change with an arrow, in points for percentages: ``▲ 3.0 points``, ``▼ 168``."""
    if difference is None or pd.isna(difference):
        return ""
    arrow = "▼" if difference < 0 else "▲" if difference > 0 else "●"
    amount = format_number(abs(difference), number_format)
    if unit and unit.startswith("%"):
        return f"{arrow} {amount} points"
    return f"{arrow} {amount}{unit_words(unit)}"


def improving(difference: float | None, direction: str | None) -> bool | None:
    """True when a change goes the preferred way, False against it, None when neither applies."""
    if difference is None or pd.isna(difference) or difference == 0:
        return None
    if direction not in ("up", "down"):
        return None
    return difference < 0 if direction == "down" else difference > 0


__all__ = ["format_number", "format_value", "unit_words"]  # the pages call them as kpis.*
