"""Cells, relations and suppression, in DuckDB temporary tables on the build connection.

A **cell** is one measure of one row of ``main.fct_indicator_values`` that an audience can see: the
numerator (for counts, the value) or the denominator (for rates the children counted below the line,
for medians the record count), of indicators whose disclosure class is protected. Survey estimates
and counts of institutions or staff are not cells: they are published as they are.

A **relation** is a linear equality an attacker knows between cells (``dc_members``: ``rel``,
``is_total``, ``cell_id``):

- places: the nation is the sum of its provinces, a province of its districts (only at the levels
  the audience sees: without provinces, the nation is the sum of its districts);
- breakdowns: a total is the sum of the groups of each disaggregation (sex, age band, disability);
- time, by the kind's ``kind_time_relations`` (vocabularies): ``sum`` - a year is the sum of its
  quarters and of its months, a quarter of its months; ``period_end`` - cells of one measure on the
  same date (a year, its fourth quarter and December) are equal (``is_total`` is null: no total).

Parts need not add up to their total exactly (an unpublished "unknown" group, a child counted in two
districts): the suppression rules treat every relation as if it did (the safe side); the audit uses
as equations only the relations whose parts add up exactly, the ones an attacker can subtract.

**Primary suppression**: a cell whose exact number is at least 1 and below the threshold. Zeros are
shown. **Secondary suppression** (``secondary_suppression``), repeated until nothing changes:

1. a relation whose total is a small count hides all its parts (where the few children are - which
   province, group or month - is what a breakdown of zeros and one hidden cell would tell);
2. cells on the same date are hidden together;
3. a relation with exactly one hidden member hides one more: its smallest non-zero shown part (a zero
   only when no other is left, the total only when it has no shown part).

The LP audit (``cpmonitor.disclosure.audit``) then checks the result; what it finds unsafe is hidden
further (``widen``) and checked again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import duckdb

from cpmonitor.core.vocabularies import KIND_TIME_RELATIONS, PROTECTED_DISCLOSURE_CLASSES

MEASURES = ("numerator", "denominator")
Suppressor = Callable[[duckdb.DuckDBPyConnection, int], int]
"""Secondary suppression on the ``dc_*`` tables of a connection for a threshold; returns how many
cells it hid. ``secondary_suppression`` is the stage's; a test can plug in another one."""


def time_relation_pairs(relation: str) -> list[list[str]]:
    """``[kind, measure]`` pairs whose time relation is ``relation`` (sum, period_end)."""
    return [
        [kind, measure]
        for kind, measures in KIND_TIME_RELATIONS.items()
        for measure, found in measures.items()
        if found == relation
    ]


def build_cells(
    con: duckdb.DuckDBPyConnection,
    levels: Sequence[str],
    threshold: int,
    periods: Sequence[str] = ("year", "quarter", "month"),
) -> int:
    """Create ``dc_cells`` (one row per protected cell an audience seeing ``levels`` and
    ``periods`` sees, with its exact number and primary flag) and ``dc_members`` (the relations).
    Returns the number of cells."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE dc_cells AS
        SELECT row_number() OVER (ORDER BY f.indicator_code, f.period_type, f.period_id, f.geo_code,
                                  f.disaggregation, f.disaggregation_value, m.measure) AS cell_id,
               f.indicator_code, f.period_type, f.period_id, f.period_start, f.period_end,
               f.geo_level, f.geo_code,
               -- the nearest place above that the audience sees (a nation of districts when
               -- provinces are not shown)
               CASE WHEN up.geo_code IS NULL OR list_contains($levels, up.geo_level)
                    THEN g.parent_code ELSE up.parent_code END AS parent_code,
               f.disaggregation, f.disaggregation_value,
               d.kind, m.measure,
               CASE m.measure WHEN 'numerator' THEN f.numerator ELSE f.denominator END AS number,
               false AS hidden, false AS primary_
        FROM main.fct_indicator_values AS f
        JOIN main.dim_indicator AS d ON d.indicator_code = f.indicator_code
        JOIN main.dim_geography AS g ON g.geo_code = f.geo_code
        LEFT JOIN main.dim_geography AS up ON up.geo_code = g.parent_code
        CROSS JOIN (VALUES ('numerator'), ('denominator')) AS m (measure)
        WHERE list_contains($levels, f.geo_level) AND list_contains($periods, f.period_type)
          AND list_contains($classes, d.disclosure_class)
          AND (CASE m.measure WHEN 'numerator' THEN f.numerator ELSE f.denominator END) IS NOT NULL
        """,
        {
            "levels": list(levels),
            "periods": list(periods),
            "classes": sorted(PROTECTED_DISCLOSURE_CLASSES),
        },
    )
    con.execute(
        "UPDATE dc_cells SET hidden = true, primary_ = true "
        "WHERE number > 0 AND number < $threshold",
        {"threshold": threshold},
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE dc_members AS
        WITH c AS (SELECT * FROM dc_cells),
        summed AS (SELECT * FROM c WHERE list_contains($sum_pairs, [kind, measure])),
        dated AS (SELECT * FROM c WHERE list_contains($end_pairs, [kind, measure]))
        -- places: a parent is the sum of its children
        SELECT concat_ws('|', 'geo', indicator_code, period_type, period_id, disaggregation,
                         disaggregation_value, measure, parent_code) AS rel,
               false AS is_total, cell_id
        FROM c WHERE geo_level <> 'national'
        UNION ALL
        SELECT concat_ws('|', 'geo', indicator_code, period_type, period_id, disaggregation,
                         disaggregation_value, measure, geo_code), true, cell_id
        FROM c WHERE geo_level <> 'district'
        -- breakdowns: a total is the sum of the groups of each disaggregation
        UNION ALL
        SELECT concat_ws('|', 'grp', indicator_code, period_type, period_id, geo_code, measure,
                         disaggregation), false, cell_id
        FROM c WHERE disaggregation <> 'total'
        UNION ALL
        SELECT concat_ws('|', 'grp', indicator_code, period_type, period_id, geo_code, measure,
                         family.name), true, cell_id
        FROM c CROSS JOIN (VALUES ('sex'), ('age_band'), ('disability')) AS family (name)
        WHERE disaggregation = 'total'
        -- time, for measures that add up: a year of its quarters and months, a quarter of its months
        UNION ALL
        SELECT concat_ws('|', 'yq', indicator_code, geo_code, disaggregation, disaggregation_value,
                         measure, year(period_start)), period_type = 'year', cell_id
        FROM summed WHERE period_type IN ('year', 'quarter')
        UNION ALL
        SELECT concat_ws('|', 'ym', indicator_code, geo_code, disaggregation, disaggregation_value,
                         measure, year(period_start)), period_type = 'year', cell_id
        FROM summed WHERE period_type IN ('year', 'month')
        UNION ALL
        SELECT concat_ws('|', 'qm', indicator_code, geo_code, disaggregation, disaggregation_value,
                         measure, year(period_start), quarter(period_start)),
               period_type = 'quarter', cell_id
        FROM summed WHERE period_type IN ('quarter', 'month')
        -- time, for values on a date: the same date in every period type (no total: all equal)
        UNION ALL
        SELECT concat_ws('|', 'date', indicator_code, geo_code, disaggregation,
                         disaggregation_value, measure, period_end), NULL, cell_id
        FROM dated
        """,
        {"sum_pairs": time_relation_pairs("sum"), "end_pairs": time_relation_pairs("period_end")},
    )
    # A relation needs a total and at least one part (or, on a date, two cells).
    con.execute(
        """
        DELETE FROM dc_members WHERE rel IN (
            SELECT rel FROM dc_members GROUP BY rel
            HAVING NOT ((count(*) FILTER (WHERE is_total) = 1
                         AND count(*) FILTER (WHERE NOT is_total) >= 1)
                        OR (bool_and(is_total IS NULL) AND count(*) >= 2)))
        """
    )
    return int(con.execute("SELECT count(*) FROM dc_cells").fetchone()[0])


def hidden_count(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT count(*) FROM dc_cells WHERE hidden").fetchone()[0])


def _hide(con: duckdb.DuckDBPyConnection, select_cells: str, params: dict | None = None) -> int:
    """Hide the cells whose ids ``select_cells`` returns; how many were newly hidden."""
    before = hidden_count(con)
    con.execute(
        f"UPDATE dc_cells SET hidden = true WHERE NOT hidden AND cell_id IN ({select_cells})",
        params or {},
    )
    return hidden_count(con) - before


_MEMBER_STATE = """
    SELECT m.rel, m.is_total, m.cell_id, c.hidden, c.primary_, c.number
    FROM dc_members AS m JOIN dc_cells AS c USING (cell_id)
"""


def secondary_suppression(con: duckdb.DuckDBPyConnection, threshold: int) -> int:
    """The stage's secondary suppression (the rules of the module docstring) until nothing changes;
    returns how many cells it hid."""
    del threshold  # the primary cells already carry it
    total = 0
    while True:
        added = 0
        # 1. a small total hides every part of its relation
        added += _hide(
            con,
            f"""SELECT s.cell_id FROM ({_MEMBER_STATE}) AS s
                WHERE NOT s.is_total AND s.rel IN (
                    SELECT rel FROM ({_MEMBER_STATE}) WHERE is_total AND primary_)""",
        )
        # 2. values on one date are hidden together
        added += _hide(
            con,
            f"""SELECT s.cell_id FROM ({_MEMBER_STATE}) AS s
                WHERE s.is_total IS NULL AND s.rel IN (
                    SELECT rel FROM ({_MEMBER_STATE}) WHERE is_total IS NULL AND hidden)""",
        )
        # 3. no relation with exactly one hidden member
        added += _hide(
            con,
            f"""
            WITH state AS ({_MEMBER_STATE}),
            lonely AS (
                SELECT rel FROM state WHERE is_total IS NOT NULL
                GROUP BY rel HAVING count(*) FILTER (WHERE hidden) = 1
            ), ranked AS (
                SELECT s.rel, s.cell_id, row_number() OVER (
                    PARTITION BY s.rel
                    ORDER BY s.is_total, s.number = 0, s.number, s.cell_id) AS rank_
                FROM state AS s JOIN lonely USING (rel)
                WHERE NOT s.hidden
            )
            SELECT cell_id FROM ranked WHERE rank_ = 1
            """,
        )
        total += added
        if added == 0:
            return total


def primary_only(con: duckdb.DuckDBPyConnection, threshold: int) -> int:
    """No secondary suppression at all: the per-cell rule this stage replaces (for tests that show
    the audit rejects it)."""
    del con, threshold
    return 0


def widen(con: duckdb.DuckDBPyConnection, cell_ids: Sequence[int], *, wide: bool = False) -> int:
    """Hide more around cells the audit found unsafe: in every relation of each, the smallest
    non-zero shown member (a zero if there is no other). ``wide`` (when that was not enough): every
    shown member of every relation of the hidden cells those relations hold, two steps out.
    Returns how many cells were hidden."""
    if not cell_ids:
        return 0
    if wide:
        return _hide(
            con,
            f"""
            WITH state AS ({_MEMBER_STATE}),
            near AS (SELECT DISTINCT rel FROM dc_members WHERE list_contains($cells, cell_id)),
            hidden_near AS (
                SELECT DISTINCT s.cell_id FROM state AS s JOIN near USING (rel) WHERE s.hidden
            ),
            far AS (
                SELECT DISTINCT m.rel FROM dc_members AS m JOIN hidden_near USING (cell_id)
            )
            SELECT s.cell_id FROM state AS s JOIN far USING (rel) WHERE NOT s.hidden
            """,
            {"cells": [int(c) for c in cell_ids]},
        )
    return _hide(
        con,
        f"""
        WITH state AS ({_MEMBER_STATE}),
        touched AS (SELECT DISTINCT rel FROM dc_members WHERE list_contains($cells, cell_id)),
        ranked AS (
            SELECT s.cell_id, row_number() OVER (
                PARTITION BY s.rel ORDER BY s.number = 0, s.number, s.cell_id) AS rank_
            FROM state AS s JOIN touched USING (rel) WHERE NOT s.hidden
        )
        SELECT cell_id FROM ranked WHERE rank_ = 1
        """,
        {"cells": [int(c) for c in cell_ids]},
    )


def hide_tables(con: duckdb.DuckDBPyConnection, cell_ids: Sequence[int]) -> int:
    """The last resort when widening did not protect a cell: hide the whole table it is in (every
    place, group and measure of its indicator and period). Returns how many cells were hidden."""
    if not cell_ids:
        return 0
    return _hide(
        con,
        """
        SELECT c.cell_id FROM dc_cells AS c
        JOIN (SELECT DISTINCT indicator_code, period_type, period_id FROM dc_cells
              WHERE list_contains($cells, cell_id)) AS t
          USING (indicator_code, period_type, period_id)
        """,
        {"cells": [int(c) for c in cell_ids]},
    )
