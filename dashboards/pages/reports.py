"""Reports page (``/reports``): the progress report of each period the role may read, as PDF or
HTML, the same as ``cpmonitor report`` writes (``dashboards/downloads.py`` serves them). A donor
gets the donor report: protected values only, whole years."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboards import queries
from dashboards.components import page_header
from dashboards.context import current_role, current_warehouse
from dashboards.downloads import report_href
from dashboards.i18n import N_, _
from dashboards.pages import Route

ROUTE = Route(path="/reports", title=N_("Reports"), nav_label=N_("Reports"), order=4)
LEAD = N_(
    "Progress reports for each period: an executive summary written from the figures, results "
    "against targets by sector, care reform, data quality and methodology. Each names the "
    "warehouse version it was built from."
)
SHOWN = 10  # years


def layout(**_query: Any) -> html.Div:
    role = current_role()
    if not role.may("downloads"):
        return html.Div(
            page_header(_(ROUTE.title), _("Your role does not include downloads.")),
            id="reports-refused",
        )
    periods = queries.report_periods(current_warehouse(), role=role)
    who = (
        _("Exact figures, for use within the ministry.")
        if role.exact
        else _("As you see the dashboard: small counts, and what would reveal them, are not shown.")
    )
    years = [period for period, _label in periods if len(period) == 4][:SHOWN]
    quarters = {period: label for period, label in periods if "-Q" in period}
    if not years:
        body: Any = html.P(_("No period has values yet."), className="cp-empty")
    else:
        body = html.Table(
            [
                html.Thead(
                    html.Tr(
                        [html.Th(_("Year"), scope="col"), html.Th(_("Whole year"), scope="col")]
                        + (
                            [html.Th(f"Q{q}", scope="col") for q in (1, 2, 3, 4)]
                            if quarters
                            else []
                        )
                    )
                ),
                html.Tbody(
                    [
                        html.Tr(
                            [html.Th(year, scope="row"), html.Td(_links(year, year))]
                            + (
                                [
                                    html.Td(
                                        _links(f"{year}-Q{q}", quarters[f"{year}-Q{q}"])
                                        if f"{year}-Q{q}" in quarters
                                        else "—"
                                    )
                                    for q in (1, 2, 3, 4)
                                ]
                                if quarters
                                else []
                            )
                        )
                        for year in years
                    ]
                ),
            ],
            className="table table-sm align-middle cp-report-table",
            id="report-list",
        )
        body = html.Div(body, className="table-responsive")  # scrolls sideways on a phone
    return html.Div(
        [page_header(_(ROUTE.title), _(LEAD)), html.P(who, className="cp-source"), body],
        id="reports",
    )


def _links(period: str, label: str) -> list[html.A]:
    """The PDF and HTML links of one period's report, labelled for screen readers."""
    return [
        html.A(
            fmt.upper(),
            href=report_href(period, fmt),
            className=f"btn btn-sm btn-outline-{'primary' if fmt == 'pdf' else 'secondary'} me-1",
            id=f"report-{period}-{fmt}",
            **{
                "aria-label": _("Report {period}, {format}").format(
                    period=label, format=fmt.upper()
                )
            },
        )
        for fmt in ("pdf", "html")
    ]
