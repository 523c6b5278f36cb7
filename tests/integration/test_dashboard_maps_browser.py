"""The care page's map in headless Chromium: a planner drills from the provinces to a province's
districts by clicking the map (the place goes into the link as ``geo``) and back up with the
breadcrumb; a donor's map stays at the provinces and offers no drill.

Expected values from ``warehouse_fixture.py``: Northlake (01) holds Lakeshore (0101) and Reedmarsh
(0102); children in care at the end of 2018: the nation 2,142, Northlake 765 + 612 = 1,377,
Lakeshore 1000 - 5 * 47 = 765.

Screenshots (1400 px wide) go to pytest's tmp dir, and also to ``$CPMONITOR_SCREENSHOT_DIR``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from browser_helpers import (
    BROWSER_MARKS,
    LOCAL_HOSTS,
    launch_chromium,
    save,
    serving_fixture,
    signed_in_page,
)

from dashboards.pages import care

PASSWORD = "maps-password"

pytestmark = BROWSER_MARKS

# The locations of the map's coloured trace, read from the graph Plotly drew.
MAP_LOCATIONS = """() => {
  const plot = document.querySelector('#care-map-graph .js-plotly-plot');
  const trace = plot && plot.data && plot.data.find(t => t.type === 'choropleth');
  return trace ? Array.from(trace.locations) : null;
}"""
KPI = "() => document.querySelector('#care-kpi-children-value')?.innerText"


@pytest.fixture(scope="module")
def maps_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on the fixture warehouse where SS08 2018 in Southhill rests on 3 children
    (``add_small_count``: hidden from a donor, and Northlake with it); a planner and a donor may
    sign in."""
    accounts = [(f"maps-{role}", role, PASSWORD) for role in ("planner", "donor")]
    data_dir = tmp_path_factory.mktemp("maps-data")
    with serving_fixture(data_dir, accounts, small_count=True) as (url, _settings):
        yield url


@pytest.fixture(scope="module")
def chromium(maps_url: str) -> Iterator[object]:
    with launch_chromium() as browser:
        yield browser


def _signed_in(chromium, url: str, role: str):
    """A context of its own signed in as ``maps-{role}``: ``(context, page, errors, hosts)``."""
    return signed_in_page(chromium, url, f"maps-{role}", PASSWORD)


def _wait_for_map(page, locations: list[str]) -> None:
    """Wait until the map draws exactly ``locations``, in that order."""
    page.wait_for_function(
        f"expected => JSON.stringify(({MAP_LOCATIONS})()) === expected",
        arg=json.dumps(locations, separators=(",", ":")),
    )


def _geo(page) -> list[str] | None:
    return parse_qs(urlparse(page.url).query).get("geo")


def _click_area(page, index: int) -> None:
    page.locator("#care-map-graph path.choroplethlocation").nth(index).click(force=True)


def test_a_planner_drills_down_with_the_map_and_back_up_with_the_breadcrumb(
    chromium, maps_url: str, tmp_path: Path
) -> None:
    context, page, errors, hosts = _signed_in(chromium, maps_url + care.ROUTE.path, "planner")
    page.wait_for_selector("#care-map-graph path.choroplethlocation", state="attached")
    _wait_for_map(page, ["01", "02"])
    page.wait_for_function(f"() => ({KPI})() === '2,142'")
    assert page.inner_text("#care-map-breadcrumb").strip() == "Republic of Examplia"
    save(page, tmp_path, "maps_planner_nation.png")

    _click_area(page, 0)  # Northlake
    page.wait_for_function("() => new URL(location.href).searchParams.get('geo') === '01'")
    _wait_for_map(page, ["0101", "0102"])
    page.wait_for_function(f"() => ({KPI})() === '1,377'")
    assert _geo(page) == ["01"]
    trail = page.inner_text("#care-map-breadcrumb")
    assert "Republic of Examplia" in trail and "Northlake" in trail
    assert page.locator("#care-map-crumb-0").get_attribute("href").endswith("?geo=NAT")
    assert "by district, Northlake" in page.inner_text("#care-map-graph")
    page.wait_for_load_state("networkidle")
    save(page, tmp_path, "maps_planner_Northlake.png")

    _click_area(page, 0)  # Lakeshore: the same districts, Lakeshore outlined
    page.wait_for_function("() => new URL(location.href).searchParams.get('geo') === '0101'")
    page.wait_for_function(f"() => ({KPI})() === '765'")
    _wait_for_map(page, ["0101", "0102"])
    assert "Lakeshore" in page.inner_text("#care-map-breadcrumb")
    page.wait_for_load_state("networkidle")
    save(page, tmp_path, "maps_planner_Lakeshore.png")

    page.click("#care-map-crumb-0")  # the nation
    page.wait_for_function(
        "() => (new URL(location.href).searchParams.get('geo') || 'NAT') === 'NAT'"
    )
    _wait_for_map(page, ["01", "02"])
    page.wait_for_function(f"() => ({KPI})() === '2,142'")
    assert page.input_value("#care-province") == "NAT"
    assert errors == []
    assert set(hosts) <= LOCAL_HOSTS
    context.close()


def test_a_link_to_a_district_opens_the_drilled_map(chromium, maps_url: str) -> None:
    context, page, errors, _hosts = _signed_in(
        chromium, maps_url + care.ROUTE.path + "?geo=0102", "planner"
    )
    _wait_for_map(page, ["0101", "0102"])
    page.wait_for_function(f"() => ({KPI})() === '612'")  # Reedmarsh: 800 - 4 * 47
    assert page.input_value("#care-province") == "0102"
    assert errors == []
    context.close()


def test_a_donor_sees_provinces_only_and_no_drill(chromium, maps_url: str, tmp_path: Path) -> None:
    context, page, errors, hosts = _signed_in(chromium, maps_url + care.ROUTE.path, "donor")
    _wait_for_map(page, ["01", "02"])
    _click_area(page, 0)  # Northlake is chosen, the map stays at the provinces
    page.wait_for_function(f"() => ({KPI})() === '1,377'")
    page.wait_for_load_state("networkidle")
    _wait_for_map(page, ["01", "02"])
    assert page.locator("#care-map-breadcrumb").count() == 0
    body = page.inner_text("body")
    assert "Lakeshore" not in body and "Reedmarsh" not in body and "districts" not in body
    save(page, tmp_path, "maps_donor_Northlake.png")
    # A district's link reads as its province for a donor (Northlake), never as the district.
    page.goto(maps_url + care.ROUTE.path + "?geo=0101")
    _wait_for_map(page, ["01", "02"])
    page.wait_for_function(f"() => ({KPI})() === '1,377'")
    assert page.input_value("#care-province") == "01"
    assert "Lakeshore" not in page.inner_text("body")
    assert errors == []
    assert set(hosts) <= LOCAL_HOSTS
    context.close()


def test_a_hidden_place_is_grey_and_says_why_on_hover(
    chromium, maps_url: str, tmp_path: Path
) -> None:
    context, page, errors, _hosts = _signed_in(chromium, maps_url + "/indicator?code=SS08", "donor")
    areas = "#indicator-province-graph path.choroplethlocation"
    page.wait_for_selector(areas, state="attached")
    page.wait_for_load_state("networkidle")
    # The grey trace is drawn over the coloured one: its two places are the last two paths.
    grey = page.locator(areas)
    assert grey.count() == 4
    grey.nth(3).hover(force=True)
    page.wait_for_selector("#indicator-province-graph g.hovertext", state="attached")
    hover = page.locator("#indicator-province-graph g.hovertext").text_content()
    assert "Southhill" in hover and "Not shown (fewer than 5)" in hover
    assert "77.8" not in hover
    fill = grey.nth(3).evaluate("path => getComputedStyle(path).fill")
    assert fill == "rgb(201, 206, 214)", fill  # COLOURS["hidden"], #c9ced6
    save(page, tmp_path, "maps_donor_hidden_hover.png")
    assert errors == []
    context.close()
