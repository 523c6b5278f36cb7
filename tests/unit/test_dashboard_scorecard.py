"""The scorecard's sparklines and status lights, and the sector pages, against the fixture warehouse.

Expected values are worked out by hand from the rules in ``warehouse_fixture.py``: AC04 nationally is
the sum of ``B_d - K_d * i`` over the four districts, 2800 - 14 * i (i = 0 is 2015-01), so 2646 at
2015-12 (i = 11), 2478 at 2016-12, 2310 at 2017-12, 2142 at 2018-12 and 2296 at 2018-01 (i = 36).
"""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from auth_helpers import DONOR, PLANNER, POLICY

from cpmonitor.core.access import load_access
from cpmonitor.core.catalogue import load_catalogue
from cpmonitor.core.settings import Settings
from cpmonitor.core.vocabularies import SECTORS
from cpmonitor.disclosure import protect_build
from dashboards import queries
from dashboards.app import app_pages, create_app
from dashboards.pages import scorecard, sector
from dashboards.words import EXACT_NOTE, privacy_note


def _ac04(i: int) -> float:
    """National children in residential care at month index ``i`` (module docstring)."""
    return (1000 + 800 + 600 + 400) - (5 + 4 + 3 + 2) * i


def _svg(image) -> str:
    """The SVG markup inside a sparkline's data URI."""
    prefix = "data:image/svg+xml;base64,"
    assert image.src.startswith(prefix)
    return base64.b64decode(image.src[len(prefix) :]).decode()


def _polylines(svg: str) -> list[list[tuple[float, float]]]:
    return [
        [tuple(float(n) for n in pair.split(",")) for pair in points.split()]
        for points in re.findall(r'<polyline points="([^"]+)"', svg)
    ]


@pytest.fixture(scope="module")
def planner_lines(warehouse: Path) -> dict[str, list[scorecard.Point]]:
    return scorecard.sparklines_by_code(queries.recent_values(warehouse, role=PLANNER))


@pytest.fixture(scope="module")
def donor_lines(warehouse: Path) -> dict[str, list[scorecard.Point]]:
    return scorecard.sparklines_by_code(queries.recent_values(warehouse, role=DONOR))


# --- the sparklines' points ---------------------------------------------------------------------


def test_a_planner_sees_the_last_twelve_months(planner_lines) -> None:
    ac04 = planner_lines["AC04"]
    assert [p.label for p in ac04] == [f"{m} 2018" for m in (
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")]  # fmt: skip
    assert [p.value for p in ac04] == [_ac04(i) for i in range(36, 48)]
    assert (ac04[0].value, ac04[-1].value) == (2296, 2142)
    # JC04 (a median) has months of 2018 only: 46 - month, 45 in January to 34 in December.
    assert [p.value for p in planner_lines["JC04"]] == [46 - month for month in range(1, 13)]
    # SS08 has no months: its last 8 quarters, 18 % through 2017, then 115 400 / 550 000.
    ss08 = planner_lines["SS08"]
    assert [p.label for p in ss08] == [f"{y} Q{q}" for y in (2017, 2018) for q in range(1, 5)]
    assert [p.value for p in ss08[:4]] == pytest.approx([18.0] * 4)
    assert [p.value for p in ss08[4:]] == pytest.approx([115_400 / 550_000 * 100] * 4)
    # The survey has two estimates in the fixture's years, 2015 and 2018 (none in between).
    assert [(p.label, p.value) for p in planner_lines["VE14"]] == [("2015", 62.0), ("2018", 55.5)]
    # An indicator without data has no line at all.
    assert "AC01" not in planner_lines


def test_a_donor_sees_whole_years_only(warehouse: Path, donor_lines) -> None:
    recent = queries.recent_values(warehouse, role=DONOR)
    assert set(recent["period_type"]) == {"year"}  # no month and no quarter, for any indicator
    ac04 = donor_lines["AC04"]
    assert [(p.label, p.value) for p in ac04] == [
        ("2015", 2646),
        ("2016", 2478),
        ("2017", 2310),
        ("2018", 2142),
    ]
    assert (ac04[0].value, ac04[-1].value) == (_ac04(11), _ac04(47))
    # JC04 has a single year, 2018: 35 days over 300 detentions.
    assert [(p.label, p.value) for p in donor_lines["JC04"]] == [("2018", 35)]
    assert not any(p.suppressed for line in donor_lines.values() for p in line)


@pytest.fixture(scope="module")
def small_warehouse(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy where SS02 (cases referred by schools, a count) nationally in 2016 is 3 cases, below
    the disclosure threshold, protected again as the pipeline would."""
    target = tmp_path_factory.mktemp("small") / "cpmonitor.duckdb"
    shutil.copyfile(warehouse, target)
    with duckdb.connect(str(target)) as con:
        con.execute(
            "UPDATE main.fct_indicator_values SET numerator = 3, value = 3 "
            "WHERE indicator_code = 'SS02' AND period_id = '2016' AND geo_code = 'NAT' "
            "AND disaggregation = 'total'"
        )
        protect_build(con, load_access())
    return target


def test_a_hidden_value_is_a_gap_never_a_point(small_warehouse: Path) -> None:
    lines = scorecard.sparklines_by_code(queries.recent_values(small_warehouse, role=DONOR))
    ss02 = lines["SS02"]
    # 72 cases a year (18 a quarter), but 2016 is hidden from the donor.
    assert [(p.label, p.value, p.suppressed) for p in ss02] == [
        ("2015", 72, False),
        ("2016", None, True),
        ("2017", 72, False),
        ("2018", 72, False),
    ]
    image = scorecard.sparkline(ss02, queries.indicator(small_warehouse, "SS02"))
    svg = _svg(image)
    # 2015 stands alone (a dot), 2017-2018 are one line: nothing is drawn for 2016.
    assert len(_polylines(svg)) == 1 and len(_polylines(svg)[0]) == 2
    assert svg.count("<circle") == 2  # 2015 alone, and the latest value
    assert "2016: Not shown (fewer than 5)" in image.alt
    assert "3" not in image.alt.replace("fewer than 5", "")
    # The exact planner reads the 3 cases.
    exact = scorecard.sparklines_by_code(queries.recent_values(small_warehouse, role=PLANNER))
    assert [p.value for p in exact["SS02"]] == [18] * 8  # 18 a quarter
    assert [p.label for p in exact["SS02"]][0] == "2017 Q1"


def test_the_sparkline_is_drawn_from_the_points(warehouse: Path, planner_lines) -> None:
    row = queries.indicator(warehouse, "AC04")
    image = scorecard.sparkline(planner_lines["AC04"], row, width=112, height=28)
    (line,) = _polylines(_svg(image))
    assert len(line) == 12
    # The highest value (2296, January) at the top, the lowest (2142, December) at the bottom,
    # 3 px inside the 112 x 28 box; a steady fall: every month lower than the one before.
    assert line[0] == (3.0, 3.0) and line[-1] == (109.0, 25.0)
    assert all(later[1] > earlier[1] for earlier, later in zip(line, line[1:], strict=False))
    assert image.alt == "National trend: from 2,296 in Jan 2018 to 2,142 in Dec 2018"
    assert scorecard.sparkline([], row).children == "–"  # nothing to draw


# --- status lights ------------------------------------------------------------------------------


def test_status_lights_have_colour_icon_and_words(warehouse: Path) -> None:
    card = queries.scorecard(warehouse, role=PLANNER).set_index("indicator_code", drop=False)
    lights = {code: scorecard.status_light(card.loc[code].to_dict()) for code in card.index}
    # AC07: 13.61 % in 2018, its target year, against 30 %: off track, worded as not reached.
    assert "cp-light-bad" in lights["AC07"].className
    assert lights["AC07"].children[1] == "Target not reached"
    assert lights["AC07"].children[0].children == "✕"
    # AC06: 53.57 % against 80 % (no baseline): off track.
    assert "cp-light-bad" in lights["AC06"].className
    assert lights["AC06"].children[1] == "Off track"
    # SS08: 20.98 % against 20 %: on track.
    assert "cp-light-good" in lights["SS08"].className
    assert lights["SS08"].children[1] == "On track" and lights["SS08"].children[0].children == "✓"
    # AC04 has data and no target; AC01 has no data: no light at all.
    assert "cp-light-none" in lights["AC04"].className and lights["AC04"].children[1] == "No target"
    assert lights["AC01"] == ""
    # The icon is decoration for screen readers, who read the words.
    assert lights["SS08"].children[0].to_plotly_json()["props"]["aria-hidden"] == "true"


def test_scorecard_rows_carry_trend_and_light_and_still_link(warehouse: Path) -> None:
    layout = scorecard.page_layout(warehouse, role=PLANNER)
    row = str(layout["scorecard-row-AC04"])
    assert "/indicator?code=AC04" in row and "cp-light-none" in row
    assert layout["scorecard-trend-AC04"].alt.endswith("to 2,142 in Dec 2018")
    assert layout["scorecard-sector-link-JC"].href == "/sector?sector=JC"
    donor = scorecard.page_layout(warehouse, role=DONOR)
    assert (
        donor["scorecard-trend-AC04"].alt == "National trend: from 2,646 in 2015 to 2,142 in 2018"
    )
    assert "last 5 years" in str(donor) and "12 months" not in str(donor)


# --- sector pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("code", list(SECTORS))
def test_a_sector_page_lists_exactly_its_catalogue_indicators(warehouse: Path, code: str) -> None:
    expected = [i.indicator_code for i in load_catalogue() if i.sector_code == code]
    layout = sector.page_layout(warehouse, code, role=PLANNER)
    cards = [col.children.id for col in layout["sector-cards"].children]
    assert cards == [f"sector-card-{c}" for c in expected]
    assert SECTORS[code] in str(layout)
    nav = layout["sector-nav"]
    links = [link.children for link in nav.children.children]
    assert [link.href for link in links] == [f"/sector?sector={c}" for c in SECTORS]
    assert [link.id for link in links if "active" in link.className] == [f"sector-link-{code}"]


def test_sector_cards_show_value_status_trend_and_link(warehouse: Path) -> None:
    layout = sector.page_layout(warehouse, "AC", role=PLANNER)
    ac07 = str(layout["sector-card-AC07"])
    assert "/indicator?code=AC07" in ac07
    assert "13.6%" in ac07 and "Target not reached" in ac07 and "30.0%" in ac07
    assert "45% of the way" in ac07
    assert layout["sector-summary"].children == "0 of 2 indicators with a target on track"
    # The sector tiles: catalogue counts, and AC06, AC07 off track, SS08 on track.
    details = {
        code: layout[f"sector-link-{code}"].children[1].children for code in ("AC", "JC", "SS")
    }
    assert details == {
        "AC": "14 indicators · 0 of 2 on track",
        "JC": "9 indicators",
        "SS": "8 indicators · 1 of 1 on track",
    }
    assert "No data yet" in str(layout["sector-card-AC01"])
    ss = sector.page_layout(warehouse, "SS", role=PLANNER)
    assert ss["sector-summary"].children == "1 of 1 indicators with a target on track"
    assert "On track" in str(ss["sector-card-SS08"])


def test_an_unknown_sector_reads_as_the_first(warehouse: Path) -> None:
    for asked in (None, "XX", "AC' OR 1=1 --"):
        layout = sector.page_layout(warehouse, asked, role=PLANNER)
        assert layout["sector-link-AC"].className == "nav-link active"
        assert len(layout["sector-cards"].children) == 14


def test_a_donor_sector_page_is_protected_like_the_scorecard(small_warehouse: Path) -> None:
    layout = sector.page_layout(small_warehouse, "SS", role=DONOR)
    trend = layout["sector-trend-SS02"]
    assert "Jan" not in trend.alt and "Q1" not in trend.alt
    assert "2016: Not shown (fewer than 5)" in trend.alt
    assert "last 5 years" in str(layout)
    assert layout["sector-privacy"].children == privacy_note()
    assert sector.page_layout(small_warehouse, "SS", role=PLANNER)["sector-privacy"].children == (
        EXACT_NOTE
    )
    # SS08 a year: 10, 14, 18 % of the child population, then 115 400 / 550 000 in 2018.
    assert layout["sector-trend-SS08"].alt == "National trend: from 10.0% in 2015 to 21.0% in 2018"
    assert "On track" in str(layout["sector-card-SS08"])


def test_the_sector_page_is_served_to_the_roles_that_may_open_it(warehouse: Path) -> None:
    app = create_app(Settings.from_env(warehouse.parent))
    assert "/sector" in [page.path for page in app_pages(app)]
    for role in ("planner", "analyst", "donor", "public", "admin"):
        assert POLICY.role(role).may_open("sector"), role
