"""Write the demo country's deliveries into the landing zone, never altering a delivered file."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cpmonitor.core.parquet_io import parquet_bytes, write_bytes_atomic
from cpmonitor.core.settings import Settings
from demo_country.build import build_deliveries
from demo_country.delivery import Delivery, delivered_at
from demo_country.names import COUNTRY_NAME

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class GenerateSummary:
    """What a generation did: the country, files written or already there, rows per feed."""

    country_name: str
    files_written: int
    files_unchanged: int
    rows_by_feed: dict[str, int]
    landing_dir: Path


class LandingZoneConflictError(RuntimeError):
    """The landing zone already holds other data for a delivery the generator would write."""

    def __init__(self, landing_dir: Path, conflicts: list[str]) -> None:
        self.conflicts = conflicts
        shown = ", ".join(conflicts[:3]) + (
            f" and {len(conflicts) - 3} more" if len(conflicts) > 3 else ""
        )
        super().__init__(
            f"The landing zone {landing_dir} already holds other data for {shown}. Landing files "
            "are deliveries and are never modified, so nothing was written. Generate into an empty "
            "data directory (--data-dir), or use the seed, scale and years that produced the files "
            "already there."
        )


def _conflict(
    landing_dir: Path, delivery: Delivery, data: bytes, planned: set[str]
) -> tuple[str | None, bool]:
    """(description of a conflict or None, whether the identical file is already there).

    ``planned`` holds the names of every file the generator writes into the delivery's folder (an
    original and its resubmissions); any other file there is a conflict."""
    target = landing_dir / delivery.relative_path
    where = f"{delivery.entity}/{delivery.feed}/{delivery.period}"
    others = sorted(p.name for p in target.parent.glob("*.parquet") if p.name not in planned)
    if others:
        return f"{where} (file {others[0]})", False
    if target.exists():
        if target.read_bytes() == data:
            return None, True
        return f"{where} (a different {target.name})", False
    return None, False


def generate(
    settings: Settings,
    *,
    seed: int = 2016,
    scale: float = 1.0,
    start_year: int = 2016,
    end_year: int = 2025,
    progress: Progress | None = None,
    messy: bool = True,
) -> GenerateSummary:
    """Write the synthetic demo country's ministry feeds into ``settings.landing_dir``.

    The same seed, scale and years always give byte-identical files. Files already delivered with
    the same bytes are left alone; if the landing zone holds anything else for one of the
    deliveries, ``LandingZoneConflictError`` is raised before any file is written. The deliveries
    are as messy as real ones (``demo_country.messiness``: resubmissions, rejected rows,
    refused and late files) unless ``messy`` is false.
    """
    report = progress or (lambda label, done, total: None)
    report(f"Simulating {COUNTRY_NAME}", 0, 0)
    deliveries = build_deliveries(seed, scale, start_year, end_year, messy=messy)
    total = len(deliveries)
    landing = settings.landing_dir

    payloads = [parquet_bytes(d.table) for d in deliveries]
    planned: dict[Path, set[str]] = {}
    for d in deliveries:
        planned.setdefault(d.relative_path.parent, set()).add(d.file_name)
    checked = [
        _conflict(landing, d, data, planned[d.relative_path.parent])
        for d, data in zip(deliveries, payloads, strict=True)
    ]
    conflicts = [problem for problem, _ in checked if problem]
    if conflicts:
        raise LandingZoneConflictError(landing, conflicts)

    settings.ensure_dirs()  # the landing zone is the owner's only (0700); files are written 0600
    written = unchanged = 0
    now = dt.datetime.now(dt.UTC)
    rows: dict[str, int] = {}
    for done, (delivery, data, (_, same)) in enumerate(
        zip(deliveries, payloads, checked, strict=True), start=1
    ):
        rows[delivery.feed] = rows.get(delivery.feed, 0) + delivery.table.num_rows
        if same:
            unchanged += 1
        else:
            path = landing / delivery.relative_path
            write_bytes_atomic(data, path)
            stamp = min(delivered_at(delivery), now).timestamp()
            os.utime(path, (stamp, stamp))
            written += 1
        report(f"{delivery.feed} {delivery.period}", done, total)
    return GenerateSummary(
        country_name=COUNTRY_NAME,
        files_written=written,
        files_unchanged=unchanged,
        rows_by_feed=dict(sorted(rows.items())),
        landing_dir=landing,
    )
