"""The query layer's remembered answers (``dashboards.queries``): keyed by the published version,
the SQL and every parameter, so a role never reads an answer computed for a role that sees more,
and a new publish (or a file rewritten in place) is never answered from the earlier file."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from auth_helpers import DONOR, PLANNER
from warehouse_fixture import SENTINEL_SMALL, add_small_count, build_fixture_warehouse

from dashboards import queries


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Path]:
    """A fixture warehouse of its own (SS08 2018 in Southhill resting on 3 children), served at
    ``tmp_path / "cpmonitor.duckdb"``, with nothing remembered before or after the test."""
    path = tmp_path / "cpmonitor.duckdb"
    build_fixture_warehouse(path)
    with duckdb.connect(str(path)) as con:
        add_small_count(con)
        con.execute("CHECKPOINT")
    queries.forget()
    yield path
    queries.forget()


@pytest.fixture
def queries_run(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL statements that reached the warehouse (not answered from memory)."""
    run: list[str] = []
    cursor = queries._CONNECTIONS.cursor

    def counting(warehouse: Path):
        version, found = cursor(warehouse)

        class Counting:
            def execute(self, sql: str, params: dict):
                run.append(sql)
                return found.execute(sql, params)

            def close(self) -> None:
                found.close()

        return version, Counting()

    monkeypatch.setattr(queries._CONNECTIONS, "cursor", counting)
    return run


def _southhill(frame: pd.DataFrame) -> pd.Series:
    return frame.set_index("geo_code").loc["02"]


def test_planner_then_donor_with_the_same_parameters_get_their_own_answers(
    served: Path, queries_run: list[str]
) -> None:
    planner = queries.province_values_at(served, "SS08", "2018", role=PLANNER)
    assert _southhill(planner)["value"] == pytest.approx(SENTINEL_SMALL)
    assert len(queries_run) == 1
    # The planner's answer is remembered: asked again, it is not run again.
    again = queries.province_values_at(served, "SS08", "2018", role=PLANNER)
    assert len(queries_run) == 1
    pd.testing.assert_frame_equal(again, planner)
    # The donor's question, with the same parameters, is its own query on the protected table:
    # run, not answered with the planner's exact value.
    donor = queries.province_values_at(served, "SS08", "2018", role=DONOR)
    assert len(queries_run) == 2
    row = _southhill(donor)
    assert pd.isna(row["value"]) and pd.isna(row["numerator"])
    assert bool(row["suppressed"]) and row["suppression_reason"] == "small_count"
    assert SENTINEL_SMALL not in donor["value"].tolist()
    # And the donor's answer, remembered in turn, does not reach the planner either.
    assert queries.province_values_at(served, "SS08", "2018", role=DONOR)["value"].equals(
        donor["value"]
    )
    assert _southhill(queries.province_values_at(served, "SS08", "2018", role=PLANNER))[
        "value"
    ] == pytest.approx(SENTINEL_SMALL)
    assert len(queries_run) == 2


def test_the_same_question_by_other_roles_is_never_answered_from_memory(
    served: Path, queries_run: list[str]
) -> None:
    for role in (PLANNER, DONOR):
        queries.scorecard(served, role=role)
        queries.recent_values(served, role=role)
        queries.period_types(served, "SS08", role=role)
    assert len(queries_run) == 6
    donor = queries.indicator_series(served, "AC04", "02", "month", role=DONOR)
    planner = queries.indicator_series(served, "AC04", "02", "month", role=PLANNER)
    # A donor sees years only: its month question reads years; the planner's reads months.
    assert set(donor["period_id"].str.len()) == {4}
    assert set(planner["period_id"].str.len()) == {7}


def _publish_with(served: Path, tmp_path: Path, value: float) -> None:
    """A new warehouse built aside, SS08 2018 in Southhill set to ``value`` for planners, swapped
    in as the pipeline publishes (``os.replace``)."""
    build = tmp_path / "build.duckdb"
    shutil.copyfile(served, build)
    with duckdb.connect(str(build)) as con:
        con.execute(
            "UPDATE main.fct_indicator_values SET value = $value WHERE indicator_code = 'SS08' "
            "AND period_id = '2018' AND geo_code = '02' AND disaggregation = 'total'",
            {"value": value},
        )
        con.execute("CHECKPOINT")
    os.replace(build, served)


def test_a_new_publish_changes_the_answer(served: Path, tmp_path: Path) -> None:
    before = queries.province_values_at(served, "SS08", "2018", role=PLANNER)
    assert _southhill(before)["value"] == pytest.approx(SENTINEL_SMALL)
    version = queries.warehouse_version(served)
    _publish_with(served, tmp_path, 12.5)
    assert queries.warehouse_version(served) != version
    after = queries.province_values_at(served, "SS08", "2018", role=PLANNER)
    assert _southhill(after)["value"] == pytest.approx(12.5)
    # The earlier file's answers are forgotten once the new one is opened.
    assert {key[1] for key in queries._ANSWERS._frames} == {queries.warehouse_version(served)}


def test_a_file_rewritten_in_place_is_read_again(served: Path) -> None:
    assert queries.country_name(served) == "Republic of Examplia"
    # DuckDB lets no writer in a process that has the file open; the pipeline never writes the
    # served file in place, but a writer elsewhere could: the version check must see it.
    queries._CONNECTIONS.close()  # the connection only: the answer stays remembered
    with duckdb.connect(str(served)) as con:
        con.execute("UPDATE main.dim_geography SET geo_name = 'Examplia' WHERE geo_code = 'NAT'")
        con.execute("CHECKPOINT")
    assert queries.country_name(served) == "Examplia"


def test_callers_get_a_copy(served: Path) -> None:
    first = queries.province_values_at(served, "SS08", "2018", role=PLANNER)
    first["value"] = 0.0
    first["geo_name"] = "changed"
    again = queries.province_values_at(served, "SS08", "2018", role=PLANNER)
    assert _southhill(again)["value"] == pytest.approx(SENTINEL_SMALL)


def test_no_published_warehouse_is_still_the_friendly_error(tmp_path: Path) -> None:
    with pytest.raises(queries.WarehouseNotPublishedError):
        queries.warehouse_version(tmp_path / "cpmonitor.duckdb")
    with pytest.raises(queries.WarehouseNotPublishedError):
        queries.country_name(tmp_path)


def test_a_query_connection_reads_no_other_file_and_writes_nothing(served: Path) -> None:
    with pytest.raises(duckdb.Error, match="disabled by configuration"):
        queries._fetch(served, "SELECT * FROM read_csv('/etc/passwd')")
    with pytest.raises(duckdb.Error, match="read-only"):
        queries._fetch(served, "CREATE TABLE main.written AS SELECT 1 AS one")
    with pytest.raises(duckdb.Error, match="lock"):
        queries._fetch(served, "SET enable_external_access = true")


def test_concurrent_requests_of_several_roles_get_their_own_answers(served: Path) -> None:
    """As waitress's threads would ask: many queries at once on the one connection (a cursor
    each), half of them answered from memory, every answer the one a query alone gets."""

    def ask(number: int) -> tuple[str, list]:
        role = (PLANNER, DONOR)[number % 2]
        code = ("SS08", "AC04", "AC06")[number % 3]
        frame = queries.province_values_latest(served, code, "year", role=role)
        return f"{role.name} {code}", frame["value"].tolist()

    alone = {}
    for number in range(6):
        queries.forget()
        key, values = ask(number)
        alone[key] = values
    queries.forget()
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(ask, range(96)))
    for key, values in together:
        assert values == pytest.approx(alone[key], nan_ok=True), key
    assert SENTINEL_SMALL not in [v for key, values in together if "donor" in key for v in values]
