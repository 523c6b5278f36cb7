"""Reporting completeness and timeliness per entity, feed and period, as DHIS2 reports reporting rates.

For every contract, the periods the warehouse expects run from the feed's first delivered period (or,
for a feed never delivered, the period holding the first delivered period of any feed) to the last
period that ended before "today" and whose due date (period end + the contract's ``due_days``) has
passed; a period that ended but is not due yet is listed only once something arrived for it. Each
expected period is:

- ``on_time``: a file was accepted and its first accepted delivery arrived by the due date (inclusive);
- ``late``: a file was accepted, first arriving after the due date;
- ``refused``: files arrived but every one was quarantined;
- ``missing``: nothing arrived.

A feed compiled from the reports of provincial offices (a contract's ``reporting_units``) is
judged per office too: given the provinces and, for each delivered period, the provinces its
register lists (``ReportedUnits``), each expected period has one row per province (``unit_code``),
``missing`` for a province the register of a received period does not list (its report is not in
the delivery). A period whose register never arrived keeps the period's status for every province.
``unit_code`` is null for the other feeds (one delivery covers the country).

``files_accepted`` counts the accepted files of the period: more than one means a corrected
resubmission replaced an earlier delivery (figures resting on that period were restated).
Arrival is the ledger's ``received_at``. Ledger statuses other than ``quarantined`` and ``skipped``
(``loaded``, ``superseded`` and any added later) count as accepted deliveries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from cpmonitor.core.contracts import Contract
from cpmonitor.core.periods import (
    due_date,
    follows,
    next_period_start,
    period_end,
    period_of,
    period_start,
)
from cpmonitor.core.statuses import (
    DELIVERY_STATUS_SCHEMA,
    IGNORED_STATUSES,
    RECEIVED,
    REFUSED_STATUSES,
    PeriodStatus,
)

DETAIL_COLUMNS = [
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
SUMMARY_COLUMNS = [
    "entity",
    "feed",
    "frequency",
    "first_period",
    "last_period",
    "expected",
    "received",
    "on_time",
    "late",
    "refused",
    "missing",
    "completeness_pct",
    "timeliness_pct",
    "missing_periods",
]


def expected_periods(
    first_period: str, frequency: str, due_days: int, today: dt.date, received: set[str]
) -> list[str]:
    """Periods from ``first_period`` that ended before ``today`` and are due, or already arrived."""
    periods = []
    period = first_period
    while period_end(period) < today:
        if due_date(period, due_days) < today or period in received:
            periods.append(period)
        period = period_of(next_period_start(period), frequency)
    return periods


def assessed_on(ledger: pd.DataFrame, today: dt.date) -> dt.date:
    """The date completeness is judged at: today, or the day after the latest delivery received
    when that is earlier. A system whose data stop at a past date (a historical load, the demo
    country) is not reported as missing every period since; the date is shown with the figures,
    so a real outage still shows as an old "as of" date."""
    received = pd.to_datetime(ledger.get("received_at"), errors="coerce") if len(ledger) else None
    if received is None or received.isna().all():
        return today
    return min(today, received.max().date() + dt.timedelta(days=1))


@dataclass(frozen=True)
class ReportedUnits:
    """The offices that report into a feed (province codes), and which of them each delivered
    period's register lists."""

    units: tuple[str, ...]
    by_period: Mapping[str, frozenset[str]]


def reporting_completeness(
    contracts: Mapping[str, Contract],
    ledger: pd.DataFrame,
    *,
    today: dt.date,
    reported_units: Mapping[str, ReportedUnits] | None = None,
) -> pd.DataFrame:
    """One row per contract feed and expected period (``DETAIL_COLUMNS``), ordered; one per
    province for the feeds in ``reported_units`` (see the module docstring)."""
    reported_units = reported_units or {}
    deliveries = _valid_deliveries(contracts, ledger)
    system_start = min((period_start(p) for p in deliveries["period"]), default=None)
    rows = []
    for contract in sorted(contracts.values(), key=lambda c: (c.owner, c.feed)):
        own = deliveries[deliveries["feed"] == contract.feed]
        delivered = set(own["period"])
        if delivered:
            first = min(delivered, key=period_start)
        elif system_start is not None:
            first = period_of(system_start, contract.frequency)
        else:
            continue
        if not _expects_every_period(contract):
            periods = sorted((p for p in delivered if period_end(p) < today), key=period_start)
        else:
            periods = expected_periods(
                first, contract.frequency, contract.due_days, today, delivered
            )
        by_period = {period: group for period, group in own.groupby("period")}
        for period in periods:
            due = due_date(period, contract.due_days)
            group = by_period.get(period)
            status, received_at = _period_status(group, due)
            row = {
                "entity": contract.owner,
                "feed": contract.feed,
                "unit_code": None,
                "period": period,
                "period_end": period_end(period),
                "due_date": due,
                "received_at": received_at,
                "status": status,
                "files_accepted": _accepted_files(group),
            }
            units = reported_units.get(contract.feed)
            if units is None or not units.units:
                rows.append(row)
                continue
            listed = units.by_period.get(period)
            for unit in units.units:
                reported = listed is None or unit in listed or status not in RECEIVED
                rows.append(
                    row
                    | {"unit_code": unit}
                    | ({} if reported else {"status": "missing", "received_at": None})
                )
    frame = pd.DataFrame(rows, columns=DETAIL_COLUMNS).astype({"files_accepted": "int64"})
    frame["received_at"] = pd.to_datetime(frame["received_at"]).astype("datetime64[us]")
    for column in ("period_end", "due_date"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[s]")
    return frame.astype({c: "string" for c in ("entity", "feed", "unit_code", "period", "status")})


def delivery_status(detail: pd.DataFrame, contracts: Mapping[str, Contract]) -> pa.Table:
    """What dbt reads of completeness (``cpmonitor.core.statuses.DELIVERY_STATUS_SCHEMA``): each
    expected period of each feed with its dates, status and whether it was received (``RECEIVED``:
    the one home of that rule), the feed's title and owner, whether the feed is expected every
    period, and the first day of its first expected period (data before it are not in the
    warehouse)."""
    frame = detail.copy()
    frame["entity_name"] = [contracts[f].owner_name for f in frame["feed"]]
    frame["feed_title"] = [contracts[f].title for f in frame["feed"]]
    frame["period_start"] = [period_start(p) for p in frame["period"]]
    frame["period_end"] = [period_end(p) for p in frame["period"]]
    frame["received"] = frame["status"].isin(RECEIVED)
    frame["periodic"] = [_expects_every_period(contracts[f]) for f in frame["feed"]]
    frame["feed_first_period_start"] = frame.groupby("feed")["period_start"].transform("min")
    columns = DELIVERY_STATUS_SCHEMA.names
    return pa.Table.from_pandas(frame[columns], schema=DELIVERY_STATUS_SCHEMA, preserve_index=False)


def completeness_summary(
    detail: pd.DataFrame, contracts: Mapping[str, Contract] | None = None
) -> pd.DataFrame:
    """Per entity and feed: expected periods, how many arrived, on time, late, refused, missing.

    ``completeness_pct`` = received (on time or late) / expected x 100; ``timeliness_pct`` = on time /
    expected x 100 (DHIS2's "reporting rate on time"); both null when nothing is expected yet.
    ``missing_periods`` lists the periods with no accepted file (missing or refused), as ranges.
    """
    contracts = contracts or {}
    rows = []
    for (entity, feed), group in detail.groupby(["entity", "feed"], sort=True):
        counts = group["status"].value_counts()
        expected = len(group)
        on_time, late = int(counts.get("on_time", 0)), int(counts.get("late", 0))
        gaps = _gaps(group)
        contract = contracts.get(str(feed))
        rows.append(
            {
                "entity": entity,
                "feed": feed,
                "frequency": contract.frequency if contract else None,
                "first_period": group["period"].iloc[0],
                "last_period": group["period"].iloc[-1],
                "expected": expected,
                "received": on_time + late,
                "on_time": on_time,
                "late": late,
                "refused": int(counts.get("refused", 0)),
                "missing": int(counts.get("missing", 0)),
                "completeness_pct": round(100 * (on_time + late) / expected, 1),
                "timeliness_pct": round(100 * on_time / expected, 1),
                "missing_periods": ", ".join(
                    part
                    for part in (
                        compact_periods([g for g in gaps if " " not in g]),
                        ", ".join(g for g in gaps if " " in g),
                    )
                    if part
                ),
            }
        )
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    ints = ("expected", "received", "on_time", "late", "refused", "missing")
    frame = frame.astype(
        {c: "int64" for c in ints} | {c: "float64" for c in SUMMARY_COLUMNS[11:13]}
    )
    strings = ("entity", "feed", "frequency", "first_period", "last_period", "missing_periods")
    return frame.astype({c: "string" for c in strings})


def _gaps(group: pd.DataFrame) -> list[str]:
    """Periods with no accepted file; for a feed judged per office, a period where only some
    offices did not report reads ``2024-08 (province 10)``."""
    missing = group["status"].isin(["missing", "refused"])
    whole = missing.groupby(group["period"]).transform("all")
    gaps = sorted(set(group.loc[missing & whole, "period"]), key=period_start)
    partial = group[missing & ~whole]
    pairs = zip(partial["period"], partial["unit_code"], strict=True)
    return gaps + [f"{p} (province {u})" for p, u in pairs]


def compact_periods(periods: list[str]) -> str:
    """``2024-01, 2024-02, 2024-03, 2024-06`` -> ``2024-01 to 2024-03, 2024-06`` (consecutive runs)."""
    ordered = sorted(set(periods), key=period_start)
    runs: list[list[str]] = []
    for period in ordered:
        if runs and follows(runs[-1][-1], period):
            runs[-1].append(period)
        else:
            runs.append([period])
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]} to {r[-1]}" for r in runs)


def _valid_deliveries(contracts: Mapping[str, Contract], ledger: pd.DataFrame) -> pd.DataFrame:
    """Ledger rows of contracted feeds, from the feed's owner, with a well-formed period (others
    cannot be placed)."""
    columns = ["entity", "feed", "period", "status", "received_at"]
    if ledger.empty:
        return pd.DataFrame(columns=columns)
    frame = ledger[columns].copy()
    frame = frame[~frame["status"].isin(IGNORED_STATUSES)]
    valid = [
        feed in contracts
        and entity == contracts[feed].owner
        and isinstance(period, str)
        and contracts[feed].period_is_valid(period)
        for entity, feed, period in zip(
            frame["entity"], frame["feed"], frame["period"], strict=True
        )
    ]
    return frame[valid]


def _period_status(
    group: pd.DataFrame | None, due: dt.date
) -> tuple[PeriodStatus, pd.Timestamp | None]:
    """Status of one expected period from its deliveries, and the arrival that decided it."""
    if group is None or group.empty:
        return "missing", None
    accepted = group[~group["status"].isin(REFUSED_STATUSES)]
    if accepted.empty:
        return "refused", _earliest(group["received_at"])
    first = _earliest(accepted["received_at"])
    if first is None:  # accepted but arrival unknown: received, timeliness cannot be judged
        return "late", None
    return ("on_time" if first.date() <= due else "late"), first


def _accepted_files(group: pd.DataFrame | None) -> int:
    if group is None:
        return 0
    return int((~group["status"].isin(REFUSED_STATUSES)).sum())


def _earliest(stamps: pd.Series) -> pd.Timestamp | None:
    stamps = pd.to_datetime(stamps).dropna()
    return None if stamps.empty else pd.Timestamp(stamps.min())


def _expects_every_period(contract: Contract) -> bool:
    """False for feeds delivered only when something changes (``delivery: on_change``); every
    other feed is expected each period."""
    return contract.delivery != "on_change"
