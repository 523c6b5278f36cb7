"""The ingest ledger: one row per delivered file ever processed (``state/ingest_ledger.parquet``).

Its columns are those of ``audit.ingest_files``. A file whose SHA-256 is in the ledger is not
processed again, which makes ingest idempotent.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cpmonitor.parquet_io import write_parquet_atomic

LEDGER_SCHEMA = pa.schema(
    [
        pa.field("source_file", pa.string()),
        pa.field("entity", pa.string()),
        pa.field("feed", pa.string()),
        pa.field("period", pa.string()),
        pa.field("sha256", pa.string()),
        pa.field("size_bytes", pa.int64()),
        pa.field("rows", pa.int64()),
        pa.field("status", pa.string()),
        pa.field("reason", pa.string()),
        pa.field("received_at", pa.timestamp("us")),
        pa.field("ingested_at", pa.timestamp("us")),
    ]
)


def read_ledger_table(path: Path) -> pa.Table:
    """The ledger as an Arrow table with ``LEDGER_SCHEMA``; empty when there is no ledger yet."""
    if not path.exists():
        return LEDGER_SCHEMA.empty_table()
    return pq.read_table(path).select(LEDGER_SCHEMA.names).cast(LEDGER_SCHEMA)


def append_rows(table: pa.Table, rows: list[dict[str, Any]]) -> pa.Table:
    """The ledger with ``rows`` (dicts keyed by ledger column) added at the end."""
    if not rows:
        return table
    new = pa.Table.from_pylist(rows, schema=LEDGER_SCHEMA)
    return pa.concat_tables([table, new])


def write_ledger(table: pa.Table, path: Path) -> None:
    """Replace the ledger file atomically."""
    write_parquet_atomic(table, path)


def ledger_frame(table: pa.Table) -> pd.DataFrame:
    """The ledger as pandas, with nullable string and integer columns."""
    frame = table.to_pandas()
    types = {f.name: "string" for f in LEDGER_SCHEMA if pa.types.is_string(f.type)}
    types |= {"size_bytes": "Int64", "rows": "Int64"}
    types |= {"received_at": "datetime64[us]", "ingested_at": "datetime64[us]"}
    return frame.astype(types)


def row_to_json(row: dict[str, Any]) -> dict[str, Any]:
    """A ledger row with timestamps as ISO text, for the quarantine JSON."""
    return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in row.items()}
