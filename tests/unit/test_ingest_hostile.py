"""Hostile and broken deliveries: each is refused with its own reason, within a limit that the test
triggers (never a stopwatch), nothing outside the landing zone is read, and every good file delivered
alongside still loads."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_fixtures import deliver, file_sha256, placements_rows, table, valid_table

from cpmonitor.core.settings import Settings
from ingest.landing import name_problem, resolve_inside
from ingest.ledger import read_ledger
from ingest.probe import ParseLimits, ProbeServer
from ingest.run import IngestReport, ingest_landing

GOOD = {
    "placements": "mosa/placements/2024-03/good.parquet",
    "population": "nso/population/2024/good.parquet",
    "admin_units": "nso/admin_units/2024/good.parquet",
}
HOSTILE = {
    "not_parquet": "mosa/placements/2024-01/not_parquet.parquet",
    "truncated_footer": "mosa/placements/2024-02/truncated.parquet",
    "corrupt_page": "mosa/placements/2024-04/corrupt.parquet",
    "bomb_size": "mosa/placements/2024-05/bomb_size.parquet",
    "bomb_rows": "mosa/placements/2024-06/bomb_rows.parquet",
    "backslash_name": "mosa/placements/2024-07/..\\..\\evil.parquet",
    "symlink_file": "mosa/placements/2024-08/link.parquet",
    "symlink_dir": "mosa/placements/2024-09",
    "pipe": "mosa/placements/2024-10/pipe.parquet",
    "zero_rows": "mosa/placements/2024-11/empty_table.parquet",
    "zero_bytes": "mosa/placements/2024-12/zero.parquet",
}
REASONS = {
    "not_parquet": "is not a readable Parquet file (Parquet magic bytes not found in footer. "
    "Either the file is corrupted or this is not a parquet file.)",
    "truncated_footer": "is not a readable Parquet file (Parquet magic bytes not found in footer. "
    "Either the file is corrupted or this is not a parquet file.)",
    "corrupt_page": "has a corrupt data page: column 'placement_id' in row group 1 could not be "
    "decoded (",
    "bomb_size": "declares 19.2 MiB of uncompressed data, more than the limit of 1.0 MiB "
    "(a decompression bomb?)",
    "bomb_rows": "declares 200,001 rows, more than the limit of 100,000",
    "backslash_name": "has a backslash in its name (a Windows path?); use plain file names",
    "symlink_file": "is a symbolic link; deliveries must be regular files (links are never followed)",
    "symlink_dir": "is a symbolic link; deliveries must be regular files (links are never followed)",
    "pipe": "is not a regular file (a pipe, device or socket); deliveries must be regular files",
    "zero_rows": "has no rows (the contract does not accept an empty delivery)",
    "zero_bytes": "is empty (0 bytes): not a Parquet file",
}
LIMITS = ParseLimits(max_rows=100_000, max_uncompressed_bytes=1 << 20)


def parquet_bytes(data: pa.Table, **options) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(data, sink, **options)
    return sink.getvalue().to_pybytes()


def bomb_table() -> pa.Table:
    """20,000 identical 1,000-character strings: ~25 KB on disk, 19.2 MiB once decompressed."""
    return pa.table({"notes": pa.array(["x" * 1000] * 20_000)})


def corrupt_page_bytes() -> bytes:
    """A valid placements file whose first data page header is overwritten (footer intact)."""
    data = bytearray(
        parquet_bytes(table("placements", placements_rows("C", 40)), compression="zstd")
    )
    for index in range(4, 40):
        data[index] ^= 0x5A
    return bytes(data)


def good_landing(landing: Path) -> None:
    deliver(landing, GOOD["placements"], valid_table("placements"))
    deliver(landing, GOOD["population"], valid_table("population"))
    deliver(landing, GOOD["admin_units"], valid_table("admin_units"))


@dataclass(frozen=True)
class Hostile:
    settings: Settings
    report: IngestReport
    outside: Path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    root = tmp_path_factory.mktemp("hostile")
    settings = Settings.from_env(root / "data")
    landing = settings.landing_dir
    good_landing(landing)
    outside = root / "outside"
    outside.mkdir()
    secret = outside / "placements.parquet"
    pq.write_table(table("placements", placements_rows("Z", 3)), secret)

    deliver(landing, HOSTILE["not_parquet"], b"PK\x03\x04 this is a zip archive, not Parquet")
    deliver(landing, HOSTILE["truncated_footer"], parquet_bytes(valid_table("placements"))[:-30])
    deliver(landing, HOSTILE["corrupt_page"], corrupt_page_bytes())
    deliver(
        landing,
        HOSTILE["bomb_size"],
        parquet_bytes(bomb_table(), compression="zstd", use_dictionary=False),
    )
    deliver(landing, HOSTILE["bomb_rows"], parquet_bytes(pa.table({"x": pa.nulls(200_001)})))
    deliver(landing, HOSTILE["backslash_name"], parquet_bytes(valid_table("placements")))
    (landing / HOSTILE["symlink_file"]).parent.mkdir(parents=True)
    (landing / HOSTILE["symlink_file"]).symlink_to(secret)
    (landing / HOSTILE["symlink_dir"]).symlink_to(outside, target_is_directory=True)
    (landing / HOSTILE["pipe"]).parent.mkdir(parents=True)
    os.mkfifo(landing / HOSTILE["pipe"])  # opening it for reading would block the test
    deliver(landing, HOSTILE["zero_rows"], table("placements", []))
    deliver(landing, HOSTILE["zero_bytes"], b"")
    report = ingest_landing(settings, run_id="hostile", limits=LIMITS)
    return Hostile(settings, report, outside)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_each_hostile_delivery_is_quarantined_with_its_reason(hostile: Hostile, case: str) -> None:
    source_file = HOSTILE[case]
    outcome = next(r for r in hostile.report.results if r.source_file == source_file)
    assert outcome.status == "quarantined"
    assert outcome.reason.startswith(f"{source_file}: {REASONS[case]}")
    assert str(hostile.settings.data_dir) not in outcome.reason  # no server paths


def test_every_good_file_delivered_alongside_is_loaded(hostile: Hostile) -> None:
    loaded = {r.source_file for r in hostile.report.results if r.status == "loaded"}
    assert loaded == set(GOOD.values())
    assert hostile.report.files_quarantined == len(HOSTILE)


def test_nothing_outside_the_landing_zone_is_read_or_archived(hostile: Hostile) -> None:
    secret_sha = file_sha256(hostile.outside / "placements.parquet")
    archived = {p.stem for p in (hostile.settings.data_dir / "archive").rglob("*.parquet")}
    assert secret_sha not in archived
    texts = [
        str(pq.read_table(p).to_pylist()) for p in hostile.settings.ingested_dir.rglob("*.parquet")
    ]
    assert not any("'Z001'" in t or "Test Child" in t for t in texts)
    assert len(archived) == 3 + 7  # the good files and the hostile regular files, by content
    ledger = read_ledger(hostile.settings).set_index("source_file")
    assert ledger.loc[HOSTILE["symlink_file"], "sha256"] == ""  # refused unread: no hash


def test_a_second_run_records_refusals_once(hostile: Hostile) -> None:
    again = ingest_landing(hostile.settings, run_id="hostile-2", limits=LIMITS)
    assert (again.files_loaded, again.files_quarantined) == (0, 0)
    assert again.files_skipped == len(GOOD) + len(HOSTILE)
    assert len(read_ledger(hostile.settings)) == len(GOOD) + len(HOSTILE)


def test_the_memory_limit_stops_a_file_that_decodes_too_big(tmp_path: Path) -> None:
    settings = Settings.from_env(tmp_path)
    good_landing(settings.landing_dir)
    big = "mosa/placements/2024-05/big.parquet"
    deliver(
        settings.landing_dir,
        big,
        parquet_bytes(bomb_table(), compression="zstd", use_dictionary=False),
    )
    limits = ParseLimits(memory_bytes=8 << 20)  # footer limits pass; decoding 19 MiB does not fit
    report = ingest_landing(settings, run_id="memory", limits=limits)
    outcome = next(r for r in report.results if r.source_file == big)
    assert outcome.reason == f"{big}: needs more memory than the limit of 8.0 MiB to read"
    assert {r.source_file for r in report.results if r.status == "loaded"} == set(GOOD.values())


def test_the_wall_clock_limit_stops_a_slow_file(tmp_path: Path) -> None:
    settings = Settings.from_env(tmp_path)
    good_landing(settings.landing_dir)
    slow = "mosa/placements/2024-05/slow.parquet"
    # 100,000 one-row row groups of two columns: tiny values, but decoding them takes ~5 s on an
    # idle machine, far past the 1 s limit, while the good files delivered with it take milliseconds.
    path = settings.landing_dir / slow
    path.parent.mkdir(parents=True)
    pq.write_table(
        pa.table({"x": pa.array(range(100_000), pa.int64()), "y": pa.array(range(100_000))}),
        path,
        row_group_size=1,
        compression="none",
        write_statistics=False,
    )
    report = ingest_landing(settings, run_id="slow", limits=ParseLimits(wall_seconds=1.0))
    outcome = next(r for r in report.results if r.source_file == slow)
    assert outcome.reason == f"{slow}: could not be read within the time limit of 1 s"
    assert {r.source_file for r in report.results if r.status == "loaded"} == set(GOOD.values())


def test_the_probe_server_keeps_answering_after_a_limit(tmp_path: Path) -> None:
    good = tmp_path / "good.parquet"
    pq.write_table(valid_table("population"), good)
    with ProbeServer() as server:
        stopped = server.probe(good, ParseLimits(wall_seconds=0.0))
        assert (stopped.rows, stopped.limit) == (None, "wall_clock")
        assert server.probe(good, ParseLimits()).rows == 8


@pytest.mark.parametrize(
    ("source_file", "reason"),
    [
        (
            "../etc/passwd",
            "has '..' or an empty part in its path; deliveries go under the landing zone",
        ),
        (
            "mosa/placements/../../../x.parquet",
            "has '..' or an empty part in its path; deliveries go under the landing zone",
        ),
        ("/etc/passwd", "has an absolute path; deliveries go under the landing zone"),
        (
            "mosa/placements/2024-01/a\nb.parquet",
            "has control characters in its name; use plain file names",
        ),
        ("mosa/placements/2024-01/ok name (1).parquet", ""),
    ],
)
def test_unsafe_paths_are_refused(tmp_path: Path, source_file: str, reason: str) -> None:
    assert name_problem(source_file) == reason
    if reason:
        with pytest.raises(ValueError, match="landing zone|file names"):
            resolve_inside(tmp_path, source_file)
    else:
        assert resolve_inside(tmp_path, source_file) == tmp_path.resolve() / source_file
