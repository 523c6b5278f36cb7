"""Cross-feed rules: consistency between feeds (or between the rows of one feed) that no single
contract rule can see, run on a build.

Each rule is one SQL query over the build's intermediate tables (row-level, pseudonymised data that is
never published) returning one row per violation with a ``label`` naming the place and period (never a
child or case identifier) and the numbers involved. They run after dbt and before the pipeline drops
the row-level schemas. A rule whose tables are missing from the build reports that it could not run
(a warning), so a renamed model never silently switches a rule off.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from expectations.results import CheckResult, Severity, utc_now

SUITE = "cross_feed"
EXAMPLES = 5


@dataclass(frozen=True)
class CrossFeedRule:
    """A named SQL rule: ``sql`` returns one row per violation with a text column ``label``."""

    name: str
    severity: Severity
    tables: tuple[str, ...]
    target: str
    problem: str  # "<n> <problem>", e.g. "district-months have more exits than children"
    sql: str


EXITS_WITHIN_STOCK = CrossFeedRule(
    name="exits_never_exceed_children_in_care_plus_entries",
    severity="error",
    tables=("intermediate.int_placements_deduplicated", "intermediate.int_reporting_periods"),
    target="placements",
    problem=(
        "district-month(s) have more exits from residential care than children in residential care "
        "at the previous month end plus children entering during the month"
    ),
    sql="""
with episodes as (
    select child_id, district_code, start_date, end_date, exit_reason
    from intermediate.int_placements_deduplicated
    where care_type = 'residential'
),
months as (
    select period_id, period_start, period_end
    from intermediate.int_reporting_periods where period_type = 'month'
),
districts as (select distinct district_code from episodes),
grid as (select * from months cross join districts),
stock as (
    select grid.period_id, grid.district_code, count(distinct e.child_id) as children
    from grid join episodes e
      on e.district_code = grid.district_code
     and e.start_date < grid.period_start
     and coalesce(e.end_date, date '9999-12-31') >= grid.period_start
    group by all
),
entries as (
    select grid.period_id, grid.district_code, count(*) as entries
    from grid join episodes e
      on e.district_code = grid.district_code
     and e.start_date between grid.period_start and grid.period_end
    group by all
),
exits as (
    select grid.period_id, grid.district_code, count(*) as exits
    from grid join episodes e
      on e.district_code = grid.district_code
     and e.end_date between grid.period_start and grid.period_end
     and e.exit_reason is not null and e.exit_reason <> 'transferred'
    group by all
)
select
    'district ' || exits.district_code || ' ' || exits.period_id || ': ' || exits.exits
        || ' exits, ' || coalesce(stock.children, 0) || ' in care at the previous month end + '
        || coalesce(entries.entries, 0) || ' entries' as label
from exits
left join stock using (period_id, district_code)
left join entries using (period_id, district_code)
where exits.exits > coalesce(stock.children, 0) + coalesce(entries.entries, 0)
order by exits.period_id, exits.district_code
""",
)

PLACEMENTS_IN_CLOSED_INSTITUTIONS = CrossFeedRule(
    name="placements_only_in_open_institutions",
    severity="warning",
    tables=(
        "intermediate.int_placements_deduplicated",
        "intermediate.int_care_institutions_deduplicated",
    ),
    target="placements, care_institutions",
    problem=(
        "institution(s) of the register have residential placements before they opened or after "
        "they closed"
    ),
    sql="""
select
    'institution ' || i.institution_id || ' (' || i.institution_name || ', '
        || case when i.closed_date is null then 'opened ' || i.opened_date
                else 'open ' || i.opened_date || ' to ' || i.closed_date end
        || '): ' || count(*) || ' placement(s)' as label
from intermediate.int_placements_deduplicated p
join intermediate.int_care_institutions_deduplicated i using (institution_id)
where p.care_type = 'residential'
  and (p.start_date < i.opened_date
       or (i.closed_date is not null
           and coalesce(p.end_date, date '9999-12-31') > i.closed_date))
group by i.institution_id, i.institution_name, i.opened_date, i.closed_date
order by count(*) desc, i.institution_id
""",
)

PLACEMENTS_IN_UNKNOWN_INSTITUTIONS = CrossFeedRule(
    name="residential_placements_name_a_registered_institution",
    severity="warning",
    tables=(
        "intermediate.int_placements_deduplicated",
        "intermediate.int_care_institutions_deduplicated",
    ),
    target="placements, care_institutions",
    problem="residential placement institution code(s) are not in the register of institutions",
    sql="""
select
    'institution code ' || coalesce(p.institution_id, '(none)') || ': ' || count(*)
        || ' placement(s)' as label
from intermediate.int_placements_deduplicated p
left join intermediate.int_care_institutions_deduplicated i using (institution_id)
where p.care_type = 'residential' and i.institution_id is null
group by p.institution_id
order by count(*) desc, p.institution_id
""",
)

SURVEY_TOTALS_CONSISTENT = CrossFeedRule(
    name="survey_totals_agree_with_girls_and_boys",
    severity="warning",
    tables=("intermediate.int_survey_estimates_deduplicated",),
    target="survey_estimates",
    problem=(
        "survey estimate(s) published by sex are not consistent with their total (the total must "
        "lie between the girls' and the boys' estimates, and its unweighted base must be theirs "
        "added up)"
    ),
    # Only estimates (%) are named, never a base: a base is a number of children or women.
    sql="""
with groups as (
    select
        survey_name,
        indicator_code,
        any_value(geo_level) as geo_level,
        geo_code,
        max(estimate) filter (where sex_code = 'total') as total_estimate,
        max(estimate) filter (where sex_code = 'F') as girls_estimate,
        max(estimate) filter (where sex_code = 'M') as boys_estimate,
        max(unweighted_base) filter (where sex_code = 'total') as total_base,
        max(unweighted_base) filter (where sex_code = 'F') as girls_base,
        max(unweighted_base) filter (where sex_code = 'M') as boys_base
    from intermediate.int_survey_estimates_deduplicated
    group by survey_name, indicator_code, geo_code
),
checked as (
    select
        *,
        total_estimate < least(girls_estimate, boys_estimate)
            or total_estimate > greatest(girls_estimate, boys_estimate) as outside,
        total_base <> girls_base + boys_base as bases_off
    from groups
    where total_estimate is not null
      and girls_estimate is not null
      and boys_estimate is not null
)
select
    survey_name || ' ' || indicator_code || ' '
        || case when geo_level = 'national' then 'national' else 'province ' || geo_code end
        || ': ' || concat_ws(
            ' and ',
            case when outside then
                'total ' || total_estimate || '% not between girls ' || girls_estimate
                || '% and boys ' || boys_estimate || '%'
            end,
            case when bases_off then 'unweighted bases do not add up (total is not girls + boys)' end
        ) as label
from checked
where outside or bases_off
order by survey_name, indicator_code, geo_level, geo_code
""",
)

RULES: tuple[CrossFeedRule, ...] = (
    EXITS_WITHIN_STOCK,
    PLACEMENTS_IN_CLOSED_INSTITUTIONS,
    PLACEMENTS_IN_UNKNOWN_INSTITUTIONS,
    SURVEY_TOTALS_CONSISTENT,
)


def run_cross_feed_rules(
    con: duckdb.DuckDBPyConnection,
    *,
    run_id: str,
    rules: tuple[CrossFeedRule, ...] = RULES,
) -> list[CheckResult]:
    """Evaluate each rule on an open build; one result per rule."""
    present = _relations(con)
    checked_at = utc_now()
    results = []
    for rule in rules:
        missing = [t for t in rule.tables if t not in present]
        if missing:
            success, severity, count = False, "warning", None
            details = f"could not run: {', '.join(missing)} is not in the build"
        else:
            labels = [row[0] for row in con.execute(rule.sql).fetchall()]
            success, severity, count = not labels, rule.severity, len(labels)
            details = _describe(rule, labels)
        results.append(
            CheckResult(
                run_id=run_id,
                checked_at=checked_at,
                suite=SUITE,
                target=rule.target,
                expectation=rule.name,
                column_name=None,
                success=success,
                severity=severity,
                unexpected_count=count,
                details=details,
            )
        )
    return results


def _describe(rule: CrossFeedRule, labels: list[str]) -> str:
    if not labels:
        return ""
    shown = "; ".join(labels[:EXAMPLES])
    more = "e.g. " if len(labels) > EXAMPLES else ""
    return f"{len(labels)} {rule.problem} ({more}{shown})"


def _relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables"
    ).fetchall()
    return {r[0] for r in rows}
