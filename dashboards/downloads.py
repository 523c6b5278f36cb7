"""The report download (``/download/report/<period>.<pdf|html>``): the same report as
``cpmonitor report`` writes, for the signed-in role, built from the served warehouse at the moment
of the request. Only roles holding ``downloads`` get it (403 otherwise); every download, and every
refusal, goes to the audit log.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import dash
import flask

from cpmonitor.core.published import open_published, warehouse_stamp
from cpmonitor.report import FORMATS, write_report
from cpmonitor.report.content import ReportError
from dashboards.context import current_policy, current_role, current_settings
from dashboards.security import audit

REPORT_PATH = "/download/report/<period>.<fmt>"
PERIOD = re.compile(r"^\d{4}(-Q[1-4])?$")
MIME = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


def report_href(period: str, fmt: str) -> str:
    return f"/download/report/{period}.{fmt}"


def report_download(period: str, fmt: str) -> flask.Response:
    role = current_role()
    detail = f"report {period}.{fmt}"
    if not role.may("downloads"):
        audit("access_denied", detail)
        flask.abort(403)
    if fmt not in FORMATS or not PERIOD.match(period):
        flask.abort(404)
    warehouse = current_settings().warehouse_file
    if not warehouse.is_file():
        return flask.Response("No warehouse has been published yet.", 503, mimetype="text/plain")
    with tempfile.TemporaryDirectory(prefix="cpmonitor-report-") as folder:
        target = Path(folder) / f"report.{fmt}"
        with open_published(warehouse) as con:
            version = warehouse_stamp(con).version
            try:
                write_report(
                    con,
                    role,
                    period=period,
                    fmt=fmt,
                    output=target,
                    threshold=current_policy().threshold,
                )
            except ReportError as exc:
                return flask.Response(str(exc), 400, mimetype="text/plain")
        payload = target.read_bytes()
    audit("download", f"{detail} from warehouse version {version}")
    response = flask.Response(payload, 200, mimetype=MIME[fmt])
    name = f"report-{role.name}-{period}-{version}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def register_downloads(app: dash.Dash) -> None:
    app.server.add_url_rule(REPORT_PATH, "cp_report_download", report_download, methods=["GET"])
