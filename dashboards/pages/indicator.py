"""Indicator page (``/indicator``): one indicator, its definition, trend, provinces, groups and
districts.

``/indicator?code=AC06&geo=01&period=month&range=last12m`` (or ``from=2016&to=2018``) is a view:
every picker is in the link, the link follows the pickers and back and forward move between views
(``dashboards.urlstate``, which also says how each value falls back). The content functions take
the warehouse path and are testable without a server.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, dcc, html

from cpmonitor.core.access import Role
from dashboards import figures, i18n, kpis, queries, trend_notes, urlstate
from dashboards.components import (
    card,
    data_flags,
    page_header,
    place_options,
    privacy_note,
    published_sentence,
    status_badge,
    suppressed_text,
)
from dashboards.context import current_role, from_warehouse
from dashboards.downloads import download_links
from dashboards.i18n import N_, _
from dashboards.pages import Route
from dashboards.words import every_group_hidden

ROUTE = Route(
    path="/indicator",
    title=N_("Indicator"),
    nav_label=N_("Indicators"),
    order=2,
    follows_query=True,
)
DEFAULT_CODE = "AC06"
LEAD = N_(
    "One indicator in detail: what it measures, how it has moved, where and for whom. Pick an "
    "indicator and a place."
)
NO_DATA = N_("No data for this place and period")
NO_DATA_IN_RANGE = N_("No data in the chosen periods")
LOCATION = "indicator-location"
KIND_WORDS = {
    "stock": N_("Stock: counted on the last day of each period."),
    "flow": N_("Flow: events counted over the whole period."),
    "flow_rate": N_("Rate of events: events during the period, divided by the denominator."),
    "stock_rate": N_(
        "Rate on the last day: counted on the last day of each period, divided by the denominator."
    ),
    "rate": N_(
        "Rate: events during the period, divided by the number on the last day of the period."
    ),
    "cohort_rate": N_(
        "Cohort: follows a group of children over time and counts what happened to them."
    ),
    "cumulative_rate": N_("Cumulative: adds up from the baseline date to the end of each period."),
    "median": N_(
        "Median: the middle value over the records of the period (half lie above, half below)."
    ),
    "distinct": N_(
        "Distinct children: each child is counted once in the period, however many cases."
    ),
    "survey": N_(
        "Survey estimate: from a household survey in the survey year, with a 95% confidence "
        "interval. Not available between surveys."
    ),
}
DIRECTION_WORDS = {
    "up": N_("Higher is better."),
    "down": N_("Lower is better."),
    "none": N_("Neither higher nor lower is better in itself."),
}
PERIOD_WORDS = {"month": N_("Month"), "quarter": N_("Quarter"), "year": N_("Year")}
FREQUENCY_WORDS = {
    "monthly": N_("Every month"),
    "quarterly": N_("Every quarter"),
    "yearly": N_("Every year"),
}
GROUP_TITLES = {"sex": N_("By sex"), "age_band": N_("By age"), "disability": N_("By disability")}
GROUP_LABELS = {
    "female": N_("Female"),
    "male": N_("Male"),
    "0-4": N_("0–4 years"),
    "5-9": N_("5–9 years"),
    "10-14": N_("10–14 years"),
    "15-17": N_("15–17 years"),
    "yes": N_("With a disability"),
    "no": N_("Without a disability"),
}
GROUP_WORDS = {"sex": N_("sex"), "age_band": N_("age"), "disability": N_("disability")}
GRAPH_CONFIG = {"displaylogo": False}


# --- shell --------------------------------------------------------------------------------------


def indicator_options(catalogue: pd.DataFrame) -> list[dict[str, Any]]:
    """Picker options grouped by sector: a disabled heading per sector, then its indicators."""
    options: list[dict[str, Any]] = []
    for sector, rows in catalogue.groupby("sector_code", sort=False):
        options.append(
            {
                "label": str(rows["sector_name"].iloc[0]).upper(),
                "value": f"sector:{sector}",
                "disabled": True,
            }
        )
        for row in rows.to_dict("records"):
            label = row.get("short_label") or row.get("indicator_name")
            options.append(
                {
                    "label": f"{row['indicator_code']} · {label}",
                    "value": row["indicator_code"],
                    "search": f"{row['indicator_name']} {row['sector_name']}",
                }
            )
    return options


def period_options(available: list[str]) -> list[dict[str, str]]:
    return [{"label": _(PERIOD_WORDS[p]), "value": p} for p in available]


def layout(code: str | None = None, geo: str | None = None, **query: Any) -> html.Div:
    """Fresh on every visit; the URL's query (``code``, ``geo``, ``period``, ``range``, ``from``,
    ``to``: ``dashboards.urlstate``) preselects every picker."""
    return from_warehouse(
        lambda warehouse: page_layout(warehouse, code, geo, role=current_role(), query=query)
    )


def range_options() -> list[dict[str, str]]:
    return [{"label": _(label), "value": value} for value, label in urlstate.RANGE_LABELS.items()]


def bound_options(periods: pd.DataFrame) -> list[dict[str, str]]:
    """The from/to choices of a custom range: the indicator's periods of the chosen type."""
    return [
        {"label": str(label), "value": str(period_id)}
        for period_id, label in zip(periods["period_id"], periods["period_label"], strict=True)
    ]


def _custom_box_style(range_name: str) -> dict[str, str]:
    """The from/to pickers side by side for a custom range, hidden otherwise (inline, as a
    Bootstrap ``d-flex`` class would win over ``display: none``)."""
    if range_name == urlstate.CUSTOM:
        return {"display": "flex", "gap": "1rem"}
    return {"display": "none"}


def page_layout(
    warehouse: Path,
    code: str | None = None,
    geo: str | None = None,
    *,
    role: Role,
    query: dict[str, Any] | None = None,
) -> html.Div:
    """Page shell; ``code``, ``geo`` and the rest of the URL query (``query``) are checked against
    the data (places and period types: those ``role`` sees) by ``urlstate.indicator_view``."""
    catalogue = queries.catalogue(warehouse)
    places = queries.provinces(warehouse)
    country = queries.country_name(warehouse)
    wanted = {**(query or {}), "code": code, "geo": geo}
    view = urlstate.indicator_view(warehouse, wanted, role=role, default_code=DEFAULT_CODE)
    chosen = view.code or None
    available = queries.period_types(warehouse, chosen, role=role) if chosen else []
    options = place_options(places, country, queries.NATIONAL)
    place = view.geo
    periods = (
        queries.indicator_periods(warehouse, chosen, view.period, role=role)
        if chosen and view.period
        else pd.DataFrame(columns=["period_id", "period_label"])
    )
    bounds = bound_options(periods)
    notice = (
        dbc.Alert(
            _("There is no indicator with that code; showing the first of the list instead."),
            color="light",
            class_name="py-2",
            id="indicator-unknown",
        )
        if code is not None and code != chosen
        else None
    )
    return html.Div(
        [
            page_header(_(ROUTE.title), _(LEAD)),
            notice,
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(
                                _("Indicator"), html_for="indicator-code", className="cp-label"
                            ),
                            dcc.Dropdown(
                                id="indicator-code",
                                options=indicator_options(catalogue),
                                value=chosen,
                                clearable=False,
                                searchable=True,
                                placeholder=_("Type a code or words, e.g. AC06 or detention"),
                                maxHeight=420,
                            ),
                        ],
                        xs=12,
                        lg=6,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(_("Place"), html_for="indicator-geo", className="cp-label"),
                            dbc.Select(id="indicator-geo", options=options, value=place),
                        ],
                        xs=12,
                        sm=6,
                        lg=3,
                    ),
                    dbc.Col(
                        html.Div(
                            [
                                dbc.Label(
                                    _("Show by"),
                                    id="indicator-period-label",
                                    class_name="cp-label d-block",
                                ),
                                dbc.RadioItems(
                                    id="indicator-period",
                                    options=period_options(available),
                                    value=view.period,
                                    inline=True,
                                ),
                            ],
                            id="indicator-period-box",
                            # The radio buttons are one group, named by its label.
                            role="radiogroup",
                            **{"aria-labelledby": "indicator-period-label"},
                            style=_period_box_style(available),
                        ),
                        xs=12,
                        sm=6,
                        lg=3,
                    ),
                ],
                class_name="g-3 mb-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(
                                _("Periods"), html_for="indicator-range", className="cp-label"
                            ),
                            dbc.Select(
                                id="indicator-range", options=range_options(), value=view.range
                            ),
                        ],
                        xs=12,
                        sm=6,
                        lg=3,
                    ),
                    dbc.Col(
                        html.Div(
                            [
                                html.Div(
                                    [
                                        dbc.Label(
                                            _("From"),
                                            html_for="indicator-from",
                                            className="cp-label",
                                        ),
                                        dbc.Select(
                                            id="indicator-from",
                                            options=bounds,
                                            value=view.start or "",
                                        ),
                                    ],
                                    className="flex-fill",
                                ),
                                html.Div(
                                    [
                                        dbc.Label(
                                            _("To"), html_for="indicator-to", className="cp-label"
                                        ),
                                        dbc.Select(
                                            id="indicator-to", options=bounds, value=view.end or ""
                                        ),
                                    ],
                                    className="flex-fill",
                                ),
                            ],
                            id="indicator-custom-box",
                            style=_custom_box_style(view.range),
                        ),
                        xs=12,
                        sm=6,
                        lg=4,
                    ),
                ],
                class_name="g-3 mb-3",
            ),
            # The view's own link: written when a picker changes, followed on back and forward.
            dcc.Location(
                id=LOCATION,
                refresh="callback-nav",
                search=urlstate.search(urlstate.indicator_query(view)),
            ),
            dcc.Loading(html.Div(id="indicator-content"), type="circle", delay_show=400),
        ]
    )


def _period_box_style(available: list[str]) -> dict[str, str]:
    return {} if len(available) > 1 else {"display": "none"}


def register_callbacks(app: dash.Dash) -> None:
    """Wire the indicator page's callbacks to ``app``.

    The pickers and the page's link are kept in step by ONE callback (``sync_view``, both ways, so
    Dash sees no cycle): a picker writes the link, the link (back, forward) sets the pickers, each
    output only when it differs, so the content is drawn once per change."""

    def sync(*values: Any) -> tuple:
        *pickers, search, pathname = values
        if app.strip_relative_path(pathname or "") != ROUTE.path.strip("/"):
            raise dash.exceptions.PreventUpdate  # leaving the page: the router draws the next one
        from_url = f"{LOCATION}.search" in dash.ctx.triggered_prop_ids
        return sync_view(*pickers, search, from_url=from_url)

    app.callback(
        Output("indicator-code", "value"),
        Output("indicator-geo", "value"),
        Output("indicator-period", "options"),
        Output("indicator-period", "value"),
        Output("indicator-period-box", "style"),
        Output("indicator-range", "value"),
        Output("indicator-from", "options"),
        Output("indicator-from", "value"),
        Output("indicator-to", "options"),
        Output("indicator-to", "value"),
        Output("indicator-custom-box", "style"),
        Output(LOCATION, "search"),
        *(Input(f"indicator-{name}", "value") for name in VIEW_PICKERS),
        Input(LOCATION, "search"),
        State(LOCATION, "pathname"),
        prevent_initial_call=True,
    )(sync)
    app.callback(
        Output("indicator-content", "children"),
        *(Input(f"indicator-{name}", "value") for name in VIEW_PICKERS),
    )(update_content)
    trend_notes.register_callbacks(app)


VIEW_PICKERS = ("code", "geo", "period", "range", "from", "to")


def sync_view(
    code: str | None,
    geo: str | None,
    period: str | None,
    range_name: str | None,
    start: str | None,
    end: str | None,
    search: str | None,
    *,
    from_url: bool,
) -> tuple:
    """Callback: the pickers and the link as one checked view (``urlstate.indicator_view``).

    ``from_url`` (back, forward, a link to this page): the view the link asks for goes into the
    pickers, the link is left as it is. Otherwise (a picker changed): the pickers' view, fallen
    back where needed (a period type the new indicator lacks, bounds of another period type), goes
    into the pickers and the link, a new browser-history entry. ``no_update`` wherever nothing
    changes, so no callback runs twice."""
    if from_url:
        wanted: dict[str, Any] = urlstate.query_parameters(search)
    else:
        wanted = {"code": code, "geo": geo, "period": period, "range": range_name}
        if range_name == urlstate.CUSTOM:
            wanted.update({"from": start, "to": end})
    role = current_role()

    def read(warehouse: Path) -> tuple:
        view = urlstate.indicator_view(warehouse, wanted, role=role, default_code=DEFAULT_CODE)
        available = queries.period_types(warehouse, view.code, role=role) if view.code else []
        periods = (
            queries.indicator_periods(warehouse, view.code, view.period, role=role)
            if view.code and view.period
            else pd.DataFrame(columns=["period_id", "period_label"])
        )
        if range_name == urlstate.CUSTOM and not from_url and view.range != urlstate.CUSTOM:
            # "From … to …" just chosen: the indicator's whole span to start from.
            ids = list(periods["period_id"])
            view = replace(
                view,
                range=urlstate.CUSTOM,
                start=str(ids[0]) if ids else None,
                end=str(ids[-1]) if ids else None,
            )
        return view, available, periods

    found = from_warehouse(read, otherwise=lambda _message, _reason: None)
    if not isinstance(found, tuple):
        raise dash.exceptions.PreventUpdate
    view, available, periods = found
    bounds = bound_options(periods)
    link = urlstate.search(urlstate.indicator_query(view))

    def changed(new: Any, old: Any) -> Any:
        return dash.no_update if new == old else new

    return (
        changed(view.code, code),
        changed(view.geo, geo),
        period_options(available),
        changed(view.period, period),
        _period_box_style(available),
        changed(view.range, range_name),
        bounds,
        changed(view.start or "", start),
        bounds,
        changed(view.end or "", end),
        _custom_box_style(view.range),
        dash.no_update if from_url else changed(link, search),
    )


def default_period_type(available: list[str]) -> str | None:
    """Whole years first: large enough that flows are rarely hidden by small-count suppression,
    and what plans report on; months and quarters are one click away."""
    for period_type in ("year", "quarter", "month"):
        if period_type in available:
            return period_type
    return None


def update_content(
    code: str | None,
    geo: str | None,
    period_type: str | None,
    range_name: str | None = urlstate.ALL,
    start: str | None = None,
    end: str | None = None,
) -> Any:
    """Callback: the whole content for the chosen indicator, place, period type and periods."""
    return from_warehouse(
        lambda warehouse: indicator_content(
            warehouse,
            code or "",
            geo or queries.NATIONAL,
            period_type,
            role=current_role(),
            range_name=range_name or urlstate.ALL,
            start=start or None,
            end=end or None,
        )
    )


# --- content ------------------------------------------------------------------------------------


def indicator_content(
    warehouse: Path,
    code: str,
    geo: str,
    period_type: str | None = None,
    *,
    role: Role,
    range_name: str = urlstate.ALL,
    start: str | None = None,
    end: str | None = None,
) -> html.Div:
    """Definition, trend, provinces, groups and areas of one indicator for one place, as ``role``
    may see them (read through the query layer, which filters by the role). The trend shows the
    periods of ``range_name`` (``urlstate.RANGE_LABELS``; ``custom``: ``start`` to ``end``), the
    other views the last of them."""
    ind = queries.indicator(warehouse, code)
    if not ind:
        return html.Div(
            html.P(_("Choose an indicator from the list."), className="cp-empty"),
            id="indicator-none",
        )
    places = queries.provinces(warehouse)
    names = dict(zip(places["geo_code"], places["geo_name"], strict=True))
    if geo not in names:
        geo = queries.NATIONAL
    place = names.get(geo) or queries.country_name(warehouse) or _("National")
    available = queries.period_types(warehouse, code, role=role)
    if period_type not in available:
        period_type = default_period_type(available)
    feeds = queries.indicator_feeds(warehouse, _split(ind.get("source_feeds")))
    definition = definition_card(ind, feeds)
    published = queries.published_at(warehouse)
    footer = [
        privacy_note("indicator", role.exact),
        html.P(published_sentence(published), className="cp-source border-0 pt-0"),
    ]
    if period_type is None:
        return html.Div(
            [
                dbc.Row(
                    [
                        dbc.Col(definition, lg=4),
                        dbc.Col(
                            card(
                                html.P(
                                    _(
                                        "No data for this indicator yet: the feeds it is computed "
                                        "from have not been delivered."
                                    ),
                                    className="cp-empty",
                                    id="indicator-no-data",
                                )
                            ),
                            lg=8,
                        ),
                    ],
                    class_name="g-3 mb-3",
                ),
                *footer,
            ]
        )

    latest = queries.latest_period(warehouse, code, period_type, role=role)
    series = queries.indicator_series(warehouse, code, geo, period_type, role=role)
    if range_name not in urlstate.RANGE_LABELS:
        range_name = urlstate.ALL
    if range_name != urlstate.ALL:
        view = urlstate.IndicatorView(code, geo, period_type, range_name, start, end)
        shown = urlstate.view_periods(warehouse, view, role=role)
        series = series[series["period_id"].isin(shown["period_id"])].reset_index(drop=True)
        latest = shown.iloc[-1].to_dict() if len(shown) else None
    period_id = latest["period_id"] if latest else ""
    period_label = str(latest["period_label"]) if latest else ""
    trend = trend_block(ind, series, place, period_type)
    trend = trend_notes.with_notes(trend, series, code, geo, period_type, role=role)
    provinces = (
        queries.province_values_latest(warehouse, code, period_type, role=role)
        if range_name == urlstate.ALL
        else queries.province_values_at(warehouse, code, period_id, role=role)
    )
    by_province = province_figure(ind, provinces, None if geo == queries.NATIONAL else geo)
    groups = queries.breakdown(warehouse, code, geo, period_id, role=role)
    areas = queries.area_values(warehouse, code, geo, period_id, role=role)
    area_word = "district" if geo != queries.NATIONAL else "province"
    # The download links beside each view: the same view (range, shown period) as the page.
    view = {"role": role, "code": code, "period": period_type}
    at = {} if range_name == urlstate.ALL else {"at": period_id}
    span = (
        {}
        if range_name == urlstate.ALL or series.empty
        else {"start": series["period_id"].iloc[0], "end": series["period_id"].iloc[-1]}
    )
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(definition, lg=4),
                    dbc.Col(
                        card([*trend, download_links("indicator-trend", **view, geo=geo, **span)]),
                        lg=8,
                    ),
                ],
                class_name="g-3 mb-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        card(
                            [
                                dcc.Graph(
                                    id="indicator-province-graph",
                                    figure=by_province,
                                    config=GRAPH_CONFIG,
                                ),
                                download_links("indicator-provinces", **view, **at),
                            ]
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        card(
                            [
                                *breakdown_block(ind, groups, place, period_label),
                                download_links("indicator-groups", **view, geo=geo, **at)
                                if len(groups)
                                else None,
                            ]
                        ),
                        lg=6,
                    ),
                ],
                class_name="g-3 mb-3",
            ),
            card(
                [
                    html.H2(
                        (
                            _("By district, {place}, {period}")
                            if area_word == "district"
                            else _("By province, {place}, {period}")
                        ).format(place=place, period=period_label),
                        className="cp-section-title",
                    ),
                    area_table(ind, areas, area_word),
                    download_links("indicator-areas", **view, geo=geo, **at)
                    if len(areas)
                    else None,
                ]
            ),
            html.Div(className="mb-3"),
            *footer,
        ]
    )


def _split(text: Any) -> list[str]:
    if not text:
        return []
    return [part.strip() for part in str(text).split(";") if part.strip()]


def _words_for_unit(ind: dict) -> str:
    unit = ind.get("unit") or ""
    words = {
        "count": N_("A number (count)"),
        "%": N_("Percent (%)"),
        "% (cumulative)": N_("Percent (%), cumulative"),
        "days": N_("Days"),
        "ratio": N_("A ratio (one number for every one of the other)"),
    }
    if unit in words:
        return _(words[unit])
    return unit.replace("100 000", "100,000").replace("1 000", "1,000").capitalize()


def _day(when: Any) -> str:
    """``15 Jan 2019`` (``15 janv. 2019`` in French)."""
    stamp = pd.Timestamp(when)
    if i18n.current_language() == i18n.DEFAULT_LANGUAGE:
        return stamp.strftime("%-d %b %Y")
    return i18n.format_day(stamp.to_pydatetime())


def definition_card(ind: dict, feeds: pd.DataFrame) -> dbc.Card:
    """Name, definition, numerator, denominator, unit, kind, sources, reference, baseline, target."""
    number_format, unit = ind.get("number_format"), ind.get("unit")
    items: list[Any] = []

    def add(term: str, *description: Any) -> None:
        items.extend([html.Dt(term), html.Dd(list(description))])

    if ind.get("numerator_definition"):
        add(_("Counted (numerator)"), ind["numerator_definition"])
    if ind.get("denominator_definition"):
        add(_("Out of (denominator)"), ind["denominator_definition"])
    add(_("Unit"), _words_for_unit(ind))
    kind_code = str(ind.get("kind"))
    kind = _(KIND_WORDS[kind_code]) if kind_code in KIND_WORDS else str(ind.get("kind") or "")
    direction = _(DIRECTION_WORDS.get(str(ind.get("direction")), DIRECTION_WORDS["none"]))
    add(_("How it is counted"), kind, " ", direction)
    groups = [_(GROUP_WORDS[g]) for g in _split(ind.get("disaggregations")) if g in GROUP_WORDS]
    frequency_code = str(ind.get("frequency"))
    frequency = (
        _(FREQUENCY_WORDS[frequency_code])
        if frequency_code in FREQUENCY_WORDS
        else str(ind.get("frequency") or "")
    )
    where = (
        _("; by {groups} and place").format(groups=", ".join(groups)) if groups else _("; by place")
    )
    add(_("Reported"), frequency + where)
    if not feeds.empty:
        add(
            _("Source"),
            html.Ul(
                [
                    html.Li(f"{row['entity_name']}: {row['title']}")
                    for row in feeds.to_dict("records")
                ],
                className="mb-0 ps-3",
            ),
        )
    elif ind.get("source_feeds"):
        add(_("Source"), ", ".join(_split(ind.get("source_feeds"))))
    if ind.get("framework_ref"):
        add(_("Framework reference"), ind["framework_ref"])
    if ind.get("baseline_value") is not None:
        when = ind.get("baseline_date")
        baseline = kpis.format_value(ind["baseline_value"], number_format, unit)
        if when is not None:
            baseline = _("{value} on {date}").format(value=baseline, date=_day(when))
        add(_("Baseline"), baseline)
    if ind.get("target_value") is not None and ind.get("target_year") is not None:
        add(
            _("Target"),
            _("{value} by {year} (national)").format(
                value=kpis.format_value(ind["target_value"], number_format, unit),
                year=int(ind["target_year"]),
            ),
        )
    else:
        add(_("Target"), _("No target set"))
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    f"{ind['indicator_code']} · {ind.get('sector_name') or ''}",
                    className="cp-kpi-title",
                ),
                html.H2(ind.get("indicator_name") or "", className="cp-section-title mt-1"),
                html.P(ind.get("definition") or "", className="cp-def-lead"),
                html.Dl(items, className="cp-def mb-0"),
            ]
        ),
        id="indicator-definition",
        class_name="cp-card h-100",
    )


def headline(ind: dict, series: pd.DataFrame) -> html.Div:
    """The latest value of the trend, its status badge and the target, in one line."""
    known = series[series["value"].notna() | series["suppressed"].fillna(False).astype(bool)]
    if known.empty:
        return html.Div(_(NO_DATA), className="cp-kpi-when", id="indicator-latest")
    last = known.iloc[-1].to_dict()
    number_format, unit = ind.get("number_format"), ind.get("unit")
    value = (
        suppressed_text(unit, last.get("suppression_reason"))
        if last.get("suppressed")
        else kpis.format_value(last.get("value"), number_format, unit)
    )
    when = str(last["period_label"])
    if ind.get("kind") == "survey":
        when = _("survey {period}").format(period=when)
        if pd.notna(last.get("ci_lower")) and pd.notna(last.get("ci_upper")):
            when += (
                " ("
                + _("95% CI {lower}–{upper}").format(
                    lower=kpis.format_number(last["ci_lower"], number_format),
                    upper=kpis.format_number(last["ci_upper"], number_format),
                )
                + ")"
            )
    status = last.get("status")
    words = (
        kpis.status_text(status, last.get("period_end"), ind.get("target_year"))
        if status in ("on_track", "off_track")
        else None
    )
    line = html.Div(
        [
            html.Span(value, className="cp-kpi-value cp-kpi-small me-2", id="indicator-latest"),
            html.Span(_("Latest: {period}").format(period=when), className="cp-kpi-when me-3"),
            status_badge(status, words),
            *data_flags(last),
        ],
        className="d-flex align-items-center flex-wrap gap-1 mb-1",
    )
    note = last.get("coverage_note")
    if not isinstance(note, str) or not note:
        return line
    return html.Div(
        [line, html.P(note, className="cp-coverage-note", id="indicator-coverage-note")]
    )


def trend_block(ind: dict, series: pd.DataFrame, place: str, period_type: str) -> list[Any]:
    """Headline and the trend figure: a line with the target, or survey markers with CIs."""
    name = ind.get("short_label") or ind.get("indicator_name") or ""
    number_format = ind.get("number_format") or ",.1f"
    unit = ind.get("unit")
    y_title = _words_for_unit(ind) if unit not in ("count",) else _("Number")
    if ind.get("kind") == "survey":
        fig = figures.survey_figure(
            series,
            title=_("{name}, {place}, survey years").format(name=name, place=place),
            y_title=y_title,
            number_format=number_format,
            name=name,
            unit=unit,
            target_value=ind.get("target_value"),
            target_year=ind.get("target_year"),
        )
    else:
        by = {"month": _("by month"), "quarter": _("by quarter"), "year": _("by year")}[period_type]
        fig = figures.target_figure(
            middle_of_period(series) if period_type != "month" else series,
            title=f"{name}, {place}, {by}",
            y_title=y_title,
            number_format=number_format,
            name=name,
            target_value=ind.get("target_value"),
            target_year=ind.get("target_year"),
            unit=unit,
            # One tick a year under each point, however few years a range shows.
            year_ticks=period_type == "year",
        )
    return [
        headline(ind, series),
        dcc.Graph(id="indicator-trend-graph", figure=fig, config=GRAPH_CONFIG),
    ]


def middle_of_period(series: pd.DataFrame) -> pd.DataFrame:
    """Quarters and years drawn in their middle (a year under its own tick, not at 31 Dec)."""
    start, end = pd.to_datetime(series["period_start"]), pd.to_datetime(series["period_end"])
    return series.assign(period_end=(start + (end - start) / 2).dt.normalize())


def _is_rate(ind: dict) -> bool:
    return (ind.get("unit") or "count") not in ("count", "days")


def province_figure(ind: dict, provinces: pd.DataFrame, selected: str | None) -> Any:
    """Values by province for the latest period: the map for a rate, sorted bars otherwise."""
    name = ind.get("short_label") or ind.get("indicator_name") or ""
    number_format = ind.get("number_format") or ",.1f"
    period = str(provinces["period_label"].iloc[0]) if len(provinces) else ""
    title = _("{name} by province, {period}").format(name=name, period=period).strip(", ")
    if provinces.empty or (
        provinces["value"].isna().all() and not provinces["suppressed"].fillna(False).any()
    ):
        return figures.empty_figure(_(NO_DATA), title)
    if _is_rate(ind) and provinces["boundary_geojson"].notna().any():
        unit = kpis.unit_words(ind.get("unit")).strip() or _("Value")
        return figures.province_map(
            provinces,
            title=title,
            number_format=number_format,
            colourbar_title=unit,
            selected=selected,
        )
    return figures.bar_figure(
        provinces,
        title=title,
        number_format=number_format,
        unit=ind.get("unit"),
        label_column="geo_name",
        highlight=selected,
    )


def breakdown_block(ind: dict, groups: pd.DataFrame, place: str, period_label: str) -> list[Any]:
    """One small bar chart per disaggregation the indicator carries (sex, age band, disability)."""
    carried = [g for g in _split(ind.get("disaggregations")) if g in GROUP_TITLES]
    title = html.H2(
        _("By group, {place}, {period}").format(place=place, period=period_label),
        className="cp-section-title",
    )
    if not carried:
        return [
            title,
            html.P(
                _("This indicator is not broken down by sex, age or disability."),
                className="cp-empty",
                id="indicator-groups-none",
            ),
        ]
    blocks: list[Any] = [title]
    number_format = ind.get("number_format") or ",.1f"
    labels = {value: _(label) for value, label in GROUP_LABELS.items()}
    for group in carried:
        group_title = _(GROUP_TITLES[group])
        rows = groups[groups["disaggregation"] == group].assign(
            label=lambda f: f["disaggregation_value"].map(labels).fillna(f["disaggregation_value"])
        )
        if rows.empty:
            blocks.append(
                html.P(f"{group_title}: {_(NO_DATA).lower()}.", className="cp-empty mb-2")
            )
            continue
        if rows["value"].isna().all():
            blocks.append(html.P(every_group_hidden(group_title), className="cp-empty mb-2"))
            continue
        fig = figures.bar_figure(
            rows,
            title=group_title,
            number_format=number_format,
            unit=ind.get("unit"),
            sort=False,
            height=70 + 34 * len(rows),
            compact=True,
        )
        blocks.append(
            dcc.Graph(id=f"indicator-group-{group}-graph", figure=fig, config=GRAPH_CONFIG)
        )
    return blocks


def area_table(ind: dict, areas: pd.DataFrame, area_word: str) -> Any:
    """The areas under the chosen place (provinces of the nation, districts of a province)."""
    if areas.empty or (areas["value"].isna().all() and not areas["suppressed"].fillna(False).any()):
        return html.P(_(NO_DATA), className="cp-empty", id="indicator-areas-empty")
    number_format, unit, kind = ind.get("number_format"), ind.get("unit"), ind.get("kind")
    has_target = ind.get("target_value") is not None
    headings = [_("District") if area_word == "district" else _("Province")]
    if kind == "survey":
        headings += [_("Estimate"), _("95% confidence interval")]
    elif kind == "median":
        headings += [_("Median"), _("Records")]
    elif unit == "count":
        headings += [_("Number")]
    else:
        headings += [_("Value"), _("Counted"), _("Out of")]
    if has_target:
        headings.append(_("Status"))
    header = html.Thead(
        html.Tr(
            [
                html.Th(
                    h,
                    className=None
                    if i == 0 or (has_target and i == len(headings) - 1)
                    else "text-end",
                )
                for i, h in enumerate(headings)
            ]
        )  # fmt: skip
    )

    def number(value: Any, fmt: str | None = ",.0f") -> str:
        return "—" if value is None or pd.isna(value) else kpis.format_number(value, fmt)

    body = []
    for row in areas.to_dict("records"):
        hidden = bool(row.get("suppressed"))
        value = (
            suppressed_text(unit, row.get("suppression_reason"))
            if hidden
            else kpis.format_value(row.get("value"), number_format, unit)
        )
        cells = [html.Td([row["geo_name"], *data_flags(row)])]
        if kind == "survey":
            ci = (
                f"{number(row.get('ci_lower'), number_format)}–"
                f"{number(row.get('ci_upper'), number_format)}"
                if pd.notna(row.get("ci_lower"))
                else "—"
            )
            cells += [html.Td(value, className="text-end"), html.Td(ci, className="text-end")]
        elif kind == "median":
            records = (
                suppressed_text("count", row.get("suppression_reason"))
                if hidden
                else number(row.get("denominator"))
            )
            cells += [html.Td(value, className="text-end"), html.Td(records, className="text-end")]
        elif unit == "count":
            cells += [html.Td(value, className="text-end")]
        else:
            counted = (
                suppressed_text("count", row.get("suppression_reason"))
                if hidden
                else number(row.get("numerator"))
            )
            cells += [
                html.Td(value, className="text-end"),
                html.Td(counted, className="text-end"),
                html.Td(number(row.get("denominator")), className="text-end"),
            ]
        if has_target:
            cells.append(html.Td(status_badge(row.get("status"))))
        body.append(html.Tr(cells))
    return dbc.Table(
        [header, html.Tbody(body)],
        id="indicator-areas-table",
        bordered=False,
        hover=True,
        responsive=True,
        size="sm",
        class_name="cp-table cp-area-table",
    )
