"""Sector pages (``/sector?sector=<code>``): one sector's indicators as cards.

The five sectors of the catalogue (``dim_indicator.sector_code``, in catalogue order) share this one
page; links at its top move between them. Each card shows an indicator's latest national value,
its status light, its recent-trend sparkline and target, and links to the indicator page. The
values are the scorecard's (``queries.scorecard`` and ``queries.recent_values``), read as the
signed-in role may: a protected role reads protected values and a hidden value reads as not shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from cpmonitor.core.access import Role
from dashboards import queries
from dashboards.components import (
    is_missing,
    page_header,
    privacy_note,
    progress_bar,
    published_sentence,
)
from dashboards.context import current_role, from_warehouse
from dashboards.i18n import N_, _, ngettext
from dashboards.pages import Route
from dashboards.pages.scorecard import (
    SOURCE,
    STATUS_NOTE,
    Point,
    latest_cell,
    sector_line,
    sectors_of,
    sparkline,
    sparklines_by_code,
    status_light,
    summary_counts,
    target_cell,
    trend_note,
)

ROUTE = Route(path="/sector", title=N_("Sectors"), nav_label=N_("Sectors"), order=1)
LEAD = N_(
    "Each sector of the national framework on its own: its indicators' latest national values, "
    "their recent trend and where they stand against their targets. Choose an indicator for its "
    "provinces and groups."
)


def layout(sector: str | None = None, **_query: Any) -> html.Div:
    """Fresh on every visit; ``sector`` (``?sector=<code>``) chooses the sector (the first one
    when it is missing or unknown)."""
    return from_warehouse(lambda warehouse: page_layout(warehouse, sector, role=current_role()))


def page_layout(warehouse: Path, sector: str | None = None, *, role: Role) -> html.Div:
    """The page of one sector as ``role`` sees it."""
    card = queries.scorecard(warehouse, role=role)
    sectors = sectors_of(card)
    names = dict(sectors)
    chosen = sector if sector in names else sectors[0][0]
    rows = card[card["sector_code"] == chosen]
    lines = sparklines_by_code(queries.recent_values(warehouse, role=role))
    published = published_sentence(queries.published_at(warehouse))
    return html.Div(
        [
            page_header(_(ROUTE.title), _(LEAD)),
            sector_nav(sectors, chosen, card),
            html.Div(
                [
                    html.H2(names[chosen], className="cp-sector-heading mb-0"),
                    html.Span(
                        sector_line(summary_counts(rows)),
                        className="cp-kpi-when",
                        id="sector-summary",
                    ),
                ],
                className="d-flex justify-content-between align-items-baseline flex-wrap "
                "gap-2 mb-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        indicator_card(record, lines.get(record["indicator_code"], [])),
                        xs=12,
                        md=6,
                        xl=4,
                    )  # fmt: skip
                    for record in rows.to_dict("records")
                ],
                class_name="g-3 mb-3",
                id="sector-cards",
            ),
            html.P(_(STATUS_NOTE), className="cp-source mb-1"),
            html.P(trend_note(role), className="cp-source border-0 pt-0 mb-1"),
            privacy_note("sector", role.exact),
            html.P(
                " ".join(part for part in (_(SOURCE), published) if part),
                className="cp-source border-0 pt-0",
            ),
        ]
    )


def sector_nav(sectors: list[tuple[str, str]], chosen: str, card: pd.DataFrame) -> html.Nav:
    """Links to the sector pages, one tile each with how many indicators it has and how many of
    those with a target are on track; the current one marked (in words too, for screen readers)."""
    links = []
    for code, name in sectors:
        current = code == chosen
        counts = summary_counts(card[card["sector_code"] == code])
        judged = counts["on_track"] + counts["off_track"]
        total = sum(counts.values())
        detail = ngettext("{n} indicator", "{n} indicators", total).format(n=total)
        if judged:
            detail += " · " + _("{on_track} of {judged} on track").format(
                on_track=counts["on_track"], judged=judged
            )
        children: list[Any] = [
            html.Span(name, className="cp-sector-tab-name"),
            html.Span(detail, className="cp-sector-tab-detail"),
        ]
        if current:
            children.append(html.Span(" " + _("(this page)"), className="visually-hidden"))
        links.append(
            html.Li(
                dcc.Link(
                    children,
                    href="/sector?" + urlencode({"sector": code}),
                    id=f"sector-link-{code}",
                    className="nav-link active" if current else "nav-link",
                ),
                className="nav-item",
            )
        )
    return html.Nav(
        html.Ul(links, className="nav nav-pills cp-sector-nav"),
        id="sector-nav",
        className="mb-3",
        **{"aria-label": _("Sectors")},
    )


def indicator_card(row: dict[str, Any], points: list[Point]) -> dbc.Card:
    """One indicator: name (a link to its page), latest value, status, sparkline, target."""
    code = str(row["indicator_code"])
    href = "/indicator?" + urlencode({"code": code})
    progress = progress_bar(row.get("progress"), row.get("status"))
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    [
                        html.Span(code, className="cp-code cp-sector-code"),
                        dcc.Link(
                            row.get("short_label") or row.get("indicator_name") or code,
                            href=href,
                            title=row.get("indicator_name") or "",
                            className="cp-sector-name",
                        ),
                    ],
                    className="mb-2",
                ),
                html.Div(
                    [
                        html.Div(latest_cell(row), className="cp-sector-value"),
                        sparkline(points, row, width=150, height=40, id=f"sector-trend-{code}"),
                    ],
                    className="d-flex justify-content-between align-items-start gap-2 mb-2",
                ),
                html.Div(
                    [status_light(row), _target(row)],
                    className="d-flex flex-wrap align-items-center gap-2",
                ),
                html.Div(progress, className="mt-2") if progress else None,
            ]
        ),
        id=f"sector-card-{code}",
        class_name="cp-card cp-sector-card h-100",
    )


def _target(row: dict[str, Any]) -> html.Span | None:
    """``Target 30.0% by 2018``; nothing without a target when the status light says so."""
    if is_missing(row.get("target_value")) or is_missing(row.get("target_year")):
        return None if row.get("status") == "no_target" else html.Span(target_cell(row))
    return html.Span([_("Target") + " ", *target_cell(row)], className="cp-sector-target")
