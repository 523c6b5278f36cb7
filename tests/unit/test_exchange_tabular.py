"""Tidy exports (CSV, Parquet, Excel) of the fixture warehouse: values, protection, the version,
byte-identical reruns and formulas defused. Expected values from tests/warehouse_fixture.py."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook
from warehouse_fixture import SENTINEL_NEIGHBOUR, SENTINEL_SMALL, add_small_count

from cpmonitor.core.access import load_access
from cpmonitor.core.published import open_published, warehouse_stamp
from cpmonitor.exchange.tabular import ExportError, export_tabular

POLICY = load_access()
DONOR = POLICY.role("donor")
PLANNER = POLICY.role("planner")


@pytest.fixture(scope="module")
def small_count_warehouse(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture with SS08 2018 in Southhill resting on 3 children, protected again."""
    target = tmp_path_factory.mktemp("small") / "cpmonitor.duckdb"
    shutil.copyfile(warehouse, target)
    with duckdb.connect(str(target)) as con:
        add_small_count(con)
    return target


def _export(warehouse: Path, role, fmt: str, output: Path, **kwargs):
    with open_published(warehouse) as con:
        return export_tabular(con, role, fmt, output, threshold=POLICY.threshold, **kwargs)


def _row(frame: pd.DataFrame, code: str, period: str, geo: str) -> pd.Series:
    found = frame[
        (frame.indicator_code == code)
        & (frame.period_id == period)
        & (frame.geo_code == geo)
        & (frame.disaggregation == "total")
    ]
    assert len(found) == 1, (code, period, geo)
    return found.iloc[0]


def test_planner_csv_holds_the_exact_values(warehouse: Path, tmp_path: Path) -> None:
    result = _export(warehouse, PLANNER, "csv", tmp_path / "planner.csv")
    frame = pd.read_csv(tmp_path / "planner.csv", dtype={"geo_code": str, "period_id": str})
    assert result.rows == len(frame) and result.suppressed == 0
    # AC04 children in residential care on 31 Dec 2018: 2142 nationally, 1377 and 765 by province
    assert _row(frame, "AC04", "2018", "NAT").value == 2142
    assert _row(frame, "AC04", "2018", "01").value == 1377
    assert _row(frame, "AC04", "2018-12", "0101").value == 1000 - 5 * 47
    # SS02 in Reedmarsh, a quarter: 3 referrals, exact for a planner
    assert _row(frame, "SS02", "2018-Q4", "0102").value == 3
    with open_published(warehouse) as con:
        version = warehouse_stamp(con).version
    assert version and set(frame.warehouse_version) == {version} == {result.warehouse_version}


def test_donor_exports_read_the_protected_table_only(
    small_count_warehouse: Path, tmp_path: Path
) -> None:
    result = _export(small_count_warehouse, DONOR, "csv", tmp_path / "donor.csv")
    frame = pd.read_csv(tmp_path / "donor.csv", dtype={"geo_code": str, "period_id": str})
    assert set(frame.period_type) == {"year"}
    assert set(frame.geo_level) == {"national", "province"}
    with duckdb.connect(str(small_count_warehouse), read_only=True) as con:
        expected = con.execute(
            "SELECT count(*), count(*) FILTER (suppressed) FROM protected.indicator_values "
            "WHERE audience = 'donor'"
        ).fetchone()
    assert (result.rows, result.suppressed) == expected
    small = _row(frame, "SS08", "2018", "02")
    neighbour = _row(frame, "SS08", "2018", "01")
    assert pd.isna(small.value) and pd.isna(small.numerator)
    assert small.suppressed and small.value_note == "Not shown (fewer than 5)"
    assert pd.isna(neighbour.value)
    assert neighbour.value_note == "Not shown (protects another figure)"
    # a shown donor value: AC04 nationally on 31 Dec 2018
    assert _row(frame, "AC04", "2018", "NAT").value == 2142


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_no_hidden_value_in_any_donor_file(
    small_count_warehouse: Path, tmp_path: Path, fmt: str
) -> None:
    output = tmp_path / f"donor.{fmt}"
    _export(small_count_warehouse, DONOR, fmt, output)
    if fmt == "csv":
        text = output.read_text()
    elif fmt == "parquet":
        text = pq.read_table(output).to_pandas().to_csv()
    else:
        book = load_workbook(output, read_only=True)
        text = "\n".join(
            repr(cell)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
            for cell in row
        )
    for sentinel in (SENTINEL_SMALL, SENTINEL_NEIGHBOUR):
        assert str(sentinel) not in text


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_the_same_warehouse_gives_the_same_bytes(warehouse: Path, tmp_path: Path, fmt: str) -> None:
    digests = set()
    for attempt in range(2):
        output = tmp_path / f"{attempt}.{fmt}"
        _export(warehouse, DONOR, fmt, output)
        digests.add(hashlib.sha256(output.read_bytes()).hexdigest())
    assert len(digests) == 1


def test_parquet_names_its_version(warehouse: Path, tmp_path: Path) -> None:
    result = _export(warehouse, DONOR, "parquet", tmp_path / "donor.parquet")
    metadata = pq.read_metadata(tmp_path / "donor.parquet").metadata
    assert metadata[b"cpmonitor.warehouse_version"].decode() == result.warehouse_version
    assert metadata[b"cpmonitor.audience"] == b"donor"


def test_workbook_has_about_a_sheet_per_sector_and_definitions(
    warehouse: Path, tmp_path: Path
) -> None:
    result = _export(warehouse, DONOR, "xlsx", tmp_path / "donor.xlsx")
    book = load_workbook(tmp_path / "donor.xlsx")
    assert book.sheetnames[0] == "About" and book.sheetnames[-1] == "Definitions"
    sectors = [name.split()[0] for name in book.sheetnames[1:-1]]
    assert sectors == ["AC", "JC", "VE", "SS"]  # the fixture's sectors, in the order of SECTORS
    about = {row[0]: row[1] for row in book["About"].iter_rows(min_row=2, values_only=True)}
    assert about["Warehouse version"] == result.warehouse_version
    assert "fewer than 5" in about["Protection"]
    for name in book.sheetnames:
        assert book[name].freeze_panes == "A2"
        assert book[name]["A1"].font.bold
    care = book[book.sheetnames[1]]
    header = [cell.value for cell in care[1]]
    rows = [dict(zip(header, r, strict=True)) for r in care.iter_rows(min_row=2, values_only=True)]
    ac04 = [
        r
        for r in rows
        if r["indicator_code"] == "AC04"
        and r["period_id"] == "2018"
        and r["geo_code"] == "NAT"
        and r["disaggregation"] == "total"
    ]
    assert [r["value"] for r in ac04] == [2142]
    assert {r["period_type"] for r in rows} == {"year"}  # a workbook holds years by default


def test_text_a_spreadsheet_would_run_is_defused(warehouse: Path, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.duckdb"
    shutil.copyfile(warehouse, hostile)
    with duckdb.connect(str(hostile)) as con:
        con.execute(
            "UPDATE main.dim_geography SET geo_name = '=HYPERLINK(\"x\")' WHERE geo_code = '01'"
        )
    _export(hostile, PLANNER, "csv", tmp_path / "p.csv")
    names = pd.read_csv(tmp_path / "p.csv", dtype=str).query("geo_code == '01'").geo_name
    assert set(names) == {'\'=HYPERLINK("x")'}
    _export(hostile, PLANNER, "xlsx", tmp_path / "p.xlsx")
    book = load_workbook(tmp_path / "p.xlsx")
    cells = [
        cell
        for sheet in book.worksheets[1:-1]
        for row in sheet.iter_rows(min_row=2)
        for cell in row
        if cell.value == '=HYPERLINK("x")'
    ]
    assert cells and {cell.data_type for cell in cells} == {"s"}  # text, not a formula


def test_periods_a_role_does_not_see_are_refused(warehouse: Path, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="donor audience does not see month periods"):
        _export(warehouse, DONOR, "csv", tmp_path / "x.csv", period_types=("month",))
    assert not (tmp_path / "x.csv").exists()
