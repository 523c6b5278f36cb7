"""The SDMX exchange: the published structure and SDMX-CSV files of the fixture warehouse, checked by
pysdmx against that structure, with hand-computed values (tests/warehouse_fixture.py)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from pysdmx.io import get_datasets
from warehouse_fixture import SENTINEL_NEIGHBOUR, SENTINEL_SMALL, add_small_count

from cpmonitor.core.access import load_access
from cpmonitor.core.catalogue import load_catalogue
from cpmonitor.core.published import open_published, published_values
from cpmonitor.exchange import sdmx

ACCESS = load_access()
PLANNER, DONOR = ACCESS.role("planner"), ACCESS.role("donor")
VERSION = "20190115T060000Z-abc123"  # the fixture's last published run


@pytest.fixture(scope="module")
def con(warehouse: Path):
    connection = open_published(warehouse)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def small_con(warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    """The fixture with the sentinel small count planted (SS08 2018, Southhill), protected again."""
    path = tmp_path_factory.mktemp("small") / "cpmonitor.duckdb"
    shutil.copy(warehouse, path)
    with duckdb.connect(str(path)) as writable:
        add_small_count(writable)
        writable.execute("CHECKPOINT")
    connection = open_published(path)
    yield connection
    connection.close()


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[])


def _written(
    con, role, tmp_path: Path, version: str = "2.1"
) -> tuple[sdmx.SdmxResult, pd.DataFrame]:
    result = sdmx.write_sdmx_csv(
        con, role, tmp_path / f"{role.name}-{version}.csv", sdmx_version=version
    )
    return result, _read(result.path)


def _row(frame: pd.DataFrame, **key: str) -> pd.Series:
    wanted = {"SEX": "_T", "AGE": "_T", "DISABILITY_STATUS": "_T", **key}
    rows = frame.loc[(frame[list(wanted)] == pd.Series(wanted)).all(axis=1)]
    assert len(rows) == 1, (key, len(rows))
    return rows.iloc[0]


def test_structure_is_sdmx_ml_with_parents_and_the_whole_catalogue(con, tmp_path: Path) -> None:
    path = sdmx.write_structure(con, tmp_path / "structure.xml")
    text = path.read_text(encoding="utf-8")
    assert "<mes:Prepared>2019-01-15T06:30:00Z</mes:Prepared>" in text  # the publication time
    from pysdmx.io import read_sdmx

    message = read_sdmx(path, validate=True)  # the SDMX-ML 2.1 schemas
    codelists = {c.id: c for c in message.structures if type(c).__name__ == "Codelist"}
    assert [code.id for code in codelists["CL_AREA"]] == [
        "NAT",
        "01",
        "02",
        "0101",
        "0102",
        "0201",
        "0202",
    ]
    assert '<str:Code id="0102">' in text and '<Ref id="01"/>' in text  # district -> province
    indicators = [code.id for code in codelists["CL_INDICATOR"]]
    assert len(indicators) == len(load_catalogue()) == 50
    assert "PT_CHLD_RES-CARE" in indicators and "AC03" not in indicators and "AC04" in indicators
    assert {c.id for c in codelists["CL_DISABILITY_STATUS"]} == {"PD", "PND", "_T"}


def test_committed_structure_is_up_to_date(con) -> None:
    """exchange/sdmx/ holds the structure of the demo country: regenerate it with
    ``write_structure`` when the catalogue or the mapping changes (only the header and the area
    codelist may differ from the fixture's)."""
    committed = sdmx.STRUCTURE_FILE.read_text(encoding="utf-8")
    assert sdmx.stale_structure_parts(committed, sdmx.structure_xml(con)) == []


def test_unicef_mapping_names_catalogue_codes_once() -> None:
    mapping = sdmx.unicef_indicator_codes()
    assert mapping["CR02"] == "PT_CHLD_Y0T4_REG" and mapping["CR04"] == "PT_F_20-24_MRD_U18"
    assert len(set(mapping.values())) == len(mapping)
    codes = sdmx.indicator_codes()
    assert codes["AC04"] == "AC04" and len(set(codes.values())) == 50


@pytest.mark.parametrize("version", ["2.1", "1.0"])
def test_planner_file_validates_and_holds_hand_checked_values(con, tmp_path: Path, version) -> None:
    result, frame = _written(con, PLANNER, tmp_path, version)
    assert sdmx.validate_sdmx_csv(result.path, con) == []
    assert result.rows == len(frame) == len(published_values(con, PLANNER))
    assert result.confidential == 0 and set(frame["OBS_CONF"]) == {"F"}
    assert result.warehouse_version == VERSION and set(frame["WAREHOUSE_VERSION"]) == {VERSION}
    ref_column = "STRUCTURE_ID" if version == "2.1" else "DATAFLOW"
    assert set(frame[ref_column]) == {"CPMONITOR:DF_CHILD_PROTECTION(1.0)"}
    assert (
        _row(frame, REF_AREA="NAT", INDICATOR="AC04", TIME_PERIOD="2018-12")["OBS_VALUE"] == "2142"
    )
    assert (
        _row(frame, REF_AREA="01", INDICATOR="AC04", TIME_PERIOD="2018-12")["OBS_VALUE"] == "1377"
    )
    female = _row(frame, REF_AREA="NAT", INDICATOR="AC04", TIME_PERIOD="2018-12", SEX="F")
    assert female["OBS_VALUE"] == str(round(0.45 * 2142)) and female["UNIT_MEASURE"] == "NUMBER"
    # an exact role sees the small count a donor never does (Reedmarsh, 2018 Q4: 3)
    assert _row(frame, REF_AREA="0102", INDICATOR="SS02", TIME_PERIOD="2018-Q4")["OBS_VALUE"] == "3"
    partial = _row(frame, REF_AREA="NAT", INDICATOR="SS02", TIME_PERIOD="2018-Q4")
    assert partial["OBS_VALUE"] == "18" and partial["OBS_STATUS"] == "P" and partial["OBS_FOOTNOTE"]
    age = _row(frame, REF_AREA="NAT", INDICATOR="SS02", TIME_PERIOD="2018-Q4", AGE="Y10T14")
    assert age["OBS_VALUE"] == "6"
    disabled = _row(
        frame, REF_AREA="NAT", INDICATOR="SS02", TIME_PERIOD="2018-Q4", DISABILITY_STATUS="PD"
    )
    assert disabled["OBS_VALUE"] == "3"
    survey = _row(frame, REF_AREA="NAT", INDICATOR="PT_CHLD_1-14_PS-PSY-V_CGVR", TIME_PERIOD="2018")
    assert (survey["OBS_VALUE"], survey["LOWER_BOUND"], survey["UPPER_BOUND"]) == (
        "55.5",
        "51.2",
        "59.8",
    )
    rate = _row(frame, REF_AREA="NAT", INDICATOR="PT_CHLD_RES-CARE", TIME_PERIOD="2018")
    assert float(rate["OBS_VALUE"]) == pytest.approx(2142 / 550_000 * 100_000)
    assert rate["UNIT_MEASURE"] == "RATE_100000" and rate["UNIT_MULTIPLIER"] == "0"


@pytest.mark.parametrize("version", ["2.1", "1.0"])
def test_pysdmx_reads_both_versions_against_the_structure(con, tmp_path: Path, version) -> None:
    result, _frame = _written(con, DONOR, tmp_path, version)
    structure = sdmx.write_structure(con, tmp_path / "structure.xml")
    (dataset,) = get_datasets(result.path, structure)
    assert dataset.structure.short_urn == "Dataflow=CPMONITOR:DF_CHILD_PROTECTION(1.0)"
    assert dataset.attributes == {"WAREHOUSE_VERSION": VERSION}
    assert len(dataset.data) == result.rows


def test_donor_sees_years_of_the_nation_and_provinces_only(con, tmp_path: Path) -> None:
    result, frame = _written(con, DONOR, tmp_path)
    assert sdmx.validate_sdmx_csv(result.path, con) == []
    assert set(frame["REF_AREA"]) == {"NAT", "01", "02"}
    assert frame["TIME_PERIOD"].str.fullmatch(r"\d{4}").all()
    assert _row(frame, REF_AREA="NAT", INDICATOR="AC04", TIME_PERIOD="2018")["OBS_VALUE"] == "2142"


def test_hidden_values_are_confidential_and_never_leak(small_con, tmp_path: Path) -> None:
    result, frame = _written(small_con, DONOR, tmp_path)
    assert sdmx.validate_sdmx_csv(result.path, small_con) == []
    protected = small_con.execute(
        "SELECT indicator_code, geo_code, period_id, disaggregation, disaggregation_value "
        "FROM protected.indicator_values WHERE audience = 'donor' AND suppressed"
    ).df()
    assert len(protected) >= 2 and result.confidential == len(protected)
    hidden = frame[frame["OBS_CONF"] == "C"]
    assert len(hidden) == len(protected)
    assert (hidden["OBS_VALUE"] == "NaN").all() and (hidden["OBS_STATUS"] == "Q").all()
    assert (hidden[["LOWER_BOUND", "UPPER_BOUND"]] == "").all().all()
    southhill = _row(frame, REF_AREA="02", INDICATOR="SS08", TIME_PERIOD="2018")
    assert southhill["OBS_CONF"] == "C"
    text = result.path.read_text(encoding="utf-8")
    for sentinel in (SENTINEL_SMALL, SENTINEL_NEIGHBOUR):
        assert str(sentinel) not in text
    assert not (frame["OBS_VALUE"] == "").any()  # never "leave unchanged"
    # the planner, reading exact values, sees the sentinel and no confidential cell
    exact, planner = _written(small_con, PLANNER, tmp_path)
    assert exact.confidential == 0 and str(SENTINEL_SMALL) in exact.path.read_text(encoding="utf-8")
    assert set(planner["OBS_CONF"]) == {"F"}


def test_same_warehouse_same_bytes(con, tmp_path: Path) -> None:
    for version in ("2.1", "1.0"):
        first = sdmx.write_sdmx_csv(con, DONOR, tmp_path / "a.csv", sdmx_version=version)
        second = sdmx.write_sdmx_csv(con, DONOR, tmp_path / "b.csv", sdmx_version=version)
        assert first.path.read_bytes() == second.path.read_bytes()
    one = sdmx.write_structure(con, tmp_path / "one.xml").read_bytes()
    assert one == sdmx.write_structure(con, tmp_path / "two.xml").read_bytes()


def test_unknown_codes_fail_with_a_clear_message(con) -> None:
    values = published_values(con, DONOR)
    areas = {"NAT", "01", "02", "0101", "0102", "0201", "0202"}
    with pytest.raises(sdmx.SdmxError, match="place 'XX'.*REF_AREA"):
        sdmx.observations(values.assign(geo_code="XX"), areas)
    with pytest.raises(sdmx.SdmxError, match="indicator 'ZZ99'.*catalogue"):
        sdmx.observations(values.assign(indicator_code="ZZ99"), areas)
    broken = values.copy()
    broken.loc[broken.index[0], ["disaggregation", "disaggregation_value"]] = ["sex", "other"]
    with pytest.raises(sdmx.SdmxError, match="breakdown sex='other' has no SDMX code"):
        sdmx.observations(broken, areas)
    with pytest.raises(sdmx.SdmxError, match="not one of"):
        sdmx.write_sdmx_csv(con, DONOR, Path("unused.csv"), sdmx_version="3.0")


def test_validation_finds_what_is_wrong(con, tmp_path: Path) -> None:
    result, frame = _written(con, DONOR, tmp_path)

    def problems_of(changed: pd.DataFrame) -> list[str]:
        path = tmp_path / "changed.csv"
        buffer = io.StringIO()
        changed.to_csv(buffer, index=False)
        path.write_text(buffer.getvalue(), encoding="utf-8")
        return sdmx.validate_sdmx_csv(path, con)

    wrong_code = frame.copy()
    wrong_code.loc[0, "SEX"] = "X"
    assert any("SEX" in p and "CL_SEX" in p for p in problems_of(wrong_code))
    empty = frame.copy()
    empty.loc[0, "OBS_VALUE"] = ""
    assert any("leave unchanged" in p for p in problems_of(empty))
    leak = frame.copy()
    leak.loc[0, "OBS_CONF"] = "C"
    assert any("confidential" in p and "carry a value" in p for p in problems_of(leak))
    twice = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    assert any("share a series key" in p for p in problems_of(twice))
    not_a_number = frame.copy()
    not_a_number.loc[0, "OBS_VALUE"] = "lots"
    assert any("not numbers" in p for p in problems_of(not_a_number))
