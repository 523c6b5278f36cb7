"""Which installation the current request belongs to, and reading its warehouse safely.

``create_app`` stores its ``Settings`` on the Flask server's config; pages and callbacks read them per
request, so two apps in one process never share state. Every page layout and callback reads the
published warehouse through ``from_warehouse``, which turns "nothing published yet" and a failed
query into the same calm messages on every page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import flask
from dash import html

from cpmonitor.core.access import AccessPolicy, Role
from cpmonitor.core.settings import Settings
from dashboards import queries
from dashboards.components import not_published, unreadable
from dashboards.words import POLICY_KEY

SETTINGS_KEY = "CPMONITOR_SETTINGS"
ROLE_KEY = "cp_role"
"""``flask.g`` attribute holding the ``Role`` of the current request: set by the sign-in layer before
any page or callback runs (the signed-in user's role, or the public role when the public view is on
and nobody is signed in); nothing is served without it."""
NOT_PUBLISHED_SHORT = "No warehouse has been published yet"
UNREADABLE_SHORT = "The data could not be read"

T = TypeVar("T")


def current_settings() -> Settings:
    """Settings of the app serving the current request."""
    return flask.current_app.config[SETTINGS_KEY]


class NoRoleError(PermissionError):
    """A page or callback ran without a signed-in role: nothing may be read."""


def current_role() -> Role:
    """The role of the current request (see ``ROLE_KEY``); ``NoRoleError`` when there is none."""
    role = flask.g.get(ROLE_KEY)
    if not isinstance(role, Role):
        raise NoRoleError("no signed-in role for this request")
    return role


def current_policy() -> AccessPolicy:
    """The access policy of the app serving the current request."""
    return flask.current_app.config[POLICY_KEY]


def hide_below(role: Role) -> int | None:
    """The disclosure threshold when ``role`` is protected (counts below it are not shown in free
    text such as check details), None for a role that sees exact values."""
    return None if role.exact else current_policy().threshold


def current_warehouse() -> Path:
    """The published warehouse of the app serving the current request."""
    return current_settings().warehouse_file


def from_warehouse(
    build: Callable[[Path], T],
    *,
    otherwise: Callable[[html.Div, str], Any] | None = None,
    warehouse: Path | None = None,
) -> Any:
    """``build(warehouse)`` on the current request's published warehouse (or ``warehouse``).

    When nothing is published yet, or a query fails (the error goes to the server log), the result
    is the calm message (``not_published()`` or ``unreadable(...)``) instead, or, for a callback
    with more outputs than one component, ``otherwise(message, short_reason)``.
    """
    warehouse = current_warehouse() if warehouse is None else warehouse
    try:
        if not queries.warehouse_exists(warehouse):
            raise queries.WarehouseNotPublishedError(str(warehouse))
        return build(warehouse)
    except queries.WarehouseNotPublishedError:
        message, reason = not_published(), NOT_PUBLISHED_SHORT
    except duckdb.Error as exc:
        message, reason = unreadable(exc), UNREADABLE_SHORT
    return message if otherwise is None else otherwise(message, reason)
