"""Schema of a delivered file against its contract (plain Python, before any row-level rule), and the
typed, pseudonymised table that ingest writes for dbt."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from cpmonitor.core.contracts import ARROW_TYPES, ColumnType, Contract, arrow_schema

METADATA_FIELDS: list[pa.Field] = [
    pa.field("_entity", pa.string()),
    pa.field("_feed", pa.string()),
    pa.field("_period", pa.string()),
    pa.field("_source_file", pa.string()),
    pa.field("_source_sha256", pa.string()),
    pa.field("_received_at", pa.timestamp("us")),
    pa.field("_ingested_at", pa.timestamp("us")),
]


def type_matches(contract_type: ColumnType, arrow_type: pa.DataType) -> bool:
    """Whether a delivered Arrow type is acceptable for a contract type.

    integer: any integer width; float: float or integer; date: date32/date64; timestamp: any
    timestamp unit; boolean: bool;
    string: string/large_string/string_view. Dictionary-encoded columns are judged by their values,
    and an all-null column (Arrow type ``null``) fits any type.
    """
    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    if pa.types.is_null(arrow_type):
        return True
    checks = {
        "integer": pa.types.is_integer,
        "float": lambda t: pa.types.is_floating(t) or pa.types.is_integer(t),
        "date": pa.types.is_date,
        "timestamp": pa.types.is_timestamp,
        "boolean": pa.types.is_boolean,
        "string": lambda t: (
            pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)
        ),
    }
    return checks[contract_type](arrow_type)


def schema_problems(contract: Contract, schema: pa.Schema) -> tuple[list[str], set[str]]:
    """Problems with a file's columns (missing, extra, wrong type), and the names of the columns
    that are absent or mistyped, so row-level rules on them are not reported twice. A column the
    contract marks ``may_be_absent`` may be missing without a problem (it loads empty)."""
    problems: list[str] = []
    present = schema.names
    absent = [c.name for c in contract.columns if c.name not in present]
    missing = [c for c in absent if not contract.column(c).may_be_absent]
    extra = [c for c in present if c not in contract.column_names]
    if missing:
        problems.append(f"missing {_names(missing)} (in the contract, not in the file)")
    if extra:
        problems.append(f"unexpected extra {_names(extra)} (in the file, not in the contract)")
    mistyped = []
    for column in contract.columns:
        if column.name in present:
            arrow_type = schema.field(column.name).type
            if not type_matches(column.type, arrow_type):
                mistyped.append(column.name)
                problems.append(
                    f"column '{column.name}': type {arrow_type}, but the contract says {column.type}"
                )
    return problems, set(absent) | set(mistyped)


def blank_strings_to_null(table: pa.Table) -> pa.Table:
    """Empty or whitespace-only text is no value: make it null, so ``required`` means something."""
    for index, field in enumerate(table.schema):
        field_type = field.type
        if pa.types.is_dictionary(field_type):
            table = table.set_column(index, field.name, table.column(index).cast(pa.string()))
            field_type = pa.string()
        if pa.types.is_string(field_type) or pa.types.is_large_string(field_type):
            column = table.column(index)
            blank = pc.match_substring_regex(column, r"^\s*$")
            cleaned = pc.if_else(blank, pa.scalar(None, field_type), column)
            table = table.set_column(index, field.name, cleaned)
    return table


def cast_to_contract(contract: Contract, table: pa.Table) -> pa.Table:
    """The contract's columns in contract order, cast to the contract's types."""
    columns = []
    for column in contract.columns:
        if column.name not in table.column_names:  # a ``may_be_absent`` column the file lacks
            columns.append(pa.nulls(table.num_rows, ARROW_TYPES[column.type]))
            continue
        values = table.column(column.name)
        if pa.types.is_dictionary(values.type):
            values = values.cast(values.type.value_type)
        columns.append(values.cast(ARROW_TYPES[column.type]))
    return pa.Table.from_arrays(columns, schema=arrow_schema(contract))


def ingested_schema(contract: Contract) -> pa.Schema:
    """Schema of an ingested file: contract columns minus direct identifiers, plus metadata."""
    dropped = set(contract.columns_with_privacy("direct_identifier"))
    fields = [
        pa.field(c.name, ARROW_TYPES[c.type]) for c in contract.columns if c.name not in dropped
    ]
    return pa.schema(fields + METADATA_FIELDS)


def pseudonymise(value: str | None, key: bytes) -> str | None:
    """HMAC-SHA-256 hex of a record identifier (null stays null): links records, reveals nothing."""
    if value is None:
        return None
    return hmac.new(key, str(value).encode("utf-8"), hashlib.sha256).hexdigest()


def pseudonymise_array(
    values: pa.Array | pa.ChunkedArray, key: bytes, *, reuse: str | None = None
) -> pa.Array:
    """``pseudonymise`` of every value of a string column, the same strings, each distinct value
    hashed once (an id repeats on every row of its record's history); nulls stay null.

    ``reuse`` names the column across calls (e.g. ``"cases.child_id"``): the ids hashed for the
    previous call with the same name and key are looked up rather than hashed again, since a feed's
    next delivery mostly lists the same records (at national scale 18.9 M ids hashed file by file
    are 10.5 M distinct ones). Only the last call's ids are kept, in memory, per name."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not pa.types.is_string(values.type):
        values = values.cast(pa.string())
    encoded = pc.dictionary_encode(values)
    dictionary = encoded.dictionary
    previous = _PREVIOUS.get((key, reuse)) if reuse else None
    if previous is None:
        hashed = _hash_values(dictionary, key)
    else:
        positions = pc.index_in(dictionary, value_set=previous[0])
        new = pc.is_null(positions)
        hashed = previous[1].take(positions)
        if pc.any(new).as_py():
            fresh = _hash_values(dictionary.filter(new), key)
            hashed = pc.replace_with_mask(hashed, new, fresh)
    if reuse:
        _PREVIOUS[(key, reuse)] = (dictionary, hashed)
    return hashed.take(encoded.indices)


def forget_reused() -> None:
    """Drop the ids ``pseudonymise_array`` kept for ``reuse`` (called when an ingest run ends)."""
    _PREVIOUS.clear()


def _hash_values(values: pa.Array, key: bytes) -> pa.Array:
    """HMAC-SHA-256 hex of distinct, non-null strings: in Python for a few, else in DuckDB from
    its ``sha256``: ``H(key ^ opad || H(key ^ ipad || value))`` (RFC 2104)."""
    block = key if len(key) <= _SHA256_BLOCK else hashlib.sha256(key).digest()
    block = block.ljust(_SHA256_BLOCK, b"\0")
    inner = bytes(b ^ 0x36 for b in block)
    outer = bytes(b ^ 0x5C for b in block)
    if len(values) < _IN_DUCKDB_FROM:  # a query costs milliseconds: hash a few here
        return pa.array(_python_hmac(values.to_pylist(), inner, outer), type=pa.string())
    id_values = pa.table({"v": values})  # noqa: F841 - read by DuckDB below
    return (
        _hmac_connection()
        .execute(
            "SELECT sha256($outer || unhex(sha256($inner || encode(v)))) FROM id_values",
            {"inner": inner, "outer": outer},
        )
        .to_arrow_table()
        .column(0)
        .combine_chunks()
    )


def _python_hmac(values: list[str], inner: bytes, outer: bytes) -> list[str]:
    """``hmac.new(key, value, sha256).hexdigest()`` of each value, from the two padded keys'
    hash states (copied, not recomputed: twice as fast as ``hmac.new`` per value)."""
    inner_state, outer_state = hashlib.sha256(inner), hashlib.sha256(outer)
    hashed = []
    for value in values:
        first = inner_state.copy()
        first.update(value.encode("utf-8"))
        second = outer_state.copy()
        second.update(first.digest())
        hashed.append(second.hexdigest())
    return hashed


_SHA256_BLOCK = 64
_IN_DUCKDB_FROM = 2000  # distinct ids: below, Python is faster than a DuckDB query
# ``pseudonymise_array(..., reuse=name)``: the previous call's distinct ids and their hashes.
_PREVIOUS: dict[tuple[bytes, str | None], tuple[pa.Array, pa.Array]] = {}


@functools.cache
def _hmac_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that only hashes (insertion order kept: the rows come back in order)."""
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    return con


def to_ingested(
    contract: Contract, table: pa.Table, key: bytes, metadata: dict[str, str | dt.datetime]
) -> pa.Table:
    """The table dbt reads: typed, direct identifiers dropped, record ids hashed, metadata added.

    ``metadata`` maps each metadata column name (``_entity`` ...) to its value for every row.
    """
    typed = cast_to_contract(contract, table)
    record_ids = set(contract.columns_with_privacy("record_id"))
    schema = ingested_schema(contract)
    arrays = []
    for field in schema:
        if field.name in metadata:
            arrays.append(pa.repeat(pa.scalar(metadata[field.name], field.type), typed.num_rows))
        elif field.name in record_ids:
            reuse = f"{contract.feed}.{field.name}"
            hashed = pseudonymise_array(typed.column(field.name), key, reuse=reuse)
            arrays.append(hashed.cast(field.type))
        else:
            arrays.append(typed.column(field.name))
    return pa.Table.from_arrays(arrays, schema=schema)


def _names(names: list[str]) -> str:
    label = "column" if len(names) == 1 else "columns"
    return f"{label} " + ", ".join(f"'{n}'" for n in names)
