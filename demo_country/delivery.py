"""One delivered file: who sends it, for which feed and period, its rows (typed by the feed's data
contract), and when it arrives."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cpmonitor.core.contracts import Contract, arrow_schema

if TYPE_CHECKING:
    from demo_country.country import Country

NO_DAY = -1  # an integer day column's "no date" (e.g. the end of an episode still open)
NO_DATE = np.iinfo(np.int64).max // 2  # "no date" in day arithmetic (e.g. an institution open)


@dataclass(frozen=True)
class Delivery:
    """One file as a ministry would deliver it: who, which feed, which period, and the rows.

    ``delivered_on`` is when it arrived: a date (at 09:00 UTC) or a UTC datetime; None means the
    feed's usual day (``delivered_at``). ``version`` 2, 3, ... is a later file for the same
    period (a corrected resubmission, named ``..._v2.parquet``). ``messiness`` says what is
    deliberately wrong with or special about the file (``messiness.py``), empty for a plain one.
    """

    entity: str
    feed: str
    period: str
    table: pa.Table
    delivered_on: dt.date | None = None
    version: int = 1
    messiness: str = ""

    @property
    def file_name(self) -> str:
        """``<entity>_<feed>_<period>.parquet``, or ``..._v<version>.parquet`` for a later file."""
        suffix = f"_v{self.version}" if self.version > 1 else ""
        return f"{self.entity}_{self.feed}_{self.period}{suffix}.parquet"

    @property
    def relative_path(self) -> Path:
        """``<entity>/<feed>/<period>/<file_name>`` under the landing dir."""
        return Path(self.entity, self.feed, self.period, self.file_name)


def delivered_at(delivery: Delivery) -> dt.datetime:
    """When a ministry would plausibly have sent the file (used as the file's modification time).

    A delivery's own ``delivered_on`` when set (a datetime as it is, in UTC; a date at 09:00);
    otherwise the feed's usual day (``usual_day``) at 09:00.
    """
    when = delivery.delivered_on
    if isinstance(when, dt.datetime):
        return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    day = when if when is not None else usual_day(delivery)
    return dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=dt.UTC)


def usual_day(delivery: Delivery) -> dt.date:
    """The feed's usual delivery day: monthly extracts on the 10th of the next month, quarterly
    ones on the 15th of the month after the quarter, yearly registers on 20 January after their
    year, and population projections and boundaries early in their own year."""
    period = delivery.period
    if "-Q" in period:
        year, quarter = int(period[:4]), int(period[-1])
        day = dt.date(year + 1, 1, 15) if quarter == 4 else dt.date(year, 3 * quarter + 1, 15)
    elif "-" in period:
        year, month = (int(x) for x in period.split("-"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        day = dt.date(year, month, 10)
    elif delivery.feed == "population":
        day = dt.date(int(period), 1, 31)
    elif delivery.feed == "admin_units":
        day = dt.date(int(period), 1, 15)
    else:
        day = dt.date(int(period) + 1, 1, 20)
    return day


# --- rows typed by the contract ------------------------------------------------------------------


def table_from_columns(contract: Contract, columns: dict[str, object]) -> pa.Table:
    """A table with exactly the contract's columns and types (a missing column is an error).

    An integer array for a date column holds days since 1970-01-01 (``NO_DAY`` or from
    ``NO_DATE`` on: no date)."""
    schema = arrow_schema(contract)
    arrays = []
    for f in schema:
        values = columns[f.name]
        if isinstance(values, np.ndarray) and values.dtype.kind == "i" and f.type == pa.date32():
            values = _dates(values)
        arrays.append(pa.array(values, type=f.type, from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=schema)


def _dates(days: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 (``NO_DAY`` or ``NO_DATE`` sentinels mean no date) as datetime64[D]."""
    days = np.asarray(days, dtype=np.int64)
    missing = (days == NO_DAY) | (days >= NO_DATE)
    return np.where(
        missing, np.datetime64("NaT"), np.where(missing, 0, days).astype("datetime64[D]")
    )


def arrow_table(contract: Contract, columns: dict[str, object]) -> pa.Table:
    """Like ``table_from_columns`` (the contract's columns and types), but a column may already be
    an Arrow array (ids and names built in Arrow, fast for millions of rows)."""
    plain = [c for c in contract.columns if not isinstance(columns[c.name], pa.Array)]
    sub = contract.model_copy(update={"columns": plain, "primary_key": []})
    typed = table_from_columns(sub, {c.name: columns[c.name] for c in plain})
    schema = arrow_schema(contract)
    arrays = [
        typed.column(f.name).combine_chunks()
        if f.name in typed.column_names
        else columns[f.name].cast(f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def str_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """``prefix`` + zero-padded numbers, built in Arrow (fast for millions of ids)."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def pick(pool: tuple[str, ...] | list[str], index: np.ndarray) -> pa.Array:
    """Values of a small pool at many indices, as an Arrow string array (no Python loop)."""
    dictionary = pa.DictionaryArray.from_arrays(pa.array(index, pa.int32()), pa.array(pool))
    return dictionary.cast(pa.string())


# --- one file per period -------------------------------------------------------------------------


def monthly(
    country: Country,
    contract: Contract,
    month: np.ndarray,
    columns: dict[str, np.ndarray],
    *,
    skip_empty: bool = False,
) -> list[Delivery]:
    """One delivery per reporting month from rows tagged with their month index (0 = the first
    reporting month; rows of other months are dropped), rows kept in order within a month. An
    empty month gives an empty file, or none with ``skip_empty`` (a feed whose system sends
    nothing when there is nothing to report)."""
    order = np.argsort(month, kind="stable")
    month = month[order]
    columns = {k: np.asarray(v)[order] for k, v in columns.items()}
    bounds = np.searchsorted(month, np.arange(len(country.months) + 1))
    out = []
    for m, period in enumerate(country.months):
        if skip_empty and bounds[m] == bounds[m + 1]:
            continue
        part = slice(bounds[m], bounds[m + 1])
        table = table_from_columns(contract, {k: v[part] for k, v in columns.items()})
        out.append(Delivery(contract.owner, contract.feed, str(period), table))
    return out


def sliced_monthly(
    country: Country, contract: Contract, month: np.ndarray, table: pa.Table
) -> list[Delivery]:
    """One delivery per reporting month, as slices of ``table`` whose rows are sorted by their
    month index ``month`` (empty months give empty files)."""
    months = country.months
    bounds = np.searchsorted(month, np.arange(len(months) + 1))
    return [
        Delivery(
            contract.owner,
            contract.feed,
            str(months[k]),
            table.slice(bounds[k], bounds[k + 1] - bounds[k]),
        )
        for k in range(len(months))
    ]
