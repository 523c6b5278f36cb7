"""DHIS2 payloads of the indicator values: a dataValueSets JSON file and an ADX XML file.

Ministries send the values they publish to their national DHIS2 instance. A mapping file
(``exchange/dhis2/*.yml``, ``load_mapping``) says which DHIS2 data element, category option combo
and organisation unit each value goes to, and which period types are sent; ``build_values`` reads the
values one audience may read (``published_values``: a protected audience's hidden values are NULL
and stay unsent) and maps them, counting what the mapping does not cover.

DHIS2 keeps a value until it is told otherwise, so a value that was in the previous export and is now
hidden or gone is sent as an explicit delete:

- dataValueSets JSON: the value with ``"deleted": true`` and no ``value``. DHIS2 soft-deletes values
  through this flag (the property its own exports use to communicate deletions); its importer turns
  an existing value into a deleted one under the default ``CREATE_AND_UPDATE`` strategy.
- ADX: the ADX endpoint takes the dataValueSets import parameters with the same meaning, so deletes
  go in a second ADX file (``<name>.deletes.xml``) to post with ``importStrategy=DELETE``. It holds
  only the values to delete, each with an empty value: a hidden number is never sent again.

``plan`` compares the values with the previous export (``--dry-run``). Output is deterministic: the
same warehouse, mapping and previous file give the same bytes (sorted values and keys, no clock
time; the ADX ``exported`` time is the warehouse's publication time).
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal
from xml.sax.saxutils import quoteattr

import duckdb
import pandas as pd
import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    ValidationError,
    field_validator,
    model_validator,
)

from cpmonitor.core import vocabularies as vocab
from cpmonitor.core.access import PERIOD_TYPES, Role
from cpmonitor.core.catalogue import load_catalogue
from cpmonitor.core.parquet_io import write_bytes_atomic
from cpmonitor.core.periods import frequency_of, period_start
from cpmonitor.core.published import WarehouseStamp, published_values

ADX_NAMESPACE = "urn:ihe:qrph:adx:2015"
STAMP_NAMESPACE = "urn:cpmonitor:warehouse"  # the warehouse version on the ADX root
TOTAL = "total"
UID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")
UID_RULE = "11 characters: a letter, then 10 letters or digits"
_UID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ADX_DURATIONS = {"month": "P1M", "quarter": "P3M", "year": "P1Y"}


class Dhis2Error(ValueError):
    """A mapping file or a previous export that cannot be used (the message names the file)."""


# ---------------------------------------------------------------------------------------------
# The mapping
# ---------------------------------------------------------------------------------------------


def _uid(text: str) -> str:
    if not UID_PATTERN.match(text):
        raise ValueError(f"{text!r} is not a DHIS2 UID ({UID_RULE})")
    return text


Uid = Annotated[str, AfterValidator(_uid)]


def derived_uid(name: str) -> str:
    """A valid DHIS2 UID derived from ``name`` (the same name, the same UID): a letter, then ten
    base-62 characters of its SHA-256. The rule behind the demo mapping's made-up UIDs."""
    number = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest(), "big")
    number, first = divmod(number, 52)
    chars = [_UID_ALPHABET[10 + first]]
    for _ in range(10):
        number, digit = divmod(number, 62)
        chars.append(_UID_ALPHABET[digit])
    return "".join(chars)


class Dhis2Mapping(BaseModel):
    """Where the values go in one DHIS2 instance (a validated mapping file, ``load_mapping``).

    ``data_elements``: indicator code -> one data element UID, or breakdown (``total``, ``sex``,
    ``age_band``, ``disability``) -> data element UID when the instance keeps each breakdown in its
    own data element. ``category_option_combos``: ``total`` -> UID (leave it out for the instance's
    default), and per breakdown its values -> UID. ``org_units``: geo code -> UID.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_set: Uid
    period_types: tuple[Literal["year", "quarter", "month"], ...] = PERIOD_TYPES
    attribute_option_combo: Uid | None = None
    decimals: int = 2
    data_elements: dict[str, Uid | dict[str, Uid]]
    category_option_combos: dict[str, Uid | dict[str, Uid]] = {}
    org_units: dict[str, Uid]
    source: str = ""  # the file it was read from

    @field_validator("period_types")
    @classmethod
    def _coarsest_first(cls, types: tuple[str, ...]) -> tuple[str, ...]:
        if not types:
            raise ValueError("send at least one period type (year, quarter, month)")
        return tuple(t for t in PERIOD_TYPES if t in types)

    @field_validator("decimals")
    @classmethod
    def _decimals(cls, decimals: int) -> int:
        if not 0 <= decimals <= 10:
            raise ValueError(f"decimals must be between 0 and 10, got {decimals}")
        return decimals

    @field_validator("data_elements")
    @classmethod
    def _known_indicators(cls, elements: dict[str, Any]) -> dict[str, Any]:
        catalogue = {i.indicator_code: i for i in load_catalogue()}
        if not elements:
            raise ValueError("map at least one indicator")
        owner: dict[str, str] = {}
        for code, target in elements.items():
            if code not in catalogue:
                raise ValueError(
                    f"unknown indicator {code!r} (not in the catalogue, seeds/indicator_catalogue.csv)"
                )
            breakdowns = (TOTAL, *catalogue[code].disaggregations)
            by_breakdown = target if isinstance(target, dict) else {TOTAL: target}
            for breakdown, uid in by_breakdown.items():
                if breakdown not in breakdowns:
                    raise ValueError(
                        f"{code}: no breakdown {breakdown!r} in the catalogue "
                        f"(it has {', '.join(breakdowns)})"
                    )
                if owner.setdefault(uid, code) != code:
                    raise ValueError(
                        f"data element {uid} is mapped to both {owner[uid]} and {code}: "
                        "their values would overwrite each other"
                    )
        return elements

    @field_validator("category_option_combos")
    @classmethod
    def _known_breakdowns(cls, combos: dict[str, Any]) -> dict[str, Any]:
        seen: dict[str, str] = {}
        for name, target in combos.items():
            if name == TOTAL:
                if isinstance(target, dict):
                    raise ValueError("total takes one category option combo UID")
                pairs = {TOTAL: target}
            elif name in vocab.DISAGGREGATION_VALUES:
                if not isinstance(target, dict):
                    raise ValueError(f"{name} takes one UID per value: {{value: UID}}")
                allowed = vocab.DISAGGREGATION_VALUES[name]
                for value in target:
                    if value not in allowed:
                        raise ValueError(
                            f"{name} has no value {value!r} (values: {', '.join(allowed)})"
                        )
                pairs = {f"{name}={value}": uid for value, uid in target.items()}
            else:
                known = ", ".join((TOTAL, *vocab.DISAGGREGATION_VALUES))
                raise ValueError(f"unknown breakdown {name!r} (breakdowns: {known})")
            for label, uid in pairs.items():
                if seen.setdefault(uid, label) != label:
                    raise ValueError(
                        f"category option combo {uid} is mapped to both {seen[uid]} and {label}"
                    )
        return combos

    @field_validator("org_units")
    @classmethod
    def _one_place_per_unit(cls, units: dict[str, str]) -> dict[str, str]:
        if not units:
            raise ValueError("map at least one place (geo code: org unit UID)")
        seen: dict[str, str] = {}
        for code, uid in units.items():
            if seen.setdefault(uid, code) != code:
                raise ValueError(f"org unit {uid} is mapped to both {seen[uid]} and {code}")
        return units

    @model_validator(mode="after")
    def _breakdowns_have_combos(self) -> Dhis2Mapping:
        for code, target in self.data_elements.items():
            if isinstance(target, dict):
                for breakdown in target:
                    if breakdown != TOTAL and breakdown not in self.category_option_combos:
                        raise ValueError(
                            f"data_elements.{code}.{breakdown}: category_option_combos has no "
                            f"{breakdown} (its values' UIDs)"
                        )
        return self

    def data_element(self, indicator_code: str, disaggregation: str) -> str | None:
        """The data element of an indicator's breakdown, or None when it is not sent."""
        target = self.data_elements.get(indicator_code)
        if isinstance(target, dict):
            return target.get(disaggregation)
        return target

    def category_option_combo(self, disaggregation: str, value: str) -> str | None:
        """The category option combo of one breakdown value; ``""`` for a total without one (the
        instance's default), None when the value is not mapped."""
        if disaggregation == TOTAL:
            return self.category_option_combos.get(TOTAL, "")
        return (self.category_option_combos.get(disaggregation) or {}).get(value)


class _StringLoader(yaml.SafeLoader):
    """YAML where every plain scalar is text: geo code ``0101`` stays ``"0101"`` (not the octal
    number 65) and the disability value ``no`` stays ``"no"`` (not false)."""


_StringLoader.yaml_implicit_resolvers = {
    first: [
        (tag, pattern)
        for tag, pattern in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_mapping(path: Path) -> Dhis2Mapping:
    """Read and validate a DHIS2 mapping file; ``Dhis2Error`` naming the file and the key."""
    source = Path(path)
    try:
        raw = yaml.load(source.read_text(encoding="utf-8"), Loader=_StringLoader)  # noqa: S506
    except OSError as exc:
        raise Dhis2Error(f"cannot read the DHIS2 mapping {source}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise Dhis2Error(f"{source} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise Dhis2Error(f"{source}: a DHIS2 mapping is a YAML mapping of keys (data_set, ...)")
    try:
        return Dhis2Mapping.model_validate({**raw, "source": str(source)})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: "
            f"{error['msg'].removeprefix('Value error, ')}"
            for error in exc.errors()
        )
        raise Dhis2Error(f"{source}: {problems}") from None


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------

Key = tuple[
    str, str, str, str, str
]  # data element, period, org unit, category and attribute combos


@dataclass(frozen=True, slots=True)
class DataValue:
    """One value as DHIS2 takes it, and where it came from. ``value`` is None when the audience may
    not see it (``suppressed``): such a value is never sent with a number. ``""`` for a category or
    attribute option combo means the instance's default (the field is left out)."""

    data_set: str
    data_element: str
    period: str  # DHIS2 period: 2025, 2025Q4, 202512
    org_unit: str
    category_option_combo: str
    attribute_option_combo: str
    value: str | None
    suppressed: bool = False
    # Where it came from (not sent): blank for a value known only from a previous export.
    indicator_code: str = ""
    period_id: str = ""
    geo_code: str = ""
    disaggregation: str = ""
    disaggregation_value: str = ""

    @property
    def key(self) -> Key:
        """What DHIS2 identifies a value by."""
        return (
            self.data_element,
            self.period,
            self.org_unit,
            self.category_option_combo,
            self.attribute_option_combo,
        )

    @property
    def order(self) -> tuple[str, ...]:
        """The order of every file: grouped as ADX groups them, then data element and combo."""
        return (
            self.data_set,
            self.org_unit,
            self.period,
            self.attribute_option_combo,
            self.data_element,
            self.category_option_combo,
        )

    def describe(self) -> str:
        """The value in words for a dry run: its source when known, else its DHIS2 identifiers."""
        if self.indicator_code:
            breakdown = (
                TOTAL
                if self.disaggregation == TOTAL
                else f"{self.disaggregation}={self.disaggregation_value}"
            )
            where = f"{self.indicator_code} {self.period_id} {self.geo_code} {breakdown}"
        else:
            where = (
                f"dataElement {self.data_element} period {self.period} orgUnit {self.org_unit}"
                f" categoryOptionCombo {self.category_option_combo or 'default'}"
            )
        if self.suppressed:
            return f"{where} (now hidden for this audience)"
        return where if self.value is None else f"{where} = {self.value}"


class Dhis2Values(list):
    """The values ``build_values`` gives (a list of ``DataValue``), with what was left out:
    ``skipped`` counts the values the mapping does not cover, by reason."""

    def __init__(self, values: Iterable[DataValue] = (), skipped: dict[str, int] | None = None):
        super().__init__(values)
        self.skipped: dict[str, int] = dict(sorted((skipped or {}).items()))

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


def dhis2_period(period_id: str) -> str:
    """DHIS2's period of one of ours: ``2025-12`` -> ``202512``, ``2025-Q4`` -> ``2025Q4``,
    ``2025`` -> ``2025``."""
    frequency = frequency_of(period_id)
    start = period_start(period_id)  # checks the form
    if frequency == "monthly":
        return f"{start.year}{start.month:02d}"
    if frequency == "quarterly":
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def _dhis2_period_type(period: str) -> str:
    if "Q" in period:
        return "quarter"
    return "month" if len(period) == 6 else "year"


def adx_period(period: str) -> str:
    """ADX's period (ISO 8601 start/duration) of a DHIS2 one: ``2025Q4`` -> ``2025-10-01/P3M``."""
    period_type = _dhis2_period_type(period)
    year = int(period[:4])
    if period_type == "quarter":
        start = dt.date(year, 3 * int(period[5]) - 2, 1)
    elif period_type == "month":
        start = dt.date(year, int(period[4:6]), 1)
    else:
        start = dt.date(year, 1, 1)
    return f"{start.isoformat()}/{_ADX_DURATIONS[period_type]}"


def _period_from_adx(text: str) -> str:
    """DHIS2's period of an ADX one we wrote (``2025-10-01/P3M`` -> ``2025Q4``)."""
    start_text, _, duration = text.partition("/")
    start = dt.date.fromisoformat(start_text)
    if duration == "P1Y" and (start.month, start.day) == (1, 1):
        return str(start.year)
    if duration == "P3M" and start.day == 1 and start.month in (1, 4, 7, 10):
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    if duration == "P1M" and start.day == 1:
        return f"{start.year}{start.month:02d}"
    raise ValueError(f"period {text!r} is not a calendar year, quarter or month")


@contextmanager
def _bulk() -> Iterator[None]:
    """No cyclic garbage collection while millions of values (which hold no cycles) are made:
    its repeated full passes would double the time of a national export."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _format_number(value: float, decimals: int) -> str:
    """A value as DHIS2 text: whole numbers without a decimal point, others rounded to
    ``decimals`` without trailing zeros."""
    rounded = round(float(value), decimals)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.{decimals}f}".rstrip("0").rstrip(".")


def build_values(con: duckdb.DuckDBPyConnection, role: Role, mapping: Dhis2Mapping) -> Dhis2Values:
    """The values ``role`` may read, mapped to DHIS2 (hidden ones with no value), in the order of
    ``published_values`` (catalogue, coarsest period, oldest, nation first); ``skipped`` counts
    those the mapping does not cover (indicator, breakdown or place) and those with no value."""
    wanted = tuple(p for p in mapping.period_types if role.sees_period(p))
    if not wanted:
        return Dhis2Values()
    frame = published_values(con, role, period_types=wanted)
    columns = (
        "indicator_code", "period_id", "geo_code", "disaggregation", "disaggregation_value",
        "value", "suppressed",
    )  # fmt: skip
    lists = [frame[column].tolist() for column in columns]  # far faster than iterating Series
    del frame
    element_of: dict[tuple[str, str], str | None] = {}
    combo_of: dict[tuple[str, str], str | None] = {}
    period_of: dict[str, str] = {}
    units, decimals = mapping.org_units, mapping.decimals
    aoc = mapping.attribute_option_combo or ""
    skipped: Counter[str] = Counter()
    values: list[DataValue] = []
    text_of: dict[float, str] = {}
    with _bulk():
        for code, period_id, geo, name, member, number, hidden in zip(*lists, strict=True):
            pair = (code, name)
            if pair not in element_of:
                element_of[pair] = mapping.data_element(code, name)
            element = element_of[pair]
            if element is None:
                if code in mapping.data_elements:
                    skipped[f"{code} by {name} has no data element"] += 1
                else:
                    skipped[f"indicator {code} is not mapped"] += 1
                continue
            pair = (name, member)
            if pair not in combo_of:
                combo_of[pair] = mapping.category_option_combo(name, member)
            combo = combo_of[pair]
            if combo is None:
                skipped[f"breakdown {name}={member} has no category option combo"] += 1
                continue
            unit = units.get(geo)
            if unit is None:
                skipped[f"place {geo} has no org unit"] += 1
                continue
            if not hidden and number != number:  # NaN: no estimate, nothing to send
                skipped[f"{code} has no value"] += 1
                continue
            if period_id not in period_of:
                period_of[period_id] = dhis2_period(period_id)
            text = None
            if not hidden:
                text = text_of.get(number)
                if text is None:
                    text = text_of[number] = _format_number(number, decimals)
            value = DataValue(
                data_set=mapping.data_set,
                data_element=element,
                period=period_of[period_id],
                org_unit=unit,
                category_option_combo=combo,
                attribute_option_combo=aoc,
                value=text,
                suppressed=bool(hidden),
                indicator_code=code,
                period_id=period_id,
                geo_code=geo,
                disaggregation=name,
                disaggregation_value=member,
            )
            values.append(value)
    return Dhis2Values(values, dict(skipped))


# ---------------------------------------------------------------------------------------------
# The previous export and the plan
# ---------------------------------------------------------------------------------------------


def read_previous(path: Path) -> dict[Key, str]:
    """The values a previous export sent (dataValueSets JSON or ADX, as written here), deletes
    left out; ``Dhis2Error`` naming the file when it cannot be read."""
    source = Path(path)
    try:
        with source.open("rb") as handle:
            first = handle.read(64).lstrip()
    except OSError as exc:
        raise Dhis2Error(f"cannot read the previous DHIS2 export {source}: {exc.strerror}") from exc
    try:
        if first.startswith(b"{"):
            return _read_previous_json(source)
        if first.startswith(b"<"):
            return _read_previous_adx(source)
    except (ValueError, KeyError, TypeError, ET.ParseError) as exc:
        raise Dhis2Error(f"{source} is not a DHIS2 export written by cpmonitor: {exc}") from exc
    raise Dhis2Error(f"{source} is neither dataValueSets JSON nor ADX XML")


def _read_previous_json(source: Path) -> dict[Key, str]:
    payload = json.loads(source.read_text(encoding="utf-8"))
    found: dict[Key, str] = {}
    for item in payload["dataValues"]:
        if item.get("deleted") is True:
            continue
        key = (
            item["dataElement"],
            str(item["period"]),
            item["orgUnit"],
            item.get("categoryOptionCombo", ""),
            item.get("attributeOptionCombo", ""),
        )
        found[key] = str(item["value"])
    return found


def _read_previous_adx(source: Path) -> dict[Key, str]:
    found: dict[Key, str] = {}
    group_tag, value_tag = f"{{{ADX_NAMESPACE}}}group", f"{{{ADX_NAMESPACE}}}dataValue"
    for _event, element in ET.iterparse(source, events=("end",)):
        if element.tag != group_tag:
            continue
        period = _period_from_adx(element.attrib["period"])
        for item in element.iter(value_tag):
            if item.get("deleted") == "true":
                continue
            key = (
                item.attrib["dataElement"],
                period,
                element.attrib["orgUnit"],
                item.get("categoryOptionCombo", ""),
                element.get("attributeOptionCombo", ""),
            )
            found[key] = item.attrib["value"]
        element.clear()
    return found


@dataclass(frozen=True)
class Dhis2Plan:
    """What an export changes in DHIS2 against the previous export (none: everything is new)."""

    create: list[DataValue]
    update: list[DataValue]
    delete: list[DataValue]  # hidden now (``suppressed``) or no longer published or mapped
    unchanged: list[DataValue]
    not_sent: list[DataValue]  # hidden and never sent before: nothing to do
    previous: Path | None = None

    def summary(self, limit: int = 10) -> str:
        """Counts, then up to ``limit`` values of each change (the ``--dry-run`` report)."""
        against = f"against {self.previous}" if self.previous else "(no previous export)"
        lines = [
            f"DHIS2 export {against}: {len(self.create)} to create, {len(self.update)} to update, "
            f"{len(self.delete)} to delete, {len(self.unchanged)} unchanged; "
            f"{len(self.not_sent)} hidden values not sent."
        ]
        for title, values in (
            ("Create", self.create),
            ("Update", self.update),
            ("Delete", self.delete),
        ):
            if values:
                lines.append(f"{title} ({len(values)}):")
                lines += [f"  {v.describe()}" for v in values[:limit]]
                if len(values) > limit:
                    lines.append(f"  ... and {len(values) - limit} more")
        return "\n".join(lines)


def plan(values: Sequence[DataValue], previous: Path | None) -> Dhis2Plan:
    """Compare ``values`` with the previous export: what is new, changed, gone and the same."""
    before = read_previous(previous) if previous is not None else {}
    with _bulk():
        current = {v.key: v for v in values if v.value is not None and not v.suppressed}
        hidden = {v.key: v for v in values if v.suppressed}
    if len(current) + len(hidden) != sum(v.value is not None or v.suppressed for v in values):
        raise Dhis2Error("two values go to the same DHIS2 data value (check the mapping)")
    create, update, unchanged = [], [], []
    for key, v in current.items():
        if key not in before:
            create.append(v)
        elif before[key] != v.value:
            update.append(v)
        else:
            unchanged.append(v)
    data_set = next((v.data_set for v in values), "")
    gone = [key for key in before if key not in current]
    # Hidden now, in the values' order; then those known only by their DHIS2 identifiers.
    delete = [v for key, v in hidden.items() if key in before]
    delete += sorted(
        (DataValue(data_set, *key, value=None) for key in gone if key not in hidden),
        key=lambda v: v.order,
    )
    not_sent = [v for key, v in hidden.items() if key not in before]
    return Dhis2Plan(
        create=create,
        update=update,
        delete=delete,
        unchanged=unchanged,
        not_sent=not_sent,
        previous=Path(previous) if previous is not None else None,
    )


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dhis2Result:
    """What an export wrote: the files, the counts and the warehouse version they hold (for the
    sidecar and the command's report)."""

    format: str  # dhis2-json or dhis2-adx
    output: Path
    deletes_output: Path | None  # ADX only: the deletes to post with importStrategy=DELETE
    sent: int  # values sent with a value
    deleted: int  # explicit deletes
    not_sent: int  # hidden values never sent before
    skipped: dict[str, int]  # values the mapping does not cover, by reason
    plan: Dhis2Plan
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


def _provenance(stamp: WarehouseStamp, fmt: str) -> dict[str, Any]:
    return {
        "format": fmt,
        "warehouse_version": stamp.version,
        "published_at": _exported(stamp),
        "country": stamp.country,
    }


def _exported(stamp: WarehouseStamp) -> str:
    """The warehouse's publication time as ADX's ``exported`` (the epoch when it has none)."""
    if stamp.published_at is None:
        return "1970-01-01T00:00:00Z"
    return pd.Timestamp(stamp.published_at).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"))  # stateless; one for speed


def _json_item(v: DataValue, *, delete: bool) -> str:
    item: dict[str, Any] = {
        "dataElement": v.data_element,
        "period": v.period,
        "orgUnit": v.org_unit,
    }
    if v.category_option_combo:
        item["categoryOptionCombo"] = v.category_option_combo
    if v.attribute_option_combo:
        item["attributeOptionCombo"] = v.attribute_option_combo
    if delete:
        item["deleted"] = True
    else:
        item["value"] = v.value
    return _JSON.encode(item)


def _skipped(values: Sequence[DataValue]) -> dict[str, int]:
    return dict(values.skipped) if isinstance(values, Dhis2Values) else {}


def write_data_value_sets(
    values: Sequence[DataValue],
    output: Path,
    *,
    previous: Path | None = None,
    stamp: WarehouseStamp,
) -> Dhis2Result:
    """Write ``values`` as the JSON that DHIS2's ``/api/dataValueSets`` takes: every value the
    audience may see, and ``"deleted": true`` for each one sent last time (``previous``) that is
    now hidden or gone. One value a line, keys sorted; unchanged values are sent too (DHIS2
    ignores them) so this file is the next export's ``previous``."""
    the_plan = plan(values, previous)
    entries = [(v, False) for v in the_plan.create + the_plan.update + the_plan.unchanged]
    entries += [(v, True) for v in the_plan.delete]
    entries.sort(key=lambda entry: entry[0].order)
    data_sets = {v.data_set for v in values if v.data_set}
    head = "{"
    if len(data_sets) == 1:
        head += f'"dataSet":{json.dumps(next(iter(data_sets)))},'
    with _bulk():
        lines = [_json_item(v, delete=delete) for v, delete in entries]
    body = head + '"dataValues":[' + ("\n" + ",\n".join(lines) + "\n" if lines else "") + "]}\n"
    output = Path(output)
    write_bytes_atomic(body.encode("utf-8"), output)
    return Dhis2Result(
        format="dhis2-json",
        output=output,
        deletes_output=None,
        sent=len(entries) - len(the_plan.delete),
        deleted=len(the_plan.delete),
        not_sent=len(the_plan.not_sent),
        skipped=_skipped(values),
        plan=the_plan,
        provenance=_provenance(stamp, "dhis2-json"),
    )


def _adx_document(values: list[DataValue], stamp: WarehouseStamp, *, delete: bool) -> str:
    root = (
        f'<adx xmlns="{ADX_NAMESPACE}" xmlns:cpm="{STAMP_NAMESPACE}"'
        f" exported={quoteattr(_exported(stamp))}"
    )
    if stamp.version:
        root += f" cpm:warehouseVersion={quoteattr(stamp.version)}"
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', root + ">"]
    group: tuple[str, str, str, str] | None = None
    for v in values:
        here = (v.data_set, v.org_unit, v.period, v.attribute_option_combo)
        if here != group:
            if group is not None:
                parts.append("  </group>")
            attributes = (
                f"dataSet={quoteattr(v.data_set)} orgUnit={quoteattr(v.org_unit)}"
                f" period={quoteattr(adx_period(v.period))}"
            )
            if v.attribute_option_combo:
                attributes += f" attributeOptionCombo={quoteattr(v.attribute_option_combo)}"
            parts.append(f"  <group {attributes}>")
            group = here
        attributes = f"dataElement={quoteattr(v.data_element)}"
        if v.category_option_combo:
            attributes += f" categoryOptionCombo={quoteattr(v.category_option_combo)}"
        attributes += ' value=""' if delete else f" value={quoteattr(v.value or '')}"
        parts.append(f"    <dataValue {attributes}/>")
    if group is not None:
        parts.append("  </group>")
    parts.append("</adx>")
    return "\n".join(parts) + "\n"


def deletes_path(output: Path) -> Path:
    """Where ``write_adx`` puts the deletes beside ``output`` (``dhis2.xml`` ->
    ``dhis2.deletes.xml``)."""
    output = Path(output)
    return output.with_name(f"{output.stem}.deletes{output.suffix or '.xml'}")


def write_adx(
    values: Sequence[DataValue],
    output: Path,
    *,
    previous: Path | None = None,
    stamp: WarehouseStamp,
) -> Dhis2Result:
    """Write ``values`` as ADX (IHE QRPH ADX, as DHIS2 reads it): groups by org unit, period
    (ISO start/duration) and data set; each value with its data element and category option
    combo. Deletes against ``previous`` go to ``deletes_path(output)``, to post with
    ``importStrategy=DELETE``; with none, a stale deletes file of an earlier export is removed so
    it is never posted twice. ``exported`` is the warehouse's publication time."""
    the_plan = plan(values, previous)
    sent = sorted(the_plan.create + the_plan.update + the_plan.unchanged, key=lambda v: v.order)
    output = Path(output)
    write_bytes_atomic(_adx_document(sent, stamp, delete=False).encode("utf-8"), output)
    deletes = deletes_path(output)
    if the_plan.delete:
        document = _adx_document(the_plan.delete, stamp, delete=True)
        write_bytes_atomic(document.encode("utf-8"), deletes)
    else:
        deletes.unlink(missing_ok=True)
    return Dhis2Result(
        format="dhis2-adx",
        output=output,
        deletes_output=deletes if the_plan.delete else None,
        sent=len(sent),
        deleted=len(the_plan.delete),
        not_sent=len(the_plan.not_sent),
        skipped=_skipped(values),
        plan=the_plan,
        provenance=_provenance(stamp, "dhis2-adx"),
    )
