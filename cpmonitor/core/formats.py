"""How a number reads, in one place: the dashboard (``dashboards/kpis.py``) and the reports
(``cpmonitor/report/content.py``) both format values here, from the catalogue's d3
``number_format`` and unit."""

from __future__ import annotations

import math
import re
from typing import Any

EM_DASH = "—"


def is_missing(value: Any) -> bool:
    """None, NaN or pandas' NA."""
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))
    except TypeError:  # pandas.NA refuses a truth value
        return True


def format_number(value: float | None, number_format: str | None, *, missing: str = EM_DASH) -> str:
    """Like the catalogue's d3 ``number_format`` (``,.0f``, ``,.1f``); ``missing`` when there is
    no value; never ``-0.0``."""
    if is_missing(value):
        return missing
    try:
        text = format(float(value), number_format or ",.0f")
    except ValueError:
        text = f"{float(value):,.1f}"
    return text[1:] if re.fullmatch(r"-0(\.0+)?", text) else text


def unit_words(unit: str | None) -> str:
    """The unit as shown after a number: ``%``, `` per 100,000``, `` days``; nothing for counts and
    ratios."""
    if not unit or unit in ("count", "ratio"):
        return ""
    if unit.startswith("%"):
        return "%"
    return " " + unit.replace("100 000", "100,000").replace("1 000", "1,000")


def format_value(
    value: float | None, number_format: str | None, unit: str | None, *, missing: str = EM_DASH
) -> str:
    """A value with its unit (``13.6%``, ``389.5 per 100,000``, ``34 days``, ``2,142``)."""
    if is_missing(value):
        return missing
    return format_number(value, number_format) + unit_words(unit)
