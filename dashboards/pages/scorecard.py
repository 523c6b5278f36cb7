"""Scorecard page (``/scorecard``): every indicator of the framework against its target, by sector.

The donor view: one row per catalogue indicator with the latest national value, a sparkline of its
recent national trend, the change over a year, the target and whether the country is on track
(``fct_indicator_values.status``, computed once in the warehouse), as a traffic light with its words.
``/scorecard?sector=JC`` preselects a sector; each sector also has its own page (``/sector``).

The sparklines and the status lights are built here and reused by the sector pages: one query
(``queries.recent_values``) gives every indicator's recent values, drawn as a small inline SVG image
whose ``alt`` text says what it shows. A value hidden from the role is a gap, never a point.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, dcc, html

from cpmonitor.core.access import Role
from dashboards import kpis, queries
from dashboards.components import (
    data_flags,
    is_missing,
    page_header,
    privacy_note,
    progress_bar,
    published_sentence,
    suppressed_text,
)
from dashboards.context import current_role, from_warehouse
from dashboards.downloads import download_links
from dashboards.figures import COLOURS
from dashboards.i18n import N_, _, ngettext
from dashboards.pages import Route
from dashboards.words import hidden_words, not_shown, protects_another_why, small_count_why

ROUTE = Route(path="/scorecard", title=N_("Scorecard"), nav_label=N_("Scorecard"), order=1)
ALL = "all"
LEAD = N_(
    "Where each indicator of the national framework stands: its latest national value, its recent "
    "trend, the change over a year and progress towards its target. Choose an indicator to see its "
    "provinces and groups, or a sector for its own page."
)
STATUS_NOTE = N_(
    "On track: the latest value is at least as good as a straight path from the baseline to the "
    "target (or as the target itself when there is no baseline or the target year has come). "
    "Progress: share of the way from the baseline to the target. Targets are national."
)
SOURCE = N_("Sources: the ministries' feeds named on each indicator's page.")


def layout(sector: str | None = None, **_query: Any) -> html.Div:
    """Fresh on every visit; ``sector`` (``?sector=<code>``) preselects a sector."""
    return from_warehouse(lambda warehouse: page_layout(warehouse, sector, role=current_role()))


def page_layout(warehouse: Path, sector: str | None = None, *, role: Role) -> html.Div:
    """Page shell with the summary strip and the sections, as ``role`` sees them; ``sector``
    preselects a sector."""
    card = queries.scorecard(warehouse, role=role)
    recent = queries.recent_values(warehouse, role=role)
    published = queries.published_at(warehouse)
    sectors = sectors_of(card)
    chosen = sector if sector in dict(sectors) else ALL
    options = [{"label": _("All sectors"), "value": ALL}] + [
        {"label": name, "value": code} for code, name in sectors
    ]
    source = " ".join(part for part in (_(SOURCE), published_sentence(published)) if part)
    return html.Div(
        [
            page_header(_(ROUTE.title), _(LEAD)),
            summary_strip(card),
            dbc.Row(
                dbc.Col(
                    [
                        dbc.Label(_("Sector"), html_for="scorecard-sector", className="cp-label"),
                        dbc.Select(id="scorecard-sector", options=options, value=chosen),
                    ],
                    xs=12,
                    md=6,
                    lg=4,
                ),
                class_name="mb-3",
            ),
            html.Div(sections(card, chosen, recent, role=role), id="scorecard-sections"),
            html.P(_(STATUS_NOTE), className="cp-source mb-1"),
            html.P(trend_note(role), className="cp-source border-0 pt-0 mb-1"),
            privacy_note("scorecard", role.exact),
            html.P(source, className="cp-source border-0 pt-0"),
        ]
    )


def register_callbacks(app: dash.Dash) -> None:
    """Wire the sector filter to ``app``."""
    app.callback(
        Output("scorecard-sections", "children"),
        Input("scorecard-sector", "value"),
        prevent_initial_call=True,
    )(update_sections)


def update_sections(sector: str | None) -> Any:
    """Callback: show the chosen sector (or all)."""
    role = current_role()
    return from_warehouse(
        lambda warehouse: sections(
            queries.scorecard(warehouse, role=role),
            sector or ALL,
            queries.recent_values(warehouse, role=role),
            role=role,
        )
    )


def sectors_of(card: pd.DataFrame) -> list[tuple[str, str]]:
    """Sectors in catalogue order as (code, name)."""
    seen = card.drop_duplicates("sector_code")
    return list(zip(seen["sector_code"], seen["sector_name"], strict=True))


def classify(row: dict[str, Any]) -> str:
    """``on_track``, ``off_track``, ``no_target``, ``hidden`` (its latest value is not shown to
    this role) or ``no_data`` for the summary strip."""
    status = row.get("status")
    if status in ("on_track", "off_track", "no_target"):
        return status
    if row.get("suppressed") is True or (
        not is_missing(row.get("suppressed")) and bool(row.get("suppressed"))
    ):
        return "hidden"
    return "no_data"


def summary_counts(card: pd.DataFrame) -> dict[str, int]:
    """How many indicators are on track, off track, without a target, without data."""
    counts = {"on_track": 0, "off_track": 0, "no_target": 0, "hidden": 0, "no_data": 0}
    for row in card.to_dict("records"):
        counts[classify(row)] += 1
    return counts


def summary_strip(card: pd.DataFrame) -> dbc.Row:
    counts = summary_counts(card)
    tiles = [
        ("on-track", _("On track"), counts["on_track"], "cp-summary-good", _("against their target")),
        ("off-track", _("Off track"), counts["off_track"], "cp-summary-bad", _("against their target")),
        ("no-target", _("No target set"), counts["no_target"], "", _("followed without a target")),
        ("no-data", _("No data yet"), counts["no_data"], "", _("feeds not yet delivered")),
    ]  # fmt: skip
    if counts["hidden"]:  # only a protected role has values it may not see
        tiles.insert(
            3,
            (
                "hidden",
                _("Not shown"),
                counts["hidden"],
                "",
                _("latest value rests on too few children"),
            ),
        )
    total = len(card)
    return dbc.Row(
        [
            dbc.Col(
                dbc.Card(
                    dbc.CardBody(
                        [
                            html.Div(title, className="cp-kpi-title"),
                            html.Div(
                                [
                                    html.Span(
                                        kpis.format_number(value, ",.0f"),
                                        id=f"scorecard-{key}-value",
                                        className=f"cp-summary-value {css}",
                                    ),
                                    html.Span(
                                        _(" of {total}").format(total=total),
                                        className="cp-kpi-when",
                                    ),
                                ]
                            ),
                            html.Div(note, className="cp-kpi-when"),
                        ]
                    ),
                    class_name="cp-card h-100",
                ),
                xs=6,
                lg=True,
            )
            for key, title, value, css, note in tiles
        ],
        class_name="g-3 mb-3",
        id="scorecard-summary",
    )


def sections(
    card: pd.DataFrame,
    sector: str = ALL,
    recent: pd.DataFrame | None = None,
    *,
    role: Role | None = None,
) -> list[dbc.Card]:
    """One card per sector (catalogue order) with its indicators' rows; ``recent``
    (``queries.recent_values``) draws their sparklines, and a ``role`` that may open the sector
    pages gets a link to each."""
    lines = sparklines_by_code(recent)
    linked = role is not None and role.may_open("sector")
    blocks = []
    for code, name in sectors_of(card):
        if sector not in (ALL, code):
            continue
        rows = card[card["sector_code"] == code]
        counts = summary_counts(rows)
        line = sector_line(counts)
        heading: list[Any] = [html.Span(line, className="cp-kpi-when")]
        if linked:
            heading.append(
                dcc.Link(
                    [
                        html.Span(f"{name}: ", className="visually-hidden"),
                        _("Sector page") + " ",
                        html.Span("→", **{"aria-hidden": "true"}),
                    ],
                    href="/sector?" + urlencode({"sector": code}),
                    id=f"scorecard-sector-link-{code}",
                    className="cp-sector-link",
                )
            )
        blocks.append(
            dbc.Card(
                dbc.CardBody(
                    [
                        html.Div(
                            [
                                html.H2(name, className="cp-section-title mb-0"),
                                html.Div(
                                    heading, className="d-flex flex-wrap gap-3 align-items-baseline"
                                ),
                            ],
                            className="d-flex justify-content-between align-items-baseline "
                            "flex-wrap gap-2 mb-2",
                        ),
                        _table(rows, lines),
                        download_links(
                            "scorecard",
                            role=role,
                            sector=code,
                            what=_("the {sector} scorecard").format(sector=name),
                        ),
                    ]
                ),
                id=f"scorecard-sector-{code}",
                class_name="cp-card cp-sector",
            )
        )
    return blocks


def sector_line(counts: dict[str, int]) -> str:
    """``1 of 2 indicators with a target on track`` for a sector's ``summary_counts``."""
    judged = counts["on_track"] + counts["off_track"]
    if not judged:
        return _("No indicator with a target has data yet")
    return _("{on_track} of {judged} indicators with a target on track").format(
        on_track=counts["on_track"], judged=judged
    )


HEADINGS = (
    (N_("Code"), "cp-code cp-w-code"),
    (N_("Indicator"), "cp-w-name"),
    (N_("Recent trend"), "cp-w-trend"),
    (N_("Latest national value"), "cp-num cp-w-value"),
    (N_("Change over a year"), "cp-num cp-w-change"),
    (N_("Target"), "cp-num cp-w-target"),
    (N_("Status"), "cp-w-status"),
    (N_("Progress"), "cp-w-progress"),
)


def _table(rows: pd.DataFrame, lines: dict[str, list[Point]]) -> dbc.Table:
    header = html.Thead(html.Tr([html.Th(_(text), className=css) for text, css in HEADINGS]))
    body = [
        _row(record, lines.get(str(record["indicator_code"]), []))
        for record in rows.to_dict("records")
    ]
    return dbc.Table(
        [header, html.Tbody(body)],
        bordered=False,
        hover=True,
        responsive=True,
        size="sm",
        class_name="cp-table cp-score-table",
    )


def latest_cell(row: dict[str, Any]) -> list[Any]:
    """The latest value with its unit and period (surveys: the survey year and the 95% CI)."""
    number_format, unit = row.get("number_format"), row.get("unit")
    if is_missing(row.get("period_id")):
        return [html.Span(_("No data yet"), className="cp-nodata")]
    if row.get("suppressed"):
        reason = row.get("suppression_reason")
        shown: Any = html.Span(
            suppressed_text(unit, reason),
            className="cp-suppressed",
            title=protects_another_why() if reason == "protects_another" else small_count_why(),
        )
    else:
        shown = kpis.format_value(row.get("value"), number_format, unit)
    when = str(row.get("period_label") or "")
    if row.get("kind") == "survey":
        when = _("Survey {period}").format(period=when)
        if not is_missing(row.get("ci_lower")) and not is_missing(row.get("ci_upper")):
            lower = kpis.format_number(row["ci_lower"], number_format)
            upper = kpis.format_number(row["ci_upper"], number_format)
            when += " · " + _("95% CI {lower}–{upper}").format(lower=lower, upper=upper)
    elif row.get("period_type") == "month":
        when = (
            _("End of {period}").format(period=when)
            if row.get("kind") in ("stock", "stock_rate")
            else when
        )
    cell = [shown, html.Span(when, className="cp-when")]
    flags = data_flags(row)
    if flags:
        cell.append(html.Span(flags, className="cp-flags"))
    return cell


def change_cell(row: dict[str, Any]) -> list[Any]:
    """The change since the same period a year before (surveys: the previous survey)."""
    if is_missing(row.get("previous_label")) or is_missing(row.get("period_id")):
        return []
    if row.get("suppressed") or row.get("previous_suppressed"):
        return [html.Span(not_shown(), className="cp-nodata"), _since(row)]
    if is_missing(row.get("value")) or is_missing(row.get("previous_value")):
        return []
    difference = float(row["value"]) - float(row["previous_value"])
    text = kpis.format_change(difference, row.get("number_format"), row.get("unit"))
    if kpis.format_number(abs(difference), row.get("number_format")).strip("0.,") == "":
        text = _("No change")
    better = kpis.improving(difference, row.get("direction"))
    css = {True: "cp-good", False: "cp-bad"}.get(better, "cp-neutral")
    return [html.Span(text, className=css), _since(row)]


def _since(row: dict[str, Any]) -> html.Span:
    label = str(row.get("previous_label"))
    text = (
        _("since survey {period}") if row.get("kind") == "survey" else _("since {period}")
    ).format(period=label)
    return html.Span(text, className="cp-when")


def target_cell(row: dict[str, Any]) -> list[Any]:
    target, year = row.get("target_value"), row.get("target_year")
    if is_missing(target) or is_missing(year):
        return [html.Span(_("No target"), className="cp-nodata")]
    return [
        kpis.format_value(float(target), row.get("number_format"), row.get("unit")),
        html.Span(_("by {year}").format(year=int(year)), className="cp-when"),
    ]


def _row(row: dict[str, Any], points: list[Point]) -> html.Tr:
    code = str(row["indicator_code"])
    href = "/indicator?" + urlencode({"code": code})
    return html.Tr(
        [
            html.Td(code, className="cp-code"),
            html.Td(
                dcc.Link(
                    row.get("short_label") or row.get("indicator_name") or code,
                    href=href,
                    title=row.get("indicator_name") or "",
                )
            ),
            html.Td(sparkline(points, row, id=f"scorecard-trend-{code}"), className="cp-trend"),
            html.Td(latest_cell(row), className="cp-num"),
            html.Td(change_cell(row), className="cp-num"),
            html.Td(target_cell(row), className="cp-num"),
            html.Td(status_light(row), className="cp-status-cell"),
            html.Td(progress_bar(row.get("progress"), row.get("status"))),
        ],
        id=f"scorecard-row-{code}",
    )


# --- status lights and sparklines (also on the sector pages) ------------------------------------

# status -> (icon, css): colour AND an icon AND words, so no one needs to tell red from green.
LIGHTS = {
    "on_track": ("✓", "cp-light cp-light-good cp-status-badge cp-status-good"),
    "off_track": ("✕", "cp-light cp-light-bad cp-status-badge cp-status-bad"),
    "no_target": ("–", "cp-light cp-light-none"),
}


def status_light(row: dict[str, Any]) -> html.Span | str:
    """The traffic light of a row's warehouse ``status``: on track (green, ✓), off track (red, ✕;
    ``Target reached``/``Target not reached`` from the target year on, ``kpis.status_text``) or no
    target (grey, –); nothing when the latest value is missing or not shown to the role."""
    status = row.get("status")
    if status not in LIGHTS:
        return ""
    icon, css = LIGHTS[status]
    words = (
        kpis.status_text(status, row.get("period_end"), row.get("target_year"))
        if status in ("on_track", "off_track")
        else _("No target")
    )
    return html.Span(
        [html.Span(icon, className="cp-light-icon", **{"aria-hidden": "true"}), words],
        className=css,
    )


@dataclass(frozen=True)
class Point:
    """One period of a sparkline: its label and end, and its value (None: a gap, because the
    value is missing or hidden from the role, ``suppressed``)."""

    label: str
    end: pd.Timestamp
    value: float | None
    suppressed: bool = False
    reason: str | None = None


def sparklines_by_code(recent: pd.DataFrame | None) -> dict[str, list[Point]]:
    """``queries.recent_values`` as each indicator's points, oldest first."""
    lines: dict[str, list[Point]] = {}
    if recent is None or recent.empty:
        return lines
    for row in recent.to_dict("records"):
        suppressed = bool(row.get("suppressed")) and not is_missing(row.get("suppressed"))
        value = row.get("value")
        lines.setdefault(str(row["indicator_code"]), []).append(
            Point(
                label=str(row.get("period_label") or row.get("period_id")),
                end=pd.Timestamp(row["period_end"]),
                value=None if suppressed or is_missing(value) else float(value),
                suppressed=suppressed,
                reason=None
                if is_missing(row.get("suppression_reason"))
                else row["suppression_reason"],
            )
        )
    return lines


def _coordinates(points: list[Point], width: int, height: int) -> list[tuple[float, float] | None]:
    """Each point's (x, y) in the drawing (None for a gap): x by date, y between the lowest and
    the highest value shown (a flat line in the middle when they are equal)."""
    pad = 3.0
    known = [p.value for p in points if p.value is not None]
    if not known:
        return [None for _ in points]
    low, high = min(known), max(known)
    first, last = points[0].end, points[-1].end
    span = (last - first).total_seconds()
    found: list[tuple[float, float] | None] = []
    for point in points:
        if point.value is None:
            found.append(None)
            continue
        share = (point.end - first).total_seconds() / span if span else 1.0
        x = pad + share * (width - 2 * pad)
        y = (
            height / 2
            if high == low
            else pad + (high - point.value) / (high - low) * (height - 2 * pad)
        )
        found.append((round(x, 1), round(y, 1)))
    return found


def sparkline_svg(
    points: list[Point], *, width: int = 112, height: int = 28, dots: bool = False
) -> str:
    """SVG markup of a sparkline: a line through each run of shown values (broken at every gap),
    a dot on a value standing alone and on the latest one; ``dots`` draws dots only (surveys)."""
    spots = _coordinates(points, width, height)
    colour = COLOURS["series"]
    runs: list[list[tuple[float, float]]] = [[]]
    for spot in spots:
        if spot is None:
            runs.append([])
        else:
            runs[-1].append(spot)
    shapes = []
    for run in runs:
        if len(run) > 1 and not dots:
            path = " ".join(f"{x},{y}" for x, y in run)
            shapes.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.6" '
                'stroke-linejoin="round" stroke-linecap="round"/>'
            )
        for index, (x, y) in enumerate(run):
            if dots or len(run) == 1 or (run is runs[-1] and index == len(run) - 1):
                shapes.append(f'<circle cx="{x}" cy="{y}" r="2.2" fill="{colour}"/>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">{"".join(shapes)}</svg>'
    )


def sparkline_words(points: list[Point], row: dict[str, Any]) -> str:
    """What the sparkline shows, for screen readers and the tooltip: ``National trend: from 2,296
    in Jan 2018 to 2,142 in Dec 2018``, saying which values are not shown."""
    shown = [p for p in points if p.value is not None]
    hidden = [p for p in points if p.suppressed]
    if not shown:
        return _("National trend: {what}").format(
            what=hidden_words(hidden[0].reason) if hidden else _("no data yet")
        )
    first, last = shown[0], shown[-1]
    if first is last:
        text = _("National trend: only {period}, {value}").format(
            period=first.label, value=_shown(first, row)
        )
    else:
        text = _(
            "National trend: from {first} in {first_period} to {last} in {last_period}"
        ).format(
            first=_shown(first, row),
            first_period=first.label,
            last=_shown(last, row),
            last_period=last.label,
        )
    if hidden:
        periods = ", ".join(p.label for p in hidden)
        text += f"; {periods}: {hidden_words(hidden[0].reason)}"
    return text


def _shown(point: Point, row: dict[str, Any]) -> str:
    return kpis.format_value(point.value, row.get("number_format"), row.get("unit"))


def sparkline(
    points: list[Point],
    row: dict[str, Any],
    *,
    width: int = 112,
    height: int = 28,
    id: str | None = None,  # noqa: A002 - Dash's name for it
) -> html.Img | html.Span:
    """The sparkline as a small inline SVG image (a data URI: no request, nothing to load) with
    ``sparkline_words`` as its alternative text; a dash when there is nothing to draw."""
    named = {"id": id} if id else {}
    if not points:
        return html.Span("–", className="cp-nodata", title=_("No data yet"), **named)
    svg = sparkline_svg(points, width=width, height=height, dots=row.get("kind") == "survey")
    words = sparkline_words(points, row)
    return html.Img(
        src="data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
        alt=words,
        title=words,
        width=width,
        height=height,
        className="cp-sparkline",
        **named,
    )


def trend_note(role: Role) -> str:
    """The footnote saying what the sparklines cover for ``role`` (its finest period type)."""
    kinds = [kind for kind in ("month", "quarter", "year") if role.sees_period(kind)]
    spans = [period_count(queries.RECENT_PERIODS[kind], kind) for kind in kinds]
    if len(spans) > 1:
        return _(
            "Recent trend: national values over the last {span} (the last {others} for an "
            "indicator without {kind}), up to the latest value; a gap is a value not shown or not "
            "delivered."
        ).format(span=spans[0], others=_(" or ").join(spans[1:]), kind=_(PERIOD_WORDS[kinds[0]]))
    return _(
        "Recent trend: national values over the last {span}, up to the latest value; a gap is a "
        "value not shown or not delivered."
    ).format(span=spans[0])


PERIOD_WORDS = {"month": N_("months"), "quarter": N_("quarters"), "year": N_("years")}


def period_count(n: int, kind: str) -> str:
    """``24 months``, ``8 quarters``, ``5 years``."""
    if kind == "month":
        return ngettext("{n} month", "{n} months", n).format(n=n)
    if kind == "quarter":
        return ngettext("{n} quarter", "{n} quarters", n).format(n=n)
    return ngettext("{n} year", "{n} years", n).format(n=n)
