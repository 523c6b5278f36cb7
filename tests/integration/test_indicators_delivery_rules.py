"""The rules that decide what a published number rests on, computed by dbt from a tiny hand-made
country: AC07 and formal care, VE09 and the social worker register, CR03 and the day a
certificate was recorded, and the coverage of every value by the deliveries behind it.

Every expected number below was worked out by hand from the rows written in this file (the
arithmetic is in the comments), never copied from output. One `dbt build` for the module.

The country: provinces 01 (districts 0101, 0102) and 02 (district 0201); 2 000 children per
district (1 000 per sex, all aged 12). Every feed below is delivered for every period of 2016
(monthly on the 10th of the next month, quarterly on the 15th), except the labour inspections of
August (never delivered) and November (refused), and labour's May file, which a corrected
resubmission replaced. Labour's inspections are compiled from the provincial offices' reports
(North: 2 children withdrawn and referred in 0101 a month; South: 1 in 0201); its register says
South's office did not report in June.

Placements (the AC07 baseline is 2015-12-31):

  episode child district type         start       end         reason                cert
  a1      a     0101     residential  2015-06-01  2016-01-15  kinship_care          -
  a2      a     0101     kinship      2016-01-15  2016-03-10  reintegrated_parents  -
  b1      b     0101     residential  2015-03-01  2016-01-20  reintegrated_parents  -
  c1      c     0201     residential  2015-01-01  -                                 recorded 2016-06-10
  d1      d     0102     residential  2015-01-01  -                                 held, no date

a leaves the institution "to kin" but the same day enters a formal kinship placement: the child
stays in formal care, so it is no reintegration from residential care (AC07). c's certificate is
delivered in July's file (a correction of the open episode): it counts from 10 June only. d's is
delivered, without its date, from the first file (January): it counts from 1 January.

Cases (each delivered every month while open, naming the worker of that month) and posts:

  case  district  opened      worker                         post of the worker
  cA    0101      2016-01-05  wA (never reassigned)           wA 0101 2015-01-01 .. 2016-02-15
  cB1   0101      2016-01-06  wB                              wB 0101 2015-01-01 .. open
  cB2   0102      2016-01-07  wB (outside wB's district)
  cC    0102      2016-01-10  wC Jan-Apr, wB from May         wC 0102 2015-01-01 .. 2016-04-30
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from dbt_fixture import (
    admin_unit_rows,
    build,
    pseudonym,
    social_worker_post,
    write_delivery,
    write_delivery_status,
)

from cpmonitor.core.contracts import load_contracts
from cpmonitor.dbt_runner import DbtResult
from ingest.run import write_empty_feed_files

D = dt.date
T = dt.datetime
MONTHS = [f"2016-{m:02d}" for m in range(1, 13)]


def received(period: str) -> dt.datetime:
    """Monthly deliveries arrive on the 10th of the next month, quarterly ones on the 15th."""
    if "-Q" in period:
        quarter = int(period[-1])
        return T(2016 + quarter // 4, (3 * quarter) % 12 + 1, 15, 9, 0)
    year, month = (int(x) for x in period.split("-"))
    return T(year + month // 12, month % 12 + 1, 10, 9, 0)


def deliver(data_dir: Path, feed: str, period: str, rows: list[dict], number: int = 0) -> None:
    write_delivery(data_dir, feed, period, rows, number=number, received_at=received(period))


def episode(
    pid, child, district, care_type, start, end=None, reason=None, cert=None, cert_date=None
):
    return {
        "placement_id": pseudonym(pid),
        "child_id": pseudonym(child),
        "sex": "F",
        "date_of_birth": D(2006, 5, 1),
        "care_type": care_type,
        "district_code": district,
        "start_date": start,
        "end_date": end,
        "exit_reason": reason,
        "has_birth_certificate": cert,
        "birth_certificate_date": cert_date,
    }


A1 = episode("a1", "a", "0101", "residential", D(2015, 6, 1), D(2016, 1, 15), "kinship_care")
A2_OPEN = episode("a2", "a", "0101", "kinship", D(2016, 1, 15))
A2 = episode("a2", "a", "0101", "kinship", D(2016, 1, 15), D(2016, 3, 10), "reintegrated_parents")
B1 = episode(
    "b1", "b", "0101", "residential", D(2015, 3, 1), D(2016, 1, 20), "reintegrated_parents"
)
C1 = episode("c1", "c", "0201", "residential", D(2015, 1, 1), cert=False)
C1_CERT = episode(
    "c1", "c", "0201", "residential", D(2015, 1, 1), cert=True, cert_date=D(2016, 6, 10)
)
D1 = episode("d1", "d", "0102", "residential", D(2015, 1, 1), cert=True)


def placements(month: str) -> list[dict]:
    """January holds every episode open at its start and those that started or ended in it; d1
    is delivered again every month (the extract re-sends it), so every month has a file."""
    rows = {
        "2016-01": [A1, A2_OPEN, B1, C1, D1],
        "2016-03": [A2, D1],
        "2016-07": [C1_CERT, D1],
    }
    return rows.get(month, [D1])


def case(cid: str, district: str, opened: dt.datetime, worker: str | None) -> dict:
    return {
        "case_id": pseudonym(cid),
        "child_id": pseudonym("child-" + cid),
        "sex": "M",
        "date_of_birth": D(2008, 1, 1),
        "district_code": district,
        "opened_at": opened,
        "risk_level": "medium",
        "referral_source": "community",
        "concern": "neglect",
        "social_worker_id": pseudonym(worker) if worker else None,
    }


def cases(month: str) -> list[dict]:
    worker_c = "wC" if month <= "2016-04" else "wB"
    return [
        case("cA", "0101", T(2016, 1, 5, 9, 0), "wA"),
        case("cB1", "0101", T(2016, 1, 6, 9, 0), "wB"),
        case("cB2", "0102", T(2016, 1, 7, 9, 0), "wB"),
        case("cC", "0102", T(2016, 1, 10, 9, 0), worker_c),
    ]


WA = social_worker_post("wA", "0101", D(2015, 1, 1), D(2016, 2, 15))
WB = social_worker_post("wB", "0101", D(2015, 1, 1))
WC = social_worker_post("wC", "0102", D(2015, 1, 1), D(2016, 4, 30))
POSTS = {"2016-Q1": [WA, WB, WC], "2016-Q2": [WB, WC], "2016-Q3": [WB], "2016-Q4": [WB]}


def inspection(month: str, withdrawn_and_referred: int, district: str = "0101") -> dict:
    return {
        "inspection_id": f"INS-{month}-{district}",
        "workplace_id": "W" + district,
        "workplace_name": "Workplace " + district,
        "sector": "agriculture",
        "district_code": district,
        "inspection_type": "routine",
        "inspection_date": D(2016, int(month[-2:]), 3),
        "child_workers_found": 3,
        "children_withdrawn_worst_forms": withdrawn_and_referred,
        "children_referred_to_services": withdrawn_and_referred,
        "children_withdrawn_and_referred": withdrawn_and_referred,
    }


LABOUR_MISSING, LABOUR_REFUSED, LABOUR_RESUBMITTED = "2016-08", "2016-11", "2016-05"
SOUTH_DID_NOT_REPORT = "2016-06"


def labour_files(month: str) -> tuple[list[dict], list[dict]]:
    """The month's inspections (North 2 children in 0101, South 1 in 0201) and the register of
    the provincial offices whose report they hold; South's office did not report in June."""
    offices = ["01"] if month == SOUTH_DID_NOT_REPORT else ["01", "02"]
    inspections = [inspection(month, 2, "0101")] + (
        [inspection(month, 1, "0201")] if "02" in offices else []
    )
    register = [{"province_code": p, "report_received_date": D(2016, 1, 1)} for p in offices]
    register = [r | {"report_received_date": received(month).date()} for r in register]
    return inspections, register


def write_fixture_feeds(data_dir: Path) -> None:
    write_empty_feed_files(data_dir / "ingested", load_contracts())
    rows = admin_unit_rows()
    write_delivery(data_dir, "admin_units", "2016", rows, number=0, received_at=T(2016, 1, 2))
    population = [
        {"year": 2016, "district_code": d, "sex": s, "age": 12, "population": 1000}
        for d in ("0101", "0102", "0201")
        for s in ("F", "M")
    ]
    write_delivery(data_dir, "population", "2016", population, number=0, received_at=T(2016, 1, 3))
    for month in MONTHS:
        deliver(data_dir, "placements", month, placements(month))
        deliver(data_dir, "cases", month, cases(month))
        if month not in (LABOUR_MISSING, LABOUR_REFUSED):
            # May's first file said 9 children in North; its resubmission (the file kept), 2
            inspections, register = labour_files(month)
            deliver(data_dir, "labour_inspections", month, inspections, number=1)
            deliver(data_dir, "labour_office_reports", month, register)
    for quarter, rows in POSTS.items():
        deliver(data_dir, "social_workers", quarter, rows)
    write_delivery_status(
        data_dir,
        today=D(2027, 6, 1),  # judged as of the day after the latest delivery
        extra_ledger_rows=[
            {"entity": "labour", "feed": "labour_inspections", "period": LABOUR_RESUBMITTED}
            | {"status": "superseded", "received_at": T(2016, 6, 10, 8, 0)},
            {"entity": "labour", "feed": "labour_inspections", "period": LABOUR_REFUSED}
            | {"status": "quarantined", "received_at": T(2016, 12, 10, 9, 0)},
        ],
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtResult, Path]:
    return build(tmp_path_factory.mktemp("delivery_rules"), write_fixture_feeds)


@pytest.fixture(scope="module")
def facts(built: tuple[DbtResult, Path]) -> dict[tuple[str, str, str, str], dict]:
    """fct_indicator_values keyed by (indicator, period, geo, disaggregation value) -> row."""
    result, build_db = built
    assert result.ok, result.summary
    with duckdb.connect(str(build_db), read_only=True) as con:
        cursor = con.execute("select * from main.fct_indicator_values")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    return {
        (r["indicator_code"], r["period_id"], r["geo_code"], r["disaggregation_value"]): r
        for r in rows
    }


def nvd(facts: dict, code: str, period: str, geo: str = "NAT", group: str = "total") -> tuple:
    row = facts[(code, period, geo, group)]
    return row["numerator"], row["denominator"], row["value"]


approx = pytest.approx


def test_ac07_counts_only_exits_that_leave_formal_care(facts: dict) -> None:
    # Residential on 2015-12-31: a1, b1 (0101), c1 (0201), d1 (0102) -> 4.
    # January: b1 is reintegrated (nothing covers 20 Jan); a1's exit "to kin" starts a formal
    # kinship placement the same day -> not a reintegration. 1 / 4 = 25 % (not 2 / 4).
    assert nvd(facts, "AC07", "2016-01") == (1.0, 4.0, 25.0)
    assert nvd(facts, "AC07", "2016-01", "0101") == (1.0, 2.0, 50.0)
    # a2 (kinship) ends with reintegrated_parents on 10 March: a reintegration from formal care,
    # but not from residential care: AC07 stays 1 / 4 all year.
    assert nvd(facts, "AC07", "2016-03") == (1.0, 4.0, 25.0)
    assert nvd(facts, "AC07", "2016") == (1.0, 4.0, 25.0)
    # No age band: age at exit and age at the baseline are different groups.
    assert not [k for k in facts if k[0] == "AC07" and k[3] in ("0-4", "5-9", "10-14", "15-17")]
    assert nvd(facts, "AC07", "2016", "NAT", "female") == (1.0, 4.0, 25.0)


def test_ac10_counts_the_kinship_reintegration_but_knows_no_visits(facts: dict) -> None:
    # AC10, period ending 2016-12-31: reintegrations 2015-06-30 < day <= 2016-06-30 -> b1
    # (20 Jan, from residential) and a2 (10 Mar, from kinship) = 2. No follow-up visit was ever
    # delivered: not "0 of 2 visited" but unknown, with the reason.
    dec = facts[("AC10", "2016-12", "NAT", "total")]
    assert (dec["numerator"], dec["denominator"], dec["value"]) == (None, 2.0, None)
    assert dec["coverage_note"].startswith(
        "No delivery of Follow-up contacts after a reintegration (Ministry of Social Affairs) for "
        "2016-01, 2016-02,"
    )


def test_cr03_counts_a_certificate_from_the_day_it_was_recorded(facts: dict) -> None:
    # In formal care on 31 Jan: a2, c1, d1 -> 3; certificates: d1 (held from January) -> 1 / 3.
    assert nvd(facts, "CR03", "2016-01") == (1.0, 3.0, approx(100 / 3))
    # 31 Mar: c1, d1 (a2 left on 10 Mar). c1's certificate, delivered in July, dates from
    # 10 June: not held on 31 Mar -> 1 / 2 (the latest row alone would say 2 / 2).
    assert nvd(facts, "CR03", "2016-03") == (1.0, 2.0, 50.0)
    assert nvd(facts, "CR03", "2016-05") == (1.0, 2.0, 50.0)
    # 30 Jun: both -> 2 / 2.
    assert nvd(facts, "CR03", "2016-06") == (2.0, 2.0, 100.0)
    assert nvd(facts, "CR03", "2016-06", "0201") == (1.0, 1.0, 100.0)


def test_ve09_counts_workers_in_post_once_per_level(facts: dict) -> None:
    # 31 Mar, open: cA (wA, whose post ended 15 Feb: not counted), cB1 (wB), cB2 (wB, outside
    # wB's district), cC (wC as delivered in March; its latest row names wB).
    # 0101: 2 cases / {wB} = 2; 0102: 2 / {wB, wC} = 1; province 01 and nation: 4 / {wB, wC} = 2
    # (wB once, not once per district).
    assert nvd(facts, "VE09", "2016-Q1", "0101") == (2.0, 1.0, 2.0)
    assert nvd(facts, "VE09", "2016-Q1", "0102") == (2.0, 2.0, 1.0)
    assert nvd(facts, "VE09", "2016-Q1", "01") == (4.0, 2.0, 2.0)
    assert nvd(facts, "VE09", "2016-Q1") == (4.0, 2.0, 2.0)
    # 0201 has no case: 0 / 0 -> no value.
    assert nvd(facts, "VE09", "2016-Q1", "0201") == (0.0, 0.0, None)
    # 30 Jun: cC was reassigned to wB in May (wC left on 30 Apr): every case is wB's or wA's.
    # 0101 2 / 1, 0102 2 / 1, nation 4 / {wB} = 4.
    assert nvd(facts, "VE09", "2016-Q2", "0102") == (2.0, 1.0, 2.0)
    assert nvd(facts, "VE09", "2016-Q2") == (4.0, 1.0, 4.0)
    # The year is 31 Dec: the same 4 / 1.
    assert nvd(facts, "VE09", "2016") == (4.0, 1.0, 4.0)


LABOUR = "Workplace labour inspections (Ministry of Labour)"


def test_a_missing_delivery_is_no_value_not_zero(facts: dict) -> None:
    # Labour's inspections are compiled from two provincial offices' reports (North 01, South 02):
    # every month is judged per office. August never arrived: SS07 is unknown at every level.
    for geo in ("NAT", "01", "0101", "0102", "02", "0201"):
        row = facts[("SS07", "2016-08", geo, "total")]
        assert (row["numerator"], row["value"]) == (None, None), geo
        assert (row["coverage_pct"], row["is_partial"]) == (0.0, True), geo
    national = facts[("SS07", "2016-08", "NAT", "total")]
    assert (national["deliveries_expected"], national["deliveries_received"]) == (2, 0)
    assert national["coverage_note"] == f"No delivery of {LABOUR} for 2016-08"
    north = facts[("SS07", "2016-08", "0102", "total")]
    assert (north["deliveries_expected"], north["deliveries_received"]) == (1, 0)
    assert north["coverage_note"] == (
        f"No report from this province's office in {LABOUR} for 2016-08"
    )
    # November's file was refused: no value either, and the note says so.
    assert facts[("SS07", "2016-11", "NAT", "total")]["value"] is None
    assert facts[("SS07", "2016-11", "NAT", "total")]["coverage_note"] == (
        f"No delivery of {LABOUR} for 2016-11 (refused)"
    )
    # A month delivered in full: 2 children in North + 1 in South = 3, complete.
    july = facts[("SS07", "2016-07", "NAT", "total")]
    assert (july["value"], july["coverage_pct"], july["is_partial"]) == (3.0, 100.0, False)
    assert july["coverage_note"] is None


def test_a_province_that_did_not_report_is_unknown_and_the_nation_incomplete(
    facts: dict,
) -> None:
    # June: the file arrived, but South's office is not in its register (did not report).
    for geo in ("02", "0201"):
        row = facts[("SS07", "2016-06", geo, "total")]
        assert (row["numerator"], row["value"], row["coverage_pct"]) == (None, None, 0.0), geo
        assert row["coverage_note"] == (
            f"No report from this province's office in {LABOUR} for 2016-06"
        )
    # North reported in full: 2, complete.
    assert facts[("SS07", "2016-06", "01", "total")]["value"] == 2.0
    assert facts[("SS07", "2016-06", "0101", "total")]["coverage_pct"] == 100.0
    # The nation: North's 2 only, on 1 of 2 provincial reports, with the missing one named.
    june = facts[("SS07", "2016-06", "NAT", "total")]
    assert (june["value"], june["coverage_pct"], june["is_partial"]) == (2.0, 50.0, True)
    assert june["coverage_note"] == f"Missing provincial reports in {LABOUR}: South for 2016-06"


def test_an_incomplete_period_is_flagged_with_its_coverage(facts: dict) -> None:
    # Q3: July and September (3 + 3 = 6); August missing for both offices -> 4 of 6 reports.
    q3 = facts[("SS07", "2016-Q3", "NAT", "total")]
    assert q3["value"] == 6.0
    assert (q3["deliveries_expected"], q3["deliveries_received"]) == (6, 4)
    assert q3["coverage_pct"] == approx(200 / 3)
    assert q3["is_partial"] is True
    assert q3["coverage_note"] == (
        f"Missing provincial reports in {LABOUR}: North for 2016-08; South for 2016-08"
    )
    # Province 01 over the year: 10 months of 2 = 20 on 10 of 12 reports (Aug, Nov missing).
    north = facts[("SS07", "2016", "01", "total")]
    assert (north["value"], north["coverage_pct"]) == (20.0, approx(1000 / 12))
    assert north["coverage_note"] == (
        f"Missing report from this province's office in {LABOUR} for 2016-08, 2016-11 (refused); "
        f"Restated: {LABOUR} for 2016-05 was corrected by a resubmission"
    )
    # South: 9 months of 1 (June, Aug, Nov missing) on 9 of 12; the nation 29 on 19 of 24.
    south = facts[("SS07", "2016", "0201", "total")]
    assert (south["value"], south["coverage_pct"]) == (9.0, 75.0)
    assert facts[("SS07", "2016", "NAT", "total")]["coverage_pct"] == approx(1900 / 24)
    assert facts[("SS07", "2016", "NAT", "total")]["value"] == 29.0
    # SS06 (share of inspections finding a child worker) rests on the same reports.
    assert facts[("SS06", "2016-Q3", "NAT", "total")]["coverage_pct"] == approx(200 / 3)


def test_a_resubmitted_period_is_marked_restated(facts: dict) -> None:
    # May's file was replaced by a corrected resubmission: the value is the correction's (2 + 1,
    # not 9 + 1) and May, Q2 and the year say they were restated.
    may = facts[("SS07", "2016-05", "NAT", "total")]
    assert (may["value"], may["is_restated"], may["is_partial"]) == (3.0, True, False)
    assert may["coverage_note"] == (
        f"Restated: {LABOUR} for 2016-05 was corrected by a resubmission"
    )
    assert facts[("SS07", "2016-Q2", "NAT", "total")]["is_restated"] is True
    assert facts[("SS07", "2016", "NAT", "total")]["is_restated"] is True
    assert facts[("SS07", "2016-04", "NAT", "total")]["is_restated"] is False


def test_stocks_rest_on_the_delivery_of_their_last_month(facts: dict) -> None:
    # AC04 in Q1 rests on March's placements only: 1 of 1, complete.
    q1 = facts[("AC04", "2016-Q1", "NAT", "total")]
    assert (q1["value"], q1["deliveries_expected"], q1["coverage_pct"]) == (2.0, 1, 100.0)
    # VE09 in Q1: March's cases and Q1's social worker register -> 2 of 2.
    assert facts[("VE09", "2016-Q1", "NAT", "total")]["deliveries_expected"] == 2


def test_early_cohorts_are_marked_partial(facts: dict) -> None:
    # AC09 in December 2016 looks at reintegrations from January 2015 on; placements start in
    # January 2016, so the cohort is truncated: published, flagged partial, with the reason.
    dec = facts[("AC09", "2016-12", "NAT", "total")]
    assert dec["is_partial"] is True
    assert dec["coverage_pct"] == 100.0  # every delivery that exists arrived
    assert dec["coverage_note"] == (
        "Partial: rests on Child placements in formal care (Ministry of Social Affairs) from "
        "January 2016 on; earlier records are not in the warehouse"
    )
    # A flow of the same months is not truncated.
    assert facts[("AC06", "2016-12", "NAT", "total")]["is_partial"] is False
