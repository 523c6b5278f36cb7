"""Retention: remove the raw deliveries kept longer than the installation may keep them.

The archive (``archive/<sha[:2]>/<sha256>.parquet``) holds every delivered file as it came, names,
phones, addresses and case notes included. ``purge_archive`` removes each archived delivery whose
content was last received more than ``older_than_days`` ago, and the landing originals of that
content that are still there with the same bytes (a file since replaced by other content is a new
delivery and is left alone). What was derived from them stays: the pseudonymised ingested copies
(so the warehouse rebuilds the same), the quarantine notes and rejected rows (pseudonymised too).

The ledger keeps every row and records ``purged_at``, so a purged delivery is still known: it is
never ingested again, and running the purge again changes nothing. The retention setting is
``retention.archive_days`` of the access policy (``cpmonitor.core.access``).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from cpmonitor.core.settings import Settings
from ingest.landing import SUFFIX, archive_path, hash_delivery
from ingest.ledger import LEDGER_SCHEMA, read_ledger_table, write_ledger


@dataclass(frozen=True)
class PurgeReport:
    """What one purge did.

    ``deliveries_purged``: archived deliveries removed (one per distinct content);
    ``landing_files_removed``: landing originals removed with them; ``unrecorded_purged``: archived
    files the ledger does not know (a run killed before its ledger was written), removed by their
    age; ``bytes_freed`` counts all of these; ``ledger_rows_marked``: ledger rows newly given a
    ``purged_at``; ``deliveries_kept``: archived deliveries still within the retention period;
    ``landing_files_kept``: landing files of purged content left because they now hold other bytes
    or could not be read safely (with the reason, for people).
    """

    cutoff: dt.datetime
    older_than_days: int
    deliveries_purged: int = 0
    landing_files_removed: int = 0
    unrecorded_purged: int = 0
    bytes_freed: int = 0
    ledger_rows_marked: int = 0
    deliveries_kept: int = 0
    landing_files_kept: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One sentence for people."""
        text = (
            f"removed {self.deliveries_purged} archived raw deliveries received before "
            f"{self.cutoff:%Y-%m-%d} (older than {self.older_than_days} days) and "
            f"{self.landing_files_removed} landing original(s), freeing "
            f"{self.bytes_freed / 1_000_000:.1f} MB; {self.deliveries_kept} archived deliveries "
            "are within the retention period and were kept"
        )
        if self.unrecorded_purged:
            text += f"; {self.unrecorded_purged} archived file(s) not in the ledger were removed"
        if self.landing_files_kept:
            text += f"; {len(self.landing_files_kept)} landing file(s) were left (see details)"
        return text


def purge_archive(
    settings: Settings, *, older_than_days: int, now: dt.datetime | None = None
) -> PurgeReport:
    """Remove archived raw deliveries (and identical landing originals) last received more than
    ``older_than_days`` days before ``now`` (default: the current time, UTC); mark them in the
    ledger. Call it while no pipeline run works on the data directory (``cpmonitor.pipeline.purge``
    holds the lock)."""
    if older_than_days < 1:
        raise ValueError(f"older_than_days must be at least 1 (got {older_than_days})")
    now = _naive_utc(now or dt.datetime.now(dt.UTC))
    cutoff = now - dt.timedelta(days=older_than_days)
    ledger = read_ledger_table(settings.ledger_file)
    last_received = _last_received(ledger)
    expired = {sha for sha, received in last_received.items() if received < cutoff}

    purged = kept = removed_landing = unrecorded = freed = 0
    landing_kept: list[str] = []
    for sha256 in sorted(last_received):
        path = archive_path(settings.archive_dir, sha256)
        if sha256 not in expired:
            kept += path.exists()
            continue
        if path.exists():
            freed += path.stat().st_size
            path.unlink()
            purged += 1
    for source_file, sha256 in _deliveries_of(ledger, expired):
        outcome = _remove_landing_original(settings, source_file, sha256)
        if isinstance(outcome, int):
            removed_landing += 1
            freed += outcome
        elif outcome:
            landing_kept.append(f"{source_file}: {outcome}")
    for path in _archived_files(settings):
        if path.stem not in last_received and _mtime(path) < cutoff:
            freed += path.stat().st_size
            path.unlink()
            unrecorded += 1
    _remove_empty_shards(settings)

    marked = 0
    if expired:
        ledger, marked = _mark_purged(ledger, expired, now)
        if marked:
            write_ledger(ledger, settings.ledger_file)
    return PurgeReport(
        cutoff=cutoff,
        older_than_days=older_than_days,
        deliveries_purged=purged,
        landing_files_removed=removed_landing,
        unrecorded_purged=unrecorded,
        bytes_freed=freed,
        ledger_rows_marked=marked,
        deliveries_kept=kept,
        landing_files_kept=landing_kept,
    )


def _last_received(ledger: pa.Table) -> dict[str, dt.datetime]:
    """Each archived content (sha256) -> when it was last received (else last ingested)."""
    latest: dict[str, dt.datetime] = {}
    for row in ledger.select(["sha256", "received_at", "ingested_at"]).to_pylist():
        sha256 = row["sha256"]
        if not sha256:  # refused unread: never archived
            continue
        when = row["received_at"] or row["ingested_at"] or dt.datetime.min
        if sha256 not in latest or when > latest[sha256]:
            latest[sha256] = when
    return latest


def _deliveries_of(ledger: pa.Table, shas: set[str]) -> list[tuple[str, str]]:
    """(source file, sha256) of every ledger row of the given contents, once each, sorted."""
    rows = ledger.select(["source_file", "sha256"]).to_pylist()
    return sorted({(r["source_file"], r["sha256"]) for r in rows if r["sha256"] in shas})


def _remove_landing_original(settings: Settings, source_file: str, sha256: str) -> int | str:
    """Remove the landing file if it still holds exactly the purged content: its size in bytes;
    otherwise why it was left ("" when there is no such file)."""
    path = settings.landing_dir / source_file
    if not os.path.lexists(path):
        return ""
    try:
        current, info = hash_delivery(settings.landing_dir, source_file)
    except (ValueError, OSError) as exc:
        return f"left in place: {exc}"
    if current != sha256:
        return "left in place: it now holds other content (a new delivery)"
    path.unlink()
    return info.st_size


def _archived_files(settings: Settings) -> list[Path]:
    if not settings.archive_dir.exists():
        return []
    return sorted(settings.archive_dir.glob(f"*/*{SUFFIX}"))


def _remove_empty_shards(settings: Settings) -> None:
    if not settings.archive_dir.exists():
        return
    for shard in settings.archive_dir.iterdir():
        if shard.is_dir() and not shard.is_symlink() and not any(shard.iterdir()):
            shard.rmdir()


def _mark_purged(ledger: pa.Table, shas: set[str], now: dt.datetime) -> tuple[pa.Table, int]:
    """The ledger with ``purged_at = now`` on every row of ``shas`` not marked before."""
    in_set = pc.is_in(ledger["sha256"], value_set=pa.array(sorted(shas), pa.string()))
    newly = pc.and_(pc.fill_null(in_set, False), pc.is_null(ledger["purged_at"]))
    marked = pc.sum(pc.cast(newly, pa.int64())).as_py() or 0
    stamp = pa.scalar(now, LEDGER_SCHEMA.field("purged_at").type)
    column = pc.if_else(newly, stamp, ledger["purged_at"])
    index = ledger.schema.get_field_index("purged_at")
    return ledger.set_column(index, LEDGER_SCHEMA.field("purged_at"), column), marked


def _mtime(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).replace(tzinfo=None)


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    """The ledger's timestamps are naive UTC."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)
