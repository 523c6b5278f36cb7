"""Differencing attacks on a published warehouse, as a donor with a spreadsheet would try them.

Written independently of the disclosure stage (``cpmonitor.disclosure``): it reads only what an
audience is shown (``protected.indicator_values`` for that audience) and tries the subtractions of
issue 9, then judges each guess against the exact values (``main.fct_indicator_values``, which the
attacker does not have):

- a place minus its shown sub-places (nation minus provinces, province minus districts), and a hidden
  place as the sum of its shown sub-places;
- a total minus the shown groups of a breakdown (sex, age band, disability), and the reverse;
- a year minus its shown quarters or months, a quarter minus its months, for counts that add up over
  time (``ADDS_UP``); a year read off its December or fourth quarter for values on a date
  (``ON_A_DATE``);
- a rate times its shown denominator;
- the group attack: a total hidden as a small count whose parts are all shown as 0 but one, which
  points at the place, group or month where the few children are.

A guess "recovers" a hidden cell when it equals the exact value (to 0.5). ``attack`` returns every
recovery (and every small total located by zeros), so a test can require none. All of it runs in
DuckDB, on the published file, read-only.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

# What an attacker knows of the definitions (checked on the demo warehouse: a year's numerator is the
# sum of its months for flows and deaths in care, a median's record count too; stocks and the cohort
# and cumulative rates are values at the period end, as is the care population below a rate).
ADDS_UP = [
    ("flow", "numerator"),
    ("flow_rate", "numerator"),
    ("rate", "numerator"),
    ("median", "denominator"),
]
ON_A_DATE = [
    *(
        (kind, measure)
        for kind in ("stock", "stock_rate", "cohort_rate", "cumulative_rate")
        for measure in ("numerator", "denominator")
    ),
    ("rate", "denominator"),
]


@dataclass(frozen=True)
class Recovery:
    """One hidden cell an attack recovered exactly (or a small total it located)."""

    attack: str
    indicator_code: str
    period_id: str
    geo_code: str
    group: str
    measure: str
    guessed: float | None
    exact: float | None


_CELLS = """
CREATE OR REPLACE TEMP TABLE attack_cells AS
SELECT p.indicator_code, p.period_type, p.period_id, p.period_start, p.period_end, p.geo_level,
       p.geo_code, g.parent_code, p.disaggregation, p.disaggregation_value, d.kind, m.measure,
       CASE m.measure WHEN 'numerator' THEN p.numerator ELSE p.denominator END AS number,
       coalesce(CASE m.measure WHEN 'numerator' THEN p.suppressed
                ELSE p.denominator_suppressed END, false) AS hidden,
       p.suppression_reason,
       CASE m.measure WHEN 'numerator' THEN f.numerator ELSE f.denominator END AS exact,
       year(p.period_start)::VARCHAR AS yr,
       year(p.period_start)::VARCHAR || 'Q' || quarter(p.period_start)::VARCHAR AS yq
FROM protected.indicator_values AS p
JOIN main.dim_geography AS g ON g.geo_code = p.geo_code
JOIN main.dim_indicator AS d ON d.indicator_code = p.indicator_code
CROSS JOIN (VALUES ('numerator'), ('denominator')) AS m (measure)
JOIN main.fct_indicator_values AS f
  ON f.indicator_code = p.indicator_code AND f.period_type = p.period_type
 AND f.period_id = p.period_id AND f.geo_code = p.geo_code
 AND f.disaggregation = p.disaggregation AND f.disaggregation_value = p.disaggregation_value
WHERE p.audience = $audience AND d.disclosure_class = 'children_or_events'
  AND (m.measure = 'numerator' OR p.denominator IS NOT NULL OR p.denominator_suppressed)
"""

# Every relation an attacker knows, as memberships: (rel, relation name, is_total, the cell).
_MEMBERS = """
CREATE OR REPLACE TEMP TABLE attack_members AS
WITH c AS (SELECT * FROM attack_cells),
adds AS (SELECT * FROM c WHERE list_contains($adds_up, [kind, measure]))
-- places
SELECT concat_ws('|', 'geo', indicator_code, period_type, period_id, disaggregation,
                 disaggregation_value, measure, parent_code) AS rel,
       CASE geo_level WHEN 'province' THEN 'nation minus its provinces'
            ELSE 'province minus its districts' END AS relation, false AS is_total, c.*
FROM c WHERE geo_level <> 'national'
UNION ALL
SELECT concat_ws('|', 'geo', indicator_code, period_type, period_id, disaggregation,
                 disaggregation_value, measure, geo_code),
       CASE geo_level WHEN 'national' THEN 'nation minus its provinces'
            ELSE 'province minus its districts' END, true, c.*
FROM c WHERE geo_level <> 'district'
-- breakdowns
UNION ALL
SELECT concat_ws('|', 'grp', indicator_code, period_type, period_id, geo_code, measure, disaggregation),
       'total minus ' || disaggregation || ' groups', false, c.*
FROM c WHERE disaggregation <> 'total'
UNION ALL
SELECT concat_ws('|', 'grp', indicator_code, period_type, period_id, geo_code, measure, family.f),
       'total minus ' || family.f || ' groups', true, c.*
FROM c CROSS JOIN (VALUES ('sex'), ('age_band'), ('disability')) AS family (f)
WHERE disaggregation = 'total'
-- time, for counts that add up
UNION ALL
SELECT concat_ws('|', 'yq', indicator_code, geo_code, disaggregation, disaggregation_value, measure, yr),
       'year minus quarters', period_type = 'year', adds.*
FROM adds WHERE period_type IN ('year', 'quarter')
UNION ALL
SELECT concat_ws('|', 'ym', indicator_code, geo_code, disaggregation, disaggregation_value, measure, yr),
       'year minus months', period_type = 'year', adds.*
FROM adds WHERE period_type IN ('year', 'month')
UNION ALL
SELECT concat_ws('|', 'qm', indicator_code, geo_code, disaggregation, disaggregation_value, measure, yq),
       'quarter minus months', period_type = 'quarter', adds.*
FROM adds WHERE period_type IN ('quarter', 'month')
"""

_STATS = """
CREATE OR REPLACE TEMP TABLE attack_stats AS
SELECT rel, any_value(relation) AS relation,
       count(*) FILTER (WHERE is_total) AS n_total,
       count(*) FILTER (WHERE NOT is_total) AS n_parts,
       count(*) FILTER (WHERE NOT is_total AND hidden) AS hidden_parts,
       count(*) FILTER (WHERE NOT is_total AND NOT hidden AND number = 0) AS zero_parts,
       coalesce(sum(number) FILTER (WHERE NOT is_total AND NOT hidden), 0) AS shown_sum,
       any_value(number) FILTER (WHERE is_total) AS total_number,
       bool_or(hidden) FILTER (WHERE is_total) AS total_hidden
FROM attack_members GROUP BY rel
HAVING count(*) FILTER (WHERE is_total) = 1 AND count(*) FILTER (WHERE NOT is_total) > 0
"""

_GUESSES = """
SELECT relation AS attack, indicator_code, period_id, geo_code,
       disaggregation || '=' || disaggregation_value AS grp, measure, guess, exact
FROM (
    -- the one hidden part of a shown total
    SELECT s.relation, m.* EXCLUDE (relation), s.total_number - s.shown_sum AS guess
    FROM attack_members AS m JOIN attack_stats AS s USING (rel)
    WHERE NOT m.is_total AND m.hidden AND s.hidden_parts = 1 AND NOT s.total_hidden
    UNION ALL BY NAME
    -- a hidden total whose parts are all shown
    SELECT s.relation || ' (sum of the parts)' AS relation, m.* EXCLUDE (relation),
           s.shown_sum AS guess
    FROM attack_members AS m JOIN attack_stats AS s USING (rel)
    WHERE m.is_total AND m.hidden AND s.hidden_parts = 0
    UNION ALL BY NAME
    -- values on a date: the same date in another period type
    SELECT 'same date, other period type' AS relation, h.*, k.number AS guess
    FROM attack_cells AS h
    JOIN attack_cells AS k
      ON k.indicator_code = h.indicator_code AND k.geo_code = h.geo_code
     AND k.disaggregation = h.disaggregation AND k.disaggregation_value = h.disaggregation_value
     AND k.measure = h.measure AND k.period_end = h.period_end AND k.period_type <> h.period_type
    WHERE h.hidden AND NOT k.hidden AND list_contains($on_a_date, [h.kind, h.measure])
)
WHERE abs(guess - exact) < 0.5
UNION ALL
-- a small hidden total whose parts are all 0 but the one hidden
SELECT 'small total located by zeros: ' || s.relation, m.indicator_code, m.period_id, m.geo_code,
       m.disaggregation || '=' || m.disaggregation_value, m.measure, NULL, NULL
FROM attack_members AS m JOIN attack_stats AS s USING (rel)
WHERE m.is_total AND m.hidden AND m.suppression_reason = 'small_count'
  AND s.n_parts > 1 AND s.hidden_parts = 1 AND s.zero_parts = s.n_parts - 1
UNION ALL
-- a rate times its shown denominator
SELECT 'rate times denominator', p.indicator_code, p.period_id, p.geo_code,
       p.disaggregation || '=' || p.disaggregation_value, 'numerator',
       -- value x denominator / the unit's factor (per 100, per 100,000) is the numerator
       f.numerator, f.numerator
FROM protected.indicator_values AS p
JOIN main.fct_indicator_values AS f
  ON f.indicator_code = p.indicator_code AND f.period_type = p.period_type
 AND f.period_id = p.period_id AND f.geo_code = p.geo_code
 AND f.disaggregation = p.disaggregation AND f.disaggregation_value = p.disaggregation_value
WHERE p.audience = $audience AND p.numerator IS NULL AND p.value IS NOT NULL
  AND p.denominator IS NOT NULL AND f.numerator IS NOT NULL
"""


def attack(con: duckdb.DuckDBPyConnection, audience: str) -> list[Recovery]:
    """Every hidden cell of ``audience`` the attacks recover exactly, and every small total located
    by zeros (``con`` may be read-only: only temporary tables are written)."""
    con.execute(_CELLS, {"audience": audience})
    con.execute(_MEMBERS, {"adds_up": [list(pair) for pair in ADDS_UP]})
    con.execute(_STATS)
    rows = con.execute(
        _GUESSES, {"audience": audience, "on_a_date": [list(pair) for pair in ON_A_DATE]}
    ).fetchall()
    return [Recovery(*row) for row in rows]
