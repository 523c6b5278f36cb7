"""Dashboard timing (issue 12): how long the server takes to answer the dashboard's callbacks, and
how long a browser takes to show the first chart of the first page.

    .venv/bin/python -m benchmarks.dashboard_timing --data-dir D [--repeats 20] [--no-browser]

- **Callbacks, server time.** The app is built as ``cpmonitor serve`` builds it
  (``dashboards.app.create_app``, then ``warm_up``), a planner (and an admin, for the audit log)
  signs in through the real form with Flask's test client, and each callback request is POSTed to
  ``/_dash-update-component`` as the browser would send it (bodies built from the app's own
  ``/_dash-dependencies``). The combinations: every page through the router (the care page
  nationally and with a province, the scorecard, an indicator, data quality, reports, the audit
  log); the care page's callback for the nation and each of two provinces, and its map click;
  the scorecard for all sectors and two; the indicator page's period list and its content for a
  stock (AC04), a flow (AC01), a rate (AC06), a median (JC04) and a survey (VE14), nationally and
  in a province, by month, quarter and year where the indicator has them. Each request is timed
  with ``time.perf_counter`` (the whole test-client round trip). Districts and breakdowns are not
  filters of any callback (the indicator page shows every breakdown and the districts' table in its
  one content callback), so they are covered by that callback, not chosen.
- **First and repeated requests.** The dashboard remembers the answers of its queries per
  published warehouse version (``dashboards.queries``), so a combination is slower the first time
  it is asked after a publish than afterwards. After one untimed warm-up round (the process's own
  first-use costs: imports, plotly's validators), every combination is timed once with no answer
  remembered (``first``: the answers are forgotten before each request, so even the queries it
  shares with other pages, such as the country's name, run again; the warehouse file stays open,
  which it is after the first request following a publish), then ``repeats`` more times as it comes
  (``repeated``: its answers remembered). Reported: p50 and p95 of the ``first`` requests, of the
  ``repeated`` ones, overall and per callback. The top-level ``p50``, ``p95`` and ``n`` are those of
  the ``first`` requests: the slower, uncached figures.
- **First page load.** The same app served by waitress (as ``cpmonitor serve``) on a free
  127.0.0.1 port in a thread; headless Chromium (``/usr/bin/chromium`` through playwright) signs in
  once, then five times a new browser context (cold: no cache, the signed-in cookies only) opens
  the overview page ``/``, the server too remembering no answer (as for a ``first`` request); the
  time from navigation to the first ``.js-plotly-plot`` holding data is reported (min, median).

Nothing is written into ``data_dir``: the app runs on a scratch data dir whose ``state`` (the user
store, sessions and audit log the visits write) is a copy, everything else linked.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cpmonitor.core.settings import CHROMIUM, CHROMIUM_ARGS

PASSWORD = "bench-password-1"
PLANNER, ADMIN = "bench-planner", "bench-admin"
INDICATORS = ("AC04", "AC01", "AC06", "JC04", "VE14")  # stock, flow, rate, median, survey
FIRST_LOADS = 5
REFUSED = (b"page-no-access", b"page-not-found")
FIRST_CHART = (
    "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
    ".some(p => Array.isArray(p.data) && p.data.length > 0)"
)


# --- the app -----------------------------------------------------------------------------------


@contextmanager
def scratch_data_dir(data_dir: Path) -> Iterator[Path]:
    """A data dir that reads like ``data_dir`` but takes the writes of sign-in and visits:
    ``state`` copied, every other entry a symbolic link. Removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="cpmonitor-dash-"))
    try:
        scratch = root / "data"
        scratch.mkdir(mode=0o700)
        for entry in Path(data_dir).resolve().iterdir():
            if entry.name == "state":
                shutil.copytree(entry, scratch / "state")
            else:
                (scratch / entry.name).symlink_to(entry)
        (scratch / "state").mkdir(mode=0o700, exist_ok=True)
        yield scratch
    finally:
        shutil.rmtree(root, ignore_errors=True)


def build_app(data_dir: Path):
    """The app as ``cpmonitor serve`` builds it, with the benchmark's two accounts."""
    from cpmonitor.cli import warm_up
    from cpmonitor.core import users
    from cpmonitor.core.settings import Settings
    from dashboards.app import create_app

    settings = Settings.from_env(data_dir)
    for name, role in ((PLANNER, "planner"), (ADMIN, "admin")):
        if users.get_user(settings, name) is None:
            users.add_user(settings, name, role, PASSWORD)
    app = create_app(settings)
    warm_up(app)
    return app


def signed_in_client(app, username: str):
    """A Flask test client signed in through the sign-in form, and the Dash POST headers."""
    import re

    client = app.server.test_client()
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token, "next": "/"},
    )
    if response.status_code != 302:
        raise RuntimeError(f"sign-in as {username} failed: {response.status_code}")
    client.get("/")
    csrf = client.get_cookie("_csrf_token")
    return client, {"X-CSRFToken": csrf.value, "Content-Type": "application/json"}


# --- the callback requests ---------------------------------------------------------------------


def _dependencies(client) -> dict[str, dict]:
    """The app's callbacks by their output string."""
    return {dep["output"]: dep for dep in client.get("/_dash-dependencies").get_json()}


def _body(dependency: dict, values: dict[str, Any]) -> dict:
    """The POST body of a callback: its inputs with ``values`` (``"id.property"`` -> value)."""

    def spec(item: dict) -> dict:
        key = f"{item['id']}.{item['property']}"
        return {"id": item["id"], "property": item["property"], "value": values.get(key)}

    output = dependency["output"]
    parts = output.strip(".").split("...") if output.startswith("..") else [output]
    outputs = [dict(zip(("id", "property"), p.rsplit(".", 1), strict=True)) for p in parts]
    inputs = [spec(i) for i in dependency["inputs"]]
    return {
        "output": output,
        "outputs": outputs if output.startswith("..") else outputs[0],
        "inputs": inputs,
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
        "state": [spec(s) for s in dependency.get("state", [])],
    }


def _find(dependencies: dict[str, dict], output_id: str) -> dict:
    for output, dependency in dependencies.items():
        if output.strip(".").startswith(output_id + "."):
            return dependency
    raise KeyError(f"no callback with the output {output_id}")


def _places(data_dir: Path) -> tuple[str, list[str]]:
    from cpmonitor.core.published import NATIONAL
    from cpmonitor.core.settings import Settings
    from dashboards import queries

    provinces = list(queries.provinces(Settings.from_env(data_dir).warehouse_file)["geo_code"])
    return NATIONAL, provinces[:2]


def _period_types(data_dir: Path, code: str) -> list[str]:
    from cpmonitor.core.access import load_access
    from cpmonitor.core.settings import Settings
    from dashboards import queries

    settings = Settings.from_env(data_dir)
    role = load_access(settings).role("planner")
    return list(queries.period_types(settings.warehouse_file, code, role=role))


def callback_cases(
    data_dir: Path, dependencies: dict[str, dict], indicators: tuple[str, ...] = INDICATORS
) -> list[tuple[str, str, dict]]:
    """(callback, who, body) for every representative combination."""
    from dashboards.pages.scorecard import ALL

    national, provinces = _places(data_dir)
    route = _find(dependencies, "cp-page-content")
    cases = []
    pages = [
        ("/", ""),
        ("/", f"?province={provinces[0]}"),
        ("/scorecard", ""),
        ("/indicator", "?code=AC06"),
        ("/data-quality", ""),
        ("/reports", ""),
    ]
    for path, search in pages:
        values = {"cp-location.pathname": path, "cp-location.search": search}
        cases.append(("route " + path, PLANNER, _body(route, values)))
    values = {"cp-location.pathname": "/audit-log", "cp-location.search": ""}
    cases.append(("route /audit-log", ADMIN, _body(route, values)))

    care = _find(dependencies, "care-kpis")
    for place in [national, *provinces]:
        cases.append(("care page", PLANNER, _body(care, {"care-province.value": place})))
    click = {"points": [{"location": provinces[0], "curveNumber": 0, "pointNumber": 0}]}
    map_click = _find(dependencies, "care-province")
    cases.append(("care map click", PLANNER, _body(map_click, {"care-map-graph.clickData": click})))

    sections = _find(dependencies, "scorecard-sections")
    for sector in (ALL, "AC", "JC"):
        cases.append(
            ("scorecard sector", PLANNER, _body(sections, {"scorecard-sector.value": sector}))
        )

    # The indicator page keeps its pickers and its link in step in one callback (the first output
    # of which is the indicator picker); choosing an indicator there settles its period types.
    view = _find(dependencies, "indicator-code")
    content = _find(dependencies, "indicator-content")
    for code in indicators:
        values = {"indicator-code.value": code, "indicator-location.pathname": "/indicator"}
        cases.append(("indicator view", PLANNER, _body(view, values)))
        for period_type in _period_types(data_dir, code):
            for place in [national, provinces[0]]:
                values = {
                    "indicator-code.value": code,
                    "indicator-geo.value": place,
                    "indicator-period.value": period_type,
                    "indicator-range.value": "all",
                }
                cases.append(("indicator content", PLANNER, _body(content, values)))
    return cases


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    rank = share * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _summary(values: list[float]) -> dict[str, float | int]:
    return {
        "p50": round(_percentile(values, 0.5), 2),
        "p95": round(_percentile(values, 0.95), 2),
        "n": len(values),
    }


def time_callbacks(
    app, data_dir: Path, repeats: int, indicators: tuple[str, ...] = INDICATORS
) -> dict[str, Any]:
    """Every case POSTed once to warm up, then once with no remembered answer (``first``), then
    ``repeats`` rounds as they come (``repeated``), each request timed (ms)."""
    from dashboards import queries

    clients = {name: signed_in_client(app, name) for name in (PLANNER, ADMIN)}
    cases = callback_cases(data_dir, _dependencies(clients[PLANNER][0]), indicators)
    timings: dict[str, dict[str, list[float]]] = {"first": {}, "repeated": {}}
    for round_number in range(repeats + 2):
        kind = "first" if round_number == 1 else "repeated"
        for name, who, body in cases:
            client, headers = clients[who]
            payload = json.dumps(body)
            if kind == "first":
                queries.forget(connections=False)
            started = time.perf_counter()
            response = client.post("/_dash-update-component", data=payload, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code not in (200, 204):
                raise RuntimeError(f"{name} {body['inputs']}: HTTP {response.status_code}")
            if not round_number and any(m in response.data for m in REFUSED):
                raise RuntimeError(f"{name} {body['inputs']}: the page was refused or not found")
            if round_number:
                timings[kind].setdefault(name, []).append(elapsed)

    def every(kind: str) -> list[float]:
        return [t for values in timings[kind].values() for t in values]

    first, repeated = every("first"), every("repeated")
    return {
        **_summary(first),
        "first": _summary(first),
        "repeated": _summary(repeated) if repeated else None,
        "combinations": len(cases),
        "per_callback": {
            name: {
                **_summary(values),
                "first": _summary(values),
                "repeated": _summary(timings["repeated"][name]) if repeats else None,
            }
            for name, values in timings["first"].items()
        },
    }


# --- the first page load -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(app) -> Iterator[str]:
    """``app`` served by waitress (as ``cpmonitor serve``) on a free 127.0.0.1 port."""
    from waitress.server import create_server

    server = create_server(app.server, host="127.0.0.1", port=_free_port(), threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)


def time_first_loads(app, loads: int = FIRST_LOADS) -> dict[str, Any]:
    """Milliseconds from navigating to ``/`` to its first chart drawn with data, in a new
    (cold) browser context each time, signed in with the cookies of one earlier sign-in, with no
    answer remembered on the server."""
    from playwright.sync_api import sync_playwright

    from dashboards import queries

    times = []
    with serving(app) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            page = context.new_page()
            page.goto(url + "/")
            page.fill("#username", PLANNER)
            page.fill("#password", PASSWORD)
            with page.expect_navigation():
                page.click("#login-submit")
            cookies = context.storage_state()
            context.close()
            for _ in range(loads):
                context = browser.new_context(
                    storage_state=cookies, viewport={"width": 1400, "height": 1100}
                )
                page = context.new_page()
                queries.forget(connections=False)
                started = time.perf_counter()
                page.goto(url + "/")
                page.wait_for_function(FIRST_CHART, timeout=60_000)
                times.append((time.perf_counter() - started) * 1000)
                if "/login" in page.url:
                    raise RuntimeError("the cold context was not signed in")
                context.close()
        finally:
            browser.close()
    return {
        "median": round(statistics.median(times), 1),
        "min": round(min(times), 1),
        "n": len(times),
    }


def run(
    data_dir: Path,
    *,
    repeats: int = 20,
    browser: bool = True,
    indicators: tuple[str, ...] = INDICATORS,
) -> dict[str, Any]:
    """Callback server times and (when ``browser``) the first page load on ``data_dir``'s
    published warehouse; ``indicators`` those the indicator page is timed with."""
    os.environ.setdefault("DO_NOT_TRACK", "1")
    with scratch_data_dir(Path(data_dir)) as scratch:
        app = build_app(scratch)
        result: dict[str, Any] = {"callback_ms": time_callbacks(app, scratch, repeats, indicators)}
        if browser:
            if CHROMIUM.exists():
                result["first_load_ms"] = time_first_loads(app)
            else:
                result["first_load_ms"] = {"note": f"no Chromium at {CHROMIUM}"}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("CPMONITOR_DATA_DIR", "data"))
    )
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--no-browser", action="store_true", help="callbacks only")
    args = parser.parse_args(argv)
    result = run(args.data_dir, repeats=args.repeats, browser=not args.no_browser)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
