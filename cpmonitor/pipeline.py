"""The pipeline: ingest -> dbt build into a new file -> checks -> atomic publish.

Write, audit, publish: the served warehouse is only ever replaced by a complete build whose dbt tests
and mart checks passed, with ``os.replace`` (atomic on one filesystem). Any failure leaves the last good
warehouse serving.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd
import pyarrow as pa

from cpmonitor.parquet_io import write_parquet_atomic
from cpmonitor.settings import Settings

Progress = Callable[[str, int, int], None]
Status = Literal["published", "failed"]

# Schemas holding row-level (pseudonymised) data: needed to build, never published.
UNPUBLISHED_SCHEMAS = ("staging", "intermediate")


class PipelineBusyError(RuntimeError):
    """Another pipeline run holds the lock on this data directory."""


@dataclass(frozen=True)
class RunOutcome:
    """What one pipeline run did, for the CLI and the run log."""

    run_id: str
    status: Status
    message: str
    started_at: str
    finished_at: str
    files_loaded: int = 0
    files_quarantined: int = 0
    files_skipped: int = 0
    checks_failed: int = 0
    checks_warned: int = 0
    published_file: str | None = None
    details: list[str] = field(default_factory=list)


def new_run_id(now: dt.datetime | None = None) -> str:
    """Sortable, unique run id: UTC time plus a short random suffix."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


@contextmanager
def pipeline_lock(settings: Settings) -> Iterator[None]:
    """One pipeline run per data directory at a time (released by the OS if the process dies)."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    with (settings.state_dir / "pipeline.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise PipelineBusyError(
                f"another cpmonitor run is already working on {settings.data_dir}; "
                "wait for it to finish"
            ) from exc
        yield


def run_pipeline(settings: Settings, *, progress: Progress | None = None) -> RunOutcome:
    """Ingest new deliveries, build and check a new warehouse, publish it if everything passed."""
    # Imported here: dbt and GX are heavy, and `cpmonitor status` should stay quick.
    from cpmonitor.dbt_runner import run_dbt
    from expectations.marts import validate_marts
    from ingest.run import ingest_landing

    settings.ensure_dirs()
    run_id = new_run_id()
    started_at = _now()
    with pipeline_lock(settings):
        _remove_stale_builds(settings)
        report = ingest_landing(settings, run_id=run_id, progress=progress)
        _append_feed_checks(settings, report.check_results)
        counts = {
            "files_loaded": report.files_loaded,
            "files_quarantined": report.files_quarantined,
            "files_skipped": report.files_skipped,
        }
        build_db = settings.builds_dir / f"{run_id}.duckdb"
        log_dir = settings.builds_dir / run_id
        _step(progress, "Building the warehouse with dbt")
        dbt_result = run_dbt(["build"], build_db=build_db, settings=settings, log_dir=log_dir)
        if not dbt_result.ok:
            _discard(build_db)
            return _finish(
                settings,
                run_id,
                started_at,
                "failed",
                "dbt build failed; the previous warehouse is still being served",
                details=[dbt_result.summary, f"dbt log: {log_dir}"],
                **counts,
            )

        _step(progress, "Checking the indicator marts")
        mart_checks = validate_marts(build_db, run_id=run_id)
        failed = [c for c in mart_checks if not c.success and c.severity == "error"]
        warned = [c for c in mart_checks if not c.success and c.severity == "warning"]
        counts |= {"checks_failed": len(failed), "checks_warned": len(warned)}
        if failed:
            _discard(build_db)
            return _finish(
                settings,
                run_id,
                started_at,
                "failed",
                f"{len(failed)} mart check(s) failed; the previous warehouse is still being served",
                details=[
                    f"{c.expectation} on {c.column_name or c.target}: {c.details}" for c in failed
                ],
                **counts,
            )

        _step(progress, "Publishing")
        outcome = RunOutcome(
            run_id=run_id,
            status="published",
            message=_published_message(report.files_loaded, report.files_quarantined, len(warned)),
            started_at=started_at,
            finished_at=_now(),
            published_file=str(settings.warehouse_file),
            **counts,
        )
        _finalise_build(build_db, settings, mart_checks, outcome)
        publish(build_db, settings.warehouse_file)
        _append_run(settings, outcome)
        return outcome


def publish(build_db: Path, served: Path) -> None:
    """Atomically swap a checked build in as the served warehouse."""
    with build_db.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(build_db, served)
    dir_fd = os.open(served.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def read_runs(settings: Settings) -> list[dict]:
    """All recorded pipeline runs, oldest first."""
    if not settings.runs_file.exists():
        return []
    lines = settings.runs_file.read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _finalise_build(
    build_db: Path, settings: Settings, mart_checks: list, outcome: RunOutcome
) -> None:
    """Store ingest ledger, check results and run history in the build; drop row-level schemas."""
    from expectations.results import check_results_frame
    from ingest.run import read_ledger

    ingest_files = read_ledger(settings)
    checks = pd.concat(
        [_read_feed_checks(settings), check_results_frame(mart_checks)], ignore_index=True
    )
    runs = pd.DataFrame(
        [
            {k: r.get(k) for k in ("run_id", "started_at", "finished_at", "status", "message")}
            for r in [*read_runs(settings), asdict(outcome)]
        ]
    )
    for column in ("started_at", "finished_at"):
        runs[column] = pd.to_datetime(runs[column], utc=True)
    tables = {
        "feeds": feeds_frame(),
        "ingest_files": ingest_files,
        "check_results": checks,
        "pipeline_runs": runs,
    }
    with duckdb.connect(str(build_db)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS audit")
        for name, frame in tables.items():
            con.register("frame", frame)
            con.execute(f"CREATE OR REPLACE TABLE audit.{name} AS SELECT * FROM frame")
            con.unregister("frame")
        for schema in UNPUBLISHED_SCHEMAS:
            con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        con.execute("CHECKPOINT")


def feeds_frame() -> pd.DataFrame:
    """The contracted feeds (what each entity is expected to deliver), for people reading audit data."""
    from ingest.contracts import load_contracts

    return pd.DataFrame(
        [
            {
                "feed": c.feed,
                "title": c.title,
                "entity": c.owner,
                "entity_name": c.owner_name,
                "frequency": c.frequency,
            }
            for c in load_contracts().values()
        ]
    )


def _feed_checks_file(settings: Settings) -> Path:
    return settings.state_dir / "feed_checks.parquet"


def _read_feed_checks(settings: Settings) -> pd.DataFrame:
    from expectations.results import check_results_frame

    path = _feed_checks_file(settings)
    return pd.read_parquet(path) if path.exists() else check_results_frame([])


def _append_feed_checks(settings: Settings, results: list) -> None:
    """Keep the feed-level check results of every ingested file across runs."""
    if not results:
        return
    from expectations.results import check_results_frame

    combined = pd.concat(
        [_read_feed_checks(settings), check_results_frame(results)], ignore_index=True
    )
    write_parquet_atomic(
        pa.Table.from_pandas(combined, preserve_index=False), _feed_checks_file(settings)
    )


def _published_message(loaded: int, quarantined: int, warnings: int) -> str:
    parts = [f"{loaded} new file(s) loaded"]
    if quarantined:
        parts.append(f"{quarantined} quarantined")
    if warnings:
        parts.append(f"{warnings} check warning(s)")
    return "published: " + ", ".join(parts)


def _finish(
    settings: Settings, run_id: str, started_at: str, status: Status, message: str, **kwargs
) -> RunOutcome:
    outcome = RunOutcome(
        run_id=run_id,
        status=status,
        message=message,
        started_at=started_at,
        finished_at=_now(),
        **kwargs,
    )
    _append_run(settings, outcome)
    return outcome


def _append_run(settings: Settings, outcome: RunOutcome) -> None:
    with settings.runs_file.open("a") as handle:
        handle.write(json.dumps(asdict(outcome)) + "\n")


def _discard(build_db: Path) -> None:
    for path in (build_db, build_db.with_name(build_db.name + ".wal")):
        path.unlink(missing_ok=True)


def _remove_stale_builds(settings: Settings) -> None:
    """Builds left by a run that was killed: never served, safe to delete (we hold the lock)."""
    for path in settings.builds_dir.glob("*.duckdb*"):
        path.unlink(missing_ok=True)


def _step(progress: Progress | None, label: str) -> None:
    if progress:
        progress(label, 0, 0)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
