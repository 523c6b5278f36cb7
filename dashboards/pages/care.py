"""Care reform page (``/``): headline numbers, trends, reintegration target and a map that drills
from the provinces to a province's districts.

``/?geo=01`` (or the older ``/?province=01``) preselects a place: the drill state is that ``geo``
(the nation, a province or a district), so a drilled-down map is part of the link. Choosing a
place writes the link (a browser-history entry, no reload) and back and forward choose the place
again, without the page being drawn anew (``dashboards.urlstate``, also for the fallback of a
place the role does not see: a donor's link to a district is its province). The content
functions take the warehouse path and are testable without a running app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html

from cpmonitor.core.access import Role
from dashboards import figures, i18n, kpis, queries, urlstate
from dashboards.components import (
    breadcrumb,
    card,
    page_header,
    place_options,
    privacy_text,
    published_sentence,
)
from dashboards.context import current_role, from_warehouse
from dashboards.downloads import following_links
from dashboards.i18n import N_, _
from dashboards.pages import Route
from dashboards.words import not_shown_small

ROUTE = Route(
    path="/", title=N_("Care reform"), nav_label=N_("Care reform"), order=0, follows_query=True
)
LOCATION = "care-location"
SOURCE = N_(
    "Source: Ministry of Social Affairs placement records; National Statistics Office "
    "population projections."
)
LEAD = N_(
    "Is the country moving children out of residential institutions and back to families? "
    "Figures are for the last day of each month unless stated."
)
GRAPH_CONFIG = {"displaylogo": False}


def layout(geo: str | None = None, province: str | None = None, **_query: Any) -> html.Div:
    """Fresh on every visit; ``geo`` (``?geo=<code>``, or the older ``?province=<code>``)
    preselects a place the signed-in role sees."""
    role = current_role()
    return from_warehouse(lambda warehouse: page_layout(warehouse, geo or province, role=role))


def page_layout(
    warehouse: Path, province: str | None = None, *, role: Role | None = None
) -> html.Div:
    """Page shell for ``warehouse`` with ``province`` (a province, or a district for a role that
    sees districts) chosen when it is one."""
    role = role or current_role()
    places = queries.visible_places(warehouse, role=role)
    options = place_picker_options(places, queries.country_name(warehouse))
    chosen = place_from_link({"geo": province}, warehouse, role)
    drills = role.sees_level("district")
    return html.Div(
        [
            page_header(_(ROUTE.title), _(LEAD)),
            dbc.Row(
                dbc.Col(
                    [
                        dbc.Label(_("Show"), html_for="care-province", className="cp-label"),
                        dbc.Select(id="care-province", options=options, value=chosen),
                    ],
                    xs=12,
                    sm=6,
                    md=4,
                    lg=3,
                ),
                class_name="mb-3",
            ),
            html.Div(id="care-kpis"),
            dbc.Row(
                [
                    dbc.Col(
                        card(
                            [
                                dcc.Graph(id="care-children-graph", config=GRAPH_CONFIG),
                                following_links(
                                    "care-province",
                                    "care-trend",
                                    role=role,
                                    code="AC04",
                                    geo=chosen,
                                ),
                            ]
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        card(
                            [
                                dcc.Graph(id="care-institutions-graph", config=GRAPH_CONFIG),
                                following_links(
                                    "care-province",
                                    "care-trend",
                                    role=role,
                                    code="AC05",
                                    geo=chosen,
                                ),
                            ]
                        ),
                        lg=6,
                    ),
                ],
                class_name="g-3 mb-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        card(
                            [
                                dcc.Graph(id="care-reintegration-graph", config=GRAPH_CONFIG),
                                following_links(
                                    "care-province",
                                    "care-trend",
                                    role=role,
                                    code="AC07",
                                    geo=chosen,
                                ),
                            ]
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        card(
                            [
                                html.Div(id="care-map-trail"),
                                dcc.Graph(id="care-map-graph", config=GRAPH_CONFIG),
                                html.P(
                                    _(
                                        "Click a province to see its districts, a district to "
                                        "show it; the names above the map go back up."
                                    )
                                    if drills
                                    else _("Click a province to show it."),
                                    className="cp-hint",
                                ),
                                following_links(
                                    "care-province", "care-map", role=role, code="AC03", geo=chosen
                                ),
                            ]
                        ),
                        lg=6,
                    ),
                ],
                class_name="g-3 mb-3",
            ),
            html.P(id="care-source", className="cp-source"),
            # The view's own link: written when the place changes, followed on back and forward.
            dcc.Location(
                id=LOCATION,
                refresh="callback-nav",
                search=urlstate.search(urlstate.care_query(chosen)),
            ),
        ]
    )


def register_callbacks(app: dash.Dash) -> None:
    """Wire the care page's callbacks to ``app`` (not the global ``dash.callback`` list)."""
    app.callback(
        Output("care-kpis", "children"),
        Output("care-children-graph", "figure"),
        Output("care-institutions-graph", "figure"),
        Output("care-reintegration-graph", "figure"),
        Output("care-map-graph", "figure"),
        Output("care-source", "children"),
        Input("care-province", "value"),
    )(update_page)
    app.callback(
        Output("care-province", "value"),
        Input("care-map-graph", "clickData"),
        prevent_initial_call=True,
    )(province_from_map)
    app.callback(
        Output("care-map-trail", "children"),
        Input("care-province", "value"),
    )(update_trail)

    # The chosen place and the link, kept in step both ways by one callback (no cycle): the page
    # follows its link itself (``Route.follows_query``), so the router does not draw it again.
    def sync(geo: str | None, search: str | None, pathname: str | None) -> tuple:
        if app.strip_relative_path(pathname or "/") != ROUTE.path.strip("/"):
            raise dash.exceptions.PreventUpdate  # leaving the page: the router draws the next one
        if f"{LOCATION}.search" in dash.ctx.triggered_prop_ids:
            return place_from_search(search, geo), dash.no_update
        return dash.no_update, geo_search(geo, search)

    app.callback(
        Output("care-province", "value", allow_duplicate=True),
        Output(LOCATION, "search"),
        Input("care-province", "value"),
        Input(LOCATION, "search"),
        State(LOCATION, "pathname"),
        prevent_initial_call=True,
    )(sync)


def update_page(province: str | None) -> tuple:
    """Callback: redraw the headline numbers, charts and footnote for the chosen place."""

    def nothing(message: html.Div, reason: str) -> tuple:
        blank = figures.empty_figure(reason)
        return message, blank, blank, blank, blank, ""

    return from_warehouse(
        lambda warehouse: care_content(
            warehouse, province or queries.NATIONAL, role=current_role()
        ),
        otherwise=nothing,
    )


def province_from_map(click_data: dict | None) -> str:
    """Callback: clicking a place (a province or a district) on the map selects it."""
    points = (click_data or {}).get("points") or []
    location = points[0].get("location") if points else None
    return location if isinstance(location, str) else dash.no_update


def place_from_link(query: dict[str, str | None], warehouse: Path, role: Role) -> str:
    """The place a link's query asks for, among those the picker offers ``role``, by the place
    rule of ``dashboards.urlstate`` (a district the role does not see: its province)."""
    offered = {queries.NATIONAL, *queries.visible_places(warehouse, role=role)["geo_code"]}
    return urlstate.read_care_place(
        query, allowed=offered, places=queries.places(warehouse), role=role
    )


def place_from_search(search: str | None, current: str | None) -> Any:
    """Callback part: the place of the link (back, forward, a breadcrumb), ``no_update`` when the
    picker already shows it."""
    role = current_role()
    query = urlstate.query_parameters(search)
    found = from_warehouse(
        lambda warehouse: place_from_link(query, warehouse, role),
        otherwise=lambda _message, _reason: None,
    )
    if not isinstance(found, str) or found == current:
        return dash.no_update
    return found


def geo_search(geo: str | None, search: str | None) -> str:
    """Callback: the URL query with ``geo`` set to the chosen place (the older ``province``
    dropped, other parameters kept); ``no_update`` when the link already says so."""
    params = [(k, v) for k, v in parse_qsl((search or "").removeprefix("?")) if k != "province"]
    current = dict(parse_qsl((search or "").removeprefix("?")))
    if not geo or (current.get("geo") or current.get("province") or queries.NATIONAL) == geo:
        return dash.no_update
    params = [(k, v) for k, v in params if k != "geo"] + [("geo", geo)]
    return "?" + urlencode(params)


def place_picker_options(places: pd.DataFrame, country: str) -> list[dict[str, str]]:
    """The nation, then each province followed by its districts (``Northlake › Lakeshore``) when
    ``places`` (``queries.visible_places``, already limited to the role's levels) has them."""
    provinces = places[places["geo_level"] == "province"]
    districts = places[places["geo_level"] == "district"]
    options = []
    for option in place_options(provinces, country, queries.NATIONAL):
        options.append(option)
        inside = districts[districts["parent_code"] == option["value"]]
        options += [
            {"label": f"{option['label']} › {name}", "value": code}
            for code, name in zip(inside["geo_code"], inside["geo_name"], strict=True)
        ]
    return options


def map_view(geo_code: str, places: pd.DataFrame, role: Role) -> tuple[str, str | None]:
    """Which areas the map draws for the chosen place, as ``(parent, outlined)``: the provinces at
    the nation; a province's districts at that province (for a role that sees districts, else the
    provinces with that one outlined); at a district its province's districts, it outlined."""
    found = places[places["geo_code"] == geo_code]
    if found.empty:
        return queries.NATIONAL, None
    level, parent = found["geo_level"].iloc[0], found["parent_code"].iloc[0]
    if level == "district" and role.sees_level("district"):
        return str(parent), geo_code
    if level == "province" and role.sees_level("district"):
        return geo_code, None
    return queries.NATIONAL, geo_code


def map_trail(
    geo_code: str, places: pd.DataFrame, country: str, role: Role
) -> list[tuple[str, str | None]]:
    """The breadcrumb above the map, ``(label, link)`` from the nation down to the chosen place
    (links ``?geo=<code>``); empty for a role that sees no districts (no drill to go back up)."""
    if not role.sees_level("district"):
        return []
    names = dict(zip(places["geo_code"], places["geo_name"], strict=True))
    parents = dict(zip(places["geo_code"], places["parent_code"], strict=True))
    chain = []
    code: str | None = geo_code if geo_code in names else None
    while code in names:
        chain.insert(0, code)
        code = parents.get(code)
    trail = [(country or _("National"), f"{ROUTE.path}?geo={queries.NATIONAL}")]
    return trail + [(names[code], f"{ROUTE.path}?geo={code}") for code in chain]


def update_trail(geo: str | None) -> Any:
    """Callback: the breadcrumb above the map for the chosen place (nothing for a donor)."""

    def trail(warehouse: Path) -> Any:
        role = current_role()
        places = queries.visible_places(warehouse, role=role)
        crumbs = map_trail(geo or queries.NATIONAL, places, queries.country_name(warehouse), role)
        return breadcrumb(crumbs, id_prefix="care-map") if crumbs else None

    return from_warehouse(trail, otherwise=lambda _message, _reason: None)


def care_content(
    warehouse: Path, geo_code: str, *, role: Role
) -> tuple[html.Div, go.Figure, go.Figure, go.Figure, go.Figure, str]:
    """Headline cards, the four figures and the source line for one place, as ``role`` sees them."""
    places = queries.visible_places(warehouse, role=role)
    names = dict(zip(places["geo_code"], places["geo_name"], strict=True))
    if geo_code not in names:
        geo_code = queries.NATIONAL
    place = names.get(geo_code, _("National"))
    map_parent, outlined = map_view(geo_code, places, role)

    children_ind = queries.indicator(warehouse, "AC04")
    institutions_ind = queries.indicator(warehouse, "AC05")
    exits_ind = queries.indicator(warehouse, "AC06")
    reint_ind = queries.indicator(warehouse, "AC07")
    rate_ind = queries.indicator(warehouse, "AC03")

    children = queries.indicator_series(warehouse, "AC04", geo_code, "month", role=role)
    institutions = queries.indicator_series(warehouse, "AC05", geo_code, "month", role=role)
    exits = queries.rolling_rate(warehouse, "AC06", geo_code, months=12, role=role)
    reintegration = queries.indicator_series(warehouse, "AC07", geo_code, "month", role=role)
    map_values = queries.area_values_latest(warehouse, "AC03", map_parent, "year", role=role)
    if map_parent != queries.NATIONAL and map_values["boundary_geojson"].isna().all():
        # No district boundaries for this province: the provinces' map, the province outlined.
        map_parent, outlined = queries.NATIONAL, map_parent
        map_values = queries.area_values_latest(warehouse, "AC03", map_parent, "year", role=role)
    published = queries.published_at(warehouse)

    cards = dbc.Row(
        [
            dbc.Col(_stock_card("care-kpi-children", children_ind, children, geo_code), md=6, xl=3),
            dbc.Col(
                _stock_card("care-kpi-institutions", institutions_ind, institutions, geo_code),
                md=6,
                xl=3,
            ),
            dbc.Col(
                _target_card("care-kpi-reintegration", reint_ind, reintegration, geo_code),
                md=6,
                xl=3,
            ),
            dbc.Col(_exits_card("care-kpi-exits", exits_ind, exits), md=6, xl=3),
        ],
        class_name="g-3 mb-3",
    )

    where = _("nationally") if geo_code == queries.NATIONAL else _("in {place}").format(place=place)
    children_fig = figures.trend_figure(
        children,
        title=_("Children living in residential care institutions, {where}").format(where=where),
        y_title=_("Children (end of month)"),
        number_format=children_ind.get("number_format") or ",.0f",
        name=children_ind.get("short_label") or _("Children"),
    )
    institutions_fig = figures.trend_figure(
        institutions,
        title=_("Residential care institutions open, {where}").format(where=where),
        y_title=_("Institutions (end of month)"),
        number_format=institutions_ind.get("number_format") or ",.0f",
        name=institutions_ind.get("short_label") or _("Institutions"),
    )
    baseline = _date_words(reint_ind.get("baseline_date"))
    reintegration_fig = figures.target_figure(
        reintegration,
        title=_("Children reintegrated with family since {date}, {where}").format(
            date=baseline or _("the baseline"), where=where
        ),
        y_title=_("% of children in care at baseline"),
        number_format=reint_ind.get("number_format") or ",.1f",
        name=reint_ind.get("short_label") or _("Reintegrated"),
        target_value=reint_ind.get("target_value"),
        target_year=reint_ind.get("target_year"),
        unit=reint_ind.get("unit"),
    )
    labels = map_values["period_label"].dropna()
    year = str(labels.iloc[0]) if len(labels) else ""
    rate_unit = kpis.localise((rate_ind.get("unit") or "").replace("100 000", "100,000"))
    by = (
        _("by province")
        if map_parent == queries.NATIONAL
        else _("by district, {province}").format(province=names[map_parent])
    )
    map_fig = figures.area_map(
        map_values,
        title=_("Children in residential care {unit} children, {by}, {year}")
        .format(unit=rate_unit, by=by, year=year)
        .strip(", "),
        number_format=rate_ind.get("number_format") or ",.1f",
        colourbar_title=rate_unit,
        selected=outlined,
    )
    source = " ".join(
        part
        for part in (_(SOURCE), published_sentence(published), privacy_text(role.exact))
        if part
    )
    return cards, children_fig, institutions_fig, reintegration_fig, map_fig, source


def _date_words(value: Any) -> str:
    if value is None or pd.isna(value):
        return ""
    if i18n.current_language() == i18n.DEFAULT_LANGUAGE:
        return pd.Timestamp(value).strftime("%-d %b %Y")
    return i18n.format_day(pd.Timestamp(value).to_pydatetime())


def _with_unit(text: str, unit: str | None) -> str:
    return f"{text}%" if unit and unit.startswith("%") else text


def _good_or_bad(difference: float | None, direction: str | None) -> str:
    if difference is None or difference == 0 or direction not in ("up", "down"):
        return "cp-neutral"
    improving = difference < 0 if direction == "down" else difference > 0
    return "cp-good" if improving else "cp-bad"


def _kpi(
    card_id: str, title: str, value: str, when: str, detail: Any, detail_class: str
) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(title, className="cp-kpi-title"),
                html.Div(value, id=f"{card_id}-value", className="cp-kpi-value"),
                html.Div(when, className="cp-kpi-when"),
                html.Div(detail, id=f"{card_id}-detail", className=f"cp-kpi-detail {detail_class}"),
            ]
        ),
        id=card_id,
        class_name="cp-card cp-kpi h-100",
    )


def _stock_card(card_id: str, ind: dict, monthly: pd.DataFrame, geo_code: str) -> dbc.Card:
    title = ind.get("short_label") or ind.get("indicator_name") or ""
    number_format = ind.get("number_format") or ",.0f"
    # The catalogue's baseline is national; a province is compared with its first month.
    national = geo_code == queries.NATIONAL
    change = kpis.change_since_baseline(
        monthly,
        baseline_value=ind.get("baseline_value") if national else None,
        baseline_date=ind.get("baseline_date") if national else None,
    )
    if change is None:
        return _kpi(card_id, title, "—", _("No data yet"), "", "cp-neutral")
    value = kpis.format_number(change.latest, number_format)
    if change.difference is None:
        return _kpi(
            card_id,
            title,
            value,
            _("End of {period}").format(period=change.latest_label),
            "",
            "cp-neutral",
        )
    arrow = "▼" if change.difference < 0 else "▲" if change.difference > 0 else "●"
    amount = kpis.format_number(abs(change.difference), number_format)
    percent = (
        " (" + kpis.localise(f"{change.percent:+.1f}%").replace("-", "−") + ")"
        if change.percent is not None
        else ""
    )
    detail = _("{change} since {base}").format(
        change=f"{arrow} {amount}{percent}", base=change.base_label
    )
    css = _good_or_bad(change.difference, ind.get("direction"))
    return _kpi(
        card_id, title, value, _("End of {period}").format(period=change.latest_label), detail, css
    )


def _target_card(card_id: str, ind: dict, monthly: pd.DataFrame, geo_code: str) -> dbc.Card:
    title = ind.get("short_label") or ind.get("indicator_name") or ""
    rows = monthly.dropna(subset=["value"])
    if rows.empty:
        return _kpi(card_id, title, "—", _("No data yet"), "", "cp-neutral")
    last = rows.iloc[-1]
    value = _with_unit(kpis.format_number(last["value"], ind.get("number_format")), ind.get("unit"))
    baseline = _date_words(ind.get("baseline_date"))
    when = (
        _("End of {period}, of children in care on {date}").format(
            period=last["period_label"], date=baseline
        )
        if baseline
        else _("End of {period}").format(period=last["period_label"])
    )
    # Status, progress and the target applying to this row come from the warehouse (one home).
    status, target_value = last.get("status"), last.get("target_value")
    target_year = ind.get("target_year")
    if status not in ("on_track", "off_track") or target_value is None or pd.isna(target_value):
        return _kpi(card_id, title, value, when, _("No target set"), "cp-neutral")
    words = kpis.status_text(status, last["period_end"], target_year)
    label = (
        figures.target_label(float(target_value), int(target_year), ind.get("unit"))
        if target_year is not None
        else ""
    )
    scope = " " + _("(national target)") if geo_code != queries.NATIONAL else ""
    css = "cp-good" if status == "on_track" else "cp-bad"
    detail = [html.Span(words, className="cp-status"), f" · {label}{scope}"]
    return _kpi(card_id, title, value, when, detail, css)


def _exits_card(card_id: str, ind: dict, rolling: dict | None) -> dbc.Card:
    title = ind.get("short_label") or ind.get("indicator_name") or ""
    if rolling is not None and rolling["suppressed"]:
        return _kpi(
            card_id,
            title,
            not_shown_small(),
            _("exits in the last 12 months: too few to show"),
            _("{first} – {last} (last 12 months)").format(
                first=rolling["first_label"], last=rolling["last_label"]
            ),
            "cp-muted",
        )
    if rolling is None or rolling["value"] is None:
        return _kpi(
            card_id, title, "—", _("No exits recorded in the last 12 months"), "", "cp-neutral"
        )
    value, first, last = rolling["value"], rolling["first_label"], rolling["last_label"]
    shown = _with_unit(kpis.format_number(value, ind.get("number_format")), ind.get("unit"))
    return _kpi(
        card_id,
        title,
        shown,
        _("of children leaving residential care went to a family"),
        _("{first} (the whole year)").format(first=first)
        if first == last
        else _("{first} – {last} (last 12 months)").format(first=first, last=last),
        "cp-muted",
    )
