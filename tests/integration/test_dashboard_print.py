"""The print layout and the download links in headless Chromium against the fixture warehouse:
a page printed to PDF is A4, without the navbar, the pickers or the download links, with the print
stamp (date, address, filters); the CSV link downloads from the keyboard and follows the place.

The PDFs (and PNGs of their first sheet, when pdftoppm is installed) go to pytest's tmp dir, and
also to ``$CPMONITOR_SCREENSHOT_DIR`` when it is set.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_helpers import BROWSER_MARKS, keep, launch_chromium, serving_fixture, signed_in_page

pytestmark = [
    *BROWSER_MARKS,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler (make pdftools)"),
]
USERNAME, PASSWORD = "print-planner", "print-password-1"
A4_POINTS = (595, 842)  # 210 x 297 mm


@pytest.fixture(scope="module")
def signed_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, str]]:
    """A planner's browser context (1920 px wide, downloads on) and the app's address."""
    accounts = [(USERNAME, "planner", PASSWORD)]
    served = serving_fixture(tmp_path_factory.mktemp("print-data"), accounts)
    with served as (url, _settings), launch_chromium() as chromium:
        context, page, _errors, _hosts = signed_in_page(
            chromium,
            url + "/",
            USERNAME,
            PASSWORD,
            viewport={"width": 1920, "height": 1000},
            accept_downloads=True,
        )
        page.close()
        yield context, url


PLOT_WIDTHS = (
    "() => Array.from(document.querySelectorAll('.js-plotly-plot .main-svg'))"
    ".map(svg => svg.getBoundingClientRect().width)"
)


def _print(page, target: Path) -> tuple[str, list[float]]:
    """Print ``page`` to an A4 PDF as a browser's print would (print media first), keep a PNG of
    the first sheet; the PDF's text and the widths the charts were drawn at for it (CSS px)."""
    page.emulate_media(media="print")
    page.wait_for_function("() => document.getElementById('cp-print-stamp') !== null")
    page.wait_for_timeout(500)  # Plotly redraws to the sheet's width
    widths = page.evaluate(PLOT_WIDTHS)
    page.pdf(path=str(target), format="A4")
    page.emulate_media(media="screen")
    keep(target)
    if shutil.which("pdftoppm"):
        png = target.with_suffix("")
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(target), str(png)],
                       check=True)  # fmt: skip
        for sheet in target.parent.glob(f"{png.name}-*.png"):
            keep(sheet)
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True)
    size = next(line for line in info.stdout.splitlines() if line.startswith("Page size"))
    width, height = (int(float(v)) for v in size.split(":")[1].split("pts")[0].split(" x "))
    assert (width, height) == A4_POINTS, size
    text = subprocess.run(
        ["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text, widths


def test_the_care_page_prints_on_a4_without_the_controls(signed_in, tmp_path: Path) -> None:
    context, url = signed_in
    page = context.new_page()
    page.goto(url + "/?geo=02")
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 4")
    page.wait_for_function(
        "() => (document.querySelector('#care-children-graph .gtitle') || {}).textContent"
        " === 'Children living in residential care institutions, in Southhill'"
    )
    page.wait_for_selector("#care-map-graph path.choroplethlocation", state="attached")
    page.wait_for_selector("a.cp-download-link")
    text, widths = _print(page, tmp_path / "print-care.pdf")
    assert "Care reform" in text and "Children living in residential care" in text
    assert "Sign out" not in text and "Indicators" not in text  # no navbar
    assert "Download:" not in text and "Excel" not in text  # no download links
    assert "Printed " in text and f"{url}/?geo=02" in text  # the stamp: date and address
    assert "Show: Southhill" in text  # the picker's choice
    # every chart drawn within the sheet's width: 180 mm of 210 is 680 CSS px (96 a 25.4 mm)
    assert len(widths) >= 4 and max(widths) <= 680, widths
    # and back to the screen's width afterwards (a half of the 1760 px page at 1920 px)
    page.wait_for_timeout(500)
    assert min(page.evaluate(PLOT_WIDTHS)) > 760
    page.close()


def test_the_csv_link_downloads_from_the_keyboard_and_follows_the_place(signed_in) -> None:
    context, url = signed_in
    page = context.new_page()
    page.goto(url + "/")
    page.wait_for_selector("a.cp-download-link")
    page.select_option("#care-province", "01")
    link = page.locator('a[aria-label="Download the trend as CSV"]').first
    page.wait_for_function("() => !!document.querySelector('a.cp-download-link[href*=\"geo=01\"]')")
    assert link.get_attribute("href") == "/download/data/care-trend.csv?code=AC04&geo=01"
    with page.expect_download() as info:
        link.focus()
        page.keyboard.press("Enter")
    download = info.value
    assert download.suggested_filename.startswith("care-trend_AC04_01_month_exact_")
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    row = next(line for line in lines if ",2018-12," in line)
    assert ",1377," in row  # province 01 at 2018-12 (fixture docstring)
    page.close()
