"""Data quality page (``/data-quality``): what the published warehouse was built from, what was
refused or flagged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from cpmonitor.core.access import Role
from dashboards import queries
from dashboards.components import data_table, format_timestamp, page_header
from dashboards.context import current_role, from_warehouse, hide_below
from dashboards.pages import Route

ROUTE = Route(path="/data-quality", title="Data quality", nav_label="Data quality", order=3)
LEAD = (
    "What the published figures were built from: the files each ministry delivered, whether they "
    "came complete and on time, the files refused, and the checks that failed or raised a warning."
)
COMPLETENESS_NOTE = (
    "For each feed, the periods expected from its first delivery up to the last period already due "
    "(the end of the period plus the days the contract allows). Complete: periods with a usable file. "
    "On time: periods whose first usable file arrived by the due date. Refused files do not count "
    "as received."
)


def layout(**_query: Any) -> html.Div:
    """Fresh on every visit."""
    role = current_role()
    return from_warehouse(lambda warehouse: quality_content(warehouse, role=role))


def _humanise(expectation: Any) -> str:
    text = str(expectation or "")
    return text.removeprefix("expect_").replace("_", " ").capitalize()


def _severity_badge(severity: Any) -> dbc.Badge:
    is_error = severity == "error"
    return dbc.Badge(
        "Failed" if is_error else "Warning",
        color="danger" if is_error else "warning",
        text_color=None if is_error else "dark",
        class_name="cp-badge",
    )


def _count(value: Any) -> str:
    """A count as people read it; a count hidden from the role (``<5``) or none stays as it is."""
    if isinstance(value, str):
        return value
    if value is None or pd.isna(value):
        return "—"
    return f"{int(value):,}"


def _summary_card(card_id: str, title: str, value: str, note: str) -> dbc.Col:
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(title, className="cp-kpi-title"),
                    html.Div(value, id=f"{card_id}-value", className="cp-kpi-value cp-kpi-small"),
                    html.Div(note, className="cp-kpi-when"),
                ]
            ),
            id=card_id,
            class_name="cp-card cp-kpi h-100",
        ),
        md=6,
        xl=3,
    )


def quality_content(warehouse: Path, *, role: Role) -> html.Div:
    """Summary cards and the three tables."""
    published = queries.published_at(warehouse)
    feeds = queries.feed_summary(warehouse)
    refused = queries.quarantined_files(warehouse, hide_below=hide_below(role))
    # Check details can quote small counts ("2021-02: 1 against a usual 9.5"): not for donors.
    problems = queries.check_problems(warehouse, hide_below=hide_below(role))
    counts = queries.check_counts(warehouse)
    completeness = queries.reporting_completeness(warehouse)

    feeds = feeds.assign(
        status=[
            dbc.Badge(f"{n} refused", color="warning", text_color="dark", class_name="cp-badge")
            if n
            else dbc.Badge("All loaded", color="success", class_name="cp-badge")
            if loaded
            else dbc.Badge("Nothing received", color="secondary", class_name="cp-badge")
            for n, loaded in zip(feeds["files_quarantined"], feeds["files_loaded"], strict=True)
        ]
    )
    summary = dbc.Row(
        [
            _summary_card(
                "dq-published", "Published", format_timestamp(published), "Latest published run"
            ),
            _summary_card(
                "dq-files",
                "Files loaded",
                _count(feeds["files_loaded"].sum()),
                f"from {feeds['entity'].nunique()} reporting entities, {len(feeds)} feeds",
            ),
            _summary_card(
                "dq-refused", "Files refused", _count(len(refused)), "Quarantined, not used"
            ),
            _summary_card(
                "dq-checks",
                "Checks",
                f"{counts['passed']:,} passed",
                f"{counts['warned']:,} warnings, {counts['failed']:,} failed",
            ),
        ],
        class_name="g-3 mb-4",
    )

    feeds_table = data_table(
        feeds,
        {
            "entity_name": "Reporting entity",
            "feed_title": "Feed",
            "frequency": "Delivered",
            "status": "Status",
            "files_loaded": "Files loaded",
            "files_quarantined": "Files refused",
            "latest_period": "Latest period",
            "rows_loaded": "Rows loaded",
            "last_received": "Last received",
        },
        id_prefix="dq-feeds",
        formatters={"rows_loaded": _count, "last_received": format_timestamp},
        numeric=("files_loaded", "files_quarantined", "rows_loaded"),
    )
    if refused.empty:
        refused_block: Any = html.P("No delivered file was refused.", className="cp-empty")
    else:
        refused_block = data_table(
            refused,
            {
                "received_at": "Received",
                "entity_name": "Reporting entity",
                "feed_title": "Feed",
                "period": "Period",
                "source_file": "File",
                "reason": "Why it was refused",
            },
            id_prefix="dq-quarantine",
            formatters={"received_at": format_timestamp},
        )
    if problems.empty:
        problems_block: Any = html.P("All checks passed.", className="cp-empty")
    else:
        problems_block = data_table(
            problems,
            {
                "severity": "Result",
                "expectation": "Check",
                "suite": "Suite",
                "target": "Checked",
                "column_name": "Column",
                "unexpected_count": "Rows affected",
                "details": "Details",
                "checked_at": "When",
            },
            id_prefix="dq-checks",
            formatters={
                "severity": _severity_badge,
                "expectation": _humanise,
                "unexpected_count": _count,
                "checked_at": format_timestamp,
            },
            numeric=("unexpected_count",),
        )

    return html.Div(
        [
            page_header(ROUTE.title, LEAD),
            summary,
            _section("Reporting completeness", _completeness_block(completeness)),
            _section("Deliveries by reporting entity and feed", feeds_table),
            _section("Refused files", refused_block),
            _section("Checks that failed or warned", problems_block),
        ]
    )


def _percent(value: Any) -> str:
    return f"{float(value):.0f}%"


def _missing_periods(value: Any) -> str:
    return str(value) if value else "None"


def _completeness_block(completeness: Any) -> Any:
    """The reporting completeness table (DHIS2-style reporting rates) with a one-line explanation."""
    if completeness.empty:
        return html.P(
            "Reporting completeness is not recorded in this warehouse yet; it appears after the "
            "next run.",
            className="cp-empty",
        )
    table = data_table(
        completeness,
        {
            "entity_name": "Reporting entity",
            "feed_title": "Feed",
            "frequency": "Delivered",
            "expected": "Periods expected",
            "completeness_pct": "Complete",
            "timeliness_pct": "On time",
            "late": "Late",
            "missing_periods": "Periods missing or refused",
        },
        id_prefix="dq-completeness",
        formatters={
            "completeness_pct": _percent,
            "timeliness_pct": _percent,
            "expected": _count,
            "late": _count,
            "missing_periods": _missing_periods,
        },
        numeric=("expected", "completeness_pct", "timeliness_pct", "late"),
    )
    return html.Div([html.P(COMPLETENESS_NOTE, className="cp-lead"), table])


def _section(title: str, body: Any) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody([html.H2(title, className="cp-section-title"), body]),
        class_name="cp-card mb-4",
    )
