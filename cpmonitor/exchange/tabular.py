"""Tidy exports of the indicator values: CSV, Parquet and an Excel workbook.

One row per value (indicator x period x place x breakdown), as ``published_values`` reads them for
the audience: a protected audience's hidden values are empty, with ``suppressed`` true and the words
of why (``value_note``). Every file carries the warehouse version it came from (a column, Parquet
metadata, the workbook's "About" sheet) and the same version gives the same bytes: rows in one
stable order, floats written the same way, no clock time inside (the workbook's dates and its zip
entries carry the publication time).

Text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return
first) is defused: prefixed with ``'`` in CSV, stored as text (never a formula) in Excel.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cpmonitor.core import words
from cpmonitor.core.access import Role
from cpmonitor.core.published import (
    VALUE_COLUMNS,
    WarehouseStamp,
    published_values,
    warehouse_stamp,
)
from cpmonitor.core.vocabularies import SECTORS

EXCEL_MAX_ROWS = 1_048_576  # one sheet, header included
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What a tidy export holds, in order: the version and audience, then what ``published_values``
# reads, then why a value is not shown.
EXPORT_COLUMNS = ("warehouse_version", "audience", *VALUE_COLUMNS, "value_note")


class ExportError(ValueError):
    """An export that cannot be written as asked (the message says why and what to do)."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    format: str
    audience: str
    rows: int
    suppressed: int
    warehouse_version: str | None


def export_frame(
    con: duckdb.DuckDBPyConnection,
    role: Role,
    *,
    threshold: int,
    period_types: tuple[str, ...] | None = None,
) -> tuple[pd.DataFrame, WarehouseStamp]:
    """The tidy table of every value ``role`` may read (``EXPORT_COLUMNS``) and the warehouse
    stamp. ``value_note`` says why a value is not shown, in the dashboard's words."""
    unknown = sorted(set(period_types or ()) - set(role.periods))
    if unknown:
        raise ExportError(
            f"the {role.name} audience does not see {', '.join(unknown)} periods "
            f"(it sees: {', '.join(role.periods)})"
        )
    stamp = warehouse_stamp(con)
    frame = published_values(con, role, period_types=period_types)
    frame.insert(0, "audience", role.name)
    frame.insert(0, "warehouse_version", stamp.version or "")
    frame["value_note"] = [
        words.hidden_words(reason, threshold) if hidden else None
        for hidden, reason in zip(frame["suppressed"], frame["suppression_reason"], strict=True)
    ]
    return frame[list(EXPORT_COLUMNS)], stamp


def defuse(text: object) -> object:
    """``text`` with a leading ``'`` when a spreadsheet would read it as a formula."""
    if isinstance(text, str) and text.startswith(FORMULA_START):
        return "'" + text
    return text


def _counts(frame: pd.DataFrame) -> tuple[int, int]:
    return len(frame), int(frame["suppressed"].sum())


def write_csv(frame: pd.DataFrame, output: Path) -> None:
    """UTF-8 CSV, comma-separated, ``\\n`` line ends, ISO dates, floats round-tripped exactly
    (``repr``), booleans ``true``/``false``, empty for a missing or hidden value."""
    out = frame.copy()
    for column in out.columns:  # every text column (``defuse`` leaves dates and numbers alone)
        if pd.api.types.is_object_dtype(out[column]) or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(defuse)
    for column in ("suppressed", "is_partial", "is_restated"):
        out[column] = out[column].map({True: "true", False: "false"})
    out.to_csv(
        output, index=False, lineterminator="\n", float_format="%.15g", date_format="%Y-%m-%d"
    )


def write_parquet(frame: pd.DataFrame, output: Path, stamp: WarehouseStamp, audience: str) -> None:
    """Parquet (zstd) with the warehouse version and audience in the file's key-value metadata."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    metadata = {
        **(table.schema.metadata or {}),
        b"cpmonitor.warehouse_version": (stamp.version or "").encode(),
        b"cpmonitor.audience": audience.encode(),
    }
    metadata.pop(b"pandas", None)  # pandas' own block is not needed to read the file back
    pq.write_table(table.replace_schema_metadata(metadata), output, compression="zstd")


def _published_naive(stamp: WarehouseStamp) -> dt.datetime:
    if stamp.published_at is None:
        return dt.datetime(2000, 1, 1)
    return (
        stamp.published_at.tz_convert("UTC")
        .tz_localize(None)
        .to_pydatetime()
        .replace(microsecond=0)
    )


# Sheet columns of the workbook (version and audience are on the About sheet, the sector is the
# sheet).
_SHEET_COLUMNS = tuple(
    c
    for c in EXPORT_COLUMNS
    if c
    not in ("warehouse_version", "audience", "sector_code", "sector_name", "kind", "parent_code")
)
_DEFINITION_COLUMNS = (
    ("indicator_code", "Code"),
    ("indicator_name", "Indicator"),
    ("sector_name", "Sector"),
    ("definition", "Definition"),
    ("numerator_definition", "Numerator"),
    ("denominator_definition", "Denominator"),
    ("unit", "Unit"),
    ("kind", "Kind"),
    ("direction", "Direction"),
    ("baseline_value", "Baseline"),
    ("baseline_date", "Baseline date"),
    ("target_value", "Target"),
    ("target_year", "Target year"),
    ("source_feeds", "Source feeds"),
)


def write_excel(
    frame: pd.DataFrame,
    output: Path,
    stamp: WarehouseStamp,
    *,
    role: Role,
    threshold: int,
    definitions: pd.DataFrame,
) -> None:
    """A workbook: "About" (warehouse version, audience, what hidden values mean), one sheet per
    sector (the framework's order) and "Definitions" (the catalogue), headers frozen and in bold,
    every text cell stored as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    present = dict(frame[["sector_code", "sector_name"]].drop_duplicates().itertuples(index=False))
    sectors = [(code, present[code]) for code in SECTORS if code in present]
    sizes = frame.groupby("sector_code").size()
    too_big = sizes[sizes >= EXCEL_MAX_ROWS]
    if len(too_big):
        raise ExportError(
            f"sector {too_big.index[0]} has {int(too_big.iloc[0]):,} rows, more than an Excel sheet "
            f"holds ({EXCEL_MAX_ROWS - 1:,}): choose coarser periods (--period-type year "
            "--period-type quarter) or export CSV or Parquet"
        )
    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def header_row(sheet, names: tuple[str, ...]) -> list:
        cells = []
        for name in names:
            made = WriteOnlyCell(sheet, value=name)
            made.font = bold
            cells.append(made)
        return cells

    def value_of(sheet, value):
        if value is None or value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, float) and value != value:  # NaN
            return None
        if isinstance(value, str) and value.startswith("="):
            made = WriteOnlyCell(sheet, value=value)
            made.data_type = "s"  # text, never a formula
            return made
        return value

    def sheet_of(title: str, header: tuple[str, ...], rows) -> None:
        sheet = book.create_sheet(title)
        sheet.freeze_panes = "A2"
        sheet.append(header_row(sheet, header))
        for row in rows:
            sheet.append([value_of(sheet, value) for value in row])

    about = [
        ("Warehouse version", stamp.version or ""),
        (
            "Published",
            stamp.published_at.strftime("%Y-%m-%d %H:%M UTC") if stamp.published_at else "",
        ),
        ("Country", stamp.country),
        ("Audience", f"{role.label} ({role.name})"),
        ("Values", f"{len(frame):,} rows, {int(frame['suppressed'].sum()):,} not shown"),
        (
            "Protection",
            words.privacy_note(threshold) if role.protected else words.EXACT_NOTE,
        ),
    ]
    sheet_of("About", ("Item", "Value"), about)
    for code, name in sectors:
        part = frame.loc[frame["sector_code"] == code, list(_SHEET_COLUMNS)]
        title = f"{code} {name}"[:31].rstrip()
        for bad in "[]:*?/\\":
            title = title.replace(bad, " ")
        sheet_of(title, _SHEET_COLUMNS, part.itertuples(index=False, name=None))
    keys = [c for c, _ in _DEFINITION_COLUMNS if c in definitions]
    sheet_of(
        "Definitions",
        tuple(label for c, label in _DEFINITION_COLUMNS if c in definitions),
        definitions[keys].itertuples(index=False, name=None),
    )
    when = _published_naive(stamp)
    book.properties.created = when
    book.properties.modified = when
    book.properties.creator = "cpmonitor"
    book.properties.title = f"Child protection indicators, {stamp.country}"
    buffer = io.BytesIO()
    book.save(buffer)
    _write_fixed_zip(buffer.getvalue(), output, when)


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _write_fixed_zip(data: bytes, output: Path, when: dt.datetime) -> None:
    """The same zip with every entry dated ``when`` (a zip stores each entry's write time)."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":  # openpyxl dates "modified" at save time
                data = _MODIFIED.sub(
                    rb"\g<1>" + when.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", data
                )
            target.writestr(info, data)


def definitions_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The catalogue as the warehouse holds it (``main.dim_indicator``), catalogue order."""
    return con.execute(
        "SELECT * FROM main.dim_indicator ORDER BY display_order, indicator_code"
    ).df()


def export_tabular(
    con: duckdb.DuckDBPyConnection,
    role: Role,
    fmt: str,
    output: Path,
    *,
    threshold: int,
    period_types: tuple[str, ...] | None = None,
) -> ExportResult:
    """Write ``fmt`` (``csv``, ``parquet`` or ``xlsx``) of what ``role`` may read to ``output``."""
    if fmt == "xlsx" and period_types is None:
        # Months of a whole country do not fit a sheet, and a workbook is for reading: it holds
        # whole years unless other periods are asked for.
        period_types = ("year",) if role.sees_period("year") else role.periods[:1]
    frame, stamp = export_frame(con, role, threshold=threshold, period_types=period_types)
    if fmt == "csv":
        write_csv(frame, output)
    elif fmt == "parquet":
        write_parquet(frame, output, stamp, role.name)
    elif fmt == "xlsx":
        write_excel(
            frame, output, stamp, role=role, threshold=threshold, definitions=definitions_frame(con)
        )
    else:
        raise ExportError(f"unknown tabular format {fmt!r} (csv, parquet, xlsx)")
    rows, hidden = _counts(frame)
    return ExportResult(output, fmt, role.name, rows, hidden, stamp.version)
