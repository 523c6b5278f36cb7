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
    # under its entity: 3 files, 1 refused, no rows set aside, 1 late; March onwards has no
    # usable delivery.
    at = next(i for i, line in enumerate(lines) if line.split() == ["mosa"])
    assert lines[at + 1].split()[:5] == ["visits", "3", "1", "0", "1"]
    assert "Rows set aside" not in result.output
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


def test_status_lists_rows_set_aside_within_loaded_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file loaded with 2 of its 40 rows set aside: counted for its feed, and listed with why."""
    from ingest.ledger import LedgerRow, append_rows, read_ledger_table, write_ledger

    monkeypatch.setattr("cpmonitor.status.load_contracts", lambda: CONTRACTS)
    settings = Settings.from_env(tmp_path / "data")
    settings.ensure_dirs()
    source = "mosa/visits/2024-01/visits_2024-01.parquet"
    why = (
        "column 'visits': 2 rows have values outside the allowed range 0 to 99 (rows 7, 9: -1, 120)"
    )
    row = LedgerRow(
        source_file=source, entity="mosa", feed="visits", period="2024-01", sha256="a" * 64,
        size_bytes=900, rows=40, rows_rejected=2, status="loaded_with_rejections",
        reason=f"{source}: 2 of 40 rows rejected (kept in quarantine): {why}",
        received_at=dt.datetime(2024, 2, 5, 9), ingested_at=dt.datetime(2024, 2, 6, 6),
    )  # fmt: skip
    write_ledger(append_rows(read_ledger_table(settings.ledger_file), [row]), settings.ledger_file)

    result = runner.invoke(app, ["status", "--data-dir", str(settings.data_dir)])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.split() == ["mosa"])
    assert lines[at + 1].split()[:4] == ["visits", "1", "0", "2"]
    text = " ".join(result.output.split())
    assert (
        f"Rows set aside within loaded files (kept in quarantine): 2 of 40 rows of {source}" in text
    )
    assert f"rows of {source} {why}" in text


def test_version() -> None:
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith(f"cpmonitor {version('cpmonitor')} (DuckDB ")


def test_a_mistyped_data_directory_is_named_with_the_one_meant(tmp_path: Path) -> None:
    (tmp_path / "data" / "landing").mkdir(parents=True)
    for command in (["status"], ["run"], ["sql", "SELECT 1"], ["rollback"]):
        result = runner.invoke(app, [*command, "--data-dir", str(tmp_path / "dta")])
        assert result.exit_code == 2, (command, result.output)
        text = " ".join(result.output.split())
        assert text.startswith(f"No data directory at {tmp_path / 'dta'}.")
        assert f"Did you mean {tmp_path / 'data'}?" in text
    assert not (tmp_path / "dta").exists()  # nothing created by mistake


def test_run_on_an_empty_landing_zone_says_so_at_once_and_builds_nothing(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert text.startswith(
        f"Nothing to run: the landing zone {tmp_path / 'landing'} holds no delivery."
    )
    assert "previous warehouse" not in text
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_demo_on_a_busy_port_stops_before_generating(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(
            app, ["demo", "--data-dir", str(tmp_path / "d"), "--port", str(port)]
        )
    assert result.exit_code == 1
    assert f"Port {port} on 127.0.0.1 is already in use" in " ".join(result.output.split())
    assert "Dashboard at" not in result.output
    assert not (tmp_path / "d").exists()
