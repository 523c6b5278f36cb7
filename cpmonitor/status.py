"""What the installation holds: deliveries, quarantine, completeness, runs and warehouse versions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from cpmonitor.core.connections import connect_read_only
from cpmonitor.core.contracts import Contract, load_contracts
from cpmonitor.core.settings import Settings
from cpmonitor.core.statuses import IGNORED_STATUSES, REFUSED_STATUSES, USED_STATUSES
from cpmonitor.runlog import list_versions, live_run_id, read_runs
from expectations.completeness import assessed_on, completeness_summary, reporting_completeness
from ingest.ledger import read_ledger
from ingest.references import reported_units


@contextmanager
def open_published(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection to the published warehouse that cannot read other files."""
    con = connect_read_only(settings.warehouse_file)
    try:
        yield con
    finally:
        con.close()


@dataclass(frozen=True)
class StatusInfo:
    """Everything ``cpmonitor status`` shows.

    ``feeds``: one row per entity and feed with files received, loaded, quarantined, rows set aside
    within loaded files, and the reporting completeness (expected, late, missing periods, %
    complete, % on time). ``rejected_rows``: the loaded files whose bad rows were set aside, with
    how many and why. ``versions``: kept warehouse versions, newest first, with ``live`` marking
    the served one.
    """

    published: dict | None
    last_run: dict | None
    feeds: list[dict]
    quarantined: list[dict]
    versions: list[dict]
    completeness_as_of: dt.date | None = None
    rejected_rows: list[dict] = field(default_factory=list)


def collect_status(
    settings: Settings,
    *,
    today: dt.date | None = None,
    contracts: dict[str, Contract] | None = None,
) -> StatusInfo:
    """Summarise the ledger, the run log, the kept versions and the served warehouse."""
    contracts = load_contracts() if contracts is None else contracts
    today = today or dt.datetime.now(dt.UTC).date()
    runs = read_runs(settings)
    finished = {r["run_id"]: r.get("finished_at") for r in runs if r.get("status") == "published"}
    live = live_run_id(settings)
    published = None
    if settings.warehouse_file.exists():
        stat = settings.warehouse_file.stat()
        published = {
            "path": str(settings.warehouse_file),
            "run_id": live or "unknown",
            "published_at": finished.get(live)
            or dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).isoformat(timespec="seconds"),
            "size_mb": stat.st_size / 1e6,
        }
    ledger = read_ledger(settings)
    as_of = assessed_on(ledger, today)
    detail = reporting_completeness(
        contracts,
        ledger,
        today=as_of,
        reported_units=reported_units(settings.ingested_dir, contracts),
    )
    completeness = completeness_summary(detail, contracts)
    versions = [
        {"run_id": v, "published_at": finished.get(v) or "", "live": v == live}
        for v in reversed(list_versions(settings))
    ]
    quarantined = ledger.loc[
        ledger["status"].isin(sorted(REFUSED_STATUSES)), ["source_file", "reason", "received_at"]
    ].sort_values("source_file")
    rejected = ledger.loc[
        ledger["status"].isin(list(USED_STATUSES)) & ledger["rows_rejected"].fillna(0).gt(0),
        ["source_file", "rows", "rows_rejected", "reason"],
    ].sort_values("source_file")
    return StatusInfo(
        published=published,
        last_run=runs[-1] if runs else None,
        feeds=merge_feeds(summarise_feeds(ledger), completeness),
        quarantined=quarantined[["source_file", "reason"]].to_dict("records"),
        versions=versions,
        completeness_as_of=as_of,
        rejected_rows=[
            {**row, "rows": int(row["rows"]), "rows_rejected": int(row["rows_rejected"])}
            for row in rejected.to_dict("records")
        ],
    )


def summarise_feeds(ledger: pd.DataFrame) -> list[dict]:
    """One row per entity and feed: files received, loaded, quarantined, periods and latest arrival.

    Statuses other than ``quarantined`` and ``skipped`` (e.g. ``loaded``, ``superseded``) count as
    loaded files.
    """
    if ledger.empty:
        return []
    grouped = ledger.fillna({"entity": "(unknown)", "feed": "(unknown)"}).groupby(
        ["entity", "feed"], sort=True
    )
    not_loaded = sorted(REFUSED_STATUSES | IGNORED_STATUSES)
    summary = grouped.agg(
        files=("status", lambda s: int((~s.isin(sorted(IGNORED_STATUSES))).sum())),
        loaded=("status", lambda s: int((~s.isin(not_loaded)).sum())),
        quarantined=("status", lambda s: int(s.isin(sorted(REFUSED_STATUSES)).sum())),
        rows_rejected=(
            "rows_rejected",
            lambda r: int(
                r[ledger.loc[r.index, "status"].isin(list(USED_STATUSES))].fillna(0).sum()
            ),
        ),
        periods=("period", "nunique"),
        latest_period=("period", "max"),
        last_received=("received_at", "max"),
    ).reset_index()
    summary["last_received"] = summary["last_received"].map(
        lambda t: pd.Timestamp(t).strftime("%Y-%m-%d %H:%M") if pd.notna(t) else ""
    )
    return summary.to_dict("records")


def merge_feeds(feeds: list[dict], completeness: pd.DataFrame) -> list[dict]:
    """Delivery counts joined with completeness per entity and feed (feeds with either listed)."""
    by_key = {(f["entity"], f["feed"]): dict(f) for f in feeds}
    for row in completeness.to_dict("records"):
        key = (row["entity"], row["feed"])
        entry = by_key.setdefault(
            key,
            {
                "entity": key[0],
                "feed": key[1],
                "files": 0,
                "loaded": 0,
                "quarantined": 0,
                "rows_rejected": 0,
            },  # fmt: skip
        )
        entry |= {
            k: row[k]
            for k in (
                "expected",
                "on_time",
                "late",
                "refused",
                "missing",
                "completeness_pct",
                "timeliness_pct",
                "missing_periods",
            )
        }
    return [by_key[k] for k in sorted(by_key)]


def protection_lines(run: dict | None) -> list[str]:
    """The disclosure stage of a run, for people: per group of audiences that share a protection,
    the cells they see, how many were hidden and why, and whether the audit passed."""
    protection = (run or {}).get("protection")
    if not protection:
        return []
    shared: dict[tuple, list[str]] = {}
    for audience, figures in protection["audiences"].items():
        key = tuple(figures.get(k) for k in ("levels", "periods", "cells", "primary", "secondary"))
        shared.setdefault(key, []).append(audience)
    verdict = "passed" if protection["passed"] else "FAILED"
    lines = [
        f"Disclosure control: audit {verdict} ({protection['protect_seconds']:.1f} s to protect, "
        f"{protection['audit_seconds']:.1f} s to audit)"
    ]
    for audiences in shared.values():
        figures = protection["audiences"][audiences[0]]
        lines.append(
            f"{' and '.join(audiences)} ({figures['levels']}; {figures.get('periods', 'all periods')}): "
            f"{figures['cells']:,} cells, {figures['primary']:,} small counts hidden and "
            f"{figures['secondary']:,} more that would give them away "
            f"({figures['suppressed_share']:.1%} hidden)"
            + (
                f"; {figures['recoverable']:,} could still be worked out"
                if figures.get("recoverable")
                else ""
            )
        )
    return lines
