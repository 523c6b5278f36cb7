"""Plumbing shared by the headless-Chromium tests (``tests/integration/test_dashboard_*.py``).

``serving(app)`` puts a Dash app on a free localhost port (``serving_fixture`` the app over the
fixture warehouse, with the users who may sign in); ``launch_chromium()`` launches Debian's
Chromium through playwright; ``signed_in_page`` opens a browser context of its own and signs in
through the real form; ``watch`` / ``open_page`` record a page's console errors and every host it
requests (``LOCAL_HOSTS`` are the only ones allowed); ``save`` keeps a screenshot in pytest's tmp dir
and also in ``$CPMONITOR_SCREENSHOT_DIR`` when that is set. A test module sets
``pytestmark = BROWSER_MARKS``: it is skipped without Chromium or the playwright package, which is
imported only inside these helpers, so collecting the unit tests never needs it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from cpmonitor.core.settings import CHROMIUM, CHROMIUM_ARGS

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
VIEWPORT = {"width": 1400, "height": 1100}  # a laptop's screen, the default of signed_in_page

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium"
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None, reason="needs the playwright package"
    ),
]


@contextmanager
def serving(app) -> Iterator[str]:
    """``app`` on a free localhost port, served by werkzeug in a background thread; yields its
    base URL and shuts the server down afterwards."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@contextmanager
def serving_fixture(
    data_dir: Path, accounts: Iterable[tuple[str, str, str]], *, small_count: bool = False
) -> Iterator[tuple[str, Any]]:
    """The app over ``warehouse_fixture.py``'s warehouse in ``data_dir``, served as ``serving``
    does: yields ``(url, settings)``. ``accounts`` are the ``(username, role, password)`` that may
    sign in; ``small_count=True`` first adds ``add_small_count`` (SS08 2018 in Southhill rests on 3
    children, protected again as the pipeline would)."""
    from warehouse_fixture import add_small_count, build_fixture_warehouse

    from cpmonitor.core import users
    from cpmonitor.core.settings import Settings
    from dashboards.app import create_app

    settings = Settings.from_env(data_dir)
    build_fixture_warehouse(settings.warehouse_file)
    if small_count:
        import duckdb

        with duckdb.connect(str(settings.warehouse_file)) as con:
            add_small_count(con)
    for username, role, password in accounts:
        users.add_user(settings, username, role, password)
    with serving(create_app(settings)) as url:
        yield url, settings


@contextmanager
def launch_chromium() -> Iterator[Any]:
    """A headless Chromium (``CHROMIUM`` started with ``CHROMIUM_ARGS``), closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def watch(page) -> tuple[list[str], list[str]]:
    """Record ``page``'s console errors and every host it requests (lists filled as it runs)."""
    errors: list[str] = []
    hosts: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda req: hosts.append(urlparse(req.url).hostname or req.url))
    return errors, hosts


def open_page(context, url: str) -> tuple[Any, list[str], list[str]]:
    """A fresh page of ``context`` (signed in) at ``url``, watched as ``watch`` does; it must not
    have been sent to the sign-in form."""
    page = context.new_page()
    errors, hosts = watch(page)
    page.goto(url)
    assert "/login" not in page.url, page.url
    return page, errors, hosts


def sign_in(page, url: str, username: str, password: str) -> None:
    """Open ``url``: the server sends the browser to the sign-in form (or ``url`` is the form),
    which signs ``username`` in and brings it back."""
    page.goto(url)
    assert "/login" in page.url, page.url
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("#login-submit")
    assert "/login" not in page.url, f"{username} could not sign in: {page.url}"


def signed_in_page(
    browser,
    url: str,
    username: str,
    password: str,
    *,
    viewport: dict[str, int] | None = VIEWPORT,
    **context_options: Any,
) -> tuple[Any, Any, list[str], list[str]]:
    """A browser context of its own (its own cookies; ``viewport=None`` for playwright's default
    size, other options go to ``new_context``) and a watched page in it, signed in as ``username``
    through the real form at ``url``: ``(context, page, errors, hosts)``. Sign-in is rate-limited
    to 5 a minute per address, so a module signs each user in once or a few times."""
    if viewport is not None:
        context_options["viewport"] = viewport
    context = browser.new_context(**context_options)
    page = context.new_page()
    errors, hosts = watch(page)
    sign_in(page, url, username, password)
    return context, page, errors, hosts


def keep(path: Path) -> None:
    """Copy ``path`` (a screenshot, a PDF) to ``$CPMONITOR_SCREENSHOT_DIR`` when that is set."""
    extra = os.environ.get("CPMONITOR_SCREENSHOT_DIR")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(extra) / path.name)


def save(page, tmp_path: Path, name: str, *, full_page: bool = True) -> Path:
    """A screenshot of ``page`` (the whole page unless ``full_page=False``) as ``tmp_path/name``,
    kept as ``keep`` does; returns its path."""
    target = tmp_path / name
    page.screenshot(path=str(target), full_page=full_page)
    keep(target)
    return target
