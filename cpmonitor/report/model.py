"""What a progress report holds, independent of how it is drawn.

``content.build_report`` fills a ``Report`` from a published warehouse as one role may read it
(every number already formatted, every sentence already written from the data); the renderers
(``pdf.render_pdf`` through typst, ``html.render_html`` as one self-contained file) only lay it out.
A donor report is built from the protected tables only, so no renderer can show a hidden value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Point:
    """One point of a chart or sparkline: its period label and value (None: no value or hidden)."""

    label: str
    value: float | None
    hidden: bool = False  # True: a value exists but is not shown to this audience


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Chart:
    """A line or bar chart. ``alt_text`` describes it in words (PDF/UA and HTML need it)."""

    chart_id: str  # stable, unique within the report (e.g. "AC04-trend")
    title: str
    kind: str  # "line" | "bar"
    unit: str  # axis label, e.g. "children", "%"
    series: tuple[Series, ...]
    alt_text: str
    target: float | None = None  # a horizontal target line, in the series' unit
    note: str | None = None  # under the chart (e.g. what gaps mean)


@dataclass(frozen=True)
class Table:
    """A plain table: every cell already a string."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str | None = None


@dataclass(frozen=True)
class ResultRow:
    """One indicator in a sector's results table."""

    indicator_code: str
    indicator_name: str
    unit: str
    baseline: str  # formatted value, "–" when there is none
    baseline_period: str
    latest: str  # formatted value, or the hidden-value words
    latest_period: str
    target: str
    target_year: str
    achievement: str  # "45%" = (actual - baseline) / (target - baseline), "–" when undefined
    achievement_pct: float | None
    status: str  # status key: on_track, off_track, achieved, no_target, no_data, not_shown
    status_label: str  # the words for the status
    sparkline: tuple[Point, ...]  # the latest years, oldest first
    note: str | None = None  # coverage, restated, partial, hidden


@dataclass(frozen=True)
class Section:
    """A part of the report: paragraphs, then tables and charts in order."""

    section_id: str  # stable anchor, e.g. "sector-AC", "care-reform", "quality", "methodology"
    title: str
    paragraphs: tuple[str, ...] = ()
    results: tuple[ResultRow, ...] = ()  # a sector's results table (empty elsewhere)
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()


@dataclass(frozen=True)
class Cover:
    title: str  # "Child protection progress report"
    country: str
    period_id: str  # "2025" or "2025-Q4"
    period_label: str  # "2025" or "October–December 2025"
    audience: str  # role name: donor, planner
    audience_label: str  # "Donors and partners"
    data_cutoff: dt.date | None  # the last day of data the report rests on
    warehouse_version: str  # run id of the published warehouse
    published_at: str  # "2026-12-03 06:12 UTC"


@dataclass(frozen=True)
class Report:
    lang: str
    cover: Cover
    summary: tuple[str, ...]  # executive summary: sentences written from the numbers
    sectors: tuple[Section, ...]  # one per sector, catalogue order
    care_reform: Section
    quality: Section  # data-quality annex
    methodology: Section  # methodology annex, from the catalogue
    protection_note: str  # what hidden values mean to this audience (or the exact-figures note)
    indicator_codes: tuple[str, ...] = field(default=())  # every indicator the report covers
