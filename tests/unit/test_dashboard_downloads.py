"""Data downloads (``/download/data/<dataset>.<csv|xlsx>``): the rows of a chart or table, read
through the same query as the page with the signed-in role: exact for planners, protected for donors
(hidden values blank with the reason, years only, no district rows), refused without ``downloads``,
every download and refusal in the audit log. Expected values are the fixture's hand values
(tests/warehouse_fixture.py)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest
from auth_helpers import as_role, client_for
from warehouse_fixture import SENTINEL_NEIGHBOUR, SENTINEL_SMALL, add_small_count

from cpmonitor.core import users
from cpmonitor.core.access import DEFAULT_ACCESS_FILE
from cpmonitor.core.settings import Settings
from dashboards.app import create_app
from dashboards.context import current_role
from dashboards.downloads import download_links, follow_picker

VERSION = "20190115T060000Z-abc123"  # the fixture's latest published run


@pytest.fixture
def app(warehouse: Path, tmp_path: Path):
    settings = Settings.from_env(tmp_path / "data")
    settings.warehouse_file.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(warehouse, settings.warehouse_file)
    with duckdb.connect(str(settings.warehouse_file)) as con:
        add_small_count(con)  # SS08 2018 in Southhill rests on 3 children
    return create_app(settings)


def _settings(app):
    return app.server.config["CPMONITOR_SETTINGS"]


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8"))))


def _xlsx(response) -> tuple[dict[str, str], list[dict], openpyxl.worksheet.worksheet.Worksheet]:
    """The header block (label -> value), the rows under the heading row, and the sheet."""
    assert response.status_code == 200, response.get_data(as_text=True)
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    lines = list(sheet.iter_rows(values_only=True))
    blank = next(i for i, line in enumerate(lines) if all(v is None for v in line))
    header = {line[0]: line[1] for line in lines[:blank]}
    heading = lines[blank + 1]
    rows = [dict(zip(heading, line, strict=True)) for line in lines[blank + 2 :]]
    return header, rows, sheet


def test_a_planner_gets_the_exact_national_trend_of_ac04_as_csv_and_excel(app) -> None:
    client, _ = client_for(app, "planner")
    response = client.get("/download/data/indicator-trend.csv?code=AC04&geo=NAT&period=month")
    rows = _csv(response)
    by_month = {row["period_id"]: row for row in rows}
    assert len(rows) == 48  # 2015-01 .. 2018-12
    assert float(by_month["2018-12"]["value"]) == 2142
    assert float(by_month["2015-12"]["value"]) == 2646
    assert by_month["2018-12"]["period_end"] == "2018-12-31"
    assert {row["not_shown_reason"] for row in rows} == {""}
    name = response.headers["Content-Disposition"]
    assert "attachment" in name
    assert f'indicator-trend_AC04_NAT_month_exact_{VERSION}.csv"' in name

    excel = client.get("/download/data/indicator-trend.xlsx?code=AC04&geo=NAT&period=month")
    assert excel.mimetype.endswith("spreadsheetml.sheet")
    assert "_exact_" in excel.headers["Content-Disposition"]
    header, rows, sheet = _xlsx(excel)
    assert header["Indicator"].startswith("AC04 · ")
    assert header["Place"] == "Republic of Examplia"
    assert header["Period"] == "by month"
    assert header["View"] == "Ministry planner (exact): exact values, small counts included"
    assert header["Warehouse version"] == VERSION
    assert header["Downloaded"].endswith("UTC")
    excel_by_month = {row["period_id"]: row for row in rows}
    assert excel_by_month["2018-12"]["value"] == 2142
    assert excel_by_month["2015-12"]["value"] == 2646
    # the heading row stays in view: frozen just below it (8 header lines: data, indicator,
    # place, period, view, version, time, address; a blank line; the heading on line 10)
    assert len(header) == 8 and header["Data"] == "Trend"
    assert sheet.freeze_panes == "A11"
    assert [c.value for c in sheet[10]][:3] == ["indicator_code", "geo_code", "geo_name"]


def test_a_planner_sees_the_small_district_count_a_donor_never_gets(app) -> None:
    planner, _ = client_for(app, "planner")
    rows = _csv(planner.get("/download/data/indicator-areas.csv?code=SS02&geo=01&period=quarter"))
    values = {row["geo_name"]: row["value"] for row in rows}
    assert float(values["Reedmarsh"]) == 3  # 1 a month, a quarter: exact for planners
    assert float(values["Lakeshore"]) == 9

    donor, _ = client_for(app, "donor")
    # districts of Northlake: none for a donor (national and provinces only), whatever is asked
    for fmt in ("csv", "xlsx"):
        response = donor.get(
            f"/download/data/indicator-areas.{fmt}?code=SS02&geo=01&period=quarter"
        )
        assert response.status_code == 200
        assert "_protected_" in response.headers["Content-Disposition"]
    assert _csv(donor.get("/download/data/indicator-areas.csv?code=SS02&geo=01")) == []
    header, rows, _sheet = _xlsx(
        donor.get("/download/data/indicator-areas.xlsx?code=SS02&geo=01&period=quarter")
    )
    assert rows == [] and header["View"].startswith("Donor (protected")
    # provinces of the nation: whole years only (the latest, 2018), 12 and 6 a quarter
    rows = _csv(donor.get("/download/data/indicator-areas.csv?code=SS02&geo=NAT&period=quarter"))
    assert [(r["geo_name"], r["geo_level"], r["period_id"]) for r in rows] == [
        ("Northlake", "province", "2018"),
        ("Southhill", "province", "2018"),
    ]
    assert [float(r["value"]) for r in rows] == [48, 24]
    # the trend of Northlake: years 2015-2018 only, 48 each; no quarter, no 3 of Reedmarsh
    rows = _csv(donor.get("/download/data/indicator-trend.csv?code=SS02&geo=01&period=quarter"))
    assert [r["period_id"] for r in rows] == ["2015", "2016", "2017", "2018"]
    assert {r["period_type"] for r in rows} == {"year"}
    assert [float(r["value"]) for r in rows] == [48, 48, 48, 48]


def test_a_donor_gets_hidden_values_as_blanks_with_the_reason(app) -> None:
    donor, _ = client_for(app, "donor")
    response = donor.get("/download/data/indicator-areas.csv?code=SS08&geo=NAT&period=year")
    rows = {row["geo_name"]: row for row in _csv(response)}
    southhill, northlake = rows["Southhill"], rows["Northlake"]
    # Southhill rests on 3 children: value and count blank, the reason beside them
    assert southhill["value"] == "" and southhill["numerator"] == ""
    assert southhill["not_shown_reason"] == "Not shown (fewer than 5)"
    # Northlake would give Southhill away with the national value
    assert northlake["value"] == ""
    assert northlake["not_shown_reason"] == "Not shown (protects another figure)"
    text = response.data.decode("utf-8")
    for sentinel in (SENTINEL_SMALL, SENTINEL_NEIGHBOUR):
        assert str(sentinel)[:5] not in text  # 77.77 / 66.66
    header, rows, _sheet = _xlsx(
        donor.get("/download/data/indicator-areas.xlsx?code=SS08&geo=NAT&period=year")
    )
    hidden = {row["geo_name"]: row for row in rows}["Southhill"]
    assert hidden["value"] is None and hidden["numerator"] is None
    assert hidden["not_shown_reason"] == "Not shown (fewer than 5)"
    assert "protected" in header["View"]
    # the planner's file holds the exact value
    planner, _ = client_for(app, "planner")
    rows = _csv(planner.get("/download/data/indicator-areas.csv?code=SS08&geo=NAT&period=year"))
    exact = {row["geo_name"]: row for row in rows}["Southhill"]
    assert float(exact["value"]) == pytest.approx(SENTINEL_SMALL)
    assert float(exact["numerator"]) == 3 and exact["not_shown_reason"] == ""


def test_other_datasets_read_what_their_page_shows(app) -> None:
    planner, _ = client_for(app, "planner")
    care = _csv(planner.get("/download/data/care-trend.csv?code=AC04&geo=02"))
    assert float({r["period_id"]: r for r in care}["2018-12"]["value"]) == 765  # province 02
    groups = _csv(planner.get("/download/data/indicator-groups.csv?code=SS02&period=quarter"))
    by_group = {(r["disaggregation"], r["disaggregation_value"]): r["value"] for r in groups}
    assert float(by_group[("sex", "female")]) == 9 and float(by_group[("age_band", "5-9")]) == 3
    assert {r["period_id"] for r in groups} == {"2018-Q4"}
    district = _csv(planner.get("/download/data/care-trend.csv?code=AC05&geo=0102"))
    assert float({r["period_id"]: r for r in district}["2015-12"]["value"]) == 10  # Reedmarsh
    provinces = _csv(planner.get("/download/data/care-map.csv?code=AC03"))
    values = {r["geo_name"]: float(r["value"]) for r in provinces}
    assert values["Southhill"] == pytest.approx(382.5)  # 765 / 200 000 x 100 000
    assert {r["period_id"] for r in provinces} == {"2018"}
    districts = _csv(planner.get("/download/data/care-map.csv?code=AC03&geo=02"))
    values = {r["geo_name"]: float(r["value"]) for r in districts}
    # Stonebridge 600 - 3 x 47 = 459 over 120 000; Hollowfield 400 - 2 x 47 = 306 over 80 000
    assert values == {"Stonebridge": pytest.approx(382.5), "Hollowfield": pytest.approx(382.5)}
    card = {r["indicator_code"]: r for r in _csv(planner.get("/download/data/scorecard.csv"))}
    assert float(card["AC05"]["value"]) == 24 and card["AC05"]["period_id"] == "2018"
    quality = _csv(planner.get("/download/data/quality-feeds.csv"))
    assert quality and "feed_title" in quality[0]
    reports = _csv(planner.get("/download/data/quality-reports.csv"))
    # the heat map's cells: received and missed reports (2018-11 of child protection cases is
    # missed: the fixture's NOTE_SS02)
    assert {r["is_received"] for r in reports} == {"yes", "no"}
    missed = [r for r in reports if r["is_received"] == "no"]
    assert any(r["feed_period"] == "2018-11" for r in missed)


def test_parameters_are_checked_and_unknown_datasets_are_not_found(app) -> None:
    planner, _ = client_for(app, "planner")
    assert planner.get("/download/data/everything.csv").status_code == 404
    assert planner.get("/download/data/indicator-trend.json?code=AC04").status_code == 404
    for query in (
        "code=AC04&sort=1",  # no such parameter
        "geo=NAT",  # the indicator is required
        "code=ZZ99",  # no such indicator
        "code=AC04&geo=0101",  # a district is not a place the page offers
        "code=AC04&period=decade",
        "code=AC04'%20OR%201=1--",  # never SQL
    ):
        response = planner.get(f"/download/data/indicator-trend.csv?{query}")
        assert response.status_code == 400, query
    assert planner.get("/download/data/care-trend.csv?code=SS02").status_code == 400
    # a range and a period the page shows must be periods of the view
    assert planner.get("/download/data/indicator-trend.csv?code=AC04&start=1999").status_code == 400
    assert planner.get("/download/data/indicator-areas.csv?code=AC04&at=2018-Q4").status_code == 400
    donor, _ = client_for(app, "donor")
    assert donor.get("/download/data/care-trend.csv?code=AC04&geo=0102").status_code == 400
    # a donor's map of Northlake is the provinces' (no districts), as the page draws it
    rows = _csv(donor.get("/download/data/care-map.csv?code=AC03&geo=01"))
    assert [(r["geo_name"], r["geo_level"]) for r in rows] == [
        ("Northlake", "province"),
        ("Southhill", "province"),
    ]
    assert (  # donors see years only
        donor.get("/download/data/indicator-groups.csv?code=SS02&period=quarter&at=2018-Q4")
    ).status_code == 400


def test_a_range_of_the_indicator_page_is_downloaded_as_shown(app) -> None:
    planner, _ = client_for(app, "planner")
    rows = _csv(
        planner.get("/download/data/indicator-trend.csv?code=AC04&period=year&start=2016&end=2017")
    )
    # national stock at the end of 2016 (i = 23) and 2017 (i = 35): 2800 - 14 i
    assert [(r["period_id"], float(r["value"])) for r in rows] == [("2016", 2478), ("2017", 2310)]
    header, _rows, _sheet = _xlsx(
        planner.get("/download/data/indicator-trend.xlsx?code=AC04&period=year&start=2016&end=2017")
    )
    assert header["Period"] == "by year, 2016 to 2017"
    areas = _csv(planner.get("/download/data/indicator-areas.csv?code=AC04&period=year&at=2016"))
    # Northlake 1800 - 9 x 23 = 1593, Southhill 1000 - 5 x 23 = 885
    assert [(r["geo_name"], float(r["value"])) for r in areas] == [
        ("Northlake", 1593),
        ("Southhill", 885),
    ]
    provinces = _csv(
        planner.get("/download/data/indicator-provinces.csv?code=AC04&period=year&at=2016")
    )
    assert [float(r["value"]) for r in provinces] == [1593, 885]
    assert planner.get("/download/data/scorecard.csv?sector=XX").status_code == 400


def test_every_download_and_refusal_is_in_the_audit_log(app) -> None:
    planner, _ = client_for(app, "planner")
    donor, _ = client_for(app, "donor")
    planner.get("/download/data/indicator-trend.csv?code=AC04&geo=NAT&period=month")
    donor.get("/download/data/indicator-areas.xlsx?period=year&code=SS08")
    events = users.read_events(_settings(app), event="download")
    assert [(e.role, e.username) for e in events] == [
        ("planner", "test-planner"),
        ("donor", "test-donor"),
    ]
    assert events[0].detail == (
        "data indicator-trend.csv code=AC04&geo=NAT&period=month (exact) "
        f"from warehouse version {VERSION}"
    )
    assert events[1].detail == (
        f"data indicator-areas.xlsx code=SS08&period=year (protected) from warehouse version {VERSION}"
    )


def _public_app(app):
    settings = _settings(app)
    text = DEFAULT_ACCESS_FILE.read_text()
    public = text.replace("enabled: false\n    label: Public", "enabled: true\n    label: Public")
    assert public != text
    (settings.data_dir / "access.yml").write_text(public)
    return create_app(settings)


def test_the_public_gets_no_links_and_a_403(app) -> None:
    public = _public_app(app)
    visitor = public.server.test_client()
    response = visitor.get("/download/data/indicator-trend.csv?code=AC04")
    assert response.status_code == 403
    refused = users.read_events(_settings(app), event="access_denied")
    assert refused[-1].role == "public"
    assert refused[-1].detail == "data indicator-trend.csv code=AC04"
    assert users.read_events(_settings(app), event="download") == []
    with as_role(public, "public"):
        assert download_links("indicator-trend", code="AC04") is None
    anonymous = app.server.test_client()  # public view off: sign in first
    assert anonymous.get("/download/data/scorecard.csv").status_code in (302, 401)


def test_the_links_are_real_labelled_downloads_for_roles_that_may_download(app) -> None:
    with as_role(app, "donor"):
        links = download_links("indicator-trend", code="AC04", geo="NAT", period="year")
    anchors = [child for child in links.children if getattr(child, "href", None)]
    assert [a.children for a in anchors] == ["CSV", "Excel"]
    assert anchors[0].href == "/download/data/indicator-trend.csv?code=AC04&geo=NAT&period=year"
    assert anchors[1].href.startswith("/download/data/indicator-trend.xlsx?")
    assert anchors[0].download == ""
    labels = [a.to_plotly_json()["props"]["aria-label"] for a in anchors]
    assert labels == ["Download the trend as CSV", "Download the trend as Excel"]
    # outside a request (content built in a test) there is no role: no links
    assert download_links("scorecard") is None
    # the care page's links follow its place picker (the page is not drawn again): a place the
    # role sees, no links for another one
    with as_role(app, "planner"):
        children, institutions, reintegration, care_map = follow_picker("care-province")("0102")
    assert children.children[1].href == "/download/data/care-trend.csv?code=AC04&geo=0102"
    assert care_map.children[2].href == "/download/data/care-map.xlsx?code=AC03&geo=0102"
    with as_role(app, "donor"):
        assert follow_picker("care-province")("0102") == (None, None, None, None)
        assert follow_picker("care-province")("01")[1].children[1].href.endswith("AC05&geo=01")


def test_the_pages_offer_the_links_beside_their_charts_and_tables(app) -> None:
    from dashboards.pages import care, data_quality, scorecard

    warehouse = _settings(app).warehouse_file

    def shown(layout) -> str:
        return json.dumps(layout.to_plotly_json(), default=str)

    with as_role(app, "planner"):
        role = current_role()
        care_page = shown(care.page_layout(warehouse, "02", role=role))
        score_page = shown(scorecard.page_layout(warehouse, role=role))
        quality_page = shown(data_quality.quality_content(warehouse, role=role))
    for href in (
        "/download/data/care-trend.csv?code=AC04&geo=02",
        "/download/data/care-trend.xlsx?code=AC07&geo=02",
        "/download/data/care-map.csv?code=AC03&geo=02",
    ):
        assert href in care_page
    assert "/download/data/scorecard.xlsx?sector=AC" in score_page
    for dataset in ("reports", "completeness", "refused", "rejected", "checks", "feeds"):
        assert f"/download/data/quality-{dataset}.csv" in quality_page
    with as_role(app, "donor"):
        donor_care = shown(care.page_layout(warehouse, "02", role=current_role()))
    assert "/download/data/care-map.csv?code=AC03&geo=02" in donor_care
    public = _public_app(app)
    with as_role(public, "public"):
        assert "/download/data/" not in shown(
            care.page_layout(warehouse, "02", role=current_role())
        )


def test_the_indicator_page_links_carry_its_view(app) -> None:
    from dashboards.pages import indicator

    warehouse = _settings(app).warehouse_file

    def shown(content) -> str:
        return json.dumps(content.to_plotly_json(), default=str)

    with as_role(app, "planner"):
        role = current_role()
        whole = shown(indicator.indicator_content(warehouse, "AC04", "01", "year", role=role))
        ranged = shown(
            indicator.indicator_content(
                warehouse, "AC04", "01", "year", role=role, range_name="custom",
                start="2016", end="2017",
            )
        )  # fmt: skip
    for href in (
        "/download/data/indicator-trend.csv?code=AC04&period=year&geo=01",
        "/download/data/indicator-provinces.csv?code=AC04&period=year",
        "/download/data/indicator-groups.xlsx?code=AC04&period=year&geo=01",
        "/download/data/indicator-areas.csv?code=AC04&period=year&geo=01",
    ):
        assert f"'{href}'" in whole, href  # the whole href (a repr of the link)
    # a range: the trend's first and last periods, the other views at the range's last one
    assert (
        "/download/data/indicator-trend.csv?code=AC04&period=year&geo=01&start=2016&end=2017"
        in ranged
    )
    assert "/download/data/indicator-areas.csv?code=AC04&period=year&geo=01&at=2017" in ranged
    # nothing to download, no links: a donor sees no district of Southhill, SS08 has no groups
    with as_role(app, "donor"):
        donor = shown(
            indicator.indicator_content(warehouse, "SS08", "02", "year", role=current_role())
        )
    assert "/download/data/indicator-trend.csv?code=SS08&period=year&geo=02" in donor
    assert "data/indicator-areas" not in donor and "data/indicator-groups" not in donor


def test_text_that_a_spreadsheet_would_run_is_kept_as_text() -> None:
    import pandas as pd

    from dashboards.downloads import Table, to_csv, to_xlsx

    table = Table(
        pd.DataFrame({"details": ['=HYPERLINK("http://x")', "+1", "plain"], "n": [1, -2, None]}),
        ("details", "n"),
        {},
    )
    rows = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8"))))
    assert rows == [
        ["details", "n"],
        ['\'=HYPERLINK("http://x")', "1"],
        ["'+1", "-2"],
        ["plain", ""],
    ]
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(table, [("Data", "x")], "x"))).active
    cells = [sheet.cell(row=r, column=1) for r in (4, 5, 6)]
    assert [c.value for c in cells] == ['\'=HYPERLINK("http://x")', "'+1", "plain"]
    assert {c.data_type for c in cells} == {"s"}  # text, never a formula
    assert [sheet.cell(row=r, column=2).value for r in (4, 5, 6)] == [1, -2, None]
