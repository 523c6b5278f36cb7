"""Scorecard page (``/scorecard``): every indicator of the framework against its target, by sector.

The donor view: one row per catalogue indicator with the latest national value, the change over a
year, the target and whether the country is on track (``fct_indicator_values.status``, computed once
in the warehouse). ``/scorecard?sector=JC`` preselects a sector.
"""

from __future__ import annotations

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
    status_badge,
    suppressed_text,
)
from dashboards.context import current_role, from_warehouse
from dashboards.pages import Route
from dashboards.words import PROTECTS_ANOTHER_WHY, small_count_why

ROUTE = Route(path="/scorecard", title="Scorecard", nav_label="Scorecard", order=1)
ALL = "all"
LEAD = (
    "Where each indicator of the national framework stands: its latest national value, the change "
    "over a year and progress towards its target. Choose an indicator to see its trend, provinces "
    "and groups."
)
STATUS_NOTE = (
    "On track: the latest value is at least as good as a straight path from the baseline to the "
    "target (or as the target itself when there is no baseline or the target year has come). "
    "Progress: share of the way from the baseline to the target. Targets are national."
)
SOURCE = "Sources: the ministries' feeds named on each indicator's page."


def layout(sector: str | None = None, **_query: Any) -> html.Div:
    """Fresh on every visit; ``sector`` (``?sector=<code>``) preselects a sector."""
    return from_warehouse(lambda warehouse: page_layout(warehouse, sector, role=current_role()))


def page_layout(warehouse: Path, sector: str | None = None, *, role: Role) -> html.Div:
    """Page shell with the summary strip and the sections, as ``role`` sees them; ``sector``
    preselects a sector."""
    card = queries.scorecard(warehouse, role=role)
    published = queries.published_at(warehouse)
    sectors = _sectors(card)
    chosen = sector if sector in dict(sectors) else ALL
    options = [{"label": "All sectors", "value": ALL}] + [
        {"label": name, "value": code} for code, name in sectors
    ]
    source = " ".join(part for part in (SOURCE, published_sentence(published)) if part)
    return html.Div(
        [
            page_header(ROUTE.title, LEAD),
            summary_strip(card),
            dbc.Row(
                dbc.Col(
                    [
                        dbc.Label("Sector", html_for="scorecard-sector", className="cp-label"),
                        dbc.Select(id="scorecard-sector", options=options, value=chosen),
                    ],
                    xs=12,
                    md=6,
                    lg=4,
                ),
                class_name="mb-3",
            ),
            html.Div(sections(card, chosen), id="scorecard-sections"),
            html.P(STATUS_NOTE, className="cp-source mb-1"),
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
    return from_warehouse(
        lambda warehouse: sections(queries.scorecard(warehouse, role=current_role()), sector or ALL)
    )


def _sectors(card: pd.DataFrame) -> list[tuple[str, str]]:
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
        ("on-track", "On track", counts["on_track"], "cp-summary-good", "against their target"),
        ("off-track", "Off track", counts["off_track"], "cp-summary-bad", "against their target"),
        ("no-target", "No target set", counts["no_target"], "", "followed without a target"),
        ("no-data", "No data yet", counts["no_data"], "", "feeds not yet delivered"),
    ]
    if counts["hidden"]:  # only a protected role has values it may not see
        tiles.insert(
            3,
            ("hidden", "Not shown", counts["hidden"], "", "latest value rests on too few children"),
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
                                        f"{value:,}",
                                        id=f"scorecard-{key}-value",
                                        className=f"cp-summary-value {css}",
                                    ),
                                    html.Span(f" of {total}", className="cp-kpi-when"),
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


def sections(card: pd.DataFrame, sector: str = ALL) -> list[dbc.Card]:
    """One card per sector (catalogue order) with its indicators' rows."""
    blocks = []
    for code, name in _sectors(card):
        if sector not in (ALL, code):
            continue
        rows = card[card["sector_code"] == code]
        counts = summary_counts(rows)
        judged = counts["on_track"] + counts["off_track"]
        line = (
            f"{counts['on_track']} of {judged} indicators with a target on track"
            if judged
            else "No indicator with a target has data yet"
        )
        blocks.append(
            dbc.Card(
                dbc.CardBody(
                    [
                        html.Div(
                            [
                                html.H2(name, className="cp-section-title mb-0"),
                                html.Span(line, className="cp-kpi-when"),
                            ],
                            className="d-flex justify-content-between align-items-baseline "
                            "flex-wrap gap-2 mb-2",
                        ),
                        _table(rows),
                    ]
                ),
                id=f"scorecard-sector-{code}",
                class_name="cp-card cp-sector",
            )
        )
    return blocks


HEADINGS = (
    ("Code", "cp-code cp-w-code"),
    ("Indicator", "cp-w-name"),
    ("Latest national value", "cp-num cp-w-value"),
    ("Change over a year", "cp-num cp-w-change"),
    ("Target", "cp-num cp-w-target"),
    ("Status", "cp-w-status"),
    ("Progress", "cp-w-progress"),
)


def _table(rows: pd.DataFrame) -> dbc.Table:
    header = html.Thead(html.Tr([html.Th(text, className=css) for text, css in HEADINGS]))
    body = [_row(record) for record in rows.to_dict("records")]
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
        return [html.Span("No data yet", className="cp-nodata")]
    if row.get("suppressed"):
        reason = row.get("suppression_reason")
        shown: Any = html.Span(
            suppressed_text(unit, reason),
            className="cp-suppressed",
            title=PROTECTS_ANOTHER_WHY if reason == "protects_another" else small_count_why(),
        )
    else:
        shown = kpis.format_value(row.get("value"), number_format, unit)
    when = str(row.get("period_label") or "")
    if row.get("kind") == "survey":
        when = f"Survey {when}"
        if not is_missing(row.get("ci_lower")) and not is_missing(row.get("ci_upper")):
            lower = kpis.format_number(row["ci_lower"], number_format)
            upper = kpis.format_number(row["ci_upper"], number_format)
            when += f" · 95% CI {lower}–{upper}"
    elif row.get("period_type") == "month":
        when = f"End of {when}" if row.get("kind") in ("stock", "stock_rate") else when
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
        return [html.Span("Not shown", className="cp-nodata"), _since(row)]
    if is_missing(row.get("value")) or is_missing(row.get("previous_value")):
        return []
    difference = float(row["value"]) - float(row["previous_value"])
    text = kpis.format_change(difference, row.get("number_format"), row.get("unit"))
    if kpis.format_number(abs(difference), row.get("number_format")) in ("0", "0.0", "0.00"):
        text = "No change"
    better = kpis.improving(difference, row.get("direction"))
    css = {True: "cp-good", False: "cp-bad"}.get(better, "cp-neutral")
    return [html.Span(text, className=css), _since(row)]


def _since(row: dict[str, Any]) -> html.Span:
    label = str(row.get("previous_label"))
    prefix = "since survey " if row.get("kind") == "survey" else "since "
    return html.Span(prefix + label, className="cp-when")


def target_cell(row: dict[str, Any]) -> list[Any]:
    target, year = row.get("target_value"), row.get("target_year")
    if is_missing(target) or is_missing(year):
        return [html.Span("No target", className="cp-nodata")]
    return [
        kpis.format_value(float(target), row.get("number_format"), row.get("unit")),
        html.Span(f"by {int(year)}", className="cp-when"),
    ]


def _row(row: dict[str, Any]) -> html.Tr:
    code = str(row["indicator_code"])
    href = "/indicator?" + urlencode({"code": code})
    status = row.get("status")
    words = (
        kpis.status_text(status, row.get("period_end"), row.get("target_year"))
        if status in ("on_track", "off_track")
        else None
    )
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
            html.Td(latest_cell(row), className="cp-num"),
            html.Td(change_cell(row), className="cp-num"),
            html.Td(target_cell(row), className="cp-num"),
            html.Td(status_badge(status, words)),
            html.Td(progress_bar(row.get("progress"), status)),
        ],
        id=f"scorecard-row-{code}",
    )
