"""A report as an archival, accessible PDF: typst lays out ``templates/report.typ`` with the report
as JSON and its charts as SVG, checked against PDF/A-2b and PDF/UA-1 while it is written.

Typst refuses to write the file when a check fails (an image without alt text, a skipped heading
level, a missing title or language), so a PDF that exists passed both. Only typst's bundled fonts
are used (system fonts ignored) and nothing is fetched: the same report gives the same bytes.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import typst

from cpmonitor.report import charts
from cpmonitor.report.model import Report, ResultRow, Section, Table

TEMPLATE = Path(__file__).with_name("templates") / "report.typ"
PDF_STANDARDS: list[Any] = ["a-2b", "ua-1"]


def render_pdf(report: Report, output: Path) -> Path:
    """Write ``report`` to ``output`` as a PDF/A-2b and PDF/UA-1 document; return the path."""
    data = report_data(report)
    pdf = typst.compile(
        TEMPLATE,
        root=TEMPLATE.parent,
        ignore_system_fonts=True,
        sys_inputs={"report": json.dumps(data, ensure_ascii=False, sort_keys=True)},
        pdf_standards=PDF_STANDARDS,
        timestamp=data["timestamp"],
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    # Written whole, then renamed: a reader never sees half a report.
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pdf)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is for sharing
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return output


def report_data(report: Report) -> dict[str, Any]:
    """What the template reads: the report's words and values, charts drawn as SVG."""
    w = charts.words(report.lang)
    when = charts.published_datetime(report)
    labels, rows = charts.status_overview(report)
    cover = report.cover
    return {
        "lang": report.lang,
        "document_title": f"{cover.title}: {cover.country}, {cover.period_label}",
        "author": cover.country,
        "keywords": [cover.audience, cover.period_id, cover.warehouse_version],
        "date": None
        if when is None
        else {k: getattr(when, k) for k in ("year", "month", "day", "hour", "minute")},
        "timestamp": 0 if when is None else int(when.timestamp()),
        "words": {
            **w,
            "results_columns": list(
                charts.RESULTS_COLUMNS.get(report.lang, charts.RESULTS_COLUMNS["en"])
            ),
        },
        "cover": {
            "title": cover.title,
            "country": cover.country,
            "period_label": cover.period_label,
            "audience_label": cover.audience_label,
            "warehouse_version": cover.warehouse_version,
        },
        "cover_facts": [list(fact) for fact in charts.cover_facts(report)],
        "summary": list(report.summary),
        "overview": {
            "columns": [w["sector"], w["indicators"], *labels],
            "rows": [list(row) for row in rows],
        },
        "sections": [_section(s, report.lang) for s in charts.all_sections(report)],
        "protection_note": report.protection_note,
    }


def _section(section: Section, lang: str) -> dict[str, Any]:
    return {
        "id": section.section_id,
        "title": section.title,
        "paragraphs": list(section.paragraphs),
        "results": [_row(row, section.section_id, lang) for row in section.results],
        "tables": [_table(t) for t in section.tables],
        "charts": [
            {
                "title": chart.title,
                "alt_text": chart.alt_text,
                "note": chart.note,
                "svg": charts.chart_svg(chart, lang=lang),
            }
            for chart in section.charts
        ],
    }


def _row(row: ResultRow, section_id: str, lang: str) -> dict[str, Any]:
    fill, ink = charts.status_colours(row.status)
    return {
        "indicator_code": row.indicator_code,
        "indicator_name": row.indicator_name,
        "unit": charts.unbroken(row.unit),
        "baseline": charts.keep_unit(row.baseline),
        "baseline_period": row.baseline_period,
        "latest": charts.keep_unit(row.latest),
        "latest_period": row.latest_period,
        "target": charts.keep_unit(row.target),
        "target_year": row.target_year,
        "achievement": row.achievement,
        "achievement_pct": row.achievement_pct,
        "status": row.status,
        "status_label": row.status_label,
        "fill": fill,
        "ink": ink,
        "note": row.note,
        "spark_alt": charts.sparkline_alt(row.sparkline, lang),
        "spark_svg": charts.sparkline_svg(
            row.sparkline, key=f"{section_id}-{row.indicator_code}-spark", lang=lang
        ),
    }


def _table(table: Table) -> dict[str, Any]:
    return {
        "title": table.title,
        "columns": list(table.columns),
        "rows": [list(row) for row in table.rows],
        "caption": table.caption,
        "widths": list(charts.column_weights(table)),
        "numeric": list(charts.numeric_columns(table)),
        "records": charts.as_records(table),
    }
