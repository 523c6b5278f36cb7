"""Notes on the indicator trend in headless Chromium: a planner writes one, another planner and a
donor see it, its author deletes it. Screenshots go to pytest's tmp dir (and
``$CPMONITOR_SCREENSHOT_DIR`` when set)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_dashboard_browser import LOCAL_HOSTS, _save, _watch, serving, sign_in
from warehouse_fixture import build_fixture_warehouse

from cpmonitor.core.settings import CHROMIUM, CHROMIUM_ARGS

PASSWORD = "browser-password"
NOTE = "New gatekeeping policy <b>from March</b>"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")


@pytest.fixture(scope="module")
def notes_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    from cpmonitor.core import users
    from cpmonitor.core.settings import Settings
    from dashboards.app import create_app

    settings = Settings.from_env(tmp_path_factory.mktemp("notes-data"))
    build_fixture_warehouse(settings.warehouse_file)
    for name, role in (("ana", "planner"), ("ben", "planner"), ("dora", "donor")):
        users.add_user(settings, name, role, PASSWORD)
    with serving(create_app(settings)) as url:
        yield url, settings


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _as(chromium, url: str, username: str):
    context = chromium.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    errors, hosts = _watch(page)
    sign_in(page, url + "/indicator?code=AC06", username=username, password=PASSWORD)
    page.wait_for_selector("#indicator-trend-graph .main-svg", state="attached")
    return context, page, errors, hosts


def test_a_planner_writes_a_note_another_planner_and_a_donor_see_it(
    chromium, notes_url, tmp_path: Path
) -> None:
    from cpmonitor.core import annotations, users

    url, settings = notes_url
    context, ana, errors, hosts = _as(chromium, url, "ana")
    ana.wait_for_selector("#indicator-note-form")
    assert ana.locator("#indicator-notes-empty").inner_text() == "No notes on this trend yet."
    # The trend is by year: the periods offered are its years, latest first.
    options = ana.locator("#indicator-note-period option").all_inner_texts()
    assert [o for o in options if o] == ["2018", "2017", "2016", "2015"]  # and dbc's placeholder
    ana.select_option("#indicator-note-period", "2017")
    ana.fill("#indicator-note-text", NOTE)
    ana.click("#indicator-note-save")
    ana.wait_for_selector("#indicator-notes-list")
    assert ana.inner_text("#indicator-note-message") == "Note saved."
    assert ana.input_value("#indicator-note-text") == ""
    assert NOTE in ana.inner_text("#indicator-notes-list")  # typed markup shows as text
    label = ana.locator("#indicator-trend-graph .annotation-text", has_text="✎ 1")
    assert label.count() == 1
    label.hover()
    ana.wait_for_selector("#indicator-trend-graph .hovertext", state="attached")
    ana.wait_for_timeout(300)  # let the hover label finish drawing before the picture
    _save(ana, tmp_path, "indicator_note_AC06.png")
    (note,) = annotations.list_annotations(settings, "AC06", None)
    assert (note.author, note.period_id, note.text) == ("ana", "2017", NOTE)
    assert [e.detail for e in users.read_events(settings, event="annotation_added")] == [
        f"note {note.id} on AC06 NAT 2017"
    ]

    other, ben, ben_errors, _ = _as(chromium, url, "ben")
    ben.wait_for_selector("#indicator-notes-list")
    assert f"2017: {NOTE} — ana," in ben.inner_text("#indicator-notes-list")
    assert ben.locator("#indicator-notes-list button").count() == 0  # not his to delete
    assert ben.locator("#indicator-trend-graph .annotation-text", has_text="✎ 1").count() == 1
    other.close()

    donor, dora, dora_errors, _ = _as(chromium, url, "dora")
    dora.wait_for_selector("#indicator-notes-list")
    assert NOTE in dora.inner_text("#indicator-notes-list")
    assert dora.locator("#indicator-note-form").count() == 0
    donor.close()

    # Its author deletes it: gone from the list and the chart.
    ana.click("#indicator-notes-list button")
    ana.wait_for_selector("#indicator-notes-empty")
    assert ana.inner_text("#indicator-note-message") == "Note deleted."
    assert ana.locator("#indicator-trend-graph .annotation-text", has_text="✎").count() == 0
    assert annotations.list_annotations(settings, "AC06", None) == []
    assert errors == [] and ben_errors == [] and dora_errors == []
    assert set(hosts) <= LOCAL_HOSTS
    context.close()
