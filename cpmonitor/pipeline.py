"""The pipeline: ingest -> dbt build into a new file -> disclosure control -> checks -> atomic publish.

Write, audit, publish: the served warehouse is only ever replaced by a complete build whose dbt tests
passed, whose protected tables (``cpmonitor.disclosure``: what donors and the public read) passed
their audit, and whose checks passed, with ``os.replace`` (atomic on one filesystem). Any failure,
or the process being killed at any moment, leaves the last good warehouse serving; the next run
cleans up what a killed run left (under the lock) and records it in the run log.

The published file is written fresh (``write_published_copy``): a new DuckDB file holding a compacted
copy of the published schemas only, in a storage format DuckDB 1.5 clients read. The build file, whose
free pages still hold the row-level rows of the dropped schemas, is deleted; no byte of it is served.

Published versions are kept in ``versions/<run_id>.duckdb`` (hard links of the published file, so a
version costs no extra space while it is served) for ``rollback``; the newest ``KEEP_VERSIONS`` are
kept, and as many dbt log folders ``builds/<run_id>/``. Everything the run writes outside the
published warehouse and ``versions/`` is created owner-only (``private_umask``).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd
import pyarrow as pa

from cpmonitor.core.access import AccessError, AccessPolicy, load_access
from cpmonitor.core.contracts import Contract, load_contracts
from cpmonitor.core.parquet_io import (
    PRIVATE_FILE_MODE,
    PUBLISHED_DIR_MODE,
    PUBLISHED_FILE_MODE,
    make_dirs,
    private_umask,
    write_parquet_atomic,
    write_text_atomic,
)
from cpmonitor.core.settings import Settings
from cpmonitor.core.statuses import DELIVERY_STATUS_DIR
from cpmonitor.dbt_runner import run_dbt, start_parse
from cpmonitor.dbt_sources import CONTRACT_TAG
from cpmonitor.disclosure import ProtectionReport, protect_build
from cpmonitor.runlog import (
    append_record,
    list_versions,
    live_run_id,
    read_runs,
    runs_frame,
    version_path,
)
from expectations.completeness import (
    assessed_on,
    completeness_summary,
    delivery_status,
    reporting_completeness,
)
from expectations.cross_feed import run_cross_feed_rules
from expectations.marts import validate_marts
from expectations.outliers import check_outliers, fetch_district_series
from expectations.results import CheckResult, check_results_frame
from ingest.ledger import read_ledger
from ingest.purge import PurgeReport, purge_archive
from ingest.references import reported_units
from ingest.run import ingest_landing

Progress = Callable[[str, int, int], None]
# Builds the warehouse into ``build_db``, logging into ``log_dir``: (ok, summary for people).
Builder = Callable[[Path, Settings, Path], tuple[bool, str]]
# Builds the protected tables of a finished build (open read-write) for the policy's protected
# audiences, audits them and says whether they may be published.
Protector = Callable[[duckdb.DuckDBPyConnection, AccessPolicy], ProtectionReport]
Status = Literal["published", "failed"]

# The only schemas published: the marts, the audit tables, the protected tables donors read and the
# analysts' public schema (models/analysis: aggregates only). Every other schema of a build
# (staging, intermediate: row-level, pseudonymised) is never published.
PUBLISHED_SCHEMAS = ("main", "audit", "protected", "analysis")
# The oldest DuckDB that must read the published file (the analysts' clients).
PUBLISHED_STORAGE_VERSION = "v1.5.0"
KEEP_VERSIONS = 5
# Test hook: ``<stage>:<ready file>`` makes a run write the ready file at that stage and wait there
# (until ``<ready file>.release`` exists or PAUSE_TIMEOUT_S passes), so a test can kill it there.
PAUSE_ENV = "CPMONITOR_PAUSE_AT"
PAUSE_STAGES = ("ingest", "build", "protect", "checks", "publish", "published")
PAUSE_TIMEOUT_S = 300.0
RUNNING_FILE = "current_run.json"


class PipelineBusyError(RuntimeError):
    """Another pipeline run holds the lock on this data directory."""


class RollbackError(RuntimeError):
    """The requested version cannot be restored (unknown, or nothing to roll back to)."""


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
    indicator_values_sha256: str | None = None
    details: list[str] = field(default_factory=list)
    # The disclosure stage (``protection_record``): seconds, and per audience cells, primary and
    # secondary suppressions and the share suppressed; None when the run stopped before it.
    protection: dict | None = None
    # Wall seconds of each stage this run reached (ingest, build, protect, checks, publish), in
    # order: what `cpmonitor status` and the benchmark (benchmarks/) read.
    stage_seconds: dict[str, float] = field(default_factory=dict)


class _Stages:
    """Times the stages of one run: ``start(name)`` ends the one before."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._name: str | None = None
        self._since = 0.0

    def start(self, name: str | None) -> None:
        now = time.perf_counter()
        if self._name is not None:
            self.seconds[self._name] = round(now - self._since, 3)
        self._name, self._since = name, now

    def done(self) -> dict[str, float]:
        self.start(None)
        return dict(self.seconds)


def new_run_id(now: dt.datetime | None = None) -> str:
    """Sortable, unique run id: UTC time to the millisecond plus a short random suffix."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%S}{now.microsecond // 1000:03d}Z-{secrets.token_hex(3)}"


@contextmanager
def pipeline_lock(settings: Settings) -> Iterator[None]:
    """One pipeline run per data directory at a time (released by the OS if the process dies)."""
    make_dirs(settings.state_dir)
    fd = os.open(settings.state_dir / "pipeline.lock", os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise PipelineBusyError(
                f"another cpmonitor run is already working on {settings.data_dir}; "
                "wait for it to finish"
            ) from exc
        yield


def pause_point(stage: str) -> None:
    """Test hook (see ``PAUSE_ENV``); does nothing unless the variable names this stage."""
    spec = os.environ.get(PAUSE_ENV, "")
    name, _, ready = spec.partition(":")
    if name != stage or not ready:
        return
    Path(ready).write_text(str(os.getpid()))
    release = Path(ready + ".release")
    deadline = time.monotonic() + PAUSE_TIMEOUT_S
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def still_served(settings: Settings) -> str:
    """What a failed run leaves to readers, in words: the previous warehouse, or nothing yet."""
    if settings.warehouse_file.exists():
        return "the previous warehouse is still being served"
    return "no warehouse has been published yet, so there is nothing to serve"


def run_pipeline(
    settings: Settings,
    *,
    progress: Progress | None = None,
    today: dt.date | None = None,
    builder: Builder | None = None,
    contracts: dict[str, Contract] | None = None,
    protector: Protector | None = None,
) -> RunOutcome:
    """Ingest new deliveries, build, protect and check a new warehouse, publish it if everything
    passed.

    ``today`` dates reporting completeness (default: today, UTC); ``builder`` (default: dbt),
    ``contracts`` (default: ``data_contracts/``) and ``protector`` (default:
    ``cpmonitor.disclosure.protect_build``) can be replaced, e.g. by tests. Everything the run
    creates, but the published warehouse and its version, is the owner's only.
    """
    with private_umask():
        return _run_pipeline(
            settings,
            progress=progress,
            today=today,
            builder=builder,
            contracts=contracts,
            protector=protector,
        )


def _run_pipeline(
    settings: Settings,
    *,
    progress: Progress | None,
    today: dt.date | None,
    builder: Builder | None,
    contracts: dict[str, Contract] | None,
    protector: Protector | None,
) -> RunOutcome:
    settings.ensure_dirs()
    run_id = new_run_id()
    started_at = _now()
    with pipeline_lock(settings):
        recovered = recover(settings)
        write_text_atomic(
            json.dumps({"run_id": run_id, "started_at": started_at}),
            settings.state_dir / RUNNING_FILE,
        )
        build_db = settings.builds_dir / f"{run_id}.duckdb"
        try:
            outcome = _run_locked(
                settings,
                run_id,
                started_at,
                build_db,
                progress=progress,
                today=today or dt.datetime.now(dt.UTC).date(),
                builder=builder or dbt_builder,
                contracts=load_contracts() if contracts is None else contracts,
                protector=protector or protect_build,
                recovered=recovered,
            )
        except BaseException as exc:
            _discard(build_db)
            _finish(
                settings,
                run_id,
                started_at,
                "failed",
                f"stopped by an unexpected error ({type(exc).__name__}: {exc}); "
                f"{still_served(settings)}",
            )
            raise
        finally:
            (settings.state_dir / RUNNING_FILE).unlink(missing_ok=True)
        prune(settings)
        for note in rewrite_legacy_versions(settings):
            _step(progress, note)
        return outcome


# What a run of the pipeline leaves out of ``dbt build``; the test suite runs both
# (tests/dbt_fixture.py builds everything):
# - dbt's unit tests check the models' SQL on the hand-made inputs written beside them, never the
#   delivered data: the same code always gives the same answer;
# - the data tests of the staging models generated from the data contracts (tag ``contract``,
#   cpmonitor.dbt_sources) re-check on whole tables the contract rules (required columns, allowed
#   codes) that ingest already enforced on every delivered file before writing it for dbt.
BUILD_ARGS = [
    "build",
    "--exclude-resource-type",
    "unit_test",
    "--exclude",
    f"tag:{CONTRACT_TAG},resource_type:test",
]


def dbt_builder(build_db: Path, settings: Settings, log_dir: Path) -> tuple[bool, str]:
    """The real build: ``dbt build`` (data tests included, unit tests left to the test suite) in a
    subprocess."""
    result = run_dbt(BUILD_ARGS, build_db=build_db, settings=settings, log_dir=log_dir)
    return result.ok, result.summary


def _run_locked(
    settings: Settings,
    run_id: str,
    started_at: str,
    build_db: Path,
    *,
    progress: Progress | None,
    today: dt.date,
    builder: Builder,
    contracts: dict[str, Contract],
    protector: Protector,
    recovered: list[str],
) -> RunOutcome:
    def ingest_progress(label: str, done: int, total: int) -> None:
        if progress:
            progress(label, done, total)
        if done == total:  # every file processed, the ledger not yet written
            pause_point("ingest")

    log_dir = settings.builds_dir / run_id
    # dbt parses the project (about 3 s at any scale) on the second core while ingest runs, so the
    # build starts from the saved manifest; only for the real build (tests pass their own).
    parsing = (
        start_parse(build_db=build_db, settings=settings, log_dir=log_dir)
        if builder is dbt_builder
        else None
    )
    stages = _Stages()
    stages.start("ingest")
    try:
        report = ingest_landing(
            settings, run_id=run_id, contracts=contracts, progress=ingest_progress
        )
    except BaseException:
        if parsing is not None:
            parsing.kill()
            parsing.wait()
        raise
    if parsing is not None:
        parsing.wait()  # a failed parse only means the build parses the project itself
    _append_feed_checks(settings, report.check_results)
    counts = {
        "files_loaded": report.files_loaded,
        "files_quarantined": report.files_quarantined,
        "files_skipped": report.files_skipped,
    }
    completeness = write_delivery_status(settings, contracts, today)
    _step(progress, "Building the warehouse with dbt")
    stages.start("build")
    ok, summary = builder(build_db, settings, log_dir)
    if not ok:
        _discard(build_db)
        return _finish(
            settings,
            run_id,
            started_at,
            "failed",
            f"dbt build failed; {still_served(settings)}",
            details=[*recovered, summary, f"dbt log: {log_dir}"],
            stage_seconds=stages.done(),
            **counts,
        )
    pause_point("build")

    _step(progress, "Protecting the tables donors and the public read (disclosure control)")
    stages.start("protect")
    try:
        protection = protect(build_db, load_access(settings), protector)
    except AccessError as exc:
        _discard(build_db)
        return _finish(
            settings,
            run_id,
            started_at,
            "failed",
            "the access policy cannot be read, so the protected tables were not built; "
            f"{still_served(settings)}",
            details=[*recovered, str(exc)],
            stage_seconds=stages.done(),
            **counts,
        )
    protection_figures = protection_record(protection)
    pause_point("protect")
    if not protection.passed:
        _discard(build_db)
        # Audiences that see the same levels and periods share one protection: count it once.
        per_scope = {(a.levels, a.periods): a.failures for a in protection.audiences}
        recoverable = sum(per_scope.values()) or len(protection.failures)
        return _finish(
            settings,
            run_id,
            started_at,
            "failed",
            f"disclosure audit failed: {recoverable} protected cell(s) could be recovered; "
            f"{still_served(settings)}",
            details=[*recovered, *protection.failures],
            protection=protection_figures,
            stage_seconds=stages.done(),
            **counts,
        )

    _step(progress, "Checking the indicator marts and cross-feed rules")
    stages.start("checks")
    # The hash (DuckDB sorting and writing every fact) runs beside the checks (mostly pandas and
    # GX in this thread): on two cores that takes about 5 s off the stage at national scale.
    with ThreadPoolExecutor(max_workers=1) as hashing:
        indicator_hash_of = hashing.submit(indicator_values_sha256, build_db, log_dir)
        checks = validate_marts(build_db, run_id=run_id)
        checks += run_build_checks(build_db, run_id=run_id)
        indicator_hash = indicator_hash_of.result()
    pause_point("checks")
    failed = [c for c in checks if not c.success and c.severity == "error"]
    warned = [c for c in checks if not c.success and c.severity == "warning"]
    counts |= {"checks_failed": len(failed), "checks_warned": len(warned)}
    if failed:
        _discard(build_db)
        return _finish(
            settings,
            run_id,
            started_at,
            "failed",
            f"{len(failed)} check(s) failed; {still_served(settings)}",
            details=[
                *recovered,
                *(f"{c.expectation} on {c.column_name or c.target}: {c.details}" for c in failed),
            ],
            indicator_values_sha256=indicator_hash,
            protection=protection_figures,
            stage_seconds=stages.done(),
            **counts,
        )

    _step(progress, "Publishing")
    stages.start("publish")
    outcome = RunOutcome(
        run_id=run_id,
        status="published",
        message=_published_message(report.files_loaded, report.files_quarantined, len(warned)),
        started_at=started_at,
        finished_at=_now(),
        published_file=str(settings.warehouse_file),
        indicator_values_sha256=indicator_hash,
        details=recovered,
        protection=protection_figures,
        **counts,
    )
    _finalise_build(build_db, settings, checks, outcome, completeness, contracts)
    _keep_version(build_db, settings, run_id)
    pause_point("publish")
    publish(build_db, settings.warehouse_file)
    pause_point("published")
    outcome = replace(outcome, stage_seconds=stages.done())
    _append_run(settings, outcome)
    return outcome


def write_delivery_status(
    settings: Settings,
    contracts: dict[str, Contract],
    today: dt.date,
    ledger: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Reporting completeness of every feed as the ledger (default: the ingest ledger) stands,
    judged as of ``today`` (or the latest delivery), written where dbt reads it: the coverage of
    every indicator value rests on it. Returns the completeness detail
    (``audit.reporting_completeness``)."""
    ledger = read_ledger(settings) if ledger is None else ledger
    detail = reporting_completeness(
        contracts,
        ledger,
        today=assessed_on(ledger, today),
        reported_units=reported_units(settings.ingested_dir, contracts),
    )
    target = settings.ingested_dir / DELIVERY_STATUS_DIR / "delivery_status.parquet"
    write_parquet_atomic(delivery_status(detail, contracts), target)
    return detail


def protect(build_db: Path, policy: AccessPolicy, protector: Protector) -> ProtectionReport:
    """Run the disclosure stage on a finished build, open read-write: it writes the ``protected``
    schema (published with the marts) and audits it."""
    with duckdb.connect(str(build_db)) as con:
        report = protector(con, policy)
        con.execute("CHECKPOINT")
    return report


def protection_record(report: ProtectionReport) -> dict:
    """The figures of the disclosure stage for the run log: whether it passed, its seconds, and per
    audience the cells it sees, the primary and secondary suppressions and the share suppressed."""
    return {
        "passed": report.passed,
        "protect_seconds": round(report.protect_seconds, 2),
        "audit_seconds": round(report.audit_seconds, 2),
        "audiences": {
            a.audience: {
                "levels": a.levels,
                "periods": a.periods,
                "cells": a.cells,
                "primary": a.primary,
                "secondary": a.secondary,
                "suppressed_share": round((a.primary + a.secondary) / a.cells, 4)
                if a.cells
                else 0.0,
                "recoverable": a.failures,
            }
            for a in report.audiences
        },
    }


def run_build_checks(build_db: Path, *, run_id: str) -> list[CheckResult]:
    """Cross-feed rules (on the row-level schemas) and district outliers of a build, read-only."""
    with duckdb.connect(str(build_db), read_only=True) as con:
        results = run_cross_feed_rules(con, run_id=run_id)
        series = fetch_district_series(con)
    return results + check_outliers(series, run_id=run_id)


def indicator_values_sha256(db_path: Path, work_dir: Path) -> str:
    """SHA-256 of a canonical export of ``fct_indicator_values``: every row, sorted, as CSV.

    The same values give the same hash; any changed value, added or removed row changes it.
    """
    make_dirs(work_dir)
    export = work_dir / "fct_indicator_values.csv"
    quoted = str(export).replace("'", "''")
    with duckdb.connect(str(db_path), read_only=True) as con:
        con.execute(
            f"COPY (SELECT * FROM main.fct_indicator_values ORDER BY ALL) TO '{quoted}' "
            "(HEADER, DELIMITER ',')"
        )
    digest = hashlib.sha256()
    with export.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    export.unlink()
    return digest.hexdigest()


def publish(build_db: Path, served: Path) -> None:
    """Atomically swap a checked build in as the served warehouse."""
    with build_db.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(build_db, served)
    _fsync_dir(served.parent)


# --- versions, rollback, recovery ------------------------------------------------------------


def rollback(settings: Settings, to: str | None = None) -> dict:
    """Serve a kept version again (default: the one published before the live one), atomically.

    Recorded in the run log with status ``rolled_back``. Returns that record.
    """
    with pipeline_lock(settings):
        recover(settings)
        versions = list_versions(settings)
        live = live_run_id(settings)
        if to is None:
            older = [v for v in versions if live is None or v < live]
            if not older:
                raise RollbackError(
                    "there is no earlier published version to roll back to"
                    + (f" (kept: {', '.join(versions)})" if versions else "")
                )
            to = older[-1]
        if to not in versions:
            kept = ", ".join(versions) or "none"
            raise RollbackError(f"no kept version {to!r} (kept versions: {kept})")
        if to == live:
            raise RollbackError(f"version {to} is already the live warehouse")
        source = version_path(settings, to)
        temporary = (
            settings.data_dir / f".{settings.warehouse_file.name}.{secrets.token_hex(4)}.tmp"
        )
        _link_or_copy(source, temporary)
        os.replace(temporary, settings.warehouse_file)
        _fsync_dir(settings.data_dir)
        now = _now()
        record = {
            "run_id": new_run_id(),
            "status": "rolled_back",
            "message": f"rolled back: version {to} is live again (replacing {live or 'nothing'})",
            "started_at": now,
            "finished_at": now,
            "rolled_back_to": to,
            "replaced": live,
            "details": [],
        }
        append_record(settings, record)
        return record


def purge(
    settings: Settings, *, older_than_days: int | None = None, now: dt.datetime | None = None
) -> PurgeReport:
    """Remove archived raw deliveries older than the retention period (default: the access
    policy's ``retention.archive_days``), under the pipeline lock (``ingest.purge``)."""
    days = load_access(settings).archive_days if older_than_days is None else older_than_days
    with private_umask(), pipeline_lock(settings):
        recover(settings)
        return purge_archive(settings, older_than_days=days, now=now)


def recover(settings: Settings) -> list[str]:
    """Clean up after a run that was killed; call only while holding the lock.

    Removes unpublished builds and half-written temporary files, versions that were never served,
    and records an interrupted run in the run log. Returns what was done, for people.
    """
    notes: list[str] = []
    stale = [
        *settings.builds_dir.glob("*.duckdb*"),
        *settings.builds_dir.glob(".*.tmp"),
        *settings.versions_dir.glob(".*.tmp"),
        *settings.data_dir.glob(f".{settings.warehouse_file.name}.*.tmp"),
        *settings.state_dir.glob(".*.tmp"),
        *settings.quarantine_dir.glob(".*.tmp"),
        *settings.ingested_dir.glob("*/.*.tmp"),
    ]
    for path in stale:
        path.unlink(missing_ok=True)
    if stale:
        notes.append(f"removed {len(stale)} file(s) left by an interrupted run")
    running = settings.state_dir / RUNNING_FILE
    if running.exists():
        try:
            interrupted = json.loads(running.read_text())
        except (json.JSONDecodeError, OSError):
            interrupted = {}
        published = {r.get("run_id") for r in read_runs(settings) if r.get("status") == "published"}
        run_id = interrupted.get("run_id", "unknown")
        live = live_run_id(settings)
        if run_id not in published:
            if live == run_id:
                # Killed after the swap, before the run log: it was published.
                message = "published (recorded after the run was interrupted)"
                status = "published"
            else:
                message = "interrupted before publishing; the previous warehouse stayed served"
                status = "interrupted"
            now = _now()
            append_record(
                settings,
                {
                    "run_id": run_id,
                    "status": status,
                    "message": message,
                    "started_at": interrupted.get("started_at", now),
                    "finished_at": now,
                    "details": [],
                },
            )
            notes.append(f"run {run_id} was interrupted; recorded as {status}")
        running.unlink(missing_ok=True)
    _remove_unserved_versions(settings)
    return notes


def prune(settings: Settings, keep: int = KEEP_VERSIONS) -> None:
    """Keep the newest ``keep`` versions (and the live one) and the newest ``keep`` build logs."""
    live = live_run_id(settings)
    versions = list_versions(settings)
    for run_id in versions[:-keep] if keep else versions:
        if run_id != live:
            version_path(settings, run_id).unlink(missing_ok=True)
    logs = sorted(p for p in settings.builds_dir.iterdir() if p.is_dir())
    for folder in logs[:-keep] if keep else logs:
        shutil.rmtree(folder, ignore_errors=True)


def _remove_unserved_versions(settings: Settings) -> None:
    """A version linked just before a run was killed, never swapped in: not a published version."""
    runs = read_runs(settings)
    served = {r.get("run_id") for r in runs if r.get("status") == "published"}
    live = live_run_id(settings)
    for run_id in list_versions(settings):
        if run_id not in served and run_id != live:
            version_path(settings, run_id).unlink(missing_ok=True)


def _keep_version(build_db: Path, settings: Settings, run_id: str) -> Path:
    """Link the finished build into ``versions/`` (atomically named) before it is swapped in."""
    folder = make_dirs(settings.versions_dir, PUBLISHED_DIR_MODE)
    target = version_path(settings, run_id)
    temporary = folder / f".{run_id}.duckdb.tmp"
    _link_or_copy(build_db, temporary)
    os.replace(temporary, target)
    _fsync_dir(folder)
    return target


def _link_or_copy(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:  # e.g. a filesystem without hard links
        shutil.copyfile(source, target)
        with target.open("rb") as handle:
            os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


# --- audit tables ------------------------------------------------------------------------------


def _finalise_build(
    build_db: Path,
    settings: Settings,
    checks: list[CheckResult],
    outcome: RunOutcome,
    completeness: pd.DataFrame,
    contracts: dict[str, Contract],
) -> None:
    """Store ingest ledger, check results, completeness (as the build used it) and run history
    in the build (and the check results in ``analysis.check_results``), drop every unpublished schema, and replace the build by a fresh copy of what is
    left (``write_published_copy``)."""
    ingest_files = read_ledger(settings)
    all_checks = pd.concat(
        [_read_feed_checks(settings), check_results_frame(checks)], ignore_index=True
    )
    tables = {
        "feeds": feeds_frame(contracts),
        "ingest_files": ingest_files,
        "check_results": all_checks,
        "pipeline_runs": runs_frame([*read_runs(settings), asdict(outcome)]),
        "reporting_completeness": completeness,
        "reporting_completeness_summary": completeness_summary(completeness, contracts),
    }
    with duckdb.connect(str(build_db)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS audit")
        for name, frame in tables.items():
            con.register("frame", frame)
            con.execute(f"CREATE OR REPLACE TABLE audit.{name} AS SELECT * FROM frame")
            con.unregister("frame")
        # The analysts' copy of the check results: dbt made the table (its contract), empty.
        if con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'analysis' AND table_name = 'check_results'"
        ).fetchone()[0]:
            con.execute(
                "INSERT INTO analysis.check_results BY NAME SELECT * FROM audit.check_results"
            )
        for schema in _unpublished_schemas(con):
            con.execute(f'DROP SCHEMA "{schema}" CASCADE')
        con.execute("CHECKPOINT")
    write_published_copy(build_db)


def _unpublished_schemas(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The user schemas of the open database that are not published."""
    rows = con.execute(
        "SELECT schema_name FROM duckdb_schemas() "
        "WHERE database_name = current_database() AND NOT internal"
    ).fetchall()
    return [name for (name,) in rows if name not in PUBLISHED_SCHEMAS]


def write_published_copy(build_db: Path) -> None:
    """Replace ``build_db`` by a new file holding a copy of its published schemas only.

    Dropping a schema frees its pages without erasing them: the build file still holds row-level
    (pseudonymised) rows in its free blocks. The fresh copy (``copy_database``) holds none; the
    build file is then deleted (replaced by it).
    """
    fresh = build_db.with_name(f"{build_db.stem}.fresh.duckdb")  # recover() removes it if killed
    # Spills (if any) go to the run's own log folder, owner-only, never the working directory.
    copy_database(build_db, fresh, work_dir=build_db.parent / build_db.stem)
    os.replace(fresh, build_db)
    build_db.with_name(build_db.name + ".wal").unlink(missing_ok=True)
    _fsync_dir(build_db.parent)


def copy_database(source: Path, target: Path, *, work_dir: Path) -> None:
    """Write ``target``: a new, compacted copy of every schema of ``source``.

    ``COPY FROM DATABASE`` writes every schema, table (with its NOT NULL and key constraints), view
    and macro into a new file, in the storage format of ``PUBLISHED_STORAGE_VERSION`` so DuckDB 1.5
    clients read it; no free page of the source comes along. The tables' row counts are compared
    (``RuntimeError`` and no target when they differ). The copy gets ``PUBLISHED_FILE_MODE``: the
    analyst group may read it.
    """
    _discard(target)
    try:
        with duckdb.connect() as con:
            con.execute(f"SET temp_directory = {_sql_text(work_dir)}")
            con.execute("SET enable_progress_bar = false")
            con.execute(f"ATTACH {_sql_text(source)} AS source_file (READ_ONLY)")
            con.execute(
                f"ATTACH {_sql_text(target)} AS published_file "
                f"(STORAGE_VERSION '{PUBLISHED_STORAGE_VERSION}')"
            )
            con.execute("COPY FROM DATABASE source_file TO published_file")
            con.execute("CHECKPOINT published_file")
            before, copied = (_table_rows(con, name) for name in ("source_file", "published_file"))
            con.execute("DETACH published_file")
            con.execute("DETACH source_file")
        if before != copied:
            raise RuntimeError(
                f"the fresh copy of {source.name} differs from it ({len(before)} tables with "
                f"{sum(before.values())} rows, copied {len(copied)} with {sum(copied.values())})"
            )
        os.chmod(target, PUBLISHED_FILE_MODE)
        with target.open("rb") as handle:
            os.fsync(handle.fileno())
    except BaseException:
        _discard(target)
        raise


def rewrite_legacy_versions(settings: Settings) -> list[str]:
    """Rewrite fresh every kept version that has free blocks: one published before the warehouse
    was written fresh, whose free pages may still hold row-level ids. The served one is swapped
    for its rewrite atomically (the same tables and values). Returns what was done, for people."""
    notes: list[str] = []
    for run_id in list_versions(settings):
        path = version_path(settings, run_id)
        try:
            with duckdb.connect(str(path), read_only=True) as con:
                (free_blocks,) = con.execute(
                    "SELECT free_blocks FROM pragma_database_size()"
                ).fetchone()
        except duckdb.Error:
            continue
        if not free_blocks:
            continue
        fresh = settings.builds_dir / f"{run_id}.version.duckdb"  # recover() removes it if killed
        try:
            copy_database(path, fresh, work_dir=settings.builds_dir)
        except (duckdb.Error, RuntimeError, OSError) as exc:
            notes.append(
                f"kept version {run_id} could not be rewritten ({exc}); its free pages may still "
                "hold row-level ids"
            )
            continue
        served = settings.warehouse_file
        live = served.exists() and served.stat().st_ino == path.stat().st_ino
        os.replace(fresh, path)
        _fsync_dir(path.parent)
        if live:
            temporary = settings.data_dir / f".{served.name}.{secrets.token_hex(4)}.tmp"
            _link_or_copy(path, temporary)
            os.replace(temporary, served)
            _fsync_dir(settings.data_dir)
        notes.append(
            f"rewrote kept version {run_id}{' (the served one)' if live else ''} without the free "
            "pages an earlier release left in it"
        )
    return notes


def _table_rows(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, int]:
    """Rows of every table of an attached database, by ``schema.table``."""
    tables = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ?", [database]
    ).fetchall()
    return {
        f"{schema}.{table}": con.execute(
            f'SELECT count(*) FROM "{database}"."{schema}"."{table}"'
        ).fetchone()[0]
        for schema, table in tables
    }


def _sql_text(path: Path) -> str:
    """A path as a SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def feeds_frame(contracts: dict[str, Contract] | None = None) -> pd.DataFrame:
    """The contracted feeds (what each entity is expected to deliver), for people reading audit data."""
    contracts = load_contracts() if contracts is None else contracts
    return pd.DataFrame(
        [
            {
                "feed": c.feed,
                "title": c.title,
                "entity": c.owner,
                "entity_name": c.owner_name,
                "frequency": c.frequency,
                "due_days": c.due_days,
            }
            for c in contracts.values()
        ],
        columns=["feed", "title", "entity", "entity_name", "frequency", "due_days"],
    )


def _feed_checks_file(settings: Settings) -> Path:
    return settings.state_dir / "feed_checks.parquet"


def _read_feed_checks(settings: Settings) -> pd.DataFrame:
    path = _feed_checks_file(settings)
    return pd.read_parquet(path) if path.exists() else check_results_frame([])


def _append_feed_checks(settings: Settings, results: list[CheckResult]) -> None:
    """Keep the feed-level check results of every ingested file across runs."""
    if not results:
        return
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
    append_record(settings, asdict(outcome))


def _discard(build_db: Path) -> None:
    for path in (build_db, build_db.with_name(build_db.name + ".wal")):
        path.unlink(missing_ok=True)


def _step(progress: Progress | None, label: str) -> None:
    if progress:
        progress(label, 0, 0)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
