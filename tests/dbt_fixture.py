"""Shared harness of the indicator tests: hand-made feeds written as ingest writes them, and one
real dbt build of the whole project on them."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Collection
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from cpmonitor.core.contracts import load_contracts
from cpmonitor.core.settings import Settings
from cpmonitor.dbt_runner import DbtResult, run_dbt
from ingest.schema import ingested_schema


def pseudonym(value: str) -> str:
    """An opaque 64-hex id, as ingest writes record ids (the exact hash does not matter here)."""
    return hashlib.sha256(f"test:{value}".encode()).hexdigest()


def write_delivery(
    data_dir: Path,
    feed: str,
    period: str,
    rows: list[dict],
    *,
    number: int,
    received_at: dt.datetime,
    ingested_at: dt.datetime | None = None,
) -> None:
    """One accepted delivery of ``feed`` in the ingested format: the contract's columns (minus
    direct identifiers) from ``rows``, missing ones null, plus the delivery metadata."""
    contract = load_contracts()[feed]
    schema = ingested_schema(contract)
    feed_dir = data_dir / "ingested" / feed
    feed_dir.mkdir(parents=True, exist_ok=True)
    source_file = f"{contract.owner}/{feed}/{period}/delivery_{number}.parquet"
    sha = hashlib.sha256(source_file.encode()).hexdigest()
    meta = {
        "_entity": contract.owner,
        "_feed": feed,
        "_period": period,
        "_source_file": source_file,
        "_source_sha256": sha,
        "_received_at": received_at,
        "_ingested_at": ingested_at or received_at,
    }
    full = [{name: row.get(name) for name in schema.names} | meta for row in rows]
    table = pa.Table.from_pylist(full, schema=schema)
    pq.write_table(table, feed_dir / f"{contract.owner}__{period}__{sha[:12]}.parquet")


def build(root: Path, write_feeds: Callable[[Path], None]) -> tuple[DbtResult, Path]:
    """Write the feeds under ``root/data`` and run one ``dbt build`` into ``root/build.duckdb``."""
    settings = Settings.from_env(root / "data")
    write_feeds(settings.data_dir)
    build_db = root / "build.duckdb"
    result = run_dbt(["build"], build_db=build_db, settings=settings, log_dir=root / "logs")
    return result, build_db


def fact_values(
    built: tuple[DbtResult, Path], codes: Collection[str] | None = None
) -> dict[tuple[str, str, str, str], tuple]:
    """``fct_indicator_values`` of a successful build (only ``codes`` when given) keyed by
    (indicator, period, geo, disaggregation value) -> (numerator, denominator, value)."""
    result, build_db = built
    assert result.ok, result.summary
    with duckdb.connect(str(build_db), read_only=True) as con:
        rows = con.execute(
            "select indicator_code, period_id, geo_code, disaggregation_value,"
            " numerator, denominator, value from main.fct_indicator_values"
        ).fetchall()
    return {tuple(r[:4]): r[4:] for r in rows if codes is None or r[0] in codes}


def write_delivery_status(
    data_dir: Path, today: dt.date, extra_ledger_rows: Collection[dict] = ()
) -> None:
    """Reporting completeness as the pipeline writes it before a build, from a ledger of the
    ingested files under ``data_dir`` (each one a loaded delivery, arrived at its
    ``_received_at``) plus ``extra_ledger_rows`` (e.g. a superseded or a refused file:
    ``entity``, ``feed``, ``period``, ``status``, ``received_at``)."""
    import pandas as pd

    from cpmonitor.pipeline import write_delivery_status as write_status

    rows = list(extra_ledger_rows)
    for path in sorted((data_dir / "ingested").glob("*/*.parquet")):
        if path.name == "_empty.parquet" or path.parent.name.startswith("_"):
            continue
        meta = pq.read_table(path, columns=["_entity", "_feed", "_period", "_received_at"])
        for entity, feed, period, received_at in set(zip(*meta.to_pydict().values(), strict=True)):
            rows.append(
                {"entity": entity, "feed": feed, "period": period, "status": "loaded"}
                | {"received_at": received_at}
            )
    ledger = pd.DataFrame(rows, columns=["entity", "feed", "period", "status", "received_at"])
    write_status(Settings.from_env(data_dir), load_contracts(), today, ledger=ledger)


# The fixture country every indicator test uses: provinces 01 North (districts 0101 North A,
# 0102 North B) and 02 South (0201 South A), each with a placeholder boundary.
ADMIN_UNITS = [
    ("01", "North", "province", None),
    ("02", "South", "province", None),
    ("0101", "North A", "district", "01"),
    ("0102", "North B", "district", "01"),
    ("0201", "South A", "district", "02"),
]
BOUNDARY = '{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}'


def admin_unit_rows() -> list[dict]:
    """The ``admin_units`` rows of the fixture country."""
    return [
        {
            "unit_code": c,
            "unit_name": n,
            "level": lv,
            "parent_code": p,
            "boundary_geojson": BOUNDARY,
        }
        for c, n, lv, p in ADMIN_UNITS
    ]


def social_worker_post(
    worker: str, district: str, start: dt.date, end: dt.date | None = None
) -> dict:
    """A ``social_workers`` row: a government social worker's post from ``start`` to ``end``."""
    return {
        "worker_id": pseudonym(worker),
        "sex": "F",
        "district_code": district,
        "position": "social_worker",
        "employer": "government",
        "post_start_date": start,
        "post_end_date": end,
    }
