"""JC01-JC09, VE11 and VE12 computed by dbt from a tiny hand-made set of ingested feeds.

Every expected number below was worked out by hand from the rows written in this file (the
arithmetic is next to each assertion), never copied from output. One `dbt build` per module.

Geography: provinces 01 and 02; districts 0101, 0102 (in 01) and 0201 (in 02). Placements
deliveries 2016-01 and 2016-12 make the periods the 12 months, 4 quarters and the year 2016.

2016 population (single ages; F = female, M = male):
  0101: F12 1000, F16 1000, M12 2000, M16 2000, M3 5000
  0102: F12 500, M16 500
  0201: F15 1000, M15 1000
  Ages 10-17: 0101 6000 (F 2000, M 4000; 10-14 3000, 15-17 3000), 0102 1000, 0201 2000;
              province 01 7000, NAT 9000.
  Ages 0-17:  0101 11000, 0102 1000, 0201 2000, NAT 14000; F 3500, M 10500; 0-4 5000, 5-9 0,
              10-14 3500.

Detention episodes (changed-records deliveries; the latest row of an episode wins):
  D1 c1 M born 2003-06-01 0101 not separated  2016-01-10, sentenced 2016-03-15, released
     2016-05-20 sentence_served, referred to aftercare
  D2 c2 F born 2000-02-01 0101 separated      2016-01-20 .. 2016-02-19 bail, not referred
  D3 c3 M born 2000-01-01 0102 separated      2016-02-01 .. 2016-03-31 died
  D4 c4 F born 2001-01-01 0201 separated      2016-01-05, sentenced 2016-01-25, transferred
     2016-02-10 to
  D5 c4                   0101 not separated  2016-02-10, sentenced 2016-01-25, still held
Stocks (held at d: start <= d < release):
  Jan 31: D1 (0101 M 10-14 pre), D2 (0101 F 15-17 pre), D4 (0201 F 15-17 sentenced)
  Feb 29: D1 (0101 pre, not sep), D3 (0102 M 15-17 pre), D5 (0101 F sentenced, not sep)
  Mar 31: D1 (sentenced, not sep), D5 (not sep); D3 died on Mar 31: not in the stock
  Dec 31: D5 only (0101 F, 15 on 2016-12-31, not separated)
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import duckdb
import pytest
from dbt_fixture import admin_unit_rows, build, fact_values, pseudonym, write_delivery

from cpmonitor.core.contracts import load_contracts
from cpmonitor.dbt_runner import DbtResult
from ingest.run import write_empty_feed_files

D = dt.date


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 8, 0)


def write_feed(data_dir: Path, feed: str, deliveries: list[tuple[str, list[dict]]]) -> None:
    """One ingested Parquet file per (period, rows) delivery; record ids hashed here."""
    record_ids = set(load_contracts()[feed].columns_with_privacy("record_id"))
    for number, (period, rows) in enumerate(deliveries):
        received = at(D(int(period[:4]), int(period[5:7]) if len(period) > 4 else 12, 28))
        hashed = [
            {
                name: pseudonym(value) if name in record_ids and value is not None else value
                for name, value in row.items()
            }
            for row in rows
        ]
        write_delivery(data_dir, feed, period, hashed, number=number, received_at=received)


def population() -> list[dict]:
    cells = [
        ("0101", "F", 12, 1000),
        ("0101", "F", 16, 1000),
        ("0101", "M", 12, 2000),
        ("0101", "M", 16, 2000),
        ("0101", "M", 3, 5000),
        ("0102", "F", 12, 500),
        ("0102", "M", 16, 500),
        ("0201", "F", 15, 1000),
        ("0201", "M", 15, 1000),
    ]
    return [
        {"year": 2016, "district_code": d, "sex": s, "age": a, "population": n}
        for d, s, a, n in cells
    ]


def placement(pid: str, start: dt.date) -> dict:
    """A foster placement: only there so the placements feed defines the reporting months."""
    return {
        "placement_id": pid,
        "child_id": pid,
        "sex": "F",
        "date_of_birth": D(2010, 1, 1),
        "disability": False,
        "care_type": "foster",
        "district_code": "0101",
        "start_date": start,
    }


def arrest(aid: str, child: str, sex: str, dob: dt.date, district: str, day: dt.date) -> dict:
    return {
        "arrest_id": aid,
        "child_id": child,
        "sex": sex,
        "date_of_birth": dob,
        "district_code": district,
        "arrest_date": day,
        "offence_category": "theft",
    }


def detention(
    did: str,
    child: str,
    sex: str,
    dob: dt.date,
    district: str,
    separated: bool,
    start: dt.date,
    sentence: dt.date | None = None,
    release: dt.date | None = None,
    reason: str | None = None,
    aftercare: bool | None = None,
) -> dict:
    return {
        "detention_id": did,
        "child_id": child,
        "sex": sex,
        "date_of_birth": dob,
        "facility_id": f"F-{district}",
        "facility_separated_from_adults": separated,
        "district_code": district,
        "detention_start": start,
        "legal_status": "sentenced" if sentence else "pre_sentence",
        "sentence_date": sentence,
        "release_date": release,
        "release_reason": reason,
        "referred_to_aftercare": aftercare,
    }


def decision(did: str, sex: str, dob: dt.date, district: str, day: dt.date, kind: str) -> dict:
    return {
        "decision_id": did,
        "child_id": did,
        "case_number": did,
        "sex": sex,
        "date_of_birth": dob,
        "district_code": district,
        "decision_date": day,
        "decided_by": "court",
        "decision_type": kind,
        "offence_category": "theft",
        "sentence_months": 6 if kind == "custodial_sentence" else None,
    }


def write_fixture_feeds(data_dir: Path) -> None:
    """The hand-made feeds described in the module docstring and in each comment."""
    write_empty_feed_files(data_dir / "ingested", load_contracts())
    write_feed(data_dir, "admin_units", [("2016", admin_unit_rows())])
    write_feed(data_dir, "population", [("2016", population())])
    write_feed(
        data_dir,
        "placements",
        [
            ("2016-01", [placement("p1", D(2016, 1, 3))]),
            ("2016-12", [placement("p2", D(2016, 12, 3))]),
        ],
    )
    # Arrests: ar1 on January's first day, ar2 on its last; ar2 was first delivered in 0102 and
    # corrected to 0101 in the next month's delivery (latest wins); ar3 on Q1's last day; ar4 of
    # a 9-year-old (not counted: 10-17 only); ar5 in Q2.
    write_feed(
        data_dir,
        "arrests",
        [
            (
                "2016-01",
                [
                    arrest("ar1", "k1", "M", D(2003, 6, 1), "0101", D(2016, 1, 1)),
                    arrest("ar2", "k2", "M", D(1999, 6, 1), "0102", D(2016, 1, 31)),
                ],
            ),
            (
                "2016-02",
                [
                    arrest("ar2", "k2", "M", D(1999, 6, 1), "0101", D(2016, 1, 31)),
                    arrest("ar4", "k4", "M", D(2006, 6, 1), "0201", D(2016, 2, 10)),
                ],
            ),
            ("2016-03", [arrest("ar3", "k3", "F", D(1999, 6, 1), "0101", D(2016, 3, 31))]),
            ("2016-04", [arrest("ar5", "k5", "M", D(1999, 6, 1), "0102", D(2016, 4, 1))]),
        ],
    )
    c1 = ("c1", "M", D(2003, 6, 1), "0101", False, D(2016, 1, 10))
    c4 = ("c4", "F", D(2001, 1, 1))
    write_feed(
        data_dir,
        "detentions",
        [
            (
                "2016-01",
                [
                    detention("D1", *c1),
                    detention("D2", "c2", "F", D(2000, 2, 1), "0101", True, D(2016, 1, 20)),
                    detention("D4", *c4, "0201", True, D(2016, 1, 5), D(2016, 1, 25)),
                ],
            ),
            (
                "2016-02",
                [
                    detention(
                        "D2", "c2", "F", D(2000, 2, 1), "0101", True, D(2016, 1, 20),
                        release=D(2016, 2, 19), reason="bail", aftercare=False,
                    ),
                    detention("D3", "c3", "M", D(2000, 1, 1), "0102", True, D(2016, 2, 1)),
                    detention(
                        "D4", *c4, "0201", True, D(2016, 1, 5), D(2016, 1, 25),
                        D(2016, 2, 10), "transferred",
                    ),
                    detention("D5", *c4, "0101", False, D(2016, 2, 10), D(2016, 1, 25)),
                ],
            ),
            (
                "2016-03",
                [
                    detention("D1", *c1, D(2016, 3, 15)),
                    detention(
                        "D3", "c3", "M", D(2000, 1, 1), "0102", True, D(2016, 2, 1),
                        release=D(2016, 3, 31), reason="died",
                    ),
                ],
            ),
            (
                "2016-05",
                [
                    detention(
                        "D1", *c1, D(2016, 3, 15), D(2016, 5, 20), "sentence_served", True
                    ),
                ],
            ),
        ],
    )  # fmt: skip
    # Decisions: k1 custodial (Q1); k2 diversion on Q2's first day; k3 non-custodial on Q2's last
    # day; k4 acquittal (neither); k5 diversion of a 19-year-old (total only, no age band).
    write_feed(
        data_dir,
        "court_decisions",
        [
            (
                "2016-03",
                [decision("k1", "M", D(2003, 6, 1), "0101", D(2016, 3, 15), "custodial_sentence")],
            ),
            (
                "2016-04",
                [decision("k2", "F", D(2000, 2, 1), "0101", D(2016, 4, 1), "diversion")],
            ),
            (
                "2016-05",
                [
                    decision("k4", "F", D(2000, 2, 1), "0201", D(2016, 5, 5), "acquittal"),
                    decision("k5", "M", D(1997, 1, 1), "0201", D(2016, 5, 6), "diversion"),
                ],
            ),
            (
                "2016-06",
                [
                    decision(
                        "k3", "M", D(2000, 1, 1), "0102", D(2016, 6, 30), "non_custodial_sentence"
                    )
                ],
            ),
        ],
    )
    victim = {"citizenship": "national", "exploitation_form": "forced_labour"}
    victim |= {"identified_by": "police", "referred_to_services": True}
    write_feed(
        data_dir,
        "trafficking_victims",
        [
            (
                "2016-06",
                [
                    victim
                    | {"victim_id": "t1", "sex": "F", "age_years": 14, "district_code": "0101"}
                    | {"identified_date": D(2016, 6, 1)},
                    victim
                    | {"victim_id": "t2", "sex": "M", "age_years": 5, "district_code": "0201"}
                    | {"identified_date": D(2016, 6, 30)},
                ],
            )
        ],
    )
    report = {"reporter_relationship": "teacher"}
    write_feed(
        data_dir,
        "abuse_reports",
        [
            (
                "2016-07",
                [
                    report
                    | {"report_id": "r1", "report_date": D(2016, 7, 1), "district_code": "0101"}
                    | {"victim_sex": "F", "victim_age": 3, "abuse_type": "sexual"},
                    report
                    | {"report_id": "r2", "report_date": D(2016, 7, 15), "district_code": "0101"}
                    | {"victim_sex": None, "victim_age": None, "abuse_type": "sexual"},
                    report
                    | {"report_id": "r3", "report_date": D(2016, 7, 2), "district_code": "0102"}
                    | {"victim_sex": "M", "victim_age": 8, "abuse_type": "physical"},
                ],
            )
        ],
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtResult, Path]:
    """One dbt build of the fixture feeds; returns the result and the build database."""
    return build(tmp_path_factory.mktemp("justice"), write_fixture_feeds)


@pytest.fixture(scope="module")
def values(built: tuple[DbtResult, Path]) -> dict[tuple[str, str, str, str], tuple]:
    """Justice rows of fct_indicator_values keyed by (indicator, period, geo, disaggregation
    value): (numerator, denominator, value)."""
    return fact_values(built, [f"JC0{n}" for n in range(1, 10)] + ["VE11", "VE12"])


def value(values: dict, code: str, period: str, geo: str, group: str = "total") -> float | None:
    return values[(code, period, geo, group)][2]


def close(actual: float | None, expected: float) -> bool:
    return actual is not None and math.isclose(actual, expected, rel_tol=1e-9)


def test_build_succeeds(built: tuple[DbtResult, Path]) -> None:
    result, _ = built
    assert result.ok, result.summary


def test_jc01_arrest_rate(values: dict) -> None:
    # January 0101: ar1 (Jan 1, age 12) and ar2 (Jan 31, age 16, corrected to 0101) = 2 / 6000.
    assert close(value(values, "JC01", "2016-01", "0101"), 2 / 6000 * 100_000)
    assert close(value(values, "JC01", "2016-01", "0101", "male"), 2 / 4000 * 100_000)
    assert value(values, "JC01", "2016-01", "0101", "female") == 0.0  # 0 / 2000
    assert close(value(values, "JC01", "2016-01", "0101", "10-14"), 1 / 3000 * 100_000)
    assert value(values, "JC01", "2016-01", "0102") == 0.0  # ar2's first delivery was superseded
    # Q1 0101 = Jan + Mar (ar3 on Mar 31): 3 / 6000; ar4 (aged 9) never counts: 0201 0 / 2000.
    assert close(value(values, "JC01", "2016-Q1", "0101"), 3 / 6000 * 100_000)
    assert values[("JC01", "2016", "0201", "total")][:2] == (0.0, 2000.0)
    # Year: ar1, ar2, ar3, ar5 -> province 01 4 / 7000, NAT 4 / 9000.
    assert close(value(values, "JC01", "2016", "01"), 4 / 7000 * 100_000)
    assert close(value(values, "JC01", "2016", "NAT"), 4 / 9000 * 100_000)


def test_jc02_jc03_detention_stocks(values: dict) -> None:
    # Jan 31: D1, D2, D4 held (3 / 9000); pre-sentence D1, D2 (2 / 9000).
    assert close(value(values, "JC02", "2016-01", "NAT"), 3 / 9000 * 100_000)
    assert close(value(values, "JC03", "2016-01", "NAT"), 2 / 9000 * 100_000)
    assert close(value(values, "JC02", "2016-01", "0101", "15-17"), 1 / 3000 * 100_000)  # D2
    # Feb 29: D1, D3, D5 held; pre-sentence D1, D3. D4 was transferred into D5: c4 counts once.
    assert close(value(values, "JC02", "2016-02", "NAT"), 3 / 9000 * 100_000)
    assert close(value(values, "JC03", "2016-02", "NAT"), 2 / 9000 * 100_000)
    # Q1 = the March 31 stock (D1, D5: 2), not the sum of months (3 + 3 + 2); no pre-sentence.
    assert close(value(values, "JC02", "2016-Q1", "NAT"), 2 / 9000 * 100_000)
    assert value(values, "JC03", "2016-Q1", "NAT") == 0.0
    # Year = December 31: D5 only, 0101 female 15-17.
    assert close(value(values, "JC02", "2016", "NAT"), 1 / 9000 * 100_000)
    assert close(value(values, "JC02", "2016", "0101", "female"), 1 / 2000 * 100_000)


def test_jc04_median_pre_sentence_days(values: dict) -> None:
    # Pre-sentence days: D1 Jan 10 -> Mar 15 sentence = 65 (0101, M); D2 Jan 20 -> Feb 19 bail
    # = 30 (0101, F); D3 Feb 1 -> Mar 31 death = 59 (0102, M); c4 Jan 5 -> Jan 25 sentence = 20
    # (0201, F; the later transfer does not matter).
    # Q1 NAT: 20, 30, 59, 65 -> even count: (30 + 59) / 2 = 44.5, over 4 detentions (the
    # denominator). No numerator: the sum of days (174) would divide to the mean, not the median.
    assert values[("JC04", "2016-Q1", "NAT", "total")] == (None, 4.0, 44.5)
    # Province 01: 30, 59, 65 -> 59, recomputed from records (not the mean of district medians:
    # 0101 (30 + 65) / 2 = 47.5 and 0102 59).
    assert value(values, "JC04", "2016-Q1", "01") == 59.0
    assert value(values, "JC04", "2016-Q1", "0101") == 47.5
    assert value(values, "JC04", "2016-Q1", "02") == 20.0
    assert value(values, "JC04", "2016-Q1", "NAT", "female") == 25.0  # (20 + 30) / 2
    assert value(values, "JC04", "2016-Q1", "NAT", "male") == 62.0  # (59 + 65) / 2
    assert value(values, "JC04", "2016-01", "NAT") == 20.0
    assert value(values, "JC04", "2016-03", "NAT") == 62.0  # D1 65 and D3 59
    assert value(values, "JC04", "2016", "NAT") == 44.5
    # Q2: none ended -> dense total row, 0 detentions, no value.
    assert values[("JC04", "2016-Q2", "NAT", "total")] == (None, 0.0, None)


def test_jc05_jc06_sentencing_and_diversion(values: dict) -> None:
    # Year: custodial k1, non-custodial k3 -> JC05 1 / 2; diversions k2, k5 -> JC06 2 / (2 + 2).
    assert value(values, "JC05", "2016", "NAT") == 50.0
    assert value(values, "JC06", "2016", "NAT") == 50.0
    assert value(values, "JC05", "2016-Q1", "NAT") == 100.0  # k1 / k1
    # Q2 (k2 on its first day, k3 on its last): JC05 0 / 1; JC06 (k2 + k5) / (k2 + k5 + k3).
    assert value(values, "JC05", "2016-Q2", "NAT") == 0.0
    assert close(value(values, "JC06", "2016-Q2", "NAT"), 2 / 3 * 100)
    # Age band 15-17 in Q2: k2 and k3 (k5 is 19: total only) -> 1 / 2.
    assert value(values, "JC06", "2016-Q2", "NAT", "15-17") == 50.0
    # 0201: only an acquittal and a diversion -> JC05 0 / 0 is null; JC06 1 / 1.
    assert values[("JC05", "2016", "0201", "total")] == (0.0, 0.0, None)
    assert value(values, "JC06", "2016", "0201") == 100.0
    # Dense: a district and month without any decision still has its total row (0 / 0).
    assert values[("JC05", "2016-01", "0102", "total")] == (0.0, 0.0, None)


def test_jc07_not_separated_from_adults(values: dict) -> None:
    # Jan 31: D1 not separated of D1, D2, D4 -> 1 / 3. Feb 29: D1, D5 of D1, D3, D5 -> 2 / 3.
    assert close(value(values, "JC07", "2016-01", "NAT"), 1 / 3 * 100)
    assert close(value(values, "JC07", "2016-02", "NAT"), 2 / 3 * 100)
    assert value(values, "JC07", "2016-02", "0102") == 0.0  # D3 separated: 0 / 1
    assert value(values, "JC07", "2016-02", "0201") is None  # nobody held: 0 / 0
    assert value(values, "JC07", "2016-Q1", "NAT") == 100.0  # Mar 31: D1, D5 -> 2 / 2


def test_jc08_deaths_in_detention(values: dict) -> None:
    # D3 died on Mar 31 (0102); Mar 31 stock D1, D5 (0101) -> NAT 1 / 2 per 1000 = 500.
    assert value(values, "JC08", "2016-03", "NAT") == 500.0
    assert value(values, "JC08", "2016-03", "01") == 500.0
    assert values[("JC08", "2016-03", "0102", "total")] == (1.0, 0.0, None)  # 1 / 0 -> null
    assert value(values, "JC08", "2016-Q1", "NAT") == 500.0
    assert value(values, "JC08", "2016", "NAT") == 1000.0  # 1 death / Dec 31 stock of 1
    assert value(values, "JC08", "2016-02", "NAT") == 0.0  # 0 / 3


def test_jc09_aftercare_after_release(values: dict) -> None:
    # Releases: D2 Feb 19 bail (not referred), D1 May 20 sentence served (referred). The death
    # (D3) and the transfer (D4) are not releases.
    assert value(values, "JC09", "2016-02", "NAT") == 0.0  # 0 / 1
    assert value(values, "JC09", "2016-05", "NAT") == 100.0  # 1 / 1
    assert value(values, "JC09", "2016", "NAT") == 50.0  # 1 / 2
    assert value(values, "JC09", "2016-03", "NAT") is None  # 0 / 0
    assert value(values, "JC09", "2016", "NAT", "10-14") == 100.0  # D1, 12 on May 20


def test_ve11_ve12_population_rates(values: dict) -> None:
    # VE11 June: t1 (0101 F 14), t2 (0201 M 5) -> NAT 2 / 14000; 0101 1 / 11000.
    assert close(value(values, "VE11", "2016-06", "NAT"), 2 / 14000 * 100_000)
    assert close(value(values, "VE11", "2016-06", "0101"), 1 / 11000 * 100_000)
    assert close(value(values, "VE11", "2016-06", "NAT", "10-14"), 1 / 3500 * 100_000)
    # No child aged 5-9 in the population: 1 / 0 -> null (the event still counts in the total).
    assert values[("VE11", "2016-06", "NAT", "5-9")] == (1.0, 0.0, None)
    # VE12 July: r1 (0101 F 3) and r2 (0101, sex and age unknown) sexual; r3 physical is not.
    assert close(value(values, "VE12", "2016-07", "NAT"), 2 / 14000 * 100_000)
    assert close(value(values, "VE12", "2016-07", "0101"), 2 / 11000 * 100_000)
    assert close(value(values, "VE12", "2016-07", "NAT", "female"), 1 / 3500 * 100_000)
    assert value(values, "VE12", "2016-07", "NAT", "male") == 0.0  # 0 / 10500
    assert close(value(values, "VE12", "2016-07", "NAT", "0-4"), 1 / 5000 * 100_000)
    assert value(values, "VE12", "2016-07", "0102") == 0.0  # 0 / 1000
    assert close(value(values, "VE12", "2016-Q3", "NAT"), 2 / 14000 * 100_000)


def test_parts_are_dense_for_population_rates(built: tuple[DbtResult, Path]) -> None:
    # JC01: 3 districts x 17 periods x 2 sexes x 2 age bands (10-14, 15-17) = 204 rows, every
    # one with a population denominator; no arrest outside 10-17 gave an extra row.
    _, db = built
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select count(*), count(denominator) from intermediate.int_indicator_parts__justice"
            " where indicator_code = 'JC01'"
        ).fetchall()
    assert rows == [(204, 204)]
