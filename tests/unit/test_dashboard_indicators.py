"""Scorecard and indicator pages, and small-count suppression, against the fixture warehouse.

Expected values are worked out by hand from the rules in ``warehouse_fixture.py``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dash
import duckdb
import pandas as pd
import plotly
import pytest
from auth_helpers import DONOR, PLANNER, as_role
from dash_pages import page_layout
from disclosure_attacks import attack
from warehouse_fixture import add_small_count

from cpmonitor.core.catalogue import load_catalogue
from cpmonitor.core.settings import Settings
from cpmonitor.core.vocabularies import SECTORS
from dashboards import figures, queries
from dashboards.app import create_app
from dashboards.pages import care, indicator, scorecard
from dashboards.words import EXACT_NOTE, hidden_series, privacy_note

HOSTILE_CODE = "AC06' OR 1=1 --"


def _json(component: object) -> str:
    """What Dash would send to the browser for a layout, a figure or a callback result."""
    return json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder)


# --- query layer -------------------------------------------------------------------------------


def test_catalogue_order_and_period_types(warehouse: Path) -> None:
    catalogue = queries.catalogue(warehouse)
    assert list(catalogue["indicator_code"]) == [i.indicator_code for i in load_catalogue()]
    assert list(catalogue["sector_code"].drop_duplicates()) == list(SECTORS)
    assert list(catalogue["indicator_code"].iloc[:3]) == ["AC01", "AC02", "AC03"]
    assert queries.period_types(warehouse, "AC06", role=PLANNER) == ["month", "quarter", "year"]
    assert queries.period_types(warehouse, "SS08", role=PLANNER) == ["quarter", "year"]
    assert queries.period_types(warehouse, "VE14", role=PLANNER) == ["year"]
    assert queries.period_types(warehouse, "AC01", role=PLANNER) == []


def test_scorecard_rows_are_hand_checked(warehouse: Path) -> None:
    card = queries.scorecard(warehouse, role=PLANNER).set_index("indicator_code")
    assert list(card.index) == [i.indicator_code for i in load_catalogue()]
    # The scorecard reads whole years. AC04 (a stock): the year 2018 is its end-of-December
    # value, 2,142 children; 2,310 at the end of 2017.
    assert (card.loc["AC04", "period_label"], card.loc["AC04", "value"]) == ("2018", 2142)
    assert (card.loc["AC04", "previous_label"], card.loc["AC04", "previous_value"]) == (
        "2017",
        2310,
    )
    # AC07: 360 / 2646 in the target year, off track, 45.35 % of the way from 0 to 30.
    assert card.loc["AC07", "status"] == "off_track"
    assert card.loc["AC07", "progress"] == pytest.approx(45.3515, abs=1e-3)
    # SS08 (quarterly stock): the year 2018 = its Q4, 115 400 / 550 000 = 20.98 %, on track.
    assert card.loc["SS08", "period_label"] == "2018"
    assert card.loc["SS08", "value"] == pytest.approx(20.981818, abs=1e-5)
    assert card.loc["SS08", "status"] == "on_track"
    assert card.loc["SS08", "previous_value"] == pytest.approx(18.0)
    # VE14 (survey): 2018 with its CI; the previous survey is 2015 (none in 2016-2017).
    ve14 = card.loc["VE14"]
    assert (ve14["period_label"], ve14["value"], ve14["ci_lower"], ve14["ci_upper"]) == (
        "2018",
        55.5,
        51.2,
        59.8,
    )
    assert (ve14["previous_label"], ve14["previous_value"]) == ("2015", 62.0)
    # JC04 (median): the year 2018, 35 days over 300 detentions; nothing a year before.
    assert card.loc["JC04", "value"] == 35
    assert pd.isna(card.loc["JC04", "previous_label"])
    assert pd.isna(card.loc["AC01", "period_id"])


def test_breakdown_areas_and_feeds(warehouse: Path) -> None:
    groups = queries.breakdown(warehouse, "AC06", "NAT", "2018", role=PLANNER)
    assert list(groups["disaggregation_value"]) == ["female", "male"]
    assert groups["value"].tolist() == pytest.approx([96 / 168 * 100, 50.0])
    ss02 = queries.breakdown(warehouse, "SS02", "NAT", "2018-Q4", role=PLANNER)
    assert list(ss02["disaggregation_value"]) == ["female", "male", "5-9", "10-14", "15-17",
                                                  "yes", "no"]  # fmt: skip
    provinces = queries.area_values(warehouse, "AC06", "NAT", "2018", role=PLANNER)
    assert list(provinces["geo_name"]) == ["Northlake", "Southhill"]
    assert provinces["value"].tolist() == pytest.approx([120 / 216 * 100, 50.0])
    districts = queries.area_values(warehouse, "SS08", "02", "2018-Q4", role=PLANNER)
    assert list(districts["geo_name"]) == ["Hollowfield", "Stonebridge"]
    assert districts["value"].tolist() == pytest.approx([15.0, 22.0])
    assert list(districts["status"]) == ["off_track", "on_track"]
    feeds = queries.indicator_feeds(warehouse, ["placements", "population", "unknown"])
    assert list(feeds["feed"]) == ["placements", "population"]
    assert feeds["entity_name"].iloc[0] == "Ministry of Social Affairs"


def test_hostile_values_return_nothing(warehouse: Path) -> None:
    assert queries.indicator(warehouse, HOSTILE_CODE) == {}
    assert queries.indicator_series(warehouse, HOSTILE_CODE, "NAT", "month", role=PLANNER).empty
    assert queries.province_values_latest(warehouse, HOSTILE_CODE, "year", role=PLANNER).empty
    assert queries.breakdown(warehouse, HOSTILE_CODE, "NAT", "2018", role=PLANNER).empty
    assert queries.breakdown(warehouse, "AC06", "NAT' OR 1=1 --", "2018", role=PLANNER).empty
    assert queries.area_values(warehouse, "AC06", "01' OR 1=1 --", "2018", role=PLANNER).empty
    assert queries.period_types(warehouse, HOSTILE_CODE, role=PLANNER) == []
    assert queries.latest_period(warehouse, HOSTILE_CODE, "month", role=PLANNER) is None
    assert queries.rolling_rate(warehouse, HOSTILE_CODE, "NAT", role=PLANNER) is None
    assert queries.indicator_feeds(warehouse, ["placements' OR 1=1 --"]).empty


# --- small-count suppression -------------------------------------------------------------------


def test_planners_read_exact_values_small_counts_included(warehouse: Path) -> None:
    # SS02 a quarter: Lakeshore 9, Reedmarsh 3, Stonebridge 0, Hollowfield 6: a planner sees them all.
    north = queries.area_values(warehouse, "SS02", "01", "2018-Q4", role=PLANNER)
    north = north.set_index("geo_code")
    assert north.loc["0101", "value"] == 9 and north.loc["0102", "value"] == 3
    assert not north["suppressed"].any()
    groups = queries.breakdown(warehouse, "SS02", "NAT", "2018-Q4", role=PLANNER)
    assert groups.set_index("disaggregation_value").loc["5-9", "value"] == 3
    medians = queries.area_values(warehouse, "JC04", "02", "2018-12", role=PLANNER)
    assert medians.set_index("geo_code").loc["0201", "denominator"] == 4


def test_a_donor_reads_only_its_own_protected_rows(warehouse: Path) -> None:
    """Donors see national and province values for whole years, from protected.indicator_values
    only: no district, month or quarter, and no count from 1 to 4 of a protected indicator."""
    assert DONOR.levels == ("national", "province") and DONOR.periods == ("year",)
    assert queries.area_values(warehouse, "SS02", "01", "2018", role=DONOR).empty  # districts
    assert queries.indicator_series(warehouse, "SS02", "0101", "year", role=DONOR).empty
    assert queries.breakdown(warehouse, "SS02", "NAT", "2018-Q4", role=DONOR).empty
    assert queries.period_types(warehouse, "SS02", role=DONOR) == ["year"]
    # A month asked for is read as the finest period the donor sees: years.
    monthly = queries.indicator_series(warehouse, "AC04", "02", "month", role=DONOR)
    assert set(monthly["period_id"].str.len()) == {4}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        shown = con.execute(
            """
            SELECT p.indicator_code, p.period_id, p.geo_code, p.numerator, p.denominator
            FROM protected.indicator_values AS p
            JOIN main.dim_indicator AS d USING (indicator_code)
            WHERE p.audience = 'donor' AND d.disclosure_class = 'children_or_events'
              AND (p.numerator BETWEEN 1 AND 4 OR p.denominator BETWEEN 1 AND 4)
            """
        ).fetchall()
        assert shown == []
        assert attack(con, "donor") == []
        # what the query layer gave the donor is exactly the protected table's row
        (expected,) = con.execute(
            "SELECT value FROM protected.indicator_values WHERE audience = 'donor' "
            "AND indicator_code = 'AC04' AND geo_code = '02' AND period_id = '2018' "
            "AND disaggregation = 'total'"
        ).fetchone()
    assert monthly.set_index("period_id").loc["2018", "value"] == expected
    # SS02 2018, Northlake: a small count hidden from the donor, shown to the planner.
    donor = queries.indicator_series(warehouse, "SS02", "NAT", "year", role=DONOR)
    planner = queries.indicator_series(warehouse, "SS02", "NAT", "year", role=PLANNER)
    assert len(donor) == len(planner)
    assert (donor["value"].isna() == donor["suppressed"]).all()


def _with_sentinels(source: Path, target: Path) -> Path:
    """A copy of the fixture where SS08 (a rate) has, in 2018, a province row over 3 children with
    a recognisable value (77.7777), the other province over 30 (66.6666), protected again as the
    pipeline would."""
    shutil.copyfile(source, target)
    with duckdb.connect(str(target)) as con:
        add_small_count(con)
    return target


def _everything_sent(app: dash.Dash, role: str) -> str:
    """Every layout and callback result of the pages for SS08, as ``role`` (what Dash would send)."""
    sent = []
    with as_role(app, role):
        sent.append(_json(page_layout(app, "/scorecard")()))
        sent.append(_json(scorecard.update_sections("SS")))
        for geo in ("NAT", "01", "02", "0201"):
            sent.append(_json(page_layout(app, "/indicator")(code="SS08", geo=geo)))
            for period_type in ("quarter", "year"):
                sent.append(_json(indicator.update_content("SS08", geo, period_type)))
        sent.append(_json(care.update_page("02")))
    return "".join(sent)


def test_a_numerator_of_three_never_reaches_a_donors_browser(
    warehouse: Path, tmp_path: Path
) -> None:
    _with_sentinels(warehouse, tmp_path / "cpmonitor.duckdb")
    app = create_app(Settings.from_env(tmp_path))
    donor = _everything_sent(app, "donor")
    assert "77.777" not in donor and "77.8" not in donor  # the province over 3
    assert "66.7%" not in donor  # the other province, which would give it away
    assert _json(privacy_note())[1:-1] in donor and "Not shown" in donor
    # A planner sees both: exact values, small counts included.
    planner = _everything_sent(app, "planner")
    assert "77.8%" in planner and "66.7%" in planner
    assert EXACT_NOTE in planner


def test_a_donors_crafted_request_for_a_district_gets_nothing(warehouse: Path) -> None:
    app = create_app(Settings.from_env(warehouse.parent))
    with as_role(app, "donor"):
        content = str(indicator.update_content("SS02", "0101", "quarter"))
        cards = _json(care.update_page("0101"))
    # An unknown place for the donor falls back to the nation; no district is named or counted.
    assert "Lakeshore" not in content and "Reedmarsh" not in content
    assert "Lakeshore" not in cards


def test_care_page_never_sends_a_suppressed_month_to_a_donor(warehouse: Path) -> None:
    # Southhill's first reintegrations (Jan 2016: 2 + 1 = 3 over 945): a planner sees them.
    series = queries.indicator_series(warehouse, "AC07", "02", "month", role=PLANNER)
    assert series.set_index("period_id").loc["2016-01", "numerator"] == 3
    result = _json(care.care_content(warehouse, "02", role=DONOR))
    assert "0.31746" not in result  # 3 / 945 x 100
    assert _json(privacy_note())[1:-1] in result


# --- figures ------------------------------------------------------------------------------------


def test_survey_figure_has_markers_and_error_bars(warehouse: Path) -> None:
    series = queries.indicator_series(warehouse, "VE14", "NAT", "year", role=PLANNER)
    fig = figures.survey_figure(
        series, title="T", y_title="%", number_format=",.1f", name="VE14", unit="%"
    )
    (trace,) = fig.data
    assert trace.mode == "markers"
    assert list(trace.y) == [62.0, 55.5]  # 2015 and 2018 only: nothing drawn across 2016-2017
    assert list(trace.error_y.array) == pytest.approx([3.9, 4.3])
    assert list(trace.error_y.arrayminus) == pytest.approx([3.9, 4.3])
    assert [pd.Timestamp(x).year for x in trace.x] == [2015, 2018]


def test_trend_keeps_suppressed_months_as_gaps(warehouse: Path) -> None:
    series = queries.indicator_series(warehouse, "AC07", "02", "month", role=PLANNER)
    hidden = series["period_id"] == "2016-01"  # as a protected table gives a hidden month
    series.loc[hidden, ["value", "numerator"]] = None
    series.loc[hidden, "suppressed"] = True
    fig = figures.trend_figure(series, title="T", y_title="%", number_format=",.1f", name="n")
    (trace,) = fig.data
    assert trace.y[1] is None and trace.y[0] == 0  # Jan 2016 is a gap, Dec 2015 is 0
    assert trace.connectgaps is False


def test_bar_figure_sorts_and_marks_suppressed_rows() -> None:
    frame = pd.DataFrame(
        {
            "label": ["A", "B", "C"],
            "value": [10.0, None, 30.0],
            "suppressed": [False, True, False],
        }
    )
    fig = figures.bar_figure(frame, title="T", number_format=",.0f", unit="count")
    (bars,) = fig.data
    assert list(bars.y) == ["B: not shown (fewer than 5)", "A", "C"]  # largest at the top
    assert list(bars.x) == [None, 10.0, 30.0]


# --- pages --------------------------------------------------------------------------------------


def test_scorecard_lists_every_indicator_with_its_badge(warehouse: Path) -> None:
    layout = scorecard.page_layout(warehouse, role=PLANNER)
    text = str(layout)
    catalogue = queries.catalogue(warehouse)
    for code in catalogue["indicator_code"]:
        assert f"scorecard-row-{code}" in text, code
    assert scorecard.summary_counts(queries.scorecard(warehouse, role=PLANNER)) == {
        "on_track": 1,
        "off_track": 2,
        "no_target": 6,
        "hidden": 0,
        "no_data": 41,
    }
    # A donor's hidden latest values count as not shown, never as "no data yet".
    donor_card = queries.scorecard(warehouse, role=DONOR)
    donor = scorecard.summary_counts(donor_card)
    assert donor["no_data"] == 41 and sum(donor.values()) == len(donor_card)
    assert donor["hidden"] == int(donor_card["suppressed"].fillna(False).astype(bool).sum())
    assert scorecard.classify({"status": None, "suppressed": True}) == "hidden"
    assert scorecard.classify({"status": None, "suppressed": False}) == "no_data"
    rows = {code: str(layout[f"scorecard-row-{code}"]) for code in catalogue["indicator_code"]}
    assert "cp-status-good" in rows["SS08"] and "On track" in rows["SS08"]
    assert "cp-status-bad" in rows["AC06"] and "Off track" in rows["AC06"]
    assert "Target not reached" in rows["AC07"] and "45% of the way" in rows["AC07"]
    for code in ("AC04", "VE14", "AC01"):
        assert "cp-status-badge" not in rows[code]
    assert "2,142" in rows["AC04"] and "▼ 168" in rows["AC04"]
    assert "21.0%" in rows["SS08"] and "▲ 3.0 points" in rows["SS08"]
    assert "95% CI 51.2–59.8" in rows["VE14"] and "since survey 2015" in rows["VE14"]
    assert "35 days" in rows["JC04"]
    assert "No data yet" in rows["AC01"]
    assert "/indicator?code=AC06" in rows["AC06"]
    # Sector sections in catalogue order; the filter shows one.
    sections = scorecard.sections(queries.scorecard(warehouse, role=PLANNER), "JC")
    assert [s.id for s in sections] == ["scorecard-sector-JC"]


def test_indicator_page_honours_the_url(warehouse: Path) -> None:
    app = create_app(Settings.from_env(warehouse.parent))
    layout = page_layout(app, "/indicator")
    with as_role(app, path="/indicator?code=SS02&geo=01"):
        shell = layout(code="SS02", geo="01")
        assert shell["indicator-code"].value == "SS02"
        assert shell["indicator-geo"].value == "01"
        assert shell["indicator-period"].value == "year"  # whole years first
        assert [o["value"] for o in shell["indicator-period"].options] == ["quarter", "year"]
        hostile = layout(code=HOSTILE_CODE, geo="01' OR 1=1 --")
        assert hostile["indicator-code"].value == "AC06"
        assert hostile["indicator-geo"].value == "NAT"
        assert "no indicator with that code" in str(hostile)
        assert "1=1" not in str(hostile)
        # A survey has whole years only: choosing it shows them (and hides the one-choice picker).
        chosen = indicator.sync_view("VE14", "NAT", "month", "all", "", "", "", from_url=False)
        assert chosen[3] == "year" and chosen[4] == {"display": "none"}


def test_indicator_content_for_a_province(warehouse: Path) -> None:
    content = indicator.indicator_content(warehouse, "SS02", "01", "quarter", role=PLANNER)
    text = str(content)
    assert "By district, Northlake, 2018 Q4" in text
    assert "Ministry of Social Affairs: Child protection cases" in text
    assert "Flow: events counted over the whole period." in text
    assert "Lakeshore" in text and "Reedmarsh" in text and "<5" not in text  # exact for planners
    trend = content["indicator-trend-graph"].figure
    assert list(trend.data[0].y)[-1] == 12  # Northlake: 9 + 3 a quarter
    bars = content["indicator-province-graph"].figure  # a count: bars, not a map
    assert bars.data[0].type == "bar"
    assert content["indicator-group-age_band-graph"].figure.data[0].y[0] == "5–9 years"


def test_indicator_content_for_a_rate_and_a_survey(warehouse: Path) -> None:
    ac06 = indicator.indicator_content(warehouse, "AC06", "NAT", "month", role=PLANNER)
    assert ac06["indicator-province-graph"].figure.data[1].type == "choropleth"
    trend = ac06["indicator-trend-graph"].figure
    assert trend.data[1].line.dash == "dash" and trend.data[1].name == "Target 80% by 2025"
    assert "Stock" not in str(ac06["indicator-definition"])
    ve14 = indicator.indicator_content(warehouse, "VE14", "NAT", "year", role=PLANNER)
    survey = ve14["indicator-trend-graph"].figure
    assert survey.data[0].mode == "markers" and survey.data[0].error_y.visible
    assert "95% confidence interval" in str(ve14)
    stock = indicator.indicator_content(warehouse, "AC04", "NAT", "month", role=PLANNER)
    assert "Stock: counted on the last day of each period." in str(stock)
    empty = indicator.indicator_content(warehouse, "AC01", "NAT", None, role=PLANNER)
    assert "No data for this indicator yet" in str(empty)
    unknown = indicator.indicator_content(warehouse, HOSTILE_CODE, "NAT", "month", role=PLANNER)
    assert "Choose an indicator" in str(unknown)


def test_values_say_what_they_rest_on(warehouse: Path) -> None:
    from warehouse_fixture import NOTE_SS02, NOTE_SS08

    # Scorecard: SS02's latest year rests on 11 of 12 deliveries, SS08's on a corrected one.
    layout = scorecard.page_layout(warehouse, role=PLANNER)
    ss02, ss08 = str(layout["scorecard-row-SS02"]), str(layout["scorecard-row-SS08"])
    assert "Incomplete · 92% of deliveries" in ss02 and NOTE_SS02 in ss02
    assert "Restated" in ss08 and NOTE_SS08 in ss08
    assert "cp-flag" not in str(layout["scorecard-row-AC04"])  # complete: nothing to say
    # Indicator page: the headline carries the flag and says why, in words anyone can read.
    content = indicator.indicator_content(warehouse, "SS02", "NAT", "quarter", role=PLANNER)
    assert content["indicator-coverage-note"].children == NOTE_SS02
    assert "Incomplete · 67% of deliveries" in str(content)
    # The trend marks the incomplete quarter with a hollow point and the reason in the hover.
    trend = content["indicator-trend-graph"].figure
    flagged = [t for t in trend.data if t.name == "Incomplete or corrected data"]
    assert len(flagged) == 1
    assert [tuple(c) for c in flagged[0].customdata] == [("2018 Q4", NOTE_SS02)]
    assert list(flagged[0].y) == [18.0]
    # The area table flags each province's value too.
    assert "Incomplete · 67% of deliveries" in str(content["indicator-areas-table"])


def test_a_value_with_no_delivery_reads_no_data() -> None:
    from dashboards.components import data_flags

    note = "No delivery of Workplace labour inspections (Ministry of Labour) for 2016-08"
    (flag,) = data_flags({"value": None, "coverage_note": note, "is_partial": True})
    assert (flag.children, flag.title) == ("No data", note)
    # A suppressed value is not "no data"; a zero denominator without a note says nothing.
    assert data_flags({"value": None, "suppressed": True, "coverage_note": note}) == []
    assert data_flags({"value": None, "coverage_note": None, "is_partial": False}) == []
    (partial,) = data_flags({"value": 4.0, "is_partial": True, "coverage_pct": 100.0})
    assert partial.children == "Partial"


def test_dashboard_words_cover_every_vocabulary_value() -> None:
    # A kind, direction, period type, frequency or disaggregation added to the vocabularies
    # (dbt_project.yml vars.vocabularies) without its words on the indicator page fails here.
    from cpmonitor.core import vocabularies as v
    from dashboards.pages import indicator as page

    assert set(page.KIND_WORDS) == set(v.KINDS)
    assert set(page.DIRECTION_WORDS) == set(v.DIRECTIONS)
    assert set(page.PERIOD_WORDS) == set(v.PERIOD_TYPES)
    assert set(page.FREQUENCY_WORDS) == set(v.FREQUENCIES)
    assert set(page.GROUP_TITLES) == set(v.DISAGGREGATIONS)


def test_a_trend_whose_every_value_is_hidden_says_so() -> None:
    series = pd.DataFrame(
        {
            "period_id": ["2024", "2025"],
            "period_label": ["2024", "2025"],
            "period_end": pd.to_datetime(["2024-12-31", "2025-12-31"]),
            "value": [None, None],
            "suppressed": [True, True],
        }
    )
    fig = figures.trend_figure(series, title="T", y_title="n", number_format=",.0f", name="n")
    assert fig.layout.annotations[0].text == hidden_series()
    assert fig.data == ()


def test_the_map_draws_hidden_and_missing_places_grey_with_the_reason(warehouse: Path) -> None:
    provinces = queries.province_values_latest(warehouse, "AC03", "year", role=PLANNER)
    provinces.loc[0, ["value", "suppressed", "suppression_reason"]] = [None, True, "small_count"]
    provinces.loc[1, ["value", "suppressed", "suppression_reason"]] = [None, False, None]
    fig = figures.province_map(provinces, title="T", number_format=",.1f", colourbar_title="x")
    labels, areas, hidden = fig.data
    assert list(hidden.locations) == list(provinces["geo_code"][:2])
    assert hidden.showscale is False and hidden.colorscale[0][1] == figures.COLOURS["hidden"]
    assert hidden.text[0].endswith("Not shown (fewer than 5)")
    assert hidden.text[1].endswith("No data")
    every = provinces.assign(value=None, suppressed=True, suppression_reason="protects_another")
    fig = figures.province_map(every, title="T", number_format=",.1f", colourbar_title="x")
    assert fig.data[1].showscale is False
    assert fig.data[2].text[0].endswith("Not shown (protects another figure)")


def test_the_words_follow_the_installations_threshold(warehouse: Path, tmp_path: Path) -> None:
    """An installation whose threshold is 10 tells its donors "fewer than 10", never 5."""
    settings = Settings.from_env(tmp_path)
    shutil.copyfile(warehouse, settings.warehouse_file)
    policy = (Path(__file__).resolve().parents[2] / "access.yml").read_text(encoding="utf-8")
    assert "  threshold: 5\n" in policy
    (settings.data_dir / "access.yml").write_text(
        policy.replace("  threshold: 5\n", "  threshold: 10\n")
    )
    app = create_app(settings)
    with as_role(app, "donor"):
        assert privacy_note().startswith("Values based on fewer than 10 children")
        assert hidden_series().startswith("Every value here is hidden: fewer than 10")
        sent = _json(page_layout(app, "/scorecard")())
    assert "fewer than 10 children" in sent and "fewer than 5" not in sent
    assert privacy_note().startswith("Values based on fewer than 5 children")  # no app: default
