"""Every page every role may open, in headless Chromium at a laptop's width (1400 px) and a phone's
(390 px), against the fixture warehouse: charts drawn, no console error, nothing requested from a
host but this machine, no serious or critical accessibility problem (axe-core, installed from the
npm registry by ``make axe``), and at 390 px no page wider than the screen.

The pages come from the app itself (``app_pages`` and ``role.may_open``), so a new page is checked
the day it is added. The public view is turned on for this server (an installation ``access.yml``
in the data directory) so that it is checked too. Each role signs in once (sign-in is rate limited)
and its cookies are reused for both widths.

Screenshots go to pytest's tmp dir, and also to ``$CPMONITOR_SCREENSHOT_DIR`` when it is set.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_helpers import (
    BROWSER_MARKS,
    LOCAL_HOSTS,
    launch_chromium,
    save,
    serving,
    signed_in_page,
    watch,
)
from warehouse_fixture import build_fixture_warehouse

from cpmonitor.core.access import DEFAULT_ACCESS_FILE, load_access
from cpmonitor.core.settings import PROJECT_ROOT

PASSWORD = "screens-password"
AXE_JS = PROJECT_ROOT / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"laptop": 1400, "phone": 390}
HEIGHT = {"laptop": 1000, "phone": 844}
OVERFLOW_TOLERANCE = 2  # px: sub-pixel rounding, never a scrolling page

pytestmark = BROWSER_MARKS

# Waits until the page is settled: the router has filled the page, no callback is running, no
# dcc.Loading spinner is shown and every Plotly chart has drawn its SVG.
SETTLED = """() => {
  const content = document.getElementById('cp-page-content');
  if (!content || content.children.length === 0) return false;
  if (document.querySelector('[data-dash-is-loading="true"], .dash-spinner, ._dash-loading')) {
    return false;
  }
  const plots = [...document.querySelectorAll('.js-plotly-plot')];
  return plots.every(plot => plot.querySelector('.main-svg'));
}"""

SETTLED_STATE = """() => ({
  content: document.getElementById('cp-page-content')?.children.length,
  loading: [...document.querySelectorAll(
    '[data-dash-is-loading="true"], .dash-spinner, ._dash-loading')].map(el => el.outerHTML.slice(0, 120)),
  undrawn: [...document.querySelectorAll('.js-plotly-plot')]
    .filter(plot => !plot.querySelector('.main-svg')).map(plot => plot.parentElement.id),
})"""

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
    }));
}"""


def _policy_with_public_view(data_dir: Path) -> None:
    """The installation's ``access.yml``: the project's default with the public view turned on."""
    text = DEFAULT_ACCESS_FILE.read_text(encoding="utf-8")
    public = text.index("  public:")
    head, tail = text[:public], text[public:]
    assert "enabled: false" in tail, "the default policy no longer has the public view off"
    (data_dir / "access.yml").write_text(head + tail.replace("enabled: false", "enabled: true", 1))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The app on a free localhost port with a user for every role that signs in."""
    from cpmonitor.core import users
    from cpmonitor.core.settings import Settings
    from dashboards.app import app_pages, create_app

    data_dir = tmp_path_factory.mktemp("screens-data")
    settings = Settings.from_env(data_dir)
    build_fixture_warehouse(settings.warehouse_file)
    _policy_with_public_view(data_dir)
    policy = load_access(settings)
    roles = {name: role for name, role in policy.roles.items() if role.enabled}
    assert "public" in roles
    for name in roles:
        if name != "public":
            users.add_user(settings, f"screens-{name}", name, PASSWORD)
    app = create_app(settings)
    with serving(app) as url:
        yield {"url": url, "roles": roles, "pages": app_pages(app)}


@pytest.fixture(scope="module")
def chromium(site: dict) -> Iterator[object]:
    with launch_chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def signed_in(site: dict, chromium) -> dict:
    """Each role's cookies, from one sign-in through the real form (filled on first use)."""
    return {}


def _cookies_of(role: str, site: dict, chromium, signed_in: dict):
    if role == "public":
        return None
    if role not in signed_in:
        # The public view is on, so nothing sends the browser to the form: open it.
        context, _page, _errors, _hosts = signed_in_page(
            chromium, site["url"] + "/login", f"screens-{role}", PASSWORD, viewport=None
        )
        signed_in[role] = context.storage_state()
        context.close()
    return signed_in[role]


def _roles() -> list[str]:
    """The roles of the default policy, public included (this server turns it on)."""
    return list(load_access().roles)


@pytest.fixture(scope="module")
def axe_js() -> Path:
    if not AXE_JS.is_file():
        pytest.fail(f"axe-core is not installed at {AXE_JS}: run `make axe` (make test does)")
    return AXE_JS


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("role_name", _roles())
def test_every_page_of_the_role(
    role_name: str, width: str, site: dict, chromium, signed_in: dict, axe_js: Path, tmp_path
) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    role = site["roles"].get(role_name)
    if role is None:
        pytest.skip(f"{role_name} is not enabled")
    pages = [page for page in site["pages"] if role.may_open(page.name)]
    assert pages, f"{role_name} may open no page"
    pixels = WIDTHS[width]
    context = chromium.new_context(
        viewport={"width": pixels, "height": HEIGHT[width]},
        storage_state=_cookies_of(role_name, site, chromium, signed_in),
    )
    browser_page = context.new_page()
    errors, hosts = watch(browser_page)
    problems: list[str] = []
    try:
        for number, page in enumerate(pages):
            errors.clear()
            browser_page.goto(site["url"] + page.path)
            assert "/login" not in browser_page.url, f"{role_name} sent to sign in at {page.path}"
            where = f"{role_name} {page.name} at {pixels} px"
            browser_page.wait_for_load_state("networkidle")
            try:
                browser_page.wait_for_function(SETTLED, timeout=30_000)
            except PlaywrightTimeout:
                save(browser_page, tmp_path, f"{role_name}_{page.name}_{pixels}_unsettled.png")
                state = browser_page.evaluate(SETTLED_STATE)
                pytest.fail(f"{where}: still loading after 30 s: {state}")
            if number == 0:
                problems += _check_shell(browser_page, width, where, tmp_path, role_name)
            blank = browser_page.evaluate(BLANK_CHARTS)
            if blank:
                problems.append(f"{where}: charts with neither data nor a message: {blank}")
            save(browser_page, tmp_path, f"{role_name}_{page.name}_{pixels}.png")
            if errors:
                problems.append(f"{where}: console errors {errors}")
            overflow = browser_page.evaluate("() => document.documentElement.scrollWidth")
            if overflow > pixels + OVERFLOW_TOLERANCE:
                wide = browser_page.evaluate(WIDEST, pixels)
                problems.append(f"{where}: the page is {overflow} px wide; too wide: {wide}")
            # Evaluated, not added as a <script> tag: the app's Content Security Policy (rightly)
            # refuses inline scripts, and the test must not turn it off.
            browser_page.evaluate(axe_js.read_text(encoding="utf-8") + "\n;void 0")
            for violation in browser_page.evaluate(AXE_RUN):
                problems.append(
                    f"{where}: axe {violation['impact']} {violation['id']} at "
                    f"{violation['targets']}: {violation['help']}"
                )
    finally:
        context.close()
    outside = set(hosts) - LOCAL_HOSTS
    assert not outside, f"requests left localhost: {outside}"
    assert not problems, "\n".join(problems)


# The elements (outside scrolling wrappers) whose right edge passes the screen's: what to fix.
WIDEST = """(width) => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > width + 2)
  .filter(el => !el.closest('.table-responsive, .cp-scroll, .js-plotly-plot'))
  .slice(0, 6)
  .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
       + (el.className && typeof el.className === 'string'
          ? '.' + el.className.trim().split(/\\s+/).join('.') : ''))"""


# Charts that draw nothing and say nothing: a chart without data must carry figures.empty_figure's
# message (an annotation) instead of empty axes.
BLANK_CHARTS = """() => [...document.querySelectorAll('.js-plotly-plot')]
  .filter(plot => !(plot.data || []).length && !((plot.layout || {}).annotations || []).length)
  .map(plot => (plot.closest('[id]') || plot).id)"""


def _check_shell(page, width: str, where: str, tmp_path: Path, role: str) -> list[str]:
    """The shell on the first page: "Skip to content" is the first thing Tab reaches and moves
    focus to the page; on a phone the navbar folds behind its toggler and opens with it."""
    problems = []
    page.keyboard.press("Tab")
    first = page.evaluate("() => document.activeElement && document.activeElement.innerText")
    if (first or "").strip() != "Skip to content":
        problems.append(f"{where}: the first Tab reaches {first!r}, not 'Skip to content'")
    outline = page.evaluate(
        "() => getComputedStyle(document.activeElement).outlineStyle"
        " + ' ' + getComputedStyle(document.activeElement).boxShadow"
    )
    if outline.startswith("none none"):
        problems.append(f"{where}: the focused skip link shows no outline")
    page.keyboard.press("Enter")
    focused = page.evaluate("() => document.activeElement && document.activeElement.id")
    if focused != "cp-main":
        problems.append(f"{where}: 'Skip to content' moves the focus to {focused!r}, not the page")
    page.mouse.move(0, 0)
    links = page.locator(".cp-navbar .nav-link")
    toggler = page.locator(".cp-navbar .navbar-toggler")
    if width == "phone":
        if not toggler.is_visible():
            problems.append(f"{where}: no navbar toggler")
        elif links.first.is_visible():
            problems.append(f"{where}: the navbar links show before the toggler is pressed")
        else:
            toggler.click()
            links.first.wait_for(state="visible", timeout=5_000)
            page.wait_for_timeout(400)  # the folding animation, for the picture only
            save(page, tmp_path, f"{role}_menu_390.png", full_page=False)
            if toggler.get_attribute("aria-expanded") != "true":
                problems.append(f"{where}: the toggler does not say it is expanded")
            toggler.click()
            links.first.wait_for(state="hidden", timeout=5_000)
    else:
        if toggler.is_visible() or not links.first.is_visible():
            problems.append(f"{where}: the navbar is folded on a laptop")
    return problems
