"""Write, audit, publish: kill the pipeline in every stage, versions and rollback, completeness in
the build, identical values on a re-run.

Most tests use a one-feed contract and a small stand-in for dbt (``fake_builder``), so they do not
depend on the indicator models; one slow test runs the real dbt build twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from cpmonitor.core.access import AccessPolicy
from cpmonitor.core.contracts import Contract
from cpmonitor.core.settings import PROJECT_ROOT, Settings
from cpmonitor.disclosure import ProtectionReport, protect_build
from cpmonitor.disclosure.suppression import primary_only
from cpmonitor.pipeline import (
    PAUSE_ENV,
    RollbackError,
    pause_point,
    prune,
    rollback,
    run_pipeline,
)
from cpmonitor.runlog import list_versions, live_run_id, read_runs
from expectations.cross_feed import RULES
from ingest.ledger import read_ledger

TESTS_DIR = Path(__file__).resolve().parent
TODAY = dt.date(2024, 5, 1)
READY_TIMEOUT_S = 120
CONTRACTS = {
    "visits": Contract.model_validate(
        {
            "feed": "visits",
            "title": "Home visits by social workers",
            "owner": "mosa",
            "owner_name": "Ministry of Social Affairs",
            "frequency": "monthly",
            "primary_key": ["visit_id"],
            "columns": [
                {"name": "visit_id", "type": "string", "required": True, "privacy": "public"},
                {"name": "district_code", "type": "string", "required": True, "privacy": "public"},
                {"name": "visits", "type": "integer", "required": True, "privacy": "public"},
            ],
        }
    )
}
# Per month: (visit_id, district, visits) rows; totals 0101: 3, 5, 7; 0102: 10, 20, 30.
MONTHS = {
    "2024-01": [("V1", "0101", 3), ("V2", "0102", 10)],
    "2024-02": [("V3", "0101", 5), ("V4", "0102", 20)],
    "2024-03": [("V5", "0101", 7), ("V6", "0102", 30)],
}


def fake_builder(build_db: Path, settings: Settings, log_dir: Path) -> tuple[bool, str]:
    """Stand-in for dbt: one count indicator (VI01) per district and month from the ingested visits.

    Pauses at ``building`` half-way through (tables written, the file not finished) for kill tests.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    source = str(settings.ingested_dir / "visits" / "*.parquet")
    with duckdb.connect(str(build_db)) as con:
        con.execute("CREATE SCHEMA intermediate")
        con.execute(
            "CREATE TABLE intermediate.int_visits AS SELECT * FROM read_parquet($1)", [source]
        )
        pause_point("building")
        con.execute(
            "CREATE TABLE main.dim_indicator AS SELECT 'VI01' AS indicator_code, "
            "'Home visits' AS indicator_name, 'count' AS unit, 'flow' AS kind, "
            "'children_or_events' AS disclosure_class"
        )
        con.execute(
            "CREATE TABLE main.dim_geography AS SELECT DISTINCT district_code AS geo_code, "
            "'District ' || district_code AS geo_name, 'district' AS geo_level, "
            "left(district_code, 2) AS parent_code FROM intermediate.int_visits"
        )
        con.execute(
            """
            CREATE TABLE main.fct_indicator_values AS
            SELECT 'VI01' AS indicator_code, 'month' AS period_type, _period AS period_id,
                   cast(_period || '-01' AS DATE) AS period_start,
                   last_day(cast(_period || '-01' AS DATE)) AS period_end,
                   'district' AS geo_level, district_code AS geo_code,
                   'total' AS disaggregation, 'total' AS disaggregation_value,
                   cast(sum(visits) AS DOUBLE) AS numerator, cast(NULL AS DOUBLE) AS denominator,
                   cast(sum(visits) AS DOUBLE) AS value,
                   NULL::DOUBLE AS ci_lower, NULL::DOUBLE AS ci_upper,
                   NULL::DOUBLE AS target_value, NULL::DOUBLE AS progress,
                   NULL::VARCHAR AS status, 100.0::DOUBLE AS coverage_pct,
                   1::INTEGER AS deliveries_expected, 1::INTEGER AS deliveries_received,
                   false AS is_partial, false AS is_restated, NULL::VARCHAR AS coverage_note
            FROM intermediate.int_visits GROUP BY ALL
            """
        )
    return True, "fake build"


def provincial_builder(build_db: Path, settings: Settings, log_dir: Path) -> tuple[bool, str]:
    """The fake build with its two districts also shown as provinces (P1 from 0101, P2 from 0102)
    of one nation (XX), the levels a donor sees: in January P1 counts 3 visits, P2 10, XX 13."""
    ok, summary = fake_builder(build_db, settings, log_dir)
    with duckdb.connect(str(build_db)) as con:
        con.execute(
            "INSERT INTO main.dim_geography VALUES ('XX', 'Nation', 'national', NULL), "
            "('P1', 'Province 1', 'province', 'XX'), ('P2', 'Province 2', 'province', 'XX')"
        )
        con.execute(
            """
            INSERT INTO main.fct_indicator_values
            SELECT * REPLACE ('province' AS geo_level,
                              CASE geo_code WHEN '0101' THEN 'P1' ELSE 'P2' END AS geo_code)
            FROM main.fct_indicator_values WHERE geo_level = 'district'
            """
        )
        con.execute(
            """
            INSERT INTO main.fct_indicator_values
            SELECT p.* REPLACE ('national' AS geo_level, 'XX' AS geo_code,
                                t.visits AS numerator, t.visits AS value)
            FROM main.fct_indicator_values AS p
            JOIN (SELECT period_id, sum(numerator) AS visits FROM main.fct_indicator_values
                  WHERE geo_level = 'province' GROUP BY period_id) AS t
              ON t.period_id = p.period_id
            WHERE p.geo_code = 'P1'
            """
        )
    return ok, summary


def deliver(settings: Settings, period: str, received: dt.datetime | None = None) -> Path:
    """The visits of ``period`` as delivered by the ministry (file time = arrival)."""
    rows = MONTHS[period]
    table = pa.table(
        {
            "visit_id": [r[0] for r in rows],
            "district_code": [r[1] for r in rows],
            "visits": pa.array([r[2] for r in rows], pa.int64()),
        }
    )
    import pyarrow.parquet as pq

    path = settings.landing_dir / "mosa" / "visits" / period / f"visits_{period}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    stamp = (received or dt.datetime(2024, 4, 1, tzinfo=dt.UTC)).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def run(settings: Settings):
    return run_pipeline(settings, builder=fake_builder, contracts=CONTRACTS, today=TODAY)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def totals(path: Path) -> list[tuple]:
    return fetch(
        path,
        "SELECT period_id, geo_code, value FROM fct_indicator_values ORDER BY period_id, geo_code",
    )


def ids_in(path: Path, ids: set[str]) -> set[str]:
    """The 64-hex-digit ids of ``ids`` found in the raw bytes of a file."""
    return {m.decode() for m in re.findall(rb"[0-9a-f]{64}", path.read_bytes())} & ids


def leftovers(settings: Settings) -> list[str]:
    """Temporary files and unpublished builds anywhere in the data directory (landing excepted)."""
    found = [
        *settings.builds_dir.glob("*.duckdb*"),
        *(p for p in settings.data_dir.rglob(".*.tmp") if settings.landing_dir not in p.parents),
    ]
    return sorted(str(p.relative_to(settings.data_dir)) for p in found)


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    """Two months delivered and published once."""
    settings = Settings.from_env(tmp_path / "data")
    deliver(settings, "2024-01")
    deliver(settings, "2024-02")
    outcome = run(settings)
    assert outcome.status == "published", outcome.details
    return settings


SUBPROCESS = """
import datetime as dt, sys
sys.path.insert(0, sys.argv[2])
from test_publish import CONTRACTS, TODAY, fake_builder
from cpmonitor.pipeline import run_pipeline
from cpmonitor.core.settings import Settings
run_pipeline(Settings.from_env(sys.argv[1]), builder=fake_builder, contracts=CONTRACTS, today=TODAY)
"""


def run_until(settings: Settings, stage: str, tmp_path: Path) -> subprocess.Popen:
    """Start the pipeline in a child process and return once it waits at ``stage``."""
    ready = tmp_path / f"ready-{stage}"
    env = {**os.environ, PAUSE_ENV: f"{stage}:{ready}"}
    process = subprocess.Popen(
        [sys.executable, "-c", SUBPROCESS, str(settings.data_dir), str(TESTS_DIR)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not ready.exists():
        if process.poll() is not None:
            _, err = process.communicate()
            pytest.fail(f"pipeline ended before reaching {stage}: {err.decode()[-2000:]}")
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail(f"pipeline did not reach {stage} within {READY_TIMEOUT_S}s")
        time.sleep(0.05)
    return process


def kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL


@pytest.mark.parametrize("stage", ["ingest", "building", "build", "protect", "checks", "publish"])
def test_killed_in_any_stage_the_served_warehouse_is_unchanged_and_the_next_run_recovers(
    settings: Settings, tmp_path: Path, stage: str
) -> None:
    served = sha256(settings.warehouse_file)
    first_run = read_runs(settings)[-1]["run_id"]
    deliver(settings, "2024-03")

    process = run_until(settings, stage, tmp_path)
    if stage == "building":
        assert list(settings.builds_dir.glob("*.duckdb")), "a half-built warehouse exists"
    kill(process)

    assert sha256(settings.warehouse_file) == served
    assert totals(settings.warehouse_file) == [
        ("2024-01", "0101", 3.0),
        ("2024-01", "0102", 10.0),
        ("2024-02", "0101", 5.0),
        ("2024-02", "0102", 20.0),
    ]
    assert live_run_id(settings) == first_run

    outcome = run(settings)

    assert outcome.status == "published", outcome.details
    # Killed during ingest, the ledger was not written: the March file is ingested now.
    assert outcome.files_loaded == (1 if stage == "ingest" else 0)
    assert outcome.details[-1].endswith("recorded as interrupted")
    assert totals(settings.warehouse_file)[-2:] == [
        ("2024-03", "0101", 7.0),
        ("2024-03", "0102", 30.0),
    ]
    assert leftovers(settings) == []
    runs = read_runs(settings)
    assert [r["status"] for r in runs] == ["published", "interrupted", "published"]
    assert list_versions(settings) == [runs[0]["run_id"], runs[2]["run_id"]]
    assert live_run_id(settings) == outcome.run_id
    ledger = read_ledger(settings)
    assert sorted(ledger.loc[ledger["status"] == "loaded", "period"]) == [
        "2024-01",
        "2024-02",
        "2024-03",
    ]


def test_killed_just_after_the_swap_the_new_warehouse_is_recorded_as_published(
    settings: Settings, tmp_path: Path
) -> None:
    deliver(settings, "2024-03")
    process = run_until(settings, "published", tmp_path)
    kill(process)

    assert totals(settings.warehouse_file)[-1] == ("2024-03", "0102", 30.0)
    outcome = run(settings)
    assert outcome.status == "published"
    runs = read_runs(settings)
    assert [r["status"] for r in runs] == ["published", "published", "published"]
    assert runs[1]["message"] == "published (recorded after the run was interrupted)"
    assert len(list_versions(settings)) == 3
    assert leftovers(settings) == []


def test_rollback_restores_a_kept_version_atomically(settings: Settings) -> None:
    deliver(settings, "2024-03")
    second = run(settings)
    first, _ = list_versions(settings)
    assert live_run_id(settings) == second.run_id

    record = rollback(settings)

    assert record["status"] == "rolled_back"
    assert record["rolled_back_to"] == first
    assert live_run_id(settings) == first
    assert sha256(settings.warehouse_file) == sha256(settings.versions_dir / f"{first}.duckdb")
    assert [p for p, *_ in totals(settings.warehouse_file)] == ["2024-01"] * 2 + ["2024-02"] * 2
    assert read_runs(settings)[-1]["message"] == (
        f"rolled back: version {first} is live again (replacing {second.run_id})"
    )
    with pytest.raises(RollbackError, match="no earlier published version"):
        rollback(settings)

    rollback(settings, to=second.run_id)
    assert live_run_id(settings) == second.run_id
    with pytest.raises(RollbackError, match="already the live warehouse"):
        rollback(settings, to=second.run_id)
    with pytest.raises(RollbackError, match="no kept version 'nope'"):
        rollback(settings, to="nope")
    assert leftovers(settings) == []


def test_old_versions_and_build_logs_are_pruned(settings: Settings) -> None:
    deliver(settings, "2024-03")
    run(settings)
    outcome = run(settings)  # nothing new: publishes the same values again
    assert len(list_versions(settings)) == 3
    rollback(settings, to=list_versions(settings)[0])
    live = live_run_id(settings)

    prune(settings, keep=1)

    assert list_versions(settings) == [live, outcome.run_id]
    assert [p.name for p in settings.builds_dir.iterdir()] == [outcome.run_id]


def test_completeness_is_stored_in_the_build(tmp_path: Path) -> None:
    settings = Settings.from_env(tmp_path / "data")
    deliver(settings, "2024-01", dt.datetime(2024, 2, 5, 9, tzinfo=dt.UTC))  # due 15 Feb
    deliver(settings, "2024-02", dt.datetime(2024, 3, 20, 9, tzinfo=dt.UTC))  # due 15 Mar: late
    bad = settings.landing_dir / "mosa" / "visits" / "2024-03" / "visits_2024-03.parquet"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"not parquet")

    outcome = run(settings)

    assert outcome.status == "published"
    # 1 May 2024: April has ended but is not due before 15 May.
    assert fetch(
        settings.warehouse_file,
        "SELECT period, status, due_date FROM audit.reporting_completeness ORDER BY period",
    ) == [
        ("2024-01", "on_time", dt.datetime(2024, 2, 15)),
        ("2024-02", "late", dt.datetime(2024, 3, 15)),
        ("2024-03", "refused", dt.datetime(2024, 4, 15)),
    ]
    assert fetch(
        settings.warehouse_file,
        "SELECT entity, feed, expected, on_time, late, refused, missing, completeness_pct, "
        "timeliness_pct, missing_periods FROM audit.reporting_completeness_summary",
    ) == [("mosa", "visits", 3, 1, 1, 1, 0, 66.7, 33.3, "2024-03")]
    # Row-level schemas are dropped; outlier and cross-feed results are stored with the rest.
    schemas = {
        s for (s,) in fetch(settings.warehouse_file, "SELECT schema_name FROM duckdb_schemas()")
    }
    assert "intermediate" not in schemas
    suites = dict(
        fetch(
            settings.warehouse_file,
            "SELECT suite, count(*) FROM audit.check_results GROUP BY suite",
        )
    )
    assert suites["outliers"] == 1
    assert suites["cross_feed"] == len(RULES)  # one result per cross-feed rule


def test_rerun_gives_the_same_indicator_hash_and_new_data_changes_it(settings: Settings) -> None:
    first = read_runs(settings)[-1]["indicator_values_sha256"]
    again = run(settings)
    assert again.indicator_values_sha256 == first
    deliver(settings, "2024-03")
    assert run(settings).indicator_values_sha256 != first


@pytest.mark.slow
def test_real_build_rerun_gives_byte_identical_indicator_values(tmp_path: Path) -> None:
    """dbt twice on the same deliveries: the canonical export of fct_indicator_values is identical.

    The hash is taken whether or not the build is published, so it holds while the catalogue is
    still ahead of the models.
    """
    from demo_country import generate

    settings = Settings.from_env(tmp_path / "country")
    generate(settings, seed=3, scale=0.02, start_year=2016, end_year=2016)
    first = run_pipeline(settings)
    assert first.indicator_values_sha256, first.details
    copy = Settings.from_env(tmp_path / "copy")
    shutil.copytree(settings.landing_dir, copy.landing_dir)
    second = run_pipeline(copy)
    assert second.indicator_values_sha256 == first.indicator_values_sha256


def test_the_published_file_is_a_fresh_compact_copy_readable_by_duckdb_1_5(
    settings: Settings,
) -> None:
    """Only the published schemas (marts, audit, the protected tables), no free block left from the dropped row-level ones, the storage
    format of DuckDB 1.5; the build file with row-level data is gone (constraints kept: see
    test_privacy)."""
    served = settings.warehouse_file
    live = live_run_id(settings)
    assert fetch(
        served,
        "SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database() "
        "AND schema_name NOT IN ('information_schema', 'pg_catalog') ORDER BY 1",
    ) == [("audit",), ("main",), ("protected",)]
    ((tags, free_blocks),) = fetch(
        served,
        "SELECT tags, (SELECT free_blocks FROM pragma_database_size()) FROM duckdb_databases() "
        "WHERE database_name = current_database()",
    )
    assert tags == {"storage_version": "v1.5.0+"}
    assert free_blocks == 0
    assert list(settings.builds_dir.glob("*.duckdb*")) == []
    assert served.stat().st_ino == (settings.versions_dir / f"{live}.duckdb").stat().st_ino
    assert totals(served) == [
        ("2024-01", "0101", 3.0),
        ("2024-01", "0102", 10.0),
        ("2024-02", "0101", 5.0),
        ("2024-02", "0102", 20.0),
    ]


def test_a_run_leaves_raw_and_row_level_data_owner_only(settings: Settings) -> None:
    """After real runs (archive, ingested, quarantine, ledger, run log, build logs), every entry of
    the private folders is owner-only, the warehouse and versions readable by the group only."""
    deliver(settings, "2024-03")
    assert run(settings).status == "published"
    wrong = []
    for name in ("landing", "archive", "ingested", "quarantine", "state", "builds"):
        root = settings.data_dir / name
        for path in [root, *root.rglob("*")]:
            mode = stat.S_IMODE(path.stat().st_mode)
            want = 0o700 if path.is_dir() else 0o400 if name == "archive" else 0o600
            if mode != want:
                wrong.append(f"{path.relative_to(settings.data_dir)}: {mode:o}")
    for path in [settings.warehouse_file, *settings.versions_dir.glob("*")]:
        if stat.S_IMODE(path.stat().st_mode) != 0o640:
            wrong.append(f"{path.relative_to(settings.data_dir)}: {path.stat().st_mode:o}")
    assert stat.S_IMODE(settings.versions_dir.stat().st_mode) == 0o750
    assert wrong == []
    assert len(list(settings.archive_dir.rglob("*.parquet"))) == 3
    assert len([p for p in settings.builds_dir.iterdir() if p.is_dir()]) == 2  # build log folders


def test_a_weak_protection_fails_the_build_and_the_previous_warehouse_stays(
    settings: Settings,
) -> None:
    """Primary suppression only: January's P1 (3 visits) is hidden, but XX (13) minus P2 (10) gives
    it away. The LP audit finds it, the build is not published; the stage's own protection hides P2
    too and publishes, with its figures in the run log."""
    # This installation shows donors months too (the default shows them whole years only).
    policy = (PROJECT_ROOT / "access.yml").read_text(encoding="utf-8")
    assert policy.count("    periods: [year]\n") == 2
    (settings.data_dir / "access.yml").write_text(
        policy.replace("    periods: [year]\n", "    periods: [year, quarter, month]\n"),
        encoding="utf-8",
    )
    served = sha256(settings.warehouse_file)
    live = live_run_id(settings)
    deliver(settings, "2024-03")

    def weak(con: duckdb.DuckDBPyConnection, policy: AccessPolicy) -> ProtectionReport:
        return protect_build(con, policy, suppress=primary_only)

    failed = run_pipeline(
        settings, builder=provincial_builder, contracts=CONTRACTS, today=TODAY, protector=weak
    )

    assert failed.status == "failed"
    assert failed.message == (
        "disclosure audit failed: 1 protected cell(s) could be recovered; "
        "the previous warehouse is still being served"
    )
    assert any("VI01 2024-01 in P1" in line for line in failed.details), failed.details
    assert sha256(settings.warehouse_file) == served
    assert live_run_id(settings) == live
    assert leftovers(settings) == []
    record = read_runs(settings)[-1]
    assert record["status"] == "failed" and record["protection"]["passed"] is False
    # A run that stops at the disclosure stage timed the stages it reached, and no later one.
    assert list(record["stage_seconds"]) == ["ingest", "build", "protect"]

    published = run_pipeline(settings, builder=provincial_builder, contracts=CONTRACTS, today=TODAY)

    assert published.status == "published", published.details
    assert published.protection["passed"] is True
    donor = published.protection["audiences"]["donor"]
    # 3 months x (XX, P1, P2): January's P1 is a small count, P2 hidden to protect it.
    assert donor == {
        "levels": "national, province",
        "periods": "year, quarter, month",
        "cells": 9,
        "primary": 1,
        "secondary": 1,
        "suppressed_share": 0.2222,
        "recoverable": 0,
    }
    assert published.protection["protect_seconds"] >= 0
    assert read_runs(settings)[-1]["protection"] == published.protection
    stages = read_runs(settings)[-1]["stage_seconds"]
    assert list(stages) == ["ingest", "build", "protect", "checks", "publish"]
    assert stages == published.stage_seconds and all(s >= 0 for s in stages.values())
    assert stages["build"] > 0  # dbt ran, in a child process, for more than no time
    assert fetch(
        settings.warehouse_file,
        "SELECT audience, period_id, geo_code, value, suppression_reason "
        "FROM protected.indicator_values WHERE suppressed ORDER BY ALL",
    ) == [
        ("donor", "2024-01", "P1", None, "small_count"),
        ("donor", "2024-01", "P2", None, "protects_another"),
        ("public", "2024-01", "P1", None, "small_count"),
        ("public", "2024-01", "P2", None, "protects_another"),
    ]


def test_versions_published_before_the_fresh_copy_are_rewritten_without_their_free_pages(
    settings: Settings,
) -> None:
    """A version (and the served file) as an earlier release published it: row-level rows dropped
    in place, still in its free pages. The next run rewrites it; rollback to it still works."""
    (old,) = list_versions(settings)
    path = settings.versions_dir / f"{old}.duckdb"
    # 500 stand-ins for pseudonymised ids, each on many rows (as a child's id is).
    ids = {hashlib.sha256(str(k).encode()).hexdigest() for k in range(500)}
    values = totals(path)
    legacy = settings.builds_dir / "legacy.duckdb"
    shutil.copyfile(path, legacy)
    with duckdb.connect(str(legacy)) as con:
        con.execute("SET force_compression = 'uncompressed'")  # the ids as plain bytes
        con.execute("CREATE SCHEMA intermediate")
        con.execute(
            "CREATE TABLE intermediate.rows AS "
            "SELECT sha256((i % 500)::VARCHAR) AS id, i FROM range(200000) t(i)"
        )
        con.execute("CHECKPOINT")
        # A table written after them keeps their blocks from being cut off the end of the file.
        con.execute("CREATE TABLE main.written_later AS SELECT range AS x FROM range(100000)")
        con.execute("CHECKPOINT")
        con.execute("DROP SCHEMA intermediate CASCADE")
        con.execute("CHECKPOINT")
    os.replace(legacy, path)
    os.link(path, settings.data_dir / "legacy.tmp")
    os.replace(settings.data_dir / "legacy.tmp", settings.warehouse_file)
    assert len(ids_in(path, ids)) > 100
    assert live_run_id(settings) == old

    deliver(settings, "2024-03")
    new = run(settings)

    assert new.status == "published"
    assert list_versions(settings) == [old, new.run_id]
    for kept in settings.versions_dir.glob("*.duckdb"):
        assert ids_in(kept, ids) == set(), kept.name
        assert fetch(kept, "SELECT free_blocks FROM pragma_database_size()") == [(0,)]
        assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    rollback(settings, to=old)
    assert totals(settings.warehouse_file) == values
    assert leftovers(settings) == []


def test_a_failed_first_run_says_nothing_is_served(tmp_path: Path) -> None:
    """With no warehouse published before, a failed build does not claim one is still served."""
    settings = Settings.from_env(tmp_path / "first")
    deliver(settings, "2024-01")

    def broken(build_db: Path, settings: Settings, log_dir: Path) -> tuple[bool, str]:
        return False, "1 model failed"

    outcome = run_pipeline(settings, builder=broken, contracts=CONTRACTS, today=TODAY)

    assert outcome.status == "failed"
    assert outcome.message == (
        "dbt build failed; no warehouse has been published yet, so there is nothing to serve"
    )
    assert not settings.warehouse_file.exists()
