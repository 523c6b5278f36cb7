"""SDMX: the structure this project publishes, and the indicator values of a published warehouse as
SDMX-CSV, as one audience may read them (what ministries send to UNICEF's data warehouse).

The structure (``write_structure``) is one data structure definition and its dataflow, with the
codelists, as an SDMX-ML 2.1 structure message. Dimensions: ``REF_AREA`` (the nation, provinces and
districts of ``main.dim_geography``, each code with its parent: UNICEF's own child-protection flow,
UNICEF:PT, is national only), ``INDICATOR`` (the catalogue, UNICEF's code where
``exchange/sdmx/unicef_indicators.yml`` names one), ``SEX``, ``AGE``, ``DISABILITY_STATUS`` and
``TIME_PERIOD`` (``2025``, ``2025-Q4``, ``2025-12``). Attributes: ``UNIT_MEASURE``,
``UNIT_MULTIPLIER``, ``OBS_STATUS``, ``OBS_CONF``, ``LOWER_BOUND`` and ``UPPER_BOUND`` (a survey's
95 % interval), ``OBS_FOOTNOTE`` (why a value rests on incomplete or corrected deliveries) and, for the
whole data set, ``WAREHOUSE_VERSION``: the published run the file holds. SDMX-CSV has no comment
lines and its structure reference names the structure's version, not the data's, so the warehouse
version travels as this data-set attribute, a column of every row, legal in SDMX-CSV 1.0 and 2.1.

Each value has one breakdown at a time, so a row by sex carries ``AGE=_T`` (all the ages the indicator
covers) and ``DISABILITY_STATUS=_T``, and so on. A value hidden from a protected audience is sent as
confidential: ``OBS_VALUE`` ``NaN`` (SDMX's "missing on purpose"; an empty cell would mean "leave
unchanged"), ``OBS_STATUS=Q`` (missing value; suppressed) and ``OBS_CONF=C``, with no interval.
Every hidden value gets the same ``C``: which ones are small counts and which protect another is not
told. Values for roles with exact figures are never confidential (``OBS_CONF=F``).

The same warehouse gives the same bytes: rows in ``published_values`` order, no time but the
warehouse's own publication time (the structure message's ``Prepared``).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from itertools import islice
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from cpmonitor.core import vocabularies as v
from cpmonitor.core.access import Role
from cpmonitor.core.catalogue import Indicator, load_catalogue
from cpmonitor.core.published import published_values, warehouse_stamp
from cpmonitor.core.settings import EXCHANGE_DIR

SDMX_DIR = EXCHANGE_DIR / "sdmx"
STRUCTURE_FILE = SDMX_DIR / "CPMONITOR_CHILD_PROTECTION.xml"
UNICEF_INDICATORS_FILE = SDMX_DIR / "unicef_indicators.yml"

AGENCY = "CPMONITOR"
STRUCTURE_VERSION = "1.0"
DSD_ID = "DSD_CHILD_PROTECTION"
DATAFLOW_ID = "DF_CHILD_PROTECTION"
CONCEPT_SCHEME_ID = "CS_CHILD_PROTECTION"
AREA_CODELIST_ID = "CL_AREA"
DATAFLOW_REF = f"{AGENCY}:{DATAFLOW_ID}({STRUCTURE_VERSION})"
SDMX_CSV_VERSIONS = ("2.1", "1.0")

TOTAL = "_T"
ALL_AGES = "_T"  # all the ages the indicator covers (UNICEF's PT flow uses _T so too)
SEX_CODES = {"female": "F", "male": "M"}
AGE_CODES = {"0-4": "Y0T4", "5-9": "Y5T9", "10-14": "Y10T14", "15-17": "Y15T17"}
# Disability status in this structure's own CL_DISABILITY_STATUS: PD with a disability, PND without.
# UNICEF's FUNCTIONAL_DIFF flow uses a CL_DISABILITY with PD and PWD; until their meanings are
# confirmed with UNICEF, ours stay our own codes (named in the codelist), not a claim to be theirs.
DISABILITY_CODES = {"yes": "PD", "no": "PND"}
# Our units -> UNICEF's CL_UNIT_MEASURE; the values are never scaled (UNIT_MULTIPLIER 0: units).
UNIT_CODES = {
    "count": "NUMBER",
    "days": "DAYS",
    "%": "PCNT",
    "% (cumulative)": "PCNT",
    "per 100 000": "RATE_100000",
    "per 1 000": "RATE_1000",
    "ratio": "RATIO",
}
UNITS_MULTIPLIER = "0"
NORMAL, PROVISIONAL, MISSING, SUPPRESSED = "A", "P", "O", "Q"  # SDMX CL_OBS_STATUS
FREE, CONFIDENTIAL = "F", "C"  # SDMX CL_CONF_STATUS
MISSING_VALUE = "NaN"  # an observation without a value (never an empty cell: "leave unchanged")

_DIMENSIONS = ("REF_AREA", "INDICATOR", "SEX", "AGE", "DISABILITY_STATUS", "TIME_PERIOD")
_OBSERVATION_ATTRIBUTES = (
    "UNIT_MEASURE",
    "UNIT_MULTIPLIER",
    "OBS_STATUS",
    "OBS_CONF",
    "LOWER_BOUND",
    "UPPER_BOUND",
    "OBS_FOOTNOTE",
)
DATASET_ATTRIBUTE = "WAREHOUSE_VERSION"
OBSERVATION_COLUMNS = (*_DIMENSIONS, "OBS_VALUE", *_OBSERVATION_ATTRIBUTES)
_TIME_PERIOD = re.compile(r"^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$")


class SdmxError(ValueError):
    """The values or the mapping cannot be written against the published structure (the message
    names the code and where it came from)."""


@dataclass(frozen=True)
class SdmxResult:
    """One SDMX-CSV file written."""

    path: Path
    rows: int
    confidential: int  # observations sent as OBS_CONF C, without a value
    warehouse_version: str | None
    sdmx_version: str  # the SDMX-CSV version: 2.1 or 1.0
    role: str


# --- the structure -------------------------------------------------------------------------------


@cache
def unicef_indicator_codes(path: Path = UNICEF_INDICATORS_FILE) -> dict[str, str]:
    """Our catalogue code -> UNICEF's indicator code, from ``unicef_indicators.yml``; ``SdmxError``
    for a code the catalogue does not have or a UNICEF code given to two of ours."""
    with path.open(encoding="utf-8") as handle:
        mapping = (yaml.safe_load(handle) or {}).get("unicef_indicators") or {}
    known = {i.indicator_code for i in load_catalogue()}
    if unknown := sorted(set(mapping) - known):
        raise SdmxError(
            f"{path.name}: {unknown} are not catalogue codes (seeds/indicator_catalogue.csv)"
        )
    seen: dict[str, str] = {}
    for ours, theirs in mapping.items():
        if theirs in seen:
            raise SdmxError(f"{path.name}: {theirs} is given to both {seen[theirs]} and {ours}")
        if theirs in known and theirs != ours:
            raise SdmxError(f"{path.name}: {theirs} (for {ours}) is another catalogue code")
        seen[theirs] = ours
    return {str(k): str(val) for k, val in mapping.items()}


def indicator_codes() -> dict[str, str]:
    """Every catalogue code -> its SDMX ``INDICATOR`` code (UNICEF's, else our own)."""
    mapping = unicef_indicator_codes()
    return {
        i.indicator_code: mapping.get(i.indicator_code, i.indicator_code) for i in load_catalogue()
    }


def _urn(kind: str, artefact: str, item: str | None = None) -> str:
    package = {"Codelist": "codelist", "Concept": "conceptscheme", "Code": "codelist"}[kind]
    if item is None:
        return (
            f"urn:sdmx:org.sdmx.infomodel.{package}.{kind}={AGENCY}:{artefact}({STRUCTURE_VERSION})"
        )
    return (
        f"urn:sdmx:org.sdmx.infomodel.{package}.{kind}="
        f"{AGENCY}:{artefact}({STRUCTURE_VERSION}).{item}"
    )


def _codelist(codelist_id: str, name: str, codes: list[tuple[str, str, str | None]]):  # noqa: ANN202
    from pysdmx.model import Annotation, Code, Codelist

    items = [
        Code(
            id=code,
            name=label,
            annotations=(Annotation(type="CPMONITOR_CODE", title=ours),) if ours else (),
        )
        for code, label, ours in codes
    ]
    return Codelist(
        id=codelist_id,
        name=name,
        agency=AGENCY,
        version=STRUCTURE_VERSION,
        items=items,
        urn=_urn("Codelist", codelist_id),
    )


def _indicator_codes_list(indicators: tuple[Indicator, ...]) -> list[tuple[str, str, str | None]]:
    codes = indicator_codes()
    return [(codes[i.indicator_code], i.indicator_name, i.indicator_code) for i in indicators]


def _areas(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """``dim_geography`` in code-list order: the nation, provinces, districts, each by code."""
    return con.execute(
        """
        SELECT geo_code, geo_name, geo_level, parent_code FROM main.dim_geography
        ORDER BY CASE geo_level WHEN 'national' THEN 1 WHEN 'province' THEN 2 ELSE 3 END, geo_code
        """
    ).df()


_CONCEPTS = {
    "REF_AREA": "Reference area",
    "INDICATOR": "Indicator",
    "SEX": "Sex",
    "AGE": "Age",
    "DISABILITY_STATUS": "Disability status",
    "TIME_PERIOD": "Time period",
    "OBS_VALUE": "Observation value",
    "UNIT_MEASURE": "Unit of measure",
    "UNIT_MULTIPLIER": "Unit multiplier",
    "OBS_STATUS": "Observation status",
    "OBS_CONF": "Observation confidentiality",
    "LOWER_BOUND": "Lower bound (95% confidence interval)",
    "UPPER_BOUND": "Upper bound (95% confidence interval)",
    "OBS_FOOTNOTE": "Observation footnote",
    DATASET_ATTRIBUTE: "Warehouse version (the published run the data set holds)",
}


def _fixed_codelists() -> dict[str, object]:
    """The codelists that do not depend on the country: component id -> codelist."""
    ages = [
        (code, f"{band.replace('-', ' to ')} years old", None) for band, code in AGE_CODES.items()
    ]
    return {
        "INDICATOR": _codelist(
            "CL_INDICATOR",
            "Child protection indicators",
            _indicator_codes_list(load_catalogue()),
        ),
        "SEX": _codelist(
            "CL_SEX", "Sex", [("F", "Female", None), ("M", "Male", None), (TOTAL, "Total", None)]
        ),  # fmt: skip
        "AGE": _codelist(
            "CL_AGE", "Age", [*ages, (ALL_AGES, "All ages the indicator covers", None)]
        ),
        "DISABILITY_STATUS": _codelist(
            "CL_DISABILITY_STATUS",
            "Disability status",
            [
                ("PD", "Persons with disability", None),
                ("PND", "Persons without disability", None),
                (TOTAL, "Total", None),
            ],
        ),  # fmt: skip
        "UNIT_MEASURE": _codelist(
            "CL_UNIT_MEASURE",
            "Unit of measure",
            [
                ("NUMBER", "Number", None),
                ("DAYS", "Days", None),
                ("PCNT", "%", None),
                ("RATE_100000", "Rate per 100,000 of population", None),
                ("RATE_1000", "Rate per 1,000 of population", None),
                ("RATIO", "Ratio", None),
            ],
        ),  # fmt: skip
        "UNIT_MULTIPLIER": _codelist("CL_UNIT_MULT", "Unit multiplier", [("0", "Units", None)]),
        "OBS_STATUS": _codelist(
            "CL_OBS_STATUS",
            "Observation status",
            [
                (NORMAL, "Normal value", None),
                (PROVISIONAL, "Provisional value", None),
                (MISSING, "Missing value", None),
                (SUPPRESSED, "Missing value; suppressed", None),
            ],
        ),  # fmt: skip
        "OBS_CONF": _codelist(
            "CL_CONF_STATUS",
            "Confidentiality status",
            [(FREE, "Free", None), (CONFIDENTIAL, "Confidential statistical information", None)],
        ),
    }


def structure_artefacts(con: duckdb.DuckDBPyConnection) -> list:
    """The concept scheme, codelists, data structure definition and dataflow this project
    publishes, for the country of ``con``."""
    return _artefacts(con, numbers_as_text=False)


def _artefacts(con: duckdb.DuckDBPyConnection, *, numbers_as_text: bool) -> list:
    from pysdmx.model import (
        Component,
        Components,
        Concept,
        ConceptScheme,
        Dataflow,
        DataStructureDefinition,
        DataType,
    )
    from pysdmx.model import (
        Role as SdmxRole,
    )

    areas = _areas(con)
    codelists = _fixed_codelists()
    codelists["REF_AREA"] = _codelist(
        AREA_CODELIST_ID,
        "Reference areas: the nation, provinces and districts",
        [(row.geo_code, row.geo_name, None) for row in areas.itertuples(index=False)],
    )
    concepts = {
        key: Concept(id=key, name=name, urn=_urn("Concept", CONCEPT_SCHEME_ID, key))
        for key, name in _CONCEPTS.items()
    }
    scheme = ConceptScheme(
        id=CONCEPT_SCHEME_ID,
        name="Child protection concepts",
        agency=AGENCY,
        version=STRUCTURE_VERSION,
        items=list(concepts.values()),
    )

    def component(key: str, role: SdmxRole, required: bool, **extra: object) -> Component:
        return Component(
            id=key,
            required=required,
            role=role,
            concept=concepts[key],
            local_codes=codelists.get(key),
            **extra,
        )

    components = [component(key, SdmxRole.DIMENSION, True) for key in _DIMENSIONS[:-1]]
    components.append(
        component("TIME_PERIOD", SdmxRole.DIMENSION, True, local_dtype=DataType.PERIOD)
    )
    number = DataType.STRING if numbers_as_text else DataType.DOUBLE
    components.append(component("OBS_VALUE", SdmxRole.MEASURE, True, local_dtype=number))
    for key in ("UNIT_MEASURE", "UNIT_MULTIPLIER", "OBS_STATUS", "OBS_CONF"):
        components.append(component(key, SdmxRole.ATTRIBUTE, True, attachment_level="O"))
    for key in ("LOWER_BOUND", "UPPER_BOUND"):
        components.append(
            component(key, SdmxRole.ATTRIBUTE, False, attachment_level="O", local_dtype=number)
        )
    components.append(
        component("OBS_FOOTNOTE", SdmxRole.ATTRIBUTE, False, attachment_level="O",
                  local_dtype=DataType.STRING)
    )  # fmt: skip
    components.append(
        component(DATASET_ATTRIBUTE, SdmxRole.ATTRIBUTE, True, attachment_level="D",
                  local_dtype=DataType.STRING)
    )  # fmt: skip
    dsd = DataStructureDefinition(
        id=DSD_ID,
        name="Child protection indicators (national monitoring framework)",
        agency=AGENCY,
        version=STRUCTURE_VERSION,
        components=Components(components),
    )
    flow = Dataflow(
        id=DATAFLOW_ID,
        name="Child protection indicators of the national monitoring framework",
        agency=AGENCY,
        version=STRUCTURE_VERSION,
        structure=dsd.short_urn,
    )
    return [scheme, *(codelists[key] for key in sorted(codelists)), dsd, flow]


def _header(con: duckdb.DuckDBPyConnection):  # noqa: ANN202
    from pysdmx.model import Organisation
    from pysdmx.model.message import Header

    stamp = warehouse_stamp(con)
    prepared = (
        stamp.published_at.to_pydatetime()
        if stamp.published_at is not None
        else datetime(1970, 1, 1, tzinfo=UTC)
    )
    return Header(
        id="CPMONITOR_CHILD_PROTECTION", prepared=prepared, sender=Organisation(id=AGENCY)
    )


def _with_parents(xml: str, parents: Mapping[str, str]) -> str:
    """``xml`` with a ``<str:Parent>`` in each code of the area codelist that has a parent (pysdmx's
    model has no parent codes). SDMX-ML 2.1 puts ``Parent`` after the code's names."""
    start = xml.index(f'<str:Codelist id="{AREA_CODELIST_ID}"')
    end = xml.index("</str:Codelist>", start)
    body = xml[start:end]
    for code, parent in parents.items():
        opening = re.search(rf'<str:Code id="{re.escape(code)}"[^>]*>', body)
        if opening is None:
            raise SdmxError(f"area {code!r} is missing from the {AREA_CODELIST_ID} codelist")
        close = body.index("</str:Code>", opening.end())
        indent = re.search(r"\n([ \t]*)</str:Code>", body[opening.end() : close + 11])
        pad = indent.group(1) if indent else ""
        element = f'{pad}\t<str:Parent>\n{pad}\t\t<Ref id="{parent}"/>\n{pad}\t</str:Parent>\n'
        line_start = body.rindex("\n", 0, close) + 1
        body = body[:line_start] + element + body[line_start:]
    return xml[:start] + body + xml[end:]


def structure_xml(con: duckdb.DuckDBPyConnection) -> str:
    """The structure message (SDMX-ML 2.1) for the country of ``con``, as text."""
    from pysdmx.io import write_sdmx
    from pysdmx.io.format import Format

    xml = write_sdmx(structure_artefacts(con), Format.STRUCTURE_SDMX_ML_2_1, header=_header(con))
    areas = _areas(con)
    parents = {
        row.geo_code: row.parent_code
        for row in areas.itertuples(index=False)
        if isinstance(row.parent_code, str) and row.parent_code
    }
    return _with_parents(xml, parents)


def write_structure(con: duckdb.DuckDBPyConnection, output: Path) -> Path:
    """Write the data structure definition this project publishes, with its dataflow, concepts and
    codelists, as an SDMX-ML 2.1 structure message; returns ``output``."""
    xml = structure_xml(con)
    from pysdmx.io.xml.doc_validation import validate_doc

    validate_doc(xml)  # the SDMX-ML 2.1 schemas, parent codes included
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(xml, encoding="utf-8")
    return output


# --- the data ------------------------------------------------------------------------------------


def _numbers(column: pd.Series, hidden: pd.Series) -> pd.Series:
    """Values as SDMX-CSV writes them: integers without a decimal point (``18``), others as the
    shortest text that reads back to the same double; None for no value or a hidden one."""
    number = pd.to_numeric(column, errors="coerce").astype("float64")
    present = number.notna() & ~hidden.to_numpy()
    whole = present & (number == number.round()) & (number.abs() < 1e15)
    text = pd.Series(None, index=column.index, dtype=object)
    text[whole] = number[whole].astype("int64").astype(str)
    rest = present & ~whole
    text[rest] = [repr(x) for x in number[rest].tolist()]
    return text


def _breakdown(row_disaggregation: str, row_value: str) -> tuple[str, str, str] | None:
    """(SEX, AGE, DISABILITY_STATUS) of one breakdown; None for one the structure does not know."""
    if row_disaggregation == "total":
        return TOTAL, ALL_AGES, TOTAL
    code = {"sex": SEX_CODES, "age_band": AGE_CODES, "disability": DISABILITY_CODES}.get(
        row_disaggregation, {}
    ).get(row_value)
    if code is None:
        return None
    if row_disaggregation == "sex":
        return code, ALL_AGES, TOTAL
    if row_disaggregation == "age_band":
        return TOTAL, code, TOTAL
    return TOTAL, ALL_AGES, code


def observations(
    values: pd.DataFrame, areas: set[str], indicators: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """``published_values`` rows as SDMX observations (``OBSERVATION_COLUMNS``, all text, None for
    an empty cell), in the same order. ``SdmxError`` names the first code the structure does not
    have (an indicator outside the catalogue, a place outside ``dim_geography``, a breakdown
    outside the vocabularies)."""
    indicators = dict(indicators if indicators is not None else indicator_codes())
    units = {i.indicator_code: i.unit for i in load_catalogue()}
    if unknown := sorted(set(values["indicator_code"].unique()) - set(indicators)):
        raise SdmxError(
            f"indicator {unknown[0]!r} has values but no code in the published structure "
            "(not in seeds/indicator_catalogue.csv)"
        )
    if unknown := sorted(set(values["geo_code"].unique()) - areas):
        raise SdmxError(
            f"place {unknown[0]!r} has values but no REF_AREA code (not in main.dim_geography)"
        )
    pairs = values[["disaggregation", "disaggregation_value"]].drop_duplicates()
    breakdowns = {}
    for pair in pairs.itertuples(index=False):
        found = _breakdown(pair.disaggregation, pair.disaggregation_value)
        if found is None:
            known = ", ".join(f"{k}: {list(vals)}" for k, vals in v.DISAGGREGATION_VALUES.items())
            raise SdmxError(
                f"breakdown {pair.disaggregation}={pair.disaggregation_value!r} has no SDMX code "
                f"(known: total, {known})"
            )
        breakdowns[(pair.disaggregation, pair.disaggregation_value)] = found
    if bad := sorted(
        {p for p in set(values["period_id"].unique()) if not _TIME_PERIOD.match(str(p))}
    ):
        raise SdmxError(f"period {bad[0]!r} is not an SDMX time period (2025, 2025-Q4, 2025-12)")
    if unknown := sorted(
        {units[c] for c in set(values["indicator_code"].unique())} - set(UNIT_CODES)
    ):
        raise SdmxError(f"unit {unknown[0]!r} has no UNIT_MEASURE code")

    key = values["disaggregation"].astype(str) + "\x1f" + values["disaggregation_value"].astype(str)
    codes = {f"{k[0]}\x1f{k[1]}": found for k, found in breakdowns.items()}
    suppressed = values["suppressed"].astype(bool)
    has_value = values["value"].notna() & ~suppressed
    status = pd.Series(MISSING, index=values.index)
    status[has_value] = NORMAL
    status[has_value & values["is_partial"].astype(bool)] = PROVISIONAL
    status[suppressed] = SUPPRESSED

    footnotes = values["coverage_note"].astype(object).where(values["coverage_note"].notna(), None)
    frame = pd.DataFrame(
        {
            "REF_AREA": values["geo_code"].astype(str).to_numpy(),
            "INDICATOR": values["indicator_code"].map(indicators).to_numpy(),
            "SEX": key.map({k: c[0] for k, c in codes.items()}).to_numpy(),
            "AGE": key.map({k: c[1] for k, c in codes.items()}).to_numpy(),
            "DISABILITY_STATUS": key.map({k: c[2] for k, c in codes.items()}).to_numpy(),
            "TIME_PERIOD": values["period_id"].astype(str).to_numpy(),
            "OBS_VALUE": _numbers(values["value"], suppressed).fillna(MISSING_VALUE).to_numpy(),
            "UNIT_MEASURE": values["indicator_code"].map(units).map(UNIT_CODES).to_numpy(),
            "UNIT_MULTIPLIER": UNITS_MULTIPLIER,
            "OBS_STATUS": status.to_numpy(),
            "OBS_CONF": suppressed.map({True: CONFIDENTIAL, False: FREE}).to_numpy(),
            "LOWER_BOUND": _numbers(values["ci_lower"], suppressed).to_numpy(),
            "UPPER_BOUND": _numbers(values["ci_upper"], suppressed).to_numpy(),
            "OBS_FOOTNOTE": footnotes.to_numpy(),
        },
        columns=list(OBSERVATION_COLUMNS),
    )
    return frame


def _writing_schema(con: duckdb.DuckDBPyConnection):  # noqa: ANN202
    """The dataflow's schema as pysdmx's CSV writer takes it. The numbers are already text
    (``_numbers``: ``18``, not pysdmx's ``18.0``), so their components are typed as text here; the
    published structure types them as doubles, which ``validate_sdmx_csv`` checks."""
    from pysdmx.model import Schema

    artefacts = _artefacts(con, numbers_as_text=True)
    dsd = next(a for a in artefacts if type(a).__name__ == "DataStructureDefinition")
    return Schema(
        context="dataflow",
        agency=AGENCY,
        id=DATAFLOW_ID,
        version=STRUCTURE_VERSION,
        components=dsd.components,
        name=dsd.name,
        generated=datetime(1970, 1, 1, tzinfo=UTC),
    )


def write_sdmx_csv(
    con: duckdb.DuckDBPyConnection, role: Role, output: Path, *, sdmx_version: str = "2.1"
) -> SdmxResult:
    """Write every indicator value ``role`` may read as SDMX-CSV ``sdmx_version`` (2.1, for SDMX
    3.1 systems, or 1.0, for SDMX 2.1 ones) against the published structure; hidden values are
    confidential observations without a value."""
    if sdmx_version not in SDMX_CSV_VERSIONS:
        raise SdmxError(
            f"SDMX-CSV version {sdmx_version!r} is not one of {list(SDMX_CSV_VERSIONS)}"
        )
    from pysdmx.io import write_sdmx
    from pysdmx.io.format import Format
    from pysdmx.io.pd import PandasDataset

    stamp = warehouse_stamp(con)
    values = published_values(con, role)
    if role.exact and values["suppressed"].any():
        raise SdmxError(f"role {role.name} reads exact values but some are marked suppressed")
    areas = set(_areas(con)["geo_code"])
    frame = observations(values, areas)
    dataset = PandasDataset(
        structure=_writing_schema(con),
        data=frame,
        attributes={DATASET_ATTRIBUTE: stamp.version or "unpublished"},
    )
    fmt = Format.DATA_SDMX_CSV_2_1_0 if sdmx_version == "2.1" else Format.DATA_SDMX_CSV_1_0_0
    text = write_sdmx([dataset], fmt)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(text.encode("utf-8"))
    return SdmxResult(
        path=output,
        rows=len(frame),
        confidential=int((frame["OBS_CONF"] == CONFIDENTIAL).sum()),
        warehouse_version=stamp.version,
        sdmx_version=sdmx_version,
        role=role.name,
    )


# --- validation ----------------------------------------------------------------------------------

_MAX_EXAMPLES = 5
_HEAD_ROWS = 1000


def validate_sdmx_csv(path: Path, con: duckdb.DuckDBPyConnection) -> list[str]:
    """Problems of the SDMX-CSV file ``path`` against the structure published for ``con`` (read by
    pysdmx from its SDMX-ML, schema-checked): columns, codes in their codelists, types, unique keys,
    confidential cells without a value. Empty when the file is valid."""
    from pysdmx.errors import Invalid
    from pysdmx.io import read_sdmx
    from pysdmx.io.pd import PandasDataset
    from pysdmx.util import parse_short_urn
    from pysdmx.util._model_utils import schema_generator

    path = Path(path)
    text = path.read_text(encoding="utf-8")
    # pysdmx reads the message's head (the format, structure and action are those of every row);
    # the rules below are checked on every row, read as text so that codes such as 01 stay codes.
    head = "".join(islice(io.StringIO(text), _HEAD_ROWS + 1))
    try:
        structure = read_sdmx(structure_xml(con), validate=True)
        message = read_sdmx(head)
    except Invalid as error:
        return [f"{path.name}: not a readable SDMX message: {error}"]
    if not message.data:
        return [f"{path.name}: no data set"]
    problems: list[str] = []
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[])
    reference = (
        frame["STRUCTURE_ID"].iloc[0] if "STRUCTURE_ID" in frame else frame["DATAFLOW"].iloc[0]
    )
    if reference != DATAFLOW_REF:
        problems.append(f"structure reference {reference!r} is not {DATAFLOW_REF!r}")
        return problems
    try:
        schema = schema_generator(structure, parse_short_urn(f"Dataflow={DATAFLOW_REF}"))
    except Exception as error:  # noqa: BLE001 - pysdmx raises several kinds
        return [f"the published structure gives no schema: {error}"]
    components = {c.id: c for c in schema.components}
    structural = {"STRUCTURE", "STRUCTURE_ID", "ACTION", "DATAFLOW"}
    if extra := [c for c in frame.columns if c not in components and c not in structural]:
        problems.append(f"columns not in the structure: {extra}")
    for comp in schema.components:
        if comp.required and comp.id not in frame.columns:
            problems.append(f"required component {comp.id} has no column")
    if problems:
        return problems

    for comp in schema.components:
        column = frame[comp.id]
        if comp.enumeration is not None:
            allowed = {code.id for code in comp.enumeration}
            filled = column[column != ""]
            if bad := sorted(set(filled.unique()) - allowed):
                problems.append(
                    f"{comp.id}: {len(bad)} code(s) not in {comp.enumeration.id}: {bad[:_MAX_EXAMPLES]}"
                )
        if comp.required and comp.role.value != "M" and (column == "").any():
            problems.append(f"{comp.id}: {(column == '').sum()} row(s) without a value")
    if bad := sorted(p for p in frame["TIME_PERIOD"].unique() if not _TIME_PERIOD.match(p)):
        problems.append(f"TIME_PERIOD: not SDMX time periods: {bad[:_MAX_EXAMPLES]}")
    for key in ("OBS_VALUE", "LOWER_BOUND", "UPPER_BOUND"):
        numbers = pd.to_numeric(frame[key].replace({"": None}), errors="coerce")
        bad = frame[key][numbers.isna() & ~frame[key].isin(["", "NaN"])]
        if len(bad):
            problems.append(
                f"{key}: {len(bad)} value(s) that are not numbers: {list(bad[:_MAX_EXAMPLES])}"
            )
    if (frame["OBS_VALUE"] == "").any():
        problems.append(
            f"OBS_VALUE: {(frame['OBS_VALUE'] == '').sum()} empty cell(s) (SDMX reads them as "
            "'leave unchanged'; a missing value is NaN)"
        )
    hidden = frame["OBS_CONF"] == CONFIDENTIAL
    if (shown := hidden & (frame["OBS_VALUE"] != "NaN")).any():
        problems.append(f"{shown.sum()} confidential observation(s) carry a value")
    if (leak := hidden & ((frame["LOWER_BOUND"] != "") | (frame["UPPER_BOUND"] != ""))).any():
        problems.append(f"{leak.sum()} confidential observation(s) carry an interval")
    duplicated = frame.duplicated(subset=list(_DIMENSIONS), keep=False)
    if duplicated.any():
        first = frame.loc[duplicated, list(_DIMENSIONS)].iloc[0].tolist()
        problems.append(f"{duplicated.sum()} rows share a series key and period, e.g. {first}")
    if frame[DATASET_ATTRIBUTE].nunique() != 1:
        problems.append(f"{DATASET_ATTRIBUTE} must have one value for the data set")
    try:  # pysdmx's own typing of the data against the schema
        data = frame.drop(columns=[c for c in structural if c in frame.columns])
        PandasDataset(structure=schema, data=data.replace({"": None}))
    except Invalid as error:
        problems.append(f"pysdmx: {error}")
    return problems


def stale_structure_parts(committed: str, generated: str) -> list[str]:
    """The parts of two structure messages that differ, leaving out what depends on the country
    (the header and the area codelist): empty when ``committed`` is up to date."""
    from lxml import etree

    def parts(xml: str) -> dict[str, bytes]:
        root = etree.fromstring(xml.encode("utf-8"))
        found = {}
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            kind = etree.QName(element).localname
            if kind in ("Codelist", "ConceptScheme", "DataStructure", "Dataflow"):
                if kind == "Codelist" and element.get("id") == AREA_CODELIST_ID:
                    continue
                found[f"{kind} {element.get('id')}"] = etree.tostring(element, method="c14n")
        return found

    old, new = parts(committed), parts(generated)
    return sorted(key for key in old.keys() | new.keys() if old.get(key) != new.get(key))
