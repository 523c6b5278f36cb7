"""Reading a published warehouse as one role may: the one home of the role filter.

The dashboard's query layer, the reports and every export read indicator values through
``safe_facts`` and ``role_params``: a role with exact values reads ``main.fct_indicator_values``; a
protected role (donors, the public) reads only its own rows of ``protected.indicator_values``, built
and LP-audited before publish, where hidden values are already NULL. Either way only the role's
geographic levels and period types are read. What a donor sees on the dashboard is therefore exactly
what a donor report or a donor export holds.

``published_values`` gives every value a role may read, labelled and in one stable order (the input
of every export); ``warehouse_version`` names the published run a file holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from cpmonitor.core.access import Role
from cpmonitor.core.connections import connect_read_only

NATIONAL = "NAT"

# The columns every value query reads from the ``safe`` CTE, whichever table it comes from.
FACT_COLUMNS = (
    "indicator_code, period_type, period_id, period_start, period_end, geo_level, geo_code, "
    "disaggregation, disaggregation_value, numerator, denominator, value, ci_lower, ci_upper, "
    "target_value, progress, status, coverage_pct, is_partial, is_restated, coverage_note"
)


def safe_facts(role: Role, where: str) -> str:
    """A ``safe`` CTE: the indicator values ``role`` may read that match ``where`` (a constant SQL
    condition on ``f``, values as parameters; ``role_params`` gives the role's own).

    Columns: the value columns, ``suppressed`` and ``suppression_reason`` (``small_count``,
    ``protects_another`` or NULL).
    """
    if role.exact:
        source = f"""
            SELECT {FACT_COLUMNS}, false AS suppressed, NULL::VARCHAR AS suppression_reason
            FROM main.fct_indicator_values AS f
            WHERE list_contains($role_levels, f.geo_level)
              AND list_contains($role_periods, f.period_type) AND ({where})"""
    else:
        source = f"""
            SELECT {FACT_COLUMNS}, suppressed, suppression_reason
            FROM protected.indicator_values AS f
            WHERE f.audience = $role_audience AND list_contains($role_levels, f.geo_level)
              AND list_contains($role_periods, f.period_type) AND ({where})"""
    return f"safe AS ({source}\n    )"


def role_params(role: Role, params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with the role's audience, levels and period types (what ``safe_facts`` reads)."""
    found = {**params, "role_levels": list(role.levels), "role_periods": list(role.periods)}
    if not role.exact:
        found["role_audience"] = role.name
    return found


# The columns of ``published_values``, in order.
VALUE_COLUMNS = (
    "indicator_code",
    "indicator_name",
    "sector_code",
    "sector_name",
    "unit",
    "kind",
    "period_type",
    "period_id",
    "period_label",
    "period_start",
    "period_end",
    "geo_level",
    "geo_code",
    "geo_name",
    "parent_code",
    "disaggregation",
    "disaggregation_value",
    "numerator",
    "denominator",
    "value",
    "ci_lower",
    "ci_upper",
    "target_value",
    "progress",
    "status",
    "suppressed",
    "suppression_reason",
    "coverage_pct",
    "is_partial",
    "is_restated",
    "coverage_note",
)

_ORDER = (
    "i.display_order, s.indicator_code, "
    "CASE s.period_type WHEN 'year' THEN 1 WHEN 'quarter' THEN 2 ELSE 3 END, s.period_start, "
    "CASE s.geo_level WHEN 'national' THEN 1 WHEN 'province' THEN 2 ELSE 3 END, s.geo_code, "
    "CASE s.disaggregation WHEN 'total' THEN 0 ELSE 1 END, s.disaggregation, s.disaggregation_value"
)


def published_values(
    con: duckdb.DuckDBPyConnection,
    role: Role,
    *,
    period_types: tuple[str, ...] | None = None,
    until: str | None = None,
) -> pd.DataFrame:
    """Every indicator value ``role`` may read, labelled (indicator, sector, period and place
    names), in one stable order: catalogue order, then coarsest period first, oldest first,
    nation, provinces, districts, totals before breakdowns. ``period_types`` narrows the period
    types (within the role's own); ``until`` keeps periods ending on or before that ISO date.

    Hidden values are NULL with ``suppressed`` true and ``suppression_reason`` set; dates are
    ``datetime.date``; booleans are never NULL.
    """
    wanted = [p for p in (period_types or role.periods) if role.sees_period(p)]
    frame = con.execute(
        f"""
        WITH {
            safe_facts(
                role,
                "list_contains($wanted, f.period_type) AND "
                "($until IS NULL OR f.period_end <= $until::DATE)",
            )
        }
        SELECT s.indicator_code, i.indicator_name, i.sector_code, i.sector_name, i.unit, i.kind,
               s.period_type, s.period_id, coalesce(p.period_label, s.period_id) AS period_label,
               s.period_start, s.period_end, s.geo_level, s.geo_code,
               coalesce(g.geo_name, s.geo_code) AS geo_name, g.parent_code,
               s.disaggregation, s.disaggregation_value, s.numerator, s.denominator, s.value,
               s.ci_lower, s.ci_upper, s.target_value, s.progress, s.status,
               coalesce(s.suppressed, false) AS suppressed, s.suppression_reason,
               s.coverage_pct, coalesce(s.is_partial, false) AS is_partial,
               coalesce(s.is_restated, false) AS is_restated, s.coverage_note
        FROM safe AS s
        JOIN main.dim_indicator AS i ON i.indicator_code = s.indicator_code
        LEFT JOIN main.dim_period AS p ON p.period_id = s.period_id
        LEFT JOIN main.dim_geography AS g ON g.geo_code = s.geo_code
        ORDER BY {_ORDER}
        """,
        role_params(role, {"wanted": wanted, "until": until}),
    ).df()
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame[list(VALUE_COLUMNS)]


@dataclass(frozen=True)
class WarehouseStamp:
    """Which published warehouse a report or an export came from."""

    version: str | None  # run id of the published run the file holds
    published_at: pd.Timestamp | None  # when that run finished (UTC)
    country: str


def warehouse_stamp(con: duckdb.DuckDBPyConnection) -> WarehouseStamp:
    """The version (run id), publication time and country of the open warehouse."""
    row = con.execute(
        "SELECT run_id, epoch_ms(finished_at) FROM audit.pipeline_runs "
        "WHERE status = 'published' ORDER BY run_id DESC LIMIT 1"
    ).fetchone()
    country = con.execute(
        "SELECT geo_name FROM main.dim_geography WHERE geo_code = $code", {"code": NATIONAL}
    ).fetchone()
    return WarehouseStamp(
        version=row[0] if row else None,
        published_at=pd.Timestamp(int(row[1]), unit="ms", tz="UTC") if row and row[1] else None,
        country=country[0] if country else "",
    )


def open_published(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a published warehouse file; ``FileNotFoundError`` naming the
    file when there is none."""
    if not Path(warehouse).is_file():
        raise FileNotFoundError(f"no published warehouse at {warehouse}")
    return connect_read_only(Path(warehouse))
