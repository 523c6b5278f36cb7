"""The mart suite on tiny hand-made warehouses, and the check-results frame."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from expectations.marts import SUITE, TARGET, validate_marts
from expectations.results import CHECK_RESULT_DTYPES, CheckResult, check_results_frame

DIM = [
    ("AC04", "Children in residential care", "count", "stock"),
    ("AC06", "Exits to a family", "%", "flow_rate"),
    ("AC07", "Reintegrated since baseline", "% (cumulative)", "cumulative_rate"),
]
# indicator, period_type, period_id, geo_level, geo_code, disaggregation, value, numerator, denominator
GOOD_FACTS = [
    ("AC04", "month", "2024-03", "national", "NAT", "total", "total", 120.0, None, 120.0),
    ("AC04", "month", "2024-03", "district", "0101", "total", "total", 70.0, None, 70.0),
    ("AC04", "month", "2024-03", "district", "0101", "sex", "female", 30.0, None, 30.0),
    ("AC06", "month", "2024-03", "national", "NAT", "total", "total", 9.0, 12.0, 75.0),
    ("AC06", "month", "2024-04", "national", "NAT", "total", "total", 0.0, 0.0, None),
    ("AC07", "year", "2024", "national", "NAT", "total", "total", 4.0, 10.0, 40.0),
]


def make_warehouse(path: Path, facts: list[tuple], dim: list[tuple] = DIM) -> Path:
    """A DuckDB file with ``main.dim_indicator`` and ``main.fct_indicator_values`` only."""
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create table dim_indicator (indicator_code varchar, indicator_name varchar, "
            "unit varchar, kind varchar)"
        )
        con.executemany("insert into dim_indicator values (?, ?, ?, ?)", dim)
        con.execute(
            "create table fct_indicator_values (indicator_code varchar, period_type varchar, "
            "period_id varchar, period_start date, period_end date, geo_level varchar, "
            "geo_code varchar, disaggregation varchar, disaggregation_value varchar, "
            "numerator double, denominator double, value double)"
        )
        for code, ptype, pid, level, geo, dis, dis_value, num, den, value in facts:
            con.execute(
                "insert into fct_indicator_values values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    code,
                    ptype,
                    pid,
                    dt.date(2024, 3, 1),
                    dt.date(2024, 3, 31),
                    level,
                    geo,
                    dis,
                    dis_value,
                    num,
                    den,
                    value,
                ],
            )
    return path


@pytest.fixture(scope="module")
def good_results(tmp_path_factory: pytest.TempPathFactory) -> list[CheckResult]:
    path = make_warehouse(tmp_path_factory.mktemp("good") / "good.duckdb", GOOD_FACTS)
    return validate_marts(path, run_id="run-good")


@pytest.fixture(scope="module")
def bad_results(tmp_path_factory: pytest.TempPathFactory) -> list[CheckResult]:
    facts = [
        ("AC04", "month", "2024-03", "national", "NAT", "total", "total", -3.0, None, -3.0),
        ("AC04", "month", "2024-03", "region", "0101", "total", "total", 70.0, None, 70.0),
        ("AC04", "month", "2024-03", "district", "0101", "sex", "female", 30.0, None, 30.0),
        ("AC04", "month", "2024-03", "district", "0101", "sex", "female", 31.0, None, 31.0),
        ("AC06", "month", "2024-03", "national", "NAT", "total", "total", 13.0, 12.0, 108.5),
        ("AC07", "year", "2024", "national", "NAT", "total", "total", 13.0, 10.0, 130.0),
        # A district may pass 100% legitimately (children admitted after the baseline): no warning.
        ("AC07", "year", "2024", "district", "0101", "total", "total", 5.0, 4.0, 125.0),
    ]
    dim = DIM + [("AC05", "Institutions open", "count", "stock")]
    path = make_warehouse(tmp_path_factory.mktemp("bad") / "bad.duckdb", facts, dim)
    return validate_marts(path, run_id="run-bad")


def failures(results: list[CheckResult]) -> list[CheckResult]:
    return [r for r in results if not r.success]


def test_good_warehouse_passes_every_check(good_results: list[CheckResult]) -> None:
    # 7 not-null + 4 allowed-codes + 1 key + 2 not-negative + 2 percentage ranges + 1 coverage
    assert len(good_results) == 17
    assert failures(good_results) == []
    assert {r.suite for r in good_results} == {SUITE}
    assert {r.target for r in good_results} == {TARGET}
    assert {r.run_id for r in good_results} == {"run-good"}


def test_bad_warehouse_reports_each_violation(bad_results: list[CheckResult]) -> None:
    found = {(r.expectation, r.column_name, r.severity): r for r in failures(bad_results)}
    assert len(failures(bad_results)) == 7

    geo = found[("expect_column_values_to_be_in_set", "geo_level", "error")]
    assert geo.unexpected_count == 1
    assert geo.details == (
        "column 'geo_level': 1 row has a value outside [national, province, district] "
        "(AC04 2024-03 0101 total: 'region')"
    )
    key_columns = "indicator_code, period_id, geo_code, disaggregation, disaggregation_value"
    key = found[("expect_compound_columns_to_be_unique", key_columns, "error")]
    assert key.unexpected_count == 2
    assert key.details == (
        f"2 rows have a duplicate key ({key_columns}) (AC04 2024-03 0101 female; AC04 2024-03 0101 female)"
    )
    numerator = found[("expect_column_values_to_be_between", "numerator", "error")]
    assert (
        numerator.details
        == "column 'numerator': 1 row has a negative value (AC04 2024-03 NAT total: -3)"
    )

    value_errors = [
        r for r in failures(bad_results) if r.column_name == "value" and r.severity == "error"
    ]
    assert sorted(r.details for r in value_errors) == [
        "column 'value': 1 row has a negative value (AC04 2024-03 NAT total: -3)",
        "column 'value': 1 row has a value outside 0 to 100 for a percentage indicator "
        "(AC06 2024-03 NAT total: 108.5)",
    ]
    cumulative = found[("expect_column_values_to_be_between", "value", "warning")]
    assert cumulative.unexpected_count == 1
    assert cumulative.details.startswith(
        "column 'value': 1 row has a value above 100 for a cumulative percentage indicator"
    )
    assert cumulative.details.endswith("(AC07 2024 NAT total: 130)")

    coverage = found[("every_indicator_has_values", "indicator_code", "error")]
    assert coverage.unexpected_count == 1
    assert coverage.details == "indicators of the catalogue with no values: AC05"


def test_check_results_frame_is_typed_also_when_empty(bad_results: list[CheckResult]) -> None:
    empty = check_results_frame([])
    assert list(empty.columns) == list(CHECK_RESULT_DTYPES)
    assert {c: str(t) for c, t in empty.dtypes.items()} == CHECK_RESULT_DTYPES

    frame = check_results_frame(bad_results)
    assert len(frame) == 17
    assert int((~frame["success"]).sum()) == 7
    assert (
        frame.loc[frame["expectation"] == "every_indicator_has_values", "unexpected_count"].item()
        == 1
    )
    assert frame["checked_at"].dtype == "datetime64[us]"
