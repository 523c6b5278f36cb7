"""What the installation holds: deliveries, quarantine, runs and the published warehouse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import pandas as pd

from cpmonitor.settings import Settings

READ_ONLY_CONFIG = {"enable_external_access": False, "lock_configuration": True}


@contextmanager
def open_published(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection to the published warehouse that cannot read other files."""
    con = duckdb.connect(str(settings.warehouse_file), read_only=True, config=READ_ONLY_CONFIG)
    try:
        yield con
    finally:
        con.close()


@dataclass(frozen=True)
class StatusInfo:
    published: dict | None
    last_run: dict | None
    feeds: list[dict]
    quarantined: list[dict]


def collect_status(settings: Settings) -> StatusInfo:
    """Summarise the ledger, the run log and the served warehouse."""
    from cpmonitor.pipeline import read_runs
    from ingest.run import read_ledger

    runs = read_runs(settings)
    published_runs = [r for r in runs if r["status"] == "published"]
    published = None
    if settings.warehouse_file.exists():
        stat = settings.warehouse_file.stat()
        published = {
            "path": str(settings.warehouse_file),
            "run_id": published_runs[-1]["run_id"] if published_runs else "unknown",
            "published_at": published_runs[-1]["finished_at"]
            if published_runs
            else dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).isoformat(timespec="seconds"),
            "size_mb": stat.st_size / 1e6,
        }
    ledger = read_ledger(settings)
    return StatusInfo(
        published=published,
        last_run=runs[-1] if runs else None,
        feeds=summarise_feeds(ledger),
        quarantined=ledger.loc[
            ledger["status"] == "quarantined", ["source_file", "reason"]
        ].to_dict("records"),
    )


def summarise_feeds(ledger: pd.DataFrame) -> list[dict]:
    """One row per entity and feed: files received, loaded, quarantined, periods and latest arrival."""
    if ledger.empty:
        return []
    grouped = ledger.fillna({"entity": "(unknown)", "feed": "(unknown)"}).groupby(
        ["entity", "feed"], sort=True
    )
    summary = grouped.agg(
        files=("sha256", "size"),
        loaded=("status", lambda s: int((s == "loaded").sum())),
        quarantined=("status", lambda s: int((s == "quarantined").sum())),
        periods=("period", "nunique"),
        latest_period=("period", "max"),
        last_received=("received_at", "max"),
    ).reset_index()
    summary["last_received"] = summary["last_received"].map(
        lambda t: pd.Timestamp(t).strftime("%Y-%m-%d %H:%M") if pd.notna(t) else ""
    )
    return summary.to_dict("records")
