"""Cross-feed rules on a hand-made build, and district outliers on hand-made series."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from warehouse_fixture import build_fixture_warehouse

from expectations.cross_feed import run_cross_feed_rules
from expectations.outliers import check_outliers, check_warehouse_outliers, flag_outliers

D = dt.date

PLACEMENTS = [
    # child, district, care type, start, end, exit reason, institution
    ("C1", "0101", "residential", D(2023, 6, 1), D(2024, 1, 20), "reintegrated_parents", "I1"),
    ("C2", "0101", "residential", D(2024, 1, 5), D(2024, 1, 25), "adoption", "I1"),
    ("C3", "0101", "residential", D(2023, 1, 1), D(2024, 2, 10), "transferred", "I1"),
    ("C3", "0101", "residential", D(2024, 2, 10), None, None, "I1"),
    # District 0102 cannot add up in February: two exits, nobody in care, one entry.
    ("C4", "0102", "residential", D(2024, 2, 15), D(2024, 2, 1), "aged_out", "I2"),
    ("C5", "0102", "residential", D(2024, 3, 1), D(2024, 2, 20), "ran_away", "I9"),
    ("C6", "0102", "foster", D(2023, 1, 1), D(2024, 2, 5), "adoption", None),
]
INSTITUTIONS = [
    ("I1", "Hillside Children's Home", D(2000, 1, 1), None),
    ("I2", "River Transit Centre", D(2001, 1, 1), D(2023, 12, 31)),
]
MONTHS = [("2024-01", D(2024, 1, 1), D(2024, 1, 31)), ("2024-02", D(2024, 2, 1), D(2024, 2, 29))]
SURVEYS = [
    # survey, indicator, level, place, sex, estimate (%), unweighted base
    ("Teluvara MICS 2024", "VE14", "national", "NAT", "total", 61.3, 9620),
    ("Teluvara MICS 2024", "VE14", "national", "NAT", "F", 59.8, 4790),
    ("Teluvara MICS 2024", "VE14", "national", "NAT", "M", 62.9, 4830),
    ("Teluvara MICS 2024", "VE14", "province", "03", "total", 55.0, 810),
    ("Teluvara MICS 2024", "VE14", "province", "03", "F", 55.0, 400),
    ("Teluvara MICS 2024", "VE14", "province", "03", "M", 57.5, 410),
    ("Teluvara MICS 2024", "CR04", "national", "NAT", "total", 18.2, 3100),  # no sex rows
]


@pytest.fixture()
def build(tmp_path: Path) -> Path:
    path = tmp_path / "build.duckdb"
    placements = pd.DataFrame(
        PLACEMENTS,
        columns=["child_id", "district_code", "care_type", "start_date", "end_date",
                 "exit_reason", "institution_id"],
    )  # fmt: skip
    institutions = pd.DataFrame(
        INSTITUTIONS, columns=["institution_id", "institution_name", "opened_date", "closed_date"]
    )
    periods = pd.DataFrame(MONTHS, columns=["period_id", "period_start", "period_end"]).assign(
        period_type="month"
    )
    surveys = pd.DataFrame(
        SURVEYS,
        columns=["survey_name", "indicator_code", "geo_level", "geo_code", "sex_code",
                 "estimate", "unweighted_base"],
    )  # fmt: skip
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA intermediate")
        for name, frame in {
            "int_placements_deduplicated": placements,
            "int_care_institutions_deduplicated": institutions,
            "int_reporting_periods": periods,
            "int_survey_estimates_deduplicated": surveys,
        }.items():
            con.register("frame", frame)
            con.execute(f"CREATE TABLE intermediate.{name} AS SELECT * FROM frame")
            con.unregister("frame")
        for table, columns in {
            "int_placements_deduplicated": ("start_date", "end_date"),
            "int_care_institutions_deduplicated": ("opened_date", "closed_date"),
            "int_reporting_periods": ("period_start", "period_end"),
        }.items():
            for column in columns:
                con.execute(f"ALTER TABLE intermediate.{table} ALTER {column} TYPE DATE")
    return path


def test_cross_feed_rules_name_each_violation(build: Path) -> None:
    with duckdb.connect(str(build), read_only=True) as con:
        results = {r.expectation: r for r in run_cross_feed_rules(con, run_id="r1")}

    exits = results["exits_never_exceed_children_in_care_plus_entries"]
    assert (exits.success, exits.severity, exits.unexpected_count) == (False, "error", 1)
    # January in 0101: 2 exits <= 2 in care on 31 Dec + 1 entry; the transfer is not an exit.
    assert "district 0102 2024-02: 2 exits, 0 in care at the previous month end + 1 entries" in (
        exits.details
    )
    assert "0101" not in exits.details

    closed = results["placements_only_in_open_institutions"]
    assert (closed.success, closed.severity, closed.unexpected_count) == (False, "warning", 1)
    assert (
        "institution I2 (River Transit Centre, open 2001-01-01 to 2023-12-31): 1 placement(s)"
        in closed.details
    )

    unknown = results["residential_placements_name_a_registered_institution"]
    assert (unknown.success, unknown.unexpected_count) == (False, 1)
    assert "institution code I9: 1 placement(s)" in unknown.details
    # Never a child identifier in a message.
    assert not any("C4" in r.details or "C5" in r.details for r in results.values())


def test_cross_feed_rules_pass_on_consistent_data(build: Path) -> None:
    with duckdb.connect(str(build)) as con:
        con.execute(
            "DELETE FROM intermediate.int_placements_deduplicated WHERE district_code = '0102'"
        )
        results = run_cross_feed_rules(con, run_id="r1")
    assert [(r.success, r.unexpected_count, r.details) for r in results] == [(True, 0, "")] * 4


def test_an_inconsistent_survey_is_flagged_naming_survey_indicator_and_place(build: Path) -> None:
    with duckdb.connect(str(build)) as con:
        # Province 03's girls and boys bases no longer add up to its total; the nation's total
        # is no longer between its girls and boys.
        con.execute(
            "UPDATE intermediate.int_survey_estimates_deduplicated SET unweighted_base = 390 "
            "WHERE geo_code = '03' AND sex_code = 'F'"
        )
        con.execute(
            "UPDATE intermediate.int_survey_estimates_deduplicated SET estimate = 63.4 "
            "WHERE geo_code = 'NAT' AND indicator_code = 'VE14' AND sex_code = 'total'"
        )
        (survey,) = [
            r
            for r in run_cross_feed_rules(con, run_id="r1")
            if r.expectation == "survey_totals_agree_with_girls_and_boys"
        ]
    assert (survey.success, survey.severity, survey.unexpected_count) == (False, "warning", 2)
    assert (survey.suite, survey.target) == ("cross_feed", "survey_estimates")
    assert survey.details == (
        "2 survey estimate(s) published by sex are not consistent with their total (the total "
        "must lie between the girls' and the boys' estimates, and its unweighted base must be "
        "theirs added up) (Teluvara MICS 2024 VE14 national: total 63.4% not between girls 59.8% "
        "and boys 62.9%; Teluvara MICS 2024 VE14 province 03: unweighted bases do not add up "
        "(total is not girls + boys))"
    )
    # Bases are numbers of children: never shown.
    assert not any(str(n) in survey.details for n in (390, 400, 410, 810, 4790, 4830, 9620))


def test_a_consistent_survey_passes_with_ties_and_totals_only(build: Path) -> None:
    # Province 03's total equals its girls' estimate (inclusive); CR04 has no sex rows.
    with duckdb.connect(str(build), read_only=True) as con:
        results = {r.expectation: r for r in run_cross_feed_rules(con, run_id="r1")}
    survey = results["survey_totals_agree_with_girls_and_boys"]
    assert (survey.success, survey.severity, survey.unexpected_count, survey.details) == (
        True,
        "warning",
        0,
        "",
    )


def test_a_rule_whose_tables_are_missing_says_so(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "empty.duckdb")) as con:
        results = run_cross_feed_rules(con, run_id="r1")
    assert {(r.success, r.severity) for r in results} == {(False, "warning")}
    assert results[0].details == (
        "could not run: intermediate.int_placements_deduplicated, "
        "intermediate.int_reporting_periods is not in the build"
    )


def series(code: str, district: str, values: list[float], name: str = "") -> pd.DataFrame:
    months = pd.period_range("2020-01", periods=len(values), freq="M")
    return pd.DataFrame(
        {
            "indicator_code": code,
            "indicator_name": "Children in care",
            "geo_code": district,
            "geo_name": name or None,
            "period_id": [str(m) for m in months],
            "period_end": [m.end_time.normalize() for m in months],
            "numerator": values,
        }
    )


def test_a_jump_is_flagged_against_the_districts_own_median() -> None:
    frame = series("AC04", "0101", [10, 12, 11, 10, 13, 12, 11, 40, 12, 11], "Lakeshore")
    flagged = flag_outliers(frame)
    assert flagged["period_id"].tolist() == ["2020-08"]
    # Previous 7 months: median 11; |deviations| 1,1,0,1,2,1,0 -> MAD 1; 29 / 1.4826 = 19.56.
    assert flagged["usual"].iloc[0] == 11
    assert flagged["score"].iloc[0] == pytest.approx(29 / 1.4826)


def test_small_and_zero_heavy_districts_stay_quiet() -> None:
    tiny = series("AC04", "0202", [0, 0, 1, 0, 0, 0, 0, 1, 0, 2, 0, 3])
    assert flag_outliers(tiny).empty
    # Too little history: a jump in the 4th month is not judged.
    early = series("AC04", "0102", [10, 10, 10, 90, 10])
    assert flag_outliers(early).empty


def test_a_flat_series_needs_a_real_jump() -> None:
    small = series("AC05", "0101", [100] * 8 + [106])  # MAD 0, +6 is less than half the median
    assert flag_outliers(small).empty
    big = series("AC05", "0101", [100] * 8 + [160])
    flagged = flag_outliers(big)
    assert flagged["period_id"].tolist() == ["2020-09"]
    assert math.isinf(flagged["score"].iloc[0])


def test_a_lasting_new_level_or_a_steady_trend_is_news_once() -> None:
    # 8 months at 10, then 30 for three months: Sep jumps (+20 from Aug, 20 from the median 10,
    # MAD 0); Oct and Nov are still 20 from the median but 0 from the month before -> quiet.
    shift = series("VE02", "0101", [10] * 8 + [30, 30, 30])
    assert flag_outliers(shift)["period_id"].tolist() == ["2020-09"]
    # A roll-out growing 6 a month: each month is 21+ from the median of the past 7 (MAD 12, robust
    # sd 17.8, 21 < 5 x 17.8) and only 6 from the month before -> never flagged.
    trend = series("VE02", "0102", [6 * m for m in range(1, 13)])
    assert flag_outliers(trend).empty


def test_one_warning_per_indicator_with_a_few_examples() -> None:
    districts = [f"0{d}01" for d in range(1, 8)]
    jumps = pd.concat(
        [series("AC04", d, [10] * 7 + [50 + i]) for i, d in enumerate(districts)]
        + [series("AC05", "0101", [3, 4, 3, 3, 4, 3, 3, 4])]
    )
    results = check_outliers(jumps, run_id="r1")
    assert [(r.target, r.success, r.severity, r.unexpected_count) for r in results] == [
        ("main.fct_indicator_values AC04", False, "warning", 7),
        ("main.fct_indicator_values AC05", True, "warning", 0),
    ]
    details = results[0].details
    assert details.startswith(
        "AC04 Children in care: 7 district-months are far from the district's usual level"
    )
    # The five largest, largest first.
    assert (
        "e.g. 0701 2020-08: 56 against a usual 10; 0601 2020-08: 55 against a usual 10;" in details
    )
    assert "0201" not in details and "0101" not in details


def test_the_fixture_warehouse_has_no_outliers(tmp_path: Path) -> None:
    """Steady trends (AC04 falling 2-5 children a month) are not outliers."""
    warehouse = tmp_path / "w.duckdb"
    build_fixture_warehouse(warehouse)
    results = check_warehouse_outliers(warehouse, run_id="r1")
    assert {r.target.split()[-1] for r in results} == {"AC03", "AC04", "AC05", "AC06"}
    assert all(r.success for r in results)
