"""Glossary page (``/glossary``): every indicator of the catalogue by sector, and the words the
dashboard uses.

Generated from the published catalogue (``main.dim_indicator``) on every visit, so it never lags
behind it; the terms take their wording from where the dashboard says them (the indicator page's
``KIND_WORDS`` and ``DIRECTION_WORDS``, the scorecard's status note, the privacy words of
``dashboards.words``, the data quality page's notes), so the two cannot drift apart. The page
shows definitions and targets only: no value of any indicator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from cpmonitor.core.access import Role
from dashboards import kpis, queries
from dashboards.components import is_missing, page_header
from dashboards.context import current_role, from_warehouse
from dashboards.i18n import N_, _
from dashboards.pages import Route
from dashboards.pages.data_quality import COMPLETENESS_NOTE, HEATMAP_NOTE, REJECTED_NOTE
from dashboards.pages.indicator import DIRECTION_WORDS, FREQUENCY_WORDS, KIND_WORDS, _day
from dashboards.pages.indicator import _words_for_unit as unit_words  # the indicator page's words
from dashboards.pages.scorecard import STATUS_NOTE
from dashboards.words import exact_note, not_shown_other, privacy_note, protects_another_why

ROUTE = Route(path="/glossary", title=N_("Glossary"), nav_label=N_("Glossary"), order=6)
LEAD = N_(
    "What each indicator of the national framework measures and how it is counted, sector by "
    "sector, and the words used across the dashboard."
)
INDICATOR_PAGE = "indicator"
# The kinds of the catalogue that one dashboard term covers (KIND_WORDS' keys).
RATE_KINDS = ("rate", "flow_rate", "stock_rate")


def layout(**_query: Any) -> html.Div:
    """Fresh on every visit (the catalogue may have changed with the last run)."""
    role = current_role()
    return from_warehouse(lambda warehouse: glossary_content(warehouse, role=role))


def _text(value: Any) -> str:
    return "" if value is None or is_missing(value) else str(value)


def _split(text: Any) -> list[str]:
    return [part.strip() for part in _text(text).split(";") if part.strip()]


def _term(words: str) -> tuple[str, str]:
    """``"Stock: counted on ..."`` -> ``("Stock", "Counted on ...")`` (``Stock : ...`` too)."""
    term, _colon, meaning = words.partition(":")
    term, meaning = term.strip(), meaning.strip()
    return term, meaning[:1].upper() + meaning[1:]


def dashboard_terms() -> list[tuple[str, str]]:
    """The terms a user meets on the dashboard, each with the dashboard's own words for it."""
    kinds = [_term(_(KIND_WORDS[kind])) for kind in KIND_WORDS if kind not in RATE_KINDS]
    rates = [_term(_(KIND_WORDS[kind])) for kind in RATE_KINDS if kind in KIND_WORDS]
    return [
        (_("Not shown (suppressed), protected figures"), privacy_note()),
        (not_shown_other(), protects_another_why() + "."),
        (_("Exact figures"), exact_note()),
        *kinds,
        *rates,
        (
            _("Higher is better, lower is better"),
            " ".join(_(words) for words in DIRECTION_WORDS.values()),
        ),
        (_("On track, off track, progress"), _(STATUS_NOTE)),
        (_("Reporting rate (completeness)"), _(HEATMAP_NOTE)),
        (_("Complete, on time"), _(COMPLETENESS_NOTE)),
        (_("Rows set aside"), _(REJECTED_NOTE)),
    ]


def _terms_card(terms: list[tuple[str, str]]) -> dbc.Card:
    # A <dl> may hold <div> groups of a <dt> and its <dd>: the groups are the grid's columns.
    entries = [
        html.Div(
            [html.Dt(term, className="mb-1"), html.Dd(meaning, className="mb-0 small")],
            className="col-md-6 mb-3",
        )
        for term, meaning in terms
    ]
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(_("Words used on the dashboard"), className="cp-section-title"),
                html.Dl(entries, className="row mb-0", id="glossary-terms"),
            ]
        ),
        id="glossary-terms-card",
        class_name="cp-card mb-4",
    )


def _sources(feeds: list[str], titles: dict[str, str]) -> str:
    return "; ".join(titles.get(feed, feed) for feed in feeds)


def _target(ind: dict[str, Any]) -> str:
    number_format, unit = ind.get("number_format"), ind.get("unit")
    if is_missing(ind.get("target_value")) or is_missing(ind.get("target_year")):
        return _("No target set")
    target = kpis.format_value(ind["target_value"], number_format, unit)
    text = _("{value} by {year} (national)").format(value=target, year=int(ind["target_year"]))
    if not is_missing(ind.get("baseline_value")):
        baseline = kpis.format_value(ind["baseline_value"], number_format, unit)
        when = ind.get("baseline_date")
        if not is_missing(when):
            baseline = _("{value} on {date}").format(value=baseline, date=_day(when))
        text += ", " + _("from a baseline of {baseline}").format(baseline=baseline)
    return text


def indicator_entry(ind: dict[str, Any], titles: dict[str, str], *, link: bool) -> html.Div:
    """One indicator: its name and definition beside its numerator, denominator, unit, how it is
    counted, direction, frequency, target and baseline, and the feeds it is computed from."""
    code = _text(ind.get("indicator_code"))
    kind, frequency = _text(ind.get("kind")), _text(ind.get("frequency"))
    how = [
        unit_words(ind) if _text(ind.get("unit")) else "",
        _(KIND_WORDS[kind]) if kind in KIND_WORDS else kind,
        _(DIRECTION_WORDS.get(_text(ind.get("direction")), DIRECTION_WORDS["none"])),
        _(FREQUENCY_WORDS[frequency]) if frequency in FREQUENCY_WORDS else frequency,
    ]
    facts = [
        (_("Counted (numerator)"), _text(ind.get("numerator_definition"))),
        (_("Out of (denominator)"), _text(ind.get("denominator_definition"))),
        (_("How it is counted"), " · ".join(part for part in how if part)),
        (_("Target"), _target(ind)),
        (_("Source feeds"), _sources(_split(ind.get("source_feeds")), titles)),
    ]
    items: list[Any] = []
    for term, description in facts:
        if description:
            items += [
                html.Dt(term, className="col-lg-3 fw-semibold"),
                html.Dd(description, className="col-lg-9 mb-1"),
            ]
    name: Any = _text(ind.get("indicator_name"))
    if link:
        href = f"/indicator?{urlencode({'code': code})}"
        name = dcc.Link(name, href=href, id=f"glossary-{code}-link")
    return html.Div(
        dbc.Row(
            [
                dbc.Col(
                    [
                        html.H3(
                            [html.Span(code, className="cp-kpi-title me-2"), name],
                            className="h6 fw-semibold mb-1",
                        ),
                        html.P(
                            _text(ind.get("definition")),
                            className="mb-0 small",
                            id=f"glossary-{code}-definition",
                        ),
                    ],
                    lg=5,
                ),
                dbc.Col(html.Dl(items, className="row small mb-0 text-body-secondary"), lg=7),
            ]
        ),
        id=f"glossary-{code}",
        className="border-top pt-2 pb-2",
    )


def sectors(catalogue: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    """``(sector_code, sector_name, indicators)`` in catalogue order (a sector where its first
    indicator is), each sector's indicators in catalogue order."""
    ordered = catalogue.sort_values("catalogue_order", kind="stable")
    codes = ordered["sector_code"].fillna("")
    return [
        (str(code), _text(frame["sector_name"].iloc[0]) or str(code), frame)
        for code, frame in ordered.groupby(codes, sort=False)
    ]


def glossary_content(warehouse: Path, *, role: Role) -> html.Div:
    """Contents, the dashboard's words, then every indicator under its sector."""
    catalogue = queries.catalogue(warehouse)
    feed_codes = sorted({feed for text in catalogue["source_feeds"] for feed in _split(text)})
    feeds = queries.indicator_feeds(warehouse, feed_codes)
    titles = {
        row["feed"]: f"{row['title']} ({row['entity_name']})" for row in feeds.to_dict("records")
    }
    link = role.may_open(INDICATOR_PAGE)
    groups = sectors(catalogue)
    contents = html.Ul(
        [
            html.Li(
                html.A(f"{name} ({len(frame)})", href=f"#glossary-sector-{code}"),
                className="list-inline-item me-3",
            )
            for code, name, frame in groups
        ],
        className="list-inline mb-0",
        id="glossary-contents",
    )
    sections = [
        dbc.Card(
            dbc.CardBody(
                [
                    html.H2(f"{name}", className="cp-section-title"),
                    *[indicator_entry(ind, titles, link=link) for ind in frame.to_dict("records")],
                ]
            ),
            id=f"glossary-sector-{code}",
            class_name="cp-card mb-4",
        )
        for code, name, frame in groups
    ]
    return html.Div(
        [
            page_header(_(ROUTE.title), _(LEAD)),
            dbc.Card(
                dbc.CardBody([html.H2(_("Sectors"), className="cp-section-title"), contents]),
                class_name="cp-card mb-4",
            ),
            _terms_card(dashboard_terms()),
            *sections,
        ]
    )
