"""VE01-VE10, VE13 and SS02 computed by dbt from a tiny hand-made set of ingested feeds.

Every expected number below was worked out by hand from the rows written in this file (the
arithmetic is in the comments), never copied from output. One `dbt build` per module.

The fictional country: provinces 01 and 02; districts 0101 and 0102 in 01, 0201 in 02. Placements
deliveries span 2016-01 .. 2016-12, so the periods are the 12 months of 2016, its four quarters and
the year. Child population 2016 (ages 2, 7, 12, 16 stand for the four age bands, both sexes):
0101 1000 per sex x band (8000 in all), 0102 500 (4000), 0201 250 (2000); nation 14000; per sex
7000; per age band 2000 + 1000 + 500 = 3500. A 20-year-old row (99999) must be ignored.

Children: k1 F 2010-06-15 disability yes; k2 M 2004-03-01 no; k3 F 2001-07-01 unknown;
k4 M 2014-01-10 no; k5 M 2000-02-01 no; k6 F 2008-08-08 no.

Cases (latest delivered version; opened, response, assessment, plan, closed, reason, worker):

  case child dist  risk   source     opened            response          assess  plan    closed  reason
  c1   k1    0101  high   school     2016-01-01 00:00  01-01 23:00       01-10   02-15   03-31   goals_met   w1
  c2   k2    0101  high   police     2016-01-31 18:00  02-01 18:00 (24h) 02-05   -       -       -           w1
  c3   k3    0102  high   school     2016-02-10 09:00  02-11 09:01       -       -       02-25   lost_contact w2
  c4   k4    0201  high   community  2016-03-05 08:00  - (none)          03-20   04-10   06-30   goals_met   w3
  c5   k1    0102  medium school     2016-05-01 10:00  05-03             05-02   -       07-31   other       w2
  c6   k5    0101  low    self       2016-04-10 12:00  04-15             04-20   06-01   09-09   transferred w1
  c7   k6    0201  medium health     2015-11-20 08:00  2015-11-21        2015-12-01 2015-12-20 10-15 goals_met w3
  c8   k2    0101  low    other      2016-08-01 09:00  08-02             08-03   -       08-20   goals_met   -

c7 is first delivered open (2016-01) and closed in the 2016-10 delivery; c1 and c2 change between
deliveries too: the latest delivered row of a case wins.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from dbt_fixture import (
    admin_unit_rows,
    build,
    fact_values,
    pseudonym,
    social_worker_post,
    write_delivery,
)

from cpmonitor.core.contracts import load_contracts
from cpmonitor.dbt_runner import DbtResult
from ingest.run import write_empty_feed_files

D = dt.date
T = dt.datetime


def write_feed(
    data_dir: Path, feed: str, deliveries: list[tuple[str, dt.datetime, list[dict]]]
) -> None:
    """One ingested Parquet file per delivery (period, received_at, rows), as ingest writes them."""
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


def received(period: str) -> dt.datetime:
    """Deliveries arrive on the 10th of the month after a monthly period."""
    year, month = (int(x) for x in period.split("-")[:2])
    return T(year + month // 12, month % 12 + 1, 10, 9, 0)


CHILDREN = {  # sex, date of birth, disability
    "k1": ("F", D(2010, 6, 15), True),
    "k2": ("M", D(2004, 3, 1), False),
    "k3": ("F", D(2001, 7, 1), None),
    "k4": ("M", D(2014, 1, 10), False),
    "k5": ("M", D(2000, 2, 1), False),
    "k6": ("F", D(2008, 8, 8), False),
}


def case(
    cid: str,
    child: str,
    district: str,
    opened: dt.datetime,
    risk: str,
    source: str,
    response: dt.datetime | None = None,
    assessed: dt.date | None = None,
    plan: dt.date | None = None,
    closed: dt.date | None = None,
    reason: str | None = None,
    worker: str | None = None,
) -> dict:
    sex, dob, disability = CHILDREN[child]
    return {
        "case_id": pseudonym(cid),
        "child_id": pseudonym(child),
        "sex": sex,
        "date_of_birth": dob,
        "disability": disability,
        "district_code": district,
        "opened_at": opened,
        "risk_level": risk,
        "referral_source": source,
        "concern": "neglect",
        "first_response_at": response,
        "assessment_completed_date": assessed,
        "case_plan_date": plan,
        "closed_date": closed,
        "closure_reason": reason,
        "social_worker_id": pseudonym(worker) if worker else None,
    }


def c1(final: bool = True) -> dict:
    return case(
        "c1", "k1", "0101", T(2016, 1, 1, 0, 0), "high", "school", T(2016, 1, 1, 23, 0),
        D(2016, 1, 10), D(2016, 2, 15) if final else None, D(2016, 3, 31) if final else None,
        "goals_met" if final else None, "w1",
    )  # fmt: skip


def c2(final: bool = True) -> dict:
    return case(
        "c2", "k2", "0101", T(2016, 1, 31, 18, 0), "high", "police",
        T(2016, 2, 1, 18, 0) if final else None, D(2016, 2, 5) if final else None, worker="w1",
    )  # fmt: skip


def c4(final: bool = True) -> dict:
    return case(
        "c4", "k4", "0201", T(2016, 3, 5, 8, 0), "high", "community", None, D(2016, 3, 20),
        D(2016, 4, 10) if final else None, D(2016, 6, 30) if final else None,
        "goals_met" if final else None, "w3",
    )  # fmt: skip


def c7(final: bool = True) -> dict:
    return case(
        "c7", "k6", "0201", T(2015, 11, 20, 8, 0), "medium", "health_facility",
        T(2015, 11, 21, 9, 0), D(2015, 12, 1), D(2015, 12, 20),
        D(2016, 10, 15) if final else None, "goals_met" if final else None, "w3",
    )  # fmt: skip


C3 = case(
    "c3", "k3", "0102", T(2016, 2, 10, 9, 0), "high", "school", T(2016, 2, 11, 9, 1),
    closed=D(2016, 2, 25), reason="lost_contact", worker="w2",
)  # fmt: skip
C5 = case(
    "c5", "k1", "0102", T(2016, 5, 1, 10, 0), "medium", "school", T(2016, 5, 3, 10, 0),
    D(2016, 5, 2), None, D(2016, 7, 31), "other", "w2",
)  # fmt: skip
C6 = case(
    "c6", "k5", "0101", T(2016, 4, 10, 12, 0), "low", "self_or_family", T(2016, 4, 15, 9, 0),
    D(2016, 4, 20), D(2016, 6, 1), D(2016, 9, 9), "transferred", "w1",
)  # fmt: skip
C8 = case(
    "c8", "k2", "0101", T(2016, 8, 1, 9, 0), "low", "other", T(2016, 8, 2, 9, 0),
    D(2016, 8, 3), None, D(2016, 8, 20), "goals_met",
)  # fmt: skip


def referral(rid: str, cid: str, day: dt.date, delivered: dt.date | None) -> dict:
    return {
        "referral_id": pseudonym(rid),
        "case_id": pseudonym(cid),
        "referral_date": day,
        "service_type": "health",
        "provider_type": "government",
        "service_delivered_date": delivered,
    }


def contact(
    cid: str, at: dt.datetime, district: str | None, sex: str | None, age: int | None, concern: str
) -> dict:
    return {
        "contact_id": pseudonym(cid),
        "contact_at": at,
        "channel": "phone",
        "caller_type": "child",
        "district_code": district,
        "child_sex": sex,
        "child_age": age,
        "concern": concern,
        "referred": False,
    }


def write_fixture_feeds(data_dir: Path) -> None:
    """The hand-made feeds described in the module docstring (and empty files for all others)."""
    write_empty_feed_files(data_dir / "ingested", load_contracts())
    write_feed(data_dir, "admin_units", [("2016", T(2016, 1, 2), admin_unit_rows())])
    per_band = {"0101": 1000, "0102": 500, "0201": 250}
    population = [
        {"year": 2016, "district_code": d, "sex": s, "age": age, "population": n}
        for d, n in per_band.items()
        for s in ("F", "M")
        for age in (2, 7, 12, 16)
    ] + [{"year": 2016, "district_code": "0101", "sex": "F", "age": 20, "population": 99999}]
    write_feed(data_dir, "population", [("2016", T(2016, 1, 3), population)])

    # Placements only give the period spine (2016-01 .. 2016-12): one foster episode.
    placement = {
        "placement_id": pseudonym("p1"),
        "child_id": pseudonym("pk"),
        "sex": "F",
        "date_of_birth": D(2010, 1, 1),
        "care_type": "foster",
        "district_code": "0101",
        "start_date": D(2016, 1, 5),
    }
    write_feed(
        data_dir,
        "placements",
        [
            ("2016-01", received("2016-01"), [placement]),
            ("2016-12", received("2016-12"), [placement | {"end_date": D(2016, 12, 5)}]),
        ],
    )

    write_feed(
        data_dir,
        "cases",
        [
            ("2016-01", received("2016-01"), [c1(False), c2(False), c7(False)]),
            ("2016-02", received("2016-02"), [c1(False), c2(), C3]),
            ("2016-03", received("2016-03"), [c1(), c4(False)]),
            ("2016-04", received("2016-04"), [c4(False), C6]),
            ("2016-05", received("2016-05"), [C5]),
            ("2016-06", received("2016-06"), [c4()]),
            ("2016-08", received("2016-08"), [C8]),
            ("2016-10", received("2016-10"), [c7()]),
        ],
    )
    write_feed(
        data_dir,
        "referrals",
        [
            (
                "2016-01",
                received("2016-01"),
                [referral("r1", "c1", D(2016, 1, 1), D(2016, 1, 20))],
            ),
            (
                "2016-03",
                received("2016-03"),
                [
                    referral("r2", "c2", D(2016, 3, 31), None),
                    referral("r3", "c4", D(2016, 3, 10), None),
                    referral("r4", "cx", D(2016, 3, 12), D(2016, 3, 13)),  # unknown case
                ],
            ),
            (
                "2016-04",
                received("2016-04"),
                [referral("r5", "c6", D(2016, 4, 12), D(2016, 4, 30))],
            ),
            (
                "2016-05",
                received("2016-05"),
                [referral("r2", "c2", D(2016, 3, 31), D(2016, 5, 2))],
            ),
        ],
    )
    q_received = {q: T(2016 + q // 4, (3 * q) % 12 + 1, 15) for q in (1, 2, 3, 4)}
    w1 = social_worker_post("w1", "0101", D(2015, 1, 1))
    w2a = social_worker_post("w2", "0102", D(2016, 2, 1))
    w3 = social_worker_post("w3", "0201", D(2014, 5, 1))
    w2b = social_worker_post("w2", "0101", D(2016, 9, 30))
    write_feed(
        data_dir,
        "social_workers",
        [
            ("2016-Q1", q_received[1], [w1, w2a, w3]),
            (
                "2016-Q2",
                q_received[2],
                [w1, w2a, w3, social_worker_post("w5", "0102", D(2016, 4, 1), D(2016, 6, 15))],
            ),
            ("2016-Q3", q_received[3], [w1, w2a | {"post_end_date": D(2016, 9, 30)}, w2b, w3]),
            (
                "2016-Q4",
                q_received[4],
                [w1, w2b, w3, social_worker_post("w4", "0201", D(2016, 12, 31))],
            ),
        ],
    )
    write_feed(
        data_dir,
        "helpline_contacts",
        [
            (
                "2016-01",
                received("2016-01"),
                [
                    contact("h1", T(2016, 1, 1, 0, 5), "0101", "F", 12, "sexual_abuse"),
                    contact("h2", T(2016, 1, 31, 23, 59), "0101", "M", 3, "neglect"),
                    contact("h3", T(2016, 1, 15, 10, 0), "0101", "F", 12, "information"),
                ],
            ),
            (
                "2016-02",
                received("2016-02"),
                [
                    contact("h4", T(2016, 2, 10, 10, 0), "0102", None, None, "physical_abuse"),
                    contact("h5", T(2016, 2, 11, 10, 0), None, "F", 10, "trafficking"),
                ],
            ),
            (
                "2016-03",
                received("2016-03"),
                [
                    contact("h6", T(2016, 3, 3, 10, 0), "0201", "M", 16, "child_labour"),
                    contact("h7", T(2016, 3, 4, 10, 0), "0201", None, None, "silent"),
                ],
            ),
        ],
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtResult, Path]:
    """One dbt build of the fixture feeds; returns the result and the build database."""
    return build(tmp_path_factory.mktemp("case_management"), write_fixture_feeds)


@pytest.fixture(scope="module")
def values(built: tuple[DbtResult, Path]) -> dict[tuple[str, str, str, str], tuple]:
    """fct_indicator_values keyed by (indicator, period, geo, disaggregation value)."""
    return fact_values(
        built,
        (
            "VE01",
            "VE02",
            "VE03",
            "VE04",
            "VE05",
            "VE06",
            "VE07",
            "VE08",
            "VE09",
            "VE10",
            "VE13",
            "SS02",
        ),
    )


approx = pytest.approx


def test_build_succeeds(built: tuple[DbtResult, Path]) -> None:
    result, _ = built
    assert result.ok, result.summary


def test_periods_follow_the_catalogue_frequency(values: dict) -> None:
    periods = {}
    for code, period, *_ in values:
        periods.setdefault(code, set()).add(period)
    # Monthly indicators: 12 months + 4 quarters + 1 year; quarterly ones: 4 quarters + 1 year.
    for code in ("VE01", "VE02", "VE03", "VE04", "VE05", "VE06", "VE07", "VE08", "VE13", "SS02"):
        assert len(periods[code]) == 17, code
    for code in ("VE09", "VE10"):
        assert periods[code] == {"2016-Q1", "2016-Q2", "2016-Q3", "2016-Q4", "2016"}, code


def test_every_geography_has_a_total_row(values: dict) -> None:
    geos = {"0101", "0102", "0201", "01", "02", "NAT"}
    for code in ("VE01", "VE02", "VE03", "VE04", "VE05", "VE06", "VE07", "VE08", "VE13", "SS02"):
        for period in ("2016-07", "2016-Q3", "2016"):
            found = {g for (c, p, g, d) in values if (c, p, d) == (code, period, "total")}
            assert found == geos, (code, period)
    # Nothing happens in 0201 in July: VE04 0 / 0 -> null; SS02 count 0.
    assert values[("VE04", "2016-07", "0201", "total")] == (0.0, 0.0, None)
    assert values[("SS02", "2016-07", "0201", "total")] == (0.0, None, 0.0)


def test_ve01_new_cases_per_100000(values: dict) -> None:
    # Opened in 2016: c1 (0101 F 5-9, Jan 1: first day), c2 (0101 M 10-14, Jan 31: last day),
    # c3 (0102 F 10-14, Feb), c4 (0201 M 0-4, Mar), c6 (0101 M 15-17, Apr), c5 (0102 F 5-9, May),
    # c8 (0101 M 10-14, Aug). c7 opened in 2015: not counted.
    # Jan: 2 / 14000 x 100000 = 14.2857; 0101: 2 / 8000 x 100000 = 25; 0201: 0 / 2000 = 0.
    assert values[("VE01", "2016-01", "NAT", "total")] == (2.0, 14000.0, approx(100000 * 2 / 14000))
    assert values[("VE01", "2016-01", "0101", "total")] == (2.0, 8000.0, 25.0)
    assert values[("VE01", "2016-01", "0201", "total")] == (0.0, 2000.0, 0.0)
    # Q1 sums its months: 2 + 1 + 1 = 4 -> 4 / 14000 x 100000 = 28.571.
    assert values[("VE01", "2016-Q1", "NAT", "total")] == (4.0, 14000.0, approx(400000 / 14000))
    # Year: 7 / 14000 x 100000 = 50; 0101: c1, c2, c6, c8 = 4 / 8000 x 100000 = 50.
    assert values[("VE01", "2016", "NAT", "total")] == (7.0, 14000.0, 50.0)
    assert values[("VE01", "2016", "0101", "total")] == (4.0, 8000.0, 50.0)
    # Province 01 = 0101 + 0102 summed: (4 + 2) / (8000 + 4000) x 100000 = 50.
    assert values[("VE01", "2016", "01", "total")] == (6.0, 12000.0, 50.0)
    # Girls: c1, c3, c5 = 3 / 7000 x 100000 = 42.857; 10-14: c2, c3, c8 = 3 / 3500 = 85.714.
    assert values[("VE01", "2016", "NAT", "female")] == (3.0, 7000.0, approx(300000 / 7000))
    assert values[("VE01", "2016", "NAT", "10-14")] == (3.0, 3500.0, approx(300000 / 3500))
    # No disability breakdown over a population denominator.
    assert not [k for k in values if k[0] == "VE01" and k[3] in ("yes", "no")]


def test_ve02_distinct_children_with_an_open_case(values: dict) -> None:
    # January: k1 (c1, 0101), k2 (c2, 0101), k6 (c7, 0201, open since 2015).
    assert values[("VE02", "2016-01", "NAT", "total")] == (3.0, None, 3.0)
    assert values[("VE02", "2016-01", "0101", "total")] == (2.0, None, 2.0)
    assert values[("VE02", "2016-01", "0102", "total")] == (0.0, None, 0.0)
    # August: k2 has two open cases in 0101 (c2 and c8) and counts once; k5 (c6); k6 (c7).
    # c5 closed on Jul 31: not open in August.
    assert values[("VE02", "2016-08", "0101", "total")] == (2.0, None, 2.0)
    assert values[("VE02", "2016-08", "NAT", "total")] == (3.0, None, 3.0)
    # Year: k1 had cases in 0101 (c1) and 0102 (c5): in both districts, once in province 01.
    # 0101: k1, k2, k5 = 3; 0102: k3, k1 = 2; 0201: k4, k6 = 2;
    # province 01: k1, k2, k3, k5 = 4 (not 3 + 2); nation: 6 (not 3 + 2 + 2).
    assert values[("VE02", "2016", "0101", "total")] == (3.0, None, 3.0)
    assert values[("VE02", "2016", "0102", "total")] == (2.0, None, 2.0)
    assert values[("VE02", "2016", "01", "total")] == (4.0, None, 4.0)
    assert values[("VE02", "2016", "02", "total")] == (2.0, None, 2.0)
    assert values[("VE02", "2016", "NAT", "total")] == (6.0, None, 6.0)
    # Sex: F k1, k3, k6 = 3; M k2, k4, k5 = 3. Disability: yes k1; no k2, k4, k5, k6; k3 unknown.
    assert values[("VE02", "2016", "NAT", "female")] == (3.0, None, 3.0)
    assert values[("VE02", "2016", "NAT", "male")] == (3.0, None, 3.0)
    assert values[("VE02", "2016", "NAT", "yes")] == (1.0, None, 1.0)
    assert values[("VE02", "2016", "NAT", "no")] == (4.0, None, 4.0)
    # Age on the last day in the year with a case open: k1 Jul 31 -> 6 (5-9); k2 Dec 31 -> 12;
    # k3 Feb 25 -> 14 (10-14, though 15 by December); k4 Jun 30 -> 2; k5 Sep 9 -> 16;
    # k6 Oct 15 -> 8. 0-4: 1, 5-9: 2, 10-14: 2, 15-17: 1.
    assert values[("VE02", "2016", "NAT", "0-4")] == (1.0, None, 1.0)
    assert values[("VE02", "2016", "NAT", "5-9")] == (2.0, None, 2.0)
    assert values[("VE02", "2016", "NAT", "10-14")] == (2.0, None, 2.0)
    assert values[("VE02", "2016", "NAT", "15-17")] == (1.0, None, 1.0)


def test_ve03_open_cases_assessed_at_period_end(values: dict) -> None:
    # Jan 31: open c1 (assessed Jan 10), c2 (opened Jan 31, assessed later), c7 (assessed 2015).
    assert values[("VE03", "2016-01", "NAT", "total")] == (2.0, 3.0, approx(200 / 3))
    assert values[("VE03", "2016-01", "0101", "total")] == (1.0, 2.0, 50.0)
    # Feb 29: c1, c2 (assessed Feb 5), c7 -> 3 / 3; c3 opened and closed in February: not in the
    # stock, so 0102 has 0 / 0 -> null.
    assert values[("VE03", "2016-02", "NAT", "total")] == (3.0, 3.0, 100.0)
    assert values[("VE03", "2016-02", "0102", "total")] == (0.0, 0.0, None)
    # Mar 31: c1 closed that day (out); c2, c4 (assessed Mar 20), c7 -> 3 / 3. Q1 = March, not
    # the sum of the months (8 / 9).
    assert values[("VE03", "2016-03", "NAT", "total")] == (3.0, 3.0, 100.0)
    assert values[("VE03", "2016-Q1", "NAT", "total")] == (3.0, 3.0, 100.0)
    # Aug 31: c2, c6 in 0101 (c8 opened and closed in August: not in the stock).
    assert values[("VE03", "2016-08", "0101", "total")] == (2.0, 2.0, 100.0)
    # Year = Dec 31: only c2 (c7 closed Oct 15).
    assert values[("VE03", "2016", "NAT", "total")] == (1.0, 1.0, 100.0)
    assert values[("VE03", "2016", "NAT", "male")] == (1.0, 1.0, 100.0)
    assert values[("VE03", "2016", "NAT", "10-14")] == (1.0, 1.0, 100.0)
    assert values[("VE03", "2016", "NAT", "no")] == (1.0, 1.0, 100.0)


def test_ve04_high_risk_seen_within_24_hours(values: dict) -> None:
    # High risk: c1 seen after 23 h (yes, Jan), c2 after exactly 24 h (yes, Jan: the month it
    # was opened, though seen on Feb 1), c3 after 24 h 1 min (no, Feb), c4 never (no, Mar: stays
    # in the denominator).
    assert values[("VE04", "2016-01", "0101", "total")] == (2.0, 2.0, 100.0)
    assert values[("VE04", "2016-02", "0102", "total")] == (0.0, 1.0, 0.0)
    assert values[("VE04", "2016-02", "0101", "total")] == (0.0, 0.0, None)
    assert values[("VE04", "2016-03", "0201", "total")] == (0.0, 1.0, 0.0)
    # Q1: 2 / 4 = 50 %; province 01 (c1, c2, c3): 2 / 3.
    assert values[("VE04", "2016-Q1", "NAT", "total")] == (2.0, 4.0, 50.0)
    assert values[("VE04", "2016-Q1", "01", "total")] == (2.0, 3.0, approx(200 / 3))
    # F c1 yes, c3 no -> 1 / 2; disability yes c1 -> 1 / 1; no: c2 yes, c4 no -> 1 / 2.
    assert values[("VE04", "2016-Q1", "NAT", "female")] == (1.0, 2.0, 50.0)
    assert values[("VE04", "2016-Q1", "NAT", "yes")] == (1.0, 1.0, 100.0)
    assert values[("VE04", "2016-Q1", "NAT", "no")] == (1.0, 2.0, 50.0)
    assert values[("VE04", "2016", "NAT", "total")] == (2.0, 4.0, 50.0)


def test_ve05_cases_open_30_days_with_a_plan(values: dict) -> None:
    # Jan 31: c1 open exactly 30 days (counts), plan only on Feb 15 -> no; c2 open 0 days (out);
    # c7 with a plan -> 1 / 2. 0101: 0 / 1.
    assert values[("VE05", "2016-01", "NAT", "total")] == (1.0, 2.0, 50.0)
    assert values[("VE05", "2016-01", "0101", "total")] == (0.0, 1.0, 0.0)
    # Feb 29: c1 (plan Feb 15) yes; c2 open 29 days (out); c7 yes -> 2 / 2.
    assert values[("VE05", "2016-02", "NAT", "total")] == (2.0, 2.0, 100.0)
    # Mar 31: c2 (60 days, no plan), c4 (26 days: out), c7 yes -> 1 / 2; Q1 = March.
    assert values[("VE05", "2016-03", "NAT", "total")] == (1.0, 2.0, 50.0)
    assert values[("VE05", "2016-Q1", "NAT", "total")] == (1.0, 2.0, 50.0)
    # Year = Dec 31: c2 without a plan -> 0 / 1.
    assert values[("VE05", "2016", "NAT", "total")] == (0.0, 1.0, 0.0)


def test_ve06_referrals_with_the_service_delivered(values: dict) -> None:
    # r1 (c1, Jan 1, delivered); r2 (c2, Mar 31, delivered per its later delivery); r3 (c4,
    # Mar 10, not delivered); r4 (unknown case: cannot be placed, left out); r5 (c6, Apr).
    assert values[("VE06", "2016-01", "0101", "total")] == (1.0, 1.0, 100.0)
    assert values[("VE06", "2016-03", "NAT", "total")] == (1.0, 2.0, 50.0)
    assert values[("VE06", "2016-Q1", "NAT", "total")] == (2.0, 3.0, approx(200 / 3))
    assert values[("VE06", "2016", "NAT", "total")] == (3.0, 4.0, 75.0)
    assert values[("VE06", "2016", "02", "total")] == (0.0, 1.0, 0.0)
    # By the child of the case: F r1 -> 1 / 1; M r2, r3, r5 -> 2 / 3. Age at the referral:
    # r2 k2 on Mar 31 -> 12 (10-14); r3 k4 -> 2 (0-4): 0 / 1.
    assert values[("VE06", "2016", "NAT", "female")] == (1.0, 1.0, 100.0)
    assert values[("VE06", "2016", "NAT", "male")] == (2.0, 3.0, approx(200 / 3))
    assert values[("VE06", "2016", "NAT", "10-14")] == (1.0, 1.0, 100.0)
    assert values[("VE06", "2016", "NAT", "0-4")] == (0.0, 1.0, 0.0)


def test_ve07_median_days_to_closure(values: dict) -> None:
    # Days from opening to closure: c1 Jan 1 -> Mar 31 = 30 + 29 + 31 = 90; c3 Feb 10 -> 25 = 15;
    # c4 Mar 5 -> Jun 30 = 26 + 30 + 31 + 30 = 117; c5 May 1 -> Jul 31 = 30 + 30 + 31 = 91;
    # c6 Apr 10 -> Sep 9 = 20 + 31 + 30 + 31 + 31 + 9 = 152; c8 Aug 1 -> 20 = 19;
    # c7 2015-11-20 -> 2016-10-15 = 10 + 31 + 31 + 29 + 31 + 30 + 31 + 30 + 31 + 31 + 30 + 15 = 330.
    # Q1 (c1, c3): an even number -> (15 + 90) / 2 = 52.5, over 2 cases (the denominator; a
    # median has no numerator).
    assert values[("VE07", "2016-Q1", "NAT", "total")] == (None, 2.0, 52.5)
    # Year: 15, 19, 90, 91, 117, 152, 330 -> 91. Province 01: 15, 19, 90, 91, 152 -> 90;
    # province 02: 117, 330 -> 223.5. The national median is recomputed (not the mean of 90 and
    # 223.5); 0101: 19, 90, 152 -> 90; 0102: 15, 91 -> 53.
    assert values[("VE07", "2016", "NAT", "total")] == (None, 7.0, 91.0)
    assert values[("VE07", "2016", "01", "total")] == (None, 5.0, 90.0)
    assert values[("VE07", "2016", "02", "total")] == (None, 2.0, 223.5)
    assert values[("VE07", "2016", "0101", "total")] == (None, 3.0, 90.0)
    assert values[("VE07", "2016", "0102", "total")] == (None, 2.0, 53.0)
    # Girls: c1 90, c3 15, c5 91, c7 330 -> (90 + 91) / 2 = 90.5; boys c4 117, c6 152, c8 19 -> 117.
    assert values[("VE07", "2016", "NAT", "female")] == (None, 4.0, 90.5)
    assert values[("VE07", "2016", "NAT", "male")] == (None, 3.0, 117.0)
    # No closure in January: over 0 cases, value null.
    assert values[("VE07", "2016-01", "NAT", "total")] == (None, 0.0, None)


def test_ve08_closed_with_goals_met(values: dict) -> None:
    # Closures: c1 Mar 31 goals (0101 F), c3 Feb 25 lost contact (0102 F), c4 Jun 30 goals
    # (0201 M), c5 Jul 31 other (0102 F), c6 Sep 9 transferred (0101 M), c8 Aug 20 goals (0101 M),
    # c7 Oct 15 goals (0201 F; open in its first delivery, closed in the latest).
    assert values[("VE08", "2016-03", "NAT", "total")] == (1.0, 1.0, 100.0)
    assert values[("VE08", "2016-Q1", "NAT", "total")] == (1.0, 2.0, 50.0)
    assert values[("VE08", "2016-01", "NAT", "total")] == (0.0, 0.0, None)
    assert values[("VE08", "2016-10", "0201", "total")] == (1.0, 1.0, 100.0)
    # Year: 4 / 7; province 01 c1, c8 of c1, c3, c5, c6, c8 = 2 / 5; province 02 2 / 2.
    assert values[("VE08", "2016", "NAT", "total")] == (4.0, 7.0, approx(400 / 7))
    assert values[("VE08", "2016", "01", "total")] == (2.0, 5.0, 40.0)
    assert values[("VE08", "2016", "02", "total")] == (2.0, 2.0, 100.0)
    assert values[("VE08", "2016", "NAT", "female")] == (2.0, 4.0, 50.0)
    assert values[("VE08", "2016", "NAT", "male")] == (2.0, 3.0, approx(200 / 3))


def test_ve09_caseload_per_social_worker(values: dict) -> None:
    # Mar 31: c2 (w1, 0101), c4 and c7 (w3, 0201) -> 0101 1 / 1; 0201 2 / 1; 0102 0 / 0 -> null;
    # nation 3 / 2 = 1.5.
    assert values[("VE09", "2016-Q1", "0101", "total")] == (1.0, 1.0, 1.0)
    assert values[("VE09", "2016-Q1", "0201", "total")] == (2.0, 1.0, 2.0)
    assert values[("VE09", "2016-Q1", "0102", "total")] == (0.0, 0.0, None)
    assert values[("VE09", "2016-Q1", "NAT", "total")] == (3.0, 2.0, 1.5)
    # Jun 30: c2, c6 (w1, 0101), c5 (w2, 0102), c7 (w3, 0201); c4 closed that day.
    # Province 01: 3 / 2 = 1.5; nation 4 / 3.
    assert values[("VE09", "2016-Q2", "0101", "total")] == (2.0, 1.0, 2.0)
    assert values[("VE09", "2016-Q2", "01", "total")] == (3.0, 2.0, 1.5)
    assert values[("VE09", "2016-Q2", "NAT", "total")] == (4.0, 3.0, approx(4 / 3))
    # Year = Dec 31: c2 (w1) -> 1 / 1.
    assert values[("VE09", "2016", "NAT", "total")] == (1.0, 1.0, 1.0)
    assert not [k for k in values if k[0] == "VE09" and k[3] != "total"]


def test_ve10_social_workers_per_100000_children(values: dict) -> None:
    # Mar 31: w1 (0101), w2 (0102), w3 (0201) -> 0101 1 / 8000 x 100000 = 12.5; 0102 25;
    # 0201 50; nation 3 / 14000 x 100000 = 21.43.
    assert values[("VE10", "2016-Q1", "0101", "total")] == (1.0, 8000.0, 12.5)
    assert values[("VE10", "2016-Q1", "0102", "total")] == (1.0, 4000.0, 25.0)
    assert values[("VE10", "2016-Q1", "NAT", "total")] == (3.0, 14000.0, approx(300000 / 14000))
    # Jun 30: w5 left 0102 on Jun 15 -> still 3.
    assert values[("VE10", "2016-Q2", "NAT", "total")] == (3.0, 14000.0, approx(300000 / 14000))
    # Sep 30: w2 left 0102 that day (not in post) and started in 0101 that day (in post):
    # 0101 2 / 8000 x 100000 = 25; 0102 0.
    assert values[("VE10", "2016-Q3", "0101", "total")] == (2.0, 8000.0, 25.0)
    assert values[("VE10", "2016-Q3", "0102", "total")] == (0.0, 4000.0, 0.0)
    # Dec 31: w4 starts in 0201 that day -> 0201 2 / 2000 x 100000 = 100; nation 4 -> 28.57.
    # Year = Q4.
    assert values[("VE10", "2016-Q4", "0201", "total")] == (2.0, 2000.0, 100.0)
    assert values[("VE10", "2016", "NAT", "total")] == (4.0, 14000.0, approx(400000 / 14000))
    assert not [k for k in values if k[0] == "VE10" and k[3] != "total"]


def test_ve13_helpline_protection_contacts(values: dict) -> None:
    # Protection contacts: h1 (Jan 1 00:05, 0101 F 12), h2 (Jan 31 23:59, 0101 M 3),
    # h4 (Feb, 0102, sex and age unknown), h5 (Feb, no district, F 10), h6 (Mar, 0201 M 16).
    # Not counted: h3 information, h7 silent.
    assert values[("VE13", "2016-01", "0101", "total")] == (2.0, 8000.0, 25.0)
    assert values[("VE13", "2016-01", "NAT", "total")] == (2.0, 14000.0, approx(200000 / 14000))
    assert values[("VE13", "2016-01", "NAT", "female")] == (1.0, 7000.0, approx(100000 / 7000))
    # h4 counts in the total but in no sex or age group: Feb 0102 total 1 / 4000 = 25;
    # female and male 0 / 2000 = 0.
    assert values[("VE13", "2016-02", "0102", "total")] == (1.0, 4000.0, 25.0)
    assert values[("VE13", "2016-02", "0102", "female")] == (0.0, 2000.0, 0.0)
    assert values[("VE13", "2016-02", "0102", "male")] == (0.0, 2000.0, 0.0)
    # h5 has no district: it counts in the nation (and the nation's girls and 10-14) only.
    # Feb: nation h4 + h5 = 2 / 14000; province 01 only h4 (1 / 6000 x 100000); girls h5 1 / 7000.
    assert values[("VE13", "2016-02", "NAT", "total")] == (2.0, 14000.0, approx(200000 / 14000))
    assert values[("VE13", "2016-02", "01", "total")] == (1.0, 12000.0, approx(100000 / 12000))
    assert values[("VE13", "2016-02", "02", "total")] == (0.0, 2000.0, 0.0)
    assert values[("VE13", "2016-02", "NAT", "female")] == (1.0, 7000.0, approx(100000 / 7000))
    # Q1: 5 / 14000 x 100000 = 35.71; boys h2, h6 = 2 / 7000; girls h1, h5 = 2 / 7000;
    # 10-14 h1 and h5 = 2 / 3500.
    assert values[("VE13", "2016-Q1", "NAT", "total")] == (5.0, 14000.0, approx(500000 / 14000))
    assert values[("VE13", "2016-Q1", "NAT", "male")] == (2.0, 7000.0, approx(200000 / 7000))
    assert values[("VE13", "2016-Q1", "NAT", "female")] == (2.0, 7000.0, approx(200000 / 7000))
    assert values[("VE13", "2016-Q1", "NAT", "10-14")] == (2.0, 3500.0, approx(200000 / 3500))
    assert values[("VE13", "2016-Q1", "NAT", "5-9")] == (0.0, 3500.0, 0.0)
    # The provinces and districts add up to the nation less h5: 01 (h1, h2, h4) + 02 (h6) = 4.
    assert values[("VE13", "2016-Q1", "01", "total")][0] == 3.0
    assert values[("VE13", "2016-Q1", "02", "total")][0] == 1.0


def test_ss02_cases_referred_by_schools(values: dict) -> None:
    # School referrals: c1 (0101 Jan, F 5-9, disability yes), c3 (0102 Feb, F 10-14, unknown),
    # c5 (0102 May, F 5-9, yes).
    assert values[("SS02", "2016-01", "0101", "total")] == (1.0, None, 1.0)
    assert values[("SS02", "2016-Q1", "NAT", "total")] == (2.0, None, 2.0)
    assert values[("SS02", "2016", "01", "total")] == (3.0, None, 3.0)
    assert values[("SS02", "2016", "0201", "total")] == (0.0, None, 0.0)
    assert values[("SS02", "2016", "NAT", "female")] == (3.0, None, 3.0)
    assert values[("SS02", "2016", "NAT", "5-9")] == (2.0, None, 2.0)
    assert values[("SS02", "2016", "NAT", "10-14")] == (1.0, None, 1.0)
    assert values[("SS02", "2016", "NAT", "yes")] == (2.0, None, 2.0)
    assert ("SS02", "2016", "NAT", "male") not in values
