"""A report as one self-contained HTML file: inline CSS and inline SVG, no script, no external
asset, nothing fetched when it is opened; it prints on A4.

Same contents in the same order as the PDF. Every string is escaped (values come from data), ids are
derived from the report's own stable ids, and nothing depends on the clock: the same report gives
the same bytes.
"""

from __future__ import annotations

import os
import tempfile
from html import escape
from pathlib import Path

from cpmonitor.report import charts
from cpmonitor.report.model import Report, ResultRow, Section, Table

CSS = Path(__file__).with_name("templates") / "report.css"
# The PDF's face when the reader has it, else a common serif (charts follow the text).
FONT = "Libertinus Serif, Georgia, Times New Roman, serif"


def render_html(report: Report, output: Path) -> Path:
    """Write ``report`` to ``output`` as one HTML file; return the path."""
    text = report_html(report)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is for sharing
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return output


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def report_html(report: Report) -> str:
    """The whole document as text."""
    w = charts.words(report.lang)
    cover = report.cover
    title = f"{cover.title}: {cover.country}, {cover.period_label}"
    sections = charts.all_sections(report)
    figures = _Figures()
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(report.lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f'<meta name="description" content="{_e(title)} ({_e(cover.audience_label)})">',
        f"<style>\n{CSS.read_text(encoding='utf-8').strip()}\n</style>",
        "</head>",
        "<body>",
        _cover(report),
        _contents(report, sections),
        "<main>",
        _summary(report),
        *(_section(s, report.lang, figures) for s in sections),
        "</main>",
        '<footer class="page-footer">',
        f"<p>{_e(report.protection_note)}</p>",
        f"<p>{_e(w['version'])} {_e(cover.warehouse_version)} · {_e(w['published'])} "
        f"{_e(cover.published_at)}</p>",
        "</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _cover(report: Report) -> str:
    w, c = charts.words(report.lang), report.cover
    facts = "".join(
        f"<dt>{_e(label)}</dt><dd>{_e(value)}</dd>" for label, value in charts.cover_facts(report)
    )
    return (
        '<header class="cover">'
        '<div class="band">'
        f'<p class="country">{_e(c.country)}</p>'
        f"<h1>{_e(c.title)}</h1>"
        f'<p class="period">{_e(c.period_label)}</p>'
        "</div>"
        '<div class="details">'
        f'<p class="audience">{_e(w["prepared_for"])} <strong>{_e(c.audience_label)}</strong></p>'
        f'<dl class="facts">{facts}</dl>'
        "</div>"
        f'<p class="protection"><strong>{_e(w["protection"])}</strong>'
        f"{_e(report.protection_note)}</p>"
        "</header>"
    )


def _contents(report: Report, sections: tuple[Section, ...]) -> str:
    w = charts.words(report.lang)
    items = [f'<li><a href="#summary">{_e(w["summary"])}</a></li>']
    items += [f'<li><a href="#{_e(_anchor(s))}">{_e(s.title)}</a></li>' for s in sections]
    return (
        '<nav aria-labelledby="contents">'
        f'<h2 id="contents">{_e(w["contents"])}</h2>'
        f"<ol>{''.join(items)}</ol>"
        "</nav>"
    )


def _anchor(section: Section) -> str:
    return charts.slug(section.section_id)


def _summary(report: Report) -> str:
    w = charts.words(report.lang)
    out = [
        '<section id="summary" aria-labelledby="summary-title">',
        f'<h2 id="summary-title">{_e(w["summary"])}</h2>',
        "<ul>" + "".join(f"<li>{_e(s)}</li>" for s in report.summary) + "</ul>",
    ]
    labels, rows = charts.status_overview(report)
    if rows:
        columns = (w["sector"], w["indicators"], *labels)
        head = "".join(f'<th scope="col"{_num(i > 0)}>{_e(c)}</th>' for i, c in enumerate(columns))
        body = "".join(
            f'<tr><th scope="row">{_e(row[0])}</th>'
            + "".join(f'<td class="num">{_e(cell)}</td>' for cell in row[1:])
            + "</tr>"
            for row in rows
        )
        out.append(f"<h3>{_e(w['at_a_glance'])}</h3>")
        out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    out.append("</section>")
    return "\n".join(out)


def _inline(svg: str) -> str:
    """An SVG element inside HTML needs no namespace (and the file then names no address)."""
    return svg.replace(f' xmlns="{charts.SVG_NS}"', "", 1)


def _num(flag: bool) -> str:
    return ' class="num"' if flag else ""


class _Figures:
    """Numbers figures through the document and keeps every chart's ids unique."""

    def __init__(self) -> None:
        self.count = 0
        self.keys: set[str] = set()

    def key(self, base: str) -> str:
        key, n = charts.slug(base), 2
        while key in self.keys:
            key, n = f"{charts.slug(base)}-{n}", n + 1
        self.keys.add(key)
        return key


def _section(section: Section, lang: str, figures: _Figures) -> str:
    w = charts.words(lang)
    anchor = _anchor(section)
    out = [
        f'<section id="{_e(anchor)}" aria-labelledby="{_e(anchor)}-title">',
        f'<h2 id="{_e(anchor)}-title">{_e(section.title)}</h2>',
        *(f"<p>{_e(p)}</p>" for p in section.paragraphs),
    ]
    if section.results:
        out.append(f"<h3>{_e(w['results'])}</h3>")
        out.append(_results(section, lang, figures))
    out.extend(_table(t) for t in section.tables)
    if section.charts:
        out.append(f"<h3>{_e(w['charts'])}</h3>")
    for chart in section.charts:
        figures.count += 1
        svg = _inline(
            charts.chart_svg(chart, lang=lang, key=figures.key(chart.chart_id), font=FONT)
        )
        note = f'<p class="chart-note">{_e(chart.note)}</p>' if chart.note else ""
        out.append(
            f"<figure><figcaption>{_e(w['figure'])} {figures.count}: {_e(chart.title)}"
            f"</figcaption>{svg}{note}</figure>"
        )
    out.append("</section>")
    return "\n".join(out)


def _results(section: Section, lang: str, figures: _Figures) -> str:
    columns = charts.RESULTS_COLUMNS.get(lang, charts.RESULTS_COLUMNS["en"])
    numeric = (False, True, True, True, False, False, False)
    head = "".join(
        f'<th scope="col"{_num(n)}>{_e(c)}</th>' for c, n in zip(columns, numeric, strict=True)
    )
    body = "".join(_result_row(row, section, lang, figures) for row in section.results)
    return (
        f'<table class="results"><caption class="sr-only">{_e(section.title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _value(value: str, period: str) -> str:
    of = f'<span class="period-of">{_e(period)}</span>' if period else ""
    return f'<td class="num">{_e(charts.keep_unit(value))}{of}</td>'


def _result_row(row: ResultRow, section: Section, lang: str, figures: _Figures) -> str:
    note = f'<span class="row-note">{_e(row.note)}</span>' if row.note else ""
    bar = ""
    if row.achievement_pct is not None:
        share = max(0.0, min(100.0, row.achievement_pct))
        bar = (
            f'<span class="bar" aria-hidden="true"><span style="width:{share:.0f}%"></span></span>'
        )
    spark = _inline(
        charts.sparkline_svg(
            row.sparkline,
            key=figures.key(f"{section.section_id}-{row.indicator_code}-spark"),
            lang=lang,
        )
    )
    return (
        "<tr>"
        f'<th scope="row"><span class="code">{_e(row.indicator_code)}</span> '
        f'{_e(row.indicator_name)} <span class="unit">({_e(charts.unbroken(row.unit))})</span>'
        f"{note}</th>"
        + _value(row.baseline, row.baseline_period)
        + _value(row.latest, row.latest_period)
        + _value(row.target, row.target_year)
        + f"<td>{_e(row.achievement)}{bar}</td>"
        f'<td><span class="status status-{_e(charts.slug(row.status))}">'
        f"{_e(row.status_label)}</span></td>"
        f'<td class="spark">{spark}</td>'
        "</tr>"
    )


def _records(table: Table, n: int) -> str:
    """A table too wide for a page, one record per row (as in the PDF)."""
    out = [f"<h3>{_e(table.title)}</h3>"]
    for row in table.rows:
        fields = "".join(
            f"<dt>{_e(column)}</dt><dd>{_e(cell)}</dd>"
            for column, cell in zip(table.columns[n:], row[n:], strict=False)
        )
        out.append(f'<div class="record"><h4>{_e(" ".join(row[:n]))}</h4><dl>{fields}</dl></div>')
    if table.caption:
        out.append(f'<p class="table-note">{_e(table.caption)}</p>')
    return "".join(out)


def _table(table: Table) -> str:
    if n := charts.as_records(table):
        return _records(table, n)
    numeric = charts.numeric_columns(table)
    head = "".join(
        f'<th scope="col"{_num(n)}>{_e(c)}</th>'
        for c, n in zip(table.columns, numeric, strict=True)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{_num(numeric[i] if i < len(numeric) else False)}>{_e(cell)}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in table.rows
    )
    caption = f'<p class="table-note">{_e(table.caption)}</p>' if table.caption else ""
    return (
        f"<h3>{_e(table.title)}</h3>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{caption}"
    )
