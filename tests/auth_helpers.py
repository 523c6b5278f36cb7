"""Signing in from tests: ``client_for(app, role)`` gives a Flask test client signed in through the
real form (CSRF token and all) and the headers a Dash callback POST needs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import dash
import flask
from flask.testing import FlaskClient

from cpmonitor.core import users
from cpmonitor.core.access import load_access
from dashboards.context import ROLE_KEY, SETTINGS_KEY

PASSWORD = "test-password-1"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from_form(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "no csrf_token in the form"
    return match.group(1)


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD, **kwargs):
    """Post the sign-in form as a browser would (GET it first for its CSRF token)."""
    form = client.get("/login", **kwargs)
    token = csrf_from_form(form.get_data(as_text=True))
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
        **kwargs,
    )


def dash_headers(client: FlaskClient) -> dict[str, str]:
    """Headers of a Dash callback POST: the CSRF token from the ``_csrf_token`` cookie."""
    cookie = client.get_cookie("_csrf_token")
    assert cookie is not None, "no _csrf_token cookie: not signed in?"
    return {"X-CSRFToken": cookie.value, "Content-Type": "application/json"}


def client_for(app: dash.Dash, role: str, username: str | None = None) -> tuple[FlaskClient, dict]:
    """A test client signed in as a (new) user holding ``role``, and the headers for Dash POSTs."""
    settings = app.server.config["CPMONITOR_SETTINGS"]
    name = username or f"test-{role}"
    if users.get_user(settings, name) is None:
        users.add_user(settings, name, role, PASSWORD)
    client = app.server.test_client()
    response = sign_in(client, name)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    client.get("/")  # the page load that sets the _csrf_token cookie
    return client, dash_headers(client)


# --- a role for in-process page and callback calls -----------------------------------------------

POLICY = load_access()
PLANNER = POLICY.role("planner")
DONOR = POLICY.role("donor")


@contextmanager
def as_role(app: dash.Dash, role: str = "planner", path: str = "/") -> Iterator[None]:
    """A request context of ``app`` in which ``role`` is signed in (``flask.g``, as the sign-in
    layer sets it), so pages and callbacks can be called directly."""
    with app.server.test_request_context(path):
        setattr(flask.g, ROLE_KEY, load_access(app.server.config[SETTINGS_KEY]).role(role))
        yield
