"""Owner-only raw data: landing, archive, ingested, quarantine, state and builds are ``0700`` folders
of ``0600`` files (archived deliveries ``0400``), created so whatever the umask; the published
warehouse and ``versions/`` are ``0640`` in ``0750`` folders; an older installation is tightened by
the next run. ``mode_problems`` walks a data directory and lists every entry with another mode.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pytest
from ingest_fixtures import deliver, valid_table

from cpmonitor.core.parquet_io import write_parquet_atomic, write_text_atomic
from cpmonitor.core.settings import Settings
from cpmonitor.runlog import append_record
from demo_country.landing import generate
from ingest.landing import archive_delivery, hash_delivery

PRIVATE = ("landing", "archive", "ingested", "quarantine", "state", "builds")


def mode_problems(data_dir: Path) -> list[str]:
    """Every folder or regular file under ``data_dir`` whose mode is not the one it must have."""
    expected: list[tuple[Path, int]] = [(data_dir, 0o750)]
    for name in PRIVATE:
        root = data_dir / name
        file_mode = 0o400 if name == "archive" else 0o600
        expected += _tree(root, 0o700, file_mode)
    expected += _tree(data_dir / "versions", 0o750, 0o640)
    if (data_dir / "cpmonitor.duckdb").exists():
        expected.append((data_dir / "cpmonitor.duckdb", 0o640))
    problems = [
        f"{path.relative_to(data_dir.parent)}: {stat.S_IMODE(path.lstat().st_mode):o}, not {mode:o}"
        for path, mode in expected
        if stat.S_IMODE(path.lstat().st_mode) != mode
    ]
    return problems


def _tree(root: Path, dir_mode: int, file_mode: int) -> list[tuple[Path, int]]:
    if not root.exists():
        return []
    found = [(root, dir_mode)]
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            continue
        if path.is_dir():
            found.append((path, dir_mode))
        elif path.is_file():
            found.append((path, file_mode))
    return found


@contextmanager
def umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def test_a_new_installation_is_created_owner_only_whatever_the_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CPMONITOR_PSEUDONYM_KEY", raising=False)  # the key file is made
    settings = Settings.from_env(tmp_path / "data")
    with umask(0):  # nothing may rely on the umask
        settings.ensure_dirs()
        write_parquet_atomic(
            pa.table({"x": [1]}), settings.ingested_dir / "cases" / "deep" / "a.parquet"
        )
        write_text_atomic("{}", settings.quarantine_dir / "note.json")
        append_record(settings, {"run_id": "r1", "status": "published"})
        settings.pseudonym_key()
        # A ministry's upload (folders 0777, file 0666 under this umask): the run's ensure_dirs
        # tightens it before ingest reads it.
        deliver(
            settings.landing_dir, "nso/admin_units/2024/units.parquet", valid_table("admin_units")
        )
        settings.ensure_dirs()
        sha, _ = hash_delivery(settings.landing_dir, "nso/admin_units/2024/units.parquet")
        archived = archive_delivery(
            settings.landing_dir, "nso/admin_units/2024/units.parquet", settings.archive_dir, sha
        )

    assert stat.S_IMODE(archived.stat().st_mode) == 0o400
    assert stat.S_IMODE(archived.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(settings.runs_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((settings.ingested_dir / "cases").stat().st_mode) == 0o700
    assert stat.S_IMODE((settings.versions_dir).stat().st_mode) == 0o750
    assert mode_problems(settings.data_dir) == []
    assert len(_tree(settings.data_dir / "state", 0, 0)) == 3  # state, runs.jsonl, pseudonym.key


def test_the_demo_generator_writes_its_landing_files_owner_only(tmp_path: Path) -> None:
    settings = Settings.from_env(tmp_path / "data")
    with umask(0):
        summary = generate(settings, scale=0.01, start_year=2024, end_year=2024, messy=False)
    files = [p for p in settings.landing_dir.rglob("*") if p.is_file()]
    assert summary.files_written == len(files) > 100
    assert mode_problems(settings.data_dir) == []


def test_an_older_installation_is_tightened_by_the_next_run(tmp_path: Path) -> None:
    settings = Settings.from_env(tmp_path / "data")
    outside = tmp_path / "outside.txt"  # a link's target: never changed
    outside.write_text("not ours")
    outside.chmod(0o644)
    with umask(0o022):  # how an installation made before the modes looks
        for name in (*PRIVATE, "versions"):
            (settings.data_dir / name / "sub").mkdir(parents=True)
            (settings.data_dir / name / "sub" / "file").write_text("x")
        (settings.archive_dir / "sub" / "file").chmod(0o444)
        (settings.data_dir / "cpmonitor.duckdb").write_text("warehouse")
        (settings.landing_dir / "link").symlink_to(outside)
        settings.data_dir.chmod(0o750)
    before = mode_problems(settings.data_dir)
    assert "data/archive/sub/file: 444, not 400" in before
    assert "data/state: 755, not 700" in before
    assert "data/cpmonitor.duckdb: 644, not 640" in before
    assert len(before) == 3 * len(PRIVATE) + 3 + 1

    settings.ensure_dirs()

    assert mode_problems(settings.data_dir) == []
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644
    assert (settings.data_dir / "state" / "sub" / "file").read_text() == "x"


@pytest.mark.parametrize("mode", [0o700, 0o600])
def test_mode_problems_finds_a_file_or_folder_left_open(tmp_path: Path, mode: int) -> None:
    settings = Settings.from_env(tmp_path / "data")
    settings.ensure_dirs()
    path = settings.quarantine_dir / "x"
    if mode == 0o700:
        path.mkdir()
        path.chmod(0o755)
    else:
        path.write_text("y")
        path.chmod(0o644)
    assert mode_problems(settings.data_dir) == [
        f"data/quarantine/x: {'755' if mode == 0o700 else '644'}, not {mode:o}"
    ]
