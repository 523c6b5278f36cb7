"""A dashboard view as a link (``dashboards.urlstate``): encoding, fallbacks per role, relative
ranges, and the indicator page following them, against the fixture warehouse.

Expected values are worked out by hand from ``warehouse_fixture.py``: months 2015-01 to 2018-12
(with their quarters and years), so the latest published period is 2018-12 (2018-12-31).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dash
import pandas as pd
import pytest
from auth_helpers import DONOR, PLANNER, as_role
from dash_pages import page_layout

from cpmonitor.core.settings import Settings
from dashboards import queries, urlstate
from dashboards.app import create_app, follows_query
from dashboards.pages import indicator
from dashboards.urlstate import IndicatorView

MONTHS_2018 = [f"2018-{m:02d}" for m in range(1, 13)]


def view(warehouse: Path, role=PLANNER, **query: str) -> IndicatorView:
    return urlstate.indicator_view(warehouse, query, role=role)


def shown(warehouse: Path, role=PLANNER, **query: str) -> list[str]:
    return list(
        urlstate.view_periods(warehouse, view(warehouse, role, **query), role=role)["period_id"]
    )


# --- encoding -----------------------------------------------------------------------------------


def test_a_view_is_written_in_one_order_and_read_back_the_same(warehouse: Path) -> None:
    month = IndicatorView("AC06", "01", "month", "last12m")
    assert urlstate.search(urlstate.indicator_query(month)) == (
        "?code=AC06&geo=01&period=month&range=last12m"
    )
    custom = IndicatorView("AC05", "NAT", "year", urlstate.CUSTOM, "2016", "2017")
    assert urlstate.search(urlstate.indicator_query(custom)) == (
        "?code=AC05&geo=NAT&period=year&from=2016&to=2017"
    )
    everything = IndicatorView("SS02", "02", "quarter")  # range "all" is left out of the link
    assert urlstate.indicator_query(everything) == {
        "code": "SS02",
        "geo": "02",
        "period": "quarter",
    }
    for original in (month, custom, everything, IndicatorView("JC04", "NAT", "month", "thisyear")):
        link = urlstate.search(urlstate.indicator_query(original))
        assert view(warehouse, **urlstate.query_parameters(link)) == original, link
    assert urlstate.search(urlstate.care_query("NAT")) == ""
    assert urlstate.search(urlstate.care_query("02")) == "?geo=02"


def test_period_ids_snap_to_the_period_type_that_holds_them() -> None:
    assert urlstate.period_bounds("2016-Q2") == (dt.date(2016, 4, 1), dt.date(2016, 6, 30))
    assert urlstate.period_bounds("2016-02") == (dt.date(2016, 2, 1), dt.date(2016, 2, 29))
    for junk in ("2016-13", "2016-Q5", "16", "2016-1", "'; DROP TABLE x", "", None, "0999"):
        assert urlstate.period_bounds(junk) is None, junk
    assert urlstate.snap("2016-03", "year") == "2016"
    assert urlstate.snap("2016-03", "quarter") == "2016-Q1"
    assert urlstate.snap("2016", "month") == "2016-01"
    assert urlstate.snap("2016", "month", end=True) == "2016-12"
    assert urlstate.snap("2016-Q3", "month", end=True) == "2016-09"


# --- relative ranges ----------------------------------------------------------------------------


def test_relative_windows_count_back_from_the_anchor() -> None:
    december = dt.date(2018, 12, 31)
    assert urlstate.relative_window("last12m", december) == (dt.date(2018, 1, 1), december)
    assert urlstate.relative_window("thisyear", december) == (dt.date(2018, 1, 1), december)
    assert urlstate.relative_window("last3y", december) == (dt.date(2016, 1, 1), december)
    assert urlstate.relative_window("last5y", december) == (dt.date(2014, 1, 1), december)
    assert urlstate.relative_window("all", december) == (None, None)
    june = dt.date(2018, 6, 30)  # a mid-year anchor: 12 months back is July of the year before
    assert urlstate.relative_window("last12m", june) == (dt.date(2017, 7, 1), june)
    assert urlstate.relative_window("thisyear", june) == (dt.date(2018, 1, 1), june)
    assert urlstate.relative_window("last5y", june) == (dt.date(2013, 7, 1), june)


def test_relative_ranges_against_the_fixture_months(warehouse: Path) -> None:
    # The anchor is the latest published month, 2018-12, not today's date.
    assert queries.latest_period_end(warehouse, "month", role=PLANNER) == pd.Timestamp("2018-12-31")
    assert shown(warehouse, code="AC06", period="month", range="last12m") == MONTHS_2018
    assert shown(warehouse, code="AC06", period="month", range="thisyear") == MONTHS_2018
    assert len(shown(warehouse, code="AC06", period="month", range="last3y")) == 36
    assert shown(warehouse, code="AC06", period="month", range="last3y")[0] == "2016-01"
    assert len(shown(warehouse, code="AC06", period="month", range="all")) == 48
    assert shown(warehouse, code="AC06", period="quarter", range="last12m") == [
        "2018-Q1", "2018-Q2", "2018-Q3", "2018-Q4",
    ]  # fmt: skip
    assert shown(warehouse, code="AC05", period="year", range="last3y") == ["2016", "2017", "2018"]
    # Five years back reach 2014: the fixture starts in 2015, so every year is shown.
    assert shown(warehouse, code="AC05", period="year", range="last5y") == [
        "2015", "2016", "2017", "2018",
    ]  # fmt: skip
    # A donor sees years only: the last 12 months are the year 2018.
    assert shown(warehouse, DONOR, code="AC06", period="month", range="last12m") == ["2018"]
    # An explicit range, as years or as month ids.
    assert shown(warehouse, code="AC05", period="year", **{"from": "2016", "to": "2017"}) == [
        "2016", "2017",
    ]  # fmt: skip
    months = shown(warehouse, code="AC04", period="month", **{"from": "2016-11", "to": "2017-02"})
    assert months == ["2016-11", "2016-12", "2017-01", "2017-02"]


# --- fallbacks ----------------------------------------------------------------------------------


def test_unknown_or_forbidden_values_fall_back_to_the_nearest_allowed(warehouse: Path) -> None:
    # A donor sees whole years only: a planner's month link reads as years, range kept.
    assert view(warehouse, DONOR, code="AC06", geo="01", period="month", range="last12m") == (
        IndicatorView("AC06", "01", "year", "last12m")
    )
    assert view(warehouse, PLANNER, code="AC06", period="month").period == "month"
    # SS02 has quarters and years: a month link reads as quarters (the nearest).
    assert view(warehouse, code="SS02", period="month").period == "quarter"
    # JC04 has months and years, no quarters: a tie goes to the coarser, years.
    assert view(warehouse, code="JC04", period="quarter").period == "year"
    assert view(warehouse, code="JC04").period == "year"  # none asked: whole years first
    assert view(warehouse, code="JC04", period="decade").period == "year"
    # A district is not a place these pages offer: its province, for a planner and a donor.
    assert view(warehouse, PLANNER, code="AC06", geo="0101").geo == "01"
    assert view(warehouse, DONOR, code="AC06", geo="0202").geo == "02"
    for junk in ("ZZ", "01' OR 1=1 --", ""):
        assert view(warehouse, code="AC06", geo=junk).geo == "NAT"
    # An unknown indicator: the page's default; an unknown range: all.
    assert view(warehouse, code="NOPE", range="forever") == IndicatorView("AC06", "NAT", "year")
    # Month bounds for a donor (years only) snap to the years holding them.
    custom = view(
        warehouse, DONOR, code="AC05", period="month", **{"from": "2016-03", "to": "2017-06"}
    )
    assert custom == IndicatorView("AC05", "NAT", "year", urlstate.CUSTOM, "2016", "2017")
    # ... by quarter for a planner; bounds the wrong way round are swapped.
    swapped = view(warehouse, code="AC05", period="quarter", **{"from": "2017-06", "to": "2016-03"})
    assert (swapped.start, swapped.end) == ("2016-Q1", "2017-Q2")
    # Bounds outside the data move onto the indicator's own periods; junk bounds are left out.
    wide = view(warehouse, code="AC05", period="year", **{"from": "2001", "to": "2030"})
    assert (wide.start, wide.end) == ("2015", "2018")
    half = view(warehouse, code="AC05", period="year", **{"from": "junk", "to": "2016"})
    assert (half.range, half.start, half.end) == (urlstate.CUSTOM, None, "2016")
    assert view(warehouse, code="AC05", **{"from": "junk", "to": "x"}).range == urlstate.ALL


def test_the_care_place_falls_back_by_the_same_rule(warehouse: Path) -> None:
    places = queries.places(warehouse)
    planner = ["NAT", "01", "02", "0101", "0102", "0201", "0202"]  # the picker offers districts
    donor = ["NAT", "01", "02"]

    def place(query: dict[str, str], allowed: list[str], role) -> str:
        return urlstate.read_care_place(query, allowed=allowed, places=places, role=role)

    assert place({"geo": "0101"}, planner, PLANNER) == "0101"
    assert place({"geo": "0101"}, donor, DONOR) == "01"  # Lakeshore is in Northlake
    assert place({"province": "0202"}, donor, DONOR) == "02"  # the older name still read
    assert place({"geo": "02", "province": "01"}, donor, DONOR) == "02"
    assert place({"geo": "Z' OR 1=1 --"}, planner, PLANNER) == "NAT"
    assert place({}, planner, PLANNER) == "NAT"
    assert urlstate.care_query("NAT") == {}
    assert urlstate.search(urlstate.care_query("0101")) == "?geo=0101"


# --- the indicator page -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(warehouse: Path) -> dash.Dash:
    return create_app(Settings.from_env(warehouse.parent))


def test_the_page_opens_on_the_view_of_its_link(app: dash.Dash) -> None:
    layout = page_layout(app, "/indicator")
    query = {"code": "AC05", "geo": "02", "period": "year", "from": "2016", "to": "2017"}
    with as_role(app, "planner"):
        shell = layout(**query)
        assert shell["indicator-code"].value == "AC05"
        assert shell["indicator-geo"].value == "02"
        assert shell["indicator-period"].value == "year"
        assert shell["indicator-range"].value == urlstate.CUSTOM
        assert (shell["indicator-from"].value, shell["indicator-to"].value) == ("2016", "2017")
        assert [o["value"] for o in shell["indicator-from"].options] == [
            "2015",
            "2016",
            "2017",
            "2018",
        ]
        assert shell["indicator-custom-box"].style["display"] == "flex"
        # The page's own location carries the canonical link, so mounting it pushes nothing.
        assert shell["indicator-location"].search == (
            "?code=AC05&geo=02&period=year&from=2016&to=2017"
        )
    with as_role(app, "donor"):
        shell = layout(code="AC06", period="month", range="last12m")
        assert shell["indicator-period"].value == "year"
        assert shell["indicator-range"].value == "last12m"
        assert shell["indicator-custom-box"].style == {"display": "none"}


def test_the_content_honours_the_range(warehouse: Path) -> None:
    # AC04 national, month 2018-01 (index 36): 820 + 656 + 492 + 328 = 2296; 2018-12: 2142.
    content = indicator.indicator_content(
        warehouse, "AC04", "NAT", "month", role=PLANNER, range_name="last12m"
    )
    trend = content["indicator-trend-graph"].figure.data[0]
    assert len(trend.y) == 12
    assert (trend.y[0], trend.y[-1]) == (2296, 2142)
    # AC05 national by year, 2016 to 2017: 32 and 28 institutions; the tables show 2017
    # (Northlake 10 + 8 = 18, Southhill 6 + 4 = 10).
    custom = indicator.indicator_content(
        warehouse,
        "AC05",
        "NAT",
        "year",
        role=PLANNER,
        range_name="custom",
        start="2016",
        end="2017",
    )
    assert list(custom["indicator-trend-graph"].figure.data[0].y) == [32, 28]
    assert custom["indicator-trend-graph"].figure.layout.xaxis.dtick == "M12"  # a tick a year
    bars = custom["indicator-province-graph"].figure
    assert "2017" in bars.layout.title.text
    assert sorted(bars.data[0].x) == [10, 18]
    assert "By province, Republic of Examplia, 2017" in str(custom)
    # A junk range reads as all: every year.
    junk = indicator.indicator_content(
        warehouse, "AC05", "NAT", "year", role=PLANNER, range_name="x"
    )
    assert list(junk["indicator-trend-graph"].figure.data[0].y) == [36, 32, 28, 24]


def test_a_picker_writes_the_link_and_the_link_sets_the_pickers(app: dash.Dash) -> None:
    with as_role(app, "planner", path="/indicator"):
        # The place changed to Southhill: only the link changes.
        out = indicator.sync_view(
            "AC06", "02", "year", "all", "", "", "?code=AC06&geo=NAT&period=year", from_url=False
        )
        assert out[-1] == "?code=AC06&geo=02&period=year"
        assert out[0] is dash.no_update and out[1] is dash.no_update and out[3] is dash.no_update
        # Nothing changed (the pickers set from the link): no new link, no loop.
        same = indicator.sync_view(
            "AC06", "02", "year", "all", "", "", "?code=AC06&geo=02&period=year", from_url=False
        )
        assert same[-1] is dash.no_update
        # Back to an SS02 link by month: the pickers follow, the period falls back to quarters,
        # and the link itself is left as it is (no new history entry).
        back = indicator.sync_view(
            "AC06", "02", "year", "all", "", "", "?code=SS02&period=month&range=last12m",
            from_url=True,
        )  # fmt: skip
        assert (back[0], back[1], back[3], back[5]) == ("SS02", "NAT", "quarter", "last12m")
        assert [o["value"] for o in back[2]] == ["quarter", "year"]
        assert back[-1] is dash.no_update
        # "From … to …" just picked: the indicator's whole span to start from.
        custom = indicator.sync_view(
            "AC05", "NAT", "year", "custom", "", "", "?code=AC05&geo=NAT&period=year",
            from_url=False,
        )  # fmt: skip
        assert (custom[7], custom[9]) == ("2015", "2018")
        assert custom[10]["display"] == "flex"
        assert custom[-1] == "?code=AC05&geo=NAT&period=year&from=2015&to=2018"
    with as_role(app, "donor", path="/indicator"):
        # A donor's pickers never hold a month, whatever the browser sends.
        donor = indicator.sync_view("AC06", "NAT", "month", "last12m", "", "", "", from_url=False)
        assert donor[3] == "year"
        assert donor[-1] == "?code=AC06&geo=NAT&period=year&range=last12m"


def test_the_router_leaves_pages_that_follow_their_query(app: dash.Dash) -> None:
    with as_role(app, "planner"):
        assert follows_query(app, "/indicator")
        assert follows_query(app, "/scorecard") is False
        assert follows_query(app, "/no-such-page") is False
