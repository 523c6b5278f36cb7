"""The dashboard's one query layer: every SQL statement the app runs lives here.

Every query runs on a read-only connection to the published warehouse (external access disabled and
the configuration locked, so no query can read other files) and fetches its whole result. Values
always travel as parameters; the only identifiers in the SQL are the constants written below.

**The published version.** The pipeline swaps a new warehouse in with ``os.replace`` at any time,
so each query first reads the served file's identity (``warehouse_version``: device, inode, size,
modification and change times). One read-only connection per version is opened and kept (each query
runs on its own cursor of it, so concurrent requests do not share one); when the identity changes the
new file is opened and the old connection is let go.

**Answers are remembered per published version.** A published file never changes (a new publish is
a new file), so one SQL statement with the same parameters on the same version always has the same
answer. ``_fetch`` keeps the latest answers (``CACHE_ENTRIES``, ``CACHE_BYTES``) keyed by the
warehouse path, its version, the SQL text and every parameter; what a role may read is decided in
that SQL and those parameters (``safe_facts`` and ``role_params``: the audience's table, its levels
and period types), so an answer computed for one role can only be served to a query that is the
same, byte for byte, with the same parameters: to a role that reads exactly the same values. A new
publish changes the version, so nothing from an earlier file is served again. Callers get a copy.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from cpmonitor.core.access import Role
from cpmonitor.core.connections import READ_ONLY_CONFIG
from cpmonitor.core.published import NATIONAL, role_params, safe_facts
from cpmonitor.core.statuses import ACCEPTED_STATUSES, REFUSED_STATUSES, USED_STATUSES
from cpmonitor.core.words import redact_small_counts


class WarehouseNotPublishedError(FileNotFoundError):
    """The pipeline has not published a warehouse yet."""


def warehouse_exists(warehouse: Path) -> bool:
    """True when a published warehouse file is there to read."""
    return Path(warehouse).is_file()


# How many answers ``_fetch`` remembers, and how many bytes of them (pandas' deep memory use).
CACHE_ENTRIES = 2048
CACHE_BYTES = 256 * 1024 * 1024

Version = tuple[int, int, int, int, int, bytes]

# DuckDB's two database headers (after the file header): each checkpoint writes one of them anew.
_HEADERS = (4096, 8192)


def warehouse_version(warehouse: Path) -> Version:
    """The identity of the published file at ``warehouse``: device, inode, size, modification and
    change times, and a digest of DuckDB's database headers (so that even a file rewritten in place
    within the clock's resolution reads as another version). A new publish (``os.replace``) or a
    rollback gives another one. ``WarehouseNotPublishedError`` when there is none."""
    try:
        with open(warehouse, "rb") as handle:
            found = os.fstat(handle.fileno())
            if not stat.S_ISREG(found.st_mode):
                raise WarehouseNotPublishedError(str(warehouse))
            handle.seek(_HEADERS[0])
            headers = handle.read(_HEADERS[1])
    except (FileNotFoundError, IsADirectoryError):
        raise WarehouseNotPublishedError(str(warehouse)) from None
    digest = hashlib.blake2b(headers, digest_size=16).digest()
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns, digest)


# The name the published file is attached under in a query connection (see ``_open``).
_ATTACHED = "warehouse"


def _open(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A connection of its own (an in-memory database, never shared through DuckDB's cache of
    open files, which would hand out an earlier file after a swap) with the published file
    attached read-only and made the default; then, as ``connect_read_only``: no access to other
    files and a configuration that cannot be changed."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH $path AS {_ATTACHED} (READ_ONLY)", {"path": str(warehouse)})
        con.execute(f"USE {_ATTACHED}")
        for name, value in READ_ONLY_CONFIG.items():
            con.execute(f"SET {name} = {str(bool(value)).lower()}")
    except BaseException:
        con.close()
        raise
    return con


class _Connections:
    """One connection per served warehouse path, to its current version; each query runs on a
    cursor of its own (a connection's cursors may run at the same time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, tuple[Version, duckdb.DuckDBPyConnection]] = {}

    def cursor(self, warehouse: Path) -> tuple[Version, duckdb.DuckDBPyConnection]:
        """The current version of ``warehouse`` and a new cursor on that version."""
        key = str(Path(warehouse).absolute())
        for _attempt in range(3):
            version = warehouse_version(warehouse)
            with self._lock:
                held = self._open.get(key)
                if held is None or held[0] != version:
                    # An earlier version is let go, not closed: a query still running on it
                    # finishes, and the connection closes with its last cursor.
                    self._open.pop(key, None)
                    con = _open(warehouse)
                    # The file may have been swapped while it was being opened: only a file
                    # opened between two identical looks at it is known to be that version.
                    if warehouse_version(warehouse) != version:
                        con.close()
                        continue
                    held = self._open[key] = (version, con)
                    _ANSWERS.drop_other_versions(key, version)
                cursor = held[1].cursor()
            cursor.execute(f"USE {_ATTACHED}")
            return version, cursor
        raise duckdb.IOException(f"{warehouse} kept changing while it was being opened")

    def close(self) -> None:
        """Let every held connection go (the next query opens the file again)."""
        with self._lock:
            self._open.clear()


class _Answers:
    """The latest answers of ``_fetch``, least recently used first (see the module's notes)."""

    def __init__(self, entries: int, size: int) -> None:
        self._lock = threading.Lock()
        self._frames: OrderedDict[tuple, tuple[pd.DataFrame, int]] = OrderedDict()
        self._entries, self._size, self._bytes = entries, size, 0

    def get(self, key: tuple) -> pd.DataFrame | None:
        with self._lock:
            found = self._frames.get(key)
            if found is None:
                return None
            self._frames.move_to_end(key)
            return found[0]

    def put(self, key: tuple, frame: pd.DataFrame) -> None:
        size = int(frame.memory_usage(index=True, deep=True).sum())
        if size > self._size:
            return
        with self._lock:
            if key in self._frames:
                return
            self._frames[key] = (frame, size)
            self._bytes += size
            while len(self._frames) > self._entries or self._bytes > self._size:
                _key, (_frame, dropped) = self._frames.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._frames.clear()
            self._bytes = 0

    def drop_other_versions(self, path: str, version: Version) -> None:
        """Forget the answers read from ``path`` at any version but ``version`` (a new publish:
        nothing will ask for them again)."""
        with self._lock:
            for key in [k for k in self._frames if k[0] == path and k[1] != version]:
                _frame, size = self._frames.pop(key)
                self._bytes -= size

    def __len__(self) -> int:
        return len(self._frames)


_CONNECTIONS = _Connections()
_ANSWERS = _Answers(CACHE_ENTRIES, CACHE_BYTES)


def forget(*, connections: bool = True) -> None:
    """Drop every remembered answer and (``connections``) let the held connections go: for tests
    and the benchmark's uncached requests; never needed for a new publish, which the version check
    notices by itself."""
    _ANSWERS.clear()
    if connections:
        _CONNECTIONS.close()


def _frozen(value: Any) -> Any:
    """A parameter as part of a cache key (lists as tuples, with their type kept)."""
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(_frozen(item) for item in value))
    return (type(value).__name__, value)


def _fetch(warehouse: Path, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run one parameterised query on the current version of ``warehouse`` and fetch it fully (or
    the answer remembered for that version, SQL and parameters: a copy)."""
    params = params or {}
    frozen = tuple(sorted((name, _frozen(value)) for name, value in params.items()))
    path = str(Path(warehouse).absolute())
    found = _ANSWERS.get((path, warehouse_version(warehouse), sql, frozen))
    if found is None:
        version, cursor = _CONNECTIONS.cursor(warehouse)
        try:
            found = cursor.execute(sql, params).df()
        finally:
            cursor.close()
        _ANSWERS.put((path, version, sql, frozen), found)
    return found.copy()


def country_name(warehouse: Path) -> str:
    """Name of the country (the national row of dim_geography)."""
    frame = _fetch(
        warehouse,
        "SELECT geo_name FROM main.dim_geography WHERE geo_code = $code",
        {"code": NATIONAL},
    )
    return str(frame["geo_name"].iloc[0]) if len(frame) else ""


def provinces(warehouse: Path) -> pd.DataFrame:
    """Provinces (``geo_code``, ``geo_name``, ``boundary_geojson``) in code order."""
    return _fetch(
        warehouse,
        "SELECT geo_code, geo_name, boundary_geojson FROM main.dim_geography "
        "WHERE geo_level = 'province' ORDER BY geo_code",
    )


def indicator(warehouse: Path, indicator_code: str) -> dict[str, Any]:
    """The catalogue entry of one indicator as a dict (empty when unknown)."""
    frame = _fetch(
        warehouse,
        "SELECT * FROM main.dim_indicator WHERE indicator_code = $code",
        {"code": indicator_code},
    )
    if frame.empty:
        return {}
    row = frame.iloc[0].to_dict()
    return {key: (None if _is_missing(value) else value) for key, value in row.items()}


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# --- indicator values, as the signed-in role may see them ----------------------------------------

_VALUE_COLUMNS = (
    "s.numerator, s.denominator, s.value, s.ci_lower, s.ci_upper, s.target_value, s.progress, "
    "s.status, s.suppressed, s.suppression_reason, s.coverage_pct, s.is_partial, s.is_restated, s.coverage_note"
)


def _dates(frame: pd.DataFrame) -> pd.DataFrame:
    for column in ("period_start", "period_end"):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column])
    return frame


def indicator_series(
    warehouse: Path, indicator_code: str, geo_code: str, period_type: str = "month", *, role: Role
) -> pd.DataFrame:
    """Totals of one indicator for one place over time, oldest first, as ``role`` may see them
    (a period type the role does not see reads as the finest one it does).

    Columns: ``period_id``, ``period_label``, ``period_start``, ``period_end`` (datetime),
    ``numerator``, ``denominator``, ``value``, ``ci_lower``, ``ci_upper``, ``target_value``,
    ``progress``, ``status``, ``suppressed``, ``coverage_pct``, ``is_partial``, ``is_restated``,
    ``coverage_note``.
    """
    frame = _fetch(
        warehouse,
        f"""
        WITH {
            safe_facts(
                role,
                "f.indicator_code = $code AND f.geo_code = $geo AND f.period_type = $ptype "
                "AND f.disaggregation = 'total' AND f.disaggregation_value = 'total'",
            )
        }
        SELECT s.period_id, coalesce(p.period_label, s.period_id) AS period_label,
               s.period_start, s.period_end, {_VALUE_COLUMNS}
        FROM safe AS s
        LEFT JOIN main.dim_period AS p ON p.period_id = s.period_id
        ORDER BY s.period_end
        """,
        role_params(
            role,
            {"code": indicator_code, "geo": geo_code, "ptype": role.period_or_nearest(period_type)},
        ),
    )
    return _dates(frame)


def rolling_rate(
    warehouse: Path, indicator_code: str, geo_code: str, months: int = 12, *, role: Role
) -> dict[str, Any] | None:
    """A rate over the last ``months`` months of one place, re-aggregated from monthly numerators
    and denominators (never averaged), from the months ``role`` may see: when one of them is
    hidden from the role the whole rate is (``suppressed``). A role that sees no months gets the
    latest whole year instead (``first_label`` = ``last_label`` = the year).

    Returns ``value`` (None when the denominator is 0 or the total is suppressed), ``suppressed``,
    ``first_label`` and ``last_label``; None when there are no months.
    """
    period_type = "month" if role.sees_period("month") else role.periods[-1]
    # A month with a value, or (protected tables only) one whose value is hidden from the role.
    known = "f.numerator IS NOT NULL" if role.exact else "(f.numerator IS NOT NULL OR f.suppressed)"
    where = (
        "f.indicator_code = $code AND f.geo_code = $geo AND f.period_type = $ptype "
        f"AND f.disaggregation = 'total' AND f.disaggregation_value = 'total' AND {known}"
    )
    frame = _fetch(
        warehouse,
        f"""
        WITH {safe_facts(role, where)}, window_ AS (
            SELECT * FROM safe ORDER BY period_end DESC LIMIT $months
        ), totals AS (
            SELECT sum(w.numerator) AS numerator, sum(w.denominator) AS denominator,
                   bool_or(w.suppressed) AS suppressed,
                   min(w.period_end) AS first_end, max(w.period_end) AS last_end, count(*) AS n
            FROM window_ AS w
        )
        SELECT t.n, t.numerator, t.denominator, d.factor, t.suppressed,
               (SELECT period_label FROM main.dim_period
                WHERE period_type = $ptype AND period_end = t.first_end) AS first_label,
               (SELECT period_label FROM main.dim_period
                WHERE period_type = $ptype AND period_end = t.last_end) AS last_label
        FROM totals AS t
        LEFT JOIN main.dim_indicator AS d ON d.indicator_code = $code
        """,
        role_params(
            role,
            {
                "code": indicator_code,
                "geo": geo_code,
                "ptype": period_type,
                "months": int(months) if period_type == "month" else 1,
            },
        ),
    )
    if frame.empty or int(frame["n"].iloc[0]) == 0:
        return None
    row = frame.iloc[0]
    suppressed = bool(row["suppressed"])
    denominator = float(row["denominator"]) if not _is_missing(row["denominator"]) else 0.0
    factor = float(row["factor"]) if not _is_missing(row["factor"]) else 1.0
    value = (
        None if suppressed or not denominator else float(row["numerator"]) / denominator * factor
    )
    return {
        "value": value,
        "suppressed": suppressed,
        "first_label": str(row["first_label"] or ""),
        "last_label": str(row["last_label"] or ""),
    }


def province_values_latest(
    warehouse: Path, indicator_code: str, period_type: str = "year", *, role: Role
) -> pd.DataFrame:
    """Each province's value for the latest period of ``period_type`` that has province values.

    Columns: ``geo_code``, ``geo_name``, ``boundary_geojson``, ``period_id``, ``period_label``,
    ``numerator``, ``denominator``, ``value``, ``ci_lower``, ``ci_upper``, ``target_value``,
    ``progress``, ``status``, ``suppressed``, ``coverage_pct``, ``is_partial``, ``is_restated``,
    ``coverage_note``.
    """
    return _fetch(
        warehouse,
        f"""
        WITH {
            safe_facts(
                role,
                "f.indicator_code = $code AND f.period_type = $ptype AND f.geo_level = 'province' "
                "AND f.disaggregation = 'total' AND f.disaggregation_value = 'total'",
            )
        }, latest AS (SELECT max(period_end) AS period_end FROM safe)
        SELECT g.geo_code, g.geo_name, g.boundary_geojson, s.period_id,
               coalesce(p.period_label, s.period_id) AS period_label, {_VALUE_COLUMNS}
        FROM safe AS s
        JOIN latest USING (period_end)
        JOIN main.dim_geography AS g ON g.geo_code = s.geo_code
        LEFT JOIN main.dim_period AS p ON p.period_id = s.period_id
        ORDER BY g.geo_code
        """,
        role_params(role, {"code": indicator_code, "ptype": role.period_or_nearest(period_type)}),
    )


def catalogue(warehouse: Path) -> pd.DataFrame:
    """Every indicator of the catalogue in its display order (the catalogue's ``display_order``),
    with ``catalogue_order`` (the same number)."""
    frame = _fetch(
        warehouse,
        """
        SELECT *, display_order AS catalogue_order FROM main.dim_indicator
        ORDER BY display_order
        """,
    )
    return frame


def period_types(warehouse: Path, indicator_code: str, *, role: Role) -> list[str]:
    """The period types an indicator has values for that ``role`` sees, finest first (``month``,
    ``quarter``, ``year``)."""
    frame = _fetch(
        warehouse,
        f"WITH {safe_facts(role, 'f.indicator_code = $code')} "
        "SELECT DISTINCT period_type FROM safe",
        role_params(role, {"code": indicator_code}),
    )
    present = set(frame["period_type"])
    return [kind for kind in ("month", "quarter", "year") if kind in present]


# The scorecard reads whole years: what donors and plans report on, and large enough that a
# flow indicator is rarely hidden by small-count suppression (a single month often would be).
_PERIOD_RANK = "CASE f.period_type WHEN 'year' THEN 1 WHEN 'quarter' THEN 2 ELSE 3 END"


def scorecard(warehouse: Path, *, role: Role) -> pd.DataFrame:
    """One row per catalogue indicator (catalogue order): its latest national total for a whole
    year (or its coarsest period when it has no year), and the value a year earlier (surveys: the
    previous survey).

    Columns: the catalogue's, ``catalogue_order``, ``period_type``, ``period_id``, ``period_label``,
    ``period_end``, ``numerator``, ``denominator``, ``value``, ``ci_lower``, ``ci_upper``,
    ``row_target_value``, ``progress``, ``status``, ``suppressed``, ``coverage_pct``,
    ``is_partial``, ``is_restated``, ``coverage_note``, ``previous_value``, ``previous_label``,
    ``previous_suppressed``. Indicators without data have nulls.
    """
    frame = _fetch(
        warehouse,
        f"""
        WITH {
            safe_facts(
                role,
                "f.geo_code = $nat AND f.disaggregation = 'total' "
                "AND f.disaggregation_value = 'total'",
            )
        }, coarsest AS (
            SELECT * FROM safe AS f
            QUALIFY {_PERIOD_RANK} = min({_PERIOD_RANK}) OVER (PARTITION BY f.indicator_code)
        ), known AS (
            SELECT * FROM coarsest WHERE value IS NOT NULL OR suppressed
        ), ranked AS (
            SELECT k.*, row_number() OVER (
                PARTITION BY k.indicator_code ORDER BY k.period_end DESC) AS recency
            FROM known AS k
        ), latest AS (SELECT * FROM ranked WHERE recency = 1),
        previous AS (
            SELECT l.indicator_code, r.value AS previous_value, r.suppressed AS previous_suppressed,
                   coalesce(p.period_label, r.period_id) AS previous_label
            FROM latest AS l
            JOIN main.dim_indicator AS d ON d.indicator_code = l.indicator_code
            JOIN ranked AS r ON r.indicator_code = l.indicator_code
             AND (CASE WHEN d.kind = 'survey' THEN r.recency = 2
                       ELSE r.period_start = l.period_start - INTERVAL 1 YEAR END)
            LEFT JOIN main.dim_period AS p ON p.period_id = r.period_id
        ), numbered AS (
            SELECT *, display_order AS catalogue_order FROM main.dim_indicator
        )
        SELECT n.*, l.period_type, l.period_id,
               coalesce(p.period_label, l.period_id) AS period_label, l.period_end,
               l.numerator, l.denominator, l.value, l.ci_lower, l.ci_upper,
               l.target_value AS row_target_value, l.progress, l.status, l.suppressed,
               l.suppression_reason,
               l.coverage_pct, l.is_partial, l.is_restated, l.coverage_note,
               pr.previous_value, pr.previous_label, pr.previous_suppressed
        FROM numbered AS n
        LEFT JOIN latest AS l ON l.indicator_code = n.indicator_code
        LEFT JOIN main.dim_period AS p ON p.period_id = l.period_id
        LEFT JOIN previous AS pr ON pr.indicator_code = n.indicator_code
        ORDER BY n.display_order
        """,
        role_params(role, {"nat": NATIONAL}),
    )
    return _dates(frame)


# How many of the latest periods a sparkline draws, by the period type it is drawn in.
RECENT_PERIODS = {"month": 12, "quarter": 8, "year": 5}


def recent_values(warehouse: Path, *, role: Role) -> pd.DataFrame:
    """The recent national totals of every indicator for the scorecard's sparklines, in one
    query: per indicator the finest period type it has that ``role`` sees (months for a planner,
    years for a donor), its latest ``RECENT_PERIODS`` periods up to the latest one with a value
    (or, for a protected role, one hidden from it), oldest first.

    Columns: ``indicator_code``, ``period_type``, ``period_id``, ``period_label``, ``period_end``
    (datetime), ``value`` (NULL when hidden or missing), ``suppressed``, ``suppression_reason``.
    Indicators without data have no rows.
    """
    frame = _fetch(
        warehouse,
        f"""
        WITH {
            safe_facts(
                role,
                "f.geo_code = $nat AND f.disaggregation = 'total' "
                "AND f.disaggregation_value = 'total'",
            )
        }, finest AS (
            SELECT * FROM safe AS f
            QUALIFY {_PERIOD_RANK} = max({_PERIOD_RANK}) OVER (PARTITION BY f.indicator_code)
        ), anchored AS (
            SELECT *, max(period_end) FILTER (WHERE value IS NOT NULL OR suppressed)
                          OVER (PARTITION BY indicator_code) AS last_known
            FROM finest
        ), ranked AS (
            SELECT *, row_number() OVER (
                PARTITION BY indicator_code ORDER BY period_end DESC) AS recency
            FROM anchored
            WHERE period_end <= last_known
        )
        SELECT r.indicator_code, r.period_type, r.period_id,
               coalesce(p.period_label, r.period_id) AS period_label, r.period_end,
               CASE WHEN coalesce(r.suppressed, false) THEN NULL ELSE r.value END AS value,
               coalesce(r.suppressed, false) AS suppressed, r.suppression_reason
        FROM ranked AS r
        LEFT JOIN main.dim_period AS p ON p.period_id = r.period_id
        WHERE r.recency <= CASE r.period_type WHEN 'month' THEN $months
                                WHEN 'quarter' THEN $quarters ELSE $years END
        ORDER BY r.indicator_code, r.period_end
        """,
        role_params(
            role,
            {
                "nat": NATIONAL,
                "months": RECENT_PERIODS["month"],
                "quarters": RECENT_PERIODS["quarter"],
                "years": RECENT_PERIODS["year"],
            },
        ),
    )
    return _dates(frame)


def latest_period(
    warehouse: Path, indicator_code: str, period_type: str, *, role: Role
) -> dict[str, Any] | None:
    """The latest period of ``period_type`` (or the finest the role sees) with any value of the
    indicator ``role`` may read: ``period_id``, ``period_label``, ``period_end``; None when there
    is none."""
    frame = _fetch(
        warehouse,
        f"""
        WITH {safe_facts(role, "f.indicator_code = $code AND f.period_type = $ptype")}
        SELECT f.period_id, coalesce(p.period_label, f.period_id) AS period_label, f.period_end
        FROM safe AS f
        LEFT JOIN main.dim_period AS p ON p.period_id = f.period_id
        ORDER BY f.period_end DESC
        LIMIT 1
        """,
        role_params(role, {"code": indicator_code, "ptype": role.period_or_nearest(period_type)}),
    )
    if frame.empty:
        return None
    return frame.iloc[0].to_dict()


def breakdown(
    warehouse: Path, indicator_code: str, geo_code: str, period_id: str, *, role: Role
) -> pd.DataFrame:
    """Values of one place and period by each disaggregation (sex, age band, disability), in a
    fixed order: ``disaggregation``, ``disaggregation_value`` and the value columns."""
    return _fetch(
        warehouse,
        f"""
        WITH {
            safe_facts(
                role,
                "f.indicator_code = $code AND f.geo_code = $geo AND f.period_id = $period "
                "AND f.disaggregation <> 'total'",
            )
        }
        SELECT s.disaggregation, s.disaggregation_value, {_VALUE_COLUMNS}
        FROM safe AS s
        ORDER BY CASE s.disaggregation WHEN 'sex' THEN 1 WHEN 'age_band' THEN 2 ELSE 3 END,
                 CASE s.disaggregation_value
                     WHEN 'female' THEN 1 WHEN 'male' THEN 2 WHEN '0-4' THEN 3 WHEN '5-9' THEN 4
                     WHEN '10-14' THEN 5 WHEN '15-17' THEN 6 WHEN 'yes' THEN 7 ELSE 8 END
        """,
        role_params(role, {"code": indicator_code, "geo": geo_code, "period": period_id}),
    )


def area_values(
    warehouse: Path, indicator_code: str, parent_code: str, period_id: str, *, role: Role
) -> pd.DataFrame:
    """Totals of one period for the areas under ``parent_code``: the provinces under the nation,
    the districts under a province; only areas of the levels ``role`` sees. Columns: ``geo_code``, ``geo_name``, ``geo_level`` and the
    value columns, by name."""
    return _fetch(
        warehouse,
        f"""
        WITH {
            safe_facts(
                role,
                "f.indicator_code = $code AND f.period_id = $period "
                "AND f.disaggregation = 'total' AND f.disaggregation_value = 'total'",
            )
        }
        SELECT g.geo_code, g.geo_name, g.geo_level, {_VALUE_COLUMNS}
        FROM main.dim_geography AS g
        LEFT JOIN safe AS s ON s.geo_code = g.geo_code
        WHERE g.parent_code = $parent AND list_contains($role_levels, g.geo_level)
        ORDER BY g.geo_name
        """,
        role_params(role, {"code": indicator_code, "parent": parent_code, "period": period_id}),
    )


def visible_places(warehouse: Path, *, role: Role) -> pd.DataFrame:
    """Every province and district of the levels ``role`` sees (a donor: provinces only), by
    code: ``geo_code``, ``geo_name``, ``geo_level``, ``parent_code``. No boundaries."""
    return _fetch(
        warehouse,
        """
        SELECT geo_code, geo_name, geo_level, parent_code FROM main.dim_geography
        WHERE list_contains(['province', 'district'], geo_level)
          AND list_contains($role_levels, geo_level)
        ORDER BY geo_code
        """,
        {"role_levels": list(role.levels)},
    )


def area_values_latest(
    warehouse: Path,
    indicator_code: str,
    parent_code: str,
    period_type: str = "year",
    *,
    role: Role,
) -> pd.DataFrame:
    """The areas directly under ``parent_code`` (the provinces of the nation, the districts of a
    province) with their boundaries and their totals for the latest period of ``period_type`` (or
    the finest the role sees) that has a value for any of them, as ``role`` may see them. Only
    areas of a level the role sees: none at all for a donor asking for districts. Every area is
    listed, with null values when it has no row for that period (not reported).

    Columns: ``geo_code``, ``geo_name``, ``geo_level``, ``parent_code``, ``boundary_geojson``,
    ``period_id``, ``period_label`` (the map's period, on every row) and the value columns.
    """
    return _fetch(
        warehouse,
        f"""
        WITH {
            safe_facts(
                role,
                "f.indicator_code = $code AND f.period_type = $ptype "
                "AND f.disaggregation = 'total' AND f.disaggregation_value = 'total' "
                "AND f.geo_code IN (SELECT geo_code FROM main.dim_geography "
                "WHERE parent_code = $parent)",
            )
        }, latest AS (SELECT max(period_end) AS period_end FROM safe),
        chosen AS (SELECT safe.* FROM safe JOIN latest USING (period_end))
        SELECT g.geo_code, g.geo_name, g.geo_level, g.parent_code, g.boundary_geojson,
               s.period_id,
               (SELECT any_value(p.period_label) FROM main.dim_period AS p JOIN latest AS l
                   ON p.period_end = l.period_end WHERE p.period_type = $ptype) AS period_label,
               {_VALUE_COLUMNS}
        FROM main.dim_geography AS g
        LEFT JOIN chosen AS s ON s.geo_code = g.geo_code
        WHERE g.parent_code = $parent AND list_contains($role_levels, g.geo_level)
        ORDER BY g.geo_code
        """,
        role_params(
            role,
            {
                "code": indicator_code,
                "parent": parent_code,
                "ptype": role.period_or_nearest(period_type),
            },
        ),
    )


def indicator_feeds(warehouse: Path, feeds: list[str]) -> pd.DataFrame:
    """The contracted feeds named (``feed``, ``title``, ``entity_name``), in the order given."""
    frame = _fetch(
        warehouse,
        """
        SELECT feed, title, entity_name FROM audit.feeds
        WHERE list_contains($feeds, feed)
        ORDER BY list_position($feeds, feed)
        """,
        {"feeds": [str(feed) for feed in feeds]},
    )
    return frame


def published_at(warehouse: Path) -> pd.Timestamp | None:
    """When the served warehouse was published (latest published run), in UTC."""
    frame = _fetch(
        warehouse,
        # Epoch milliseconds: the same instant for TIMESTAMP (UTC) and TIMESTAMPTZ columns.
        "SELECT epoch_ms(max(finished_at)) AS finished_ms FROM audit.pipeline_runs "
        "WHERE status = $status",
        {"status": "published"},
    )
    if frame.empty or pd.isna(frame["finished_ms"].iloc[0]):
        return None
    return pd.Timestamp(int(frame["finished_ms"].iloc[0]), unit="ms", tz="UTC")


def _statuses(statuses: Any) -> list[str]:
    """A set of ledger statuses (``cpmonitor.core.statuses``) as a query parameter."""
    return sorted(str(status) for status in statuses)


def feed_summary(warehouse: Path) -> pd.DataFrame:
    """Every contracted feed with the files received: loaded, quarantined, latest period, last received.

    The ledger statuses are ``cpmonitor.core.statuses``'s, counted as ``cpmonitor status`` counts
    them: ``files_loaded`` are the accepted deliveries (``ACCEPTED_STATUSES``: loaded, loaded with
    rows set aside, or loaded and later superseded), ``files_quarantined`` the refused ones
    (``REFUSED_STATUSES``). ``latest_period`` and ``rows_loaded`` are those of the deliveries in use
    (``USED_STATUSES``); rows set aside in quarantine are not counted as loaded.
    A feed with no delivery yet is listed too (with zero files), so a gap is visible.
    """
    return _fetch(
        warehouse,
        """
        WITH received AS (
            SELECT entity, feed,
                   count(*) FILTER (WHERE list_contains($accepted, status)) AS files_loaded,
                   count(*) FILTER (WHERE list_contains($refused, status)) AS files_quarantined,
                   max(period) FILTER (WHERE list_contains($used, status)) AS latest_period,
                   coalesce(sum(rows - coalesce(rows_rejected, 0))
                            FILTER (WHERE list_contains($used, status)), 0) AS rows_loaded,
                   max(received_at) AS last_received
            FROM audit.ingest_files
            WHERE feed IS NOT NULL
            GROUP BY entity, feed
        )
        SELECT coalesce(feeds.entity, received.entity) AS entity,
               coalesce(feeds.entity_name, received.entity) AS entity_name,
               coalesce(feeds.feed, received.feed) AS feed,
               coalesce(feeds.title, received.feed) AS feed_title,
               feeds.frequency,
               coalesce(received.files_loaded, 0) AS files_loaded,
               coalesce(received.files_quarantined, 0) AS files_quarantined,
               received.latest_period,
               coalesce(received.rows_loaded, 0) AS rows_loaded,
               received.last_received
        FROM audit.feeds AS feeds
        FULL OUTER JOIN received
            ON received.feed = feeds.feed AND received.entity = feeds.entity
        ORDER BY entity_name, feed_title
        """,
        {
            "accepted": _statuses(ACCEPTED_STATUSES),
            "refused": _statuses(REFUSED_STATUSES),
            "used": _statuses(USED_STATUSES),
        },
    )


def check_problems(warehouse: Path, *, hide_below: int | None = None) -> pd.DataFrame:
    """Checks that failed or warned, errors first, newest first.

    ``hide_below`` (the disclosure threshold, for a protected role): counts from 1 to
    ``hide_below - 1`` in the check details and in ``unexpected_count`` read as ``<hide_below``, so a finding like "2021-02: 1 against a usual 9.5" does not
    tell a donor about one child.
    """
    frame = _fetch(
        warehouse,
        """
        SELECT checked_at, severity, suite, target, expectation, column_name,
               unexpected_count, details
        FROM audit.check_results
        WHERE NOT success
        ORDER BY CASE severity WHEN 'error' THEN 0 ELSE 1 END, checked_at DESC, target
        """,
    )
    if hide_below is None or frame.empty:
        return frame
    frame["details"] = frame["details"].map(lambda text: redact_small_counts(text, hide_below))
    small = frame["unexpected_count"].between(1, hide_below - 1)
    frame["unexpected_count"] = (
        frame["unexpected_count"].astype("object").where(~small, f"<{hide_below}")
    )
    return frame


# A whole number standing alone: not part of a date (2021-02), a decimal (9.5), a code or a time.
def check_counts(warehouse: Path) -> dict[str, int]:
    """Number of checks passed, warned and failed in the published warehouse's records."""
    frame = _fetch(
        warehouse,
        """
        SELECT count(*) FILTER (WHERE success) AS passed,
               count(*) FILTER (WHERE NOT success AND severity = 'warning') AS warned,
               count(*) FILTER (WHERE NOT success AND severity <> 'warning') AS failed
        FROM audit.check_results
        """,
    )
    return {key: int(frame[key].iloc[0]) for key in ("passed", "warned", "failed")}


def reporting_completeness(warehouse: Path) -> pd.DataFrame:
    """Reporting completeness per entity and feed (``audit.reporting_completeness_summary``) with
    the entity's and feed's names, least complete first. Empty for a warehouse published before
    completeness was recorded."""
    tables = _fetch(
        warehouse,
        "SELECT count(*) AS n FROM information_schema.tables "
        "WHERE table_schema = 'audit' AND table_name = 'reporting_completeness_summary'",
    )
    if int(tables["n"].iloc[0]) == 0:
        return pd.DataFrame(
            columns=[
                "entity",
                "entity_name",
                "feed",
                "feed_title",
                "frequency",
                "expected",
                "received",
                "on_time",
                "late",
                "refused",
                "missing",
                "completeness_pct",
                "timeliness_pct",
                "missing_periods",
            ]  # fmt: skip
        )
    return _fetch(
        warehouse,
        """
        SELECT s.entity, coalesce(feeds.entity_name, s.entity) AS entity_name,
               s.feed, coalesce(feeds.title, s.feed) AS feed_title, s.frequency,
               s.expected, s.received, s.on_time, s.late, s.refused, s.missing,
               s.completeness_pct, s.timeliness_pct, s.missing_periods
        FROM audit.reporting_completeness_summary AS s
        LEFT JOIN audit.feeds AS feeds ON feeds.feed = s.feed AND feeds.entity = s.entity
        ORDER BY s.completeness_pct, s.timeliness_pct, entity_name, feed_title
        """,
    )


def _has_table(warehouse: Path, schema: str, table: str) -> bool:
    frame = _fetch(
        warehouse,
        "SELECT count(*) AS n FROM information_schema.tables "
        "WHERE table_schema = $schema AND table_name = $table",
        {"schema": schema, "table": table},
    )
    return int(frame["n"].iloc[0]) > 0


_EXPECTED_REPORT_COLUMNS = [
    "entity",
    "entity_name",
    "feed",
    "feed_title",
    "unit_code",
    "feed_period",
    "feed_period_end",
    "status",
    "is_received",
]


def expected_reports(warehouse: Path) -> pd.DataFrame:
    """Every delivery the pipeline expected (``analysis.reporting_completeness``: one row per feed
    and period, and province office for a feed compiled from offices' reports) with what became of
    it, in feed and period order: ``entity``, ``entity_name``, ``feed``, ``feed_title``,
    ``unit_code``, ``feed_period``, ``feed_period_end`` (datetime), ``status``, ``is_received``
    (the pipeline's one rule for "received": on time or late). DHIS2's reporting rate of a group
    is the mean of ``is_received``. Empty for a warehouse built before it was recorded."""
    if not _has_table(warehouse, "analysis", "reporting_completeness"):
        return pd.DataFrame(columns=_EXPECTED_REPORT_COLUMNS)
    frame = _fetch(
        warehouse,
        """
        SELECT entity, coalesce(entity_name, entity) AS entity_name, feed,
               coalesce(feed_title, feed) AS feed_title, unit_code, feed_period,
               feed_period_end, status, coalesce(is_received, false) AS is_received
        FROM analysis.reporting_completeness
        ORDER BY entity_name, feed_title, feed_period_end, unit_code
        """,
    )
    frame["feed_period_end"] = pd.to_datetime(frame["feed_period_end"])
    return frame[_EXPECTED_REPORT_COLUMNS]


def _hide_small(frame: pd.DataFrame, column: str, hide_below: int) -> pd.Series:
    """``column`` with the counts from 1 to ``hide_below - 1`` written ``<hide_below``."""
    small = pd.to_numeric(frame[column], errors="coerce").between(1, hide_below - 1)
    return frame[column].astype("object").where(~small, f"<{hide_below}")


def refused_files(warehouse: Path, *, hide_below: int | None = None) -> pd.DataFrame:
    """The refused deliveries (``REFUSED_STATUSES``), newest first, with their row count:
    ``entity``, ``entity_name``, ``feed``, ``feed_title``, ``period``, ``source_file``, ``rows``,
    ``reason``, ``received_at``. ``hide_below`` (a protected role): a row count from 1 to
    ``hide_below - 1`` reads ``<hide_below``, and so do such counts in the reasons."""
    frame = _fetch(
        warehouse,
        """
        SELECT files.entity, coalesce(feeds.entity_name, files.entity) AS entity_name,
               files.feed, coalesce(feeds.title, files.feed) AS feed_title,
               files.period, files.source_file, files.rows, files.reason, files.received_at
        FROM audit.ingest_files AS files
        LEFT JOIN audit.feeds AS feeds
            ON feeds.feed = files.feed AND feeds.entity = files.entity
        WHERE list_contains($refused, files.status)
        ORDER BY files.received_at DESC, files.source_file
        """,
        {"refused": _statuses(REFUSED_STATUSES)},
    )
    if hide_below is not None and not frame.empty:
        frame["reason"] = frame["reason"].map(lambda text: redact_small_counts(text, hide_below))
        frame["rows"] = _hide_small(frame, "rows", hide_below)
    return frame


# What ingest writes before the row problems of a file loaded with rows set aside.
_SET_ASIDE_MARKER = "(kept in quarantine): "


def rejected_rows(warehouse: Path, *, hide_below: int | None = None) -> pd.DataFrame:
    """Rows set aside within deliveries in use (``USED_STATUSES`` with ``rows_rejected``), as
    ``cpmonitor status`` lists them, newest first: ``entity``, ``entity_name``, ``feed``,
    ``feed_title``, ``period``, ``source_file``, ``rows`` (in the file), ``rows_rejected``,
    ``reason`` (the row problems, without the file name and counts the ledger's reason starts
    with) and ``received_at``.

    ``hide_below`` (a protected role): a ``rows_rejected`` from 1 to ``hide_below - 1`` reads
    ``<hide_below`` and the file's ``rows`` is then left out (None), since rows minus the rows
    loaded would give the count away; small counts in the reasons read ``<hide_below`` too.
    """
    frame = _fetch(
        warehouse,
        """
        SELECT files.entity, coalesce(feeds.entity_name, files.entity) AS entity_name,
               files.feed, coalesce(feeds.title, files.feed) AS feed_title,
               files.period, files.source_file, files.rows, files.rows_rejected, files.reason,
               files.received_at
        FROM audit.ingest_files AS files
        LEFT JOIN audit.feeds AS feeds
            ON feeds.feed = files.feed AND feeds.entity = files.entity
        WHERE list_contains($used, files.status) AND coalesce(files.rows_rejected, 0) > 0
        ORDER BY files.received_at DESC, files.source_file
        """,
        {"used": _statuses(USED_STATUSES)},
    )
    frame["reason"] = [
        str(text).partition(_SET_ASIDE_MARKER)[2] or str(text) if isinstance(text, str) else text
        for text in frame["reason"]
    ]
    if hide_below is not None and not frame.empty:
        frame["reason"] = frame["reason"].map(lambda text: redact_small_counts(text, hide_below))
        small = frame["rows_rejected"].between(1, hide_below - 1)
        frame["rows"] = frame["rows"].astype("object").where(~small, None)
        frame["rows_rejected"] = _hide_small(frame, "rows_rejected", hide_below)
    return frame


def report_periods(warehouse: Path, *, role: Role) -> list[tuple[str, str]]:
    """The years (and, for a role that sees them, quarters) with national values ``role`` may
    read, newest first, as ``(period_id, label)``: the periods a progress report can cover."""
    frame = _fetch(
        warehouse,
        f"""
        WITH {
            safe_facts(
                role,
                "f.geo_code = $nat AND f.disaggregation = 'total' "
                "AND list_contains(['year', 'quarter'], f.period_type)",
            )
        }
        SELECT s.period_id, coalesce(any_value(p.period_label), s.period_id) AS period_label,
               max(s.period_end) AS period_end
        FROM safe AS s
        LEFT JOIN main.dim_period AS p ON p.period_id = s.period_id
        WHERE s.value IS NOT NULL OR s.suppressed
        GROUP BY s.period_id
        ORDER BY period_end DESC, s.period_id DESC
        """,
        role_params(role, {"nat": NATIONAL}),
    )
    return list(frame[["period_id", "period_label"]].itertuples(index=False, name=None))


# --- navigation (dashboards.urlstate) -----------------------------------------------------------


def places(warehouse: Path) -> pd.DataFrame:
    """Every place of every level (``geo_code``, ``geo_name``, ``geo_level``, ``parent_code``),
    nation first, then provinces, then districts, each in code order: what a link's place is
    checked against (a district falls back to its province)."""
    return _fetch(
        warehouse,
        """
        SELECT geo_code, geo_name, geo_level, parent_code FROM main.dim_geography
        ORDER BY CASE geo_level WHEN 'national' THEN 1 WHEN 'province' THEN 2 ELSE 3 END, geo_code
        """,
    )


def latest_period_end(warehouse: Path, period_type: str, *, role: Role) -> pd.Timestamp | None:
    """The end of the latest published period of ``period_type`` (or the finest the role sees)
    with any indicator value ``role`` may read; None when there is none. Relative periods ("last
    12 months") count back from it, not from today, so a link keeps its meaning."""
    frame = _fetch(
        warehouse,
        f"""
        WITH {safe_facts(role, "f.period_type = $ptype")}
        SELECT max(period_end) AS period_end FROM safe
        """,
        role_params(role, {"ptype": role.period_or_nearest(period_type)}),
    )
    if frame.empty or _is_missing(frame["period_end"].iloc[0]):
        return None
    return pd.Timestamp(frame["period_end"].iloc[0])


def indicator_periods(
    warehouse: Path, indicator_code: str, period_type: str, *, role: Role
) -> pd.DataFrame:
    """The periods of ``period_type`` (or the finest the role sees) with any value of the
    indicator ``role`` may read, oldest first: ``period_id``, ``period_label``, ``period_start``,
    ``period_end`` (datetime)."""
    frame = _fetch(
        warehouse,
        f"""
        WITH {safe_facts(role, "f.indicator_code = $code AND f.period_type = $ptype")}
        SELECT s.period_id, coalesce(any_value(p.period_label), s.period_id) AS period_label,
               min(s.period_start) AS period_start, max(s.period_end) AS period_end
        FROM safe AS s
        LEFT JOIN main.dim_period AS p ON p.period_id = s.period_id
        GROUP BY s.period_id
        ORDER BY period_end, s.period_id
        """,
        role_params(role, {"code": indicator_code, "ptype": role.period_or_nearest(period_type)}),
    )
    return _dates(frame)


def province_values_at(
    warehouse: Path, indicator_code: str, period_id: str, *, role: Role
) -> pd.DataFrame:
    """Each province's value for one period (``province_values_latest``'s columns), as ``role``
    may see them: the province view of the last period of a chosen range."""
    return _fetch(
        warehouse,
        f"""
        WITH {
            safe_facts(
                role,
                "f.indicator_code = $code AND f.period_id = $period AND f.geo_level = 'province' "
                "AND f.disaggregation = 'total' AND f.disaggregation_value = 'total'",
            )
        }
        SELECT g.geo_code, g.geo_name, g.boundary_geojson, s.period_id,
               coalesce(p.period_label, s.period_id) AS period_label, {_VALUE_COLUMNS}
        FROM safe AS s
        JOIN main.dim_geography AS g ON g.geo_code = s.geo_code
        LEFT JOIN main.dim_period AS p ON p.period_id = s.period_id
        ORDER BY g.geo_code
        """,
        role_params(role, {"code": indicator_code, "period": period_id}),
    )
