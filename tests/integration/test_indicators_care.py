"""AC01, AC02, AC08-AC14 and CR03 computed by dbt from a tiny hand-made set of ingested feeds.

Every expected number was worked out by hand from the rows below (arithmetic in the comments),
never copied from output. One `dbt build` for the module; every other feed is an empty file.

Geography: province 01 with districts 0101 and 0102, province 02 with district 0201. Placements
are delivered from 2016-01 to 2017-12: 24 months, 8 quarters, years 2016 and 2017.

Child population 0-17 (2016; 2017 the same but 0101 F age 12 = 3000):
  0101 F: age 3 1000 (0-4), age 12 1000 (10-14); 0101 M: age 12 2000
  0102 F: age 12 1000; 0102 M: age 12 1000; 0201 F: age 12 500; 0201 M: age 12 500
  -> 2016 nation 7000 (0-4 1000, 5-9 0, 10-14 6000); 2017 nation 9000.

Children and episodes (dis = disability; cert = birth certificate on the episode):
  a F dob 2004-06-01 dis no   pa  residential 0101 2016-01-01 ..            cert yes
  b M dob 2004-01-01 dis no   pb1 foster      0101 2016-01-31 .. 2016-06-30 reintegrated_parents
                               pb2 residential 0101 2017-03-01 ..            cert yes (pb1 unknown)
  c F dob 2010-01-01 dis yes  pc1 residential 0101 2015-05-01 .. 2016-02-15 transferred  cert no
                               pc2 residential 0101 2016-02-15 .. 2016-03-10 foster_care  cert no
                               pc3 foster      0101 2016-03-10 ..            cert yes
  d M dob 2003-01-01 dis no   pd  kinship     0201 2016-02-10 .. 2016-02-20 kinship_care cert yes
  e F dob 2008-01-01 dis ?    pe  guardianship 0102 2015-01-01 .. 2016-05-31 died        cert yes

Entries (not in formal care the day before): pa 2016-01-01, pb1 2016-01-31, pd 2016-02-10,
pb2 2017-03-01 (pc2, pc3 are moves; pc1, pe started before the first period).
Reintegrations (left formal care for parents or kin): pb1 2016-06-30 (b re-enters 2017-03-01),
pd 2016-02-20 (never re-enters).
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


def write_feed(data_dir: Path, feed: str, deliveries: list[tuple[str, list[dict]]]) -> None:
    """One ingested Parquet file per delivery (period, rows), received in delivery order."""
    for number, (period, rows) in enumerate(deliveries):
        received = dt.datetime(2018, 1, 1) + dt.timedelta(days=number)
        write_delivery(
            data_dir,
            feed,
            period,
            rows,
            number=number,
            received_at=received,
            ingested_at=received,
        )


CHILDREN = {  # child: sex, date of birth, disability
    "a": ("F", D(2004, 6, 1), False),
    "b": ("M", D(2004, 1, 1), False),
    "c": ("F", D(2010, 1, 1), True),
    "d": ("M", D(2003, 1, 1), False),
    "e": ("F", D(2008, 1, 1), None),
}


def placement(
    pid: str,
    child: str,
    care_type: str,
    district: str,
    start: dt.date,
    end: dt.date | None = None,
    reason: str | None = None,
    cert: bool | None = None,
) -> dict:
    sex, dob, disability = CHILDREN[child]
    return {
        "placement_id": pseudonym(pid),
        "child_id": pseudonym(child),
        "sex": sex,
        "date_of_birth": dob,
        "disability": disability,
        "care_type": care_type,
        "institution_id": "I1" if care_type == "residential" else None,
        "district_code": district,
        "start_date": start,
        "end_date": end,
        "exit_reason": reason,
        "has_birth_certificate": cert,
    }


def write_fixture_feeds(data_dir: Path) -> None:
    write_empty_feed_files(data_dir / "ingested", load_contracts())
    write_feed(data_dir, "admin_units", [("2016", admin_unit_rows())])
    people = [
        ("0101", "F", 3, 1000),
        ("0101", "F", 12, 1000),
        ("0101", "M", 12, 2000),
        ("0102", "F", 12, 1000),
        ("0102", "M", 12, 1000),
        ("0201", "F", 12, 500),
        ("0201", "M", 12, 500),
    ]

    def pop(year: int) -> list[dict]:
        rows = []
        for district, sex, age, n in people:
            if (year, district, sex, age) == (2017, "0101", "F", 12):
                n = 3000
            rows.append(
                {"year": year, "district_code": district, "sex": sex, "age": age, "population": n}
            )
        return rows

    write_feed(data_dir, "population", [("2016", pop(2016)), ("2017", pop(2017))])

    def institution(iid: str, district: str, opened: dt.date, closed: dt.date | None) -> dict:
        return {
            "institution_id": iid,
            "institution_name": f"Home {iid}",
            "district_code": district,
            "institution_type": "residential_care_centre",
            "ownership": "ngo",
            "registered": True,
            "capacity": 50,
            "opened_date": opened,
            "closed_date": closed,
        }

    write_feed(
        data_dir,
        "care_institutions",
        [
            (
                "2017",
                [
                    institution("I1", "0101", D(2010, 1, 1), None),
                    institution("I2", "0201", D(2016, 3, 1), D(2017, 6, 30)),
                ],
            )
        ],
    )
    write_feed(
        data_dir,
        "placements",
        [
            (
                "2016-01",
                [
                    placement("pa", "a", "residential", "0101", D(2016, 1, 1), cert=True),
                    placement("pb1", "b", "foster", "0101", D(2016, 1, 31)),
                    placement("pc1", "c", "residential", "0101", D(2015, 5, 1), cert=False),
                    placement("pe", "e", "guardianship", "0102", D(2015, 1, 1), cert=True),
                ],
            ),
            (
                "2016-02",
                [
                    placement(
                        "pc1",
                        "c",
                        "residential",
                        "0101",
                        D(2015, 5, 1),
                        D(2016, 2, 15),
                        "transferred",
                        cert=False,
                    ),
                    placement("pc2", "c", "residential", "0101", D(2016, 2, 15), cert=False),
                    placement(
                        "pd",
                        "d",
                        "kinship",
                        "0201",
                        D(2016, 2, 10),
                        D(2016, 2, 20),
                        "kinship_care",
                        cert=True,
                    ),
                ],
            ),
            (
                "2016-03",
                [
                    placement(
                        "pc2",
                        "c",
                        "residential",
                        "0101",
                        D(2016, 2, 15),
                        D(2016, 3, 10),
                        "foster_care",
                        cert=False,
                    ),
                    placement("pc3", "c", "foster", "0101", D(2016, 3, 10), cert=True),
                ],
            ),
            (
                "2016-05",
                [
                    placement(
                        "pe",
                        "e",
                        "guardianship",
                        "0102",
                        D(2015, 1, 1),
                        D(2016, 5, 31),
                        "died",
                        cert=True,
                    )
                ],
            ),
            (
                "2016-06",
                [
                    placement(
                        "pb1",
                        "b",
                        "foster",
                        "0101",
                        D(2016, 1, 31),
                        D(2016, 6, 30),
                        "reintegrated_parents",
                    )
                ],
            ),
            ("2017-03", [placement("pb2", "b", "residential", "0101", D(2017, 3, 1), cert=True)]),
            # the last delivered month (the span of periods): a re-delivery of an open episode
            ("2017-12", [placement("pa", "a", "residential", "0101", D(2016, 1, 1), cert=True)]),
        ],
    )

    def assessment(aid: str, child: str, district: str, referral: dt.date, status: str,
                   completed: dt.date | None) -> dict:  # fmt: skip
        sex, dob, _ = CHILDREN[child]
        return {
            "assessment_id": pseudonym(aid),
            "child_id": pseudonym(child),
            "sex": sex,
            "date_of_birth": dob,
            "district_code": district,
            "referral_date": referral,
            "assessment_status": status,
            "completed_date": completed,
            "recommendation": "foster_care" if completed else None,
        }

    write_feed(
        data_dir,
        "gatekeeping_assessments",
        [
            ("2015-12", [assessment("g1", "a", "0101", D(2015, 12, 1), "completed", D(2015, 12, 15))]),
            (
                "2016-02",
                [
                    assessment("g2", "b", "0101", D(2016, 1, 20), "completed", D(2016, 2, 5)),
                    assessment("g3", "d", "0201", D(2016, 2, 1), "completed", D(2016, 2, 10)),
                ],
            ),
            ("2017-02", [assessment("g4", "b", "0101", D(2017, 2, 20), "in_progress", None)]),
        ],
    )  # fmt: skip

    def plan(kid: str, child: str, start: dt.date, due: dt.date) -> dict:
        return {
            "care_plan_id": pseudonym(kid),
            "child_id": pseudonym(child),
            "district_code": "0101",
            "plan_type": "initial",
            "plan_start_date": start,
            "review_due_date": due,
        }

    write_feed(
        data_dir,
        "care_plans",
        [
            ("2015-12", [plan("k2", "b", D(2015, 12, 1), D(2016, 1, 30))]),
            (
                "2016-01",
                [
                    plan("k1", "a", D(2016, 1, 1), D(2016, 6, 30)),
                    plan("k3", "c", D(2016, 1, 31), D(2016, 7, 31)),
                ],
            ),
        ],
    )

    def contact(fid: str, pid: str, child: str, day: dt.date, kind: str) -> dict:
        return {
            "followup_id": pseudonym(fid),
            "placement_id": pseudonym(pid),
            "child_id": pseudonym(child),
            "district_code": "0101",
            "contact_date": day,
            "contact_type": kind,
        }

    write_feed(
        data_dir,
        "reintegration_followups",
        [
            (
                "2016-03",
                [
                    contact("f4", "pd", "d", D(2016, 3, 1), "home_visit"),
                    contact("f5", "pd", "d", D(2016, 3, 15), "phone_call"),
                ],
            ),
            (
                "2016-07",
                [
                    contact("f1", "pb1", "b", D(2016, 7, 10), "home_visit"),
                    contact("f3", "pb1", "b", D(2016, 8, 1), "phone_call"),
                ],
            ),
            ("2016-12", [contact("f2", "pb1", "b", D(2016, 12, 30), "school_visit")]),
        ],
    )

    def inspection(nid: str, iid: str, district: str, day: dt.date) -> dict:
        return {
            "inspection_id": nid,
            "institution_id": iid,
            "district_code": district,
            "inspection_date": day,
            "inspection_type": "scheduled",
        }

    write_feed(
        data_dir,
        "institution_inspections",
        [
            ("2016-Q1", [inspection("N1", "I1", "0101", D(2015, 10, 1))]),
            ("2016-Q4", [inspection("N2", "I1", "0101", D(2016, 12, 31))]),
        ],
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtResult, Path]:
    return build(tmp_path_factory.mktemp("care"), write_fixture_feeds)


@pytest.fixture(scope="module")
def values(built: tuple[DbtResult, Path]) -> dict[tuple[str, str, str, str], tuple]:
    """fct_indicator_values keyed by (indicator, period, geo, disaggregation value)."""
    return fact_values(built)


approx = pytest.approx


def test_build_succeeds(built: tuple[DbtResult, Path]) -> None:
    result, _ = built
    assert result.ok, result.summary


def test_ac01_entries_per_100k(values: dict) -> None:
    # January: a (first day) and b (last day) = 2 / 7000 x 100 000; moves of c are not entries.
    assert values[("AC01", "2016-01", "NAT", "total")] == (2.0, 7000.0, approx(200000 / 7000))
    # 0101 F: a 1 / 2000 = 50; 0101 M: b 1 / 2000 = 50; 10-14 nationally 2 / 6000.
    assert values[("AC01", "2016-01", "0101", "female")] == (1.0, 2000.0, approx(50.0))
    assert values[("AC01", "2016-01", "0101", "male")] == (1.0, 2000.0, approx(50.0))
    assert values[("AC01", "2016-01", "NAT", "10-14")] == (2.0, 6000.0, approx(100000 / 3000))
    # Flows sum over months: Q1 = a + b + d = 3; the year 2016 = 3; 2017 = b's re-entry over the
    # 2017 population (9000).
    assert values[("AC01", "2016-Q1", "NAT", "total")] == (3.0, 7000.0, approx(300000 / 7000))
    assert values[("AC01", "2016", "NAT", "total")] == (3.0, 7000.0, approx(300000 / 7000))
    assert values[("AC01", "2017", "NAT", "total")] == (1.0, 9000.0, approx(100000 / 9000))
    # no disability split over a population denominator
    assert ("AC01", "2016", "NAT", "no") not in values


def test_ac02_children_in_formal_care_per_100k(values: dict) -> None:
    # 31 Jan 2016: a, b, c (pc1), e = 4 / 7000.
    assert values[("AC02", "2016-01", "NAT", "total")] == (4.0, 7000.0, approx(400000 / 7000))
    # By age band: 10-14 a, b = 2 / 6000; 5-9 c, e = 2 / 0 -> null; 0-4 0 / 1000 = 0.
    assert values[("AC02", "2016-01", "NAT", "10-14")] == (2.0, 6000.0, approx(100000 / 3000))
    assert values[("AC02", "2016-01", "NAT", "5-9")] == (2.0, 0.0, None)
    assert values[("AC02", "2016-01", "NAT", "0-4")] == (0.0, 1000.0, 0.0)
    # December (and the year): a and c (foster) = 2 / 7000.
    assert values[("AC02", "2016", "NAT", "total")] == (2.0, 7000.0, approx(200000 / 7000))


def test_ac08_residential_per_family_based(values: dict) -> None:
    # Jan: residential a, c (pc1) / family b (foster), e (guardianship) = 1.
    assert values[("AC08", "2016-01", "NAT", "total")] == (2.0, 2.0, 1.0)
    # Mar: a / b, c (pc3 foster since 10 Mar), e = 1 / 3.
    assert values[("AC08", "2016-03", "NAT", "total")] == (1.0, 3.0, approx(1 / 3))
    # 2017-03: a, b (pb2) / c = 2; Q1 2017 = March.
    assert values[("AC08", "2017-03", "NAT", "total")] == (2.0, 1.0, 2.0)
    assert values[("AC08", "2017-Q1", "NAT", "total")] == (2.0, 1.0, 2.0)
    # 0102 after e died: 0 / 0 -> null.
    assert values[("AC08", "2016-06", "0102", "total")] == (0.0, 0.0, None)
    # Disability yes in Jan: c 1 residential / 0 family -> null.
    assert values[("AC08", "2016-01", "NAT", "yes")] == (1.0, 0.0, None)


def test_ac09_re_entry_cohort(values: dict) -> None:
    # Cohort: reintegrated with period_end - 24 months < day <= period_end - 12 months.
    # 2017-02 (end 2017-02-28): d (2016-02-20) only -> 0 / 1.
    assert values[("AC09", "2017-02", "NAT", "total")] == (0.0, 1.0, 0.0)
    # 2017-05: b (2016-06-30) is after 2016-05-31 -> still d only.
    assert values[("AC09", "2017-05", "NAT", "total")] == (0.0, 1.0, 0.0)
    # 2017-06: b on the boundary (2017-06-30 - 12 months = 2016-06-30) joins; b re-entered
    # 2017-03-01, within 12 months -> 1 / 2.
    assert values[("AC09", "2017-06", "NAT", "total")] == (1.0, 2.0, 50.0)
    assert values[("AC09", "2017", "NAT", "total")] == (1.0, 2.0, 50.0)
    assert values[("AC09", "2017", "0101", "total")] == (1.0, 1.0, 100.0)
    assert values[("AC09", "2017", "02", "total")] == (0.0, 1.0, 0.0)
    # 2016: nobody reintegrated in 2015 -> 0 / 0 -> null.
    assert values[("AC09", "2016", "NAT", "total")] == (0.0, 0.0, None)


def test_ac10_followed_up_cohort(values: dict) -> None:
    # Cohort: period_end - 18 months < day <= period_end - 6 months.
    # b: visits 2016-07-10 (home) and 2016-12-30 (school, 6 months to the day) -> 2: yes.
    # d: one home visit (the phone call is not a visit) -> no.
    assert values[("AC10", "2016-07", "NAT", "total")] == (0.0, 0.0, None)  # d after 01-31
    assert values[("AC10", "2016-08", "NAT", "total")] == (0.0, 1.0, 0.0)  # d
    assert values[("AC10", "2016-12", "NAT", "total")] == (1.0, 2.0, 50.0)  # b (boundary), d
    assert values[("AC10", "2016", "NAT", "total")] == (1.0, 2.0, 50.0)
    assert values[("AC10", "2017-07", "NAT", "total")] == (1.0, 2.0, 50.0)
    # 2017-08: 2017-08-31 - 18 months = 2016-02-29, not before d's 2016-02-20 -> b only.
    assert values[("AC10", "2017-08", "NAT", "total")] == (1.0, 1.0, 100.0)
    # 2017-12: 2017-12-31 - 18 months = 2016-06-30 = b's day (excluded) -> 0 / 0.
    assert values[("AC10", "2017", "NAT", "total")] == (0.0, 0.0, None)


def test_ac11_current_care_plan(values: dict) -> None:
    # 31 Jan 2016 in care: a (plan to 06-30), b (plan ended 01-30), c (plan from 01-31), e (none).
    assert values[("AC11", "2016-01", "NAT", "total")] == (2.0, 4.0, 50.0)
    assert values[("AC11", "2016-01", "0101", "total")] == (2.0, 3.0, approx(200 / 3))
    assert values[("AC11", "2016-01", "0102", "total")] == (0.0, 1.0, 0.0)
    assert values[("AC11", "2016-01", "01", "total")] == (2.0, 4.0, 50.0)
    assert values[("AC11", "2016-01", "02", "total")] == (0.0, 0.0, None)
    # Disability: yes c 1 / 1; no a, b 1 / 2 (e unknown: in the total only).
    assert values[("AC11", "2016-01", "NAT", "yes")] == (1.0, 1.0, 100.0)
    assert values[("AC11", "2016-01", "NAT", "no")] == (1.0, 2.0, 50.0)
    # 31 Dec 2016: a, c in care, both plans expired -> 0 / 2.
    assert values[("AC11", "2016", "NAT", "total")] == (0.0, 2.0, 0.0)


def test_ac12_assessed_before_placement(values: dict) -> None:
    # a: completed 17 days before -> yes; b: completed after the start -> no; d: same day -> yes;
    # b again in 2017: only an assessment in progress -> no.
    assert values[("AC12", "2016-01", "NAT", "total")] == (1.0, 2.0, 50.0)
    assert values[("AC12", "2016-Q1", "NAT", "total")] == (2.0, 3.0, approx(200 / 3))
    assert values[("AC12", "2016-02", "0201", "total")] == (1.0, 1.0, 100.0)
    assert values[("AC12", "2016-04", "NAT", "total")] == (0.0, 0.0, None)
    assert values[("AC12", "2017", "NAT", "total")] == (0.0, 1.0, 0.0)


def test_ac13_institutions_inspected_quarterly(values: dict) -> None:
    # I1 (0101) inspected 2015-10-01 and 2016-12-31; I2 (0201) open 2016-03-01 .. 2017-06-30,
    # never inspected. Inspected: period_end - 12 months < date <= period_end.
    assert values[("AC13", "2016-Q1", "NAT", "total")] == (1.0, 2.0, 50.0)
    assert values[("AC13", "2016-Q1", "0201", "total")] == (0.0, 1.0, 0.0)
    assert values[("AC13", "2016-Q1", "0102", "total")] == (0.0, 0.0, None)
    # 2016-09-30 - 12 months = 2015-09-30 < 2015-10-01: still inspected.
    assert values[("AC13", "2016-Q3", "NAT", "total")] == (1.0, 2.0, 50.0)
    assert values[("AC13", "2016", "NAT", "total")] == (1.0, 2.0, 50.0)  # 2016-12-31 itself
    # I2 closed on 2017-06-30: not open at Q2's end. 2017-12-31 - 12 months = 2016-12-31: out.
    assert values[("AC13", "2017-Q2", "NAT", "total")] == (1.0, 1.0, 100.0)
    assert values[("AC13", "2017", "NAT", "total")] == (0.0, 1.0, 0.0)
    # Quarterly: no monthly rows, no sex rows.
    monthly = [k for k in values if k[0] == "AC13" and len(k[1]) == 7 and "Q" not in k[1]]
    assert not monthly
    assert not [k for k in values if k[0] == "AC13" and k[3] != "total"]


def test_ac14_deaths_per_1000_in_care(values: dict) -> None:
    # e died 2016-05-31 (0102): not in care at that month-end. In care 31 May: a, b, c (0101).
    assert values[("AC14", "2016-05", "NAT", "total")] == (1.0, 3.0, approx(1000 / 3))
    assert values[("AC14", "2016-05", "01", "total")] == (1.0, 3.0, approx(1000 / 3))
    assert values[("AC14", "2016-05", "0102", "total")] == (1.0, 0.0, None)
    # Q2: deaths summed (1) over the stock on 30 June (a, c; b left that day) -> 500.
    assert values[("AC14", "2016-Q2", "NAT", "total")] == (1.0, 2.0, 500.0)
    assert values[("AC14", "2016", "NAT", "total")] == (1.0, 2.0, 500.0)
    assert values[("AC14", "2016-04", "NAT", "total")] == (0.0, 4.0, 0.0)


def test_cr03_birth_certificates(values: dict) -> None:
    # 31 Jan 2016: a yes, b unknown (= no), c no, e yes -> 2 / 4.
    assert values[("CR03", "2016-01", "NAT", "total")] == (2.0, 4.0, 50.0)
    # 31 May: a yes, b no, c (pc3) yes -> 2 / 3.
    assert values[("CR03", "2016-05", "NAT", "total")] == (2.0, 3.0, approx(200 / 3))
    # 31 Dec 2016: a, c (pc3) -> 2 / 2; March 2017: a, b (pb2), c -> 3 / 3.
    assert values[("CR03", "2016", "NAT", "total")] == (2.0, 2.0, 100.0)
    assert values[("CR03", "2017-03", "NAT", "total")] == (3.0, 3.0, 100.0)


def test_ac04_by_age_band_and_disability(values: dict) -> None:
    # 31 Jan 2016 residential: a (11, 10-14, no), c (6, 5-9, yes).
    assert values[("AC04", "2016-01", "NAT", "total")] == (2.0, None, 2.0)
    assert values[("AC04", "2016-01", "NAT", "5-9")] == (1.0, None, 1.0)
    assert values[("AC04", "2016-01", "NAT", "yes")] == (1.0, None, 1.0)
    assert values[("AC04", "2016-01", "NAT", "no")] == (1.0, None, 1.0)
