"""The period calendar: how delivery periods are written, where they start and end, what follows.

A feed is delivered ``monthly`` (``2024-03``), ``quarterly`` (``2024-Q1``) or ``yearly``
(``2024``). The form of a period says its frequency, so the period arithmetic reads the period
alone; ``period_is_valid`` checks a period against the frequency a contract gives. Used by the
contracts (the location of a delivery), the feed suites (rows within the delivery period) and
reporting completeness (expected periods and due dates): the one home of these rules.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

Frequency = Literal["monthly", "quarterly", "yearly"]

PERIOD_PATTERNS: dict[str, re.Pattern[str]] = {
    "monthly": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
    "quarterly": re.compile(r"^\d{4}-Q[1-4]$"),
    "yearly": re.compile(r"^\d{4}$"),
}
# How each frequency's periods are written, for messages: the pattern in words and an example.
PERIOD_FORMATS: dict[str, str] = {"monthly": "YYYY-MM", "quarterly": "YYYY-Qn", "yearly": "YYYY"}
PERIOD_EXAMPLES: dict[str, str] = {"monthly": "2024-03", "quarterly": "2024-Q1", "yearly": "2024"}
_MONTHS: dict[str, int] = {"monthly": 1, "quarterly": 3, "yearly": 12}


def period_is_valid(period: str, frequency: str) -> bool:
    """Whether ``period`` is a well-formed period of ``frequency`` (``2024-03`` is monthly)."""
    return bool(PERIOD_PATTERNS[frequency].match(period))


def frequency_of(period: str) -> Frequency:
    """The frequency a period's form says: ``2024-Q1`` quarterly, ``2024-03`` monthly, ``2024``
    yearly."""
    if "-Q" in period:
        return "quarterly"
    return "monthly" if "-" in period else "yearly"


def period_start(period: str) -> dt.date:
    """First day of ``2024-03``, ``2024-Q1`` or ``2024``."""
    frequency = frequency_of(period)
    if frequency == "quarterly":
        year, quarter = int(period[:4]), int(period[-1])
        return dt.date(year, 3 * quarter - 2, 1)
    if frequency == "monthly":
        year, month = (int(x) for x in period.split("-"))
        return dt.date(year, month, 1)
    return dt.date(int(period), 1, 1)


def next_period_start(period: str) -> dt.date:
    """First day after a period."""
    start = period_start(period)
    month_index = start.year * 12 + start.month - 1 + _MONTHS[frequency_of(period)]
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


def period_end(period: str) -> dt.date:
    """Last day of a period."""
    return next_period_start(period) - dt.timedelta(days=1)


def period_bounds(period: str, frequency: str) -> tuple[dt.date, dt.date]:
    """First and last day of a delivery period of ``frequency``; ``ValueError`` when the period is
    not one of that frequency (``period_is_valid``)."""
    if not period_is_valid(period, frequency):
        raise ValueError(f"{period!r} is not a {frequency} period ({PERIOD_FORMATS[frequency]})")
    return period_start(period), period_end(period)


def period_of(day: dt.date, frequency: str) -> str:
    """The period of ``frequency`` that holds ``day``."""
    if frequency == "monthly":
        return f"{day.year}-{day.month:02d}"
    if frequency == "quarterly":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def follows(previous: str, period: str) -> bool:
    """Whether ``period`` comes straight after ``previous`` (at ``period``'s frequency)."""
    return period_of(next_period_start(previous), frequency_of(period)) == period


def due_date(period: str, due_days: int) -> dt.date:
    """When the delivery of a period is due: its last day plus ``due_days``."""
    return period_end(period) + dt.timedelta(days=due_days)
