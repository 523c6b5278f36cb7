"""The data quality page counts deliveries with the one set of ledger statuses, as the CLI does.

The fixture warehouse gets a feed whose deliveries were all ``loaded_with_rejections`` (good rows
used, a few set aside), a feed whose first delivery was superseded by a corrected one, and a
stray file the ingest skipped. Expected counts are worked out by hand.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import duckdb
import pytest
from auth_helpers import PLANNER
from warehouse_fixture import build_fixture_warehouse

from cpmonitor.core.statuses import LEDGER_STATUSES
from cpmonitor.status import summarise_feeds
from dashboards import queries
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
                "status": "quarantined",
                "reason": reason,
            }
        ],
    )
    exact = queries.quarantined_files(warehouse).set_index("feed")
    assert exact.loc["abuse_reports", "reason"] == reason
    hidden = queries.quarantined_files(warehouse, hide_below=5).set_index("feed")
    assert hidden.loc["abuse_reports", "reason"] == (
        "column 'report_id': <5 rows have a duplicate primary key (rows 70, 71: not shown)"
    )
