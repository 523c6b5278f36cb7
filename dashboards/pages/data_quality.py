"""Data quality page (``/data-quality``): what the published warehouse was built from, what was
refused or set aside, and the checks that failed or warned.

The page reads top to bottom as a planner who knows DHIS2 would look: the reporting rate of every
feed by period (a heat map), the files refused whole and the rows set aside within loaded files,
the check findings grouped (by check, feed or result: ``?group=``) in collapsible sections, and
the deliveries per feed. A protected role (donors, the public) reads every count from 1 to the
disclosure threshold - 1 as ``<threshold``, in the tables and in the free text alike.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from cpmonitor.core.access import Role
from dashboards import kpis, queries
from dashboards.components import data_table, format_timestamp, page_header
from dashboards.context import current_role, from_warehouse, hide_below
from dashboards.downloads import download_links
from dashboards.figures import COLOURS, FONT, OKABE_ITO, white_template
from dashboards.i18n import N_, _, ngettext
from dashboards.pages import Route

ROUTE = Route(path="/data-quality", title=N_("Data quality"), nav_label=N_("Data quality"), order=3)
LEAD = N_(
    "What the published figures were built from: the files each ministry delivered, whether they "
    "came complete and on time, the files refused, the rows set aside, and the checks that failed "
    "or raised a warning."
)
COMPLETENESS_NOTE = N_(
    "For each feed, the periods expected from its first delivery up to the last period already due "
    "(the end of the period plus the days the contract allows). Complete: periods with a usable file. "
    "On time: periods whose first usable file arrived by the due date. Refused files do not count "
    "as received."
)
HEATMAP_NOTE = N_(
    "Reporting rate, as in DHIS2: of the reports expected in a period (one per feed, or one per "
    "province office for a feed compiled from offices' reports), the share received on time or "
    "late. A report counts in the column of the month, quarter or year its period ends in; an "
    "empty cell expects no report. Refused files are not received."
)
REJECTED_NOTE = N_(
    "Files that were loaded, but with rows that broke the data contract: those rows are kept in "
    "quarantine and are not in any figure; the other rows are used."
)
GRAPH_CONFIG = {"displaylogo": False}

# Columns of the heat map: the finest period that keeps it to this many columns.
MAX_COLUMNS = 24
ALL_FEEDS = N_("All feeds")
# Vermillion (nothing received) through orange and sky blue to blue (every report received):
# Okabe-Ito's colour-blind-safe hues, so no one has to tell red from green; each cell also
# prints its share.
RATE_COLOURSCALE = [
    [0.0, OKABE_ITO["vermillion"]],
    [0.5, OKABE_ITO["orange"]],
    [0.8, OKABE_ITO["sky_blue"]],
    [1.0, OKABE_ITO["blue"]],
]


def layout(group: str | None = None, **_query: Any) -> html.Div:
    """Fresh on every visit; ``group`` (``check``, ``feed`` or ``result``) groups the findings."""
    role = current_role()
    return from_warehouse(lambda warehouse: quality_content(warehouse, role=role, group=group))


def _humanise(expectation: Any) -> str:
    text = str(expectation or "")
    return text.removeprefix("expect_").replace("_", " ").capitalize()


def _severity_badge(severity: Any) -> dbc.Badge:
    is_error = severity == "error"
    return dbc.Badge(
        _("Failed") if is_error else _("Warning"),
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
    return kpis.format_number(int(value), ",.0f")


def _summary_card(card_id: str, title: str, value: str, note: str) -> dbc.Col:
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(title, className="cp-kpi-title"),
                    html.Div(value, id=f"{card_id}-value", className="cp-kpi-value cp-kpi-small"),
                    html.Div(note, id=f"{card_id}-note", className="cp-kpi-when"),
                ]
            ),
            id=card_id,
            class_name="cp-card cp-kpi h-100",
        ),
        md=6,
        xl=True,
    )


def _rows_set_aside(rejected: pd.DataFrame, threshold: int | None) -> str:
    """The total of rows set aside, ``<threshold`` when a protected role may not read it, or
    when one file's count is hidden from it (the total less the others would give it away)."""
    counts = rejected["rows_rejected"]
    if any(isinstance(value, str) for value in counts):
        return f"<{threshold}" if len(counts) == 1 else _("Not shown")
    total = int(pd.to_numeric(counts).sum()) if len(counts) else 0
    if threshold is not None and 0 < total < threshold:
        return f"<{threshold}"
    return kpis.format_number(total, ",.0f")


def quality_content(warehouse: Path, *, role: Role, group: str | None = None) -> html.Div:
    """Summary cards, the reporting-rate heat map, what was refused or set aside, the grouped
    findings and the deliveries per feed."""
    threshold = hide_below(role)
    published = queries.published_at(warehouse)
    feeds = queries.feed_summary(warehouse)
    refused = queries.refused_files(warehouse, hide_below=threshold)
    rejected = queries.rejected_rows(warehouse, hide_below=threshold)
    # Check details can quote small counts ("2021-02: 1 against a usual 9.5"): not for donors.
    problems = queries.check_problems(warehouse, hide_below=threshold)
    counts = queries.check_counts(warehouse)
    completeness = queries.reporting_completeness(warehouse)
    expected = queries.expected_reports(warehouse)

    summary = dbc.Row(
        [
            _summary_card(
                "dq-published",
                _("Published"),
                format_timestamp(published),
                _("Latest published run"),
            ),
            _summary_card(
                "dq-files",
                _("Files loaded"),
                _count(feeds["files_loaded"].sum()),
                _("from {entities} reporting entities, {feeds} feeds").format(
                    entities=feeds["entity"].nunique(), feeds=len(feeds)
                ),
            ),
            _summary_card(
                "dq-refused", _("Files refused"), _count(len(refused)), _("Quarantined, not used")
            ),
            _summary_card(
                "dq-rejected",
                _("Rows set aside"),
                _rows_set_aside(rejected, threshold),
                ngettext("within {n} loaded file", "within {n} loaded files", len(rejected)).format(
                    n=_count(len(rejected))
                ),
            ),
            _summary_card(
                "dq-checks",
                _("Checks"),
                _("{n} passed").format(n=_count(counts["passed"])),
                _("{warned} warnings, {failed} failed").format(
                    warned=_count(counts["warned"]), failed=_count(counts["failed"])
                ),
            ),
        ],
        class_name="g-3 mb-4",
    )
    return html.Div(
        [
            page_header(_(ROUTE.title), _(LEAD)),
            summary,
            _section(
                _("Reporting completeness"),
                _completeness_block(expected, completeness),
                html.Div(
                    [
                        download_links("quality-reports", role=role, label=_("Heat map:")),
                        download_links(
                            "quality-completeness", role=role, label=_("Totals per feed:")
                        ),
                    ]
                ),
            ),
            _section(
                _("Refused files"),
                _refused_block(refused),
                download_links("quality-refused", role=role),
            ),
            _section(
                _("Rows set aside within loaded files"),
                _rejected_block(rejected),
                download_links("quality-rejected", role=role),
            ),
            _section(
                _("Checks that failed or warned"),
                _findings_block(problems, _feed_titles(feeds), group),
                download_links("quality-checks", role=role),
            ),
            _section(
                _("Deliveries by reporting entity and feed"),
                _deliveries_block(feeds),
                download_links("quality-feeds", role=role),
            ),
        ]
    )


# --- reporting completeness ----------------------------------------------------------------------


def _column_kind(ends: pd.Series) -> str:
    """``month``, ``quarter`` or ``year``: the finest that keeps the heat map to ``MAX_COLUMNS``."""
    first, last = ends.min(), ends.max()
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months <= MAX_COLUMNS:
        return "month"
    quarters = (last.year - first.year) * 4 + (last.month - 1) // 3 - (first.month - 1) // 3 + 1
    return "quarter" if quarters <= MAX_COLUMNS else "year"


def _column_of(end: pd.Timestamp, kind: str) -> tuple[pd.Timestamp, str]:
    """The first day and the label of the column a report whose period ends on ``end`` is in."""
    if kind == "month":
        return pd.Timestamp(end.year, end.month, 1), end.strftime("%b %Y")
    if kind == "quarter":
        quarter = (end.month - 1) // 3 + 1
        return pd.Timestamp(end.year, 3 * quarter - 2, 1), f"{end.year} Q{quarter}"
    return pd.Timestamp(end.year, 1, 1), str(end.year)


def completeness_cells(expected: pd.DataFrame) -> pd.DataFrame:
    """The heat map's cells from ``queries.expected_reports``: one per feed (and ``ALL_FEEDS``)
    and column with at least one expected report.

    Columns: ``row`` (the feed's title; ``ALL_FEEDS`` first), ``entity_name``, ``column`` (label),
    ``column_start``, ``expected``, ``received``, ``rate`` (received / expected x 100) and
    ``periods`` (the feed periods in the cell, e.g. ``2018-Q3``), rows in the order of the feeds,
    columns oldest first.
    """
    columns = ["row", "entity_name", "column", "column_start", "expected", "received", "rate",
               "periods"]  # fmt: skip
    if expected.empty:
        return pd.DataFrame(columns=columns)
    kind = _column_kind(expected["feed_period_end"])
    placed = [_column_of(end, kind) for end in expected["feed_period_end"]]
    frame = expected.assign(
        column_start=[start for start, _label in placed],
        column=[label for _start, label in placed],
        received=expected["is_received"].astype(bool).astype(int),
    )
    order = list(dict.fromkeys(frame["feed_title"]))
    by_feed = (
        frame.groupby(["feed_title", "column_start", "column"], as_index=False)
        .agg(
            entity_name=("entity_name", "first"),
            expected=("received", "size"),
            received=("received", "sum"),
            periods=("feed_period", lambda p: ", ".join(dict.fromkeys(p))),
        )
        .rename(columns={"feed_title": "row"})
    )
    overall = (
        frame.groupby(["column_start", "column"], as_index=False)
        .agg(expected=("received", "size"), received=("received", "sum"))
        .assign(row=_(ALL_FEEDS), entity_name=_("Every reporting entity"), periods="")
    )
    cells = pd.concat([overall, by_feed], ignore_index=True)
    cells["rate"] = 100.0 * cells["received"] / cells["expected"]
    rank = {name: i for i, name in enumerate([_(ALL_FEEDS), *order])}
    cells = cells.assign(rank=cells["row"].map(rank)).sort_values(["rank", "column_start"])
    return cells[columns].reset_index(drop=True)


def completeness_figure(cells: pd.DataFrame) -> go.Figure:
    """The heat map: feeds down, periods across, coloured by the share of reports received."""
    rows = list(dict.fromkeys(cells["row"]))
    ordered = cells.sort_values("column_start")
    columns = list(dict.fromkeys(ordered["column"]))
    grid = cells.pivot(index="row", columns="column", values="rate").reindex(
        index=rows, columns=columns
    )
    lookup = {(cell["row"], cell["column"]): cell for cell in cells.to_dict("records")}
    hover, text = [], []
    for row in rows:
        hover_row, text_row = [], []
        for column in columns:
            cell = lookup.get((row, column))
            if cell is None:
                hover_row.append(f"{row}<br>{column}: " + _("no report expected"))
                text_row.append("")
                continue
            what = f" ({cell['periods']})" if cell["periods"] else ""
            hover_row.append(
                f"<b>{row}</b><br>{cell['entity_name']}<br>{column}{what}: "
                + _("{received} of {expected} expected reports received ({percent}%)").format(
                    received=int(cell["received"]),
                    expected=int(cell["expected"]),
                    percent=f"{cell['rate']:.0f}",
                )
            )
            text_row.append(f"{cell['rate']:.0f}%")
        hover.append(hover_row)
        text.append(text_row)
    heatmap = go.Heatmap(
        z=grid.to_numpy(dtype=float),
        x=columns,
        y=rows,
        zmin=0,
        zmax=100,
        colorscale=RATE_COLOURSCALE,
        text=text,
        texttemplate="%{text}",
        textfont={"size": 11},
        customdata=hover,
        hovertemplate="%{customdata}<extra></extra>",
        xgap=2,
        ygap=2,
        colorbar={"title": {"text": _("% received"), "side": "right"}, "thickness": 12},
    )
    # The whole layout at once: each update of a made figure costs as much as making it.
    layout = {
        "font": {"family": FONT, "color": COLOURS["text"], "size": 12},
        "height": max(180, 60 + 24 * len(rows)),
        "margin": {"l": 8, "r": 8, "t": 8, "b": 48},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "yaxis": {"autorange": "reversed", "automargin": True, "showgrid": False, "ticks": ""},
        "xaxis": {
            "side": "bottom",
            "showgrid": False,
            "ticks": "",
            "tickangle": -45 if len(columns) > 8 else 0,
        },
    }
    return white_template(go.Figure(data=[heatmap], layout=layout))


# Pixels for the feed names, each column and the colour bar.
LABELS_PX, COLUMN_PX, COLOURBAR_PX = 240, 46, 90


def heatmap_min_width(cells: pd.DataFrame) -> int:
    """The narrowest the heat map is drawn, in pixels: room for every column's "100%"."""
    return LABELS_PX + COLUMN_PX * cells["column"].nunique() + COLOURBAR_PX


def _percent(value: Any) -> str:
    return f"{float(value):.0f}%"


def _missing_periods(value: Any) -> str:
    return str(value) if value else _("None")


def _completeness_block(expected: pd.DataFrame, completeness: pd.DataFrame) -> Any:
    """The reporting-rate heat map over the per-feed totals (collapsed)."""
    if completeness.empty and expected.empty:
        return html.P(
            _(
                "Reporting completeness is not recorded in this warehouse yet; it appears after "
                "the next run."
            ),
            className="cp-empty",
        )
    parts: list[Any] = []
    if not expected.empty:
        cells = completeness_cells(expected)
        parts += [
            html.P(_(HEATMAP_NOTE), className="cp-lead"),
            # Never squeezed below a readable cell (a phone scrolls it sideways instead).
            html.Div(
                dcc.Graph(
                    id="dq-completeness-heatmap",
                    figure=completeness_figure(cells),
                    config=GRAPH_CONFIG,
                    style={"minWidth": f"{heatmap_min_width(cells)}px"},
                ),
                className="overflow-auto",
            ),
        ]
    if completeness.empty:
        parts.append(
            html.P(
                _(
                    "Totals per feed are not recorded in this warehouse yet; they appear after "
                    "the next run."
                ),
                className="cp-empty",
            )
        )
    else:
        table = data_table(
            completeness,
            {
                "entity_name": _("Reporting entity"),
                "feed_title": _("Feed"),
                "frequency": _("Delivered"),
                "expected": _("Periods expected"),
                "completeness_pct": _("Complete"),
                "timeliness_pct": _("On time"),
                "late": _("Late"),
                "missing_periods": _("Periods missing or refused"),
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
        parts.append(
            dbc.Accordion(
                dbc.AccordionItem(
                    [html.P(_(COMPLETENESS_NOTE), className="cp-lead"), table],
                    title=_("Totals per feed since its first delivery"),
                    item_id="totals",
                ),
                id="dq-completeness-totals",
                start_collapsed=True,
                class_name="mt-2",
            )
        )
    return html.Div(parts)


# --- what was refused or set aside ---------------------------------------------------------------


def _nowrap(value: Any) -> html.Span:
    return html.Span("" if value is None else str(value), className="text-nowrap")


def _file_name(path: Any) -> html.Span:
    """The file's name, its whole path as the tooltip."""
    text = str(path or "")
    return html.Span(text.rsplit("/", 1)[-1], title=text)


def _without_file(reason: Any, source_file: Any) -> Any:
    """A ledger reason without the file's path it starts with (the table shows the file)."""
    prefix = f"{source_file}: "
    return (
        reason[len(prefix) :] if isinstance(reason, str) and reason.startswith(prefix) else reason
    )


def _refused_block(refused: pd.DataFrame) -> Any:
    if refused.empty:
        return html.P(_("No delivered file was refused."), className="cp-empty")
    reasons = map(_without_file, refused["reason"], refused["source_file"])
    return data_table(
        refused.assign(reason=list(reasons)),
        {
            "source_file": _("File"),
            "feed_title": _("Feed"),
            "period": _("Period"),
            "rows": _("Rows"),
            "reason": _("Why it was refused"),
            "received_at": _("Received"),
        },
        id_prefix="dq-quarantine",
        formatters={
            "source_file": _file_name,
            "period": _nowrap,
            "rows": _count,
            "received_at": format_timestamp,
        },
        numeric=("rows",),
    )


def _rejected_block(rejected: pd.DataFrame) -> Any:
    if rejected.empty:
        return html.P(_("No rows were set aside within the loaded files."), className="cp-empty")
    table = data_table(
        rejected,
        {
            "source_file": _("File"),
            "feed_title": _("Feed"),
            "period": _("Period"),
            "rows_rejected": _("Rows set aside"),
            "rows": _("Of rows"),
            "reason": _("Why"),
        },
        id_prefix="dq-rejected",
        formatters={
            "source_file": _file_name,
            "period": _nowrap,
            "rows_rejected": _count,
            "rows": _count,
        },
        numeric=("rows_rejected", "rows"),
    )
    return html.Div([html.P(_(REJECTED_NOTE), className="cp-lead"), table])


# --- check findings, grouped ---------------------------------------------------------------------

GROUPINGS = {"check": N_("Check"), "feed": N_("Feed"), "result": N_("Result")}
RESULT_WORDS = {"error": N_("Failed"), "warning": N_("Warnings")}


def _feed_titles(feeds: pd.DataFrame) -> dict[str, str]:
    return dict(zip(feeds["feed"], feeds["feed_title"], strict=True))


def _suite_label(suite: Any, titles: dict[str, str]) -> str:
    """A check suite for people: a feed's suite (``feed.cases`` or ``cases``) as the feed's title,
    another (``cross_feed``, ``outliers``, ``marts``) in words."""
    name = str(suite or "")
    feed = name.removeprefix("feed.")
    if feed in titles:
        return titles[feed]
    return name.replace("_", " ").replace(".", " ").capitalize() or _("Other")


def group_findings(
    problems: pd.DataFrame, titles: dict[str, str], by: str
) -> list[tuple[str, pd.DataFrame]]:
    """The findings in groups (``by``: ``check``, ``feed`` or ``result``), the groups with a
    failed check first, then the largest, then by name; each group keeps the findings' order."""
    if problems.empty:
        return []
    if by == "feed":
        keys = problems["suite"].map(lambda suite: _suite_label(suite, titles))
    elif by == "result":
        keys = problems["severity"].map(lambda s: _(RESULT_WORDS.get(s, "Failed")))
    else:
        keys = problems["expectation"].map(_humanise)
    groups = [(str(key), frame) for key, frame in problems.groupby(keys, sort=False)]
    return sorted(
        groups,
        key=lambda item: (not (item[1]["severity"] == "error").any(), -len(item[1]), item[0]),
    )


def _group_links(active: str) -> html.Div:
    links: list[Any] = [html.Span(_("Group by:") + " ", className="cp-hint me-1")]
    for key, word in GROUPINGS.items():
        label = _(word)
        if key == active:
            links.append(html.Strong(label, className="me-3", id=f"dq-group-{key}"))
        else:
            href = f"{ROUTE.path}?{urlencode({'group': key})}"
            links.append(dcc.Link(label, href=href, className="me-3", id=f"dq-group-{key}"))
    return html.Div(links, className="mb-2")


def _group_title(name: str, frame: pd.DataFrame) -> html.Span:
    errors = int((frame["severity"] == "error").sum())
    warnings = len(frame) - errors
    badges = []
    if errors:
        badges.append(
            dbc.Badge(_("{n} failed").format(n=errors), color="danger", class_name="cp-badge ms-2")
        )
    if warnings:
        badges.append(
            dbc.Badge(
                ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings),
                color="warning",
                text_color="dark",
                class_name="cp-badge ms-2",
            )
        )
    return html.Span([html.Span(name, className="fw-semibold"), *badges])


def _findings_table(frame: pd.DataFrame, id_prefix: str, by: str) -> dbc.Table:
    columns: dict[str, str] = {
        "severity": _("Result"),
        "expectation": _("Check"),
        "target": _("Checked"),
        "column_name": _("Column"),
        "unexpected_count": _("Rows affected"),
        "details": _("Details"),
        "checked_at": _("When"),
    }
    if by == "check":
        columns.pop("expectation")
    if by == "result":
        columns.pop("severity")
    formatters: dict[str, Callable[[Any], Any]] = {
        "severity": _severity_badge,
        "expectation": _humanise,
        "target": _file_name,
        "unexpected_count": _count,
        "checked_at": format_timestamp,
    }
    return data_table(
        frame,
        columns,
        id_prefix=id_prefix,
        formatters=formatters,
        numeric=("unexpected_count",),
    )


def _findings_block(problems: pd.DataFrame, titles: dict[str, str], group: str | None) -> Any:
    by = group if group in GROUPINGS else "check"
    if problems.empty:
        return html.P(_("All checks passed."), className="cp-empty")
    groups = group_findings(problems, titles, by)
    items = [
        dbc.AccordionItem(
            # The first group's table keeps the page's long-standing id.
            _findings_table(frame, "dq-checks" if i == 0 else f"dq-checks-{i}", by),
            title=_group_title(name, frame),
            item_id=f"group-{i}",
        )
        for i, (name, frame) in enumerate(groups)
    ]
    return html.Div(
        [
            _group_links(by),
            dbc.Accordion(
                items,
                id="dq-findings",
                active_item=["group-0"],
                always_open=True,
            ),
        ]
    )


# --- deliveries ----------------------------------------------------------------------------------


def _feeds_table(feeds: pd.DataFrame) -> dbc.Table:
    feeds = feeds.assign(
        status=[
            dbc.Badge(
                _("{n} refused").format(n=n),
                color="warning",
                text_color="dark",
                class_name="cp-badge",
            )
            if n
            else dbc.Badge(_("All loaded"), color="success", class_name="cp-badge")
            if loaded
            else dbc.Badge(_("Nothing received"), color="secondary", class_name="cp-badge")
            for n, loaded in zip(feeds["files_quarantined"], feeds["files_loaded"], strict=True)
        ]
    )
    return data_table(
        feeds,
        {
            "entity_name": _("Reporting entity"),
            "feed_title": _("Feed"),
            "frequency": _("Delivered"),
            "status": _("Status"),
            "files_loaded": _("Files loaded"),
            "files_quarantined": _("Files refused"),
            "latest_period": _("Latest period"),
            "rows_loaded": _("Rows loaded"),
            "last_received": _("Last received"),
        },
        id_prefix="dq-feeds",
        formatters={"rows_loaded": _count, "last_received": format_timestamp},
        numeric=("files_loaded", "files_quarantined", "rows_loaded"),
    )


def _deliveries_block(feeds: pd.DataFrame) -> dbc.Accordion:
    """The deliveries table, folded: the heat map above answers "did it arrive" at a glance."""
    refused = int((feeds["files_quarantined"] > 0).sum())
    nothing = int(((feeds["files_loaded"] + feeds["files_quarantined"]) == 0).sum())
    parts = [_("{n} feeds").format(n=len(feeds))]
    if refused:
        parts.append(_("{n} with a refused file").format(n=refused))
    if nothing:
        parts.append(_("{n} with nothing received").format(n=nothing))
    return dbc.Accordion(
        dbc.AccordionItem(
            _feeds_table(feeds),
            title=_("Files loaded and refused per feed:") + " " + ", ".join(parts),
        ),
        id="dq-deliveries",
        start_collapsed=True,
    )


def _section(title: str, body: Any, links: Any = None) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody([html.H2(title, className="cp-section-title"), body, links]),
        class_name="cp-card mb-4",
    )
