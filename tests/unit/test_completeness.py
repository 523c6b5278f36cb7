"""Reporting completeness and timeliness, computed by hand on a small ledger."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cpmonitor.core.contracts import Contract
from cpmonitor.core.periods import (
    due_date,
    follows,
    frequency_of,
    next_period_start,
    period_end,
    period_of,
    period_start,
)
from expectations.completeness import (
    compact_periods,
    completeness_summary,
    expected_periods,
    reporting_completeness,
)

D = dt.date


def contract(feed: str, owner: str, frequency: str, due_days: int) -> Contract:
    return Contract.model_validate(
        {
            "feed": feed,
            "title": feed.title(),
            "owner": owner,
            "owner_name": owner.upper(),
            "frequency": frequency,
            "due_days": due_days,
            "columns": [{"name": "n", "type": "integer", "privacy": "public"}],
        }
    )


CONTRACTS = {
    "visits": contract("visits", "mosa", "monthly", 10),
    "inspections": contract("inspections", "mosa", "quarterly", 30),
    "census": contract("census", "nso", "yearly", 15),
}


def ledger(rows: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    """(entity, feed, period, status, received_at) rows as the ledger frame."""
    frame = pd.DataFrame(rows, columns=["entity", "feed", "period", "status", "received_at"])
    frame["received_at"] = pd.to_datetime(frame["received_at"])
    return frame


LEDGER = ledger(
    [
        ("mosa", "visits", "2024-01", "loaded", "2024-02-10 23:00"),  # on the due day: on time
        ("mosa", "visits", "2024-01", "skipped", "2024-01-01 00:00"),  # ignored
        ("mosa", "visits", "2024-02", "quarantined", "2024-03-01 09:00"),
        ("mosa", "visits", "2024-02", "loaded", "2024-03-15 09:00"),  # first accepted: late
        ("mosa", "visits", "2024-03", "quarantined", "2024-04-02 09:00"),  # only refused
        # 2024-04: nothing
        ("mosa", "visits", "2024-05", "superseded", "2024-06-05 09:00"),  # accepted, on time
        ("mosa", "visits", "2024-05", "loaded", "2024-06-18 09:00"),  # later correction
        ("nso", "visits", "2023-11", "quarantined", "2023-12-01 09:00"),  # wrong entity
        ("mosa", "visits", "2024-13", "quarantined", "2024-02-01 09:00"),  # not a period
        ("mosa", "inspections", "2024-Q1", "loaded", "2024-05-15 09:00"),  # due 30 Apr: late
    ]
)


def test_period_arithmetic() -> None:
    assert period_end("2024-02") == D(2024, 2, 29)
    assert period_end("2024-Q4") == D(2024, 12, 31)
    assert period_end("2023") == D(2023, 12, 31)
    assert due_date("2024-01", 10) == D(2024, 2, 10)
    assert due_date("2024-Q1", 30) == D(2024, 4, 30)
    assert period_start("2024-Q3") == D(2024, 7, 1)
    assert next_period_start("2024-12") == D(2025, 1, 1)
    assert next_period_start("2024-Q4") == D(2025, 1, 1)
    assert [frequency_of(p) for p in ("2024-03", "2024-Q1", "2024")] == [
        "monthly",
        "quarterly",
        "yearly",
    ]
    assert [period_of(D(2024, 11, 30), f) for f in ("monthly", "quarterly", "yearly")] == [
        "2024-11",
        "2024-Q4",
        "2024",
    ]
    assert follows("2024-12", "2025-01") and follows("2024-Q4", "2025-Q1")
    assert not follows("2024-01", "2024-03") and not follows("2022", "2024")


def test_expected_periods_stop_at_the_last_period_due() -> None:
    # 5 Jun: May has ended but is not due before 10 Jun.
    assert expected_periods("2024-01", "monthly", 10, D(2024, 6, 5), set()) == [
        "2024-01",
        "2024-02",
        "2024-03",
        "2024-04",
    ]
    # ... unless it already arrived; June has not ended, so never.
    assert expected_periods("2024-03", "monthly", 10, D(2024, 6, 5), {"2024-05", "2024-06"}) == [
        "2024-03",
        "2024-04",
        "2024-05",
    ]
    assert expected_periods("2023-Q4", "quarterly", 30, D(2024, 5, 1), set()) == [
        "2023-Q4",
        "2024-Q1",
    ]


def test_status_of_each_expected_period() -> None:
    detail = reporting_completeness(CONTRACTS, LEDGER, today=D(2024, 6, 20))
    rows = [
        (r.feed, r.period, r.status, None if pd.isna(r.received_at) else str(r.received_at))
        for r in detail.itertuples()
    ]
    assert rows == [
        ("inspections", "2024-Q1", "late", "2024-05-15 09:00:00"),
        ("visits", "2024-01", "on_time", "2024-02-10 23:00:00"),
        ("visits", "2024-02", "late", "2024-03-15 09:00:00"),
        ("visits", "2024-03", "refused", "2024-04-02 09:00:00"),
        ("visits", "2024-04", "missing", None),
        ("visits", "2024-05", "on_time", "2024-06-05 09:00:00"),
    ]
    assert str(detail.loc[detail["period"] == "2024-02", "due_date"].iloc[0].date()) == "2024-03-10"
    # The census (never delivered, yearly) is not due yet on 20 June 2024.
    assert "census" not in set(detail["feed"])


def test_a_feed_never_delivered_is_expected_from_the_first_period_of_the_system() -> None:
    detail = reporting_completeness(CONTRACTS, LEDGER, today=D(2025, 1, 20))
    census = detail[detail["feed"] == "census"]
    assert census[["entity", "period", "status"]].values.tolist() == [["nso", "2024", "missing"]]
    assert str(census["due_date"].iloc[0].date()) == "2025-01-15"


def test_summary_per_entity_and_feed() -> None:
    detail = reporting_completeness(CONTRACTS, LEDGER, today=D(2024, 6, 20))
    summary = completeness_summary(detail, CONTRACTS).set_index("feed")
    visits = summary.loc["visits"]
    assert (visits.expected, visits.received, visits.on_time, visits.late) == (5, 3, 2, 1)
    assert (visits.refused, visits.missing) == (1, 1)
    assert (visits.completeness_pct, visits.timeliness_pct) == (60.0, 40.0)
    assert visits.missing_periods == "2024-03 to 2024-04"
    assert (visits.first_period, visits.last_period, visits.frequency) == (
        "2024-01",
        "2024-05",
        "monthly",
    )
    inspections = summary.loc["inspections"]
    assert (inspections.completeness_pct, inspections.timeliness_pct) == (100.0, 0.0)
    assert inspections.missing_periods == ""


def test_empty_ledger_expects_nothing() -> None:
    detail = reporting_completeness(CONTRACTS, ledger([]), today=D(2024, 6, 20))
    assert detail.empty
    assert list(detail.columns) == [
        "entity",
        "feed",
        "unit_code",
        "period",
        "period_end",
        "due_date",
        "received_at",
        "status",
        "files_accepted",
    ]
    assert completeness_summary(detail).empty


def test_compact_periods() -> None:
    assert compact_periods(["2024-06", "2024-01", "2024-02", "2024-03"]) == (
        "2024-01 to 2024-03, 2024-06"
    )
    assert compact_periods(["2023-Q4", "2024-Q1", "2024-Q3"]) == "2023-Q4 to 2024-Q1, 2024-Q3"
    assert compact_periods(["2020", "2022"]) == "2020, 2022"


def test_completeness_is_judged_as_of_the_latest_delivery() -> None:
    """Data that stop in the past are not reported missing for every month since; the date says so."""
    from expectations.completeness import assessed_on

    ledger = pd.DataFrame(
        {"received_at": pd.to_datetime(["2025-12-10 09:00", "2026-01-20 09:00", None])}
    )
    assert assessed_on(ledger, dt.date(2026, 11, 24)) == dt.date(2026, 1, 21)
    assert assessed_on(ledger, dt.date(2026, 1, 5)) == dt.date(2026, 1, 5)
    assert assessed_on(pd.DataFrame({"received_at": []}), dt.date(2026, 11, 24)) == dt.date(
        2026, 11, 24
    )


def test_a_feed_of_provincial_reports_is_judged_per_province() -> None:
    from expectations.completeness import ReportedUnits

    # visits is compiled from the reports of provinces 01, 02, 03. The registers say: January
    # holds all three; May's file (received) lacks 03; February's register never arrived (every
    # province keeps the period's status, late); March was refused and April is missing (for every
    # province).
    units = ReportedUnits(
        units=("01", "02", "03"),
        by_period={"2024-01": frozenset({"01", "02", "03"}), "2024-05": frozenset({"01", "02"})},
    )
    detail = reporting_completeness(
        CONTRACTS, LEDGER, today=D(2024, 6, 20), reported_units={"visits": units}
    )
    visits = detail[detail["feed"] == "visits"]
    rows = [(r.period, r.unit_code, r.status) for r in visits.itertuples()]
    assert rows == [
        ("2024-01", "01", "on_time"), ("2024-01", "02", "on_time"), ("2024-01", "03", "on_time"),
        ("2024-02", "01", "late"), ("2024-02", "02", "late"), ("2024-02", "03", "late"),
        ("2024-03", "01", "refused"), ("2024-03", "02", "refused"), ("2024-03", "03", "refused"),
        ("2024-04", "01", "missing"), ("2024-04", "02", "missing"), ("2024-04", "03", "missing"),
        ("2024-05", "01", "on_time"), ("2024-05", "02", "on_time"), ("2024-05", "03", "missing"),
    ]  # fmt: skip
    assert visits.loc[visits["unit_code"] == "03", "received_at"].isna().tolist() == [
        False, False, False, True, True,
    ]  # fmt: skip
    # Other feeds are judged for the country as a whole.
    assert detail.loc[detail["feed"] == "inspections", "unit_code"].isna().all()
    # Summary: 15 expected reports; on time 3 (Jan) + 2 (May), late 3 (Feb) -> received 8 of 15
    # = 53.3 %; refused 3 (Mar), missing 3 (Apr) + 1 (May, 03) = 4.
    summary = completeness_summary(detail, CONTRACTS).set_index("feed").loc["visits"]
    assert (summary.expected, summary.received, summary.on_time, summary.late) == (15, 8, 5, 3)
    assert (summary.refused, summary.missing, summary.completeness_pct) == (3, 4, 53.3)
    assert summary.missing_periods == "2024-03 to 2024-04, 2024-05 (province 03)"
