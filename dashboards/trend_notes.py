"""Notes on the indicator page's trend: drawn on the chart, listed under it, written and deleted there.

The notes are kept by ``cpmonitor.core.annotations`` (the installation's access database, never the
published warehouse), which also decides which role sees which note on which trend. Here:

- ``with_notes`` adds them to the trend block of the indicator page: a dotted vertical line and a
  numbered label per period (hover: ``text — author, date``), the numbered list under the chart and,
  for a role holding ``annotate``, a small form (period of this trend, text, Save);
- ``update_notes`` (a Dash callback, so its POST carries the CSRF token like every other callback:
  ``dashboards.security``) saves or deletes a note after checking again on the server the role's
  power, the author, the indicator, the place and that the period is one of the trend's, writes
  ``annotation_added`` / ``annotation_deleted`` to the audit log and redraws the chart and list.

Note text is always passed as text: Dash escapes it in the list, and ``annotations.plain`` escapes it
in Plotly's labels and hover text (which would otherwise read a few HTML tags).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from typing import Any

import dash
import dash_bootstrap_components as dbc
import flask
import pandas as pd
import plotly.graph_objects as go
from dash import ALL, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from cpmonitor.core import annotations
from cpmonitor.core.access import Role
from cpmonitor.core.settings import Settings
from dashboards import i18n, queries
from dashboards.context import SETTINGS_KEY, current_role, current_settings, from_warehouse
from dashboards.i18n import N_, _
from dashboards.security import audit, signed_in_user

LOG = logging.getLogger(__name__)
GRAPH_ID = "indicator-trend-graph"
LIST_ID = "indicator-notes"
FORM_ID = "indicator-note-form"
PERIOD_ID = "indicator-note-period"
TEXT_ID = "indicator-note-text"
SAVE_ID = "indicator-note-save"
MESSAGE_ID = "indicator-note-message"
DELETE_TYPE = "indicator-note-delete"
NAME_PREFIX = "cp-note-"  # names of the shapes and labels drawn for notes
COLOUR = "#6b4fa0"
PLACEHOLDER = N_("e.g. New gatekeeping policy")


def _level(geo: str) -> str:
    """The indicator page shows the nation or a province (its place picker has nothing else)."""
    return "national" if geo == queries.NATIONAL else "province"


def notes_for(settings: Settings, code: str, geo: str, period_type: str, role: Role) -> list:
    """The notes ``role`` sees on this trend; none when the access database cannot be read."""
    try:
        return annotations.for_view(
            settings,
            role,
            indicator_code=code,
            geo_code=geo,
            geo_level=_level(geo),
            period_type=period_type,
        )
    except sqlite3.Error:
        LOG.exception("the notes could not be read")
        return []


def _x(shown: annotations.Shown) -> pd.Timestamp:
    """Where the trend draws the period: a month at its end, a quarter or year in its middle."""
    return pd.Timestamp(shown.end if shown.period_type == "month" else shown.middle)


def in_span(shown: Sequence[annotations.Shown], fig: go.Figure) -> list[annotations.Shown]:
    """The notes that fall within the periods the trend draws (its first trace, the series, from
    its first to its last point): a trend cut to a range of periods keeps only the notes on it."""
    xs = pd.to_datetime(pd.Series(fig.data[0].x if fig.data else []), errors="coerce").dropna()
    if xs.empty:
        return []
    first, last = xs.min().normalize(), xs.max().normalize()
    return [note for note in shown if first <= _x(note) <= last]


def draw_notes(fig: go.Figure, shown: Sequence[annotations.Shown]) -> go.Figure:
    """``fig`` with its old note marks removed and one dotted line and numbered label per period
    of ``shown`` (numbers as in the list under the chart)."""
    fig.layout.shapes = [
        s for s in fig.layout.shapes or () if not str(s.name or "").startswith(NAME_PREFIX)
    ]
    fig.layout.annotations = [
        a for a in fig.layout.annotations or () if not str(a.name or "").startswith(NAME_PREFIX)
    ]
    if not shown or not fig.data:  # nothing to mark, or an empty chart without a time axis
        return fig
    groups: dict[str, list[tuple[int, annotations.Shown]]] = {}
    for number, note in enumerate(shown, start=1):
        groups.setdefault(note.period_id, []).append((number, note))
    for period_id, items in groups.items():
        x = _x(items[0][1])
        fig.add_shape(
            type="line",
            xref="x",
            yref="paper",
            x0=x,
            x1=x,
            y0=0,
            y1=1,
            line={"color": COLOUR, "width": 1.5, "dash": "dot"},
            layer="below",
            name=f"{NAME_PREFIX}{period_id}",
        )
        fig.add_annotation(
            x=x,
            xref="x",
            y=1,
            yref="paper",
            yanchor="bottom",
            showarrow=False,
            text="✎ " + ", ".join(str(number) for number, _note in items),
            hovertext="<br>".join(
                annotations.plain(f"{number}. {note.label}: {note.hover()}")
                for number, note in items
            ),
            font={"size": 12, "color": COLOUR},
            bgcolor="white",
            name=f"{NAME_PREFIX}{period_id}",
        )
    return fig


def notes_list(shown: Sequence[annotations.Shown], role: Role, username: str | None) -> Any:
    """The numbered list under the chart; a Delete button on the notes this user may delete."""
    writer = role.may(annotations.ANNOTATE) and username is not None
    if not shown:
        return html.P(
            _("No notes on this trend yet.") if writer else "",
            className="cp-empty small mb-0",
            id="indicator-notes-empty",
        )
    items = []
    for number, note in enumerate(shown, start=1):
        stored = note.annotation
        parts: list[Any] = [
            html.Span(f"{note.label}: ", className="fw-semibold"),
            html.Span(stored.text, className="cp-note-text"),
            html.Span(
                f" — {stored.author}, {stored.when.strftime('%-d %b %Y')}",
                className="text-muted",
            ),
        ]
        if writer and annotations.may_delete(stored, username, role):
            parts.append(
                dbc.Button(
                    _("Delete"),
                    id={"type": DELETE_TYPE, "id": stored.id},
                    color="link",
                    size="sm",
                    class_name="p-0 ms-2 align-baseline",
                    title=_("Delete note {number}").format(number=number),
                )
            )
        items.append(html.Li(parts, value=number))
    return html.Ol(items, className="cp-notes small mb-0 ps-3", id="indicator-notes-list")


def note_form(series: pd.DataFrame) -> html.Div:
    """Period (one of the trend's, latest first), text and Save."""
    rows = series[["period_id", "period_label"]].drop_duplicates().iloc[::-1]
    options = [
        {"label": str(label), "value": str(pid)}
        for pid, label in zip(rows["period_id"], rows["period_label"], strict=True)
    ]
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(_("Period"), html_for=PERIOD_ID, className="cp-label"),
                            dbc.Select(
                                id=PERIOD_ID,
                                options=options,
                                value=options[0]["value"] if options else None,
                                size="sm",
                            ),
                        ],
                        xs=12,
                        sm=3,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(_("Note"), html_for=TEXT_ID, className="cp-label"),
                            dbc.Input(
                                id=TEXT_ID,
                                type="text",
                                maxLength=annotations.TEXT_MAX,
                                placeholder=_(PLACEHOLDER),
                                size="sm",
                                debounce=False,
                            ),
                        ],
                        xs=12,
                        sm=7,
                    ),
                    dbc.Col(
                        dbc.Button(_("Save note"), id=SAVE_ID, color="primary", size="sm"),
                        xs=12,
                        sm=2,
                        class_name="d-flex align-items-end",
                    ),
                ],
                class_name="g-2",
            ),
            html.Div(id=MESSAGE_ID, className="small text-muted mt-1", role="status"),
        ],
        id=FORM_ID,
        className="mt-2",
    )


def _viewer() -> tuple[Settings, str | None] | None:
    """The installation and signed-in user of the current request (None outside one)."""
    if not flask.has_request_context() or SETTINGS_KEY not in flask.current_app.config:
        return None
    user = signed_in_user()
    return current_settings(), user.username if user else None


def with_notes(
    trend: list[Any], series: pd.DataFrame, code: str, geo: str, period_type: str, *, role: Role
) -> list[Any]:
    """The indicator page's trend block (headline, graph) with the notes this request's role sees
    drawn on the graph and listed under it, and the form for a role holding ``annotate``.
    Unchanged outside a request (content built in tests without a server)."""
    viewer = _viewer()
    if viewer is None:
        return trend
    settings, username = viewer
    shown = notes_for(settings, code, geo, period_type, role)
    for part in trend:
        if isinstance(part, dcc.Graph) and getattr(part, "id", None) == GRAPH_ID:
            shown = in_span(shown, part.figure)
            draw_notes(part.figure, shown)
    section: list[Any] = [html.Div(notes_list(shown, role, username), id=LIST_ID)]
    if role.may(annotations.ANNOTATE) and username is not None and not series.empty:
        section.append(note_form(series))
    if not shown and len(section) == 1:
        return trend
    return [
        *trend,
        html.Div([html.Div(_("Notes"), className="cp-label"), *section], className="mt-2"),
    ]


def register_callbacks(app: dash.Dash) -> None:
    app.callback(
        Output(GRAPH_ID, "figure"),
        Output(LIST_ID, "children"),
        Output(TEXT_ID, "value"),
        Output(MESSAGE_ID, "children"),
        Input(SAVE_ID, "n_clicks"),
        Input(TEXT_ID, "n_submit"),
        Input({"type": DELETE_TYPE, "id": ALL}, "n_clicks"),
        State("indicator-code", "value"),
        State("indicator-geo", "value"),
        State("indicator-period", "value"),
        State(PERIOD_ID, "value"),
        State(TEXT_ID, "value"),
        State(GRAPH_ID, "figure"),
        prevent_initial_call=True,
    )(update_notes)


def update_notes(
    _save: Any,
    _submit: Any,
    _deletes: Any,
    code: str | None,
    geo: str | None,
    period_type: str | None,
    period_id: str | None,
    text: str | None,
    figure: dict | None,
) -> tuple:
    """Callback: save (Save or Enter) or delete (a Delete button) a note, then redraw."""
    if not any(item.get("value") for item in dash.ctx.triggered):
        raise PreventUpdate  # a Delete button drawn just now, not clicked
    trigger = dash.ctx.triggered_id
    role = current_role()
    user = signed_in_user()
    if not role.may(annotations.ANNOTATE) or not role.may_open(annotations.PAGE) or user is None:
        audit("access_denied", "notes")
        return no_update, no_update, no_update, _("Your role may not write notes.")
    return from_warehouse(
        lambda warehouse: _change(
            warehouse,
            role,
            user.username,
            trigger,
            code or "",
            geo or queries.NATIONAL,
            period_type,
            period_id,
            text,
            figure,
        ),
        otherwise=lambda _message, reason: (no_update, no_update, no_update, reason),
    )


def _change(
    warehouse: Any,
    role: Role,
    username: str,
    trigger: Any,
    code: str,
    geo: str,
    period_type: str | None,
    period_id: str | None,
    text: str | None,
    figure: dict | None,
) -> tuple:
    settings = current_settings()
    refused = (no_update, no_update, no_update)
    if not queries.indicator(warehouse, code):
        return *refused, _("Choose an indicator first.")
    if geo != queries.NATIONAL and geo not in set(queries.provinces(warehouse)["geo_code"]):
        return *refused, _("Choose a place first.")
    available = queries.period_types(warehouse, code, role=role)
    if period_type not in available:
        return *refused, _("Choose how to show the trend first.")
    clear: Any = no_update
    if isinstance(trigger, dict):
        try:
            note = annotations.delete_annotation(
                settings, int(trigger.get("id", 0)), username=username, role=role
            )
        except annotations.AnnotationRefused:
            audit("access_denied", f"delete note {trigger.get('id')}")
            return *refused, _("Only its author or an admin may delete a note.")
        except (annotations.AnnotationError, ValueError, TypeError):
            return *refused, _("That note is no longer there.")
        audit("annotation_deleted", _detail(note))
        message = _("Note deleted.")
    else:
        series = queries.indicator_series(warehouse, code, geo, period_type, role=role)
        if period_id not in set(series["period_id"]):
            return *refused, _("Pick one of the periods of this trend.")
        try:
            note = annotations.add_annotation(
                settings,
                indicator_code=code,
                geo_code=geo,
                period_id=str(period_id),
                text=text or "",
                author=username,
                role=role,
            )
        except annotations.AnnotationError as exc:
            return *refused, _("Not saved: {reason}.").format(reason=_refusal(exc))
        audit("annotation_added", _detail(note))
        message, clear = _("Note saved."), ""
    shown = notes_for(settings, code, geo, period_type, role)
    drawn: Any = no_update
    if figure:
        drawn = go.Figure(figure, skip_invalid=True)
        shown = in_span(shown, drawn)
        draw_notes(drawn, shown)
    return drawn, notes_list(shown, role, username), clear, message


def _detail(note: annotations.Annotation) -> str:
    place = note.geo_code or queries.NATIONAL
    return f"note {note.id} on {note.indicator_code} {place} {note.period_id}"


def _refusal(error: Exception) -> str:
    """Why a note was not saved, in the request's language (the core's words are English)."""
    text = str(error)
    if i18n.current_language() == i18n.DEFAULT_LANGUAGE:
        return text
    if text == "write a note first":
        return _("write a note first")
    if text.startswith("a note has at most"):
        return _("a note has at most {limit} characters").format(limit=annotations.TEXT_MAX)
    return text
