"""The command-line tool as a user meets it before anything has run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from test_publish import CONTRACTS, deliver, run
from typer.testing import CliRunner

from cpmonitor.cli import app
from cpmonitor.core.settings import Settings

runner = CliRunner()


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("generate", "run", "serve", "demo", "status", "sql", "rollback"):
        assert command in result.output


def test_status_on_a_new_installation_says_nothing_is_published(tmp_path: Path) -> None:
    result = runner.invoke(app, ["status", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "No warehouse published yet" in result.output
    assert "No files ingested yet" in result.output


def test_sql_without_a_warehouse_fails_clearly(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sql", "select 1", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "No warehouse published yet" in result.output


def test_status_shows_completeness_quarantine_and_the_live_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two months delivered (one late), March refused, published twice; in 80 columns."""
    monkeypatch.setattr("cpmonitor.status.load_contracts", lambda: CONTRACTS)
    settings = Settings.from_env(tmp_path / "data")
    deliver(settings, "2024-01", dt.datetime(2024, 2, 5, 9, tzinfo=dt.UTC))
    deliver(settings, "2024-02", dt.datetime(2024, 3, 20, 9, tzinfo=dt.UTC))
    first = run(settings)
    bad = settings.landing_dir / "mosa" / "visits" / "2024-03" / "visits_2024-03.parquet"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"not parquet")
    second = run(settings)

    result = runner.invoke(app, ["status", "--data-dir", str(settings.data_dir)])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert f"Live warehouse: version {second.run_id}" in result.output
    # entity/feed, 3 files, 2 loaded, 1 refused, 1 late; March onwards has no usable delivery.
    row = next(line for line in lines if "mosa/visits" in line and "│" in line)
    cells = [cell.strip() for cell in row.split("│")[1:-1]]
    assert cells[:5] == ["mosa/visits", "3", "2", "1", "1"]
    assert "  mosa/visits: 2024-03 to " in result.output
    assert "Quarantined files" in result.output
    assert "Parquet" in result.output
    versions = [line for line in lines if first.run_id in line or second.run_id in line]
    assert any(second.run_id in line and "live" in line for line in versions)
    assert any(first.run_id in line and "live" not in line for line in versions)


def test_rollback_command(tmp_path: Path) -> None:
    settings = Settings.from_env(tmp_path / "data")
    deliver(settings, "2024-01")
    first = run(settings)
    deliver(settings, "2024-02")
    second = run(settings)

    result = runner.invoke(app, ["rollback", "--data-dir", str(settings.data_dir)])
    assert result.exit_code == 0, result.output
    assert f"version {first.run_id} is live again" in result.output
    assert f"cpmonitor rollback --to {second.run_id}" in result.output

    result = runner.invoke(app, ["rollback", "--to", "nope", "--data-dir", str(settings.data_dir)])
    assert result.exit_code == 1
    assert "Not rolled back: no kept version 'nope'" in result.output
