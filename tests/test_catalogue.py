"""The indicator catalogue (seeds/indicator_catalogue.csv) against the framework and the feed docs.

Fast and without dbt: reads the seed with the csv module, the framework from
``../shared/INDICATORS.md`` (beside the clone, also in CI) and the feed table from
``docs/indicators-and-feeds.md``.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

REPO = Path(__file__).parents[1]
CATALOGUE = REPO / "seeds" / "indicator_catalogue.csv"
FRAMEWORK = Path(__file__).parents[2] / "shared" / "INDICATORS.md"
FEEDS_DOC = REPO / "docs" / "indicators-and-feeds.md"
CONTRACTS = REPO / "data_contracts"

HEADER = [
    "indicator_code", "indicator_name", "short_label", "sector_code", "sector_name",
    "definition", "numerator_definition", "denominator_definition", "unit", "factor", "kind",
    "direction", "number_format", "frequency", "disaggregations", "source_feeds", "window_months",
    "framework_ref", "baseline_value", "baseline_date", "target_value", "target_year",
]  # fmt: skip
SECTORS = {
    "AC": "Alternative care and family reintegration",
    "JC": "Justice for children",
    "VE": "Violence, exploitation and case management",
    "CR": "Civil registration and harmful practices",
    "SS": "Education, health, labour and social protection",
}
FACTORS = {
    "count": "",
    "days": "",
    "%": "100",
    "% (cumulative)": "100",
    "per 100 000": "100000",
    "per 1 000": "1000",
    "ratio": "1",
}
KINDS = {
    "flow", "stock", "flow_rate", "stock_rate", "rate", "cohort_rate", "cumulative_rate",
    "median", "distinct", "survey",
}  # fmt: skip
NO_DENOMINATOR_KINDS = {"flow", "stock", "median", "distinct"}
DIRECTIONS = {"up", "down", "none"}
FREQUENCIES = {"monthly", "quarterly", "yearly"}
NUMBER_FORMATS = {",.0f", ",.1f"}
DISAGGREGATIONS = ["sex", "age_band", "disability"]
# The rows the models, tests and dashboard were built on: their direction must not change.
EXISTING_DIRECTIONS = {"AC03": "down", "AC04": "down", "AC05": "down", "AC06": "up", "AC07": "up"}
# Framework notation -> catalogue vocabulary.
FRAMEWORK_DIRECTION = {"↑": "up", "↓": "down", "~": "none"}
FRAMEWORK_UNIT = {"per 100,000": "per 100 000", "per 1,000": "per 1 000"}

CODE = re.compile(r"^[A-Z]{2}\d{2}$")


def _table_rows(text: str) -> list[list[str]]:
    """Cells of every markdown table row in ``text``."""
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if line.lstrip().startswith("|")
    ]


@pytest.fixture(scope="module")
def framework() -> dict[str, list[str]]:
    """Indicator rows of the framework by code: code, indicator, numerator, ..., dir, ref."""
    assert FRAMEWORK.is_file(), (
        f"the framework is missing: expected {FRAMEWORK} (shared/ beside the clone); "
        "the catalogue is checked against its 50 indicator codes"
    )
    rows = _table_rows(FRAMEWORK.read_text(encoding="utf-8"))
    return {cells[0]: cells for cells in rows if CODE.match(cells[0])}


@pytest.fixture(scope="module")
def documented_feeds() -> set[str]:
    """Feed names of the feed table in docs/indicators-and-feeds.md."""
    text = FEEDS_DOC.read_text(encoding="utf-8")
    section = text.split("## Feeds", 1)[1].split("\n## ", 1)[0]
    feeds = {
        cells[1].strip("`")
        for cells in _table_rows(section)
        if len(cells) > 1 and cells[1].startswith("`")
    }
    assert feeds, f"no feed table found under '## Feeds' in {FEEDS_DOC}"
    return feeds


@pytest.fixture(scope="module")
def header() -> list[str]:
    with CATALOGUE.open(newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with CATALOGUE.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_header_is_exact(header: list[str]) -> None:
    assert header == HEADER


def test_framework_has_fifty_indicators(framework: dict[str, list[str]]) -> None:
    assert len(framework) == 50


def test_catalogue_has_exactly_the_framework_codes(
    rows: list[dict[str, str]], framework: dict[str, list[str]]
) -> None:
    codes = [row["indicator_code"] for row in rows]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    assert not duplicates, f"duplicate codes: {duplicates}"
    assert set(codes) - set(framework) == set(), "codes not in the framework"
    assert set(framework) - set(codes) == set(), "framework codes missing from the catalogue"


def test_names_units_and_directions_follow_the_framework(
    rows: list[dict[str, str]], framework: dict[str, list[str]]
) -> None:
    for row in rows:
        code, name, _num, _den, unit, _kind, direction, ref = framework[row["indicator_code"]]
        assert row["indicator_name"] == name, code
        assert row["unit"] == FRAMEWORK_UNIT.get(unit, unit), code
        assert row["direction"] == FRAMEWORK_DIRECTION[direction], code
        assert row["framework_ref"] == ref, code


def test_no_cell_has_surrounding_spaces(rows: list[dict[str, str]]) -> None:
    bad = [
        (row["indicator_code"], column)
        for row in rows
        for column, value in row.items()
        if value != value.strip()
    ]
    assert not bad


def test_vocabularies(rows: list[dict[str, str]]) -> None:
    for row in rows:
        code = row["indicator_code"]
        assert row["sector_code"] == code[:2], code
        assert row["sector_name"] == SECTORS[row["sector_code"]], code
        assert row["unit"] in FACTORS, code
        assert row["kind"] in KINDS, code
        assert row["direction"] in DIRECTIONS, code
        assert row["frequency"] in FREQUENCIES, code
        assert row["number_format"] in NUMBER_FORMATS, code
        assert row["indicator_name"] and row["definition"] and row["numerator_definition"], code
        assert 0 < len(row["short_label"]) <= 30, code


def test_factor_present_exactly_for_units_that_need_one(rows: list[dict[str, str]]) -> None:
    for row in rows:
        assert row["factor"] == FACTORS[row["unit"]], row["indicator_code"]


def test_counts_medians_and_distinct_counts_have_no_denominator(
    rows: list[dict[str, str]],
) -> None:
    for row in rows:
        code = row["indicator_code"]
        if row["kind"] in NO_DENOMINATOR_KINDS:
            assert row["denominator_definition"] == "", code
            assert row["unit"] in {"count", "days"}, code
        else:
            assert row["denominator_definition"], code


def test_disaggregations_are_an_ordered_subset(rows: list[dict[str, str]]) -> None:
    for row in rows:
        parts = row["disaggregations"].split(";") if row["disaggregations"] else []
        assert parts == [d for d in DISAGGREGATIONS if d in parts], row["indicator_code"]


def test_every_source_feed_is_contracted_or_documented(
    rows: list[dict[str, str]], documented_feeds: set[str]
) -> None:
    unknown = {
        (row["indicator_code"], feed)
        for row in rows
        for feed in row["source_feeds"].split(";")
        if not (CONTRACTS / f"{feed}.yaml").is_file() and feed not in documented_feeds
    }
    assert not unknown, f"source feeds neither contracted nor documented: {sorted(unknown)}"
    assert all(row["source_feeds"] for row in rows)


def test_target_year_present_iff_target_value(rows: list[dict[str, str]]) -> None:
    for row in rows:
        code = row["indicator_code"]
        assert bool(row["target_value"]) == bool(row["target_year"]), code
        if row["target_value"]:
            float(row["target_value"])
            assert re.fullmatch(r"\d{4}", row["target_year"]), code
            assert row["direction"] in {"up", "down"}, f"{code}: a target needs a direction"
        assert bool(row["baseline_value"]) == bool(row["baseline_date"]), code


def test_existing_rows_keep_their_direction(rows: list[dict[str, str]]) -> None:
    directions = {row["indicator_code"]: row["direction"] for row in rows}
    assert {code: directions[code] for code in EXISTING_DIRECTIONS} == EXISTING_DIRECTIONS


def test_window_months_only_where_a_value_reaches_back_beyond_its_period(
    rows: list[dict[str, str]],
) -> None:
    # Cohorts (AC09: reintegrations 12-24 months back, AC10: 6-18 months) and AC13's 12-month
    # inspection look-back: the span whose deliveries a value's coverage is judged over.
    windows = {r["indicator_code"]: r["window_months"] for r in rows if r["window_months"]}
    assert windows == {"AC09": "24", "AC10": "18", "AC13": "12"}
    assert all(r["kind"] != "cohort_rate" for r in rows if r["indicator_code"] not in windows)
