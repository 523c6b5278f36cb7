"""The report renderers: the PDF passes PDF/A-2b and PDF/UA-1 as typst writes it, reads every
sector and indicator, shows hidden values as words and is the same bytes twice; the HTML file is
self-contained, accessible, well-formed and the same bytes twice; charts never draw a hidden value."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
import typst
from report_sample import HIDDEN, SECTORS, sample_report

from cpmonitor.report import charts
from cpmonitor.report.html import render_html, report_html
from cpmonitor.report.model import Chart, Point, Series
from cpmonitor.report.pdf import PDF_STANDARDS, render_pdf

POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm") and shutil.which("pdfinfo")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils not installed")


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_pdf(sample_report(), tmp_path_factory.mktemp("pdf") / "report.pdf")


@pytest.fixture(scope="module")
def pdf_text(pdf: Path) -> str:
    return _flat(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
    )


def _pdfinfo(pdf: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


# --- PDF ---------------------------------------------------------------------------------------


@needs_poppler
def test_pdf_is_a4_tagged_titled_and_of_a_sensible_length(pdf: Path, tmp_path: Path) -> None:
    info = _pdfinfo(pdf)
    assert info["Tagged"] == "yes"
    assert info["Title"] == "Child protection progress report: Republic of Examplia, 2025"
    assert info["Page size"].startswith("595.276 x 841.89")  # A4
    # The date is the report's publication time, not the clock.
    assert "Jan 15 06:12:00 2026" in info["CreationDate"]
    # Cover, contents and summary, then eight sections that each start a page: at least 10. Every
    # one of the 14 charts (180 pt high) fits two to a page with its section's table, so no more
    # than 16 even if each section spilled over.
    pages = int(info["Pages"])
    assert 10 <= pages <= 16
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "p")], check=True)
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == pages
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 3000 for p in pngs)


def test_pdf_declares_both_standards_and_its_language(pdf: Path) -> None:
    raw = pdf.read_bytes()
    assert b"<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>" in raw
    assert b"<pdfuaid:part>1</pdfuaid:part>" in raw
    assert b"<dc:language><rdf:Bag><rdf:li>en</rdf:li>" in raw
    assert set(PDF_STANDARDS) == {"a-2b", "ua-1"}


@needs_poppler
def test_pdf_embeds_only_typst_bundled_fonts(pdf: Path) -> None:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    fonts = out.splitlines()[2:]
    assert fonts and all(" yes yes yes " in line for line in fonts)
    assert all("LibertinusSerif" in line for line in fonts)


@needs_poppler
def test_pdf_reads_every_sector_indicator_and_hidden_word(pdf_text: str) -> None:
    report = sample_report()
    for _, name in SECTORS:
        assert name in pdf_text
    for code in report.indicator_codes:
        assert code in pdf_text
    for title in (
        "Executive summary",
        "Care reform",
        "Annex A. Data quality",
        "Annex B. Methodology",
    ):
        assert title in pdf_text
    # Hidden values read as their words, in the table and in the chart of an all-hidden series.
    assert pdf_text.count(HIDDEN) >= 3
    assert "Every value not shown" in pdf_text
    assert "Page 2 of" in pdf_text and "run-20260115T061200Z" in pdf_text
    # Strings are text, never markup: the angle brackets and ampersand of a name survive.
    assert "plan & a named case worker (<i>all placement" in pdf_text


def test_pdf_is_the_same_bytes_twice(pdf: Path, tmp_path: Path) -> None:
    again = render_pdf(sample_report(), tmp_path / "again.pdf")
    assert again.read_bytes() == pdf.read_bytes()


def test_pdf_ua_check_is_real_a_chart_without_alt_text_is_refused(tmp_path: Path) -> None:
    report = sample_report()
    sector = report.sectors[0]
    mute = dataclasses.replace(sector.charts[0], alt_text="")
    broken = dataclasses.replace(
        report,
        sectors=(
            dataclasses.replace(sector, charts=(mute, *sector.charts[1:])),
            *report.sectors[1:],
        ),
    )
    with pytest.raises(typst.TypstError, match="alt text"):
        render_pdf(broken, tmp_path / "broken.pdf")
    assert not (tmp_path / "broken.pdf").exists()
    assert not list(tmp_path.iterdir())  # no half-written file either


# --- HTML --------------------------------------------------------------------------------------

VOID = {"meta", "br", "hr", "img", "input", "link", "wbr", "col", "area", "base", "source"}


class _Balance(HTMLParser):
    """Tag balance of an HTML document; collects its text, svg counts and th scopes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []
        self.th_without_scope = 0
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang")
        if tag == "th" and found.get("scope") not in ("col", "row"):
            self.th_without_scope += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass  # <rect/> and friends inside svg

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def html_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_html(sample_report(), tmp_path_factory.mktemp("html") / "report.html")


def test_html_is_self_contained(html_file: Path) -> None:
    text = html_file.read_text(encoding="utf-8")
    assert "http" not in text
    assert not re.search(r"<(link|script|iframe|object|embed|img)\b", text)
    assert not re.search(r"\b(src|srcset|xlink:href)\s*=", text)
    assert not re.search(r"url\((?!#)", text)  # only the charts' own patterns
    assert not re.search(r"@import|@font-face", text)
    assert "<style>" in text


def test_html_is_well_formed_and_accessible(html_file: Path) -> None:
    text = html_file.read_text(encoding="utf-8")
    parser = _Balance()
    parser.feed(text)
    parser.close()
    assert parser.errors == [] and parser.stack == []
    assert parser.lang == "en"
    assert parser.th_without_scope == 0
    assert text.count("<h1>") == 1 and "<h2" in text and "<h3>" in text
    svgs = re.findall(r"<svg\b.*?</svg>", text, flags=re.S)
    report = sample_report()
    charts_count = sum(len(s.charts) for s in charts.all_sections(report))
    rows = sum(len(s.results) for s in report.sectors)
    assert len(svgs) == charts_count + rows
    for svg in svgs:
        root = ET.fromstring(svg.replace("<svg ", f'<svg xmlns="{charts.SVG_NS}" ', 1))
        ns = {"s": charts.SVG_NS}
        assert root.get("role") == "img"
        assert (root.findtext("s:title", namespaces=ns) or "").strip()
        assert (root.findtext("s:desc", namespaces=ns) or "").strip()
    ids = re.findall(r'\bid="([^"]+)"', text)
    assert len(ids) == len(set(ids))


def test_html_holds_every_sector_and_indicator_in_order(html_file: Path) -> None:
    text = html_file.read_text(encoding="utf-8")
    parser = _Balance()
    parser.feed(text)
    body = _flat("".join(parser.text))
    report = sample_report()
    positions = [body.index(name) for _, name in SECTORS]
    assert positions == sorted(positions)
    for code in report.indicator_codes:
        assert code in body
    assert body.count(HIDDEN) >= 3
    assert "Every value not shown" in body
    # Escaped, then read back as the very words of the data.
    assert "<i>all placement types</i>" not in text
    assert "&lt;i&gt;all placement types&lt;/i&gt;" in text
    assert "plan & a named case worker (<i>all placement" in body


def test_html_is_the_same_bytes_twice(html_file: Path, tmp_path: Path) -> None:
    again = render_html(sample_report(), tmp_path / "again.html")
    assert again.read_bytes() == html_file.read_bytes()
    assert report_html(sample_report()) == html_file.read_text(encoding="utf-8")


def test_html_prints_on_a4(html_file: Path) -> None:
    text = html_file.read_text(encoding="utf-8")
    assert re.search(r"@page\s*\{\s*size:\s*A4", text)
    assert "@media print" in text


# --- charts ------------------------------------------------------------------------------------


def _chart(points: tuple[Point, ...], kind: str = "line", target: float | None = None) -> Chart:
    return Chart("t-1", "A title", kind, "%", (Series("National", points),), "Alt words", target)


def test_chart_never_draws_a_hidden_value() -> None:
    points = (Point("2021", 10.0), Point("2022", 999.0, hidden=True), Point("2023", 20.0))
    for kind in ("line", "bar"):
        svg = charts.chart_svg(_chart(points, kind))
        assert "999" not in svg and "1,000" not in svg  # neither drawn nor stretching the axis
        assert ">20<" in svg and "Not shown" in svg  # axis up to 20, and the key to the mark
    assert "url(#t-1-hatch)" in charts.chart_svg(_chart(points, "bar"))
    spark = charts.sparkline_svg(points, key="s")
    assert "999" not in spark and "not shown" in spark


def test_chart_has_words_target_and_stable_ids() -> None:
    points = (Point("2021", 41.2), Point("2022", None), Point("2023", 35.1))
    svg = charts.chart_svg(_chart(points, target=30.0))
    assert svg == charts.chart_svg(_chart(points, target=30.0))
    assert 'role="img"' in svg and '<title id="t-1-title">A title</title>' in svg
    assert '<desc id="t-1-desc">Alt words</desc>' in svg
    assert 'stroke-dasharray="5 3"' in svg and "Target 30" in svg
    # A missing value is a gap: two separate points, no polyline through the gap.
    assert "<polyline" not in svg
    ET.fromstring(svg)


def test_every_value_hidden_says_so() -> None:
    points = tuple(Point(str(y), None, hidden=True) for y in range(2021, 2026))
    svg = charts.chart_svg(_chart(points))
    assert "Every value not shown" in svg
    assert (
        charts.sparkline_alt(points)
        == "Trend 2021–2025: not shown, not shown, not shown, not shown, not shown"
    )


@pytest.mark.parametrize(
    ("values", "from_zero", "expected"),
    [
        ((1875, 2410), True, [0, 500, 1000, 1500, 2000, 2500]),
        ((95.2, 98.7), False, [95, 96, 97, 98, 99]),
        ((0.12, 0.47), True, [0, 0.1, 0.2, 0.3, 0.4, 0.5]),
        ((7, 11), True, [0, 2, 4, 6, 8, 10, 12]),
    ],
)
def test_axis_ticks_are_round(
    values: tuple[float, ...], from_zero: bool, expected: list[float]
) -> None:
    assert charts.nice_axis(values, from_zero=from_zero) == expected


def test_tick_labels() -> None:
    assert charts.tick_label(2500, 500) == "2,500"
    assert charts.tick_label(0.30000000000000004, 0.1) == "0.3"
    assert charts.tick_label(0, 0.1) == "0"


def test_palette_is_okabe_ito() -> None:
    assert charts.PALETTE[:3] == ("#0072B2", "#E69F00", "#009E73")


def test_a_table_too_wide_for_the_page_becomes_records(pdf_text: str, html_file: Path) -> None:
    definitions = sample_report().methodology.tables[0]
    assert charts.as_records(definitions) == 2  # code and name head each record
    assert charts.as_records(sample_report().quality.tables[0]) == 0  # short cells: a table
    html = html_file.read_text(encoding="utf-8")
    assert html.count('<div class="record"><h4>') == len(definitions.rows)
    assert "<h4>AC01 Children entering formal care</h4>" in html
    # pdftotext reads a record's labels before its values; both are there, under the heading.
    record = pdf_text[pdf_text.index("AC01 Children entering formal care Definition") :]
    assert "Definition of children entering formal care as in the national catalogue" in record


def test_a_value_breaks_after_its_number_only() -> None:
    assert charts.keep_unit("37.8 per 100,000") == "37.8 per\u00a0100,000"
    assert charts.keep_unit("Not shown (fewer than 5)") == "Not shown (fewer than 5)"
    assert charts.numeric_columns(sample_report().care_reform.tables[0]) == (
        False,
        True,
        True,
        True,
        True,
        True,
    )
