"""The content of a progress report, on the hand-made fixture warehouse (tests/warehouse_fixture.py).

Every expected figure is worked out by hand from the fixture's docstring: AC04 national 2,646 at
the end of 2015 and 2,142 at the end of 2018; AC05 36 -> 24 institutions; AC07 2017 240 / 2,646
= 9.07 %, 2018 360 / 2,646 = 13.61 % against 30 % by 2018 (off track, 45.35 % of the way from the
baseline 0); SS08 18 % in 2017, 20.98 % in 2018 against 20 % (on track; 10 % in 2015, so
(20.98 - 10) / (20 - 10) = 109.8 %); provinces' AC07 14.81 % (Northlake 252 / 1,701) and
11.43 % (Southhill 108 / 945).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from warehouse_fixture import (
    NOTE_SS02,
    SENTINEL_NEIGHBOUR,
    SENTINEL_SMALL,
    add_small_count,
    build_fixture_warehouse,
)

from cpmonitor.core import words
from cpmonitor.core.access import load_access
from cpmonitor.core.published import open_published
from cpmonitor.report.content import (
    ReportError,
    build_report,
    format_value,
    iter_strings,
    redact_small_counts,
)
from cpmonitor.report.model import Chart, Point, Report, ResultRow

POLICY = load_access()
THRESHOLD = POLICY.threshold
SMALL_REASON = "3 rows have a duplicate primary key"


def _report(path: Path, role: str, period: str, threshold: int = THRESHOLD) -> Report:
    with open_published(path) as con:
        return build_report(con, POLICY.role(role), period=period, threshold=threshold)


def _row(report: Report, code: str) -> ResultRow:
    return next(r for s in report.sectors for r in s.results if r.indicator_code == code)


def _nodes(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, (tuple, list)):
        for item in node:
            yield from _nodes(item)
    elif dataclasses.is_dataclass(node):
        for field in dataclasses.fields(node):
            yield from _nodes(getattr(node, field.name))


def _charts(report: Report) -> list[Chart]:
    return [n for n in _nodes(report) if isinstance(n, Chart)]


@pytest.fixture(scope="module")
def donor_2018(warehouse: Path) -> Report:
    return _report(warehouse, "donor", "2018")


@pytest.fixture(scope="module")
def planner_2018(warehouse: Path) -> Report:
    return _report(warehouse, "planner", "2018")


@pytest.fixture(scope="module")
def sentinel_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture with SS08 2018 in Southhill resting on 3 children (hidden from donors, and
    Northlake with it), and a refused file whose reason quotes a count of 3."""
    path = tmp_path_factory.mktemp("sentinel") / "cpmonitor.duckdb"
    refused = {
        "source_file": "mosa/placements/2018-09/placements_sep.parquet",
        "entity": "mosa",
        "feed": "placements",
        "period": "2018-09",
        "sha256": "e" * 64,
        "status": "quarantined",
        "reason": SMALL_REASON,
    }
    build_fixture_warehouse(path, deliveries=[refused])
    with duckdb.connect(str(path)) as con:
        add_small_count(con)
        con.execute("CHECKPOINT")
    return path


# --- the results tables ---------------------------------------------------------------------------


def test_reintegration_row_against_the_care_reform_target(donor_2018: Report) -> None:
    row = _row(donor_2018, "AC07")
    assert (row.baseline, row.baseline_period) == ("0.0%", "31 Dec 2015")
    assert (row.latest, row.latest_period) == ("13.6%", "2018")
    assert (row.target, row.target_year) == ("30.0%", "2018")
    assert row.achievement == "45%"
    assert row.achievement_pct == pytest.approx(360 / 2646 * 100 / 30 * 100)
    assert (row.status, row.status_label) == ("off_track", "Target not reached")
    # The same year in the latest five: nothing in 2014, then 0, 120/2646, 240/2646, 360/2646.
    assert [p.label for p in row.sparkline] == ["2014", "2015", "2016", "2017", "2018"]
    values = [p.value for p in row.sparkline]
    assert values[0] is None
    assert values[1:] == pytest.approx([0.0, 120 / 2646 * 100, 240 / 2646 * 100, 360 / 2646 * 100])


def test_baseline_without_a_catalogue_one_is_the_first_year(donor_2018: Report) -> None:
    cash = _row(donor_2018, "SS08")
    assert (cash.baseline, cash.baseline_period, cash.latest) == ("10.0%", "2015", "21.0%")
    assert cash.achievement_pct == pytest.approx((115_400 / 550_000 * 100 - 10) / (20 - 10) * 100)
    assert (cash.achievement, cash.status, cash.status_label) == ("110%", "on_track", "On track")
    assert "Restated" in cash.note
    stock = _row(donor_2018, "AC04")
    assert (stock.baseline, stock.latest, stock.achievement, stock.status) == (
        "2,646",
        "2,142",
        "–",
        "no_target",
    )
    assert [p.value for p in stock.sparkline][1:] == [2646, 2478, 2310, 2142]
    # AC06 (80 % by 2025) is flat at 180 / 336: no way covered, and off track.
    exits = _row(donor_2018, "AC06")
    assert (exits.latest, exits.achievement, exits.status) == ("53.6%", "0%", "off_track")


def test_rows_without_values_and_partial_values(donor_2018: Report) -> None:
    absent = _row(donor_2018, "CR01")
    assert (absent.latest, absent.status, absent.status_label) == ("–", "no_data", "No value")
    schools = _row(donor_2018, "SS02")
    assert schools.latest == "72"
    assert schools.note == f"Rests on 91.7% of the expected deliveries; {NOTE_SS02}"


def test_sectors_and_codes_in_catalogue_order(donor_2018: Report) -> None:
    care = donor_2018.sectors[0]
    assert care.paragraphs == (
        "14 indicators, 5 with a national value to report; of the 5 with a target, 0 on track "
        "or reached and 2 off track.",
    )
    assert [s.section_id for s in donor_2018.sectors] == [
        "sector-AC",
        "sector-JC",
        "sector-VE",
        "sector-CR",
        "sector-SS",
    ]
    codes = [r.indicator_code for s in donor_2018.sectors for r in s.results]
    assert len(codes) == 50 and tuple(codes) == donor_2018.indicator_codes
    assert codes[:2] == ["AC01", "AC02"] and codes[-1] == "SS08"


# --- the summary ------------------------------------------------------------------------------------


def test_summary_sentences_from_the_numbers(donor_2018: Report) -> None:
    summary = donor_2018.summary
    # 15 catalogue indicators have a target; the fixture has values for three of them:
    # SS08 on track, AC06 off track (until 2025), AC07 past its target year without reaching it.
    assert (
        "Of the 15 indicators with a target, 1 is on track, 1 is off track and 1 did not reach "
        "its target by its target year; 12 have no value for 2018."
    ) in summary
    # Against 2017: AC07 +50 %, SS08 +16.6 %, AC05 -14.3 % (down is better), AC03 and AC04
    # -7.3 %, AC06 unchanged: six indicators compared, none worse.
    assert (
        "Compared with 2017 (6 indicators with a preferred direction and a value in both "
        "periods), the largest improvements were in Reintegration against the baseline "
        "population (9.1% to 13.6%), Children in households receiving cash transfers (18.0% to "
        "21.0%) and Residential care institutions operating (28 to 24)."
    ) in summary
    assert "None worsened." in summary
    assert (
        "Care reform: 13.6% of the children living in residential care on 31 Dec 2015 had been "
        "reintegrated with their families by the end of 2018, against the target of 30.0% by "
        "2018: target not reached (45% of the way from the baseline)."
    ) in summary
    assert summary[0].startswith("This report follows the 50 indicators")
    assert "9 indicators have a national value to report." in summary[0]


def test_care_reform_story(donor_2018: Report) -> None:
    care = donor_2018.care_reform
    assert care.section_id == "care-reform"
    assert (
        "At the end of 2018, 2,142 children lived in residential care institutions, 504 fewer "
        "(−19.0%) than at the end of 2015 (2,646)."
    ) in care.paragraphs
    assert (
        "At the end of 2018, 24 residential care institutions were operating, 12 fewer (−33.3%) "
        "than at the end of 2015 (36)."
    ) in care.paragraphs
    assert (
        "By province in 2018, reintegration since the baseline ranged from 11.4% (Southhill) to "
        "14.8% (Northlake)."
    ) in care.paragraphs
    (table,) = care.tables
    assert table.rows == (
        ("National", "2,142", "24", "13.6%"),
        ("Northlake", "1,377", "16", "14.8%"),
        ("Southhill", "765", "8", "11.4%"),
    )
    bars = next(c for c in care.charts if c.chart_id == "care-AC07-provinces")
    assert bars.kind == "bar" and bars.target == 30.0
    assert [p.label for p in bars.series[0].points] == ["Northlake", "Southhill"]
    assert "Highest 14.8% in Northlake, lowest 11.4% in Southhill" in bars.alt_text


def test_every_chart_has_an_alt_text_with_its_figures(donor_2018: Report) -> None:
    charts = _charts(donor_2018)
    ids = [c.chart_id for c in charts]
    assert len(ids) == len(set(ids)) and "care-AC04-trend" in ids and "AC07-trend" in ids
    for chart in charts:
        assert chart.alt_text and any(ch.isdigit() for ch in chart.alt_text), chart.chart_id
    care_trend = next(c for c in charts if c.chart_id == "care-AC04-trend")
    assert "from 2,646 in 2015 to 2,142 in 2018" in care_trend.alt_text


# --- cover, notes, annexes ----------------------------------------------------------------------


def test_cover_and_notes(donor_2018: Report, planner_2018: Report) -> None:
    cover = donor_2018.cover
    assert cover.country == "Republic of Examplia"
    assert (cover.period_id, cover.period_label, cover.audience) == ("2018", "2018", "donor")
    assert cover.data_cutoff == dt.date(2018, 12, 31)
    assert cover.warehouse_version == "20190115T060000Z-abc123"
    assert cover.published_at == "2019-01-15 06:30 UTC"
    assert donor_2018.protection_note == words.privacy_note(THRESHOLD)
    assert planner_2018.protection_note == words.EXACT_NOTE


def test_quality_annex(donor_2018: Report) -> None:
    quality = donor_2018.quality
    assert quality.paragraphs[0] == (
        "Of the 3 deliveries expected from the reporting entities for 2018, 1 arrived (33.3%) "
        "and 1 on time (33.3%)."
    )
    tables = {t.title: t for t in quality.tables}
    completeness = tables["Reporting completeness by entity, 2018"]
    assert completeness.rows == (
        ("Ministry of Social Affairs", "1", "3", "1", "0", "1", "1", "33.3%", "33.3%"),
    )
    gaps = tables["Late, missing and refused deliveries, 2018"]
    assert [r[2] for r in gaps.rows] == ["2018-10", "2018-11"]
    refused = tables["Files refused at ingest, 2018"]
    assert refused.rows[0][-1] == "column 'date_of_placement' is missing (the contract requires it)"
    incomplete = tables["Values resting on incomplete deliveries, 2018"]
    assert incomplete.rows[0][0].startswith("SS02") and incomplete.rows[0][2] == "91.7%"
    restated = tables["Restated values, 2018"]
    assert restated.rows[0][0].startswith("SS08")


def test_methodology_annex_from_the_catalogue_and_framework(donor_2018: Report) -> None:
    methodology = donor_2018.methodology
    definitions = next(t for t in methodology.tables if t.title == "Indicator definitions")
    assert len(definitions.rows) == 50
    ac07 = next(r for r in definitions.rows if r[0] == "AC07")
    assert ac07[3].startswith("Reintegrations from residential care")
    assert "Child placements in formal care (Ministry of Social Affairs)" in ac07[6]
    kinds = next(t for t in methodology.tables if t.title.startswith("How each kind"))
    assert [r[0] for r in kinds.rows] == ["flow", "stock", "rate", "median", "distinct", "survey"]
    assert any(p.startswith("Direction:") for p in methodology.paragraphs)
    assert any(p.startswith("Targets") for p in methodology.paragraphs)


# --- who reads what ---------------------------------------------------------------------------------


def test_a_donor_report_holds_no_hidden_value(sentinel_warehouse: Path) -> None:
    with duckdb.connect(str(sentinel_warehouse), read_only=True) as con:
        hidden = con.execute(
            """
            SELECT f.value, i.number_format, i.unit
            FROM protected.indicator_values AS p
            JOIN main.fct_indicator_values AS f USING (indicator_code, period_id, geo_code,
                disaggregation, disaggregation_value)
            JOIN main.dim_indicator AS i USING (indicator_code)
            WHERE p.audience = 'donor' AND p.suppressed
            """
        ).fetchall()
    assert sorted(v for v, *_ in hidden) == [SENTINEL_NEIGHBOUR, SENTINEL_SMALL]
    exact = [format_value(v, fmt, unit) for v, fmt, unit in hidden]  # 66.7%, 77.8%
    donor = _report(sentinel_warehouse, "donor", "2018")
    text = list(iter_strings(donor))
    for figure in exact:
        assert not any(figure in s for s in text), figure
    for point in (n for n in _nodes(donor) if isinstance(n, Point)):
        if point.value is not None:
            assert not any(math.isclose(point.value, v, abs_tol=0.01) for v, *_ in hidden)
    table = next(t for t in _row_tables(donor, "sector-SS"))
    by_place = {r[0]: r[1] for r in table.rows}
    assert by_place["Southhill"] == "Not shown (fewer than 5)"
    assert by_place["Northlake"] == words.NOT_SHOWN_OTHER
    assert SMALL_REASON not in text and "<5 rows have a duplicate primary key" in text
    # The planner reads the exact figures, small counts included.
    planner_text = list(iter_strings(_report(sentinel_warehouse, "planner", "2018")))
    for figure in exact:
        assert any(figure in s for s in planner_text), figure
    assert SMALL_REASON in planner_text


def _row_tables(report: Report, section_id: str) -> list[Any]:
    return list(next(s for s in report.sectors if s.section_id == section_id).tables)


def test_hidden_words_follow_the_threshold(sentinel_warehouse: Path) -> None:
    report = _report(sentinel_warehouse, "donor", "2018", threshold=10)
    text = list(iter_strings(report))
    assert any("Not shown (fewer than 10)" in s for s in text)
    assert not any("fewer than 5" in s for s in text)
    assert report.protection_note == words.privacy_note(10)


def test_donors_read_whole_years(warehouse: Path) -> None:
    with pytest.raises(ReportError, match=r"donor reports cover years only.*ask for 2018"):
        _report(warehouse, "donor", "2018-Q4")


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2030", "no values for 2030; the latest year with values is 2018"),
        ("2018-13", "not a report period"),
        ("2018-11", "not a report period"),
    ],
)
def test_periods_that_cannot_be_reported(warehouse: Path, period: str, message: str) -> None:
    with pytest.raises(ReportError, match=message):
        _report(warehouse, "planner", period)


def test_a_quarterly_planner_report(warehouse: Path) -> None:
    report = _report(warehouse, "planner", "2018-Q4")
    assert report.cover.period_label == "October–December 2018"
    schools = _row(report, "SS02")
    assert (schools.latest, schools.latest_period) == ("18", "2018 Q4")
    assert "66.7%" in schools.note
    assert [p.label for p in schools.sparkline][-2:] == ["2017 Q4", "2018 Q4"]
    # JC04 has no quarters in the fixture: its latest whole year stands in.
    # The unit (days) is printed once, under the name, not in every cell.
    assert (_row(report, "JC04").latest, _row(report, "JC04").latest_period) == ("35", "2018")
    assert any(s.startswith("Compared with 2017 Q4") for s in report.summary)


def test_same_warehouse_same_report(warehouse: Path, donor_2018: Report) -> None:
    assert _report(warehouse, "donor", "2018") == donor_2018


def test_redact_small_counts() -> None:
    assert redact_small_counts("2021-02: 1 against a usual 9.5; 12 rows", 5) == (
        "2021-02: <5 against a usual 9.5; 12 rows"
    )
