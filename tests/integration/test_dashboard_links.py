"""A dashboard view is a link: in headless Chromium against the fixture warehouse, the pickers write
the URL (no reload), another planner opening it sees the same view, back and forward move between
views, and a donor opening a planner's month link gets years.

Values by hand from ``warehouse_fixture.py``: AC06 exits to a family in Northlake (01) are
(6 + 4) / (10 + 8) = 55.6 % in every month, and 120 / 216 = 55.6 % in a year; months run 2015-01 to
2018-12 (48 months, 16 quarters, 4 years), so the last 12 months are the 12 months of 2018.
Screenshots go to pytest's tmp dir, and also to ``$CPMONITOR_SCREENSHOT_DIR`` when it is set.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser_helpers import (
    BROWSER_MARKS,
    launch_chromium,
    open_page,
    save,
    serving_fixture,
    signed_in_page,
)

PASSWORD = "links-password-1"
PLANNER_A, PLANNER_B, DONOR = "links-planner-a", "links-planner-b", "links-donor"
MONTH_VIEW = "/indicator?code=AC06&geo=01&period=month&range=last12m"

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over the fixture warehouse, with two planners and a donor."""
    accounts = [
        (PLANNER_A, "planner", PASSWORD),
        (PLANNER_B, "planner", PASSWORD),
        (DONOR, "donor", PASSWORD),
    ]
    with serving_fixture(tmp_path_factory.mktemp("links-data"), accounts) as (url, _settings):
        yield url


@pytest.fixture(scope="module")
def chromium(server_url: str) -> Iterator[object]:
    with launch_chromium() as browser:
        yield browser


def _signed_in(chromium, server_url: str, username: str):
    """A browser context of its own (its own cookies) signed in as ``username`` through the form
    (once per user: sign-in is rate-limited to 5 a minute per address)."""
    context, page, _errors, _hosts = signed_in_page(
        chromium, server_url + "/scorecard", username, PASSWORD
    )
    page.close()
    return context


@pytest.fixture(scope="module")
def planner_a(chromium, server_url: str):
    return _signed_in(chromium, server_url, PLANNER_A)


@pytest.fixture(scope="module")
def planner_b(chromium, server_url: str):
    return _signed_in(chromium, server_url, PLANNER_B)


@pytest.fixture(scope="module")
def donor(chromium, server_url: str):
    return _signed_in(chromium, server_url, DONOR)


def _open(context, url: str):
    """A fresh page at ``url`` with the indicator's trend drawn, and its console errors."""
    page, errors, _hosts = open_page(context, url)
    _settled(page)
    return page, errors


def _record_callbacks(page) -> list[str]:
    """The outputs of every Dash callback the server answered with new values for ``page`` (not
    the 204 of a callback that left everything as it was), filled as it runs."""
    outputs: list[str] = []

    def seen(response) -> None:
        request = response.request
        if "/_dash-update-component" in request.url and response.status == 200:
            outputs.append(json.loads(request.post_data)["output"])

    page.on("response", seen)
    return outputs


def _drawn(outputs: list[str]) -> tuple[int, int]:
    """How often the indicator's content was drawn, and the whole page by the router (which
    answers 204, no change, when only the query of a page that follows it changed)."""
    return (
        sum("indicator-content.children" in o for o in outputs),
        sum("cp-page-content.children" in o for o in outputs),
    )


@contextmanager
def _one_view_change(page) -> Iterator[None]:
    """Around a picker change or a step back: waits until the content was drawn and the router
    answered, then checks the content was drawn once and the router left the page in place."""
    outputs = _record_callbacks(page)

    def asks(output: str):
        return lambda r: (
            "/_dash-update-component" in r.url and output in (r.request.post_data or "")
        )

    with (
        page.expect_response(asks('"indicator-content.children"')),
        page.expect_response(asks("cp-page-content.children")) as router,
    ):
        yield
    assert router.value.status == 204  # PreventUpdate: the page was not drawn again
    page.wait_for_load_state("networkidle")
    assert _drawn(outputs) == (1, 0)


def _settled(page) -> None:
    page.wait_for_selector("#indicator-trend-graph .main-svg", state="attached")
    page.wait_for_load_state("networkidle")


def _query(page) -> str:
    return page.evaluate("() => location.pathname + location.search")


def _wait_for_link(page, link: str) -> None:
    page.wait_for_function("(link) => location.pathname + location.search === link", arg=link)
    _settled(page)


def _trend_points(page) -> int:
    return page.evaluate(
        "() => document.querySelector('#indicator-trend-graph .js-plotly-plot').data[0].x.length"
    )


def _wait_for_points(page, count: int) -> None:
    page.wait_for_function(
        """(count) => {
            const plot = document.querySelector('#indicator-trend-graph .js-plotly-plot');
            return plot && plot.data && plot.data[0].x.length === count;
        }""",
        arg=count,
    )


def _view(page) -> dict[str, object]:
    """What the pickers say and the values a reader sees."""
    return {
        "code": page.inner_text("#indicator-code"),
        "geo": page.input_value("#indicator-geo"),
        "period": page.evaluate(
            "() => document.querySelector('#indicator-period input:checked')?.value"
        ),
        "range": page.input_value("#indicator-range"),
        "latest": page.inner_text("#indicator-latest"),
        "points": _trend_points(page),
        "trend": page.locator("#indicator-trend-graph .gtitle").text_content(),
        "bounds shown": page.is_visible("#indicator-custom-box"),
    }


def test_pickers_write_the_link_another_planner_opens_it_and_back_returns(
    planner_a, planner_b, server_url: str, tmp_path: Path
) -> None:
    page, errors = _open(planner_a, server_url + "/indicator?code=AC06")
    assert _query(page) == "/indicator?code=AC06"  # opening a link does not rewrite it
    assert _trend_points(page) == 4  # whole years first: 2015 to 2018
    # A mark on the window: gone if the page were reloaded.
    page.evaluate("() => { window.cpSameDocument = true; }")
    history = page.evaluate("() => history.length")
    with _one_view_change(page):
        page.select_option("#indicator-geo", "01")
    _wait_for_link(page, "/indicator?code=AC06&geo=01&period=year")
    page.locator("#indicator-period label", has_text="Month").click()
    _wait_for_link(page, "/indicator?code=AC06&geo=01&period=month")
    _wait_for_points(page, 48)
    page.select_option("#indicator-range", "last12m")
    _wait_for_link(page, MONTH_VIEW)
    _wait_for_points(page, 12)
    assert page.evaluate("() => window.cpSameDocument") is True  # no reload
    assert page.evaluate("() => history.length") == history + 3  # one entry per change
    shown = _view(page)
    assert shown["geo"] == "01" and shown["period"] == "month" and shown["range"] == "last12m"
    assert shown["bounds shown"] is False  # from/to only for "From … to …"
    assert shown["latest"] == "55.6%"  # Northlake, Dec 2018: 10 / 18
    assert "Northlake" in str(shown["trend"]) and "by month" in str(shown["trend"])
    first = page.evaluate(
        "() => document.querySelector('#indicator-trend-graph .js-plotly-plot').data[0].x[0]"
    )
    assert str(first).startswith("2018-01")
    save(page, tmp_path, "indicator_link_month.png")

    # Another planner, in a browser of their own, opens the link: the same view.
    other, other_errors = _open(planner_b, server_url + MONTH_VIEW)
    assert _view(other) == shown
    assert _query(other) == MONTH_VIEW
    assert "links-planner-b" in other.inner_text("#cp-user")
    other.close()

    # Back: the view before the range (all 48 months), then before the month (4 years).
    with _one_view_change(page):
        page.go_back()
    page.wait_for_function("() => location.search === '?code=AC06&geo=01&period=month'")
    _wait_for_points(page, 48)
    assert page.input_value("#indicator-range") == "all"
    page.go_back()
    page.wait_for_function("() => location.search === '?code=AC06&geo=01&period=year'")
    _wait_for_points(page, 4)
    assert page.evaluate(
        "() => document.querySelector('#indicator-period input:checked').value"
    ) == ("year")
    assert page.input_value("#indicator-geo") == "01"
    page.go_back()
    page.wait_for_function("() => location.search === '?code=AC06'")
    page.wait_for_function("() => document.querySelector('#indicator-geo').value === 'NAT'")
    # National 2018: 180 / 336.
    page.wait_for_function(
        "() => document.querySelector('#indicator-latest').innerText === '53.6%'"
    )
    _wait_for_points(page, 4)
    # Forward twice: Northlake by month again, no new history entry written on the way.
    page.go_forward()
    page.go_forward()
    page.wait_for_function("() => location.search === '?code=AC06&geo=01&period=month'")
    _wait_for_points(page, 48)
    assert page.evaluate("() => history.length") == history + 3
    assert page.evaluate("() => window.cpSameDocument") is True
    assert errors == [] and other_errors == []
    page.close()


def test_an_explicit_range_goes_into_the_link(planner_a, server_url: str) -> None:
    page, errors = _open(planner_a, server_url + "/indicator?code=AC05&period=year")
    assert page.is_hidden("#indicator-from")
    page.select_option("#indicator-range", "custom")
    # "From … to …" starts from the indicator's whole span.
    _wait_for_link(page, "/indicator?code=AC05&geo=NAT&period=year&from=2015&to=2018")
    page.select_option("#indicator-from", "2016")
    _wait_for_link(page, "/indicator?code=AC05&geo=NAT&period=year&from=2016&to=2018")
    page.select_option("#indicator-to", "2017")
    _wait_for_link(page, "/indicator?code=AC05&geo=NAT&period=year&from=2016&to=2017")
    _wait_for_points(page, 2)
    assert page.is_visible("#indicator-from") and page.is_visible("#indicator-to")
    assert page.inner_text("#indicator-latest") == "28"  # institutions open in 2017
    assert errors == []
    page.close()


def test_a_donor_opening_a_planners_month_link_gets_years(donor, server_url: str) -> None:
    page, errors = _open(donor, server_url + MONTH_VIEW)
    assert page.evaluate(
        "() => document.querySelector('#indicator-period input:checked').value"
    ) == ("year")
    assert page.input_value("#indicator-geo") == "01"
    assert page.input_value("#indicator-range") == "last12m"
    _wait_for_points(page, 1)  # the last 12 months by year: 2018
    assert page.inner_text("#indicator-latest") == "55.6%"  # Northlake 2018: 120 / 216
    assert "by year" in page.locator("#indicator-trend-graph .gtitle").text_content()
    assert "month" not in page.locator("#indicator-trend-graph .gtitle").text_content()
    assert errors == []
    page.close()


def test_the_care_page_keeps_its_place_in_the_link(planner_a, planner_b, server_url: str) -> None:
    kpi = "() => document.querySelector('#care-kpi-children-value')?.innerText"
    page, errors = _open_care(planner_a, server_url + "/")
    page.evaluate("() => { window.cpSameDocument = true; }")
    outputs = _record_callbacks(page)
    page.select_option("#care-province", "02")
    page.wait_for_function("() => location.search === '?geo=02'")
    page.wait_for_function(f"() => ({kpi})() === '765'")  # Southhill, Dec 2018: 459 + 306
    page.wait_for_load_state("networkidle")
    drawn = sum("care-kpis.children" in o for o in outputs)
    assert (drawn, sum("cp-page-content.children" in o for o in outputs)) == (1, 0)

    other, other_errors = _open_care(planner_b, server_url + "/?geo=02")
    other.wait_for_function(f"() => ({kpi})() === '765'")
    assert other.input_value("#care-province") == "02"
    other.close()

    page.go_back()
    page.wait_for_function("() => location.search === ''")
    page.wait_for_function(f"() => ({kpi})() === '2,142'")  # the nation
    assert page.input_value("#care-province") == "NAT"
    page.go_forward()
    page.wait_for_function(f"() => ({kpi})() === '765'")
    assert page.input_value("#care-province") == "02"
    assert page.evaluate("() => window.cpSameDocument") is True
    assert errors == [] and other_errors == []
    page.close()


def _open_care(context, url: str):
    """A fresh page at ``url`` with the care page's figures shown, and its console errors."""
    page, errors, _hosts = open_page(context, url)
    page.wait_for_selector("#care-kpi-children-value")
    page.wait_for_load_state("networkidle")
    return page, errors
