"""The dashboard's one query layer: every SQL statement the app runs lives here.

Each function opens a short-lived, read-only connection to the published warehouse, fetches the whole
result and closes it, so the pipeline can swap the file in (``os.replace``) at any time. External
access is disabled and the configuration locked, so no query can read other files. Values always
travel as parameters; the only identifiers in the SQL are the constants written below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

NATIONAL = "NAT"
_CONNECT_CONFIG = {"enable_external_access": False, "lock_configuration": True}


class WarehouseNotPublishedError(FileNotFoundError):
    """The pipeline has not published a warehouse yet."""


def warehouse_exists(warehouse: Path) -> bool:
    """True when a published warehouse file is there to read."""
    return Path(warehouse).is_file()


def _fetch(warehouse: Path, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run one parameterised query on a fresh read-only connection and fetch it fully."""
    if not warehouse_exists(warehouse):
        raise WarehouseNotPublishedError(str(warehouse))
    con = duckdb.connect(str(warehouse), read_only=True, config=_CONNECT_CONFIG)
    try:
        return con.execute(sql, params or {}).df()
    finally:
        con.close()


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


def indicator_series(
    warehouse: Path, indicator_code: str, geo_code: str, period_type: str = "month"
) -> pd.DataFrame:
    """Totals of one indicator for one place over time, oldest first.

    Columns: ``period_id``, ``period_label``, ``period_start``, ``period_end`` (datetime),
    ``numerator``, ``denominator``, ``value``.
    """
    frame = _fetch(
        warehouse,
        """
        SELECT f.period_id, coalesce(p.period_label, f.period_id) AS period_label,
               f.period_start, f.period_end, f.numerator, f.denominator, f.value
        FROM main.fct_indicator_values AS f
        LEFT JOIN main.dim_period AS p ON p.period_id = f.period_id
        WHERE f.indicator_code = $code AND f.geo_code = $geo AND f.period_type = $ptype
          AND f.disaggregation = 'total' AND f.disaggregation_value = 'total'
        ORDER BY f.period_end
        """,
        {"code": indicator_code, "geo": geo_code, "ptype": period_type},
    )
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def province_values_latest(
    warehouse: Path, indicator_code: str, period_type: str = "year"
) -> pd.DataFrame:
    """Each province's value for the latest period of ``period_type`` that has province values.

    Columns: ``geo_code``, ``geo_name``, ``boundary_geojson``, ``period_id``, ``period_label``,
    ``numerator``, ``denominator``, ``value``.
    """
    return _fetch(
        warehouse,
        """
        WITH facts AS (
            SELECT * FROM main.fct_indicator_values
            WHERE indicator_code = $code AND period_type = $ptype AND geo_level = 'province'
              AND disaggregation = 'total' AND disaggregation_value = 'total'
        ), latest AS (SELECT max(period_end) AS period_end FROM facts)
        SELECT g.geo_code, g.geo_name, g.boundary_geojson, f.period_id,
               coalesce(p.period_label, f.period_id) AS period_label,
               f.numerator, f.denominator, f.value
        FROM facts AS f
        JOIN latest USING (period_end)
        JOIN main.dim_geography AS g ON g.geo_code = f.geo_code
        LEFT JOIN main.dim_period AS p ON p.period_id = f.period_id
        ORDER BY g.geo_code
        """,
        {"code": indicator_code, "ptype": period_type},
    )


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


def feed_summary(warehouse: Path) -> pd.DataFrame:
    """Every contracted feed with the files received: loaded, quarantined, latest period, last received.

    A feed with no delivery yet is listed too (with zero files), so a gap is visible.
    """
    return _fetch(
        warehouse,
        """
        WITH received AS (
            SELECT entity, feed,
                   count(*) FILTER (WHERE status = 'loaded') AS files_loaded,
                   count(*) FILTER (WHERE status = 'quarantined') AS files_quarantined,
                   max(period) FILTER (WHERE status = 'loaded') AS latest_period,
                   coalesce(sum(rows) FILTER (WHERE status = 'loaded'), 0) AS rows_loaded,
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
    )


def quarantined_files(warehouse: Path) -> pd.DataFrame:
    """Refused deliveries with the reason, newest first."""
    return _fetch(
        warehouse,
        """
        SELECT files.entity, coalesce(feeds.entity_name, files.entity) AS entity_name,
               files.feed, coalesce(feeds.title, files.feed) AS feed_title,
               files.period, files.source_file, files.reason, files.received_at
        FROM audit.ingest_files AS files
        LEFT JOIN audit.feeds AS feeds
            ON feeds.feed = files.feed AND feeds.entity = files.entity
        WHERE files.status = 'quarantined'
        ORDER BY files.received_at DESC, files.source_file
        """,
    )


def check_problems(warehouse: Path) -> pd.DataFrame:
    """Checks that failed or warned, errors first, newest first."""
    return _fetch(
        warehouse,
        """
        SELECT checked_at, severity, suite, target, expectation, column_name,
               unexpected_count, details
        FROM audit.check_results
        WHERE NOT success
        ORDER BY CASE severity WHEN 'error' THEN 0 ELSE 1 END, checked_at DESC, target
        """,
    )


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
