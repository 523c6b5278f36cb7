"""What a progress report says: ``build_report`` fills a ``model.Report`` from a published
warehouse as one role may read it.

Every indicator value comes through ``cpmonitor.core.published.safe_facts`` (the role filter): a
donor's report reads only ``protected.indicator_values``, where hidden values are already NULL, so
no figure, sentence, chart or alt text of it can hold a hidden value; the words for hidden values
are ``cpmonitor.core.words``'s, with the installation's threshold. The same warehouse and
arguments give the same report (nothing reads the clock).

The report's own rules (also written into its methodology annex, ``_report_rules``):

- the *latest value* of an indicator is its national value for the report period, at the report's
  period type (a quarterly report takes a yearly indicator's latest whole year); when the period
  has none (survey years, yearly collections), the most recent earlier one, labelled with its
  period;
- the *baseline* is the catalogue's (value and date) where it sets one; otherwise the value of the
  first period of the same kind with data (the first year, or the same quarter of the first year);
- *achievement* = (latest - baseline) / (target - baseline), in %; undefined without a target, a
  visible baseline or a visible latest value, or when the baseline already meets the target;
- the *status* is the warehouse's (``fct_indicator_values.status``, direction-aware), worded
  ``Target reached``/``Target not reached`` once the target year has ended;
- *improved or worsened most*: the change since the same period a year before, relative to the
  earlier value and signed by the indicator's direction; indicators without a preferred direction
  are never ranked;
- the *data cut-off* is the last day of the latest period delivered (a delivery in use in
  ``audit.ingest_files``) that ends within the report period, so never after the period's end.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml

from cpmonitor.core import formats, periods, words
from cpmonitor.core.access import Role
from cpmonitor.core.formats import unit_words
from cpmonitor.core.published import NATIONAL, role_params, safe_facts, warehouse_stamp
from cpmonitor.core.settings import PROJECT_ROOT
from cpmonitor.core.statuses import RECEIVED, REFUSED_STATUSES, USED_STATUSES
from cpmonitor.core.words import redact_small_counts
from cpmonitor.report import narrative
from cpmonitor.report.model import (
    Chart,
    Cover,
    Point,
    Report,
    ResultRow,
    Section,
    Series,
    Table,
)

TITLE = "Child protection progress report"
LANGUAGES = ("en",)
DASH = "–"
CARE_STOCK, CARE_INSTITUTIONS, REINTEGRATION = "AC04", "AC05", "AC07"
SPARK_YEARS = 5  # points of a results-table sparkline: the same period in the latest years
HEADLINE_COUNT = 3  # indicators charted (and tabled by province) per sector
CHART_QUARTERS = 12  # a quarterly report's trend charts: the last three years of quarters
TOP_CHANGES = 3  # indicators named as improved and as worsened most
FRAMEWORK_FILE = PROJECT_ROOT / "docs" / "framework.md"
MARTS_FILE = PROJECT_ROOT / "models" / "marts" / "_marts__models.yml"

AUDIENCE_LABELS = {
    "donor": "Donors and partners",
    "public": "The public",
    "planner": "Ministry planners",
    "analyst": "Ministry analysts",
    "admin": "Administrators",
}
STATUS_LABELS = {
    "on_track": "On track",
    "off_track": "Off track",
    "achieved": "Target reached",
    "not_reached": "Target not reached",
    "no_target": "No target set",
    "no_data": "No value",
}
AXIS_UNITS = {"count": "number", "days": "days", "ratio": "ratio"}
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


class ReportError(ValueError):
    """A report cannot be built as asked (the message says why and what to ask instead)."""


# --- formatting: cpmonitor.core.formats, with the report's dash for a missing value ----------------


def _missing(value: Any) -> bool:
    return formats.is_missing(value)


def format_number(value: float | None, number_format: str | None) -> str:
    """``cpmonitor.core.formats.format_number``, ``–`` when missing (the report's dash)."""
    return formats.format_number(value, number_format, missing=DASH)


def format_value(value: float | None, number_format: str | None, unit: str | None) -> str:
    """``cpmonitor.core.formats.format_value``, ``–`` when missing."""
    return formats.format_value(value, number_format, unit, missing=DASH)


def format_change(difference: float, base: float, number_format: str, unit: str) -> str:
    """``504 fewer (−19.0%)``, ``3.0 points more``: a change in words."""
    if unit.startswith("%"):
        amount = format_number(abs(difference), ",.1f") + " points"
    else:
        amount = format_number(abs(difference), number_format) + unit_words(unit)
    more = "more" if difference > 0 else "fewer" if unit == "count" else "less"
    if difference == 0:
        return "no change"
    relative = f" ({difference / abs(base) * 100:+.1f}%)".replace("-", "−") if base else ""
    return f"{amount} {more}{relative}"


def format_date(day: dt.date | None) -> str:
    """``31 Dec 2015``."""
    return f"{day.day} {_MONTHS[day.month - 1][:3]} {day.year}" if day else DASH


# --- periods -------------------------------------------------------------------------------------


def _period_type(period: str) -> str:
    if re.fullmatch(r"\d{4}", period):
        return "year"
    if re.fullmatch(r"\d{4}-Q[1-4]", period):
        return "quarter"
    raise ReportError(
        f"{period!r} is not a report period: give a year (2025) or a quarter (2025-Q4)"
    )


def _shift(period_id: str, years: int) -> str:
    """The same period ``years`` years earlier: ``2025-Q4`` -> ``2024-Q4``."""
    return f"{int(period_id[:4]) - years}{period_id[4:]}"


def _anchor(period_type: str, end: dt.date) -> str:
    """The latest period of ``period_type`` that ends on or before ``end``."""
    frequency = {"year": "yearly", "quarter": "quarterly"}[period_type]
    found = periods.period_of(end, frequency)
    return found if periods.period_end(found) <= end else _shift(found, 1)


def cover_period_label(period: str) -> str:
    """``2025`` or ``October–December 2025``."""
    if _period_type(period) == "year":
        return period
    start = periods.period_start(period)
    return f"{_MONTHS[start.month - 1]}–{_MONTHS[start.month + 1]} {start.year}"


# --- what the warehouse holds --------------------------------------------------------------------


@dataclass(frozen=True)
class _Indicator:
    code: str
    name: str
    short_label: str
    sector_code: str
    sector_name: str
    definition: str
    numerator: str
    denominator: str
    unit: str
    kind: str
    direction: str
    number_format: str
    frequency: str
    source_feeds: tuple[str, ...]
    framework_ref: str
    baseline_value: float | None
    baseline_date: dt.date | None
    target_value: float | None
    target_year: int | None

    def fmt(self, value: float | None) -> str:
        return format_value(value, self.number_format, self.unit)

    def short(self, value: float | None) -> str:
        """A results-table cell: the number, with ``%`` but no longer unit (the unit is printed
        once, under the indicator's name)."""
        text = format_number(value, self.number_format)
        return text + "%" if text != DASH and self.unit.startswith("%") else text


@dataclass(frozen=True)
class _Obs:
    """One value the role may read (national or province, total)."""

    code: str
    period_type: str
    period_id: str
    label: str
    end: dt.date
    geo_code: str
    geo_name: str
    value: float | None
    suppressed: bool
    reason: str | None
    status: str | None
    coverage_pct: float | None
    is_partial: bool
    is_restated: bool
    coverage_note: str | None

    @property
    def known(self) -> bool:
        """A value exists (shown, or hidden from this audience)."""
        return self.value is not None or self.suppressed

    @property
    def shown(self) -> bool:
        return self.value is not None and not self.suppressed


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _float(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _catalogue(con: duckdb.DuckDBPyConnection) -> tuple[_Indicator, ...]:
    rows = con.execute(
        """
        SELECT indicator_code, indicator_name, short_label, sector_code, sector_name, definition,
               numerator_definition, denominator_definition, unit, kind, direction, number_format,
               frequency, source_feeds, framework_ref, baseline_value,
               CAST(baseline_date AS DATE), target_value, target_year
        FROM main.dim_indicator ORDER BY display_order, indicator_code
        """
    ).fetchall()
    return tuple(
        _Indicator(
            code=r[0],
            name=r[1],
            short_label=_text(r[2]) or r[1],
            sector_code=r[3],
            sector_name=r[4],
            definition=_text(r[5]),
            numerator=_text(r[6]),
            denominator=_text(r[7]),
            unit=r[8],
            kind=r[9],
            direction=r[10],
            number_format=_text(r[11]) or ",.0f",
            frequency=r[12],
            source_feeds=tuple(f for f in _text(r[13]).split(";") if f),
            framework_ref=_text(r[14]),
            baseline_value=_float(r[15]),
            baseline_date=r[16],
            target_value=_float(r[17]),
            target_year=None if r[18] is None else int(r[18]),
        )  # fmt: skip
        for r in rows
    )


def _load_values(
    con: duckdb.DuckDBPyConnection, role: Role, types: Sequence[str], end: dt.date
) -> dict[tuple[str, str, str], dict[str, _Obs]]:
    """National and province totals ``role`` may read, of ``types``, ending by ``end``:
    (indicator, place, period type) -> period id -> value, oldest first."""
    levels = [level for level in ("national", "province") if role.sees_level(level)]
    frame = con.execute(
        f"""
        WITH {
            safe_facts(
                role,
                "f.disaggregation = 'total' AND list_contains($levels, f.geo_level) "
                "AND list_contains($types, f.period_type) AND f.period_end <= $until::DATE",
            )
        }
        SELECT s.indicator_code, s.period_type, s.period_id,
               coalesce(p.period_label, s.period_id) AS period_label, s.period_end,
               s.geo_code, coalesce(g.geo_name, s.geo_code) AS geo_name, s.value,
               coalesce(s.suppressed, false) AS suppressed, s.suppression_reason, s.status,
               s.coverage_pct, coalesce(s.is_partial, false) AS is_partial,
               coalesce(s.is_restated, false) AS is_restated, s.coverage_note
        FROM safe AS s
        LEFT JOIN main.dim_period AS p ON p.period_id = s.period_id
        LEFT JOIN main.dim_geography AS g ON g.geo_code = s.geo_code
        ORDER BY s.indicator_code, s.geo_code, s.period_type, s.period_end, s.period_id
        """,
        role_params(role, {"levels": levels, "types": list(types), "until": end.isoformat()}),
    ).fetchall()
    found: dict[tuple[str, str, str], dict[str, _Obs]] = {}
    for r in frame:
        obs = _Obs(
            code=r[0], period_type=r[1], period_id=r[2], label=r[3],
            end=pd.Timestamp(r[4]).date(), geo_code=r[5], geo_name=r[6],
            value=None if r[8] else _float(r[7]), suppressed=bool(r[8]), reason=r[9],
            status=r[10], coverage_pct=_float(r[11]), is_partial=bool(r[12]),
            is_restated=bool(r[13]), coverage_note=r[14],
        )  # fmt: skip
        found.setdefault((obs.code, obs.geo_code, obs.period_type), {})[obs.period_id] = obs
    return found


def _provinces(con: duckdb.DuckDBPyConnection, role: Role) -> tuple[tuple[str, str], ...]:
    if not role.sees_level("province"):
        return ()
    return tuple(
        con.execute(
            "SELECT geo_code, geo_name FROM main.dim_geography WHERE geo_level = 'province' "
            "ORDER BY geo_code"
        ).fetchall()
    )


def _period_labels(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT period_id, period_label FROM main.dim_period").fetchall())


def _data_cutoff(con: duckdb.DuckDBPyConnection, end: dt.date) -> dt.date | None:
    """The last day of the latest delivered period in use that ends within the report period."""
    delivered = con.execute(
        "SELECT DISTINCT period FROM audit.ingest_files "
        "WHERE list_contains($used, status) AND period IS NOT NULL",
        {"used": sorted(USED_STATUSES)},
    ).fetchall()
    ends = []
    for (period,) in delivered:
        try:
            last = periods.period_end(str(period))
        except ValueError:
            continue
        if last <= end:
            ends.append(last)
    return max(ends) if ends else None


# --- the figures of one report -------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    role: Role
    threshold: int
    period: str
    period_type: str
    period_label: str
    end: dt.date
    types: tuple[str, ...]  # period types read, the report's first
    values: dict[tuple[str, str, str], dict[str, _Obs]]
    labels: dict[str, str]
    provinces: tuple[tuple[str, str], ...]

    def series(self, code: str, geo: str, period_type: str) -> dict[str, _Obs]:
        return self.values.get((code, geo, period_type), {})

    def type_of(self, code: str) -> str | None:
        """The period type an indicator is reported at here (the report's, else coarser)."""
        for period_type in self.types:
            if self.series(code, NATIONAL, period_type):
                return period_type
        return None

    def anchor(self, period_type: str) -> str:
        return _anchor(period_type, self.end)

    def label(self, period_id: str) -> str:
        return self.labels.get(period_id, period_id)

    def hidden(self, obs: _Obs) -> str:
        return words.hidden_words(obs.reason, self.threshold)

    def cell(self, info: _Indicator, obs: _Obs | None) -> str:
        """A value as a table shows it: formatted, the hidden-value words, or ``–``."""
        if obs is None or not obs.known:
            return DASH
        return self.hidden(obs) if obs.suppressed else info.fmt(obs.value)

    def free_text(self, text: Any) -> str:
        """Text from the audit tables: small counts redacted for a protected audience."""
        text = _text(text)
        return redact_small_counts(text, self.threshold) if self.role.protected else text


def _latest(ctx: _Context, code: str, geo: str = NATIONAL) -> _Obs | None:
    period_type = ctx.type_of(code)
    if period_type is None:
        return None
    known = [o for o in ctx.series(code, geo, period_type).values() if o.known]
    return max(known, key=lambda o: o.end) if known else None


def _is_current(ctx: _Context, obs: _Obs) -> bool:
    return obs.period_id == ctx.anchor(obs.period_type)


@dataclass(frozen=True)
class _Result:
    """An indicator's figures, for its results row, the summary and the charts."""

    info: _Indicator
    latest: _Obs | None
    previous: _Obs | None  # the same period a year before the latest
    baseline_value: float | None
    baseline_hidden: str | None
    baseline_period: str
    achievement: float | None
    status: str
    status_label: str
    row: ResultRow


def _baseline(
    ctx: _Context, info: _Indicator, period_type: str | None, latest: _Obs | None
) -> tuple[float | None, str | None, str]:
    """(value, hidden words, period label) of the baseline (see the module docstring)."""
    if info.baseline_value is not None:
        return info.baseline_value, None, format_date(info.baseline_date)
    if period_type is None:
        return None, None, DASH
    cycle = ctx.anchor(period_type)[4:]
    candidates = [
        o
        for o in ctx.series(info.code, NATIONAL, period_type).values()
        if o.known and o.period_id[4:] == cycle and (latest is None or o.end < latest.end)
    ]
    if not candidates:
        return None, None, DASH
    first = min(candidates, key=lambda o: o.end)
    if first.suppressed:
        return None, ctx.hidden(first), first.label
    return first.value, None, first.label


def _ahead(info: _Indicator, base: float | None) -> bool:
    """The target lies ahead of the baseline in the indicator's preferred direction (so the way
    from one to the other is a distance to cover)."""
    if info.target_value is None or base is None:
        return False
    if info.direction == "up":
        return info.target_value > base
    if info.direction == "down":
        return info.target_value < base
    return False


def _status(ctx: _Context, info: _Indicator, latest: _Obs | None) -> tuple[str, str]:
    if latest is None:
        return "no_data", STATUS_LABELS["no_data"]
    if latest.suppressed:
        return "not_shown", ctx.hidden(latest)
    ended = info.target_year is not None and latest.end >= dt.date(info.target_year, 12, 31)
    if latest.status == "on_track":
        return ("achieved", STATUS_LABELS["achieved"]) if ended else ("on_track", "On track")
    if latest.status == "off_track":
        label = STATUS_LABELS["not_reached"] if ended else STATUS_LABELS["off_track"]
        return "off_track", label
    return "no_target", STATUS_LABELS["no_target"]


def _note(ctx: _Context, latest: _Obs | None) -> str | None:
    if latest is None:
        return None
    parts = []
    if not _is_current(ctx, latest):
        parts.append(f"Latest value for {latest.label}; none for {ctx.period_label}")
    if latest.coverage_pct is not None and latest.coverage_pct < 100:
        parts.append(f"Rests on {latest.coverage_pct:.1f}% of the expected deliveries")
    elif latest.is_partial:
        parts.append("Partial")
    note = ctx.free_text(latest.coverage_note)
    if latest.is_restated and not note.lower().startswith("restated"):
        parts.append("Restated")
    if note:
        parts.append(note)
    return "; ".join(parts) or None


def _sparkline(ctx: _Context, code: str, period_type: str | None) -> tuple[Point, ...]:
    if period_type is None:
        return ()
    anchor = ctx.anchor(period_type)
    series = ctx.series(code, NATIONAL, period_type)
    points = []
    for back in range(SPARK_YEARS - 1, -1, -1):
        period_id = _shift(anchor, back)
        obs = series.get(period_id)
        points.append(
            Point(
                label=ctx.label(period_id),
                value=obs.value if obs is not None and obs.shown else None,
                hidden=bool(obs is not None and obs.suppressed),
            )
        )
    return tuple(points)


def _result(ctx: _Context, info: _Indicator) -> _Result:
    period_type = ctx.type_of(info.code)
    latest = _latest(ctx, info.code)
    previous = None
    if latest is not None:
        previous = ctx.series(info.code, NATIONAL, latest.period_type).get(
            _shift(latest.period_id, 1)
        )
    base, base_hidden, base_period = _baseline(ctx, info, period_type, latest)
    achievement = None
    if _ahead(info, base) and latest is not None and latest.shown:
        achievement = (latest.value - base) / (info.target_value - base) * 100
    status, status_label = _status(ctx, info, latest)
    row = ResultRow(
        indicator_code=info.code,
        indicator_name=info.name,
        unit=info.unit,
        baseline=words.NOT_SHOWN if base_hidden else info.short(base),
        baseline_period=base_period,
        latest=words.NOT_SHOWN
        if latest is not None and latest.known and latest.suppressed
        else info.short(latest.value if latest is not None and latest.known else None),
        latest_period=latest.label if latest is not None else ctx.period_label,
        target=info.short(info.target_value),
        target_year=str(info.target_year) if info.target_year is not None else DASH,
        achievement=DASH
        if achievement is None
        else format_number(achievement, ",.0f").replace("-", "−") + "%",
        achievement_pct=None if achievement is None else round(achievement, 6),
        status=status,
        status_label=status_label,
        sparkline=_sparkline(ctx, info.code, period_type),
        note=_note(ctx, latest),
    )
    return _Result(
        info, latest, previous, base, base_hidden, base_period, achievement, status,
        status_label, row,
    )  # fmt: skip


# --- charts --------------------------------------------------------------------------------------


def _trend_points(ctx: _Context, code: str, geo: str = NATIONAL) -> tuple[str, list[_Obs]]:
    period_type = ctx.type_of(code) or ctx.types[0]
    series = sorted(ctx.series(code, geo, period_type).values(), key=lambda o: o.end)
    if period_type == "quarter":
        series = series[-CHART_QUARTERS:]
    while series and not series[0].known:
        series.pop(0)
    return period_type, series


def _alt_line(ctx: _Context, info: _Indicator, title: str, series: Sequence[_Obs]) -> str:
    shown = [o for o in series if o.shown]
    hidden = sum(o.suppressed for o in series)
    text = f"Line chart of {title}, {series[0].label} to {series[-1].label}."
    if shown:
        first, last = shown[0], shown[-1]
        if first is last:
            text += f" The only value shown is {info.fmt(last.value)} in {last.label}."
        else:
            text += (
                f" It went from {info.fmt(first.value)} in {first.label} to "
                f"{info.fmt(last.value)} in {last.label}."
            )
            high = max(shown, key=lambda o: (o.value, o.end))
            low = min(shown, key=lambda o: (o.value, o.end))
            if len(shown) > 2:
                text += (
                    f" Highest {info.fmt(high.value)} ({high.label}), lowest "
                    f"{info.fmt(low.value)} ({low.label})."
                )
    else:
        text += " No value is shown."
    if info.target_value is not None:
        text += f" Target: {info.fmt(info.target_value)} by {info.target_year}."
    if hidden:
        text += f" {narrative.count(hidden, 'value')} not shown to protect privacy."
    return text


def _line_chart(ctx: _Context, info: _Indicator, chart_id: str) -> Chart | None:
    _period_type, series = _trend_points(ctx, info.code)
    if not any(o.known for o in series):
        return None
    title = f"{info.name}, national"
    points = tuple(
        Point(label=o.label, value=o.value if o.shown else None, hidden=o.suppressed)
        for o in series
    )
    if _period_type == "year" and all(p.label.isdigit() for p in points):
        # Years without a value (between survey rounds) keep their place, so the axis is time.
        have = {int(p.label): p for p in points}
        points = tuple(
            have.get(year, Point(label=str(year), value=None, hidden=False))
            for year in range(min(have), max(have) + 1)
        )
    return Chart(
        chart_id=chart_id,
        title=title,
        kind="line",
        unit=AXIS_UNITS.get(info.unit, unit_words(info.unit).strip()),
        series=(Series(name="National", points=points),),
        alt_text=_alt_line(ctx, info, title, series),
        target=info.target_value,
        note=" ".join(
            n
            for n in (
                words.gaps_note(ctx.threshold) if any(o.suppressed for o in series) else "",
                "Only the years with a value (survey rounds, collections) are marked."
                if len(points) > len(series)
                else "",
            )
            if n
        )
        or None,
    )


def _province_values(ctx: _Context, code: str, period_id: str, period_type: str) -> list[_Obs]:
    found = []
    for geo, _name in ctx.provinces:
        obs = ctx.series(code, geo, period_type).get(period_id)
        if obs is not None:
            found.append(obs)
    return found


def _bar_chart(ctx: _Context, info: _Indicator, chart_id: str) -> Chart | None:
    latest = _latest(ctx, info.code)
    if latest is None or not ctx.provinces:
        return None
    rows = _province_values(ctx, info.code, latest.period_id, latest.period_type)
    if not rows:
        return None
    title = f"{info.name} by province, {latest.label}"
    points = tuple(
        Point(label=o.geo_name, value=o.value if o.shown else None, hidden=o.suppressed)
        for o in rows
    )
    shown = [o for o in rows if o.shown]
    text = f"Bar chart of {title}."
    if shown:
        high = max(shown, key=lambda o: (o.value, o.geo_code))
        low = min(shown, key=lambda o: (o.value, o.geo_code))
        text += (
            f" Highest {info.fmt(high.value)} in {high.geo_name}, lowest {info.fmt(low.value)} "
            f"in {low.geo_name}."
        )
    if latest.shown:
        text += f" National: {info.fmt(latest.value)}."
    if info.target_value is not None:
        text += f" Target: {info.fmt(info.target_value)} by {info.target_year}."
    hidden = sum(o.suppressed for o in rows)
    if hidden:
        text += f" {narrative.count(hidden, 'province')} not shown to protect privacy."
    return Chart(
        chart_id=chart_id,
        title=title,
        kind="bar",
        unit=AXIS_UNITS.get(info.unit, unit_words(info.unit).strip()),
        series=(Series(name=info.short_label, points=points),),
        alt_text=text,
        target=info.target_value,
        note=words.gaps_note(ctx.threshold) if hidden else None,
    )


def _province_table(ctx: _Context, results: Sequence[_Result], title: str) -> Table | None:
    """Rows: the nation, then each province; columns: the indicators' latest period."""
    shown = [r for r in results if r.latest is not None]
    if not ctx.provinces or not shown:
        return None
    columns = ("Place", *(f"{r.info.short_label}, {r.latest.label}" for r in shown))
    rows = [("National", *(ctx.cell(r.info, r.latest) for r in shown))]
    for geo, name in ctx.provinces:
        cells = []
        for r in shown:
            obs = ctx.series(r.info.code, geo, r.latest.period_type).get(r.latest.period_id)
            cells.append(ctx.cell(r.info, obs))
        rows.append((name, *cells))
    return Table(title=title, columns=columns, rows=tuple(rows))


# --- sections ------------------------------------------------------------------------------------


def _headline(results: Sequence[_Result]) -> list[_Result]:
    """A sector's charted indicators: those with a target first, then others with a value."""
    with_value = [r for r in results if r.latest is not None]
    chosen = [r for r in with_value if r.info.target_value is not None]
    chosen += [r for r in with_value if r.info.target_value is None]
    return chosen[:HEADLINE_COUNT]


def _sector(ctx: _Context, code: str, name: str, results: Sequence[_Result]) -> Section:
    targeted = [r for r in results if r.info.target_value is not None]
    paragraph = narrative.sector_sentence(
        n=len(results),
        with_value=sum(r.latest is not None for r in results),
        with_target=len(targeted),
        on_track=sum(r.status in ("on_track", "achieved") for r in targeted),
        off_track=sum(r.status == "off_track" for r in targeted),
    )
    headline = _headline(results)
    charts = [_line_chart(ctx, r.info, f"{r.info.code}-trend") for r in headline]
    table = _province_table(ctx, headline, f"{name}: latest values by province")
    return Section(
        section_id=f"sector-{code}",
        title=name,
        paragraphs=(paragraph,),
        results=tuple(r.row for r in results),
        tables=(table,) if table else (),
        charts=tuple(c for c in charts if c is not None),
    )


def _movement(result: _Result) -> narrative.Movement:
    assert result.previous is not None and result.latest is not None
    return narrative.Movement(
        name=result.info.name,
        before=result.info.fmt(result.previous.value),
        after=result.info.fmt(result.latest.value),
    )


def _changes(ctx: _Context, results: Sequence[_Result]) -> tuple[str, ...]:
    scored = []
    for r in results:
        latest, previous = r.latest, r.previous
        if r.info.direction not in ("up", "down") or latest is None or previous is None:
            continue
        if not (latest.shown and previous.shown and _is_current(ctx, latest)):
            continue
        if previous.value == 0:
            continue
        better = (latest.value - previous.value) / abs(previous.value) * 100
        scored.append((better if r.info.direction == "up" else -better, r))
    improved = sorted((s for s in scored if s[0] > 0), key=lambda s: -s[0])[:TOP_CHANGES]
    worsened = sorted((s for s in scored if s[0] < 0), key=lambda s: s[0])[:TOP_CHANGES]
    before = ctx.label(_shift(ctx.anchor(ctx.types[0]), 1))
    return narrative.changes_sentences(
        [_movement(r) for _s, r in improved],
        [_movement(r) for _s, r in worsened],
        compared=len(scored),
        before_label=before,
    )


def _care_sentence(ctx: _Context, result: _Result | None) -> str | None:
    if result is None:
        return None
    info, latest = result.info, result.latest
    return narrative.care_reform_sentence(
        value=info.fmt(latest.value) if latest is not None and latest.shown else None,
        hidden_words=ctx.hidden(latest) if latest is not None and latest.suppressed else None,
        baseline_label=format_date(info.baseline_date) if info.baseline_date else "the baseline",
        period_label=latest.label if latest is not None else ctx.period_label,
        target=info.fmt(info.target_value) if info.target_value is not None else None,
        target_year=str(info.target_year) if info.target_year is not None else None,
        status_label=result.status_label,
        achievement=result.row.achievement if result.achievement is not None else None,
    )


def _stock_paragraph(ctx: _Context, result: _Result | None, what: str) -> str | None:
    if result is None or result.latest is None:
        return None
    latest = result.latest
    if latest.suppressed:
        return f"At the end of {latest.label}, {what}: {ctx.hidden(latest)}."
    _type, series = _trend_points(ctx, result.info.code)
    first = next((o for o in series if o.known), None)
    change = None
    if first is not None and first.shown and first.end < latest.end:
        change = format_change(
            latest.value - first.value, first.value, result.info.number_format, result.info.unit
        )
    first_shown = first is not None and first.shown and first.end < latest.end
    return narrative.stock_sentence(
        what=what,
        latest=result.info.fmt(latest.value),
        latest_label=latest.label,
        first=result.info.fmt(first.value) if first_shown else None,
        first_label=first.label if first_shown else None,
        change=change,
    )


def _provinces_paragraph(ctx: _Context, result: _Result | None, what: str) -> str | None:
    if result is None or result.latest is None or not ctx.provinces:
        return None
    latest = result.latest
    rows = _province_values(ctx, result.info.code, latest.period_id, latest.period_type)
    shown = [o for o in rows if o.shown]
    if not shown:
        return None
    low = min(shown, key=lambda o: (o.value, o.geo_code))
    high = max(shown, key=lambda o: (o.value, o.geo_code))
    return narrative.provinces_sentence(
        what=what,
        lowest=(low.geo_name, result.info.fmt(low.value)),
        highest=(high.geo_name, result.info.fmt(high.value)),
        hidden=sum(o.suppressed for o in rows),
        period_label=latest.label,
    )


def _care_reform(ctx: _Context, by_code: dict[str, _Result]) -> Section:
    stock = by_code.get(CARE_STOCK)
    institutions = by_code.get(CARE_INSTITUTIONS)
    reintegration = by_code.get(REINTEGRATION)
    paragraphs = [
        _stock_paragraph(ctx, stock, "children lived in residential care institutions"),
        _stock_paragraph(ctx, institutions, "residential care institutions were operating"),
        _care_sentence(ctx, reintegration),
        _provinces_paragraph(ctx, reintegration, "reintegration since the baseline"),
    ]
    charts: list[Chart | None] = []
    for result in (stock, institutions, reintegration):
        if result is not None:
            charts.append(_line_chart(ctx, result.info, f"care-{result.info.code}-trend"))
    if reintegration is not None:
        charts.append(_bar_chart(ctx, reintegration.info, f"care-{REINTEGRATION}-provinces"))
    care = [r for r in (stock, institutions, reintegration) if r is not None]
    table = _province_table(ctx, care, "Care reform by province")
    return Section(
        section_id="care-reform",
        title="Care reform: children in residential care and family reintegration",
        paragraphs=tuple(p for p in paragraphs if p),
        tables=(table,) if table else (),
        charts=tuple(c for c in charts if c is not None),
    )


# --- the data-quality annex ----------------------------------------------------------------------


def _completeness(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> pd.DataFrame:
    return con.execute(
        """
        WITH names AS (
            SELECT entity, min(entity_name) AS entity_name FROM audit.feeds GROUP BY entity
        ), titles AS (
            SELECT entity, feed, min(title) AS title FROM audit.feeds GROUP BY entity, feed
        )
        SELECT c.entity, coalesce(n.entity_name, c.entity) AS entity_name, c.feed,
               coalesce(t.title, c.feed) AS feed_title, c.period,
               CAST(c.due_date AS DATE) AS due_date, CAST(c.received_at AS DATE) AS received_on,
               c.status
        FROM audit.reporting_completeness AS c
        LEFT JOIN names AS n ON n.entity = c.entity
        LEFT JOIN titles AS t ON t.entity = c.entity AND t.feed = c.feed
        WHERE CAST(c.period_end AS DATE) BETWEEN $start::DATE AND $end::DATE
        ORDER BY entity_name, c.entity, feed_title, c.feed, c.period
        """,
        {"start": start.isoformat(), "end": end.isoformat()},
    ).df()


def _refused_files(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    return con.execute(
        """
        SELECT f.entity, coalesce(a.entity_name, f.entity), f.feed, coalesce(a.title, f.feed),
               f.period, f.source_file, f.reason, CAST(f.received_at AS DATE)
        FROM audit.ingest_files AS f
        LEFT JOIN audit.feeds AS a ON a.entity = f.entity AND a.feed = f.feed
        WHERE list_contains($refused, f.status)
        ORDER BY f.period, f.entity, f.feed, f.source_file
        """,
        {"refused": sorted(REFUSED_STATUSES)},
    ).fetchall()


def _flagged_values(con: duckdb.DuckDBPyConnection, role: Role, period: str) -> pd.DataFrame:
    """Per indicator: the role's values of the period resting on incomplete deliveries and
    restated ones (every level and breakdown it may read)."""
    return con.execute(
        f"""
        WITH {safe_facts(role, "f.period_id = $period")}
        SELECT s.indicator_code, i.indicator_name, i.display_order,
               count(*) FILTER (WHERE s.coverage_pct < 100) AS incomplete,
               min(s.coverage_pct) AS lowest,
               string_agg(DISTINCT s.coverage_note, '; ' ORDER BY s.coverage_note)
                   FILTER (WHERE s.coverage_pct < 100) AS incomplete_notes,
               count(*) FILTER (WHERE s.is_restated) AS restated,
               string_agg(DISTINCT s.coverage_note, '; ' ORDER BY s.coverage_note)
                   FILTER (WHERE s.is_restated) AS restated_notes
        FROM safe AS s
        JOIN main.dim_indicator AS i ON i.indicator_code = s.indicator_code
        GROUP BY ALL
        HAVING incomplete > 0 OR restated > 0
        ORDER BY i.display_order, s.indicator_code
        """,
        role_params(role, {"period": period}),
    ).df()


def _strip_file(reason: str, source_file: str) -> str:
    prefix = f"{source_file}: "
    return reason[len(prefix) :] if reason.startswith(prefix) else reason


def _quality(con: duckdb.DuckDBPyConnection, ctx: _Context) -> tuple[Section, str]:
    start = periods.period_start(ctx.period)
    deliveries = _completeness(con, start, ctx.end)
    received = deliveries["status"].isin(sorted(RECEIVED))
    expected = len(deliveries)
    sentence = narrative.completeness_sentence(
        expected=expected,
        received=int(received.sum()),
        on_time=int((deliveries["status"] == "on_time").sum()),
        period_label=ctx.period_label,
    )
    paragraphs = [sentence]
    tables = []
    if expected:
        rows = []
        for (_entity, name), group in deliveries.groupby(["entity", "entity_name"], sort=False):
            n = len(group)
            got = int(group["status"].isin(sorted(RECEIVED)).sum())
            on_time = int((group["status"] == "on_time").sum())
            rows.append(
                (
                    str(name),
                    f"{group['feed'].nunique():,}",
                    f"{n:,}",
                    f"{on_time:,}",
                    f"{int((group['status'] == 'late').sum()):,}",
                    f"{int((group['status'] == 'missing').sum()):,}",
                    f"{int((group['status'] == 'refused').sum()):,}",
                    f"{100 * got / n:.1f}%",
                    f"{100 * on_time / n:.1f}%",
                )
            )
        tables.append(
            Table(
                title=f"Reporting completeness by entity, {ctx.period_label}",
                columns=(
                    "Entity",
                    "Feeds",
                    "Expected",
                    "On time",
                    "Late",
                    "Missing",
                    "Refused",
                    "Complete",
                    "Timely",
                ),  # fmt: skip
                rows=tuple(sorted(rows)),
                caption=(
                    "Deliveries expected from each reporting entity for the periods ending in "
                    f"{ctx.period_label} (audit.reporting_completeness)."
                ),
            )
        )
        gaps = deliveries[deliveries["status"] != "on_time"]
        if len(gaps):
            tables.append(
                Table(
                    title=f"Late, missing and refused deliveries, {ctx.period_label}",
                    columns=("Entity", "Feed", "Period", "Due", "Received", "Status"),
                    rows=tuple(
                        (
                            str(g.entity_name),
                            str(g.feed_title),
                            str(g.period),
                            format_date(_day(g.due_date)),
                            format_date(_day(g.received_on)),
                            str(g.status).replace("_", " "),
                        )  # fmt: skip
                        for g in gaps.itertuples(index=False)
                    ),
                )
            )
        else:
            paragraphs.append(f"Every delivery expected for {ctx.period_label} arrived on time.")
    refused = []
    for entity, name, feed, title, period, source, reason, received_on in _refused_files(con):
        del entity, feed
        try:
            last = periods.period_end(str(period))
        except ValueError:
            continue
        if start <= last <= ctx.end:
            why = ctx.free_text(_strip_file(_text(reason), _text(source)))
            refused.append((str(name), str(title), str(period), format_date(received_on), why))
    if refused:
        tables.append(
            Table(
                title=f"Files refused at ingest, {ctx.period_label}",
                columns=("Entity", "Feed", "Period", "Received", "Reason"),
                rows=tuple(refused),
                caption="Refused files are kept in quarantine; a corrected file can replace them.",
            )
        )
    else:
        paragraphs.append(f"No delivered file for {ctx.period_label} was refused.")
    flagged = _flagged_values(con, ctx.role, ctx.period)
    incomplete = flagged[flagged["incomplete"] > 0]
    if len(incomplete):
        paragraphs.append(
            f"{narrative.count(len(incomplete), 'indicator')} of {ctx.period_label} "
            f"{narrative.verb(len(incomplete), 'rests', 'rest')} on fewer deliveries than "
            "expected (coverage below 100%)."
        )
        tables.append(
            Table(
                title=f"Values resting on incomplete deliveries, {ctx.period_label}",
                columns=("Indicator", "Values", "Lowest coverage", "Why"),
                rows=tuple(
                    (
                        f"{f.indicator_code} {f.indicator_name}",
                        f"{int(f.incomplete):,}",
                        f"{f.lowest:.1f}%",
                        ctx.free_text(f.incomplete_notes) or DASH,
                    )  # fmt: skip
                    for f in incomplete.itertuples(index=False)
                ),
                caption="Values include every place and breakdown of the indicator shown here.",
            )
        )
    else:
        paragraphs.append(f"Every value of {ctx.period_label} rests on all expected deliveries.")
    restated = flagged[flagged["restated"] > 0]
    if len(restated):
        tables.append(
            Table(
                title=f"Restated values, {ctx.period_label}",
                columns=("Indicator", "Values", "Why"),
                rows=tuple(
                    (
                        f"{f.indicator_code} {f.indicator_name}",
                        f"{int(f.restated):,}",
                        ctx.free_text(f.restated_notes) or DASH,
                    )  # fmt: skip
                    for f in restated.itertuples(index=False)
                ),
                caption="A restated value rests on a corrected resubmission of a delivery.",
            )
        )
    else:
        paragraphs.append(f"No value of {ctx.period_label} was restated.")
    section = Section(
        section_id="quality",
        title="Annex: data quality",
        paragraphs=tuple(paragraphs),
        tables=tuple(tables),
    )
    return section, sentence


def _day(value: Any) -> dt.date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


# --- the methodology annex -----------------------------------------------------------------------


def _plain(text: str) -> str:
    """Markdown or YAML prose as plain text: a bare ``(`name`)`` reference dropped, code
    words read as words (``on_track`` -> on track)."""
    text = re.sub(r"\s*\(`[^`]+`\)", "", text)
    text = re.sub(r"`([^`]*)`", lambda m: m.group(1).replace("_", " "), text)
    return re.sub(r"\s+", " ", text).strip()


def _markdown_section(path: Path, heading: str) -> list[str]:
    """The lines of a ``## heading`` section of a markdown file (empty when there is none)."""
    if not path.is_file():
        return []
    lines, inside = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            inside = line[3:].strip() == heading
            continue
        if inside:
            lines.append(line)
    return lines


def _framework_rules() -> tuple[list[str], Table | None]:
    """From docs/framework.md: how each kind aggregates (its table and lead sentence) and what
    the directions mean."""
    lines = _markdown_section(FRAMEWORK_FILE, "Kinds of indicator and how they aggregate")
    paragraphs, table_rows = [], []
    for line in lines:
        if line.startswith("|"):
            cells = [_plain(c) for c in line.strip().strip("|").split("|")]
            if not all(set(c) <= set("-: ") for c in cells):
                table_rows.append(tuple(cells))
        elif line.strip() and not table_rows:
            paragraphs.append(_plain(line))
    if FRAMEWORK_FILE.is_file():
        for block in FRAMEWORK_FILE.read_text(encoding="utf-8").split("\n\n"):
            if block.startswith("Direction:"):
                paragraphs.append(_plain(block))
    table = None
    if len(table_rows) > 1:
        table = Table(
            title="How each kind of indicator aggregates",
            columns=tuple(c.capitalize() for c in table_rows[0]),
            rows=tuple(table_rows[1:]),
            caption="From the national monitoring framework (docs/framework.md).",
        )
    return paragraphs, table


def _mart_rules() -> list[str]:
    """The published values' own rules (targets and status, stocks and flows, what a value
    rests on) from the description of ``fct_indicator_values`` in the marts' YAML."""
    if not MARTS_FILE.is_file():
        return []
    models = yaml.safe_load(MARTS_FILE.read_text(encoding="utf-8")).get("models", [])
    description = next(
        (m.get("description", "") for m in models if m.get("name") == "fct_indicator_values"), ""
    )
    wanted = ("Stocks are", "Targets", "What a value rests on")
    return [
        _plain(block) for block in description.split("\n\n") if _plain(block).startswith(wanted)
    ]


def _report_rules(ctx: _Context) -> list[str]:
    return [
        f"Latest value: the national value of {ctx.period_label}; when an indicator has none for "
        "it (survey years, yearly collections), its most recent earlier value, labelled with its "
        "period.",
        "Baseline: the catalogue's baseline where it sets one; otherwise the value of the first "
        "period of the same kind with data (the first year, or the same quarter of the first "
        "year).",
        "Achievement: (latest value − baseline) / (target − baseline), in %: the share of the way "
        "from the baseline to the target covered so far; not given when the baseline already "
        "meets the target.",
        "Status: the warehouse's direction-aware judgement of the latest value; from the end of "
        "the target year it reads “Target reached” or “Target not reached”.",
        "Improved and worsened most: the change since the same period a year before, relative to "
        "the earlier value and read in the indicator's preferred direction; indicators with no "
        "preferred direction are described but never ranked.",
        "Data cut-off: the last day of the latest delivered period within the report period.",
    ]


def _feed_titles(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {
        feed: f"{title} ({entity})"
        for feed, title, entity in con.execute(
            "SELECT feed, min(title), min(entity_name) FROM audit.feeds GROUP BY feed"
        ).fetchall()
    }


def _methodology(
    con: duckdb.DuckDBPyConnection, ctx: _Context, catalogue: Sequence[_Indicator]
) -> Section:
    framework, kinds = _framework_rules()
    feeds = _feed_titles(con)
    definitions = Table(
        title="Indicator definitions",
        columns=(
            "Code",
            "Indicator",
            "Definition",
            "Numerator",
            "Denominator",
            "Unit",
            "Sources",
            "Reference",
        ),  # fmt: skip
        rows=tuple(
            (
                i.code,
                i.name,
                i.definition or DASH,
                i.numerator or DASH,
                i.denominator or DASH,
                i.unit,
                "; ".join(feeds.get(f, f) for f in i.source_feeds) or DASH,
                i.framework_ref or DASH,
            )  # fmt: skip
            for i in catalogue
        ),
        caption=(
            "From the indicator catalogue (main.dim_indicator); the rules chosen where the "
            "framework is silent are written in each definition."
        ),
    )
    return Section(
        section_id="methodology",
        title="Annex: methodology",
        paragraphs=tuple(_report_rules(ctx) + framework + _mart_rules()),
        tables=(kinds, definitions) if kinds else (definitions,),
    )


# --- the report ----------------------------------------------------------------------------------


def _check_request(role: Role, period: str, lang: str) -> str:
    if lang not in LANGUAGES:
        raise ReportError(f"no report text in {lang!r} (languages: {', '.join(LANGUAGES)})")
    period_type = _period_type(period)
    if not role.sees_period(period_type):
        kinds = ", ".join(f"{p}s" for p in role.periods)
        hint = (
            f"; ask for {period[:4]}, the year holding {period}" if "year" in role.periods else ""
        )
        raise ReportError(
            f"{role.name} reports cover {kinds} only (the {role.name} role's period types in "
            f"access.yml): {period} is a {period_type}{hint}"
        )
    if not role.sees_level("national"):
        raise ReportError(f"the {role.name} role does not see national values")
    return period_type


def build_report(
    con: duckdb.DuckDBPyConnection,
    role: Role,
    *,
    period: str,
    threshold: int,
    lang: str = "en",
) -> Report:
    """The progress report of ``period`` (``2025`` or ``2025-Q4``) for ``role``, from the
    published warehouse open on ``con``, hidden values worded for ``threshold``.

    ``ReportError`` when the role does not see that kind of period (donors and the public see
    whole years: ask for the year), when the period is not one, or when the warehouse has no
    value for it.
    """
    period_type = _check_request(role, period, lang)
    end = periods.period_end(period)
    types = ("year",) if period_type == "year" else ("quarter", "year")
    values = _load_values(con, role, types, end)
    if not any(
        geo == NATIONAL and kind == period_type and period in series
        for (_code, geo, kind), series in values.items()
    ):
        latest = con.execute(
            f"WITH {safe_facts(role, 'f.period_type = $type')} "
            "SELECT max(period_id) FROM safe WHERE value IS NOT NULL OR suppressed",
            role_params(role, {"type": period_type}),
        ).fetchone()[0]
        hint = f"; the latest {period_type} with values is {latest}" if latest else ""
        raise ReportError(f"the published warehouse has no values for {period}{hint}")
    labels = _period_labels(con)
    ctx = _Context(
        role=role,
        threshold=threshold,
        period=period,
        period_type=period_type,
        period_label=labels.get(period, period),
        end=end,
        types=types,
        values=values,
        labels=labels,
        provinces=_provinces(con, role),
    )
    catalogue = _catalogue(con)
    results = [_result(ctx, info) for info in catalogue]
    by_code = {r.info.code: r for r in results}
    sectors: dict[str, tuple[str, list[_Result]]] = {}
    for r in results:
        sectors.setdefault(r.info.sector_code, (r.info.sector_name, []))[1].append(r)
    sector_sections = tuple(
        _sector(ctx, code, name, members) for code, (name, members) in sectors.items()
    )
    quality, completeness = _quality(con, ctx)
    summary = _summary(ctx, results, by_code, len(sectors), completeness)
    stamp = warehouse_stamp(con)
    cover = Cover(
        title=TITLE,
        country=stamp.country,
        period_id=period,
        period_label=cover_period_label(period),
        audience=role.name,
        audience_label=AUDIENCE_LABELS.get(role.name, role.label),
        data_cutoff=_data_cutoff(con, end),
        warehouse_version=stamp.version or "unpublished",
        published_at=(
            stamp.published_at.strftime("%Y-%m-%d %H:%M UTC") if stamp.published_at else DASH
        ),
    )
    return Report(
        lang=lang,
        cover=cover,
        summary=summary,
        sectors=sector_sections,
        care_reform=_care_reform(ctx, by_code),
        quality=quality,
        methodology=_methodology(con, ctx, catalogue),
        protection_note=(words.privacy_note(threshold) if role.protected else words.EXACT_NOTE),
        indicator_codes=tuple(info.code for info in catalogue),
    )


def _summary(
    ctx: _Context,
    results: Sequence[_Result],
    by_code: dict[str, _Result],
    n_sectors: int,
    completeness: str,
) -> tuple[str, ...]:
    with_value = [r for r in results if r.latest is not None]
    targeted = [r for r in results if r.info.target_value is not None]
    sentences = [
        narrative.scope_sentence(
            len(results),
            n_sectors,
            len(with_value),
            sum(_is_current(ctx, r.latest) for r in with_value),
            ctx.period_label,
        ),
        narrative.status_sentence(
            with_target=len(targeted),
            on_track=sum(r.status in ("on_track", "achieved") for r in targeted),
            achieved=sum(r.status == "achieved" for r in targeted),
            off_track=sum(r.status == "off_track" for r in targeted),
            not_reached=sum(r.status_label == STATUS_LABELS["not_reached"] for r in targeted),
            not_shown=sum(r.status == "not_shown" for r in targeted),
            no_value=sum(r.status == "no_data" for r in targeted),
            period_label=ctx.period_label,
        ),
        *_changes(ctx, results),
    ]
    care = _care_sentence(ctx, by_code.get(REINTEGRATION))
    if care:
        sentences.append(care)
    hidden = sum(r.status == "not_shown" for r in results)
    if ctx.role.protected and hidden:
        sentences.append(
            f"{narrative.count(hidden, 'latest national value')} "
            f"{narrative.verb(hidden, 'is', 'are')} not shown to protect privacy (based on "
            f"{words.fewer_than(ctx.threshold)} children or events, or letting such a value be "
            "worked out)."
        )
    sentences.append(completeness)
    return tuple(sentences)


def iter_strings(node: Any) -> Iterable[str]:
    """Every string in a report (or any part of it): what a check for leaks walks."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, (tuple, list)):
        for item in node:
            yield from iter_strings(item)
    elif hasattr(node, "__dataclass_fields__"):
        for name in node.__dataclass_fields__:
            yield from iter_strings(getattr(node, name))
