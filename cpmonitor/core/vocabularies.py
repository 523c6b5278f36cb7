"""The catalogue's vocabularies: kinds, units, directions, frequencies, number formats, disclosure
classes, model areas, disaggregations and sectors.

Their one home is ``vars.vocabularies`` in ``dbt_project.yml``, where the seed's ``accepted_values``
tests and the models read them too; this module reads them from there for the tests, the checks and
the dashboard, and adds the rules Python needs about them (which kinds have no denominator, which
are final values, which period types a frequency reports).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from cpmonitor.core.settings import PROJECT_ROOT

DBT_PROJECT_FILE = PROJECT_ROOT / "dbt_project.yml"


@cache
def _vocabularies() -> dict[str, Any]:
    with DBT_PROJECT_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)["vars"]["vocabularies"]


_V = _vocabularies()

KINDS: tuple[str, ...] = tuple(_V["kind"])
UNIT_FACTORS: dict[str, int | None] = dict(_V["unit"])
UNITS: tuple[str, ...] = tuple(UNIT_FACTORS)
DIRECTIONS: tuple[str, ...] = tuple(_V["direction"])
FREQUENCY_PERIOD_TYPES: dict[str, tuple[str, ...]] = {
    frequency: tuple(types) for frequency, types in _V["frequency"].items()
}
FREQUENCIES: tuple[str, ...] = tuple(FREQUENCY_PERIOD_TYPES)
PERIOD_TYPES: tuple[str, ...] = tuple(_V["period_type"])  # finest first
NUMBER_FORMATS: tuple[str, ...] = tuple(_V["number_format"])
DISCLOSURE_CLASSES: tuple[str, ...] = tuple(_V["disclosure_class"])
# model area -> the shapes its models deliver ("parts": additive, "values": final values)
MODEL_AREA_SHAPES: dict[str, tuple[str, ...]] = {
    area: tuple(shapes) for area, shapes in _V["model_area"].items()
}
MODEL_AREAS: tuple[str, ...] = tuple(MODEL_AREA_SHAPES)
DISAGGREGATIONS: tuple[str, ...] = tuple(_V["disaggregation"])
SECTORS: dict[str, str] = dict(_V["sector"])
DISAGGREGATION_VALUES: dict[str, tuple[str, ...]] = {
    name: tuple(values) for name, values in _V["disaggregation_values"].items()
}
# kind -> measure (numerator, denominator) -> how it relates over time: sum, period_end or none
KIND_TIME_RELATIONS: dict[str, dict[str, str]] = {
    kind: dict(measures or {}) for kind, measures in _V["kind_time_relations"].items()
}

# Kinds whose value is a count or a median of records: no denominator in the catalogue.
NO_DENOMINATOR_KINDS = frozenset({"flow", "stock", "median", "distinct"})
# Kinds that cannot be summed from district parts: computed at every level by their area
# (``int_indicator_values__<area>``). Every other kind is rolled up from additive parts.
FINAL_VALUE_KINDS = frozenset({"median", "distinct", "survey"})
# Kinds whose values count children or events over a period or on a day (the outlier checks).
COUNT_KINDS = ("flow", "stock", "distinct", "flow_rate", "stock_rate", "rate", "cohort_rate")

# Disclosure classes: what the numerator counts. Only counts of children or events about children
# are protected as small counts; institutions and staff are not people to protect, and survey
# estimates are published aggregates with confidence intervals.
PROTECTED_DISCLOSURE_CLASSES = frozenset({"children_or_events"})

if not all(set(types) <= set(PERIOD_TYPES) for types in FREQUENCY_PERIOD_TYPES.values()):
    raise ValueError(f"{DBT_PROJECT_FILE}: a frequency reports a period type that is not one")
if set(KIND_TIME_RELATIONS) != set(KINDS) or not all(
    relation in ("sum", "period_end", "none")
    for m in KIND_TIME_RELATIONS.values()
    for relation in m.values()
):
    raise ValueError(
        f"{DBT_PROJECT_FILE}: kind_time_relations must give every kind sum/period_end/none"
    )
if not NO_DENOMINATOR_KINDS | FINAL_VALUE_KINDS | set(COUNT_KINDS) <= set(KINDS):
    raise ValueError(
        f"{DBT_PROJECT_FILE}: a kind named in cpmonitor.core.vocabularies is not a kind"
    )
