"""Privacy at the door, for every data contract (generic over ``load_contracts()``, so it covers feeds
added later): no direct identifier column and no raw record identifier reaches an ingested file, the
quarantine, or any table or view of a built warehouse; the hashing secret comes from configuration.

Each feed gets one synthetic row built from its contract alone. Raw identifying values carry the
marker ``ZZRAW`` so a leak is found wherever it lands.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_fixtures import deliver, valid_table

from cpmonitor.core.contracts import Column, Contract, arrow_schema, load_contracts, period_bounds
from cpmonitor.core.settings import PROJECT_ROOT, Settings
from cpmonitor.pipeline import PUBLISHED_SCHEMAS, run_pipeline, write_published_copy
from cpmonitor.runlog import list_versions, version_path
from ingest.ingested import delivered_files
from ingest.run import IngestReport, ingest_landing

MARKER = "ZZRAW"
HEX_ID = re.compile(rb"[0-9a-f]{64}")  # a pseudonymised id: HMAC-SHA-256 as hex
PERIODS = {"monthly": "2024-03", "quarterly": "2024-Q1", "yearly": "2024"}
DISTRICT = "0101"  # a district of the admin units fixture


def raw_value(contract: Contract, column: Column) -> str:
    return f"{MARKER}-{column.privacy}-{contract.feed}-{column.name}"


def synthetic_value(contract: Contract, column: Column, period: str) -> Any:
    """A value that satisfies the column's rules, for a delivery of ``period``."""
    start, end = period_bounds(period, contract.frequency)
    middle = start + (end - start) // 2
    if column.privacy in ("direct_identifier", "record_id") and column.type == "string":
        return raw_value(contract, column)
    if column.allowed:
        return column.allowed[0]
    if column.type == "string":
        if column.references and column.references.where.get("level") == "province":
            return DISTRICT[:2]  # the province of the admin units fixture's district
        return DISTRICT if column.references or "district" in column.name else "x"
    if column.type in ("integer", "float"):
        if column.name in contract.period_columns:
            return start.year
        low = column.min if isinstance(column.min, int | float) else None
        high = column.max if isinstance(column.max, int | float) else None
        value = max(1, low) if low is not None else 1
        value = min(value, high) if high is not None else value
        return int(value) if column.type == "integer" else float(value)
    if column.type == "boolean":
        return True
    day = middle
    if isinstance(column.min, dt.date) and day < _as_date(column.min):
        day = _as_date(column.min)
    if isinstance(column.max, dt.date) and day > _as_date(column.max):
        day = _as_date(column.max)
    return dt.datetime.combine(day, dt.time(12)) if column.type == "timestamp" else day


def _as_date(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def synthetic_table(contract: Contract, period: str) -> pa.Table:
    row = {c.name: synthetic_value(contract, c, period) for c in contract.columns}
    return pa.Table.from_pylist([row], schema=arrow_schema(contract))


def delivery_path(contract: Contract) -> str:
    return f"{contract.owner}/{contract.feed}/{PERIODS[contract.frequency]}/privacy.parquet"


@dataclass(frozen=True)
class Ingested:
    settings: Settings
    report: IngestReport
    contracts: dict[str, Contract]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Ingested:
    settings = Settings.from_env(tmp_path_factory.mktemp("privacy"))
    contracts = load_contracts()
    for contract in contracts.values():
        data = synthetic_table(contract, PERIODS[contract.frequency])
        if contract.feed == "admin_units":  # the districts other feeds' codes are checked against
            data = valid_table("admin_units")
        deliver(settings.landing_dir, delivery_path(contract), data)
    report = ingest_landing(settings, run_id="privacy", contracts=contracts)
    return Ingested(settings, report, contracts)


def personal_values(contracts: dict[str, Contract]) -> set[str]:
    return {
        raw_value(contract, column)
        for contract in contracts.values()
        for column in contract.columns
        if column.privacy in ("direct_identifier", "record_id")
    }


def pseudonymised_ids(ingested_dir: Path, contracts: dict[str, Contract]) -> set[str]:
    """Every pseudonymised identifier in the ingested files: the values of each feed's ``record_id``
    columns (the columns ingest hashes)."""
    ids: set[str] = set()
    for contract in contracts.values():
        columns = contract.columns_with_privacy("record_id")
        for path in delivered_files(ingested_dir, contract.feed) if columns else []:
            data = pq.read_table(path, columns=columns)
            for name in columns:
                ids.update(v for v in data.column(name).to_pylist() if v)
    return ids


def ids_in_bytes(path: Path, ids: set[str]) -> set[str]:
    """The ids of ``ids`` found anywhere in the raw bytes of ``path``, free pages included."""
    return {m.group().decode() for m in HEX_ID.finditer(path.read_bytes())} & ids


def not_null_columns(path: Path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
            "WHERE database_name = current_database() AND NOT is_nullable ORDER BY ALL"
        ).fetchall()


def test_every_feed_loads_its_synthetic_row(ingested: Ingested) -> None:
    refused = {r.source_file: r.reason for r in ingested.report.results if r.status != "loaded"}
    assert refused == {}
    assert ingested.report.files_loaded == len(ingested.contracts)


def test_no_direct_identifier_or_raw_record_id_in_ingested_or_quarantined_files(
    ingested: Ingested,
) -> None:
    settings = ingested.settings
    key = settings.pseudonym_key()
    for contract in ingested.contracts.values():
        files = [
            p
            for p in (settings.ingested_dir / contract.feed).glob("*.parquet")
            if p.name != "_empty.parquet"
        ]
        assert len(files) == 1, contract.feed
        data = pq.read_table(files[0])
        dropped = set(contract.columns_with_privacy("direct_identifier"))
        assert not dropped & set(data.column_names), contract.feed
        for name in contract.columns_with_privacy("record_id"):
            column = contract.column(name)
            expected = hmac.new(
                key, raw_value(contract, column).encode(), hashlib.sha256
            ).hexdigest()
            assert data.column(name).to_pylist() == [expected], (contract.feed, name)
    leaked = []
    for path in [*settings.ingested_dir.rglob("*"), *settings.quarantine_dir.rglob("*")]:
        if path.suffix == ".parquet":
            text = str(pq.read_table(path).to_pylist())
        else:
            text = path.read_text() if path.is_file() else ""
        if MARKER in text:
            leaked.append(path.name)
    assert leaked == []
    assert personal_values(ingested.contracts)  # the check above looked for something


def test_the_hashing_secret_comes_from_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CPMONITOR_PSEUDONYM_KEY", "from-the-environment")
    assert Settings.from_env(tmp_path / "a").pseudonym_key() == b"from-the-environment"
    monkeypatch.delenv("CPMONITOR_PSEUDONYM_KEY")
    settings = Settings.from_env(tmp_path / "b")
    key = settings.pseudonym_key()
    key_file = settings.state_dir / "pseudonym.key"
    assert key_file.read_text().strip().encode() == key and len(key) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert Settings.from_env(tmp_path / "c").pseudonym_key() != key  # random per installation
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert not [f for f in tracked if "pseudonym" in f and f.endswith(".key")]
    assert "test-only-key" not in "".join(
        p.read_text() for p in (PROJECT_ROOT / "ingest").glob("*.py")
    )


@pytest.mark.slow
def test_no_personal_data_in_any_table_of_a_built_warehouse(ingested: Ingested) -> None:
    from cpmonitor.dbt_runner import run_dbt

    settings = ingested.settings
    build_db = settings.builds_dir / "privacy.duckdb"
    run_dbt(
        ["build"], build_db=build_db, settings=settings, log_dir=settings.builds_dir / "privacy"
    )
    assert build_db.exists()
    direct = {
        name
        for c in ingested.contracts.values()
        for name in c.columns_with_privacy("direct_identifier")
    }
    with duckdb.connect(str(build_db), read_only=True) as con:
        columns = con.execute(
            "select table_schema, table_name, column_name, data_type from information_schema.columns"
        ).fetchall()
        assert {s for s, *_ in columns} >= {
            "staging"
        }  # the row-level layer was built and is checked
        assert [(s, t, c) for s, t, c, _ in columns if c in direct] == []
        leaks = []
        for schema, name, column, data_type in columns:
            if data_type != "VARCHAR":
                continue
            (count,) = con.execute(
                f'select count(*) from "{schema}"."{name}" where "{column}" like ?', [f"%{MARKER}%"]
            ).fetchone()
            if count:
                leaks.append((schema, name, column))
    assert leaks == []

    # What publishing did before: drop the row-level schemas in place. Their rows stay in the
    # file's free blocks, where a byte scan finds the pseudonymised ids.
    ids = pseudonymised_ids(settings.ingested_dir, ingested.contracts)
    assert len(ids) >= 20  # every feed's ids, from one row each
    with duckdb.connect(str(build_db)) as con:
        for schema in ("staging", "intermediate"):
            con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        con.execute("CHECKPOINT")
    assert ids_in_bytes(build_db, ids)
    constraints = not_null_columns(build_db)
    assert any(schema == "main" for schema, *_ in constraints)

    write_published_copy(build_db)  # what is published now

    assert ids_in_bytes(build_db, ids) == set()
    assert not_null_columns(build_db) == constraints
    with duckdb.connect(str(build_db), read_only=True) as con:
        (tags,) = con.execute(
            "SELECT tags FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchone()
    assert tags == {"storage_version": "v1.5.0+"}  # readable by DuckDB 1.5 clients
    os.remove(build_db)


@pytest.mark.slow
def test_no_pseudonymised_id_in_the_bytes_of_the_published_file_or_any_kept_version(
    tmp_path: Path,
) -> None:
    """After real pipeline runs on a demo country, no pseudonymised id of ``ingested/`` is anywhere
    in the published file or a kept version: not in a table, not in a free page."""
    from demo_country import generate

    settings = Settings.from_env(tmp_path / "country")
    generate(settings, seed=3, scale=0.02, start_year=2016, end_year=2016)
    first = run_pipeline(settings)
    assert first.status == "published", first.details
    second = run_pipeline(settings)
    assert second.status == "published", second.details
    ids = pseudonymised_ids(settings.ingested_dir, load_contracts())
    assert len(ids) > 1000
    files = [settings.warehouse_file, *(version_path(settings, v) for v in list_versions(settings))]
    assert len(files) == 3
    assert {str(path.name): len(ids_in_bytes(path, ids)) for path in files} == {
        str(path.name): 0 for path in files
    }
    with duckdb.connect(str(settings.warehouse_file), read_only=True) as con:
        schemas = {
            schema
            for (schema,) in con.execute(
                "SELECT DISTINCT schema_name FROM duckdb_tables() "
                "WHERE database_name = current_database()"
            ).fetchall()
        }
    assert schemas <= set(PUBLISHED_SCHEMAS) and {"main", "audit"} <= schemas
