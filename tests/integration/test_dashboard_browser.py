"""The dashboard in headless Chromium against the fixture warehouse: renders, offline, no errors.

Screenshots go to pytest's tmp dir, and also to ``$CPMONITOR_SCREENSHOT_DIR`` when it is set.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browser_helpers import (
    BROWSER_MARKS,
    LOCAL_HOSTS,
    VIEWPORT,
    launch_chromium,
    open_page,
    save,
    serving_fixture,
    signed_in_page,
)

from cpmonitor.core.catalogue import load_catalogue

USERNAME, PASSWORD = "browser-planner", "browser-password"

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a free localhost port, served by werkzeug in a background thread."""
    data_dir = tmp_path_factory.mktemp("browser-data")
    # Default cookie settings (Secure): Chromium keeps Secure cookies for http://127.0.0.1, a
    # potentially trustworthy origin, so no --insecure-cookies is needed to test on localhost.
    with serving_fixture(data_dir, [(USERNAME, "planner", PASSWORD)]) as (url, _settings):
        yield url


@pytest.fixture(scope="module")
def browser(server_url: str) -> Iterator[object]:
    """A headless Chromium context signed in once as a planner through the real sign-in form
    (once: sign-in is rate-limited to 5 a minute per address)."""
    with launch_chromium() as launched:
        context, page, _errors, _hosts = signed_in_page(
            launched, server_url + "/", USERNAME, PASSWORD
        )
        page.close()
        yield context


def test_care_page_renders_offline(browser, server_url: str, tmp_path: Path) -> None:
    page, errors, hosts = open_page(browser, server_url + "/")
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 4")
    page.wait_for_selector("#care-map-graph path.choroplethlocation", state="attached")
    page.wait_for_selector("#care-kpi-children-value")
    page.wait_for_load_state("networkidle")

    assert page.locator(".js-plotly-plot").count() >= 4
    assert page.locator("#care-map-graph path.choroplethlocation").count() == 2
    # Fixture: 2,142 children in care at the end of Dec 2018, 24 institutions, 13.6% reintegrated.
    assert page.inner_text("#care-kpi-children-value") == "2,142"
    assert page.inner_text("#care-kpi-institutions-value") == "24"
    assert page.inner_text("#care-kpi-reintegration-value") == "13.6%"
    assert "Target 30% by 2018" in page.inner_text("#care-kpi-reintegration-detail")
    assert "Republic of Examplia" in page.inner_text(".cp-navbar")
    assert "Published 15 Jan 2019, 06:30 UTC" in page.inner_text("#care-source")
    save(page, tmp_path, "care.png")

    assert errors == []
    assert set(hosts) <= LOCAL_HOSTS, f"requests left localhost: {set(hosts) - LOCAL_HOSTS}"
    page.close()


def test_the_charts_use_the_dashboards_own_plotly_bundle(browser, server_url: str) -> None:
    """dcc.Graph draws with assets/plotly-dashboard.min.js (the trace types of the figures, plotly.py's
    plotly.js version), and plotly.py's 4.8 MB bundle of every trace type is never asked for."""
    from plotly.offline import get_plotlyjs_version

    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(urlparse(request.url).path))
    page.goto(server_url + "/")
    page.wait_for_selector("#care-map-graph path.choroplethlocation", state="attached")
    page.wait_for_load_state("networkidle")

    assert page.evaluate("() => window.Plotly.version") == get_plotlyjs_version()
    traces = page.evaluate("() => Object.keys(window.Plotly.PlotSchema.get().traces).sort()")
    assert traces == ["bar", "choropleth", "heatmap", "scatter", "scattergeo"]
    assert "/assets/plotly-dashboard.min.js" in requested
    assert not [path for path in requested if path.endswith("package_data/plotly.min.js")]
    page.close()


def test_province_from_url_query(browser, server_url: str) -> None:
    page, errors, _hosts = open_page(browser, server_url + "/?province=02")
    page.wait_for_function(
        "() => document.querySelector('#care-kpi-children-value')?.innerText === '765'"
    )
    assert page.input_value("#care-province") == "02"
    assert "in Southhill" in page.inner_text("#care-children-graph")
    assert errors == []
    page.close()


def test_clicking_the_map_selects_the_province(browser, server_url: str) -> None:
    page, errors, _hosts = open_page(browser, server_url + "/")
    page.wait_for_selector("#care-map-graph path.choroplethlocation", state="attached")
    page.wait_for_selector("#care-kpi-children-value")
    page.locator("#care-map-graph path.choroplethlocation").first.click(force=True)
    # Province 01 (Northlake): 765 + 612 children at the end of Dec 2018.
    page.wait_for_function(
        "() => document.querySelector('#care-kpi-children-value')?.innerText === '1,377'"
    )
    assert page.input_value("#care-province") == "01"
    assert errors == []
    page.close()


def test_data_quality_page(browser, server_url: str, tmp_path: Path) -> None:
    page, errors, hosts = open_page(browser, server_url + "/data-quality")
    page.wait_for_selector("#dq-quarantine-table")
    page.wait_for_load_state("networkidle")
    assert "column 'date_of_placement' is missing" in page.inner_text("#dq-quarantine-table")
    assert "3 AC06 values above 95%" in page.inner_text("#dq-checks-table")
    assert page.inner_text("#dq-files-value") == "3"
    save(page, tmp_path, "data_quality.png")
    assert errors == []
    assert set(hosts) <= LOCAL_HOSTS
    page.close()


def test_scorecard_page(browser, server_url: str, tmp_path: Path) -> None:
    page, errors, hosts = open_page(browser, server_url + "/scorecard")
    page.wait_for_selector("#scorecard-row-SS08")
    page.wait_for_load_state("networkidle")
    # Fixture: SS08 on track; AC06 and AC07 off track; every catalogue indicator listed.
    assert page.inner_text("#scorecard-on-track-value") == "1"
    assert page.inner_text("#scorecard-off-track-value") == "2"
    assert page.locator("tr[id^='scorecard-row-']").count() == len(load_catalogue())
    assert "On track" in page.inner_text("#scorecard-row-SS08")
    assert "Off track" in page.inner_text("#scorecard-row-AC06")
    # The sparklines are inline SVG images the page's policy lets the browser draw (112 px wide).
    drawn = "img => img.complete && img.naturalWidth"
    assert page.eval_on_selector("#scorecard-trend-AC04", drawn) == 112
    assert page.get_attribute("#scorecard-trend-AC04", "alt").endswith("2,142 in Dec 2018")
    save(page, tmp_path, "scorecard.png")
    # The sector filter shows one sector.
    page.select_option("#scorecard-sector", "JC")
    page.wait_for_function(
        "() => document.querySelectorAll('tr[id^=\"scorecard-row-\"]').length === 9"
    )
    assert page.locator("#scorecard-sector-AC").count() == 0
    assert page.eval_on_selector("#scorecard-trend-JC04", drawn) == 112
    assert errors == []
    assert set(hosts) <= LOCAL_HOSTS, f"requests left localhost: {set(hosts) - LOCAL_HOSTS}"
    page.close()


def test_sector_page(browser, server_url: str, tmp_path: Path) -> None:
    page, errors, hosts = open_page(browser, server_url + "/scorecard")
    page.wait_for_selector("#scorecard-sector-link-AC")
    page.click("#scorecard-sector-link-AC")
    page.wait_for_selector("#sector-card-AC07")
    assert page.locator("[id^='sector-card-']").count() == 14  # the catalogue's AC indicators
    assert "Target not reached" in page.inner_text("#sector-card-AC07")
    assert page.eval_on_selector("#sector-trend-AC04", "img => img.naturalWidth") == 150
    save(page, tmp_path, "sector.png")
    page.click("#sector-link-JC")
    page.wait_for_selector("#sector-card-JC09")
    assert urlparse(page.url).query == "sector=JC"
    assert page.locator("[id^='sector-card-']").count() == 9
    page.click("#sector-card-JC04 a")
    page.wait_for_selector("#indicator-code")
    assert urlparse(page.url).path == "/indicator" and "code=JC04" in page.url
    assert errors == []
    assert set(hosts) <= LOCAL_HOSTS, f"requests left localhost: {set(hosts) - LOCAL_HOSTS}"
    page.close()


def test_indicator_page(browser, server_url: str, tmp_path: Path) -> None:
    page, errors, hosts = open_page(browser, server_url + "/indicator?code=AC06")
    page.wait_for_selector("#indicator-trend-graph .main-svg", state="attached")
    page.wait_for_selector("#indicator-province-graph path.choroplethlocation", state="attached")
    page.wait_for_load_state("networkidle")
    assert page.locator(".js-plotly-plot").count() >= 3
    assert page.inner_text("#indicator-latest") == "53.6%"
    assert "Exits to a family" in page.inner_text("#indicator-trend-graph")
    assert "Ministry of Social Affairs" in page.inner_text("#indicator-definition")
    assert "Northlake" in page.inner_text("#indicator-areas-table")
    save(page, tmp_path, "indicator_AC06.png")
    # Showing it by year redraws the trend.
    page.locator("label", has_text="Year").click()
    page.wait_for_function(
        "() => document.querySelector('#indicator-trend-graph')?.innerText.includes('by year')"
    )
    assert errors == []
    assert set(hosts) <= LOCAL_HOSTS, f"requests left localhost: {set(hosts) - LOCAL_HOSTS}"
    page.close()


def test_indicator_page_for_a_survey_in_a_province(
    browser, server_url: str, tmp_path: Path
) -> None:
    page, errors, hosts = open_page(browser, server_url + "/indicator?code=VE14&geo=02")
    page.wait_for_selector("#indicator-trend-graph .main-svg", state="attached")
    page.wait_for_load_state("networkidle")
    assert page.input_value("#indicator-geo") == "02"
    assert page.inner_text("#indicator-latest") == "59.2%"
    assert page.locator("#indicator-trend-graph g.errorbar").count() >= 1
    save(page, tmp_path, "indicator_VE14.png")
    assert errors == []
    assert set(hosts) <= LOCAL_HOSTS
    page.close()


def test_the_navbar_moves_between_pages_and_sets_the_title(browser, server_url: str) -> None:
    page, errors, hosts = open_page(browser, server_url + "/")
    page.wait_for_selector("#care-kpi-children-value")
    page.wait_for_function("() => document.title === 'Care reform · Child Protection Monitor'")
    links = page.locator(".cp-navbar .nav-link")
    assert [text.strip() for text in links.all_inner_texts()] == [
        "Care reform",
        "Scorecard",
        "Sectors",
        "Indicators",
        "Data quality",
        "Reports",
        "Glossary",
    ]
    links.filter(has_text="Scorecard").click()
    page.wait_for_selector("#scorecard-row-SS08")
    page.wait_for_function("() => document.title === 'Scorecard · Child Protection Monitor'")
    assert urlparse(page.url).path == "/scorecard"
    assert "active" in (links.filter(has_text="Scorecard").get_attribute("class") or "")
    # A link inside a page carries its query to the next page.
    page.locator("#scorecard-row-AC06 a").click()
    page.wait_for_function(
        "() => document.querySelector('#indicator-latest')?.innerText === '53.6%'"
    )
    assert page.title() == "Indicator · Child Protection Monitor"
    page.goto(server_url + "/no-such-page")
    page.wait_for_selector("#page-not-found")
    assert errors == []
    assert set(hosts) <= LOCAL_HOSTS
    page.close()


def test_the_reports_page_downloads_a_report(browser, server_url: str, tmp_path: Path) -> None:
    page, errors, hosts = open_page(browser, server_url + "/reports")
    page.wait_for_selector("#report-list")
    save(page, tmp_path, "reports.png")
    with page.expect_download() as info:
        page.locator("#report-2018-pdf").click()
    download = info.value
    assert download.suggested_filename.startswith("report-")
    assert download.suggested_filename.endswith(".pdf")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes()[:5] == b"%PDF-"
    assert errors == []
    assert set(hosts) <= LOCAL_HOSTS
    page.close()


def test_sign_in_page_and_sign_out(browser, server_url: str, tmp_path: Path) -> None:
    """A fresh context: sent to the form, signed in, the navbar names the user, sign-out ends it."""
    context = browser.browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(server_url + "/scorecard")
    assert page.url.endswith("/login?next=/scorecard")
    save(page, tmp_path, "login.png")
    page.fill("#username", USERNAME)
    page.fill("#password", "not the password")
    page.click("#login-submit")
    assert "Wrong username or password" in page.inner_text("#login-error")
    errors.clear()  # the refused sign-in is a 401, which Chromium logs
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("#login-submit")
    assert page.url == server_url + "/scorecard"
    page.wait_for_selector("#cp-sign-out")
    assert page.inner_text("#cp-user") == USERNAME
    assert page.inner_text("#cp-role") == "(Ministry planner)"
    cookie = next(c for c in context.cookies() if c["name"] == "cpmonitor_session")
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    with page.expect_navigation():
        page.click("#cp-sign-out")
    assert "signed_out=1" in page.url
    assert "You have been signed out" in page.inner_text("#login-notice")
    page.goto(server_url + "/")
    assert "/login" in page.url
    assert errors == []
    context.close()


# --- who sees what: a donor and an admin, on their own server --------------------------------------


@pytest.fixture(scope="module")
def protected_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The fixture warehouse where SS08 in Southhill, 2018, rests on 3 children (value 77.7777),
    protected again as the pipeline would; a donor, an admin and a planner may sign in."""
    accounts = [(f"browser-{role}", role, PASSWORD) for role in ("donor", "admin", "planner")]
    data_dir = tmp_path_factory.mktemp("protected-data")
    with serving_fixture(data_dir, accounts, small_count=True) as (url, _settings):
        yield url


def _signed_in_page(browser, url: str, role: str):
    """A context of its own beside the planner's, signed in as ``browser-{role}``."""
    return signed_in_page(browser.browser, url, f"browser-{role}", PASSWORD)


def test_a_donor_sees_protected_province_values_and_why_they_are_not_shown(
    browser, protected_url: str, tmp_path: Path
) -> None:
    context, page, errors, hosts = _signed_in_page(browser, protected_url + "/", "donor")
    assert page.inner_text("#cp-role") == "(Donor)"
    page.goto(protected_url + "/indicator?code=SS08")
    page.wait_for_selector("#indicator-areas-table")
    page.wait_for_selector("#indicator-province-graph path.choroplethlocation", state="attached")
    page.wait_for_load_state("networkidle")
    table = page.inner_text("#indicator-areas-table")
    # Southhill's 3 children: hidden; Northlake hidden with it (the nation minus Northlake would
    # give Southhill away). No district is offered, no period finer than a year.
    assert "Not shown (fewer than 5)" in table and "Not shown (protects another figure)" in table
    shown = page.inner_text("body")
    assert "77.8" not in shown and "Lakeshore" not in shown
    assert page.locator("#indicator-period").count() == 0 or "Month" not in page.inner_text(
        "#indicator-period"
    )
    assert "nor are the values that would let them be worked out" in page.inner_text(
        "#indicator-privacy"
    )
    save(page, tmp_path, "donor_indicator_SS08.png")
    page.goto(protected_url + "/")
    page.wait_for_selector("#care-kpi-children-value")
    page.wait_for_load_state("networkidle")
    save(page, tmp_path, "donor_care.png")
    assert errors == []
    assert set(hosts) <= LOCAL_HOSTS
    context.close()


def test_a_planner_sees_the_exact_values_and_an_admin_the_audit_log(
    browser, protected_url: str, tmp_path: Path
) -> None:
    context, page, errors, _hosts = _signed_in_page(
        browser, protected_url + "/indicator?code=SS08&geo=02", "planner"
    )
    page.wait_for_selector("#indicator-areas-table")
    page.wait_for_load_state("networkidle")
    assert "Hollowfield" in page.inner_text("#indicator-areas-table")  # districts, exact
    assert "Audit log" not in page.inner_text(".cp-navbar")
    save(page, tmp_path, "planner_indicator_SS08_Southhill.png")
    context.close()
    context, page, errors, _hosts = _signed_in_page(browser, protected_url + "/audit-log", "admin")
    page.wait_for_selector("#audit-log")
    log = page.inner_text("#audit-log")
    assert "browser-admin" in log and "browser-planner" in log and "Signed in" in log
    save(page, tmp_path, "admin_audit_log.png")
    assert errors == []
    context.close()
