"""Disclosure control: the protected tables donors and the public read, built and audited before
publish.

``protect_build(con, policy)`` runs on a finished build (after dbt, before the checks): for every
protected audience of the access policy (roles with ``exact: false``; audiences that see the same
levels and period types share one protection) it hides small counts (primary suppression), hides what would give them
away (secondary suppression across places, breakdowns and periods: ``suppression``), audits the
result by linear programming (``audit``), hides more where the audit finds a small count could be
recovered or bounded (the smallest neighbour in each of its relations; after a few rounds every
shown cell two steps out; at last the whole table of its indicator and period), and writes

- ``protected.indicator_values``: ``audience`` + every column of ``main.fct_indicator_values`` (only
  the audience's levels, hidden values NULL) + ``suppressed``, ``suppression_reason``
  (``small_count`` or ``protects_another``) and ``denominator_suppressed``;
- ``protected.disclosure_summary``: per audience and indicator, cells shown and hidden;
- ``protected.disclosure_audit``: per audience, the figures of the protection and its audit.

A report whose ``passed`` is false means the build must not be published.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import duckdb
import pandas as pd

from cpmonitor.core.access import AccessPolicy
from cpmonitor.disclosure.audit import AuditResult, audit
from cpmonitor.disclosure.suppression import (
    Suppressor,
    build_cells,
    hidden_count,
    hide_tables,
    primary_only,
    secondary_suppression,
    widen,
)

__all__ = [
    "AudienceReport",
    "ProtectionReport",
    "Suppressor",
    "primary_only",
    "protect_build",
    "secondary_suppression",
]

MAX_AUDIT_ROUNDS = 8
WIDE_AFTER_ROUNDS = 3


@dataclass(frozen=True)
class AudienceReport:
    """The protection of one audience."""

    audience: str
    levels: str
    periods: str
    threshold: int
    rows: int
    cells: int
    primary: int
    secondary: int
    equations: int
    components: int
    lp_solved: int
    audit_rounds: int
    failures: int
    protect_seconds: float
    audit_seconds: float


@dataclass
class ProtectionReport:
    """What ``protect_build`` did; ``passed`` is false when the audit still found a leak."""

    audiences: list[AudienceReport] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    protect_seconds: float = 0.0
    audit_seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.failures


def protect_build(
    con: duckdb.DuckDBPyConnection,
    policy: AccessPolicy,
    *,
    suppress: Suppressor = secondary_suppression,
) -> ProtectionReport:
    """Build, audit and write the protected tables of every protected audience of ``policy``."""
    report = ProtectionReport()
    threshold = policy.threshold
    con.execute("CREATE SCHEMA IF NOT EXISTS protected")
    con.execute("DROP TABLE IF EXISTS protected.indicator_values")
    # Audiences that see the same levels and period types share one protection.
    scopes: dict[tuple[tuple[str, ...], tuple[str, ...]], list[str]] = {}
    for role in policy.protected_roles:
        scopes.setdefault((role.levels, role.periods), []).append(role.name)
    first = True
    for (levels, periods), audiences in scopes.items():
        started = time.perf_counter()
        cells = build_cells(con, levels, threshold, periods)
        primary = hidden_count(con)
        suppress(con, threshold)
        protect_seconds = time.perf_counter() - started
        result: AuditResult = audit(con, threshold)
        audit_seconds, rounds, lps = result.seconds, 1, result.lp_solved
        # Where the audit finds a leak, hide more around it and audit again (the stage's own
        # suppression only: a replacement is audited as it is): the smallest neighbour first,
        # everything two steps out when that did not do, at last the whole table of each cell.
        while (
            not result.passed and suppress is secondary_suppression and rounds <= MAX_AUDIT_ROUNDS
        ):
            step = time.perf_counter()
            unsafe = result.failures["cell_id"].tolist()
            if rounds < MAX_AUDIT_ROUNDS:
                widen(con, unsafe, wide=rounds >= WIDE_AFTER_ROUNDS)
            else:
                hide_tables(con, unsafe)
            suppress(con, threshold)
            protect_seconds += time.perf_counter() - step
            result = audit(con, threshold)
            audit_seconds += result.seconds
            lps += result.lp_solved
            rounds += 1
        hidden = hidden_count(con)
        rows = _write(con, audiences, levels, periods, create=first)
        first = False
        for audience in audiences:
            report.audiences.append(
                AudienceReport(
                    audience=audience,
                    levels=", ".join(levels),
                    periods=", ".join(periods),
                    threshold=threshold,
                    rows=rows,
                    cells=cells,
                    primary=primary,
                    secondary=hidden - primary,
                    equations=result.equations,
                    components=result.components,
                    lp_solved=lps,
                    audit_rounds=rounds,
                    failures=len(result.failures),
                    protect_seconds=round(protect_seconds, 2),
                    audit_seconds=round(audit_seconds, 2),
                )
            )
        report.failures.extend(_describe(con, result.failures, audiences))
        report.protect_seconds += protect_seconds
        report.audit_seconds += audit_seconds
    if first:  # no protected audience: an empty table, so readers find one
        build_cells(con, (), threshold)  # no cells, but the dc_* tables _write reads
        _write(con, [], ("national",), ("year",), create=True)
    _write_summaries(con, report)
    return report


_HIDE_REASON = """
    SELECT indicator_code, period_type, period_id, geo_code, disaggregation, disaggregation_value,
           bool_or(hidden AND measure = 'numerator') AS numerator_hidden,
           bool_or(hidden AND measure = 'denominator') AS denominator_hidden,
           bool_or(primary_) AS has_primary, bool_or(hidden) AS any_hidden
    FROM dc_cells
    GROUP BY ALL
"""


def _write(
    con: duckdb.DuckDBPyConnection,
    audiences: list[str],
    levels: tuple[str, ...],
    periods: tuple[str, ...],
    *,
    create: bool,
) -> int:
    """Append the protected rows of ``audiences`` (the current ``dc_cells``): the rows of their
    levels and period types only; rows per audience."""
    body = f"""
        SELECT a.audience, f.indicator_code, f.period_type, f.period_id, f.period_start,
               f.period_end, f.geo_level, f.geo_code, f.disaggregation, f.disaggregation_value,
               CASE WHEN h.any_hidden THEN NULL ELSE f.numerator END AS numerator,
               CASE WHEN h.denominator_hidden THEN NULL ELSE f.denominator END AS denominator,
               CASE WHEN h.any_hidden THEN NULL ELSE f.value END AS value,
               CASE WHEN h.any_hidden THEN NULL ELSE f.ci_lower END AS ci_lower,
               CASE WHEN h.any_hidden THEN NULL ELSE f.ci_upper END AS ci_upper,
               f.target_value,
               CASE WHEN h.any_hidden THEN NULL ELSE f.progress END AS progress,
               CASE WHEN h.any_hidden THEN NULL ELSE f.status END AS status,
               f.coverage_pct, f.deliveries_expected, f.deliveries_received, f.is_partial,
               f.is_restated, f.coverage_note,
               coalesce(h.any_hidden, false) AS suppressed,
               CASE WHEN NOT coalesce(h.any_hidden, false) THEN NULL
                    WHEN h.has_primary THEN 'small_count' ELSE 'protects_another' END
                   AS suppression_reason,
               coalesce(h.denominator_hidden, false) AS denominator_suppressed
        FROM main.fct_indicator_values AS f
        CROSS JOIN (SELECT unnest($audiences::VARCHAR[]) AS audience) AS a
        LEFT JOIN ({_HIDE_REASON}) AS h
          ON h.indicator_code = f.indicator_code AND h.period_type = f.period_type
         AND h.period_id = f.period_id AND h.geo_code = f.geo_code
         AND h.disaggregation = f.disaggregation
         AND h.disaggregation_value = f.disaggregation_value
        WHERE list_contains($levels, f.geo_level) AND list_contains($periods, f.period_type)
        -- stored in the order it is read: one audience, one indicator at a time
        ORDER BY a.audience, f.indicator_code, f.period_type, f.period_id, f.geo_code,
                 f.disaggregation, f.disaggregation_value
    """
    params = {"audiences": list(audiences), "levels": list(levels), "periods": list(periods)}
    if create:
        con.execute(f"CREATE TABLE protected.indicator_values AS {body}", params)
    else:
        con.execute(f"INSERT INTO protected.indicator_values {body}", params)
    if not audiences:
        return 0
    # fetchall, not fetchone: a result left unfinished makes the next con.register fail
    ((rows,),) = con.execute(
        "SELECT count(*) FROM protected.indicator_values WHERE audience = $a",
        {"a": audiences[0]},
    ).fetchall()
    return int(rows)


def _write_summaries(con: duckdb.DuckDBPyConnection, report: ProtectionReport) -> None:
    con.execute(
        """
        CREATE OR REPLACE TABLE protected.disclosure_summary AS
        SELECT audience, indicator_code, count(*) AS cells,
               count(*) FILTER (WHERE suppression_reason = 'small_count') AS primary_cells,
               count(*) FILTER (WHERE suppression_reason = 'protects_another') AS secondary_cells,
               count(*) FILTER (WHERE suppressed) AS suppressed_cells
        FROM protected.indicator_values GROUP BY ALL ORDER BY ALL
        """
    )
    frame = pd.DataFrame(
        [asdict(a) for a in report.audiences],
        columns=list(AudienceReport.__dataclass_fields__),
    )
    frame["passed"] = frame["failures"] == 0
    con.register("audit_frame", frame)
    con.execute("CREATE OR REPLACE TABLE protected.disclosure_audit AS SELECT * FROM audit_frame")
    con.unregister("audit_frame")


def _describe(
    con: duckdb.DuckDBPyConnection, failures: pd.DataFrame, audiences: list[str]
) -> list[str]:
    """Plain sentences for the first failures (never the hidden number itself)."""
    if failures.empty:
        return []
    con.register("failed_cells", failures.head(50))
    rows = con.execute(
        """
        SELECT c.indicator_code, c.period_id, c.geo_code, c.disaggregation,
               c.disaggregation_value, c.measure, f.reason
        FROM failed_cells AS f JOIN dc_cells AS c USING (cell_id) ORDER BY c.cell_id
        """
    ).fetchall()
    con.unregister("failed_cells")
    who = " and ".join(audiences)
    sentences = [
        f"{code} {period} in {geo} ({group}={value}), {measure}: hidden from {who} but "
        f"{reason.split(' (')[0]}"
        for code, period, geo, group, value, measure, reason in rows
    ]
    if len(failures) > len(rows):
        sentences.append(f"... and {len(failures) - len(rows)} more cell(s) for {who}")
    return sentences
