"""The data quality page: deliveries counted with the one set of ledger statuses, as the CLI does;
the reporting-rate heat map; refused files and rows set aside; findings grouped; and what a
protected role may not read kept from it.

The fixture warehouse's own ledger (``tests/warehouse_fixture.py``) has the placements file loaded
whole, the care institutions register with 2 of 48 rows set aside, the population projection with
12 of 1632 and one refused placements file of 120 rows; its expected reports
(``analysis.reporting_completeness``) are placements 2018-10 missing, 2018-11 refused, 2018-12 on
time, cases 2018-10 on time, 2018-11 missing, 2018-12 late and the cash transfer's 2018-Q3 on time.
``ledger_warehouse`` adds a feed whose deliveries were all ``loaded_with_rejections``, a feed whose
first delivery was superseded by a corrected one, and a stray file the ingest skipped. Expected
values are worked out by hand.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import dash_bootstrap_components as dbc
import duckdb
import pandas as pd
import pytest
from auth_helpers import PLANNER, as_role
from warehouse_fixture import WHY_PROJECTION, WHY_REGISTER, build_fixture_warehouse

from cpmonitor.core.settings import Settings
from cpmonitor.core.statuses import LEDGER_STATUSES
from cpmonitor.status import summarise_feeds
from dashboards import queries
from dashboards.app import create_app
from dashboards.pages import data_quality

DELIVERIES = [
    # Child protection cases: two months, each with a few rows set aside in quarantine.
    {"source_file": "mosa/cases/2018-11/cases_nov.parquet", "entity": "mosa", "feed": "cases",
     "period": "2018-11", "sha256": "e" * 64, "size_bytes": 40_000, "rows": 500,
     "rows_rejected": 3, "status": "loaded_with_rejections",
     "reason": "mosa/cases/2018-11/cases_nov.parquet: 3 of 500 rows rejected (kept in quarantine)"},
    {"source_file": "mosa/cases/2018-12/cases_dec.parquet", "entity": "mosa", "feed": "cases",
     "period": "2018-12", "sha256": "f" * 64, "size_bytes": 41_000, "rows": 520,
     "rows_rejected": 2, "status": "loaded_with_rejections",
     "reason": "mosa/cases/2018-12/cases_dec.parquet: 2 of 520 rows rejected (kept in quarantine)"},
    # A stray file next to them: not a delivery.
    {"source_file": "mosa/cases/2018-12/readme.txt", "entity": "mosa", "feed": "cases",
     "period": "2018-12", "sha256": "0" * 64, "size_bytes": 12, "status": "skipped",
     "reason": "not a Parquet file"},
    # Detentions: December delivered, then corrected by a resubmission with one row set aside.
    {"source_file": "prisons/detentions/2018-12/detentions.parquet", "entity": "prisons",
     "feed": "detentions", "period": "2018-12", "sha256": "1" * 64, "size_bytes": 3_000,
     "rows": 40, "status": "superseded",
     "superseded_by": "prisons/detentions/2018-12/detentions_v2.parquet"},
    {"source_file": "prisons/detentions/2018-12/detentions_v2.parquet", "entity": "prisons",
     "feed": "detentions", "period": "2018-12", "sha256": "2" * 64, "size_bytes": 3_100,
     "rows": 42, "rows_rejected": 1, "status": "loaded_with_rejections"},
]  # fmt: skip


@pytest.fixture(scope="module")
def ledger_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ledger") / "cpmonitor.duckdb"
    build_fixture_warehouse(path, deliveries=DELIVERIES)
    return path


def _feed_row(table: object, title: str) -> str:
    """The text of the feeds table's row for the feed titled ``title``."""
    rows = [str(row) for row in table._traverse() if type(row).__name__ == "Tr"]
    (row,) = [row for row in rows if f"'{title}'" in row]
    return row


def test_a_feed_loaded_with_rejections_counts_as_loaded(ledger_warehouse: Path) -> None:
    feeds = queries.feed_summary(ledger_warehouse).set_index("feed")
    cases = feeds.loc["cases"]
    assert (cases["files_loaded"], cases["files_quarantined"]) == (2, 0)
    assert cases["latest_period"] == "2018-12"
    assert cases["rows_loaded"] == (500 - 3) + (520 - 2)  # rows set aside are not loaded
    detentions = feeds.loc["detentions"]
    # Both deliveries were accepted; only the correction's 41 good rows are in use.
    assert (detentions["files_loaded"], detentions["rows_loaded"]) == (2, 41)
    assert feeds.loc["survey_estimates", "files_loaded"] == 0  # still nothing received


def test_the_page_shows_it_received_with_its_counts(ledger_warehouse: Path) -> None:
    page = data_quality.quality_content(ledger_warehouse, role=PLANNER)
    table = page["dq-feeds-table"]
    cases = _feed_row(table, "Child protection cases")
    assert "All loaded" in cases and "Nothing received" not in cases
    assert "1,015" in cases and "2018-12" in cases
    assert "All loaded" in _feed_row(table, "Detention episodes of children")
    assert "Nothing received" in _feed_row(table, "Household survey estimates")
    # 3 files of the fixture + 2 cases + 2 detentions; the refused file is still the one.
    assert page["dq-files-value"].children == "7"
    assert page["dq-refused-value"].children == "1"
    assert "readme.txt" not in str(page)


def test_the_cli_and_the_dashboard_agree_on_the_same_ledger(ledger_warehouse: Path) -> None:
    with duckdb.connect(str(ledger_warehouse), read_only=True) as con:
        ledger = con.execute("SELECT * FROM audit.ingest_files").df()
    cli = {(row["entity"], row["feed"]): row for row in summarise_feeds(ledger)}
    dashboard = queries.feed_summary(ledger_warehouse)
    received = dashboard[dashboard["files_loaded"] + dashboard["files_quarantined"] > 0]
    assert set(zip(received["entity"], received["feed"], strict=True)) == set(cli)
    for row in dashboard.to_dict("records"):
        expected = cli.get((row["entity"], row["feed"]), {"loaded": 0, "quarantined": 0})
        shown = (row["files_loaded"], row["files_quarantined"])
        assert shown == (expected["loaded"], expected["quarantined"]), row["feed"]
    assert (cli[("mosa", "cases")]["loaded"], cli[("prisons", "detentions")]["loaded"]) == (2, 2)


def test_no_ledger_status_is_written_into_the_sql() -> None:
    # The statuses travel as parameters from cpmonitor.core.statuses, never as SQL literals.
    source = inspect.getsource(queries)
    for status in LEDGER_STATUSES:
        assert f"'{status}'" not in source, status


def test_refusal_reasons_quote_no_small_count_to_a_protected_role(tmp_path: Path) -> None:
    warehouse = tmp_path / "cpmonitor.duckdb"
    reason = "column 'report_id': 2 rows have a duplicate primary key (rows 70, 71: not shown)"
    build_fixture_warehouse(
        warehouse,
        deliveries=[
            {
                "source_file": "police/abuse_reports/2018-11/reports.parquet",
                "entity": "police",
                "feed": "abuse_reports",
                "period": "2018-11",
                "rows": 3,
                "status": "quarantined",
                "reason": reason,
            }
        ],
    )
    exact = queries.refused_files(warehouse).set_index("feed")
    assert exact.loc["abuse_reports", "reason"] == reason
    hidden = queries.refused_files(warehouse, hide_below=5).set_index("feed")
    assert hidden.loc["abuse_reports", "reason"] == (
        "column 'report_id': <5 rows have a duplicate primary key (rows 70, 71: not shown)"
    )
    # The page's table (with row counts): 3 rows is a small count too.
    shown = queries.refused_files(warehouse).set_index("feed")
    assert (shown.loc["abuse_reports", "rows"], shown.loc["abuse_reports", "reason"]) == (3, reason)
    protected = queries.refused_files(warehouse, hide_below=5).set_index("feed")
    assert protected.loc["abuse_reports", "rows"] == "<5"
    assert protected.loc["abuse_reports", "reason"] == hidden.loc["abuse_reports", "reason"]
    assert protected.loc["placements", "rows"] == 120  # not small: shown


# --- the page against the fixture's own ledger and expected reports ------------------------------


def _rows(table: object) -> list[str]:
    """The text of each body row of a ``data_table``."""
    return [
        " | ".join(str(cell.children) for cell in row.children)
        for row in table.children[1].children  # Tbody
    ]


@pytest.fixture(scope="module")
def app(warehouse: Path) -> object:
    return create_app(Settings.from_env(warehouse.parent))


def _page_as(app: object, role: str, **query: str) -> object:
    with as_role(app, role, "/data-quality"):
        return data_quality.layout(**query)


def test_heat_map_cells_are_the_share_of_expected_reports_received(warehouse: Path) -> None:
    cells = data_quality.completeness_cells(queries.expected_reports(warehouse))
    got = {
        (row.row, row.column): (row.received, row.expected, round(row.rate, 1))
        for row in cells.itertuples()
    }
    assert got == {
        # Every feed together: Sep the cash transfer's quarter; Oct placements missing, cases on
        # time; Nov placements refused, cases missing; Dec placements on time, cases late.
        ("All feeds", "Sep 2018"): (1, 1, 100.0),
        ("All feeds", "Oct 2018"): (1, 2, 50.0),
        ("All feeds", "Nov 2018"): (0, 2, 0.0),
        ("All feeds", "Dec 2018"): (2, 2, 100.0),
        ("Child placements in formal care", "Oct 2018"): (0, 1, 0.0),
        ("Child placements in formal care", "Nov 2018"): (0, 1, 0.0),  # refused: not received
        ("Child placements in formal care", "Dec 2018"): (1, 1, 100.0),
        ("Child protection cases", "Oct 2018"): (1, 1, 100.0),
        ("Child protection cases", "Nov 2018"): (0, 1, 0.0),
        ("Child protection cases", "Dec 2018"): (1, 1, 100.0),  # late still counts as received
        ("Households in the cash transfer", "Sep 2018"): (1, 1, 100.0),  # 2018-Q3 ends in Sep
    }
    cash = cells[cells["row"] == "Households in the cash transfer"]
    assert list(cash["periods"]) == ["2018-Q3"]
    figure = data_quality.completeness_figure(cells)
    heatmap = figure.data[0]
    assert list(heatmap.x) == ["Sep 2018", "Oct 2018", "Nov 2018", "Dec 2018"]
    assert list(heatmap.y) == [
        "All feeds",
        "Child placements in formal care",
        "Child protection cases",
        "Households in the cash transfer",
    ]
    z = pd.DataFrame(heatmap.z, index=heatmap.y, columns=heatmap.x)
    assert z.loc["All feeds"].tolist() == [100.0, 50.0, 0.0, 100.0]
    assert pd.isna(z.loc["Child placements in formal care", "Sep 2018"])  # nothing expected
    assert (heatmap.zmin, heatmap.zmax) == (0, 100)
    assert "0 of 1 expected reports received" in heatmap.customdata[1][2]
    # Four columns: never drawn narrower than the names, four cells and the colour bar.
    dq = data_quality
    assert dq.heatmap_min_width(cells) == dq.LABELS_PX + 4 * dq.COLUMN_PX + dq.COLOURBAR_PX


def test_heat_map_columns_are_the_finest_period_that_fits() -> None:
    def kind(first: str, last: str) -> str:
        return data_quality._column_kind(pd.Series(pd.to_datetime([first, last])))

    assert kind("2016-01-31", "2017-12-31") == "month"  # 24 months
    assert kind("2016-01-31", "2018-01-31") == "quarter"  # 25 months, 9 quarters
    assert kind("2015-03-31", "2020-12-31") == "quarter"  # 24 quarters
    assert kind("2015-03-31", "2021-03-31") == "year"  # 25 quarters
    assert data_quality._column_of(pd.Timestamp("2018-09-30"), "quarter")[1] == "2018 Q3"


def test_a_warehouse_without_expected_reports_still_shows_the_page(tmp_path: Path) -> None:
    older = tmp_path / "cpmonitor.duckdb"
    build_fixture_warehouse(older)
    with duckdb.connect(str(older)) as con:
        con.execute("DROP TABLE analysis.reporting_completeness")
    assert queries.expected_reports(older).empty
    page = data_quality.quality_content(older, role=PLANNER)
    assert "dq-completeness-table" in str(page) and "dq-completeness-heatmap" not in str(page)


def test_rejected_rows_are_listed_with_their_reason_for_a_planner(app: object) -> None:
    page = _page_as(app, "planner")
    rows = _rows(page["dq-rejected-table"])
    assert len(rows) == 2
    register = next(row for row in rows if "register.parquet" in row)
    assert "Register of residential care institutions" in register
    assert " | 2 | 48 | " in register and register.endswith(WHY_REGISTER)
    projection = next(row for row in rows if "projection.parquet" in row)
    assert " | 12 | 1,632 | " in projection and projection.endswith(WHY_PROJECTION)
    assert "rows rejected (kept in quarantine)" not in str(rows)  # the counts have their columns
    assert page["dq-rejected-value"].children == "14"  # 2 + 12
    assert page["dq-rejected-note"].children == "within 2 loaded files"
    (refused,) = _rows(page["dq-quarantine-table"])
    assert "placements_nov_v2.parquet" in refused and " | 120 | " in refused
    assert "column 'date_of_placement' is missing (the contract requires it)" in refused


def test_a_donor_reads_no_small_count_of_rows_set_aside_or_found(app: object) -> None:
    page = _page_as(app, "donor")
    rows = _rows(page["dq-rejected-table"])
    register = next(row for row in rows if "register.parquet" in row)
    # 2 rows: hidden, and so is the file's 48 (48 less the 46 rows loaded would give it away).
    assert " | <5 | — | " in register and "48" not in register
    assert register.endswith(
        "column 'capacity': <5 rows have values outside the allowed range <5 to 500 "
        "(rows <5, 31: 0, 900)"
    )
    projection = next(row for row in rows if "projection.parquet" in row)
    assert " | 12 | 1,632 | " in projection and projection.endswith(WHY_PROJECTION)
    # The total would be 14; less the 12 shown it would give the 2 away.
    assert page["dq-rejected-value"].children == "Not shown"
    text = str(page)
    assert WHY_REGISTER not in text
    # The check findings: "3 AC06 values" and 2 rows with exit reason 'other' are small counts.
    assert "<5 AC06 values above 95% (check exit coding in Hollowfield)" in text
    assert "3 AC06 values" not in text and "2 rows with exit reason" not in text
    findings = str(page["dq-findings"])
    assert "<5 rows with exit reason 'other'" in findings
    # A planner reads the same page exactly.
    planner = str(_page_as(app, "planner"))
    assert "3 AC06 values above 95%" in planner and WHY_REGISTER in planner


def _titles(accordion: dbc.Accordion) -> list[str]:
    """Each section's title: the group's name and its count badges."""
    titles = []
    for item in accordion.children:
        name, *badges = item.title.children
        titles.append(" ".join([name.children, *(badge.children for badge in badges)]))
    return titles


def test_findings_are_grouped_in_sections_the_first_open(app: object) -> None:
    by_check = _page_as(app, "planner")["dq-findings"]
    assert _titles(by_check) == [
        "Column values to be between 1 warning",
        "Column values to be in set 1 warning",
    ]
    assert by_check.active_item == ["group-0"]  # the first open, the rest closed
    assert "3 AC06 values above 95%" in str(by_check.children[0])
    assert "2 rows with exit reason 'other'" in str(by_check.children[1])
    by_feed = _page_as(app, "planner", group="feed")["dq-findings"]
    # The placements suite is the feed's title; the marts suite in words.
    assert _titles(by_feed) == ["Child placements in formal care 1 warning", "Marts 1 warning"]
    by_result = _page_as(app, "planner", group="result")["dq-findings"]
    assert _titles(by_result) == ["Warnings 2 warnings"]
    assert len(_rows(by_result.children[0].children)) == 2
    # Anything else in the URL groups by check.
    hostile = _page_as(app, "planner", group="'; DROP TABLE audit.check_results; --")
    assert _titles(hostile["dq-findings"]) == _titles(by_check)


def test_groups_with_a_failed_check_come_first_then_the_largest() -> None:
    problems = pd.DataFrame(
        [
            ("warning", "feed.placements", "expect_column_values_to_be_in_set"),
            ("warning", "outliers", "expect_column_values_to_be_between"),
            ("warning", "feed.cases", "expect_column_values_to_be_between"),
            ("error", "feed.cases", "columns_match_contract"),
        ],
        columns=["severity", "suite", "expectation"],
    )
    titles = {"cases": "Child protection cases", "placements": "Child placements in formal care"}

    def groups(by: str) -> list[tuple[str, int]]:
        return [(name, len(f)) for name, f in data_quality.group_findings(problems, titles, by)]

    assert groups("check") == [
        ("Columns match contract", 1),
        ("Column values to be between", 2),
        ("Column values to be in set", 1),
    ]
    assert groups("feed") == [
        ("Child protection cases", 2),
        ("Child placements in formal care", 1),
        ("Outliers", 1),
    ]
    assert groups("result") == [("Failed", 1), ("Warnings", 3)]
