"""Dashboard query layer, headline numbers, figure builders and pages against the fixture warehouse.

Expected values are worked out by hand from the rules in ``warehouse_fixture.py``.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
import duckdb
import pandas as pd
import pytest
from auth_helpers import PLANNER, as_role, client_for
from dash_pages import page_layout, reset_pages
from warehouse_fixture import build_fixture_warehouse

from cpmonitor.core.settings import Settings
from dashboards import figures, kpis, queries
from dashboards.app import CONTENT_ID, app_pages, create_app, query_parameters, render_path
from dashboards.components import NOT_PUBLISHED
from dashboards.figures import _signed_area
from dashboards.pages import care, data_quality, discover_pages
from dashboards.words import EXACT_NOTE

HOSTILE = "01' OR 1=1 --"


# --- query layer -------------------------------------------------------------------------------


def test_country_and_provinces(warehouse: Path) -> None:
    assert queries.country_name(warehouse) == "Republic of Examplia"
    places = queries.provinces(warehouse)
    assert list(places["geo_code"]) == ["01", "02"]
    assert list(places["geo_name"]) == ["Northlake", "Southhill"]


def test_children_in_care_national_series(warehouse: Path) -> None:
    monthly = queries.indicator_series(warehouse, "AC04", "NAT", "month", role=PLANNER)
    assert len(monthly) == 48
    # Jan 2015: 1000 + 800 + 600 + 400; Dec 2018 (i = 47): 765 + 612 + 459 + 306.
    assert monthly["value"].iloc[0] == 2800
    assert monthly["value"].iloc[-1] == 2142
    assert monthly["period_label"].iloc[-1] == "Dec 2018"
    yearly = queries.indicator_series(warehouse, "AC04", "NAT", "year", role=PLANNER)
    # Year ends (i = 11, 23, 35, 47): 2646, then 168 fewer a year.
    assert list(yearly["value"]) == [2646, 2478, 2310, 2142]
    assert list(yearly["period_id"]) == ["2015", "2016", "2017", "2018"]


def test_province_series_excludes_sex_rows(warehouse: Path) -> None:
    series = queries.indicator_series(warehouse, "AC04", "01", "month", role=PLANNER)
    assert len(series) == 48  # one total per month, not three
    assert series["value"].iloc[-1] == 765 + 612


def test_institutions_and_reintegration(warehouse: Path) -> None:
    institutions = queries.indicator_series(warehouse, "AC05", "02", "year", role=PLANNER)
    assert list(institutions["value"]) == [14, 12, 10, 8]
    reintegration = queries.indicator_series(warehouse, "AC07", "NAT", "month", role=PLANNER)
    assert reintegration["period_id"].iloc[0] == "2015-12"
    assert reintegration["value"].iloc[0] == 0
    # 10 reintegrations a month for 36 months over 2646 children in care on 31 Dec 2015.
    assert reintegration["numerator"].iloc[-1] == 360
    assert reintegration["value"].iloc[-1] == pytest.approx(13.605442, abs=1e-6)


def test_province_values_latest_year(warehouse: Path) -> None:
    rates = queries.province_values_latest(warehouse, "AC03", "year", role=PLANNER)
    assert list(rates["geo_code"]) == ["01", "02"]
    assert list(rates["period_id"]) == ["2018", "2018"]
    assert rates["value"].tolist() == pytest.approx([1377 / 350_000 * 1e5, 382.5])
    assert rates["boundary_geojson"].notna().all()


def test_indicator_catalogue_entry(warehouse: Path) -> None:
    entry = queries.indicator(warehouse, "AC07")
    assert entry["target_value"] == 30
    assert entry["target_year"] == 2018
    assert entry["direction"] == "up"
    assert entry["baseline_date"] == pd.Timestamp("2015-12-31")
    assert queries.indicator(warehouse, "ZZ99") == {}


def test_hostile_province_matches_nothing(warehouse: Path) -> None:
    assert queries.indicator_series(warehouse, "AC04", HOSTILE, "month", role=PLANNER).empty
    assert queries.indicator(warehouse, "AC04' OR 1=1 --") == {}


def test_queries_cannot_read_other_files(warehouse: Path) -> None:
    with pytest.raises(duckdb.Error, match="disabled by configuration"):
        queries._fetch(warehouse, "SELECT * FROM read_csv('/etc/passwd')")


def test_missing_warehouse_raises_friendly_error(tmp_path: Path) -> None:
    with pytest.raises(queries.WarehouseNotPublishedError):
        queries.country_name(tmp_path / "cpmonitor.duckdb")


def test_audit_queries(warehouse: Path) -> None:
    assert queries.published_at(warehouse) == pd.Timestamp("2019-01-15 06:30", tz="UTC")
    feeds = queries.feed_summary(warehouse).set_index("feed")
    assert feeds.loc["placements", "files_loaded"] == 1
    assert feeds.loc["placements", "files_quarantined"] == 1
    assert feeds.loc["placements", "rows_loaded"] == 4210
    assert feeds.loc["population", "entity"] == "nso"
    assert (
        feeds.loc["population", "entity_name"]
        == "National Statistics Office (Ministry of Planning)"
    )
    # A contracted feed with no delivery is listed, with nothing received.
    assert feeds.loc["admin_units", "files_loaded"] == 0
    assert pd.isna(feeds.loc["admin_units", "last_received"])
    refused = queries.refused_files(warehouse)
    assert list(refused["source_file"]) == ["mosa/placements/2018-11/placements_nov_v2.parquet"]
    assert list(refused["entity_name"]) == ["Ministry of Social Affairs"]
    assert "date_of_placement" in refused["reason"].iloc[0]
    problems = queries.check_problems(warehouse)
    assert list(problems["severity"]) == ["warning", "warning"]
    assert queries.check_counts(warehouse) == {"passed": 2, "warned": 2, "failed": 0}


# --- headline numbers --------------------------------------------------------------------------


def test_children_change_since_the_catalogue_baseline(warehouse: Path) -> None:
    # The catalogue's AC04 baseline: 16,500 children on 31 Dec 2015; the fixture ends at 2,142.
    change = kpis.change_since_baseline(
        queries.indicator_series(warehouse, "AC04", "NAT", "month", role=PLANNER),
        baseline_value=16500,
        baseline_date="2015-12-31",
    )
    assert change is not None
    assert (change.latest, change.base, change.base_label) == (
        2142,
        16500,
        "the 31 Dec 2015 baseline",
    )
    assert change.difference == -14358


def test_children_change_without_a_baseline_uses_the_first_month(warehouse: Path) -> None:
    change = kpis.change_since_baseline(
        queries.indicator_series(warehouse, "AC04", "02", "month", role=PLANNER)
    )
    assert change is not None
    assert (change.latest, change.base, change.base_label) == (765, 1000, "end of Jan 2015")
    assert change.percent == pytest.approx(-23.5)


def test_exits_to_family_over_last_twelve_months(warehouse: Path) -> None:
    rolling = queries.rolling_rate(warehouse, "AC06", "NAT", role=PLANNER)
    assert rolling is not None
    assert rolling["value"] == pytest.approx(180 / 336 * 100)  # 53.57 %
    assert (rolling["first_label"], rolling["last_label"]) == ("Jan 2018", "Dec 2018")
    assert rolling["suppressed"] is False


def test_status_words_come_from_the_warehouse_status() -> None:
    # kpis only words the warehouse's status; the rule itself lives in fct_indicator_values.
    assert not hasattr(kpis, "target_status")
    assert kpis.status_text("on_track", "2017-12-31", 2018) == "On track"
    assert kpis.status_text("off_track", "2017-12-31", 2018) == "Off track"
    assert kpis.status_text("off_track", "2018-12-31", 2018) == "Target not reached"
    assert kpis.status_text("on_track", "2019-03-31", 2018) == "Target reached"
    assert kpis.status_text("no_target", "2018-12-31", None) == "No target set"


def test_reintegration_card_reads_status_from_the_warehouse(warehouse: Path) -> None:
    series = queries.indicator_series(warehouse, "AC07", "NAT", "month", role=PLANNER)
    last = series.iloc[-1]
    # 13.61 % against the 30 % target in the target year: off track, 45.35 % of the way.
    assert (last["status"], last["target_value"]) == ("off_track", 30)
    assert last["progress"] == pytest.approx(13.605442 / 30 * 100, abs=1e-4)
    # The card follows the warehouse even when its status disagrees with any local rule.
    flipped = series.assign(status="on_track")
    card = care._target_card("c", queries.indicator(warehouse, "AC07"), flipped, "NAT")
    assert "Target reached" in str(card) and "cp-good" in str(card)


def test_format_number_follows_catalogue() -> None:
    assert kpis.format_number(2142, ",.0f") == "2,142"
    assert kpis.format_number(13.60544, ",.1f") == "13.6"
    assert kpis.format_number(None, ",.1f") == "—"


# --- figures ------------------------------------------------------------------------------------


def test_target_figure_draws_catalogue_target(warehouse: Path) -> None:
    entry = queries.indicator(warehouse, "AC07")
    fig = figures.target_figure(
        queries.indicator_series(warehouse, "AC07", "NAT", "month", role=PLANNER),
        title="Reintegration",
        y_title="%",
        number_format=entry["number_format"],
        name="Reintegrated",
        target_value=entry["target_value"],
        target_year=entry["target_year"],
        unit=entry["unit"],
    )
    series, target = fig.data
    assert series.y[-1] == pytest.approx(13.605442, abs=1e-6)
    assert list(target.y) == [30.0, 30.0]
    assert target.name == "Target 30% by 2018"
    assert target.line.dash == "dash"
    assert pd.Timestamp(target.x[-1]) == pd.Timestamp("2018-12-31")
    assert fig.layout.annotations[0].text == "Target 30% by 2018"
    assert fig.layout.yaxis.ticksuffix == "%"


def test_province_map_is_self_contained(warehouse: Path) -> None:
    fig = figures.province_map(
        queries.province_values_latest(warehouse, "AC03", role=PLANNER),
        title="Map",
        number_format=",.1f",
        colourbar_title="per 100,000",
        selected="02",
    )
    labels, areas = fig.data
    assert labels.type == "scattergeo" and list(labels.text) == ["Northlake", "Southhill"]
    assert areas.type == "choropleth"
    assert list(areas.locations) == ["01", "02"]
    assert list(areas.z) == pytest.approx([393.428571, 382.5])
    assert areas.featureidkey == "properties.geo_code"
    assert list(areas.marker.line.width) == [1.0, 3.0]
    # Outer rings turned clockwise for plotly.js (the fixture writes them counter-clockwise).
    for feature in areas.geojson["features"]:
        assert _signed_area(feature["geometry"]["coordinates"][0]) < 0
    assert fig.layout.geo.fitbounds == "locations"
    assert fig.layout.geo.visible is False


def test_trend_figure_without_data_says_so() -> None:
    empty = pd.DataFrame(columns=["period_end", "value", "period_label"])
    fig = figures.trend_figure(empty, title="T", y_title="Y", number_format=",.0f", name="n")
    assert fig.data == ()
    assert "No data" in fig.layout.annotations[0].text


# --- pages and app ------------------------------------------------------------------------------


def test_care_content_for_a_province(warehouse: Path) -> None:
    cards, children, institutions, reintegration, rate_map, source = care.care_content(
        warehouse, "02", role=PLANNER
    )
    assert cards["care-kpi-children-value"].children == "765"
    assert cards["care-kpi-institutions-value"].children == "8"
    assert cards["care-kpi-reintegration-value"].children == "11.4%"  # 108 / 945
    assert cards["care-kpi-exits-value"].children == "50.0%"  # 60 / 120
    assert cards["care-kpi-children-detail"].children == "▼ 235 (−23.5%) since end of Jan 2015"
    assert "in Southhill" in children.layout.title.text
    assert institutions.data[0].y[-1] == 8
    assert reintegration.data[1].name == "Target 30% by 2018"
    # A planner at a province sees its districts: Stonebridge 459 / 120 000 and Hollowfield
    # 306 / 80 000 children per 100 000 at the end of 2018.
    assert list(rate_map.data[1].locations) == ["0201", "0202"]
    assert list(rate_map.data[1].z) == pytest.approx([382.5, 382.5])
    assert "Published 15 Jan 2019, 06:30 UTC." in source
    assert source.endswith(EXACT_NOTE)  # a planner sees exact values


def test_care_content_with_hostile_province_shows_national(warehouse: Path) -> None:
    cards, children, *_rest = care.care_content(warehouse, HOSTILE, role=PLANNER)
    assert cards["care-kpi-children-value"].children == "2,142"
    assert "nationally" in children.layout.title.text


def test_map_click_selects_province() -> None:
    assert care.province_from_map({"points": [{"location": "02", "z": 382.5}]}) == "02"
    assert care.province_from_map({"points": [{"lon": 105, "lat": 12}]}) is dash.no_update
    assert care.province_from_map(None) is dash.no_update


def test_pages_without_warehouse_show_friendly_message(tmp_path: Path) -> None:
    app = create_app(Settings.from_env(tmp_path / "nothing-yet"))
    with as_role(app):
        for path in ("/", "/data-quality", "/scorecard", "/indicator"):
            assert NOT_PUBLISHED in str(page_layout(app, path)())
        assert "Traceback" not in str(app.layout())
    assert app.server.test_client().get("/").status_code == 302  # to the sign-in page
    client, _headers = client_for(app, "planner")
    response = client.get("/")
    assert response.status_code == 200


def test_unreadable_warehouse_shows_a_calm_message_and_logs_the_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings.from_env(tmp_path)
    duckdb.connect(str(settings.warehouse_file)).close()  # a file with no tables in it
    app = create_app(settings)
    with as_role(app):
        for path in ("/", "/data-quality", "/scorecard", "/indicator"):
            assert "The data could not be read" in str(page_layout(app, path)())
    assert "warehouse query failed" in caplog.text
    assert "dim_geography" in caplog.text or "ingest_files" in caplog.text


def test_two_apps_in_one_process_keep_their_own_warehouse(warehouse: Path, tmp_path: Path) -> None:
    published = create_app(Settings.from_env(warehouse.parent))
    empty = create_app(Settings.from_env(tmp_path / "empty"))
    care_layout = page_layout(published, "/")
    assert page_layout(empty, "/") is care_layout  # the same page, reading each app's settings
    with as_role(published, path="/?province=02"):
        shell = care_layout(province="02")
        assert shell["care-province"].value == "02"
        # A planner also picks districts, each after its province.
        assert [o["value"] for o in shell["care-province"].options] == [
            "NAT", "01", "0101", "0102", "02", "0201", "0202"
        ]  # fmt: skip
        assert care_layout(province=HOSTILE)["care-province"].value == "NAT"
        assert care.update_page("01")[0]["care-kpi-children-value"].children == "1,377"
    with as_role(empty):
        assert NOT_PUBLISHED in str(care_layout())
        assert NOT_PUBLISHED in str(care.update_page("01")[0])


def test_pages_come_from_each_apps_own_registry(warehouse: Path, tmp_path: Path) -> None:
    reset_pages()
    first = create_app(Settings.from_env(warehouse.parent))
    second = create_app(Settings.from_env(tmp_path / "other"))
    assert dash.page_registry == {}  # Dash's process-global page registry is never written
    paths = ["/", "/scorecard", "/sector", "/indicator", "/data-quality", "/reports", "/audit-log",
             "/glossary"]  # fmt: skip
    assert [page.path for page in app_pages(first)] == paths
    assert [page.path for page in discover_pages()] == paths
    assert app_pages(first) is not app_pages(second)
    # Each page wired its callbacks to each app.
    for app in (first, second):
        wired = " ".join(app.callback_map)
        for output in ("care-kpis", "scorecard-sections", "indicator-content", CONTENT_ID):
            assert output in wired, output
    # The navbar: one link per page, labels and order from the pages.
    with as_role(first):
        links = [c for c in first.layout()._traverse() if isinstance(c, dbc.NavLink)]
    assert [(link.children, link.href) for link in links] == [
        ("Care reform", "/"),
        ("Scorecard", "/scorecard"),
        ("Sectors", "/sector"),
        ("Indicators", "/indicator"),
        ("Data quality", "/data-quality"),
        ("Reports", "/reports"),
        ("Glossary", "/glossary"),
    ]


def test_the_router_renders_the_page_at_the_url(warehouse: Path) -> None:
    app = create_app(Settings.from_env(warehouse.parent))
    with as_role(app):
        content, title = render_path(app, "/indicator/", "?code=SS02&geo=01&geo=02&junk=1")
        assert (content["indicator-code"].value, content["indicator-geo"].value) == ("SS02", "01")
        assert title == "Indicator · Child Protection Monitor"
        content, title = render_path(app, "/", "?province=" + HOSTILE)
        assert content["care-province"].value == "NAT"
        assert title == "Care reform · Child Protection Monitor"
        content, title = render_path(app, "/data-quality", None)
        assert "dq-feeds-table" in str(content)
        content, title = render_path(app, "/nowhere", "")
        assert "Page not found" in str(content) and title == "Child Protection Monitor"
    assert query_parameters("?code=AC06&code=X&geo=&a=1") == {"code": "AC06", "a": "1"}
    assert query_parameters(None) == {}


def test_a_page_module_must_declare_its_route(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "somepages"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "_helpers.py").write_text("VALUE = 1\n")  # left out: starts with _
    (package / "good.py").write_text(
        "from dashboards.pages import Route\n"
        "ROUTE = Route(path='/good', title='Good', nav_label='Good', order=1)\n"
        "def layout(**_query):\n    return 'good'\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        (page,) = discover_pages("somepages")
        assert (page.name, page.path, page.register_callbacks) == ("good", "/good", None)
        (package / "twin.py").write_text((package / "good.py").read_text())
        with pytest.raises(ValueError, match="share a path"):
            discover_pages("somepages")
        (package / "twin.py").unlink()
        (package / "broken.py").write_text("def layout():\n    return 'no route'\n")
        importlib.invalidate_caches()
        with pytest.raises(ValueError, match="needs ROUTE"):
            discover_pages("somepages")
    finally:
        for name in [n for n in sys.modules if n.split(".")[0] == "somepages"]:
            del sys.modules[name]


def test_reads_the_new_file_after_an_atomic_swap(tmp_path: Path) -> None:
    served = tmp_path / "cpmonitor.duckdb"
    build_fixture_warehouse(served)
    assert queries.country_name(served) == "Republic of Examplia"
    build = tmp_path / "builds" / "next.duckdb"
    build_fixture_warehouse(build)
    with duckdb.connect(str(build)) as con:
        con.execute("UPDATE main.dim_geography SET geo_name = 'Examplia' WHERE geo_code = 'NAT'")
    os.replace(build, served)
    assert queries.country_name(served) == "Examplia"


def test_reporting_completeness_on_the_data_quality_page(warehouse: Path, tmp_path: Path) -> None:
    frame = queries.reporting_completeness(warehouse)
    # Least complete first: population 75 %, placements 95.8 %, the register 100 %.
    assert list(frame["feed"]) == ["population", "placements", "care_institutions"]
    assert frame["feed_title"].iloc[1] == "Child placements in formal care"
    assert frame["entity_name"].iloc[0] == "National Statistics Office (Ministry of Planning)"
    page = str(data_quality.quality_content(warehouse, role=PLANNER))
    assert "Reporting completeness" in page
    for shown in ("dq-completeness-table", "96%", "92%", "2018-10 to 2018-11", "75%", "50%"):
        assert shown in page, shown

    # A warehouse published before completeness was recorded still shows the page.
    older = tmp_path / "older.duckdb"
    shutil.copyfile(warehouse, older)
    with duckdb.connect(str(older)) as con:
        con.execute("DROP TABLE audit.reporting_completeness_summary")
    assert queries.reporting_completeness(older).empty
    assert "not recorded in this warehouse yet" in str(
        data_quality.quality_content(older, role=PLANNER)
    )
