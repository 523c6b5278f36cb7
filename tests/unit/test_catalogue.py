"""The indicator catalogue (seeds/indicator_catalogue.csv) against the framework and the feed docs.

Fast and without dbt: reads the seed with the csv module (and through ``cpmonitor.core.catalogue``),
the framework from ``docs/framework.md`` and the feed table from ``docs/indicators-and-feeds.md``.
Vocabularies come from ``cpmonitor.core.vocabularies`` (``vars.vocabularies`` of dbt_project.yml).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

from cpmonitor.core import vocabularies as v
from cpmonitor.core.catalogue import CatalogueError, load_catalogue

REPO = Path(__file__).parents[2]
CATALOGUE = REPO / "seeds" / "indicator_catalogue.csv"
FRAMEWORK = REPO / "docs" / "framework.md"
FEEDS_DOC = REPO / "docs" / "indicators-and-feeds.md"
CONTRACTS = REPO / "data_contracts"

HEADER = [
    "indicator_code", "display_order", "indicator_name", "short_label", "sector_code",
    "sector_name", "definition", "numerator_definition", "denominator_definition", "unit", "factor",
    "kind", "direction", "number_format", "frequency", "disaggregations", "source_feeds",
    "model_area", "disclosure_class", "window_months", "framework_ref", "baseline_value",
    "baseline_date", "target_value", "target_year",
]  # fmt: skip
# The catalogue's factor column as text, from the unit vocabulary.
FACTORS = {unit: "" if f is None else str(f) for unit, f in v.UNIT_FACTORS.items()}
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
def framework_text() -> str:
    assert FRAMEWORK.is_file(), f"the framework is missing: expected {FRAMEWORK}"
    return FRAMEWORK.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def framework(framework_text: str) -> dict[str, list[str]]:
    """Indicator rows of the framework by code: code, indicator, numerator, ..., dir, ref."""
    rows = _table_rows(framework_text)
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


def test_framework_tables_hold_the_count_its_title_states(
    framework_text: str, framework: dict[str, list[str]]
) -> None:
    # "# The national child protection monitoring framework: N indicators in M sectors"
    title = re.search(r"(\d+) indicators in (\d+) sectors", framework_text.splitlines()[0])
    assert title, "the framework's title states how many indicators and sectors it has"
    indicators, sectors = int(title[1]), int(title[2])
    assert len(framework) == indicators
    assert len({code[:2] for code in framework}) == sectors == len(v.SECTORS)


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
        assert row["sector_name"] == v.SECTORS[row["sector_code"]], code
        assert row["unit"] in v.UNITS, code
        assert row["kind"] in v.KINDS, code
        assert row["direction"] in v.DIRECTIONS, code
        assert row["frequency"] in v.FREQUENCIES, code
        assert row["number_format"] in v.NUMBER_FORMATS, code
        assert row["model_area"] in v.MODEL_AREAS, code
        assert row["disclosure_class"] in v.DISCLOSURE_CLASSES, code
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
        if row["kind"] in v.NO_DENOMINATOR_KINDS:
            assert row["denominator_definition"] == "", code
            assert row["unit"] in {"count", "days"}, code
        else:
            assert row["denominator_definition"], code


def test_disaggregations_are_an_ordered_subset(rows: list[dict[str, str]]) -> None:
    for row in rows:
        parts = row["disaggregations"].split(";") if row["disaggregations"] else []
        assert parts == [d for d in v.DISAGGREGATIONS if d in parts], row["indicator_code"]


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


def test_display_order_is_sectors_then_codes(rows: list[dict[str, str]]) -> None:
    ordered = sorted(rows, key=lambda r: int(r["display_order"]))
    assert [int(r["display_order"]) for r in ordered] == list(range(1, len(rows) + 1))
    sectors = list(dict.fromkeys(r["sector_code"] for r in ordered))
    assert sectors == list(v.SECTORS), "sectors appear in the vocabulary's order"
    for sector in sectors:
        codes = [r["indicator_code"] for r in ordered if r["sector_code"] == sector]
        assert codes == sorted(codes), sector


def test_model_area_matches_the_kind(rows: list[dict[str, str]]) -> None:
    # Final-value kinds come from an area that delivers final values; the others from additive parts
    # (VE09, a ratio over distinct workers per level, is the one rate computed as a final value).
    for row in rows:
        shapes = v.MODEL_AREA_SHAPES[row["model_area"]]
        if row["kind"] in v.FINAL_VALUE_KINDS:
            assert "values" in shapes, row["indicator_code"]
        elif row["indicator_code"] != "VE09":
            assert "parts" in shapes, row["indicator_code"]
    assert {r["model_area"] for r in rows} == set(v.MODEL_AREAS), "an area computes nothing"


def test_disclosure_class_follows_the_kind(rows: list[dict[str, str]]) -> None:
    for row in rows:
        survey = row["kind"] == "survey"
        assert (row["disclosure_class"] == "survey_estimate") == survey, row["indicator_code"]


def test_every_model_area_has_its_models() -> None:
    for area, shapes in v.MODEL_AREA_SHAPES.items():
        for shape in shapes:
            model = REPO / "models" / "intermediate" / area / f"int_indicator_{shape}__{area}.sql"
            assert model.is_file(), f"{area} delivers {shape} but {model} is missing"


def test_seed_accepted_values_read_the_vocabularies() -> None:
    # The seed's accepted_values tests take their lists from vars.vocabularies, never re-typed.
    seeds = yaml.safe_load((REPO / "seeds" / "_seeds.yml").read_text(encoding="utf-8"))
    columns = {c["name"]: c for c in seeds["seeds"][0]["columns"]}
    for column, vocabulary in (
        ("kind", "kind"), ("unit", "unit"), ("direction", "direction"),
        ("frequency", "frequency"), ("number_format", "number_format"),
        ("model_area", "model_area"), ("disclosure_class", "disclosure_class"),
        ("sector_code", "sector"),
    ):  # fmt: skip
        tests = [t for t in columns[column]["data_tests"] if isinstance(t, dict)]
        values = tests[0]["accepted_values"]["arguments"]["values"]
        assert f"var('vocabularies')['{vocabulary}']" in values, column


def test_catalogue_module_reads_every_row_in_display_order(rows: list[dict[str, str]]) -> None:
    indicators = load_catalogue()
    assert [i.indicator_code for i in indicators] == [
        r["indicator_code"] for r in sorted(rows, key=lambda r: int(r["display_order"]))
    ]
    by_code = {i.indicator_code: i for i in indicators}
    assert by_code["VE09"].period_types == ("quarter", "year")
    assert by_code["AC01"].period_types == ("month", "quarter", "year")
    assert not by_code["AC05"].is_protected and by_code["AC04"].is_protected


def test_catalogue_module_names_the_row_and_rule_it_refuses(tmp_path: Path) -> None:
    text = CATALOGUE.read_text(encoding="utf-8").splitlines()
    header, first = text[0], text[1].replace(",flow_rate,", ",flowrate,", 1)
    bad = tmp_path / "indicator_catalogue.csv"
    bad.write_text(f"{header}\n{first}\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"line 2 \(AC01\): kind 'flowrate' is not one of"):
        load_catalogue(bad)
