"""The dashboard's plotly.js (dashboards/assets/plotly-dashboard.min.js, built by
dashboards/plotly_bundle/build.js): plotly.py's plotly.js version, and every trace type a figure
of the dashboard makes."""

from __future__ import annotations

import re
from pathlib import Path

from plotly.offline import get_plotlyjs_version

from dashboards.app import ASSETS_DIR, PRELOADED

DASHBOARDS = Path(__file__).resolve().parents[2] / "dashboards"
BUNDLE = ASSETS_DIR / "plotly-dashboard.min.js"
BUILD_JS = DASHBOARDS / "plotly_bundle" / "build.js"
BANNER = re.compile(r"/\*! plotly\.js (\S+) \(MIT, Plotly, Inc\.\) traces: ([a-z ]+); built by ")


def banner() -> tuple[str, set[str]]:
    """The bundle's plotly.js version and trace types, from the banner build.js writes."""
    with BUNDLE.open() as bundle:
        match = BANNER.match(bundle.readline())
    assert match, f"{BUNDLE.name} has no banner of build.js: run make plotly-bundle"
    return match.group(1), set(match.group(2).split())


def test_the_bundle_is_plotly_pys_plotly_js_version() -> None:
    version, _traces = banner()
    assert version == get_plotlyjs_version(), (
        f"{BUNDLE.name} holds plotly.js {version}, plotly {get_plotlyjs_version()}: set that "
        "version in dashboards/plotly_bundle/package.json and run make plotly-bundle"
    )


def test_the_bundle_holds_every_trace_type_a_figure_makes() -> None:
    made = {
        name.lower()
        for source in DASHBOARDS.rglob("*.py")
        for name in re.findall(r"\bgo\.([A-Z][a-z]+)\(", source.read_text())
    }
    made -= {"figure"}
    assert {"scatter", "bar", "choropleth"} <= made  # the scan finds what the figures make
    _version, traces = banner()
    assert made <= traces, f"add {sorted(made - traces)} to TRACES in {BUILD_JS.name}"


def test_the_banner_lists_the_trace_types_build_js_bundles() -> None:
    listed = re.search(r"const TRACES = \[([^\]]*)\]", BUILD_JS.read_text())
    assert listed
    _version, traces = banner()
    assert traces == {"scatter", *re.findall(r"'([a-z]+)'", listed.group(1))}


def test_plotly_pys_bundle_is_not_preloaded() -> None:
    assert not [path for path in PRELOADED if "plotly.min.js" in path]
