"""Retention purge (``ingest.purge``): archived raw deliveries older than the retention period go, with
their identical landing originals; the ledger keeps every row and says when; ingest stays idempotent.

One ingest run (module fixture) on deliveries with hand-set arrival times; each test purges a copy.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_fixtures import file_sha256, placements_rows, table, valid_table

from cpmonitor.core.access import DEFAULT_ACCESS_FILE
from cpmonitor.core.settings import Settings
from ingest.landing import archive_path
from ingest.ledger import read_ledger, read_ledger_table
from ingest.purge import purge_archive
from ingest.run import ingest_landing

NOW = dt.datetime(2025, 6, 1, 12, 0)
DAYS = 365  # cutoff 2024-06-01 12:00
# source file -> (content, arrival time); the April placements arrived within the last year.
ADMIN = "nso/admin_units/2024/units_2024.parquet"
INSTITUTIONS = "mosa/care_institutions/2024/register_2024.parquet"
MARCH = "mosa/placements/2024-03/mosa_placements_2024-03.parquet"
APRIL = "mosa/placements/2024-04/mosa_placements_2024-04.parquet"
BROKEN = "mosa/placements/2024-05/broken.parquet"
OLD = {ADMIN, INSTITUTIONS, MARCH, BROKEN}


def _deliveries() -> dict[str, tuple[pa.Table | bytes, dt.datetime]]:
    return {
        ADMIN: (valid_table("admin_units"), dt.datetime(2024, 2, 1)),
        INSTITUTIONS: (valid_table("care_institutions"), dt.datetime(2024, 2, 2)),
        MARCH: (table("placements", placements_rows("P", 4)), dt.datetime(2024, 4, 5)),
        APRIL: (table("placements", placements_rows("R", 2)), dt.datetime(2025, 5, 10)),
        BROKEN: (b"not parquet at all", dt.datetime(2024, 5, 20)),
    }


def _deliver_at(landing: Path, relative: str, data: pa.Table | bytes, when: dt.datetime) -> None:
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        pq.write_table(data, path)
    stamp = when.replace(tzinfo=dt.UTC).timestamp()
    os.utime(path, (stamp, stamp))


@dataclass(frozen=True)
class Ingested:
    settings: Settings
    sha: dict[str, str]  # source file -> sha256


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Ingested:
    settings = Settings.from_env(tmp_path_factory.mktemp("purge") / "data")
    for relative, (data, when) in _deliveries().items():
        _deliver_at(settings.landing_dir, relative, data, when)
    sha = {r: file_sha256(settings.landing_dir / r) for r in _deliveries()}
    report = ingest_landing(settings, run_id="run-1")
    statuses = {r.source_file: r.status for r in report.results}
    assert statuses == {
        ADMIN: "loaded",
        INSTITUTIONS: "loaded",
        MARCH: "loaded",
        APRIL: "loaded",
        BROKEN: "quarantined",
    }
    return Ingested(settings, sha)


@pytest.fixture
def copy(ingested: Ingested, tmp_path: Path) -> Settings:
    """A copy of the ingested data directory, modes and times kept, for one test to purge."""
    target = tmp_path / "data"
    shutil.copytree(ingested.settings.data_dir, target, symlinks=True)
    return Settings.from_env(target)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_old_raw_deliveries_and_their_identical_landing_originals_are_removed(
    ingested: Ingested, copy: Settings
) -> None:
    sha = ingested.sha
    ingested_before = _files(copy.ingested_dir)
    rows_before = read_ledger(copy).drop(columns="purged_at")
    sizes = {r: (copy.landing_dir / r).stat().st_size for r in sha}
    stray = archive_path(copy.archive_dir, "ab" * 32)  # archived, but the ledger was never written
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"raw bytes of a run killed before its ledger")
    os.utime(stray, (dt.datetime(2024, 1, 1).timestamp(),) * 2)

    report = purge_archive(copy, older_than_days=DAYS, now=NOW)

    assert report.cutoff == dt.datetime(2024, 6, 1, 12, 0)
    assert (report.deliveries_purged, report.landing_files_removed) == (4, 4)
    assert (report.deliveries_kept, report.unrecorded_purged) == (1, 1)
    assert report.bytes_freed == 2 * sum(sizes[r] for r in OLD) + len(
        b"raw bytes of a run killed before its ledger"
    )
    assert report.landing_files_kept == []
    archived = sorted(p.name for p in copy.archive_dir.rglob("*.parquet"))
    assert archived == [f"{sha[APRIL]}.parquet"]
    assert sorted(_files(copy.landing_dir)) == [APRIL]
    assert sorted(p.name for p in copy.archive_dir.iterdir()) == [sha[APRIL][:2]]

    ledger = read_ledger(copy)
    assert ledger.drop(columns="purged_at").equals(rows_before)  # every row kept as it was
    purged = dict(zip(ledger["source_file"], ledger["purged_at"], strict=True))
    assert {r for r, when in purged.items() if when == NOW} == OLD
    assert pd.isna(purged[APRIL])
    assert report.ledger_rows_marked == 4
    assert _files(copy.ingested_dir) == ingested_before  # the warehouse rebuilds the same
    assert "removed 4 archived raw deliveries received before 2024-06-01" in report.summary()


def test_after_a_purge_ingest_and_purge_again_change_nothing(
    ingested: Ingested, copy: Settings
) -> None:
    purge_archive(copy, older_than_days=DAYS, now=NOW)
    ledger_bytes = copy.ledger_file.read_bytes()
    ingested_before = _files(copy.ingested_dir)
    # The ministry puts the purged March file back, unchanged: it was ingested, so it stays out.
    data, when = _deliveries()[MARCH]
    _deliver_at(copy.landing_dir, MARCH, data, when)

    rerun = ingest_landing(copy, run_id="run-2")

    assert {r.source_file: r.status for r in rerun.results} == {
        MARCH: "skipped",
        APRIL: "skipped",
    }
    assert rerun.files_loaded == 0
    assert copy.ledger_file.read_bytes() == ledger_bytes
    assert _files(copy.ingested_dir) == ingested_before
    assert not archive_path(copy.archive_dir, ingested.sha[MARCH]).exists()  # not archived again

    again = purge_archive(copy, older_than_days=DAYS, now=NOW + dt.timedelta(days=1))
    assert (again.deliveries_purged, again.ledger_rows_marked, again.deliveries_kept) == (0, 0, 1)
    assert again.landing_files_removed == 1  # the identical March file put back
    assert copy.ledger_file.read_bytes() == ledger_bytes  # purged_at stays the first purge's


def test_a_landing_file_now_holding_other_content_is_left_alone(
    ingested: Ingested, copy: Settings
) -> None:
    _deliver_at(copy.landing_dir, MARCH, table("placements", placements_rows("Q", 3)), NOW)

    report = purge_archive(copy, older_than_days=DAYS, now=NOW)

    assert report.landing_files_kept == [
        f"{MARCH}: left in place: it now holds other content (a new delivery)"
    ]
    assert (copy.landing_dir / MARCH).exists()
    assert not archive_path(copy.archive_dir, ingested.sha[MARCH]).exists()
    assert report.landing_files_removed == 3


def test_a_ledger_written_before_purged_at_existed_is_read_and_purged(copy: Settings) -> None:
    old = read_ledger_table(copy.ledger_file).drop_columns(["purged_at"])
    pq.write_table(old, copy.ledger_file)

    assert read_ledger(copy)["purged_at"].isna().all()
    report = purge_archive(copy, older_than_days=DAYS, now=NOW)
    assert report.ledger_rows_marked == 4
    assert pq.read_schema(copy.ledger_file).field("purged_at").type == pa.timestamp("us")


def test_nothing_is_older_than_a_long_retention(copy: Settings) -> None:
    archive_before = _files(copy.archive_dir)
    report = purge_archive(copy, older_than_days=10 * 365, now=NOW)
    assert (report.deliveries_purged, report.deliveries_kept, report.ledger_rows_marked) == (
        0,
        5,
        0,
    )
    assert _files(copy.archive_dir) == archive_before
    with pytest.raises(ValueError, match="at least 1"):
        purge_archive(copy, older_than_days=0, now=NOW)


def test_the_pipeline_purge_takes_the_retention_from_the_access_policy(copy: Settings) -> None:
    from cpmonitor.pipeline import purge

    policy = DEFAULT_ACCESS_FILE.read_text()
    assert "archive_days: 730" in policy
    (copy.data_dir / "access.yml").write_text(
        policy.replace("archive_days: 730", "archive_days: 450")
    )

    report = purge(copy, now=NOW)

    assert report.older_than_days == 450
    assert report.cutoff == dt.datetime(2024, 3, 8, 12, 0)  # March, the broken file, April stay
    assert report.deliveries_purged == 2  # admin units and the institution register
    assert sorted(_files(copy.landing_dir)) == sorted([MARCH, APRIL, BROKEN])
