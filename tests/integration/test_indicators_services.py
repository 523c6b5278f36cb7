"""SS01, SS06, SS07 and SS08 computed by dbt from a tiny hand-made set of ingested feeds.

Every expected number was worked out by hand from the rows written here (arithmetic in the
comments), never copied from output. One `dbt build` per module; every feed not supplied here
gets only its `_empty.parquet`.

Country: provinces 01 (districts 0101, 0102) and 02 (district 0201). Placements deliveries
2016-01 and 2016-12 make the reporting periods the 12 months, 4 quarters and the year 2016.
2016 child population 0-17: 0101 1000 F + 1000 M = 2000; 0102 500 + 500 = 1000; 0201 1000 F.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from dbt_fixture import admin_unit_rows, build, fact_values, pseudonym, write_delivery

from cpmonitor.core.contracts import load_contracts
from cpmonitor.dbt_runner import DbtResult
from ingest.run import write_empty_feed_files

D = dt.date


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 9, 0)


def write_feed(
    data_dir: Path, feed: str, deliveries: list[tuple[str, dt.date, list[dict]]]
) -> None:
    """One ingested Parquet file per delivery (period, received on, rows)."""
    for number, (period, received, rows) in enumerate(deliveries):
        write_delivery(
            data_dir,
            feed,
            period,
            rows,
            number=number,
            received_at=at(received),
            ingested_at=at(received) + dt.timedelta(minutes=5),
        )


def pop(district: str, sex: str, population: int) -> dict:
    return {"year": 2016, "district_code": district, "sex": sex, "age": 8, "population": population}


def foster(pid: str, start: dt.date) -> dict:
    """A foster placement: only there so the placements feed spans January to December."""
    return {
        "placement_id": pseudonym(pid),
        "child_id": pseudonym(pid),
        "sex": "F",
        "date_of_birth": D(2010, 1, 1),
        "disability": False,
        "care_type": "foster",
        "district_code": "0101",
        "start_date": start,
    }


def inspection(
    iid: str,
    district: str,
    day: dt.date,
    found: int,
    withdrawn: int = 0,
    referred: int = 0,
    both: int = 0,
) -> dict:
    return {
        "inspection_id": iid,
        "workplace_id": f"W-{iid}",
        "workplace_name": f"Workplace {iid}",
        "sector": "agriculture",
        "district_code": district,
        "inspection_type": "routine",
        "inspection_date": day,
        "workers_total": 10 + found,
        "child_workers_found": found,
        "children_withdrawn_worst_forms": withdrawn,
        "children_referred_to_services": referred,
        "children_withdrawn_and_referred": both,
    }


def census(
    school: str, district: str, year: int, grade: int, sex: str, enrolled: int, left: int
) -> dict:
    return {
        "school_id": school,
        "school_name": f"School {school}",
        "school_type": "public",
        "district_code": district,
        "school_year_end": year,
        "grade": grade,
        "sex": sex,
        "enrolled_at_start": enrolled,
        "transferred_out": 0,
        "left_without_completing": left,
        "completed_year": enrolled - left,
    }


def household(
    hid: str, district: str, enrolled: dt.date, children: int, exit_date: dt.date | None = None
) -> dict:
    return {
        "household_id": pseudonym(hid),
        "district_code": district,
        "village_code": f"{district}-001",
        "enrolled_date": enrolled,
        "exit_date": exit_date,
        "exit_reason": "moved_away" if exit_date else None,
        "children_in_household": children,
    }


def write_fixture_feeds(data_dir: Path) -> None:
    write_feed(data_dir, "admin_units", [("2016", D(2016, 1, 2), admin_unit_rows())])
    write_feed(
        data_dir,
        "population",
        [
            (
                "2016",
                D(2016, 1, 3),
                [
                    pop("0101", "F", 1000),
                    pop("0101", "M", 1000),
                    pop("0102", "F", 500),
                    pop("0102", "M", 500),
                    pop("0201", "F", 1000),
                ],
            )
        ],
    )
    write_feed(
        data_dir,
        "placements",
        [
            ("2016-01", D(2016, 2, 10), [foster("p1", D(2016, 1, 5))]),
            ("2016-12", D(2017, 1, 10), [foster("p2", D(2016, 12, 5))]),
        ],
    )
    # Labour inspections. L5 (dated 30 January) is recorded late, in the February file; L3 is
    # corrected in the February file (withdrawn and referred 0 -> 1). The March file has no row
    # of province 02 (its office did not report).
    write_feed(
        data_dir,
        "labour_inspections",
        [
            (
                "2016-01",
                D(2016, 2, 10),
                [
                    inspection("L1", "0101", D(2016, 1, 1), 2, 2, 2, 2),
                    inspection("L2", "0101", D(2016, 1, 31), 0),
                    inspection("L3", "0102", D(2016, 1, 15), 1, 0, 1, 0),
                    inspection("L4", "0201", D(2016, 1, 20), 3, 2, 1, 1),
                ],
            ),
            (
                "2016-02",
                D(2016, 3, 10),
                [
                    inspection("L5", "0101", D(2016, 1, 30), 1, 1, 1, 1),
                    inspection("L3", "0102", D(2016, 1, 15), 1, 1, 1, 1),
                    inspection("L6", "0201", D(2016, 2, 29), 0),
                ],
            ),
            (
                "2016-03",
                D(2016, 4, 10),
                [
                    inspection("L7", "0101", D(2016, 3, 31), 4, 3, 3, 2),
                    inspection("L8", "0102", D(2016, 3, 1), 0),
                ],
            ),
            ("2016-04", D(2016, 5, 10), [inspection("L9", "0201", D(2016, 4, 1), 1, 1, 0, 0)]),
        ],
    )
    # School census: school year 2015/16 delivered as 2016; a later 2016 delivery corrects S3's
    # dropouts (2 -> 6); the 2015 census has no 2015 period here.
    write_feed(
        data_dir,
        "school_census",
        [
            ("2015", D(2016, 1, 20), [census("S1", "0101", 2015, 7, "F", 100, 90)]),
            (
                "2016",
                D(2017, 1, 20),
                [
                    census("S1", "0101", 2016, 7, "F", 100, 10),
                    census("S1", "0101", 2016, 7, "M", 100, 20),
                    census("S1", "0101", 2016, 10, "M", 50, 25),  # upper secondary
                    census("S2", "0102", 2016, 9, "F", 50, 5),
                    census("S3", "0201", 2016, 8, "M", 40, 2),
                ],
            ),
            ("2016", D(2017, 6, 1), [census("S3", "0201", 2016, 8, "M", 40, 6)]),
        ],
    )
    # Cash transfer register snapshots (each lists the households enrolled during the quarter).
    h1 = household("H1", "0101", D(2015, 5, 1), 4)
    h2 = household("H2", "0101", D(2016, 2, 1), 3, D(2016, 3, 31))  # exits on Q1's last day
    h3 = household("H3", "0201", D(2016, 3, 31), 2)  # enrolled on Q1's last day
    h4 = household("H4", "0102", D(2016, 1, 10), 5, D(2016, 2, 20))  # in and out in Q1
    h3b = household("H3", "0201", D(2016, 3, 31), 3)  # a third child recorded in Q2
    h5 = household("H5", "0102", D(2016, 5, 5), 1)
    h1_exit = household("H1", "0101", D(2015, 5, 1), 4, D(2016, 8, 31))
    h6 = household("H6", "0101", D(2016, 12, 31), 6)  # enrolled on the year's last day
    write_feed(
        data_dir,
        "cash_transfer_households",
        [
            ("2016-Q1", D(2016, 4, 15), [h1, h2, h3, h4]),
            ("2016-Q2", D(2016, 7, 15), [h1, h3b, h5]),
            ("2016-Q3", D(2016, 10, 15), [h1_exit, h3b, h5]),
            ("2016-Q4", D(2017, 1, 15), [h3b, h5, h6]),
        ],
    )
    write_empty_feed_files(data_dir / "ingested", load_contracts())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtResult, Path]:
    return build(tmp_path_factory.mktemp("services"), write_fixture_feeds)


@pytest.fixture(scope="module")
def values(built: tuple[DbtResult, Path]) -> dict[tuple[str, str, str, str], tuple]:
    """fct_indicator_values of SS01, SS06-SS08 keyed by (indicator, period, geo, disaggregation
    value) -> (numerator, denominator, value)."""
    return fact_values(built, ("SS01", "SS06", "SS07", "SS08"))


def test_build_succeeds(built: tuple[DbtResult, Path]) -> None:
    result, _ = built
    assert result.ok, result.summary


def test_period_types_follow_the_catalogue_frequency(values: dict) -> None:
    periods = {(code, pid) for code, pid, _, _ in values}
    kinds = {}
    for code, pid in periods:
        kind = "year" if len(pid) == 4 else "quarter" if "Q" in pid else "month"
        kinds.setdefault(code, set()).add(kind)
    assert kinds == {
        "SS01": {"year"},  # yearly
        "SS06": {"month", "quarter", "year"},  # monthly
        "SS07": {"month", "quarter", "year"},
        "SS08": {"quarter", "year"},  # quarterly
    }
    # 12 months + 4 quarters + 1 year for SS06/SS07, 4 + 1 for SS08, 1 for SS01;
    # 6 geographies (3 districts, 2 provinces, the nation) with a total each; SS01 also by sex.
    assert sum(code == "SS06" for code, *_ in values) == 17 * 6
    assert sum(code == "SS08" for code, *_ in values) == 5 * 6
    assert sum(code == "SS01" for code, *_ in values) == 6 * 3


def test_ss06_share_of_inspections_finding_children(values: dict) -> None:
    # January: 0101 L1 (2 found), L2 (0, on Jan 31), L5 (dated Jan 30, delivered in February's
    # file) -> 2 of 3; 0102 L3 -> 1/1; 0201 L4 -> 1/1.
    assert values[("SS06", "2016-01", "0101", "total")] == (2.0, 3.0, pytest.approx(200 / 3))
    assert values[("SS06", "2016-01", "0102", "total")] == (1.0, 1.0, 100.0)
    # Province 01: (2 + 1) / (3 + 1) = 75%; nation (3 + 1) / (4 + 1) = 80%.
    assert values[("SS06", "2016-01", "01", "total")] == (3.0, 4.0, 75.0)
    assert values[("SS06", "2016-01", "NAT", "total")] == (4.0, 5.0, 80.0)
    # February: only L6 (0201, Feb 29, no child) -> 0201 0/1 = 0; 0101 0/0 -> null.
    assert values[("SS06", "2016-02", "0201", "total")] == (0.0, 1.0, 0.0)
    assert values[("SS06", "2016-02", "0101", "total")] == (0.0, 0.0, None)
    assert values[("SS06", "2016-02", "01", "total")] == (0.0, 0.0, None)
    # March, province 02 missing: 0201 0/0 -> null, province 02 null; 01 = L7 yes, L8 no = 1/2.
    assert values[("SS06", "2016-03", "0201", "total")] == (0.0, 0.0, None)
    assert values[("SS06", "2016-03", "02", "total")] == (0.0, 0.0, None)
    assert values[("SS06", "2016-03", "01", "total")] == (1.0, 2.0, 50.0)
    assert values[("SS06", "2016-03", "NAT", "total")] == (1.0, 2.0, 50.0)
    # Q1 sums the months: 0101 (2+0+1)/(3+0+1) = 3/4; 0102 (1+0+0)/(1+0+1) = 1/2;
    # 0201 (1+0+0)/(1+1+0) = 1/2; 01 4/6; nation 5/8 = 62.5%.
    assert values[("SS06", "2016-Q1", "0101", "total")] == (3.0, 4.0, 75.0)
    assert values[("SS06", "2016-Q1", "0102", "total")] == (1.0, 2.0, 50.0)
    assert values[("SS06", "2016-Q1", "0201", "total")] == (1.0, 2.0, 50.0)
    assert values[("SS06", "2016-Q1", "01", "total")] == (4.0, 6.0, pytest.approx(400 / 6))
    assert values[("SS06", "2016-Q1", "NAT", "total")] == (5.0, 8.0, 62.5)
    # Q2: L9 (0201, Apr 1, 1 found) -> 1/1. The year: 5 + 1 = 6 of 8 + 1 = 9.
    assert values[("SS06", "2016-Q2", "NAT", "total")] == (1.0, 1.0, 100.0)
    assert values[("SS06", "2016", "NAT", "total")] == (6.0, 9.0, pytest.approx(600 / 9))
    assert ("SS06", "2016-01", "NAT", "female") not in values  # no sex disaggregation


def test_ss07_children_withdrawn_and_referred(values: dict) -> None:
    # January: 0101 L1 2 + L5 1 = 3; 0102 L3 as corrected = 1; 0201 L4 1; nation 5.
    assert values[("SS07", "2016-01", "0101", "total")] == (3.0, None, 3.0)
    assert values[("SS07", "2016-01", "0102", "total")] == (1.0, None, 1.0)
    assert values[("SS07", "2016-01", "NAT", "total")] == (5.0, None, 5.0)
    # February 0 everywhere (explicit zero); March 0101 L7 2.
    assert values[("SS07", "2016-02", "NAT", "total")] == (0.0, None, 0.0)
    assert values[("SS07", "2016-03", "0101", "total")] == (2.0, None, 2.0)
    # Q1 = 5 + 0 + 2 = 7 nationally; province 01 3 + 1 + 2 = 6; province 02 1.
    assert values[("SS07", "2016-Q1", "NAT", "total")] == (7.0, None, 7.0)
    assert values[("SS07", "2016-Q1", "01", "total")] == (6.0, None, 6.0)
    assert values[("SS07", "2016-Q1", "02", "total")] == (1.0, None, 1.0)
    # The year adds L9 (withdrawn 1 but not referred: 0) -> 7.
    assert values[("SS07", "2016", "NAT", "total")] == (7.0, None, 7.0)


def test_ss01_lower_secondary_dropout(values: dict) -> None:
    # 2016 (school year 2015/16): 0101 F 10/100, M 20/100 (grade 10 excluded) -> 30/200 = 15%.
    assert values[("SS01", "2016", "0101", "total")] == (30.0, 200.0, 15.0)
    assert values[("SS01", "2016", "0101", "female")] == (10.0, 100.0, 10.0)
    assert values[("SS01", "2016", "0101", "male")] == (20.0, 100.0, 20.0)
    # 0102 F 5/50 = 10%; 0102 M no pupils: 0/0 -> null.
    assert values[("SS01", "2016", "0102", "female")] == (5.0, 50.0, 10.0)
    assert values[("SS01", "2016", "0102", "male")] == (0.0, 0.0, None)
    # 0201 M: the corrected return wins, 6/40 = 15%.
    assert values[("SS01", "2016", "0201", "male")] == (6.0, 40.0, 15.0)
    # Province 01: (30 + 5) / (200 + 50) = 14%; F 15/150 = 10%; M 20/100 = 20%.
    assert values[("SS01", "2016", "01", "total")] == (35.0, 250.0, 14.0)
    assert values[("SS01", "2016", "01", "female")] == (15.0, 150.0, 10.0)
    # Nation: 41 / 290 = 14.137...%; M (20 + 6) / (100 + 40) = 18.57...%.
    assert values[("SS01", "2016", "NAT", "total")] == (41.0, 290.0, pytest.approx(4100 / 290))
    assert values[("SS01", "2016", "NAT", "male")] == (26.0, 140.0, pytest.approx(2600 / 140))


def test_ss08_children_in_cash_transfer_households(values: dict) -> None:
    # The latest version of each household is used: H3 has 3 children in every stock.
    # Q1 (Mar 31): H1 4 (0101); H2 left on Mar 31 (out); H3 enrolled Mar 31 (in, 3); H4 in and
    # out within the quarter (out). 0101 4/2000 = 0.2%; 0201 3/1000 = 0.3%; nation 7/4000.
    assert values[("SS08", "2016-Q1", "0101", "total")] == (4.0, 2000.0, pytest.approx(0.2))
    assert values[("SS08", "2016-Q1", "0102", "total")] == (0.0, 1000.0, 0.0)
    assert values[("SS08", "2016-Q1", "0201", "total")] == (3.0, 1000.0, pytest.approx(0.3))
    assert values[("SS08", "2016-Q1", "NAT", "total")] == (7.0, 4000.0, pytest.approx(0.175))
    # Q2: + H5 (0102, 1) -> 8/4000. Q3: H1 left Aug 31 -> 1 + 3 = 4/4000.
    assert values[("SS08", "2016-Q2", "NAT", "total")] == (8.0, 4000.0, pytest.approx(0.2))
    assert values[("SS08", "2016-Q3", "NAT", "total")] == (4.0, 4000.0, pytest.approx(0.1))
    # Q4 = the year (Dec 31 stock, never a sum): H6 enrolled Dec 31 (6) + H5 1 + H3 3 = 10.
    assert values[("SS08", "2016-Q4", "NAT", "total")] == (10.0, 4000.0, pytest.approx(0.25))
    assert values[("SS08", "2016", "NAT", "total")] == (10.0, 4000.0, pytest.approx(0.25))
    # Province 01 at year end: (6 + 1) / (2000 + 1000) = 0.2333...%.
    assert values[("SS08", "2016", "01", "total")] == (7.0, 3000.0, pytest.approx(700 / 3000))
