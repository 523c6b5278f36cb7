"""Audit log page (``/audit-log``), for the roles that hold ``audit_log`` (admins): who signed in,
who failed to, who opened which page and who was refused one, newest first. It reads the
append-only log of ``cpmonitor.core.users`` (``<data dir>/state/access.sqlite``), not the
warehouse."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import html

from cpmonitor.core import users
from dashboards.components import data_table, page_header
from dashboards.context import current_role, current_settings
from dashboards.pages import Route

ROUTE = Route(path="/audit-log", title="Audit log", nav_label="Audit log", order=5)
LEAD = (
    "Every sign-in, failed sign-in, sign-out, page view and refusal, newest first. The log is "
    "append-only: no one can change or delete a line of it, from here or from the command line."
)
SHOWN = 500
EVENT_WORDS = {
    "sign_in": "Signed in",
    "sign_in_failed": "Sign-in failed",
    "sign_in_rate_limited": "Sign-in refused (too many attempts)",
    "sign_out": "Signed out",
    "page_view": "Opened a page",
    "access_denied": "Refused a page",
    "user_added": "User added",
    "user_removed": "User removed",
    "role_changed": "Role changed",
    "password_changed": "Password changed",
    "annotation_added": "Note added",
    "annotation_deleted": "Note deleted",
}
COLUMNS = {
    "when": "When (UTC)",
    "event": "Event",
    "username": "User",
    "role": "Role",
    "address": "Address",
    "detail": "Detail",
}


def layout(**_query: Any) -> html.Div:
    """The latest ``SHOWN`` lines of the audit log; refused for a role without ``audit_log``."""
    if not current_role().may("audit_log"):  # the router refuses it first; this holds anyway
        return html.Div(
            page_header("You do not have access to this page", "Only administrators read it."),
            id="audit-log-refused",
        )
    events = users.read_events(current_settings(), limit=SHOWN)
    frame = pd.DataFrame(
        [
            {
                "when": event.when.strftime("%d %b %Y, %H:%M:%S"),
                "event": EVENT_WORDS.get(event.event, event.event),
                "username": event.username or "—",
                "role": event.role or "—",
                "address": event.address or "—",
                "detail": event.detail or "",
            }
            for event in reversed(events)
        ],
        columns=list(COLUMNS),
    )
    body: Any = (
        html.P("Nothing has been logged yet.", className="cp-empty")
        if frame.empty
        else data_table(frame, COLUMNS, id_prefix="audit-log")
    )
    return html.Div(
        [
            page_header("Audit log", LEAD),
            html.P(f"The latest {SHOWN} lines are shown.", className="cp-source"),
            body,
        ],
        id="audit-log",
    )
