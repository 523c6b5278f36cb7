"""The Reports page and the report download: the same report as `cpmonitor report`, for the
signed-in role only, protected for donors, refused without `downloads`, logged."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from auth_helpers import as_role, client_for
from warehouse_fixture import SENTINEL_NEIGHBOUR, SENTINEL_SMALL, add_small_count

from cpmonitor.core import users
from cpmonitor.core.access import DEFAULT_ACCESS_FILE
from cpmonitor.core.settings import Settings
from dashboards.app import create_app
from dashboards.pages import reports


@pytest.fixture
def app(warehouse: Path, tmp_path: Path):
    settings = Settings.from_env(tmp_path / "data")
    settings.warehouse_file.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(warehouse, settings.warehouse_file)
    with duckdb.connect(str(settings.warehouse_file)) as con:
        add_small_count(con)  # SS08 2018 in Southhill rests on 3 children
    return create_app(settings)


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_reports_page_lists_the_periods_the_role_may_read(app) -> None:
    with as_role(app, "donor"):
        donor = json.dumps(reports.layout().to_plotly_json(), default=str)
    with as_role(app, "planner"):
        planner = json.dumps(reports.layout().to_plotly_json(), default=str)
    # donors: whole years only, 2018 newest (the fixture runs 2015-2018)
    assert "/download/report/2018.pdf" in donor and "/download/report/2015.html" in donor
    assert "-Q" not in donor
    # planners also get quarters, newest first
    assert "/download/report/2018-Q4.pdf" in planner


def test_a_donor_downloads_the_donor_report_and_it_hides_what_the_dashboard_hides(
    app, tmp_path: Path
) -> None:
    client, _ = client_for(app, "donor")
    response = client.get("/download/report/2018.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "report-donor-2018-" in response.headers["Content-Disposition"]
    text = _pdf_text(response.data, tmp_path)
    assert "AC07" in text and "Donors and partners" in text
    for sentinel in (SENTINEL_SMALL, SENTINEL_NEIGHBOUR):
        assert f"{sentinel:.1f}" not in text  # 77.8 and 66.7, as the report would print them
    html = client.get("/download/report/2018.html")
    assert html.status_code == 200 and html.mimetype == "text/html"
    body = html.get_data(as_text=True)
    assert "77.8" not in body and "66.7" not in body
    events = users.read_events(app.server.config["CPMONITOR_SETTINGS"], event="download")
    assert [e.role for e in events] == ["donor", "donor"]
    assert "report 2018.pdf from warehouse version" in events[0].detail


def test_a_planner_report_shows_the_exact_value(app, tmp_path: Path) -> None:
    client, _ = client_for(app, "planner")
    response = client.get("/download/report/2018.html")
    assert response.status_code == 200
    assert "77.8" in response.get_data(as_text=True)  # SS08 Southhill 2018, exact for planners


def test_a_donor_quarter_is_refused_with_the_reason(app) -> None:
    client, _ = client_for(app, "donor")
    response = client.get("/download/report/2018-Q4.pdf")
    assert response.status_code == 400
    assert "years only" in response.get_data(as_text=True)


def test_no_report_without_downloads_or_sign_in(app, tmp_path: Path) -> None:
    anonymous = app.server.test_client()
    assert anonymous.get("/download/report/2018.pdf").status_code in (302, 401)
    settings = app.server.config["CPMONITOR_SETTINGS"]
    text = DEFAULT_ACCESS_FILE.read_text().replace(
        "    can: [downloads, annotate]\n  analyst:", "    can: [annotate]\n  analyst:"
    )
    assert text != DEFAULT_ACCESS_FILE.read_text()
    (settings.data_dir / "access.yml").write_text(text)
    locked = create_app(settings)
    client, _ = client_for(locked, "planner", "planner-without-downloads")
    assert client.get("/download/report/2018.pdf").status_code == 403
    refused = users.read_events(settings, event="access_denied")
    assert refused and refused[-1].detail == "report 2018.pdf"
    with as_role(locked, "planner"):
        assert reports.layout().id == "reports-refused"
