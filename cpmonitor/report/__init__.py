"""Progress reports (``cpmonitor report``): a donor or planner report of one period, as PDF
(typst) or as one self-contained HTML file, built from a published warehouse as that audience may
read it. ``model``: what a report holds; ``content``: filling it from the warehouse; ``pdf`` and
``html``: drawing it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from cpmonitor.core.access import Role

FORMATS = ("pdf", "html")


def write_report(
    con: duckdb.DuckDBPyConnection,
    role: Role,
    *,
    period: str,
    fmt: str,
    output: Path,
    threshold: int,
    lang: str = "en",
):
    """Build the report of ``period`` for ``role`` from the warehouse open on ``con`` and write
    it as ``fmt`` (``pdf`` or ``html``) to ``output``; returns the ``Report`` written."""
    from cpmonitor.report.content import ReportError, build_report

    if fmt not in FORMATS:
        raise ReportError(f"unknown report format {fmt!r} (pdf or html)")
    report = build_report(con, role, period=period, threshold=threshold, lang=lang)
    if fmt == "pdf":
        from cpmonitor.report.pdf import render_pdf

        render_pdf(report, Path(output))
    else:
        from cpmonitor.report.html import render_html

        render_html(report, Path(output))
    return report
