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

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import dash
import dash_bootstrap_components as dbc
import flask
from dash import Input, Output, State, dcc, html

from cpmonitor.core.access import Role
from cpmonitor.core.settings import Settings
from dashboards import i18n, queries
from dashboards.components import page_header
from dashboards.context import ROLE_KEY, SETTINGS_KEY, current_role, from_warehouse
from dashboards.downloads import register_downloads
from dashboards.i18n import N_, _
from dashboards.pages import Page, discover_pages, page_at
from dashboards.security import audit, install_security, signed_in_user
from dashboards.urlstate import query_parameters

PRODUCT_NAME = N_("Child Protection Monitor")
PACKAGE_DIR = Path(__file__).resolve().parent
ASSETS_DIR = PACKAGE_DIR / "assets"
PAGES_KEY = "CPMONITOR_PAGES"
LOCATION_ID = "cp-location"
CONTENT_ID = "cp-page-content"
TITLE_ID = "cp-page-title"
TITLE_SINK_ID = "cp-page-title-sink"
NO_ACCESS = N_("You do not have access to this page")
NAV_TOGGLER_ID = "cp-nav-toggler"
NAV_COLLAPSE_ID = "cp-nav-collapse"
NAV_EXPAND = "xxl"  # the navbar folds below Bootstrap's xxl breakpoint (1400 px): 8 links fit
MAIN_ID = "cp-main"
SKIP_LINK = N_("Skip to content")
# The role labels of the shipped access.yml, for the catalogue (an installation's own labels show
# as written there).
ROLE_LABELS = (
    N_("Administrator"),
    N_("Ministry planner"),
    N_("Analyst"),
    N_("Donor"),
    N_("Public"),
)
LANGUAGE_FORM_ID = "cp-language-form"
LANGUAGE_NEXT_ID = "cp-language-next"
# The script of the charts (dcc.Graph's), which Dash asks for only once the first chart is on the
# page: preloaded with the page instead, it downloads while the rest of the page does. plotly.js
# itself is the dashboard's own bundle (assets/plotly-dashboard.min.js, 1.4 MB: only the trace
# types the figures draw; dashboards/plotly_bundle/build.js), loaded with the page; dcc.Graph uses
# that window.Plotly and never asks for plotly.py's 4.8 MB bundle of every trace type.
PRELOADED = ("_dash-component-suites/dash/dcc/async-graph.js",)
# Dash's page with the language named (screen readers pick their voice from it); ``en`` is
# replaced by the request's language when the page is served (``create_app``).
INDEX_STRING = dash.dash._default_index.replace("<html>", '<html lang="en">', 1)


def page_title(page: Page | None) -> str:
    """The browser tab's title: ``Scorecard · Child Protection Monitor``."""
    return f"{_(page.route.title)} · {_(PRODUCT_NAME)}" if page else _(PRODUCT_NAME)


def app_pages(app: dash.Dash) -> tuple[Page, ...]:
    """The pages ``app`` serves, in navbar order."""
    return app.server.config[PAGES_KEY]


def language_picker(csrf_token: str) -> html.Form:
    """English / Français: a plain POST form (``/language``, CSRF-checked) with a button for each
    language but the current one (``FR`` on an English page, ``EN`` on a French one: short, so the
    navbar keeps its width; named in its own language for screen readers and the tooltip); ``next`` (the page it is on, kept up to date by
    ``register_language_next``) is where it comes back to, in the new language."""
    current = i18n.current_language()
    return html.Form(
        [
            dcc.Input(type="hidden", name="csrf_token", value=csrf_token, id="cp-language-csrf"),
            dcc.Input(type="hidden", name="next", value="/", id=LANGUAGE_NEXT_ID),
            html.Div(
                [
                    html.Button(
                        code.upper(),
                        type="submit",
                        name="lang",
                        value=code,
                        id=f"cp-language-{code}",
                        lang=code,
                        title=name,
                        className="btn btn-sm btn-outline-secondary",
                        **{"aria-label": name},
                    )
                    for code, name in i18n.LANGUAGES.items()
                    if code != current
                ],
                className="btn-group",
                role="group",
                **{"aria-label": _("Language")},
            ),
        ],
        action="/language",
        method="POST",
        id=LANGUAGE_FORM_ID,
        className="d-inline m-0 me-2",
    )


def account_menu() -> html.Div:
    """Who is signed in, their role, the language picker and the sign-out button (plain POST
    forms carrying the CSRF token); for the public view, the picker and a link to sign in."""
    from flask_wtf.csrf import generate_csrf

    user = signed_in_user()
    role = current_role()
    token = generate_csrf()
    if user is None:
        return html.Div(
            [
                html.Span(_(role.label), id="cp-role", className="cp-role me-2"),
                language_picker(token),
                html.A(
                    _("Sign in"),
                    href="/login",
                    id="cp-sign-in",
                    className="btn btn-sm btn-outline-primary",
                ),
            ],
            className="d-flex align-items-center ms-3",
        )
    return html.Div(
        [
            html.Span(user.username, id="cp-user", className="cp-user me-1 fw-semibold"),
            html.Span(f"({_(role.label)})", id="cp-role", className="cp-role me-2 text-muted"),
            language_picker(token),
            html.Form(
                [
                    dcc.Input(
                        type="hidden",
                        name="csrf_token",
                        value=token,
                        id="cp-sign-out-csrf",
                    ),
                    html.Button(
                        _("Sign out"),
                        type="submit",
                        id="cp-sign-out",
                        className="btn btn-sm btn-outline-secondary",
                    ),
                ],
                action="/logout",
                method="POST",
                id="cp-sign-out-form",
                className="d-inline m-0",
            ),
        ],
        className="d-flex align-items-center ms-3",
    )


def navbar(country: str, pages: tuple[Page, ...], account: Any | None = None) -> dbc.Navbar:
    """Top bar: product name, country, a link to each page (labels and order from the pages),
    and who is signed in. Below ``NAV_EXPAND`` (a phone, a narrow projector) the links and the
    account fold behind a toggler (``register_navbar_toggle``)."""
    return dbc.Navbar(
        dbc.Container(
            [
                html.Div(
                    [
                        dbc.NavbarBrand(_(PRODUCT_NAME), href="/", class_name="cp-brand"),
                        html.Span(country, id="app-country", className="cp-country"),
                    ],
                    className="cp-brand-block",
                ),
                html.Button(
                    html.Span(className="navbar-toggler-icon"),
                    id=NAV_TOGGLER_ID,
                    type="button",
                    className="navbar-toggler",
                    n_clicks=0,
                    **{
                        "aria-controls": NAV_COLLAPSE_ID,
                        "aria-expanded": "false",
                        "aria-label": _("Show or hide the menu"),
                    },
                ),
                dbc.Collapse(
                    [
                        dbc.Nav(
                            [
                                dbc.NavItem(
                                    dbc.NavLink(
                                        _(page.route.nav_label), href=page.path, active="exact"
                                    )
                                )
                                for page in pages
                            ],
                            navbar=True,
                            class_name="ms-auto",
                        ),
                        *([account] if account is not None else []),
                    ],
                    id=NAV_COLLAPSE_ID,
                    is_open=False,
                    navbar=True,
                ),
            ],
            fluid=True,
            class_name="cp-container",
        ),
        color="white",
        expand=NAV_EXPAND,
        class_name="cp-navbar",
        tag="header",
    )


def register_navbar_toggle(app: dash.Dash) -> None:
    """The toggler opens and closes the folded menu (in the browser, no server round trip) and
    says so (``aria-expanded``); moving to another page closes it."""
    app.clientside_callback(
        """function (clicks, pathname, open) {
            const ctx = window.dash_clientside.callback_context;
            const fromToggler = ctx.triggered.some(t => t.prop_id.startsWith('TOGGLER.'));
            const next = fromToggler && clicks ? !open : false;
            return [next, next ? 'true' : 'false'];
        }""".replace("TOGGLER", NAV_TOGGLER_ID),
        Output(NAV_COLLAPSE_ID, "is_open"),
        Output(NAV_TOGGLER_ID, "aria-expanded"),
        Input(NAV_TOGGLER_ID, "n_clicks"),
        Input(LOCATION_ID, "pathname"),
        State(NAV_COLLAPSE_ID, "is_open"),
        prevent_initial_call=True,
    )


def register_language_next(app: dash.Dash) -> None:
    """The language picker comes back to the page it is on: its ``next`` follows the location
    (in the browser; the site sends no Referer)."""
    app.clientside_callback(
        "function (pathname, search) { return (pathname || '/') + (search || ''); }",
        Output(LANGUAGE_NEXT_ID, "value"),
        Input(LOCATION_ID, "pathname"),
        Input(LOCATION_ID, "search"),
    )


def app_layout() -> html.Div:
    """Shell around every page, read fresh on each page load: the navbar and the page container
    (the location, the page's content, filled by ``route``, and its title).

    The navbar lists only the pages the request's role may open. Without a role (Dash checking the
    layout on a server's first request, whoever sent it) the shell is empty: no country, no pages,
    nobody signed in; no such request is ever answered with a layout (sign-in refuses it)."""
    role = flask.g.get(ROLE_KEY)
    if isinstance(role, Role):
        country = from_warehouse(queries.country_name, otherwise=lambda _message, _reason: "")
        pages = flask.current_app.config[PAGES_KEY]
        shown = navbar(country, tuple(p for p in pages if role.may_open(p.name)), account_menu())
    else:
        shown = navbar("", ())
    return html.Div(
        [
            html.A(_(SKIP_LINK), href=f"#{MAIN_ID}", id="cp-skip-link", className="cp-skip-link"),
            shown,
            html.Main(
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
                id=MAIN_ID,
                tabIndex="-1",
            ),
        ]
    )


def not_found() -> html.Div:
    """Shown for a path no page has."""
    return html.Div(
        [
            page_header(_("Page not found"), _("There is no page at this address.")),
            dcc.Link(_("Go to the first page"), href="/"),
        ],
        id="page-not-found",
    )


def no_access() -> html.Div:
    """Shown for a page the signed-in role may not open."""
    return html.Div(
        [
            page_header(_(NO_ACCESS), _("Your role does not include this page.")),
            dcc.Link(_("Go to the first page"), href="/"),
        ],
        id="page-no-access",
    )


def render_path(app: dash.Dash, pathname: str | None, search: str | None) -> tuple[Any, str]:
    """What the page container shows at ``pathname``: the page's layout called with the query
    parameters (or "Page not found", or "You do not have access to this page" when the request's
    role may not open it), and the browser tab's title. Views and refusals go to the audit log."""
    page = page_at(app_pages(app), app.strip_relative_path(pathname or "/"))
    if page is None:
        return not_found(), _(PRODUCT_NAME)
    role = current_role()
    detail = f"{page.name} {pathname or '/'}{search or ''}"
    if not role.may_open(page.name):
        audit("access_denied", detail)
        return no_access(), _(PRODUCT_NAME)
    audit("page_view", detail)
    return page.layout(**query_parameters(search)), page_title(page)


def follows_query(app: dash.Dash, pathname: str | None) -> bool:
    """True when the page at ``pathname`` keeps its pickers in the URL and the request's role may
    open it: a change of the query alone is then the page's own business."""
    page = page_at(app_pages(app), app.strip_relative_path(pathname or "/"))
    return page is not None and page.route.follows_query and current_role().may_open(page.name)


def register_router(app: dash.Dash) -> None:
    """Fill the page container from the URL (``render_path``) and set the tab's title; a page
    that follows its own query (``Route.follows_query``) is not re-rendered when only the query
    changes."""

    def route(pathname: str | None, search: str | None) -> tuple[Any, str]:
        if set(dash.ctx.triggered_prop_ids) == {f"{LOCATION_ID}.search"} and follows_query(
            app, pathname
        ):
            # Only the query changed, on a page that follows it itself: leave the page in place.
            raise dash.exceptions.PreventUpdate
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


def create_app(
    settings: Settings,
    *,
    insecure_cookies: bool = False,
    allowed_hosts: Iterable[str] | None = None,
    clock: Callable[[], float] = time.time,
) -> dash.Dash:
    """Build the dashboard for ``settings`` (reads ``settings.warehouse_file`` read-only), behind
    sign-in (``dashboards.security``): ``insecure_cookies`` for plain-http demos only,
    ``allowed_hosts`` the Host names it answers (default 127.0.0.1 and localhost)."""
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
    app.index_string = INDEX_STRING
    serve_index = app.interpolate_index

    def interpolate_index(**parts: Any) -> str:
        """Dash's page in the request's language: ``<html lang>`` and the tab's first title; the
        charts' scripts preloaded (``PRELOADED``)."""
        parts["title"] = _(PRODUCT_NAME)
        prefix = app.config.requests_pathname_prefix
        parts["css"] = (
            "".join(f'<link rel="preload" href="{prefix}{path}" as="script">' for path in PRELOADED)
            + parts["css"]
        )
        html_page = serve_index(**parts)
        return html_page.replace('<html lang="en">', f'<html lang="{i18n.current_language()}">', 1)

    app.interpolate_index = interpolate_index
    app.server.config[SETTINGS_KEY] = settings
    app.server.config[PAGES_KEY] = pages
    app.layout = app_layout
    register_router(app)
    register_navbar_toggle(app)
    register_language_next(app)
    register_downloads(app)
    for page in pages:
        if page.register_callbacks is not None:
            page.register_callbacks(app)
    install_security(
        app, settings, insecure_cookies=insecure_cookies, allowed_hosts=allowed_hosts, clock=clock
    )
    return app
