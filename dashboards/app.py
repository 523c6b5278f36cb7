"""App factory: ``create_app(settings)`` builds the Dash app for one installation.

Settings travel on the Flask server's config and are read per request (``dashboards.context``), so
two apps in one process never share state. For the same reason the pages come from the project's
own registry (``dashboards.pages.discover_pages``: one module per page, nothing registered on
import) rather than Dash's process-global one, the router and every page's callbacks are
registered on the app object, not the global ``dash.callback`` list, and the navbar is built from
the pages (their labels, in their order). Everything is served locally: Dash's own scripts, a
vendored Bootstrap stylesheet and our CSS from ``assets/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import dash
import dash_bootstrap_components as dbc
import flask
from dash import Input, Output, dcc, html

from cpmonitor.core.settings import Settings
from dashboards import queries
from dashboards.components import page_header
from dashboards.context import SETTINGS_KEY, from_warehouse
from dashboards.pages import Page, discover_pages, page_at

PRODUCT_NAME = "Child Protection Monitor"
PACKAGE_DIR = Path(__file__).resolve().parent
ASSETS_DIR = PACKAGE_DIR / "assets"
PAGES_KEY = "CPMONITOR_PAGES"
LOCATION_ID = "cp-location"
CONTENT_ID = "cp-page-content"
TITLE_ID = "cp-page-title"
TITLE_SINK_ID = "cp-page-title-sink"


def page_title(page: Page | None) -> str:
    """The browser tab's title: ``Scorecard · Child Protection Monitor``."""
    return f"{page.route.title} · {PRODUCT_NAME}" if page else PRODUCT_NAME


def app_pages(app: dash.Dash) -> tuple[Page, ...]:
    """The pages ``app`` serves, in navbar order."""
    return app.server.config[PAGES_KEY]


def navbar(country: str, pages: tuple[Page, ...]) -> dbc.Navbar:
    """Top bar: product name, country, a link to each page (labels and order from the pages)."""
    return dbc.Navbar(
        dbc.Container(
            [
                html.Div(
                    [
                        dbc.NavbarBrand(PRODUCT_NAME, href="/", class_name="cp-brand"),
                        html.Span(country, id="app-country", className="cp-country"),
                    ],
                    className="d-flex align-items-baseline",
                ),
                dbc.Nav(
                    [
                        dbc.NavItem(
                            dbc.NavLink(page.route.nav_label, href=page.path, active="exact")
                        )
                        for page in pages
                    ],
                    navbar=True,
                    class_name="ms-auto",
                ),
            ],
            fluid=True,
            class_name="cp-container",
        ),
        color="white",
        class_name="cp-navbar",
    )


def app_layout() -> html.Div:
    """Shell around every page, read fresh on each page load: the navbar and the page container
    (the location, the page's content, filled by ``route``, and its title)."""
    country = from_warehouse(queries.country_name, otherwise=lambda _message, _reason: "")
    return html.Div(
        [
            navbar(country, flask.current_app.config[PAGES_KEY]),
            dbc.Container(
                html.Div(
                    [
                        dcc.Location(id=LOCATION_ID, refresh="callback-nav"),
                        html.Div(id=CONTENT_ID, disable_n_clicks=True),
                        dcc.Store(id=TITLE_ID),
                        html.Div(id=TITLE_SINK_ID, hidden=True),
                    ]
                ),
                fluid=True,
                class_name="cp-container cp-page",
            ),
        ]
    )


def query_parameters(search: str | None) -> dict[str, str]:
    """``?code=AC06&geo=01`` as ``{"code": "AC06", "geo": "01"}``: always strings, the first
    value of a repeated name kept, blank values left out."""
    params: dict[str, str] = {}
    for name, value in parse_qsl((search or "").removeprefix("?")):
        params.setdefault(name, value)
    return params


def not_found() -> html.Div:
    """Shown for a path no page has."""
    return html.Div(
        [
            page_header("Page not found", "There is no page at this address."),
            dcc.Link("Go to the first page", href="/"),
        ],
        id="page-not-found",
    )


def render_path(app: dash.Dash, pathname: str | None, search: str | None) -> tuple[Any, str]:
    """What the page container shows at ``pathname``: the page's layout called with the query
    parameters (or "Page not found"), and the browser tab's title."""
    page = page_at(app_pages(app), app.strip_relative_path(pathname or "/"))
    if page is None:
        return not_found(), PRODUCT_NAME
    return page.layout(**query_parameters(search)), page_title(page)


def register_router(app: dash.Dash) -> None:
    """Fill the page container from the URL (``render_path``) and set the tab's title."""

    def route(pathname: str | None, search: str | None) -> tuple[Any, str]:
        return render_path(app, pathname, search)

    app.callback(
        Output(CONTENT_ID, "children"),
        Output(TITLE_ID, "data"),
        Input(LOCATION_ID, "pathname"),
        Input(LOCATION_ID, "search"),
        prevent_initial_call=True,  # the location fires on mount with the browser's URL
    )(route)
    app.clientside_callback(
        "function (title) { if (title) { document.title = title; } return ''; }",
        Output(TITLE_SINK_ID, "children"),
        Input(TITLE_ID, "data"),
    )


def create_app(settings: Settings) -> dash.Dash:
    """Build the dashboard for ``settings`` (reads ``settings.warehouse_file`` read-only)."""
    pages = discover_pages()
    app = dash.Dash(
        __name__,
        use_pages=False,
        assets_folder=str(ASSETS_DIR),
        serve_locally=True,
        title=PRODUCT_NAME,
        update_title=None,
        suppress_callback_exceptions=True,
    )
    app.server.config[SETTINGS_KEY] = settings
    app.server.config[PAGES_KEY] = pages
    app.layout = app_layout
    register_router(app)
    for page in pages:
        if page.register_callbacks is not None:
            page.register_callbacks(app)
    return app
