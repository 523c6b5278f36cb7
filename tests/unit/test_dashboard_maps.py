"""Maps at province and district level: the district query, the area map, the drill on the care page
and its breadcrumb, and who sees what.

Expected values are worked out by hand from the rules in ``warehouse_fixture.py``: AC04 at 2018-12
(month index 47) is ``B - K * 47`` per district, so Lakeshore 1000 - 5*47 = 765, Reedmarsh
800 - 4*47 = 612 (Northlake 1377), Stonebridge 600 - 3*47 = 459, Hollowfield 400 - 2*47 = 306
(Southhill 765); AC03 is that over the child population times 100 000: Lakeshore 765 / 200 000 ->
382.5, Reedmarsh 612 / 150 000 -> 408.0, Stonebridge 459 / 120 000 and Hollowfield 306 / 80 000 ->
382.5 each.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dash
import duckdb
import pytest
from auth_helpers import DONOR, PLANNER, as_role
from dash import dcc, html
from warehouse_fixture import SENTINEL_NEIGHBOUR, SENTINEL_SMALL, add_small_count

from cpmonitor.core.settings import Settings
from dashboards import figures, queries
from dashboards.app import create_app
from dashboards.components import breadcrumb
from dashboards.pages import care

DISTRICT_CODES = ("0101", "0102", "0201", "0202")
DISTRICT_NAMES = ("Lakeshore", "Reedmarsh", "Stonebridge", "Hollowfield")


@pytest.fixture(scope="module")
def protected(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture where SS08 2018 in Southhill rests on 3 children, protected again."""
    path = tmp_path_factory.mktemp("protected") / "cpmonitor.duckdb"
    shutil.copyfile(warehouse, path)
    with duckdb.connect(str(path)) as con:
        add_small_count(con)
    return path


def _ids(fig) -> list[str]:
    """The codes of every boundary a map figure carries (all its choropleth traces)."""
    return sorted(
        {
            feature["id"]
            for trace in fig.data
            if trace.type == "choropleth"
            for feature in trace.geojson["features"]
        }
    )


# --- the query ----------------------------------------------------------------------------------


def test_district_values_of_a_province_add_up_to_it(warehouse: Path) -> None:
    districts = queries.area_values_latest(warehouse, "AC04", "01", "month", role=PLANNER)
    assert list(districts["geo_code"]) == ["0101", "0102"]
    assert list(districts["geo_name"]) == ["Lakeshore", "Reedmarsh"]
    assert list(districts["geo_level"]) == ["district", "district"]
    assert list(districts["value"]) == [765, 612]
    assert set(districts["period_label"]) == {"Dec 2018"}
    assert districts["boundary_geojson"].notna().all()
    provinces = queries.area_values_latest(warehouse, "AC04", "NAT", "month", role=PLANNER)
    assert list(provinces["geo_code"]) == ["01", "02"]
    assert list(provinces["value"]) == [1377, 765]


def test_the_district_query_takes_its_values_as_parameters(warehouse: Path) -> None:
    hostile = "01' OR 1=1 --"
    assert queries.area_values_latest(warehouse, "AC04", hostile, "month", role=PLANNER).empty
    assert (
        queries.area_values_latest(warehouse, hostile, "01", "month", role=PLANNER)["value"]
        .isna()
        .all()
    )


def test_a_donor_gets_no_district_from_the_queries(warehouse: Path) -> None:
    assert queries.area_values_latest(warehouse, "AC03", "01", role=DONOR).empty
    assert queries.area_values_latest(warehouse, "AC04", "02", "month", role=DONOR).empty
    assert list(queries.visible_places(warehouse, role=DONOR)["geo_code"]) == ["01", "02"]
    planner_places = queries.visible_places(warehouse, role=PLANNER)
    assert list(planner_places["geo_code"]) == ["01", "0101", "0102", "02", "0201", "0202"]


# --- the figure ---------------------------------------------------------------------------------


def test_the_district_map_draws_the_districts_of_one_province(warehouse: Path) -> None:
    districts = queries.area_values_latest(warehouse, "AC03", "01", "year", role=PLANNER)
    fig = figures.area_map(
        districts, title="T", number_format=",.1f", colourbar_title="x", selected="0102"
    )
    labels, areas = fig.data
    assert list(labels.text) == ["Lakeshore", "Reedmarsh"]
    assert list(areas.locations) == ["0101", "0102"]
    assert list(areas.z) == pytest.approx([382.5, 408.0])
    assert list(areas.marker.line.width) == [1.0, 3.0]
    assert _ids(fig) == ["0101", "0102"]
    assert fig.layout.geo.fitbounds == "locations"


def test_a_protected_role_sees_grey_with_the_reason_never_a_number(protected: Path) -> None:
    exact = queries.area_values_latest(protected, "SS08", "NAT", "year", role=PLANNER)
    assert list(exact["value"]) == pytest.approx([SENTINEL_NEIGHBOUR, SENTINEL_SMALL])
    seen = queries.area_values_latest(protected, "SS08", "NAT", "year", role=DONOR)
    assert list(seen["suppression_reason"]) == ["protects_another", "small_count"]
    fig = figures.area_map(seen, title="T", number_format=",.1f", colourbar_title="%")
    labels, areas, grey = fig.data
    assert list(grey.locations) == ["01", "02"]
    assert list(grey.text) == [
        "<b>Northlake</b><br>Not shown (protects another figure)",
        "<b>Southhill</b><br>Not shown (fewer than 5)",
    ]
    assert grey.colorscale[0][1] == figures.COLOURS["hidden"]
    assert all(z is None for z in areas.z) and areas.showscale is False
    sent = fig.to_json()
    assert "77.7777" not in sent and "66.6666" not in sent


def test_incomplete_reporting_and_no_report_are_grey_with_the_reason(warehouse: Path) -> None:
    # SS02 in 2018-Q4 rests on 2 of 3 deliveries: Stonebridge 0 and Hollowfield 2 * 3 = 6 cases.
    partial = queries.area_values_latest(warehouse, "SS02", "02", "quarter", role=PLANNER)
    assert list(partial["value"]) == [0, 6] and partial["is_partial"].all()
    fig = figures.area_map(partial, title="T", number_format=",.0f", colourbar_title="n")
    labels, areas, grey = fig.data
    assert list(grey.text) == [
        "<b>Stonebridge</b><br>Incomplete reporting (67% of deliveries)",
        "<b>Hollowfield</b><br>Incomplete reporting (67% of deliveries)",
    ]
    assert all(z is None for z in areas.z)
    # VE14 (a survey) has no district estimate at all: every district reads "No data".
    missing = queries.area_values_latest(warehouse, "VE14", "01", "year", role=PLANNER)
    assert list(missing["geo_code"]) == ["0101", "0102"] and missing["value"].isna().all()
    fig = figures.area_map(missing, title="T", number_format=",.1f", colourbar_title="%")
    assert [text.split("<br>")[1] for text in fig.data[2].text] == ["No data", "No data"]


def test_map_reason_in_plain_words() -> None:
    assert figures.map_reason({"value": 1.0, "suppressed": False, "is_partial": False}) is None
    assert figures.map_reason({"value": None, "suppressed": True}) == "Not shown (fewer than 5)"
    assert figures.map_reason({"value": 3.0, "is_partial": True, "coverage_pct": 100.0}) == (
        "Incomplete reporting"
    )
    assert figures.map_reason({"value": float("nan")}) == "No data"


# --- the drill on the care page -----------------------------------------------------------------


def test_the_care_map_drills_from_provinces_to_districts(warehouse: Path) -> None:
    *_rest, nation, _source = care.care_content(warehouse, "NAT", role=PLANNER)
    assert list(nation.data[1].locations) == ["01", "02"]
    assert "by province, 2018" in nation.layout.title.text
    *_rest, province, _source = care.care_content(warehouse, "01", role=PLANNER)
    assert list(province.data[1].locations) == ["0101", "0102"]
    assert list(province.data[1].z) == pytest.approx([382.5, 408.0])
    assert list(province.data[1].marker.line.width) == [1.0, 1.0]
    assert "by district, Northlake, 2018" in province.layout.title.text
    cards, *_rest, district, _source = care.care_content(warehouse, "0102", role=PLANNER)
    assert cards["care-kpi-children-value"].children == "612"
    assert list(district.data[1].locations) == ["0101", "0102"]
    assert list(district.data[1].marker.line.width) == [1.0, 3.0]  # Reedmarsh outlined


def test_without_district_boundaries_the_map_stays_at_the_provinces(
    warehouse: Path, tmp_path: Path
) -> None:
    path = tmp_path / "cpmonitor.duckdb"
    shutil.copyfile(warehouse, path)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "UPDATE main.dim_geography SET boundary_geojson = NULL WHERE geo_level = 'district'"
        )
    cards, *_rest, rate_map, _source = care.care_content(path, "0101", role=PLANNER)
    assert cards["care-kpi-children-value"].children == "765"  # Lakeshore's numbers still
    assert list(rate_map.data[1].locations) == ["01", "02"]
    assert list(rate_map.data[1].marker.line.width) == [3.0, 1.0]  # Northlake outlined
    assert "by province, 2018" in rate_map.layout.title.text


def test_map_view_and_breadcrumb_trail(warehouse: Path) -> None:
    places = queries.visible_places(warehouse, role=PLANNER)
    assert care.map_view("NAT", places, PLANNER) == ("NAT", None)
    assert care.map_view("02", places, PLANNER) == ("02", None)
    assert care.map_view("0201", places, PLANNER) == ("02", "0201")
    assert care.map_view("nowhere", places, PLANNER) == ("NAT", None)
    path = care.ROUTE.path
    assert care.map_trail("0201", places, "Republic of Examplia", PLANNER) == [
        ("Republic of Examplia", f"{path}?geo=NAT"),
        ("Southhill", f"{path}?geo=02"),
        ("Stonebridge", f"{path}?geo=0201"),
    ]
    assert care.map_trail("NAT", places, "Republic of Examplia", PLANNER) == [
        ("Republic of Examplia", f"{path}?geo=NAT")
    ]


def test_the_breadcrumb_links_up_and_names_the_current_place() -> None:
    nav = breadcrumb([("Examplia", "/?geo=NAT"), ("Northlake", "/?geo=01")], id_prefix="x")
    assert nav.id == "x-breadcrumb"
    first, last = nav.children.children
    assert isinstance(first.children, dcc.Link) and first.children.href == "/?geo=NAT"
    assert first.children.id == "x-crumb-0" and first.children.children == "Examplia"
    assert isinstance(last, html.Li) and last.children == "Northlake"
    assert "active" in last.className and last.id == "x-crumb-1"


def test_a_donor_never_gets_district_maps_values_or_drill(warehouse: Path) -> None:
    places = queries.visible_places(warehouse, role=DONOR)
    assert care.map_view("01", places, DONOR) == ("NAT", "01")
    assert care.map_trail("01", places, "Republic of Examplia", DONOR) == []
    for geo in ("NAT", "01", "0101", "0202"):
        cards, children, institutions, reintegration, rate_map, source = care.care_content(
            warehouse, geo, role=DONOR
        )
        assert _ids(rate_map) == ["01", "02"], geo
        sent = json.dumps(
            [rate_map.to_plotly_json(), children.to_plotly_json(), cards.to_plotly_json()],
            default=str,
        )
        for code, name in zip(DISTRICT_CODES, DISTRICT_NAMES, strict=True):
            assert f'"{code}"' not in sent and name not in sent, (geo, code)
    # A district in the link reads as the nation for a donor: 2,142 children at the end of 2018.
    cards, *_rest = care.care_content(warehouse, "0101", role=DONOR)
    assert cards["care-kpi-children-value"].children == "2,142"
    # The province a donor picks is outlined on the provinces' map.
    *_rest, rate_map, _source = care.care_content(warehouse, "02", role=DONOR)
    assert list(rate_map.data[1].marker.line.width) == [1.0, 3.0]
    shell = care.page_layout(warehouse, "0101", role=DONOR)
    assert [o["value"] for o in shell["care-province"].options] == ["NAT", "01", "02"]
    # A planner's link to Lakeshore opens, for a donor, on the nearest place they see: Northlake.
    assert shell["care-province"].value == "01"
    assert "districts" not in str(shell)


def test_the_breadcrumb_callback_by_role(warehouse: Path) -> None:
    app = create_app(Settings.from_env(warehouse.parent))
    with as_role(app, "planner"):
        trail = care.update_trail("0102")
        crumbs = trail.children.children
        assert [c.children.children for c in crumbs[:2]] == ["Republic of Examplia", "Northlake"]
        assert crumbs[2].children == "Reedmarsh"
        shell = care.layout(geo="0102")
        assert shell["care-province"].value == "0102"
    with as_role(app, "donor"):
        assert care.update_trail("01") is None
        assert care.layout(geo="0102")["care-province"].value == "01"  # Reedmarsh's province


def test_the_chosen_place_goes_into_the_link() -> None:
    assert care.geo_search("01", "") == "?geo=01"
    assert care.geo_search("0101", "?geo=01") == "?geo=0101"
    assert care.geo_search("NAT", "?province=02") == "?geo=NAT"
    assert care.geo_search("01", "?geo=01") is dash.no_update
    assert care.geo_search("NAT", "") is dash.no_update
