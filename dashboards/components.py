"""Small layout pieces shared by the pages (no queries, no state)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboards import i18n
from dashboards.i18n import N_, _
from dashboards.words import exact_note, hidden_words
from dashboards.words import privacy_note as privacy_note_text


def suppressed_text(unit: str | None, reason: str | None = None) -> str:
    """What a suppressed value reads (``figures.hidden_words``): "Not shown (fewer than 5)" for a
    small count or a rate or median resting on one, "Not shown (protects another figure)" for a
    value hidden so that a small count elsewhere cannot be worked out. The same for every unit,
    so it is never read as a number, a percentage or a number of days."""
    del unit
    return hidden_words(reason)


def privacy_text(exact: bool) -> str:
    """The footnote for a role that sees exact values (``EXACT_NOTE``) or protected ones."""
    return exact_note() if exact else privacy_note_text()


def _flag(value: Any) -> bool:
    return bool(value) and not (not isinstance(value, str) and pd.isna(value))


def data_flags(row: Mapping[str, Any]) -> list[html.Span]:
    """Small labels saying what a value rests on, with the warehouse's reason as the tooltip:
    ``No data`` (no delivery at all), ``Incomplete · 92% of deliveries``, ``Partial`` (records
    start after the value's span does), ``Restated`` (a delivery was corrected). Empty when the
    value rests on every expected delivery."""
    note = row.get("coverage_note")
    note = "" if note is None or (not isinstance(note, str) and pd.isna(note)) else str(note)
    coverage = row.get("coverage_pct")
    flags = []
    if row.get("value") is None or pd.isna(row.get("value")):
        if note.startswith(("No delivery", "No data", "Not delivered")) and not _flag(
            row.get("suppressed")
        ):
            flags.append((_("No data"), "cp-flag-missing"))
    elif _flag(row.get("is_partial")):
        if coverage is not None and not pd.isna(coverage) and float(coverage) < 100:
            flags.append(
                (
                    _("Incomplete · {percent}% of deliveries").format(
                        percent=f"{float(coverage):.0f}"
                    ),
                    "cp-flag-partial",
                )
            )
        else:
            flags.append((_("Partial"), "cp-flag-partial"))
    if _flag(row.get("is_restated")):
        flags.append((_("Restated"), "cp-flag-restated"))
    return [html.Span(text, className=f"cp-flag {css}", title=note or None) for text, css in flags]


NOT_PUBLISHED = N_("No warehouse has been published yet. Run `cpmonitor run`.")
UNREADABLE = N_(
    "The published warehouse could not be read just now. Reload the page in a moment; if this "
    "persists, run `cpmonitor status`."
)


def not_published() -> html.Div:
    """The friendly message shown before the pipeline has published anything."""
    return html.Div(
        dbc.Alert(
            [
                html.H4(_("Nothing to show yet"), className="alert-heading"),
                dcc.Markdown(_(NOT_PUBLISHED), className="mb-0"),
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
            [
                html.H4(_("The data could not be read"), className="alert-heading"),
                html.P(_(UNREADABLE)),
            ],
            color="warning",
            className="mt-4",
        ),
        className="cp-message",
    )


def page_header(title: str, lead: str) -> html.Div:
    """Page title with a one-line explanation."""
    return html.Div([html.H1(title, className="cp-title"), html.P(lead, className="cp-lead")])


def card(children: Any) -> dbc.Card:
    """A white card around one chart or block, as tall as its row."""
    return dbc.Card(dbc.CardBody(children), class_name="cp-card h-100")


def place_options(places: pd.DataFrame, country: str, national: str) -> list[dict[str, str]]:
    """Options of a place picker: the nation (value ``national``), then the provinces of
    ``places`` (``geo_code``, ``geo_name``) in the order given."""
    label = _("National ({country})").format(country=country) if country else _("National")
    options = [{"label": label, "value": national}]
    return options + [
        {"label": name, "value": code}
        for code, name in zip(places["geo_code"], places["geo_name"], strict=True)
    ]


def breadcrumb(trail: list[tuple[str, str | None]], *, id_prefix: str) -> html.Nav:
    """A breadcrumb ``Country › Province › District``: each ``(label, href)`` of ``trail`` a link
    back up (``href`` None: not a link), the last one the current place, not a link. Ids:
    ``<id_prefix>-breadcrumb`` and ``<id_prefix>-crumb-<n>`` (0 = the first)."""
    items = []
    for index, (label, href) in enumerate(trail):
        last = index == len(trail) - 1
        crumb_id = f"{id_prefix}-crumb-{index}"
        if last or href is None:
            items.append(
                html.Li(
                    label,
                    id=crumb_id,
                    className="breadcrumb-item active" if last else "breadcrumb-item",
                    **({"aria-current": "page"} if last else {}),
                )
            )
        else:
            items.append(
                html.Li(dcc.Link(label, href=href, id=crumb_id), className="breadcrumb-item")
            )
    return html.Nav(
        html.Ol(items, className="breadcrumb mb-1", style={"--bs-breadcrumb-divider": "'›'"}),
        id=f"{id_prefix}-breadcrumb",
        className="cp-breadcrumb",
        **{"aria-label": _("Place")},
    )


def published_sentence(published: Any) -> str:
    """``Published 15 Jan 2019, 06:30 UTC.``, or nothing when the time is not known."""
    if published is None or is_missing(published):
        return ""
    return _("Published {when}.").format(when=format_timestamp(published))


def format_timestamp(value: Any) -> str:
    """``15 Jan 2019, 06:30 UTC`` for tz-aware stamps, ``15 Jan 2019, 06:30`` otherwise."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC")
    day = (
        stamp.strftime("%-d %b %Y")
        if i18n.current_language() == "en"
        else i18n.format_day(stamp.to_pydatetime())
    )
    return f"{day}, {stamp.strftime('%H:%M')}" + (" UTC" if stamp.tzinfo is not None else "")


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
            if shown is None or (not isinstance(shown, str | list) and is_missing(shown)):
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


def is_missing(value: Any) -> bool:
    """True for None and NaN/NaT (never for a string, a list or a component)."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


STATUS_BADGES = {
    "on_track": (N_("On track"), "cp-status-good"),
    "off_track": (N_("Off track"), "cp-status-bad"),
}


def status_badge(status: Any, text: str | None = None) -> html.Span | str:
    """A calm badge for ``on_track``/``off_track`` (from the warehouse); nothing otherwise."""
    if status not in STATUS_BADGES:
        return ""
    label, css = STATUS_BADGES[status]
    return html.Span(text or _(label), className=f"cp-status-badge {css}")


def progress_bar(progress: Any, status: Any) -> html.Div | str:
    """Share of the way from the baseline to the target (0-100 %, capped for drawing)."""
    if progress is None or is_missing(progress):
        return ""
    shown = max(0.0, min(100.0, float(progress)))
    css = "cp-bar-good" if status == "on_track" else "cp-bar-bad"
    return html.Div(
        [
            html.Div(
                html.Div(className=f"cp-bar-fill {css}", style={"width": f"{shown:.0f}%"}),
                className="cp-bar",
            ),
            html.Span(
                _("{percent}% of the way").format(percent=f"{float(progress):.0f}"),
                className="cp-bar-text",
            ),
        ],
        className="cp-progress",
        title=_("Share of the way from the baseline to the target"),
    )


def privacy_note(id_prefix: str, exact: bool) -> html.P:
    """The footnote shown under every view of indicator values (``privacy_text``)."""
    return html.P(privacy_text(exact), id=f"{id_prefix}-privacy", className="cp-source")
