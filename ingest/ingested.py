"""The ingested folder dbt reads: one file per used delivery, and an empty file per feed.

``ingested/<feed>/<entity>__<period>__<sha12>.parquet`` holds the accepted rows of the delivery
used for each entity, feed and period; ``ingested/<feed>/_empty.parquet`` (zero rows, full schema)
keeps each feed's glob readable before its first accepted delivery.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cpmonitor.core.contracts import Contract
from cpmonitor.core.parquet_io import write_parquet_atomic
from cpmonitor.core.statuses import DELIVERY_STATUS_DIR, DELIVERY_STATUS_SCHEMA, SUPERSEDED
from ingest.schema import ingested_schema

EMPTY_FILE = "_empty.parquet"


def ingested_path(ingested_dir: Path, feed: str, entity: str, period: str, sha256: str) -> Path:
    """Where the ingested copy of a delivery lives."""
    return ingested_dir / feed / f"{entity}__{period}__{sha256[:12]}.parquet"


def delivered_files(ingested_dir: Path, feed: str) -> list[Path]:
    """The ingested deliveries of a feed, sorted (its empty file left out)."""
    return sorted(p for p in (ingested_dir / feed).glob("*.parquet") if p.name != EMPTY_FILE)


def write_empty_feed_files(ingested_dir: Path, contracts: dict[str, Contract]) -> None:
    """Ensure ``ingested/<feed>/_empty.parquet`` (zero rows, full schema) for every contract feed,
    and for the delivery status the pipeline writes, so dbt can read each glob before its first
    accepted delivery."""
    schemas = {contract.feed: ingested_schema(contract) for contract in contracts.values()}
    for folder, schema in (schemas | {DELIVERY_STATUS_DIR: DELIVERY_STATUS_SCHEMA}).items():
        path = ingested_dir / folder / EMPTY_FILE
        if path.exists() and pq.read_schema(path).remove_metadata().equals(schema):
            continue
        write_parquet_atomic(schema.empty_table(), path)


def remove_superseded_copies(ledger: pa.Table, ingested_dir: Path) -> list[Path]:
    """Delete the ingested copy of every superseded delivery (the archive keeps the original).

    Idempotent, so a run killed between writing the ledger and cleaning up is finished next time.
    """
    removed = []
    for row in ledger.filter(pc.equal(ledger["status"], SUPERSEDED)).to_pylist():
        path = ingested_path(ingested_dir, row["feed"], row["entity"], row["period"], row["sha256"])
        if path.exists():
            path.unlink()
            removed.append(path)
    return removed
