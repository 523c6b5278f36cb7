"""A hand-made progress report for the renderer tests: five sectors of the real catalogue, hidden
values, one series hidden throughout, a gap, long names and words that need escaping."""

from __future__ import annotations

import datetime as dt

from cpmonitor.core.words import gaps_note, hidden_series, not_shown_small, privacy_note
from cpmonitor.report.model import (
    Chart,
    Cover,
    Point,
    Report,
    ResultRow,
    Section,
    Series,
    Table,
)

THRESHOLD = 5
HIDDEN = not_shown_small(THRESHOLD)
YEARS = ("2021", "2022", "2023", "2024", "2025")

# (sector code, sector name): as in seeds/indicator_catalogue.csv.
SECTORS = (
    ("AC", "Alternative care and family reintegration"),
    ("JC", "Justice for children"),
    ("VE", "Violence, exploitation and case management"),
    ("CR", "Civil registration and harmful practices"),
    ("SS", "Education, health, labour and social protection"),
)

STATUS_LABELS = {
    "on_track": "On track",
    "off_track": "Off track",
    "achieved": "Achieved",
    "no_target": "No target",
    "no_data": "No data",
    "not_shown": "Not shown",
}


def _points(values: tuple[float | None | str, ...]) -> tuple[Point, ...]:
    """``"h"`` is a hidden value, None a missing one."""
    return tuple(
        Point(label, None, hidden=True) if v == "h" else Point(label, v)  # type: ignore[arg-type]
        for label, v in zip(YEARS, values, strict=True)
    )


def _row(
    code: str,
    name: str,
    unit: str,
    values: tuple[float | None | str, ...],
    *,
    baseline: str = "–",
    target: str = "–",
    achievement: float | None = None,
    status: str = "no_target",
    note: str | None = None,
) -> ResultRow:
    last = values[-1]
    latest = HIDDEN if last == "h" else "–" if last is None else f"{last:,.1f}".removesuffix(".0")
    if last == "h":
        status = "not_shown"
    return ResultRow(
        indicator_code=code,
        indicator_name=name,
        unit=unit,
        baseline=baseline,
        baseline_period="2021" if baseline != "–" else "",
        latest=latest,
        latest_period="2025",
        target=target,
        target_year="2027" if target != "–" else "",
        achievement="–" if achievement is None else f"{achievement:.0f}%",
        achievement_pct=achievement,
        status=status,
        status_label=STATUS_LABELS[status],
        sparkline=_points(values),
        note=note,
    )


def _rows() -> dict[str, tuple[ResultRow, ...]]:
    return {
        "AC": (
            _row(
                "AC01",
                "Children entering formal care",
                "per 100 000",
                (41.2, 39.8, 37.0, 35.1, 33.9),
                baseline="41.2",
                target="30.0",
                achievement=65.0,
                status="on_track",
            ),
            _row(
                "AC04",
                "Children in residential care institutions",
                "count",
                (2410, 2301, 2155, 1990, 1875),
                baseline="2,410",
                target="1,200",
                achievement=44.2,
                status="off_track",
            ),
            _row(
                "AC06",
                "Children leaving residential care for a family",
                "count",
                (120, "h", 131, "h", 150),
                note="Two years not shown: small counts in a province",
            ),
            _row(
                "AC09",
                "Re-entry after reintegration",
                "%",
                ("h", "h", "h", "h", "h"),
                status="not_shown",
            ),
            _row(
                "AC11",
                "Children in care with an individual care plan & a named case worker "
                "(<i>all placement types</i>, including emergency foster care)",
                "%",
                (55.0, 61.0, None, 70.5, 82.0),
                baseline="55",
                target="80",
                achievement=100.0,
                status="achieved",
                note="2023 not reported by two provinces",
            ),
        ),
        "JC": (
            _row(
                "JC01",
                "Children in conflict with the law",
                "per 100 000",
                (88.0, 84.5, 90.1, 79.3, 75.0),
            ),
            _row(
                "JC02",
                "Children in detention",
                "count",
                (312, 290, 281, 265, 240),
                baseline="312",
                target="150",
                achievement=44.4,
                status="off_track",
            ),
            _row(
                "JC06",
                "Pre-sentence diversion",
                "%",
                (21.0, 25.0, 31.0, 36.0, 41.0),
                baseline="21",
                target="50",
                achievement=69.0,
                status="on_track",
            ),
            _row("JC08", "Child deaths in detention", "count", ("h", 0, "h", 0, "h")),
        ),
        "VE": (
            _row(
                "VE01", "Child protection cases registered", "count", (5210, 5630, 6012, 6544, 7020)
            ),
            _row(
                "VE04",
                "High-risk cases seen within 24 hours",
                "%",
                (62.0, 66.0, 71.0, 75.5, 79.0),
                baseline="62",
                target="90",
                achievement=60.7,
                status="on_track",
            ),
            _row(
                "VE09",
                "Caseload per social worker",
                "cases",
                (58.0, 61.0, 57.0, 55.0, 52.0),
                baseline="58",
                target="30",
                achievement=21.4,
                status="off_track",
            ),
            _row(
                "VE11",
                "Child victims of trafficking identified",
                "count",
                ("h", 7, 9, "h", 11),
                note="Some provinces not shown: fewer than 5 children",
            ),
        ),
        "CR": (
            _row(
                "CR01",
                "Births registered on time",
                "%",
                (78.0, 81.0, 84.0, 88.0, 91.2),
                baseline="78",
                target="90",
                achievement=100.0,
                status="achieved",
            ),
            _row(
                "CR03",
                "Children in formal care with a birth certificate",
                "%",
                (None, None, None, None, None),
                baseline="–",
                target="95",
                status="no_data",
            ),
            _row("CR04", "Child marriage", "%", (6.1, 5.9, 5.5, 5.2, 4.8)),
        ),
        "SS": (
            _row("SS01", "Lower-secondary dropout", "%", (9.2, 8.8, 8.9, 8.1, 7.7)),
            _row(
                "SS04",
                "Post-exposure care within 72 hours",
                "%",
                (48.0, 52.0, 57.0, 55.0, 61.0),
                baseline="48",
                target="80",
                achievement=40.6,
                status="off_track",
            ),
            _row(
                "SS07",
                "Children withdrawn from the worst forms of child labour",
                "count",
                (140, 162, "h", 190, 205),
            ),
            _row(
                "SS08",
                "Children in households receiving cash transfers",
                "%",
                (12.0, 13.5, 15.1, 17.0, 18.4),
                baseline="12",
                target="20",
                achievement=80.0,
                status="on_track",
            ),
        ),
    }


def _chart(row: ResultRow, kind: str = "line", target: float | None = None) -> Chart:
    hidden = any(p.hidden for p in row.sparkline)
    every = all(p.hidden for p in row.sparkline)
    shown = [
        f"{p.label}: {'not shown' if p.hidden else p.value if p.value is not None else 'no value'}"
        for p in row.sparkline
    ]
    return Chart(
        chart_id=f"{row.indicator_code}-trend",
        title=f"{row.indicator_name} ({row.unit}), {YEARS[0]}–{YEARS[-1]}",
        kind=kind,
        unit=row.unit,
        series=(Series("National", row.sparkline),),
        alt_text=(
            hidden_series(THRESHOLD)
            if every
            else f"{row.indicator_name}, national, by year: " + "; ".join(shown) + "."
        ),
        target=target,
        note=hidden_series(THRESHOLD) if every else gaps_note(THRESHOLD) if hidden else None,
    )


def _sections() -> tuple[Section, ...]:
    rows = _rows()
    charts: dict[str, tuple[Chart, ...]] = {
        "AC": (
            _chart(rows["AC"][1], "line", 1200.0),
            _chart(rows["AC"][2], "bar"),
            _chart(rows["AC"][3], "line"),
            Chart(
                chart_id="AC04-by-province",
                title="Children in residential care institutions by province, 2024–2025",
                kind="bar",
                unit="count",
                series=(
                    Series(
                        "2024",
                        (
                            Point("North", 640),
                            Point("Southhill", None, hidden=True),
                            Point("East", 512),
                            Point("West", 401),
                            Point("Capital", 437),
                        ),
                    ),
                    Series(
                        "2025",
                        (
                            Point("North", 601),
                            Point("Southhill", None, hidden=True),
                            Point("East", 470),
                            Point("West", 390),
                            Point("Capital", 414),
                        ),
                    ),
                ),
                alt_text="Bars by province for 2024 and 2025; Southhill not shown in both years; "
                "every other province fell.",
                note=gaps_note(THRESHOLD),
            ),
        ),
        "JC": (_chart(rows["JC"][1], "bar", 150.0), _chart(rows["JC"][2], "line", 50.0)),
        "VE": (
            Chart(
                chart_id="VE04-VE05",
                title="Case management quality: high-risk cases seen within 24 hours and open "
                "cases with a case plan",
                kind="line",
                unit="%",
                series=(
                    Series("High-risk seen in 24 hours", rows["VE"][1].sparkline),
                    Series("Open cases with a plan", _points((40.0, 44.0, "h", 58.0, 63.0))),
                    Series("Referrals completed", _points((70.0, 71.0, 69.0, 73.0, None))),
                ),
                alt_text="Three lines rising from 2021 to 2025; open cases with a plan not shown "
                "in 2023; referrals completed not yet reported for 2025.",
                target=90.0,
                note=gaps_note(THRESHOLD),
            ),
            _chart(rows["VE"][3], "bar"),
        ),
        "CR": (_chart(rows["CR"][0], "line", 90.0), _chart(rows["CR"][1], "line")),
        "SS": (_chart(rows["SS"][1], "bar", 80.0),),
    }
    sections = []
    for code, name in SECTORS:
        sections.append(
            Section(
                section_id=f"sector-{code}",
                title=name,
                paragraphs=(
                    f"{len(rows[code])} indicators of {name.lower()} are reported for 2025.",
                    "Values are national; a value resting on fewer than 5 children or events is "
                    "not shown, nor is one that would let it be worked out.",
                ),
                results=rows[code],
                charts=charts[code],
            )
        )
    return tuple(sections)


def sample_report() -> Report:
    sectors = _sections()
    codes = tuple(r.indicator_code for s in sectors for r in s.results)
    care = Section(
        section_id="care-reform",
        title="Care reform",
        paragraphs=(
            "Children in residential care institutions fell from 2,410 in 2021 to 1,875 in 2025 "
            "(–22%); the 2027 target of 1,200 needs a faster fall.",
            "Family-based care grew in every province but one.",
        ),
        tables=(
            Table(
                title="Children in formal care by type of care, 31 December",
                columns=("Type of care", "2021", "2022", "2023", "2024", "2025"),
                rows=(
                    ("Residential care institution", "2,410", "2,301", "2,155", "1,990", "1,875"),
                    ("Foster care", "610", "702", "815", "933", "1,050"),
                    ("Kinship care (formal)", "880", "905", "960", "1,002", "1,090"),
                    ("Small group home", HIDDEN, "12", "18", HIDDEN, "25"),
                ),
                caption="Small counts are not shown (fewer than 5 children).",
            ),
        ),
        charts=(
            Chart(
                chart_id="care-mix",
                title="Children in formal care by type of care, 2021–2025",
                kind="bar",
                unit="children",
                series=(
                    Series("Residential", _points((2410, 2301, 2155, 1990, 1875))),
                    Series("Foster", _points((610, 702, 815, 933, 1050))),
                    Series("Kinship", _points((880, 905, 960, 1002, 1090))),
                    Series("Small group home", _points(("h", 12, 18, "h", 25))),
                ),
                alt_text="Grouped bars by year: residential care falls every year, foster and "
                "kinship care rise; small group homes are few, two years not shown.",
                note=gaps_note(THRESHOLD),
            ),
        ),
    )
    quality = Section(
        section_id="quality",
        title="Annex A. Data quality",
        paragraphs=(
            "Reporting completeness is the share of expected monthly deliveries received.",
        ),
        tables=(
            Table(
                title="Reporting completeness by source, 2025",
                columns=("Source", "Expected", "On time", "Late", "Missing", "Complete"),
                rows=(
                    (
                        "Placements register (Ministry of Social Affairs)",
                        "12",
                        "11",
                        "1",
                        "0",
                        "100%",
                    ),
                    ("Justice case management", "12", "9", "2", "1", "92%"),
                    ("Child protection case management", "12", "12", "0", "0", "100%"),
                    ("Civil registration", "4", "3", "0", "1", "75%"),
                ),
            ),
            Table(
                title="Restated and partial values",
                columns=("Indicator", "Period", "Note"),
                rows=(
                    ("AC11", "2023", "Not reported by two provinces; national value partial"),
                    ("VE01", "2024", "Restated after a late delivery (+312 cases)"),
                ),
            ),
        ),
    )
    methodology = Section(
        section_id="methodology",
        title="Annex B. Methodology",
        paragraphs=(
            "Achievement is (latest − baseline) / (target − baseline); 100% means the target is met.",
            "An indicator is on track when its achievement is at least the share of the time from "
            "baseline to target year that has passed.",
            privacy_note(THRESHOLD),
        ),
        tables=(
            Table(
                title="Indicator definitions",
                columns=("Code", "Indicator", "Definition", "Numerator", "Denominator", "Source"),
                rows=tuple(
                    (
                        r.indicator_code,
                        r.indicator_name,
                        f"Definition of {r.indicator_name.lower()} as in the national catalogue, "
                        "counted on the last day of the period.",
                        f"Children counted for {r.indicator_name.lower()} during the period",
                        "Child population aged 0-17 (projection for the year of the period)"
                        if r.unit != "count"
                        else "–",
                        "Administrative data (Ministry of Social Affairs)",
                    )
                    for s in sectors
                    for r in s.results
                ),
            ),
        ),
    )
    return Report(
        lang="en",
        cover=Cover(
            title="Child protection progress report",
            country="Republic of Examplia",
            period_id="2025",
            period_label="2025",
            audience="donor",
            audience_label="Donors and partners",
            data_cutoff=dt.date(2025, 12, 31),
            warehouse_version="run-20260115T061200Z",
            published_at="2026-01-15 06:12 UTC",
        ),
        summary=(
            "Of 20 indicators, 5 are on track, 5 off track and 2 achieved; 3 have a value not shown "
            "to protect children's privacy.",
            "Children in residential care institutions fell by 22% since 2021, short of the pace "
            "the 2027 target needs.",
            "Birth registration on time reached 91.2%, above its target of 90%.",
        ),
        sectors=sectors,
        care_reform=care,
        quality=quality,
        methodology=methodology,
        protection_note=privacy_note(THRESHOLD),
        indicator_codes=codes,
    )
