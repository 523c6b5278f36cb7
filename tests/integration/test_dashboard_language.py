"""The language picker in headless Chromium: a planner switches to French, the page re-renders in
French (heading, navbar, ``<html lang>``), and the choice is still there after signing in again.

Screenshots (1400 px wide) go to pytest's tmp dir, and to ``$CPMONITOR_SCREENSHOT_DIR`` when set.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_helpers import BROWSER_MARKS, launch_chromium, save, serving_fixture, sign_in, watch
from test_dashboard_screens import AXE_JS, AXE_RUN

USERNAME, PASSWORD = "browser-linguist", "browser-password"

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    accounts = [(USERNAME, "planner", PASSWORD)]
    with serving_fixture(tmp_path_factory.mktemp("language-data"), accounts) as (url, _settings):
        yield url


@pytest.fixture(scope="module")
def chromium(server_url: str) -> Iterator[object]:
    with launch_chromium() as browser:
        yield browser


def _heading(page) -> str:
    page.wait_for_selector("h1.cp-title")
    return page.inner_text("h1.cp-title")


def test_switching_to_french_and_back(chromium, server_url: str, tmp_path: Path) -> None:
    context = chromium.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    errors, _hosts = watch(page)
    sign_in(page, server_url + "/scorecard?sector=AC", USERNAME, PASSWORD)
    assert _heading(page) == "Scorecard"
    assert page.get_attribute("html", "lang") == "en"
    page.wait_for_selector("#scorecard-row-AC07")
    save(page, tmp_path, "scorecard-en.png")
    # the picker in the account menu: French, back on the same page and view
    with page.expect_navigation():
        page.click("#cp-language-fr")
    assert page.url.endswith("/scorecard?sector=AC")
    page.wait_for_function(
        "() => document.querySelector('h1.cp-title')?.innerText === 'Tableau de suivi'"
    )
    assert page.get_attribute("html", "lang") == "fr"
    # the picker now offers English (named in English), and no longer French
    assert page.get_attribute("#cp-language-en", "aria-label") == "English"
    assert page.locator("#cp-language-fr").count() == 0
    nav = page.inner_text("header")
    assert "Indicateurs" in nav and "Se déconnecter" in nav and "Glossaire" in nav
    page.wait_for_selector("#scorecard-row-AC07")
    body = page.inner_text("main")
    assert "Dernière valeur nationale" in body and "Latest national value" not in body
    page.wait_for_load_state("networkidle")
    save(page, tmp_path, "scorecard-fr.png")
    if AXE_JS.exists():  # `make axe`; test_dashboard_screens.py insists on it
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;void 0")
        assert page.evaluate(AXE_RUN) == []  # no serious or critical problem in French either

    page.goto(server_url + "/indicator?code=AC07")
    page.wait_for_selector("#indicator-definition")
    page.wait_for_selector("#indicator-trend-graph .main-svg")
    page.wait_for_load_state("networkidle")
    definition = page.inner_text("#indicator-definition").lower()  # terms are set in capitals
    assert "compté (numérateur)" in definition and "counted (numerator)" not in definition
    assert "par année" in page.inner_text("#indicator-trend-graph")  # its title
    save(page, tmp_path, "indicator-fr.png")

    page.goto(server_url + "/")
    page.wait_for_selector("#care-kpi-children-value")
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 4")
    page.wait_for_load_state("networkidle")
    assert _heading(page) == "Réforme de la prise en charge"
    save(page, tmp_path, "care-fr.png")
    context.close()

    # a new browser session, signed in again: still French (stored for the user, not the cookie)
    again = chromium.new_context(viewport={"width": 1400, "height": 1100})
    page = again.new_page()
    sign_in(page, server_url + "/scorecard", USERNAME, PASSWORD)
    assert _heading(page) == "Tableau de suivi"
    assert page.get_attribute("html", "lang") == "fr"
    with page.expect_navigation():
        page.click("#cp-language-en")
    page.wait_for_function("() => document.querySelector('h1.cp-title')?.innerText === 'Scorecard'")
    assert page.get_attribute("html", "lang") == "en"
    again.close()
    assert errors == []
