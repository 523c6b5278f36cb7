"""Headline numbers and the words for values, changes and target status (pure functions, no I/O).

Target status itself is computed once, in the warehouse (``fct_indicator_values.status``). Numbers
and words are in the request's language (``dashboards.i18n``): ``12,345.6`` in English,
``12 345,6`` in French (the locale's separators, from Babel).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from babel import numbers

from cpmonitor.core import formats
from cpmonitor.core.formats import unit_words
from dashboards import i18n
from dashboards.i18n import N_, _


def localise(text: str) -> str:
    """``text`` (numbers written the English way) with the current language's separators."""
    if i18n.current_language() == i18n.DEFAULT_LANGUAGE:
        return text
    where = i18n.locale()
    group, decimal = numbers.get_group_symbol(where), numbers.get_decimal_symbol(where)
    return text.replace(",", "\0").replace(".", decimal).replace("\0", group)


def format_number(value: Any, number_format: str | None, *, missing: str = formats.EM_DASH) -> str:
    """``cpmonitor.core.formats.format_number`` in the current language."""
    return localise(formats.format_number(value, number_format, missing=missing))


def format_value(
    value: Any, number_format: str | None, unit: str | None, *, missing: str = formats.EM_DASH
) -> str:
    """``cpmonitor.core.formats.format_value`` in the current language."""
    return localise(formats.format_value(value, number_format, unit, missing=missing))


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
            label = _("the {date} baseline").format(
                date=when.strftime("%-d %b %Y")
                if i18n.current_language() == i18n.DEFAULT_LANGUAGE
                else i18n.format_day(when.to_pydatetime())
            )
            return Change(latest, latest_label, float(baseline_value), label)
    first = rows.iloc[0]
    if first["period_end"] >= last["period_end"]:
        return Change(latest, latest_label, None, None)
    return Change(
        latest,
        latest_label,
        float(first["value"]),
        _("end of {period}").format(period=first["period_label"]),
    )


STATUS_WORDS = {
    "on_track": N_("On track"),
    "off_track": N_("Off track"),
    "no_target": N_("No target"),
}


def status_text(status: str | None, period_end: Any, target_year: int | None) -> str:
    """Words for the warehouse's ``status`` of a value (fct_indicator_values computes it; this only
    words it): ``On track``/``Off track`` before the end of the target year, ``Target reached``/
    ``Target not reached`` from then on."""
    if status not in ("on_track", "off_track"):
        return _("No target set") if status == "no_target" else _("Not known")
    ended = (
        target_year is not None
        and period_end is not None
        and pd.Timestamp(period_end) >= pd.Timestamp(int(target_year), 12, 31)
    )
    if ended:
        return _("Target reached") if status == "on_track" else _("Target not reached")
    return _(STATUS_WORDS[status])


def format_change(difference: float | None, number_format: str | None, unit: str | None) -> str:
    """A change with an arrow, in points for percentages: ``▲ 3.0 points``, ``▼ 168``."""
    if difference is None or pd.isna(difference):
        return ""
    arrow = "▼" if difference < 0 else "▲" if difference > 0 else "●"
    amount = format_number(abs(difference), number_format)
    if unit and unit.startswith("%"):
        return _("{arrow} {amount} points").format(arrow=arrow, amount=amount)
    return f"{arrow} {amount}{localise(unit_words(unit))}"


def improving(difference: float | None, direction: str | None) -> bool | None:
    """True when a change goes the preferred way, False against it, None when neither applies."""
    if difference is None or pd.isna(difference) or difference == 0:
        return None
    if direction not in ("up", "down"):
        return None
    return difference < 0 if direction == "down" else difference > 0


__all__ = ["format_number", "format_value", "unit_words"]  # the pages call them as kpis.*
