"""The synthetic demo country: layout, contracts, determinism, no-op re-runs, the story, geometry."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cpmonitor.core.contracts import load_contracts
from cpmonitor.core.settings import Settings
from demo_country import (
    COUNTRY_NAME,
    LandingZoneConflictError,
    arrow_schema,
    build_deliveries,
    generate,
    write_parquet_atomic,
)
from demo_country.feeds.placements import placement_deliveries
from demo_country.geography import Geography, _rings
from demo_country.messiness import NEVER_CORRECTED_KIND, REFUSED_KIND, REJECTED_KIND
from demo_country.sectors.care.institutions import allocate
from demo_country.sectors.care.placements import OPEN, REASONS, birthday_18

SMALL = {"seed": 11, "scale": 0.05, "start_year": 2016, "end_year": 2017}
STORY_SCALE = 0.25


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def digests(landing: Path) -> dict[str, str]:
    return {str(p.relative_to(landing)): sha256(p) for p in sorted(landing.rglob("*.parquet"))}


def read_feed(landing: Path, entity: str, feed: str) -> pd.DataFrame:
    parts = [
        pd.read_parquet(p).assign(_period=p.parent.name)
        for p in sorted((landing / entity / feed).glob("*/*.parquet"))
    ]
    return pd.concat(parts, ignore_index=True)


def latest_episodes(landing: Path) -> pd.DataFrame:
    """The latest delivered row of every episode, as the contract says it is used."""
    rows = read_feed(landing, "mosa", "placements").sort_values("_period", kind="stable")
    return rows.groupby("placement_id").tail(1).reset_index(drop=True)


def in_care_on(episodes: pd.DataFrame, day: str) -> int:
    """Episodes open at the end of ``day``: started on or before it, not ended by it."""
    start = pd.to_datetime(episodes["start_date"])
    end = pd.to_datetime(episodes["end_date"])
    on = pd.Timestamp(day)
    return int(((start <= on) & (end.isna() | (end > on))).sum())


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings.from_env(tmp_path_factory.mktemp("small"))
    generate(settings, **SMALL)
    return settings


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings.from_env(tmp_path_factory.mktemp("story"))
    generate(settings, seed=2016, scale=STORY_SCALE)
    return settings


# --- Small pure pieces, with expected values worked out by hand ------------------------------


def test_birthday_18_handles_leap_days() -> None:
    days = np.array(["2000-02-29", "2001-05-10", "2003-12-31"], dtype="datetime64[D]")
    got = birthday_18(days.astype(np.int64)).astype("datetime64[D]")
    expected = np.array(["2018-03-01", "2019-05-10", "2021-12-31"], dtype="datetime64[D]")
    assert (got == expected).all()


def test_allocate_uses_largest_remainders_and_minimum() -> None:
    # 10 * (1, 1, 2) / 4 = 2.5, 2.5, 5 -> floors 2, 2, 5; the one left goes to the first tie.
    assert allocate(10, np.array([1.0, 1.0, 2.0])).tolist() == [3, 2, 5]
    # minimum 1 each: 7 - 3 = 4 shared 4:0:0 -> 5, 1, 1.
    assert allocate(7, np.array([1.0, 0.0, 0.0]), minimum=1).tolist() == [5, 1, 1]


def test_rings_of_an_l_shape_and_a_corner_pinch() -> None:
    # Cells (0,0), (1,0), (0,1): one counter-clockwise ring of 6 corners.
    (ring,) = _rings({(0, 0), (1, 0), (0, 1)})
    assert ring[0] == ring[-1]
    assert set(ring) == {(0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2), (1, 0), (0, 1)}
    xs, ys = np.array(ring).T
    assert (xs[:-1] * ys[1:] - xs[1:] * ys[:-1]).sum() / 2 == 3.0  # area 3 cells, CCW
    # Two cells touching only at a corner: two separate unit squares, never a figure-eight.
    rings = _rings({(0, 0), (1, 1)})
    assert sorted(len(r) for r in rings) == [5, 5]


def test_write_parquet_atomic_leaves_no_temporary_file(tmp_path: Path) -> None:
    table = pa.table({"a": pa.array([1, 2, 3], pa.int64())})
    target = tmp_path / "x" / "file.parquet"
    write_parquet_atomic(table, target)
    write_parquet_atomic(table, target)
    assert pq.read_table(target).column("a").to_pylist() == [1, 2, 3]
    assert [p.name for p in target.parent.iterdir()] == ["file.parquet"]
    assert pq.ParquetFile(target).metadata.row_group(0).column(0).compression == "ZSTD"


def test_monthly_deliveries_split_an_episode_into_its_start_and_end_months() -> None:
    day = lambda text: int(np.datetime64(text, "D").astype(np.int64))  # noqa: E731
    geo = Geography(["01"], ["P"], ["{}"], ["0101"], ["D"], [0], ["{}"], [1])
    institutions = pd.DataFrame({"institution_id": ["RCI-0101-0001"]})
    children = pd.DataFrame(
        {
            "child": [0, 1, 2],
            "female": [True, False, True],
            "dob": [day("2010-01-01"), day("2012-06-01"), day("2008-03-03")],
            "disability": pd.array([False, None, True], dtype="boolean"),
        }
    )
    r = REASONS.index
    episodes = pd.DataFrame(
        {  # A: Mar -> Jul; B: open since 2015, ends Jan; C: Feb -> Feb; A again from Jul, open.
            "child": [0, 1, 2, 0],
            "care_type": [0, 0, 1, 2],
            "institution": [0, 0, -1, -1],
            "district": [0, 0, 0, 0],
            "start": [day("2016-03-05"), day("2014-02-01"), day("2016-02-02"), day("2016-07-20")],
            "end": [day("2016-07-20"), day("2016-01-31"), day("2016-02-20"), OPEN],
            "reason": [r("kinship_care"), r("aged_out"), r("ran_away"), -1],
        }
    )
    contract = load_contracts()["placements"]
    files = placement_deliveries(
        contract,
        np.random.default_rng(0),
        geo,
        institutions,
        children,
        episodes,
        np.datetime64("2016-01", "M"),
        8,
    )
    by_period = {f.period: f.table.to_pylist() for f in files}
    assert [f.period for f in files][:3] == ["2016-01", "2016-02", "2016-03"]
    assert {p: len(rows) for p, rows in by_period.items()} == {
        "2016-01": 1, "2016-02": 1, "2016-03": 1, "2016-04": 0,
        "2016-05": 0, "2016-06": 0, "2016-07": 2, "2016-08": 0,
    }  # fmt: skip
    (jan,) = by_period["2016-01"]
    assert (jan["start_date"].isoformat(), jan["exit_reason"]) == ("2014-02-01", "aged_out")
    (feb,) = by_period["2016-02"]  # started and ended in February: delivered once, closed
    assert (feb["care_type"], feb["end_date"].isoformat()) == ("foster", "2016-02-20")
    (march,) = by_period["2016-03"]
    assert march["end_date"] is None and march["exit_reason"] is None
    july = {row["care_type"]: row for row in by_period["2016-07"]}
    assert july["residential"]["exit_reason"] == "kinship_care"
    assert july["residential"]["end_date"].isoformat() == "2016-07-20"
    assert july["residential"]["placement_id"] == march["placement_id"]
    assert july["residential"]["institution_id"] == "RCI-0101-0001"
    assert july["kinship"]["end_date"] is None and july["kinship"]["institution_id"] is None
    assert {row["child_id"] for row in by_period["2016-07"]} == {"CH-0000001"}
    assert (jan["sex"], jan["disability"], march["disability"]) == ("M", None, False)


# --- The generated files ---------------------------------------------------------------------


def test_files_land_in_the_documented_layout(small: Settings) -> None:
    landing = small.landing_dir
    paths = [p.relative_to(landing) for p in landing.rglob("*.parquet")]
    # Every delivery: <entity>/<feed>/<period>/<entity>_<feed>_<period>.parquet, and a corrected
    # resubmission beside it as <entity>_<feed>_<period>_v2.parquet.
    resubmitted = 0
    for path in paths:
        entity, feed, period, name = path.parts
        base = f"{entity}_{feed}_{period}"
        assert name in (f"{base}.parquet", f"{base}_v2.parquet"), path
        if name.endswith("_v2.parquet"):
            resubmitted += 1
            assert (landing / path.parent / f"{base}.parquet").exists(), path
    assert resubmitted > 0
    care_feeds = {"admin_units", "population", "care_institutions", "placements"}
    found = {str(p) for p in paths if p.parts[1] in care_feeds}
    expected = {"nso/admin_units/2016/nso_admin_units_2016.parquet"}
    for year in (2016, 2017):
        expected.add(f"nso/population/{year}/nso_population_{year}.parquet")
        expected.add(f"mosa/care_institutions/{year}/mosa_care_institutions_{year}.parquet")
        for month in range(1, 13):
            period = f"{year}-{month:02d}"
            expected.add(f"mosa/placements/{period}/mosa_placements_{period}.parquet")
    assert found == expected
    assert not [p for p in landing.rglob("*") if p.is_file() and p.suffix != ".parquet"]


def test_every_file_matches_its_contract(small: Settings) -> None:
    """Every file but the few deliberately broken ones (rows ingest sets aside, files it refuses:
    ``demo_country.messiness``, tested in test_synthetic_messiness.py)."""
    contracts = load_contracts()
    broken = {
        d.relative_path
        for d in build_deliveries(**SMALL)
        if d.messiness.split(":")[0] in (REJECTED_KIND, REFUSED_KIND, NEVER_CORRECTED_KIND)
    }
    assert broken
    for path in small.landing_dir.rglob("*.parquet"):
        if path.relative_to(small.landing_dir) in broken:
            continue
        contract = contracts[path.parent.parent.name]
        assert path.parts[-4] == contract.owner
        assert contract.period_is_valid(path.parent.name)
        schema = pq.read_schema(path)
        assert schema.names == contract.column_names, path
        assert [f.type for f in schema] == [f.type for f in arrow_schema(contract)], path
        table = pq.read_table(path).to_pandas()
        for column in contract.columns:
            values = table[column.name]
            if column.required:
                assert values.notna().all(), (path, column.name)
            if column.allowed:
                assert set(values.dropna()) <= set(column.allowed), (path, column.name)
        if contract.primary_key:
            assert not table.duplicated(contract.primary_key).any(), path


def test_generation_is_deterministic(small: Settings, tmp_path: Path) -> None:
    other = Settings.from_env(tmp_path)
    generate(other, **SMALL)
    assert digests(other.landing_dir) == digests(small.landing_dir)


def test_rerun_is_a_no_op_and_reports_progress(small: Settings) -> None:
    before = {p: p.stat().st_mtime_ns for p in small.landing_dir.rglob("*.parquet")}
    calls: list[tuple[str, int, int]] = []
    summary = generate(small, **SMALL, progress=lambda *a: calls.append(a))
    assert summary.files_written == 0
    assert summary.files_unchanged == len(before)
    care = [
        p
        for p in before
        if p.parts[-3] in {"admin_units", "population", "care_institutions", "placements"}
    ]
    assert len(care) == 1 + 2 + 2 + 24
    assert summary.country_name == COUNTRY_NAME
    assert summary.landing_dir == small.landing_dir
    assert (
        summary.rows_by_feed["population"] == 2 * 100 * 2 * 25
    )  # years x districts x sex x ages 0-24
    assert {p: p.stat().st_mtime_ns for p in before} == before
    assert calls[-1][1:] == (len(before), len(before))


def test_different_data_in_the_landing_zone_is_never_overwritten(tmp_path: Path) -> None:
    settings = Settings.from_env(tmp_path)
    generate(settings, **SMALL)
    digest = digests(settings.landing_dir)
    with pytest.raises(
        LandingZoneConflictError,
        match=r"nso/admin_units/2016 .* and [0-9]+ more\. Landing files .* never modified",
    ):
        generate(settings, **{**SMALL, "seed": 12})
    assert digests(settings.landing_dir) == digest
    # Another file delivered for the same feed and period is a conflict as well.
    extra = settings.landing_dir / "nso" / "admin_units" / "2016" / "resubmission.parquet"
    extra.write_bytes(b"not ours")
    with pytest.raises(LandingZoneConflictError, match="nso/admin_units/2016"):
        generate(settings, **SMALL)


def test_every_district_has_a_province_and_a_valid_boundary(small: Settings) -> None:
    (path,) = (small.landing_dir / "nso" / "admin_units").rglob("*.parquet")
    units = pd.read_parquet(path)
    nation = units[units["level"] == "national"]
    assert nation[["unit_code", "unit_name"]].values.tolist() == [["NAT", COUNTRY_NAME]]
    assert nation["parent_code"].isna().all()
    provinces = units[units["level"] == "province"]
    districts = units[units["level"] == "district"]
    assert len(provinces) == 12 and 90 <= len(districts) <= 110
    assert provinces["parent_code"].isna().all()
    assert set(districts["parent_code"]) == set(provinces["unit_code"])
    assert (districts["unit_code"].str[:2] == districts["parent_code"]).all()
    assert districts.groupby("parent_code").size().between(5, 12).all()
    area_by_unit = {}
    for code, text in zip(units["unit_code"], units["boundary_geojson"], strict=True):
        geometry = json.loads(text)
        assert geometry["type"] in ("Polygon", "MultiPolygon")
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        area = 0.0
        for polygon in polygons:
            for k, ring in enumerate(polygon):
                xy = np.asarray(ring)
                assert len(xy) >= 4 and (xy[0] == xy[-1]).all(), code
                assert (
                    (xy[:, 0] > 100) & (xy[:, 0] < 110) & (xy[:, 1] > 8) & (xy[:, 1] < 17)
                ).all()
                signed = (xy[:-1, 0] * xy[1:, 1] - xy[1:, 0] * xy[:-1, 1]).sum() / 2
                assert (signed > 0) if k == 0 else (signed < 0), code  # RFC 7946 winding
                area += signed
        area_by_unit[code] = area
    # Districts tile their province: the areas add up (to rounding of coordinates).
    for code in provinces["unit_code"]:
        parts = sum(a for c, a in area_by_unit.items() if len(c) == 4 and c.startswith(code))
        assert parts == pytest.approx(area_by_unit[code], rel=1e-6)
    # Provinces tile the nation.
    parts = sum(area_by_unit[code] for code in provinces["unit_code"])
    assert parts == pytest.approx(area_by_unit["NAT"], rel=1e-6)


def test_first_delivery_holds_the_episodes_open_at_its_start(small: Settings) -> None:
    landing = small.landing_dir
    first = pd.read_parquet(landing / "mosa/placements/2016-01/mosa_placements_2016-01.parquet")
    older = first[pd.to_datetime(first["start_date"]) < "2016-01-01"]
    assert len(older) > 0.5 * round(16_500 * 0.05)
    later = read_feed(landing, "mosa", "placements")
    later = later[later["_period"] > "2016-01"]
    # Every episode that started before 2016 and shows up later was first delivered in 2016-01.
    pre = later[pd.to_datetime(later["start_date"]) < "2016-01-01"]
    assert set(pre["placement_id"]) <= set(older["placement_id"])
    # An episode delivered twice: open (no end) in its start month, closed in its end month.
    counts = read_feed(landing, "mosa", "placements").groupby("placement_id").size()
    assert counts.max() == 2


def test_episodes_of_a_child_never_overlap_and_ages_fit(small: Settings) -> None:
    episodes = latest_episodes(small.landing_dir)
    episodes = episodes.assign(
        start=pd.to_datetime(episodes["start_date"]),
        end=pd.to_datetime(episodes["end_date"]).fillna(pd.Timestamp("2100-01-01")),
        dob=pd.to_datetime(episodes["date_of_birth"]),
    ).sort_values(["child_id", "start", "end"])
    same_child = episodes["child_id"].eq(episodes["child_id"].shift())
    assert (episodes["start"] >= episodes["end"].shift())[same_child].all()
    assert (episodes["start"] > episodes["dob"]).all()
    assert (episodes["start"] < episodes["dob"] + pd.DateOffset(years=18)).all()
    assert (episodes.groupby("child_id")[["sex", "date_of_birth"]].nunique() == 1).all().all()
    residential = episodes["care_type"] == "residential"
    assert episodes.loc[residential, "institution_id"].notna().all()
    assert episodes.loc[~residential, "institution_id"].isna().all()
    ended = episodes["end_date"].notna()
    assert episodes.loc[ended, "exit_reason"].notna().all()
    assert episodes.loc[~ended, "exit_reason"].isna().all()


def test_residential_episodes_sit_in_their_institutions_district(small: Settings) -> None:
    landing = small.landing_dir
    register = pd.read_parquet(
        landing / "mosa/care_institutions/2017/mosa_care_institutions_2017.parquet"
    )
    episodes = latest_episodes(landing)
    residential = episodes[episodes["care_type"] == "residential"].merge(
        register[["institution_id", "district_code"]], on="institution_id", suffixes=("", "_inst")
    )
    assert len(residential) == (episodes["care_type"] == "residential").sum()
    assert (residential["district_code"] == residential["district_code_inst"]).all()
    # Every province has children in residential care at baseline, even at a small scale.
    at_baseline = residential[pd.to_datetime(residential["start_date"]) <= "2015-12-31"]
    assert at_baseline["district_code"].str[:2].nunique() == 12


# --- The story the demo tells ----------------------------------------------------------------


def test_residential_care_falls_as_in_the_story(story: Settings) -> None:
    episodes = latest_episodes(story.landing_dir)
    residential = episodes[episodes["care_type"] == "residential"]
    baseline = in_care_on(residential, "2015-12-31")
    assert abs(baseline - 16_500 * STORY_SCALE) <= 0.05 * 16_500 * STORY_SCALE
    assert 0.36 <= in_care_on(residential, "2020-12-31") / baseline <= 0.46
    assert in_care_on(residential, "2025-12-31") < in_care_on(residential, "2020-12-31")
    family = episodes[episodes["care_type"] != "residential"]
    assert 0 < in_care_on(family, "2016-12-31") < in_care_on(family, "2025-12-31") < baseline


def test_institutions_close_as_in_the_story(story: Settings) -> None:
    landing = story.landing_dir
    register = pd.read_parquet(
        landing / "mosa/care_institutions/2025/mosa_care_institutions_2025.parquet"
    )
    in_2018 = pd.read_parquet(
        landing / "mosa/care_institutions/2018/mosa_care_institutions_2018.parquet"
    )
    # A yearly register knows only closures up to its own year-end.
    assert (pd.to_datetime(in_2018["closed_date"].dropna()) <= "2018-12-31").all()
    assert set(in_2018["institution_id"]) <= set(register["institution_id"])

    def open_on(day: str) -> int:
        opened = pd.to_datetime(register["opened_date"])
        closed = pd.to_datetime(register["closed_date"])
        return int(((opened <= day) & (closed.isna() | (closed > day))).sum())

    base = open_on("2015-12-31")
    assert abs(base - 400 * STORY_SCALE) <= 0.05 * 400 * STORY_SCALE
    assert 0.38 <= 1 - open_on("2020-12-31") / base <= 0.48
    assert (pd.to_datetime(register["opened_date"]) > "2015-12-31").sum() >= 1
    episodes = latest_episodes(landing)
    residential = episodes[episodes["care_type"] == "residential"].merge(
        register[["institution_id", "closed_date"]], on="institution_id"
    )
    # Nobody stays in an institution after it closed.
    closed = residential["closed_date"].notna()
    ends = pd.to_datetime(residential.loc[closed, "end_date"])
    assert (ends.notna() & (ends <= pd.to_datetime(residential.loc[closed, "closed_date"]))).all()


def test_reintegration_passes_30_percent_around_2018_2019(story: Settings) -> None:
    episodes = latest_episodes(story.landing_dir)
    residential = episodes[episodes["care_type"] == "residential"]
    baseline = in_care_on(residential, "2015-12-31")
    end = pd.to_datetime(residential["end_date"])
    home = residential["exit_reason"].isin(["reintegrated_parents", "kinship_care"])

    def share_by(day: str) -> float:
        return ((end > "2015-12-31") & (end <= day) & home).sum() / baseline

    assert share_by("2017-12-31") < 0.30 <= share_by("2019-12-31")
    reasons = residential["exit_reason"].value_counts()
    assert reasons.index[0] == "reintegrated_parents"
    assert set(reasons.index) == set(REASONS)
