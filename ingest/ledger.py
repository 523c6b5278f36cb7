"""The ingest ledger: one row per delivered file ever processed (``state/ingest_ledger.parquet``).

Its columns are those of ``audit.ingest_files``. A file whose SHA-256 is in the ledger is not
processed again, which makes ingest idempotent.

Statuses: ``loaded`` (every row used), ``loaded_with_rejections`` (the good rows used, ``rows_rejected``
rows set aside in quarantine), ``quarantined`` (refused whole), ``superseded`` (was loaded, then a
newer delivery for the same entity, feed and period replaced it: ``superseded_by`` holds its sha256),
``skipped`` (``cpmonitor.core.statuses``).

``purged_at`` is set when the archived raw delivery was removed by the retention purge
(``ingest.purge``); the row itself is kept for ever, so the file is still known and never ingested
again. Null for a delivery still archived, and in ledgers written before the column existed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cpmonitor.core.parquet_io import write_parquet_atomic
from cpmonitor.core.settings import Settings
from cpmonitor.core.statuses import ACCEPTED_STATUSES, SUPERSEDED, LedgerStatus
from ingest.landing import DeliveredContent, DeliveryKey

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
        pa.field("purged_at", pa.timestamp("us")),
    ]
)


@dataclass(frozen=True)
class LedgerRow:
    """One row of the ledger (``LEDGER_SCHEMA``, in its order): one delivered file.

    A file refused before it was read (an unsafe path, a link, a file that cannot be opened) has
    no ``sha256`` (""): it is looked at again next run. Timestamps are naive UTC.
    """

    source_file: str
    entity: str | None
    feed: str | None
    period: str | None
    sha256: str
    size_bytes: int
    rows: int | None
    rows_rejected: int | None
    status: LedgerStatus
    reason: str
    received_at: dt.datetime | None
    ingested_at: dt.datetime
    superseded_by: str | None = None
    purged_at: dt.datetime | None = None

    @property
    def key(self) -> DeliveryKey:
        return DeliveryKey(self.entity, self.feed, self.period)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> dict[str, Any]:
        """The row with timestamps as ISO text, for the quarantine JSON."""
        return {
            k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in self.as_dict().items()
        }


@dataclass
class LedgerIndex:
    """What the ledger says of files seen before, so nothing is processed twice.

    ``used``: each delivery whose rows are or were used -> its source file; ``processed``: every
    (source file, sha256) read before; ``refused``: every (source file, reason) refused unread.
    """

    used: dict[DeliveredContent, str] = dataclasses.field(default_factory=dict)
    processed: set[tuple[str, str]] = dataclasses.field(default_factory=set)
    refused: set[tuple[str, str]] = dataclasses.field(default_factory=set)

    @classmethod
    def of(cls, ledger: pa.Table) -> LedgerIndex:
        rows = ledger.select(
            ["source_file", "entity", "feed", "period", "sha256", "status", "reason"]
        ).to_pylist()
        used: dict[DeliveredContent, str] = {}
        for r in rows:
            if r["sha256"] and r["status"] in ACCEPTED_STATUSES:
                key = DeliveryKey(r["entity"], r["feed"], r["period"])
                used[DeliveredContent(key, r["sha256"])] = r["source_file"]
        processed = {(r["source_file"], r["sha256"]) for r in rows if r["sha256"]}
        refused = {
            (r["source_file"], (r["reason"] or "").removeprefix(f"{r['source_file']}: "))
            for r in rows
            if not r["sha256"]
        }
        return cls(used, processed, refused)

    def skip_reason(self, source_file: str, content: DeliveredContent) -> str:
        """Why a file needs no processing ("" when it does).

        The same content delivered again for the same entity, feed and period is never loaded
        twice, whatever its name (the same content for another period is that period's delivery,
        e.g. an unchanged quarterly register); a quarantined file is looked at again only when it
        comes back changed or at another place (e.g. moved to the right folder).
        """
        if content in self.used:
            return f"already ingested (same content as {self.used[content]})"
        if (source_file, content.sha256) in self.processed:
            return "already quarantined, unchanged since"
        return ""


def read_ledger(settings: Settings) -> pd.DataFrame:
    """The ledger (``audit.ingest_files`` columns); an empty, typed frame when there is none yet."""
    return ledger_frame(read_ledger_table(settings.ledger_file))


def read_ledger_table(path: Path) -> pa.Table:
    """The ledger as an Arrow table with ``LEDGER_SCHEMA``; empty when there is no ledger yet."""
    if not path.exists():
        return LEDGER_SCHEMA.empty_table()
    table = pq.read_table(path)
    for field in LEDGER_SCHEMA:  # a ledger written before a column existed: that column is empty
        if field.name not in table.column_names:
            table = table.append_column(field, pa.nulls(table.num_rows, field.type))
    return table.select(LEDGER_SCHEMA.names).cast(LEDGER_SCHEMA)


def append_rows(table: pa.Table, rows: list[LedgerRow]) -> pa.Table:
    """The ledger with ``rows`` added at the end."""
    if not rows:
        return table
    new = pa.Table.from_pylist([r.as_dict() for r in rows], schema=LEDGER_SCHEMA)
    return pa.concat_tables([table, new])


def write_ledger(table: pa.Table, path: Path) -> None:
    """Replace the ledger file atomically."""
    write_parquet_atomic(table, path)


def ledger_frame(table: pa.Table) -> pd.DataFrame:
    """The ledger as pandas, with nullable string and integer columns."""
    frame = table.to_pandas()
    types = {f.name: "string" for f in LEDGER_SCHEMA if pa.types.is_string(f.type)}
    types |= {"size_bytes": "Int64", "rows": "Int64", "rows_rejected": "Int64"}
    types |= {
        "received_at": "datetime64[us]",
        "ingested_at": "datetime64[us]",
        "purged_at": "datetime64[us]",
    }
    return frame.astype(types)


def newest_first_key(row: Mapping[str, Any]) -> tuple:
    """Order of deliveries for one entity, feed and period: latest arrival, then file name, then
    the time it was ingested (a re-delivery at the same path with the same time)."""
    name = (row.get("source_file") or "").rsplit("/", 1)[-1]
    received = row.get("received_at") or dt.datetime.min
    ingested = row.get("ingested_at") or dt.datetime.min
    return (received, name, ingested)


def supersede(table: pa.Table) -> tuple[pa.Table, list[LedgerRow]]:
    """Mark all but the newest used delivery of each entity, feed and period as ``superseded``.

    Returns the new ledger and the rows that became superseded in this call (their ingested copies
    are to be removed). Quarantined deliveries never supersede anything.
    """
    rows = table.to_pylist()
    groups: dict[DeliveryKey, list[int]] = {}
    for index, row in enumerate(rows):
        if row["status"] in ACCEPTED_STATUSES and row["entity"] and row["period"]:
            key = DeliveryKey(row["entity"], row["feed"], row["period"])
            groups.setdefault(key, []).append(index)
    newly: list[LedgerRow] = []
    for members in groups.values():
        winner = max(members, key=lambda i: newest_first_key(rows[i]))
        for index in members:
            row = rows[index]
            if index == winner:
                continue
            if row["status"] != SUPERSEDED:
                newly.append(LedgerRow(**row))
            row["status"] = SUPERSEDED
            row["superseded_by"] = rows[winner]["sha256"]
    return pa.Table.from_pylist(rows, schema=LEDGER_SCHEMA), newly
