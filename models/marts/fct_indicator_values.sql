-- Indicator values per period, geography and disaggregation.
--
-- Additive parts (int_indicator_parts, district grain) are rolled up to province and nation and
-- into each disaggregation by SUMMING numerators and denominators (ratios are never averaged); the
-- value is then numerator x factor / denominator, null when the denominator is 0 or unknown.
-- Counts have a null denominator and value = numerator. Kinds that cannot be summed (median,
-- distinct, survey) arrive as final values from int_indicator_values.
-- Each row then carries the catalogue target and a direction-aware status.
with

parts as (

    select * from {{ ref('int_indicator_parts') }}

),

final_values as (

    select * from {{ ref('int_indicator_values') }}

),

districts as (

    select geo_code as district_code, province_code
    from {{ ref('dim_geography') }}
    where geo_level = 'district'

),

indicators as (

    select
        indicator_code, unit, factor, direction,
        baseline_value, baseline_date, target_value, target_year
    from {{ ref('dim_indicator') }}

),

levels as (

    select * from (values ('district'), ('province'), ('national')) as levels (geo_level)

),

disaggregations as (

    select * from (
        values
            ('total')
        {%- for disaggregation in var('vocabularies')['disaggregation'] %},
            ('{{ disaggregation }}')
        {%- endfor %}
    ) as disaggregations (disaggregation)

),

-- each district part counts once in its district, its province and the nation, and once in the
-- total and once under each disaggregation it carries (sex, age band, disability). A part whose
-- place is unknown (no district, e.g. a helpline contact whose caller gave none, or a code the
-- statistics office does not know) counts in the nation only.
exploded as (

    select
        parts.indicator_code,
        parts.period_type,
        parts.period_id,
        parts.period_start,
        parts.period_end,
        levels.geo_level,
        case levels.geo_level
            when 'district' then districts.district_code
            when 'province' then districts.province_code
            else 'NAT'
        end as geo_code,
        disaggregations.disaggregation,
        case disaggregations.disaggregation
            when 'total' then 'total'
            when 'sex' then parts.sex
            when 'age_band' then parts.age_band
            when 'disability' then parts.disability
        end as disaggregation_value,
        parts.numerator,
        parts.denominator
    from parts
    left join districts
        on districts.district_code = parts.district_code
    cross join levels
    cross join disaggregations

),

rolled_up as (

    select
        indicator_code,
        period_type,
        period_id,
        period_start,
        period_end,
        geo_level,
        geo_code,
        disaggregation,
        disaggregation_value,
        -- summed as decimals: exact, so the result does not depend on the order DuckDB's
        -- parallel aggregation adds fractional parts in (re-runs give byte-identical values)
        cast(sum(cast(numerator as decimal(38, 9))) as double) as numerator,
        -- a denominator unknown in any part leaves the sum unknown
        case
            when count(denominator) = count(*)
                then cast(sum(cast(denominator as decimal(38, 9))) as double)
        end as denominator,
        cast(null as double) as value,
        cast(null as double) as ci_lower,
        cast(null as double) as ci_upper
    from exploded
    where disaggregation_value is not null
        and geo_code is not null
    group by all

),

-- only the breakdowns the catalogue gives an indicator (its `disaggregations`) are published
combined as (

    select unioned.*
    from (
        select * from rolled_up
        union all by name
        select * from final_values
    ) as unioned
    inner join {{ ref('dim_indicator') }} as catalogue
        on catalogue.indicator_code = unioned.indicator_code
    where unioned.disaggregation = 'total'
        or list_contains(
            string_split(coalesce(catalogue.disaggregations, ''), ';'), unioned.disaggregation
        )

),

coverage as (

    select * from {{ ref('int_indicator_coverage') }}

),

-- a value resting on no delivery at all of one of its feeds is unknown, not 0
covered as (

    select
        combined.* replace (
            case when coverage.has_no_data then null else combined.numerator end as numerator,
            case when coverage.has_no_data then null else combined.value end as value
        ),
        coalesce(coverage.has_no_data, false) as has_no_data,
        coverage.deliveries_expected,
        coverage.deliveries_received,
        coalesce(coverage.is_truncated, false) as is_truncated,
        coalesce(coverage.is_restated, false) as is_restated,
        coverage.coverage_note
    from combined
    -- a coverage row without a place holds for every place; one with a place (a feed of
    -- provincial reports) for that place only
    left join coverage
        on coverage.indicator_code = combined.indicator_code
        and coverage.period_id = combined.period_id
        and coalesce(coverage.geo_code, combined.geo_code) = combined.geo_code

),

valued as (

    select
        covered.*,
        indicators.direction,
        indicators.baseline_value,
        indicators.baseline_date,
        indicators.target_value,
        indicators.target_year,
        indicators.unit,
        case when not covered.has_no_data then coalesce(
            covered.value,
            case
                when indicators.unit = 'count' then covered.numerator
                else covered.numerator * indicators.factor / nullif(covered.denominator, 0)
            end
        ) end as computed_value
    from covered
    -- left join: an indicator missing from the catalogue keeps its rows (value null) and fails
    -- the relationships test instead of silently disappearing
    left join indicators
        on indicators.indicator_code = covered.indicator_code

),

-- Targets are national. Percentages, rates, ratios and durations are compared at every level;
-- a count target (e.g. children in care) applies to the nation only. Before the target year the
-- value is compared with a straight path from the baseline (when the catalogue has one) to the
-- target; from the target year on, and without a baseline, with the target itself.
targeted as (

    select
        *,
        target_value is not null
        and direction in ('up', 'down')
        and (unit <> 'count' or geo_level = 'national') as has_target,
        case
            when baseline_value is not null
                and baseline_date is not null
                and period_end > baseline_date
                and period_end < make_date(target_year, 12, 31)
                then baseline_value
                    + (target_value - baseline_value)
                    * date_diff('day', baseline_date, period_end)
                    / date_diff('day', baseline_date, make_date(target_year, 12, 31))
            else target_value
        end as expected_value
    from valued

),

final as (

    select
        indicator_code,
        period_type,
        period_id,
        period_start,
        period_end,
        geo_level,
        geo_code,
        disaggregation,
        disaggregation_value,
        cast(numerator as double) as numerator,
        cast(denominator as double) as denominator,
        cast(computed_value as double) as value,
        cast(ci_lower as double) as ci_lower,
        cast(ci_upper as double) as ci_upper,
        cast(case when has_target then target_value end as double) as target_value,
        cast(
            case
                when has_target and baseline_value is not null and target_value <> baseline_value
                    then (computed_value - baseline_value) / (target_value - baseline_value) * 100
            end
            as double
        ) as progress,
        case
            when not has_target then 'no_target'
            when computed_value is null then null
            when direction = 'up' and computed_value >= expected_value then 'on_track'
            when direction = 'down' and computed_value <= expected_value then 'on_track'
            else 'off_track'
        end as status,
        cast(
            case
                when deliveries_expected > 0
                    then 100.0 * deliveries_received / deliveries_expected
            end as double
        ) as coverage_pct,
        cast(deliveries_expected as integer) as deliveries_expected,
        cast(deliveries_received as integer) as deliveries_received,
        -- partial: some expected delivery is missing, or the records start after the span does
        has_no_data
            or is_truncated
            or coalesce(deliveries_received < deliveries_expected, false) as is_partial,
        is_restated,
        coverage_note
    from targeted

)

-- Stored in indicator order: the dashboard and analysts read one indicator at a time, and DuckDB
-- then skips the row groups of the others (at national scale 16 of 39 were read per indicator).
select * from final
order by indicator_code, period_type, period_id, geo_code, disaggregation, disaggregation_value
