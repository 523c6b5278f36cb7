"""`cpmonitor report` and `cpmonitor export` on the fixture warehouse: every output a donor can be
given, none holding a value the donor's dashboard hides; the warehouse version named; clear errors.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner
from warehouse_fixture import SENTINEL_NEIGHBOUR, SENTINEL_SMALL, add_small_count

from cpmonitor.cli import EXPORT_FORMATS, app
from cpmonitor.core import users
from cpmonitor.core.published import open_published, warehouse_stamp
from cpmonitor.core.settings import Settings

RUNNER = CliRunner()
# How a hidden value could leak: the exact value, as the report rounds it, as the exports write it.
LEAKS = ("77.7777", "77.78", "77.8", "66.6666", "66.67", "66.7")


@pytest.fixture(scope="module")
def data_dir(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory serving the fixture, SS08 2018 in Southhill resting on 3 children."""
    folder = tmp_path_factory.mktemp("data")
    settings = Settings.from_env(folder)
    settings.warehouse_file.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(warehouse, settings.warehouse_file)
    with duckdb.connect(str(settings.warehouse_file)) as con:
        add_small_count(con)
    return folder


def _run(*args: str) -> str:
    result = RUNNER.invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def _text(path: Path) -> str:
    """Every character a reader of ``path`` could see."""
    if path.suffix == ".pdf":
        return subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
    if path.suffix == ".parquet":
        return pd.read_parquet(path).to_csv()
    if path.suffix == ".xlsx":
        book = load_workbook(path, read_only=True)
        return "\n".join(
            repr(cell)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
            for cell in row
        )
    return path.read_text(encoding="utf-8")


def test_no_donor_output_holds_a_hidden_value(data_dir: Path, tmp_path: Path) -> None:
    outputs = []
    for fmt in ("pdf", "html"):
        target = tmp_path / f"report.{fmt}"
        _run(
            "report",
            "--period",
            "2018",
            "--format",
            fmt,
            "--output",
            str(target),
            "--data-dir",
            str(data_dir),
        )
        outputs.append(target)
    for fmt, ext in EXPORT_FORMATS.items():
        if fmt == "sdmx-structure":
            continue
        target = tmp_path / f"export-{fmt}.{ext}"
        # DHIS2: the demo country's example mapping (its org units hold the fixture's codes)
        _run("export", "--format", fmt, "--output", str(target), "--data-dir", str(data_dir))
        outputs.append(target)
    assert len(outputs) == 9
    # a planner's report does show the value: the check below can fail
    planner = tmp_path / "planner.html"
    _run(
        "report",
        "--period",
        "2018",
        "--audience",
        "planner",
        "--format",
        "html",
        "--output",
        str(planner),
        "--data-dir",
        str(data_dir),
    )
    assert "77.8" in _text(planner)
    exact = tmp_path / "planner.csv"
    _run(
        "export",
        "--format",
        "csv",
        "--audience",
        "planner",
        "--output",
        str(exact),
        "--data-dir",
        str(data_dir),
    )
    assert "77.7777" in _text(exact) and "66.6666" in _text(exact)
    for path in outputs:
        text = _text(path)
        assert text.strip(), path
        found = [leak for leak in LEAKS if re.search(rf"(?<![\d.]){re.escape(leak)}(?!\d)", text)]
        assert found == [], f"{path.name} holds {found}"
    assert str(SENTINEL_SMALL) in LEAKS and str(SENTINEL_NEIGHBOUR) in LEAKS


def test_outputs_name_the_warehouse_version_and_are_logged(data_dir: Path, tmp_path: Path) -> None:
    settings = Settings.from_env(data_dir)
    with open_published(settings.warehouse_file) as con:
        version = warehouse_stamp(con).version
    assert version
    target = tmp_path / "values.csv"
    said = _run("export", "--format", "csv", "--output", str(target), "--data-dir", str(data_dir))
    assert version in said and "not shown" in said
    assert set(pd.read_csv(target).warehouse_version) == {version}
    html = tmp_path / "r.html"
    said = _run(
        "report",
        "--period",
        "2018",
        "--format",
        "html",
        "--output",
        str(html),
        "--data-dir",
        str(data_dir),
    )
    assert version in said and version in html.read_text()
    events = users.read_events(settings)
    details = [(e.event, e.role, e.detail) for e in events if e.event in ("export", "report")]
    assert ("export", "donor", f"csv from {version} to {target}") in details
    assert ("report", "donor", f"2018 html from {version} to {html}") in details


def test_default_file_names_carry_audience_and_version(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _run("export", "--format", "parquet", "--data-dir", str(data_dir))
    _run("report", "--period", "2018", "--format", "html", "--data-dir", str(data_dir))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 2
    assert re.fullmatch(r"cpmonitor-donor-\d{8}T\d{6,9}Z-\w+\.parquet", names[0]), names
    assert re.fullmatch(r"report-donor-2018-\d{8}T\d{6,9}Z-\w+\.html", names[1]), names


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["report", "--period", "2018-Q4"], "donor reports cover years only"),
        (["report", "--period", "2018", "--audience", "nobody"], "unknown role 'nobody'"),
        (["export", "--format", "dbf"], "Unknown format 'dbf'"),
        (["export", "--format", "csv", "--period-type", "month"], "does not see month periods"),
        (["export", "--format", "csv", "--warehouse-version", "nope"], "No kept warehouse version"),
    ],
)
def test_refusals_say_why(data_dir: Path, args: list[str], words: str) -> None:
    result = RUNNER.invoke(app, [*args, "--data-dir", str(data_dir)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert words in result.output
    assert "Traceback" not in result.output


def test_nothing_published_yet(tmp_path: Path) -> None:
    result = RUNNER.invoke(app, ["report", "--period", "2018", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "No warehouse published yet" in result.output
