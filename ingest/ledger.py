"""The ingest ledger: one row per delivered file ever processed (``state/ingest_ledger.parquet``).

Its columns are those of ``audit.ingest_files``. A file whose SHA-256 is in the ledger is not
processed again, which makes ingest idempotent.

Statuses: ``loaded`` (every row used), ``loaded_with_rejections`` (the good rows used, ``rows_rejected``
rows set aside in quarantine), ``quarantined`` (refused whole), ``superseded`` (was loaded, then a
newer delivery for the same entity, feed and period replaced it: ``superseded_by`` holds its sha256).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cpmonitor.core.parquet_io import write_parquet_atomic
from cpmonitor.core.statuses import ACCEPTED_STATUSES, SUPERSEDED

LEDGER_SCHEMA = pa.schema(
    [
        pa.field("source_file", pa.string()),
        pa.field("entity", pa.string()),
        pa.field("feed", pa.string()),
        pa.field("period", pa.string()),
        pa.field("sha256", pa.string()),
        pa.field("size_bytes", pa.int64()),
        pa.field("rows", pa.int64()),
        pa.field("rows_rejected", pa.int64()),
        pa.field("status", pa.string()),
        pa.field("reason", pa.string()),
        pa.field("received_at", pa.timestamp("us")),
        pa.field("ingested_at", pa.timestamp("us")),
        pa.field("superseded_by", pa.string()),
    ]
)


def read_ledger_table(path: Path) -> pa.Table:
    """The ledger as an Arrow table with ``LEDGER_SCHEMA``; empty when there is no ledger yet."""
    if not path.exists():
        return LEDGER_SCHEMA.empty_table()
    table = pq.read_table(path)
    for field in LEDGER_SCHEMA:  # a ledger written before a column existed: that column is empty
        if field.name not in table.column_names:
            table = table.append_column(field, pa.nulls(table.num_rows, field.type))
    return table.select(LEDGER_SCHEMA.names).cast(LEDGER_SCHEMA)


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
    types |= {"size_bytes": "Int64", "rows": "Int64", "rows_rejected": "Int64"}
    types |= {"received_at": "datetime64[us]", "ingested_at": "datetime64[us]"}
    return frame.astype(types)


def row_to_json(row: dict[str, Any]) -> dict[str, Any]:
    """A ledger row with timestamps as ISO text, for the quarantine JSON."""
    return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in row.items()}


def newest_first_key(row: dict[str, Any]) -> tuple:
    """Order of deliveries for one entity, feed and period: latest arrival, then file name, then
    the time it was ingested (a re-delivery at the same path with the same time)."""
    name = (row.get("source_file") or "").rsplit("/", 1)[-1]
    received = row.get("received_at") or dt.datetime.min
    ingested = row.get("ingested_at") or dt.datetime.min
    return (received, name, ingested)


def supersede(table: pa.Table) -> tuple[pa.Table, list[dict[str, Any]]]:
    """Mark all but the newest used delivery of each entity, feed and period as ``superseded``.

    Returns the new ledger and the rows that became superseded in this call (their ingested copies
    are to be removed). Quarantined deliveries never supersede anything.
    """
    rows = table.to_pylist()
    groups: dict[tuple[str, str, str], list[int]] = {}
    for index, row in enumerate(rows):
        if row["status"] in ACCEPTED_STATUSES and row["entity"] and row["period"]:
            groups.setdefault((row["entity"], row["feed"], row["period"]), []).append(index)
    newly: list[dict[str, Any]] = []
    for members in groups.values():
        winner = max(members, key=lambda i: newest_first_key(rows[i]))
        for index in members:
            row = rows[index]
            if index == winner:
                continue
            if row["status"] != SUPERSEDED:
                newly.append(dict(row))
            row["status"] = SUPERSEDED
            row["superseded_by"] = rows[winner]["sha256"]
    return pa.Table.from_pylist(rows, schema=LEDGER_SCHEMA), newly
