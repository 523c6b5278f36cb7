"""App factory: ``create_app(settings)`` builds the Dash app for one installation.

Settings travel on the Flask server's config and are read per request (``dashboards.context``), so
two apps in one process never share state. Callbacks are registered on the app object, not the
global ``dash.callback`` list, for the same reason; the modules under ``pages/`` only register
routes and are never imported by anything but Dash. Everything is served
locally: Dash's own scripts, a vendored Bootstrap stylesheet and our CSS from ``assets/``.
"""

from __future__ import annotations

from pathlib import Path

import dash
import dash_bootstrap_components as dbc
import duckdb
from dash import html

from cpmonitor.core.settings import Settings
from dashboards import care, indicator, queries, scorecard
from dashboards.context import SETTINGS_KEY, current_warehouse

PRODUCT_NAME = "Child Protection Monitor"
PACKAGE_DIR = Path(__file__).resolve().parent
PAGES_DIR = PACKAGE_DIR / "pages"
ASSETS_DIR = PACKAGE_DIR / "assets"


def navbar(country: str) -> dbc.Navbar:
    """Top bar: product name, country, links to the pages."""
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
                        dbc.NavItem(dbc.NavLink("Care reform", href="/", active="exact")),
                        dbc.NavItem(dbc.NavLink("Scorecard", href="/scorecard", active="exact")),
                        dbc.NavItem(dbc.NavLink("Indicators", href="/indicator", active="exact")),
                        dbc.NavItem(
                            dbc.NavLink("Data quality", href="/data-quality", active="exact")
                        ),
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
    """Shell around every page, read fresh on each page load."""
    warehouse = current_warehouse()
    country = ""
    if queries.warehouse_exists(warehouse):
        try:
            country = queries.country_name(warehouse)
        except duckdb.Error:
            country = ""
    return html.Div(
        [
            navbar(country),
            dbc.Container(dash.page_container, fluid=True, class_name="cp-container cp-page"),
        ]
    )


def create_app(settings: Settings) -> dash.Dash:
    """Build the dashboard for ``settings`` (reads ``settings.warehouse_file`` read-only)."""
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(PAGES_DIR),
        assets_folder=str(ASSETS_DIR),
        serve_locally=True,
        title=PRODUCT_NAME,
        update_title=None,
        suppress_callback_exceptions=True,
    )
    app.server.config[SETTINGS_KEY] = settings
    app.layout = app_layout
    care.register_callbacks(app)
    scorecard.register_callbacks(app)
    indicator.register_callbacks(app)
    return app
