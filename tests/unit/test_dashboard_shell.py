"""The shell around every page, for people: the folding navbar, the skip link, the page's language,
and colours that people with a colour-vision deficiency tell apart, with enough contrast."""

from __future__ import annotations

import re

from dash import html

from dashboards import figures
from dashboards.app import (
    ASSETS_DIR,
    INDEX_STRING,
    MAIN_ID,
    NAV_COLLAPSE_ID,
    NAV_TOGGLER_ID,
    navbar,
)
from dashboards.pages import discover_pages


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    if children is None:
        return
    for child in children if isinstance(children, list | tuple) else [children]:
        if hasattr(child, "to_plotly_json"):
            yield from _walk(child)


def _by_id(root, wanted: str):
    return next(c for c in _walk(root) if getattr(c, "id", None) == wanted)


def test_the_navbar_folds_its_links_and_account_behind_a_labelled_toggler() -> None:
    pages = discover_pages()
    account = html.Div("someone", id="account")
    bar = navbar("Examplia", pages, account)
    toggler = _by_id(bar, NAV_TOGGLER_ID)
    folded = _by_id(bar, NAV_COLLAPSE_ID)
    props = toggler.to_plotly_json()["props"]
    assert props["aria-controls"] == NAV_COLLAPSE_ID
    assert props["aria-expanded"] == "false"
    assert props["aria-label"]
    assert folded.is_open is False
    inside = list(_walk(folded))
    assert account in inside
    labels = [c.children for c in inside if type(c).__name__ == "NavLink"]
    assert labels == [page.route.nav_label for page in pages]


def test_every_page_has_a_skip_link_to_its_main_region_and_a_language() -> None:
    assert '<html lang="en">' in INDEX_STRING
    for part in ("{%app_entry%}", "{%config%}", "{%scripts%}", "{%renderer%}"):
        assert part in INDEX_STRING


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula_on_known_pairs() -> None:
    # WCAG's own extremes: black on white 21:1, a colour on itself 1:1.
    assert round(_contrast("#000000", "#FFFFFF"), 2) == 21.0
    assert _contrast("#0072B2", "#0072B2") == 1.0


def test_chart_colours_are_okabe_ito_and_status_text_reads_on_white() -> None:
    assert figures.COLOURS["series"] == "#0072B2"  # Okabe-Ito blue
    assert figures.COLOURS["target"] == "#D55E00"  # Okabe-Ito vermillion
    assert figures.COLOURS["flagged"] == "#E69F00"  # Okabe-Ito orange
    for status in ("good", "bad"):
        assert _contrast(figures.COLOURS[status], "#FFFFFF") >= 4.5, status


def test_the_css_status_colours_are_the_charts_and_read_on_their_badges() -> None:
    css = (ASSETS_DIR / "cpmonitor.css").read_text(encoding="utf-8")
    variables = dict(re.findall(r"--(cp-[a-z-]+):\s*(#[0-9A-Fa-f]{6})", css))
    assert variables["cp-good"].upper() == figures.COLOURS["good"].upper()
    assert variables["cp-bad"].upper() == figures.COLOURS["bad"].upper()
    assert _contrast(variables["cp-good"], variables["cp-good-bg"]) >= 4.5
    assert _contrast(variables["cp-bad"], variables["cp-bad-bg"]) >= 4.5
    assert _contrast(variables["cp-muted"], variables["cp-bg"]) >= 4.5


def test_the_shell_starts_with_the_skip_link_to_the_main_region(tmp_path) -> None:
    from auth_helpers import as_role

    from cpmonitor.core.settings import Settings
    from dashboards.app import CONTENT_ID, SKIP_LINK, app_layout, create_app

    app = create_app(Settings.from_env(tmp_path))  # no warehouse: the shell still renders
    with as_role(app, "planner"):
        shell = app_layout()
    first = shell.children[0]
    assert (first.children, first.href) == (SKIP_LINK, f"#{MAIN_ID}")
    main = _by_id(shell, MAIN_ID)
    assert isinstance(main, html.Main) and main.tabIndex == "-1"
    assert _by_id(main, CONTENT_ID) is not None  # the page is inside what the link jumps to


def test_the_css_shows_the_skip_link_on_focus_and_rings_around_focused_controls() -> None:
    css = (ASSETS_DIR / "cpmonitor.css").read_text(encoding="utf-8")
    assert ".cp-skip-link:focus" in css
    assert f"#{MAIN_ID}:focus" in css
    assert ":focus-visible" in css
