"""The command-line tool as a user meets it before anything has run."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cpmonitor.cli import app

runner = CliRunner()


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("generate", "run", "serve", "demo", "status", "sql"):
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
