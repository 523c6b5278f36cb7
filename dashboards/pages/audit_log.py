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
from dashboards.i18n import N_, _
from dashboards.pages import Route

ROUTE = Route(path="/audit-log", title=N_("Audit log"), nav_label=N_("Audit log"), order=5)
LEAD = N_(
    "Every sign-in, failed sign-in, sign-out, page view and refusal, newest first. The log is "
    "append-only: no one can change or delete a line of it, from here or from the command line."
)
SHOWN = 500
EVENT_WORDS = {
    "sign_in": N_("Signed in"),
    "sign_in_failed": N_("Sign-in failed"),
    "sign_in_rate_limited": N_("Sign-in refused (too many attempts)"),
    "sign_out": N_("Signed out"),
    "page_view": N_("Opened a page"),
    "access_denied": N_("Refused a page"),
    "user_added": N_("User added"),
    "user_removed": N_("User removed"),
    "role_changed": N_("Role changed"),
    "password_changed": N_("Password changed"),
    "annotation_added": N_("Note added"),
    "annotation_deleted": N_("Note deleted"),
}
COLUMNS = {
    "when": N_("When (UTC)"),
    "event": N_("Event"),
    "username": N_("User"),
    "role": N_("Role"),
    "address": N_("Address"),
    "detail": N_("Detail"),
}


def layout(**_query: Any) -> html.Div:
    """The latest ``SHOWN`` lines of the audit log; refused for a role without ``audit_log``."""
    if not current_role().may("audit_log"):  # the router refuses it first; this holds anyway
        return html.Div(
            page_header(
                _("You do not have access to this page"), _("Only administrators read it.")
            ),
            id="audit-log-refused",
        )
    events = users.read_events(current_settings(), limit=SHOWN)
    frame = pd.DataFrame(
        [
            {
                "when": event.when.strftime("%d %b %Y, %H:%M:%S"),
                "event": _(EVENT_WORDS[event.event]) if event.event in EVENT_WORDS else event.event,
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
        html.P(_("Nothing has been logged yet."), className="cp-empty")
        if frame.empty
        else data_table(
            frame, {key: _(label) for key, label in COLUMNS.items()}, id_prefix="audit-log"
        )
    )
    return html.Div(
        [
            page_header(_(ROUTE.title), _(LEAD)),
            html.P(_("The latest {n} lines are shown.").format(n=SHOWN), className="cp-source"),
            body,
        ],
        id="audit-log",
    )
