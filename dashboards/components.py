"""Small layout pieces shared by the pages (no queries, no state)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

NOT_PUBLISHED = "No warehouse has been published yet. Run `cpmonitor run`."
UNREADABLE = (
    "The published warehouse could not be read just now. Reload the page in a moment; if this "
    "persists, run `cpmonitor status`."
)


def not_published() -> html.Div:
    """The friendly message shown before the pipeline has published anything."""
    return html.Div(
        dbc.Alert(
            [
                html.H4("Nothing to show yet", className="alert-heading"),
                dcc.Markdown(NOT_PUBLISHED, className="mb-0"),
            ],
            color="info",
            className="mt-4",
        ),
        className="cp-message",
    )


def unreadable(error: Exception) -> html.Div:
    """Shown when the warehouse exists but a query failed (e.g. an older schema).

    People see a calm message; the operator finds the real error in the server log.
    """
    logging.getLogger("cpmonitor.dashboard").error("warehouse query failed: %s", error)
    return html.Div(
        dbc.Alert(
            [html.H4("The data could not be read", className="alert-heading"), html.P(UNREADABLE)],
            color="warning",
            className="mt-4",
        ),
        className="cp-message",
    )


def page_header(title: str, lead: str) -> html.Div:
    """Page title with a one-line explanation."""
    return html.Div([html.H1(title, className="cp-title"), html.P(lead, className="cp-lead")])


def format_timestamp(value: Any) -> str:
    """``15 Jan 2019, 06:30 UTC`` for tz-aware stamps, ``15 Jan 2019, 06:30`` otherwise."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        return stamp.tz_convert("UTC").strftime("%-d %b %Y, %H:%M UTC")
    return stamp.strftime("%-d %b %Y, %H:%M")


def data_table(
    frame: pd.DataFrame,
    columns: Mapping[str, str],
    *,
    id_prefix: str,
    formatters: Mapping[str, Callable[[Any], Any]] | None = None,
    numeric: tuple[str, ...] = (),
) -> dbc.Table:
    """A plain, readable Bootstrap table of ``frame`` with the given column headings."""
    formatters = formatters or {}
    header = html.Thead(
        html.Tr(
            [
                html.Th(label, className="text-end" if c in numeric else None)
                for c, label in columns.items()
            ]  # fmt: skip
        )
    )
    body_rows = []
    for record in frame.to_dict("records"):
        cells = []
        for column in columns:
            value = record.get(column)
            shown = formatters[column](value) if column in formatters else value
            if shown is None or (not isinstance(shown, str | list) and _missing(shown)):
                shown = ""
            cells.append(html.Td(shown, className="text-end" if column in numeric else None))
        body_rows.append(html.Tr(cells))
    return dbc.Table(
        [header, html.Tbody(body_rows)],
        id=f"{id_prefix}-table",
        bordered=False,
        hover=True,
        responsive=True,
        size="sm",
        class_name="cp-table",
    )


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
