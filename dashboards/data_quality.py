"""Data quality page content: what the published warehouse was built from, what was refused or flagged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dash_bootstrap_components as dbc
import duckdb
from dash import html

from dashboards import queries
from dashboards.components import (
    data_table,
    format_timestamp,
    not_published,
    page_header,
    unreadable,
)

LEAD = (
    "What the published figures were built from: the files each ministry delivered, the files "
    "refused, and the checks that failed or raised a warning."
)


def page_layout(warehouse: Path) -> html.Div:
    """Page content, read fresh from the published warehouse on each visit."""
    if not queries.warehouse_exists(warehouse):
        return not_published()
    try:
        return quality_content(warehouse)
    except queries.WarehouseNotPublishedError:
        return not_published()
    except duckdb.Error as exc:
        return unreadable(exc)


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


def quality_content(warehouse: Path) -> html.Div:
    """Summary cards and the three tables."""
    published = queries.published_at(warehouse)
    feeds = queries.feed_summary(warehouse)
    refused = queries.quarantined_files(warehouse)
    problems = queries.check_problems(warehouse)
    counts = queries.check_counts(warehouse)

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
            page_header("Data quality", LEAD),
            summary,
            _section("Deliveries by reporting entity and feed", feeds_table),
            _section("Refused files", refused_block),
            _section("Checks that failed or warned", problems_block),
        ]
    )


def _section(title: str, body: Any) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody([html.H2(title, className="cp-section-title"), body]),
        class_name="cp-card mb-4",
    )
