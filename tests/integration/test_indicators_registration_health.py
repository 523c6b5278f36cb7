"""CR01, CR05, SS03, SS04 and the survey indicators VE14, CR02, CR04, SS05 computed by dbt from a
tiny hand-made set of ingested feeds.

Every expected number below was worked out by hand from the rows written in this file (the
arithmetic is next to each assertion), never copied from output. One `dbt build` per module.

Country: provinces 01 and 02; districts 0101 and 0102 in 01, 0201 in 02. Placements are delivered
for 2016-01 and 2017-12 only, so the reporting periods are the 24 months, 8 quarters and the two
years 2016 (366 days) and 2017 (365 days).

Live-birth estimates (CR01 denominators, pro-rated by days: a 2016 month of 31 days gets 31/366):
  2016: 0101 F 366, 0101 M 732, 0102 F 0, 0102 M 366, 0201 F 366, 0201 M 366 revised to 732 by
        the 2017 delivery (the latest delivery of a key wins).
  2017: 0101 F 365, 0101 M 365, 0102 F 365, 0102 M 365, 0201 F 365; 0201 M missing.

Birth registrations (on time = 0 to 30 days from birth to registration, counted in the month of
the registration):
  r1  0101 F born 2015-12-31 reg 2016-01-01  1 day, on time (first day of January)
  r2  0101 F born 2016-01-01 reg 2016-01-31  30 days, on time (last day of January)
  r3  0101 F born 2016-01-01 reg 2016-02-01  31 days, late
  r4  0101 M born 2016-03-01 reg 2016-03-31  on time
  r5  0101 M born 2010-05-05 reg 2016-03-15  late
  r6  0102 F born 2016-02-10 reg 2016-02-12  on time (0102 F has an estimate of 0)
  r7  0201 delivered in 2016-07 as F, re-delivered in 2016-08 as M: M, born 2016-06-20,
      reg 2016-07-01, on time
  r8  0201 F born 2016-12-31 reg 2016-12-31  0 days, on time
  r9  0101 F born 2017-12-01 reg 2017-12-31  on time
  r10 0101 F born 2016-05-10 reg 2016-05-01  registered before birth: never on time

Health facilities: f1, f2 in 0101; f3 in 0201 (values listed at each test).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from dbt_fixture import admin_unit_rows, build, pseudonym, write_delivery

from cpmonitor.core.contracts import load_contracts
from cpmonitor.dbt_runner import DbtResult
from ingest.run import write_empty_feed_files

D = dt.date
CONTRACTS = load_contracts()


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 8, 0)


def write_feed(
    data_dir: Path, feed: str, deliveries: list[tuple[str, dt.datetime, list[dict]]]
) -> None:
    """One ingested Parquet file per delivery (period, received_at, rows)."""
    for number, (period, received_at, rows) in enumerate(deliveries):
        write_delivery(
            data_dir,
            feed,
            period,
            rows,
            number=number,
            received_at=received_at,
            ingested_at=received_at + dt.timedelta(minutes=5),
        )


def pop(year: int, district: str, sex: str, age: int, population: int) -> dict:
    return {
        "year": year,
        "district_code": district,
        "sex": sex,
        "age": age,
        "population": population,
    }


def births(year: int, district: str, sex: str, n: int) -> dict:
    return {"year": year, "district_code": district, "sex": sex, "estimated_live_births": n}


def registration(rid: str, district: str, sex: str, born: dt.date, registered: dt.date) -> dict:
    return {
        "registration_id": pseudonym(rid),
        "child_id": pseudonym(f"child-{rid}"),
        "sex": sex,
        "date_of_birth": born,
        "place_of_birth": "health_facility",
        "registration_date": registered,
        "district_code": district,
        "registrar_office": f"RO-{district}-1",
    }


FACILITY_DISTRICT = {"f1": "0101", "f2": "0101", "f3": "0201"}


def value(facility: str, month: dt.date, element: str, sex: str, age_group: str, n: int) -> dict:
    return {
        "facility_id": facility,
        "facility_name": f"Facility {facility}",
        "facility_type": "health_centre",
        "district_code": FACILITY_DISTRICT[facility],
        "reporting_month": month,
        "data_element": element,
        "sex": sex,
        "age_group": age_group,
        "value": n,
    }


VIOLENCE = "violence_cases_treated"
PRESENTED = "sexual_violence_survivors_presented"
PEP = "post_exposure_care_within_72h"
BIRTHS_15_19 = "live_births_to_girls_15_19"


def survey(
    name: str,
    year: int,
    code: str,
    level: str,
    geo: str,
    sex: str,
    estimate: float,
    low: float,
    high: float,
    base: int,
) -> dict:
    return {
        "survey_name": name,
        "survey_year": year,
        "indicator_code": code,
        "geo_level": level,
        "geo_code": geo,
        "sex": sex,
        "estimate": estimate,
        "ci_lower": low,
        "ci_upper": high,
        "unweighted_base": base,
    }


def placement(pid: str, start: dt.date) -> dict:
    return {
        "placement_id": pseudonym(pid),
        "child_id": pseudonym(f"child-{pid}"),
        "sex": "F",
        "date_of_birth": D(2010, 1, 1),
        "care_type": "foster",
        "district_code": "0101",
        "start_date": start,
    }


def write_fixture_feeds(data_dir: Path) -> None:
    """The hand-made feeds described in the module docstring and at each test."""
    write_empty_feed_files(data_dir / "ingested", CONTRACTS)
    write_feed(data_dir, "admin_units", [("2016", at(D(2016, 1, 2)), admin_unit_rows())])
    # the reporting periods: 2016-01 .. 2017-12 (first and last delivered placements periods)
    write_feed(
        data_dir,
        "placements",
        [
            ("2016-01", at(D(2016, 2, 1)), [placement("p1", D(2016, 1, 5))]),
            ("2017-12", at(D(2018, 1, 1)), [placement("p2", D(2017, 12, 5))]),
        ],
    )
    # Girls 15-19 (CR05): 2016: 0101 100 (15) + 100 (19) = 200, 0102 300 (16), 0201 100 (18);
    # 2017: 0101 250 (15) only. Girls 14 and 20 and boys 17 are not girls 15-19.
    write_feed(
        data_dir,
        "population",
        [
            (
                "2016",
                at(D(2016, 1, 3)),
                [
                    pop(2016, "0101", "F", 15, 100),
                    pop(2016, "0101", "F", 19, 100),
                    pop(2016, "0101", "F", 14, 500),
                    pop(2016, "0101", "F", 20, 700),
                    pop(2016, "0101", "M", 17, 1000),
                    pop(2016, "0102", "F", 16, 300),
                    pop(2016, "0201", "F", 18, 100),
                ],
            ),
            ("2017", at(D(2017, 1, 3)), [pop(2017, "0101", "F", 15, 250)]),
        ],
    )
    write_feed(
        data_dir,
        "live_birth_estimates",
        [
            (
                "2016",
                at(D(2016, 1, 31)),
                [
                    births(2016, "0101", "F", 366),
                    births(2016, "0101", "M", 732),
                    births(2016, "0102", "F", 0),
                    births(2016, "0102", "M", 366),
                    births(2016, "0201", "F", 366),
                    births(2016, "0201", "M", 366),
                ],
            ),
            (
                "2017",
                at(D(2017, 1, 31)),
                [
                    births(2016, "0201", "M", 732),
                    births(2017, "0101", "F", 365),
                    births(2017, "0101", "M", 365),
                    births(2017, "0102", "F", 365),
                    births(2017, "0102", "M", 365),
                    births(2017, "0201", "F", 365),
                ],
            ),
        ],
    )
    write_feed(
        data_dir,
        "birth_registrations",
        [
            (
                "2016-01",
                at(D(2016, 2, 10)),
                [
                    registration("r1", "0101", "F", D(2015, 12, 31), D(2016, 1, 1)),
                    registration("r2", "0101", "F", D(2016, 1, 1), D(2016, 1, 31)),
                ],
            ),
            (
                "2016-02",
                at(D(2016, 3, 10)),
                [
                    registration("r3", "0101", "F", D(2016, 1, 1), D(2016, 2, 1)),
                    registration("r6", "0102", "F", D(2016, 2, 10), D(2016, 2, 12)),
                ],
            ),
            (
                "2016-03",
                at(D(2016, 4, 10)),
                [
                    registration("r4", "0101", "M", D(2016, 3, 1), D(2016, 3, 31)),
                    registration("r5", "0101", "M", D(2010, 5, 5), D(2016, 3, 15)),
                ],
            ),
            (
                "2016-05",
                at(D(2016, 6, 10)),
                [registration("r10", "0101", "F", D(2016, 5, 10), D(2016, 5, 1))],
            ),
            (
                "2016-07",
                at(D(2016, 8, 10)),
                [registration("r7", "0201", "F", D(2016, 6, 20), D(2016, 7, 1))],
            ),
            (
                "2016-08",
                at(D(2016, 9, 10)),
                [registration("r7", "0201", "M", D(2016, 6, 20), D(2016, 7, 1))],
            ),
            (
                "2016-12",
                at(D(2017, 1, 10)),
                [registration("r8", "0201", "F", D(2016, 12, 31), D(2016, 12, 31))],
            ),
            (
                "2017-12",
                at(D(2018, 1, 10)),
                [registration("r9", "0101", "F", D(2017, 12, 1), D(2017, 12, 31))],
            ),
        ],
    )
    jan, feb, mar, apr = D(2016, 1, 1), D(2016, 2, 1), D(2016, 3, 1), D(2016, 4, 1)
    write_feed(
        data_dir,
        "facility_child_protection",
        [
            (
                "2016-01",
                at(D(2016, 2, 10)),
                [
                    value("f1", jan, VIOLENCE, "F", "10-14", 3),
                    value("f2", jan, VIOLENCE, "F", "10-14", 2),
                    value("f1", jan, VIOLENCE, "M", "0-4", 1),
                    value("f1", jan, VIOLENCE, "F", "15-19", 9),  # not a child band: ignored
                    value("f1", jan, PRESENTED, "F", "15-17", 4),
                    value("f1", jan, PEP, "F", "15-17", 3),
                    value("f3", jan, PRESENTED, "F", "10-14", 2),
                    value("f1", jan, BIRTHS_15_19, "F", "15-19", 2),
                ],
            ),
            ("2016-02", at(D(2016, 3, 10)), [value("f1", feb, VIOLENCE, "F", "10-14", 4)]),
            (
                "2016-03",
                at(D(2016, 4, 10)),
                [
                    value("f3", mar, VIOLENCE, "M", "15-17", 5),
                    # f1 corrects February (4 -> 6) with the March export: the latest wins
                    value("f1", feb, VIOLENCE, "F", "10-14", 6),
                ],
            ),
            (
                "2016-04",
                at(D(2016, 5, 10)),
                [value("f2", apr, PRESENTED, "M", "5-9", 1), value("f2", apr, PEP, "M", "5-9", 1)],
            ),
            (
                "2016-12",
                at(D(2017, 1, 10)),
                [value("f3", D(2016, 12, 1), BIRTHS_15_19, "F", "15-19", 3)],
            ),
            (
                "2017-01",
                at(D(2017, 2, 10)),
                [value("f1", D(2017, 1, 1), BIRTHS_15_19, "F", "15-19", 1)],
            ),
        ],
    )
    mics = "Teluvara MICS 2016"
    write_feed(
        data_dir,
        "survey_estimates",
        [
            (
                "2015",
                at(D(2016, 6, 30)),
                # 2015 is not a reporting year: no row
                [survey("Teluvara DHS 2015", 2015, "CR02", "national", "NAT", "total",
                        60.0, 55.0, 65.0, 900)],
            ),
            (
                "2016",
                at(D(2017, 6, 30)),
                [
                    survey(mics, 2016, "VE14", "national", "NAT", "total", 70.5, 60.1, 80.9, 1200),
                    survey(mics, 2016, "VE14", "national", "NAT", "F", 68.0, 62.0, 74.0, 600),
                    survey(mics, 2016, "VE14", "national", "NAT", "M", 73.0, 67.5, 78.5, 600),
                    survey(mics, 2016, "VE14", "province", "01", "total", 65.0, 58.0, 72.0, 700),
                    survey(mics, 2016, "VE14", "province", "02", "total", 75.0, 69.0, 81.0, 500),
                    survey(mics, 2016, "CR04", "national", "NAT", "total", 20.0, 17.0, 23.0, 400),
                    # CR04 has no sex disaggregation in the catalogue: dropped
                    survey(mics, 2016, "CR04", "national", "NAT", "F", 20.0, 17.0, 23.0, 400),
                    # province 99 is not in the admin units: dropped
                    survey(mics, 2016, "CR02", "province", "99", "total", 80.0, 75.0, 85.0, 300),
                    survey(mics, 2016, "CR02", "national", "NAT", "total", 78.2, 75.0, 81.4, 800),
                    survey(mics, 2016, "SS05", "national", "NAT", "total", 18.0, 15.0, 21.0, 1500),
                ],
            ),
            (
                "2016",
                at(D(2017, 9, 1)),
                # a corrected estimate, delivered later for the same survey: replaces 18.0
                [survey(mics, 2016, "SS05", "national", "NAT", "total", 17.5, 14.6, 20.4, 1500)],
            ),
        ],
    )  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtResult, Path]:
    """One dbt build of the fixture feeds; returns the result and the build database."""
    return build(tmp_path_factory.mktemp("registration_health"), write_fixture_feeds)


MINE = ("CR01", "CR05", "SS03", "SS04", "VE14", "CR02", "CR04", "SS05")


@pytest.fixture(scope="module")
def facts(built: tuple[DbtResult, Path]) -> dict[tuple[str, str, str, str], tuple]:
    """This area's rows of fct_indicator_values keyed by (indicator, period, geo, disaggregation
    value): (numerator, denominator, value, ci_lower, ci_upper)."""
    _, build_db = built
    with duckdb.connect(str(build_db), read_only=True) as con:
        rows = con.execute(
            "select indicator_code, period_id, geo_code, disaggregation_value,"
            " numerator, denominator, value, ci_lower, ci_upper"
            " from main.fct_indicator_values where indicator_code in"
            f" ({', '.join(repr(c) for c in MINE)})"
        ).fetchall()
    return {tuple(r[:4]): r[4:] for r in rows}


def test_build_succeeds(built: tuple[DbtResult, Path]) -> None:
    result, _ = built
    assert result.ok, result.summary


def nvd(facts: dict, code: str, period: str, geo: str, group: str = "total") -> tuple:
    """(numerator, denominator, value) of one row."""
    return facts[(code, period, geo, group)][:3]


# --- CR01: births registered on time / estimated live births (%) -----------------------------


def test_cr01_counts_registrations_within_30_days_in_the_registration_month(facts: dict) -> None:
    # Jan 2016, 0101 F: r1 (first day, 1 day) and r2 (last day, 30 days) = 2 over 366 x 31/366.
    assert nvd(facts, "CR01", "2016-01", "0101", "female") == pytest.approx((2, 31, 200 / 31))
    # 0101 total: 2 over F 31 + M 732 x 31/366 = 62 -> 93.
    assert nvd(facts, "CR01", "2016-01", "0101") == pytest.approx((2, 93, 200 / 93))
    # Feb 2016, 0101 F: r3 took 31 days (late) -> 0 over 29 (a leap February).
    assert nvd(facts, "CR01", "2016-02", "0101", "female") == pytest.approx((0, 29, 0))
    # Mar 2016, 0101 M: r4 on time, r5 late -> 1 over 732 x 31/366 = 62.
    assert nvd(facts, "CR01", "2016-03", "0101", "male") == pytest.approx((1, 62, 100 / 62))
    # May 2016, 0101 F: r10 registered before its birth date is not on time.
    assert nvd(facts, "CR01", "2016-05", "0101", "female") == pytest.approx((0, 31, 0))
    # Dec 2016, 0201 F: r8 registered on its birth day (0 days).
    assert nvd(facts, "CR01", "2016-12", "0201", "female") == pytest.approx((1, 31, 100 / 31))


def test_cr01_zero_estimate_gives_no_value_and_sums_up(facts: dict) -> None:
    # Feb 2016, 0102 F: r6 on time over an estimate of 0 -> value null.
    assert nvd(facts, "CR01", "2016-02", "0102", "female") == (1, 0, None)
    # 0102 total Feb: 1 over 0 + 366 x 29/366 = 29.
    assert nvd(facts, "CR01", "2016-02", "0102") == pytest.approx((1, 29, 100 / 29))


def test_cr01_quarter_and_year_sum_the_months_and_roll_up(facts: dict) -> None:
    # Q1 2016 (91 days), 0101 F: 2 (Jan) + 0 (Feb) + 0 (Mar) over 366 x 91/366 = 91.
    assert nvd(facts, "CR01", "2016-Q1", "0101", "female") == pytest.approx((2, 91, 200 / 91))
    # 0101 M Q1: r4 = 1 over 732 x 91/366 = 182.
    assert nvd(facts, "CR01", "2016-Q1", "0101", "male") == pytest.approx((1, 182, 100 / 182))
    # Province 01, Q1, female: 0101 F 2 + 0102 F 1 = 3 over 91 + 0 = 91 (summed parts).
    assert nvd(facts, "CR01", "2016-Q1", "01", "female") == pytest.approx((3, 91, 300 / 91))
    # Jul 2016, 0201 M: r7 (the re-delivered version says M) over the revised 732 x 31/366 = 62;
    # 0201 F in July: 0 over 31.
    assert nvd(facts, "CR01", "2016-07", "0201", "male") == pytest.approx((1, 62, 100 / 62))
    assert nvd(facts, "CR01", "2016-07", "0201", "female") == pytest.approx((0, 31, 0))
    # Year 2016, nation: r1 r2 r4 r6 r7 r8 = 6 over 366 + 732 + 0 + 366 + 366 + 732 = 2562.
    assert nvd(facts, "CR01", "2016", "NAT") == pytest.approx((6, 2562, 600 / 2562))
    # Female: r1 r2 r6 r8 = 4 over 366 + 0 + 366 = 732.
    assert nvd(facts, "CR01", "2016", "NAT", "female") == pytest.approx((4, 732, 400 / 732))
    # Male: r4 r7 = 2 over 732 + 366 + 732 = 1830.
    assert nvd(facts, "CR01", "2016", "NAT", "male") == pytest.approx((2, 1830, 200 / 1830))


def test_cr01_missing_estimate_leaves_the_rollup_unknown(facts: dict) -> None:
    # Dec 2017, 0101 F: r9 over 365 x 31/365 = 31.
    assert nvd(facts, "CR01", "2017-12", "0101", "female") == pytest.approx((1, 31, 100 / 31))
    # 2017: 0201 M has no estimate: 0201, province 02 and the nation have no total denominator.
    assert nvd(facts, "CR01", "2017", "0201", "male") == (0, None, None)
    assert nvd(facts, "CR01", "2017", "NAT") == (1, None, None)
    # ... but province 01 does: 1 over 4 x 365 = 1460; and the nation's girls: 1 over 3 x 365.
    assert nvd(facts, "CR01", "2017", "01") == pytest.approx((1, 1460, 100 / 1460))
    assert nvd(facts, "CR01", "2017", "NAT", "female") == pytest.approx((1, 1095, 100 / 1095))


def test_cr01_rows_are_dense_and_by_sex_only(facts: dict) -> None:
    cr01 = [k for k in facts if k[0] == "CR01"]
    # 34 periods x (3 districts + 2 provinces + nation) x (total, female, male)
    assert len(cr01) == 34 * 6 * 3
    assert {k[3] for k in cr01} == {"total", "female", "male"}


# --- SS03: children treated for violence (count) ---------------------------------------------
# Violence cases treated: Jan 2016 f1 F 10-14 3, f2 F 10-14 2, f1 M 0-4 1 (and f1 F "15-19" 9,
# not a child band); Feb 2016 f1 F 10-14 4 corrected to 6 by the March export; Mar 2016 f3
# (0201) M 15-17 5.


def test_ss03_counts_by_month_sex_and_age(facts: dict) -> None:
    # Jan 2016, 0101: 3 + 2 + 1 = 6 (the 15-19 row is ignored); female 5; 10-14: 5; 0-4: 1.
    assert nvd(facts, "SS03", "2016-01", "0101") == (6, None, 6)
    assert nvd(facts, "SS03", "2016-01", "0101", "female") == (5, None, 5)
    assert nvd(facts, "SS03", "2016-01", "0101", "10-14") == (5, None, 5)
    assert nvd(facts, "SS03", "2016-01", "0101", "0-4") == (1, None, 1)
    # Feb 2016, 0101: the corrected 6, not 4 (nor 4 + 6).
    assert nvd(facts, "SS03", "2016-02", "0101") == (6, None, 6)
    # A district without any report still has a zero row.
    assert nvd(facts, "SS03", "2016-01", "0102") == (0, None, 0)


def test_ss03_sums_over_time_and_geography(facts: dict) -> None:
    # Q1 2016, 0101: 6 + 6 = 12; nation: 12 + 5 (0201, March) = 17; year 2016 = 17.
    assert nvd(facts, "SS03", "2016-Q1", "0101") == (12, None, 12)
    assert nvd(facts, "SS03", "2016-Q1", "NAT") == (17, None, 17)
    assert nvd(facts, "SS03", "2016", "NAT") == (17, None, 17)
    # Nation 15-17 in 2016: 5; province 02 male: 5; nation female: 3 + 2 + 6 = 11.
    assert nvd(facts, "SS03", "2016", "NAT", "15-17") == (5, None, 5)
    assert nvd(facts, "SS03", "2016", "02", "male") == (5, None, 5)
    assert nvd(facts, "SS03", "2016", "NAT", "female") == (11, None, 11)
    assert nvd(facts, "SS03", "2017", "NAT") == (0, None, 0)


# --- SS04: post-exposure care within 72 hours / survivors presenting (%) ---------------------
# Jan 2016: f1 (0101) F 15-17 presented 4, care 3; f3 (0201) F 10-14 presented 2, care 0.
# Apr 2016: f2 (0101) M 5-9 presented 1, care 1.


def test_ss04_rates_from_summed_parts(facts: dict) -> None:
    assert nvd(facts, "SS04", "2016-01", "0101", "15-17") == pytest.approx((3, 4, 75))
    assert nvd(facts, "SS04", "2016-01", "0201") == pytest.approx((0, 2, 0))
    # Nation Jan: (3 + 0) / (4 + 2) = 50%, not the mean of 75% and 0%... (37.5).
    assert nvd(facts, "SS04", "2016-01", "NAT") == pytest.approx((3, 6, 50))
    # No survivor in 0102: 0/0 -> null.
    assert nvd(facts, "SS04", "2016-01", "0102") == (0, 0, None)
    # Q2 nation: 1/1 = 100%; year 2016: (3 + 0 + 1) / (4 + 2 + 1) = 4/7.
    assert nvd(facts, "SS04", "2016-Q2", "NAT") == pytest.approx((1, 1, 100))
    assert nvd(facts, "SS04", "2016", "NAT") == pytest.approx((4, 7, 400 / 7))
    assert nvd(facts, "SS04", "2016", "NAT", "male") == pytest.approx((1, 1, 100))
    assert nvd(facts, "SS04", "2016", "NAT", "5-9") == pytest.approx((1, 1, 100))
    assert nvd(facts, "SS04", "2016", "NAT", "15-17") == pytest.approx((3, 4, 75))
    # Province 01, 2016, female: 3/4; age band 0-4 has nobody: 0/0 -> null.
    assert nvd(facts, "SS04", "2016", "01", "female") == pytest.approx((3, 4, 75))
    assert nvd(facts, "SS04", "2016", "NAT", "0-4") == (0, 0, None)


def test_ss03_ss04_carry_sex_and_age_band(facts: dict) -> None:
    groups = {k[3] for k in facts if k[0] == "SS04"}
    assert groups == {"total", "female", "male", "0-4", "5-9", "10-14", "15-17"}
    # 34 periods x 6 places x 7 groups, dense
    assert len([k for k in facts if k[0] == "SS03"]) == 34 * 6 * 7


# --- CR05: live births to girls 15-19 per 1,000 girls 15-19 (yearly) -------------------------
# Births: f1 (0101) 2 in Jan 2016 (the year's first month), f3 (0201) 3 in Dec 2016 (its last
# month), f1 1 in Jan 2017.


def test_cr05_yearly_rate_per_1000_girls(facts: dict) -> None:
    # 2016: 0101 2/200 -> 10; 0102 0/300 -> 0; 0201 3/100 -> 30.
    assert nvd(facts, "CR05", "2016", "0101") == pytest.approx((2, 200, 10))
    assert nvd(facts, "CR05", "2016", "0102") == pytest.approx((0, 300, 0))
    assert nvd(facts, "CR05", "2016", "0201") == pytest.approx((3, 100, 30))
    # Province 01: 2 / (200 + 300) = 4 per 1,000; nation 5 / 600 = 8.33.
    assert nvd(facts, "CR05", "2016", "01") == pytest.approx((2, 500, 4))
    assert nvd(facts, "CR05", "2016", "NAT") == pytest.approx((5, 600, 5000 / 600))
    # 2017: 0101 1/250 -> 4; the other districts have no population figure: nation unknown.
    assert nvd(facts, "CR05", "2017", "0101") == pytest.approx((1, 250, 4))
    assert nvd(facts, "CR05", "2017", "NAT") == (1, None, None)


def test_cr05_is_yearly_and_total_only(facts: dict) -> None:
    keys = [k for k in facts if k[0] == "CR05"]
    assert {k[1] for k in keys} == {"2016", "2017"}
    assert {k[3] for k in keys} == {"total"}
    assert len(keys) == 2 * 6


# --- Surveys: carried as published, at survey years and the levels surveyed ------------------


def test_surveys_carried_with_confidence_intervals(facts: dict) -> None:
    # (numerator, denominator = unweighted base, value, ci_lower, ci_upper)
    assert facts[("VE14", "2016", "NAT", "total")] == (None, 1200, 70.5, 60.1, 80.9)
    assert facts[("VE14", "2016", "NAT", "female")] == (None, 600, 68.0, 62.0, 74.0)
    assert facts[("VE14", "2016", "NAT", "male")] == (None, 600, 73.0, 67.5, 78.5)
    assert facts[("VE14", "2016", "01", "total")] == (None, 700, 65.0, 58.0, 72.0)
    assert facts[("VE14", "2016", "02", "total")] == (None, 500, 75.0, 69.0, 81.0)
    assert facts[("CR02", "2016", "NAT", "total")] == (None, 800, 78.2, 75.0, 81.4)
    assert facts[("CR04", "2016", "NAT", "total")] == (None, 400, 20.0, 17.0, 23.0)
    # the later corrected delivery wins
    assert facts[("SS05", "2016", "NAT", "total")] == (None, 1500, 17.5, 14.6, 20.4)


def test_surveys_never_interpolated_nor_invented(facts: dict) -> None:
    survey_keys = {k for k in facts if k[0] in ("VE14", "CR02", "CR04", "SS05")}
    # only the 2016 survey year (2015 is outside the periods, 2017 had no survey); no districts,
    # no CR04 by sex (the catalogue has none), no unknown province 99
    assert survey_keys == {
        ("VE14", "2016", "NAT", "total"),
        ("VE14", "2016", "NAT", "female"),
        ("VE14", "2016", "NAT", "male"),
        ("VE14", "2016", "01", "total"),
        ("VE14", "2016", "02", "total"),
        ("CR02", "2016", "NAT", "total"),
        ("CR04", "2016", "NAT", "total"),
        ("SS05", "2016", "NAT", "total"),
    }
