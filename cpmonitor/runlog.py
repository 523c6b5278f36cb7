"""The run log and the version store: what the pipeline records, and what ``status`` reads back.

``state/runs.jsonl`` holds one JSON line per pipeline run, rollback or recovered interruption,
appended and flushed to disk; a line torn by a kill is skipped when read. ``versions/<run_id>.duckdb``
holds the last published warehouses (hard links of the published file); the live one is the kept
version that is the served file, else the newest published run recorded inside the served
warehouse.

Writers (the pipeline) and readers (``cpmonitor status``) both come here, so neither imports the
other.
"""

from __future__ import annotations

import json
import os
from contextlib import suppress
from pathlib import Path

import duckdb
import pandas as pd

from cpmonitor.core.connections import connect_read_only
from cpmonitor.core.parquet_io import open_private_append
from cpmonitor.core.settings import Settings

# The columns of ``audit.pipeline_runs``, from the run records.
RUN_COLUMNS = ("run_id", "started_at", "finished_at", "status", "message")


def read_runs(settings: Settings) -> list[dict]:
    """All recorded pipeline runs (and rollbacks), oldest first; a torn last line is skipped."""
    if not settings.runs_file.exists():
        return []
    runs = []
    for line in settings.runs_file.read_text().splitlines():
        with suppress(json.JSONDecodeError):
            if line.strip():
                runs.append(json.loads(line))
    return runs


def append_record(settings: Settings, record: dict) -> None:
    """Append one line to the run log (created owner-only) and flush it to disk (after a line
    torn by a kill, if any, which ``read_runs`` then skips)."""
    torn = False
    if settings.runs_file.exists() and settings.runs_file.stat().st_size:
        with settings.runs_file.open("rb") as handle:
            handle.seek(-1, os.SEEK_END)
            torn = handle.read(1) != b"\n"
    with open_private_append(settings.runs_file) as handle:
        handle.write(("\n" if torn else "") + json.dumps(record) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def runs_frame(runs: list[dict]) -> pd.DataFrame:
    """``audit.pipeline_runs``: run_id, started_at, finished_at (UTC), status, message."""
    rows = [{k: r.get(k) for k in RUN_COLUMNS} for r in runs]
    frame = pd.DataFrame(rows, columns=list(RUN_COLUMNS))
    for column in ("started_at", "finished_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def version_path(settings: Settings, run_id: str) -> Path:
    """Where the kept warehouse of a published run lives."""
    return settings.versions_dir / f"{run_id}.duckdb"


def list_versions(settings: Settings) -> list[str]:
    """Run ids of the kept versions, oldest first."""
    folder = settings.versions_dir
    return sorted(p.stem for p in folder.glob("*.duckdb")) if folder.exists() else []


def live_run_id(settings: Settings) -> str | None:
    """Run id of the served warehouse: the kept version that is the same file, else the newest
    published run recorded inside the served warehouse; None when nothing is served."""
    served = settings.warehouse_file
    if not served.exists():
        return None
    inode = served.stat().st_ino
    for run_id in reversed(list_versions(settings)):
        with suppress(FileNotFoundError):
            if version_path(settings, run_id).stat().st_ino == inode:
                return run_id
    try:
        with connect_read_only(served) as con:
            row = con.execute(
                "SELECT max(run_id) FROM audit.pipeline_runs WHERE status = 'published'"
            ).fetchone()
    except duckdb.Error:
        return None
    return row[0] if row else None
