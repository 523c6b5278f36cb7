"""The indicator catalogue (``seeds/indicator_catalogue.csv``) read in Python, validated against the
vocabularies. The same file is the dbt seed behind ``dim_indicator``: one definition per indicator.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cpmonitor.core import vocabularies as v
from cpmonitor.core.settings import CATALOGUE_FILE


@dataclass(frozen=True)
class Indicator:
    """One row of the catalogue, typed."""

    indicator_code: str
    display_order: int
    indicator_name: str
    short_label: str
    sector_code: str
    sector_name: str
    definition: str
    numerator_definition: str
    denominator_definition: str
    unit: str
    factor: float | None
    kind: str
    direction: str
    number_format: str
    frequency: str
    disaggregations: tuple[str, ...]
    source_feeds: tuple[str, ...]
    model_area: str
    disclosure_class: str
    window_months: int | None
    framework_ref: str
    baseline_value: float | None
    baseline_date: str | None
    target_value: float | None
    target_year: int | None

    @property
    def period_types(self) -> tuple[str, ...]:
        """The period types this indicator has values for, finest first."""
        return v.FREQUENCY_PERIOD_TYPES[self.frequency]

    @property
    def is_protected(self) -> bool:
        """Small counts of this indicator are disclosure-protected (it counts children or events)."""
        return self.disclosure_class in v.PROTECTED_DISCLOSURE_CLASSES


class CatalogueError(ValueError):
    """A catalogue row breaks a vocabulary or a rule."""


def _optional(text: str, kind: type) -> object:
    return kind(text) if text != "" else None


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split(";")) if text else ()


def _indicator(row: dict[str, str], line: int, path: Path) -> Indicator:
    where = f"{path.name} line {line} ({row.get('indicator_code', '?')})"
    for column, allowed in (
        ("kind", v.KINDS),
        ("unit", v.UNITS),
        ("direction", v.DIRECTIONS),
        ("frequency", v.FREQUENCIES),
        ("number_format", v.NUMBER_FORMATS),
        ("disclosure_class", v.DISCLOSURE_CLASSES),
        ("model_area", v.MODEL_AREAS),
        ("sector_code", tuple(v.SECTORS)),
    ):
        if row[column] not in allowed:
            raise CatalogueError(f"{where}: {column} {row[column]!r} is not one of {list(allowed)}")
    disaggregations = _split(row["disaggregations"])
    if unknown := set(disaggregations) - set(v.DISAGGREGATIONS):
        raise CatalogueError(f"{where}: unknown disaggregations {sorted(unknown)}")
    return Indicator(
        indicator_code=row["indicator_code"],
        display_order=int(row["display_order"]),
        indicator_name=row["indicator_name"],
        short_label=row["short_label"],
        sector_code=row["sector_code"],
        sector_name=row["sector_name"],
        definition=row["definition"],
        numerator_definition=row["numerator_definition"],
        denominator_definition=row["denominator_definition"],
        unit=row["unit"],
        factor=_optional(row["factor"], float),
        kind=row["kind"],
        direction=row["direction"],
        number_format=row["number_format"],
        frequency=row["frequency"],
        disaggregations=disaggregations,
        source_feeds=_split(row["source_feeds"]),
        model_area=row["model_area"],
        disclosure_class=row["disclosure_class"],
        window_months=_optional(row["window_months"], int),
        framework_ref=row["framework_ref"],
        baseline_value=_optional(row["baseline_value"], float),
        baseline_date=row["baseline_date"] or None,
        target_value=_optional(row["target_value"], float),
        target_year=_optional(row["target_year"], int),
    )


def read_catalogue_rows(path: Path = CATALOGUE_FILE) -> list[dict[str, str]]:
    """The catalogue's rows as text, in file order."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@cache
def load_catalogue(path: Path = CATALOGUE_FILE) -> tuple[Indicator, ...]:
    """Every indicator of the catalogue in display order; raises CatalogueError on a bad row."""
    rows = read_catalogue_rows(path)
    indicators = [_indicator(row, line, path) for line, row in enumerate(rows, start=2)]
    return tuple(sorted(indicators, key=lambda i: i.display_order))
