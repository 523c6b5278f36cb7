"""Notes on the indicator trend in headless Chromium: a planner writes one, another planner and a
donor see it, its author deletes it. Screenshots go to pytest's tmp dir (and
``$CPMONITOR_SCREENSHOT_DIR`` when set)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_helpers import (
    BROWSER_MARKS,
    LOCAL_HOSTS,
    launch_chromium,
    save,
    serving_fixture,
    signed_in_page,
)

PASSWORD = "browser-password"
NOTE = "New gatekeeping policy <b>from March</b>"

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def notes_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    """The app over the fixture warehouse and its settings; planners ana and ben, donor dora."""
    accounts = [
        (name, role, PASSWORD)
        for name, role in (("ana", "planner"), ("ben", "planner"), ("dora", "donor"))
    ]
    with serving_fixture(tmp_path_factory.mktemp("notes-data"), accounts) as served:
        yield served


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    with launch_chromium() as browser:
        yield browser


def _as(chromium, url: str, username: str):
    """A context of its own signed in as ``username`` at AC06's indicator page, its trend drawn."""
    context, page, errors, hosts = signed_in_page(
        chromium, url + "/indicator?code=AC06", username, PASSWORD
    )
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
    save(ana, tmp_path, "indicator_note_AC06.png")
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
