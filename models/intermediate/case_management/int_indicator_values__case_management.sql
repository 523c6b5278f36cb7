-- Final values of the indicators of this area that cannot be summed, computed from the records at
-- each level (district, province, nation) and disaggregation (total, sex, age band, disability)
-- by GROUPING SETS:
--   VE02 distinct children with a case open at any time during the period (opened on or before
--        its last day, not closed before its first day), every period. A child is counted once
--        per geography and group: a child with cases in two districts counts in each district,
--        once in a province and once nationally. The child's sex and disability come from the
--        child's latest opened case in the period, the age band from the age on the last day in
--        the period with a case open. A count: numerator = value, no denominator.
--   VE07 median days from opening (day) to closure over the cases closed in the period, every
--        period; an even number of cases gives the mean of the two middle values. Age band at
--        closure. denominator = the number of cases closed (the records the median is over), no
--        numerator (a median is not a ratio), so a period without closures has a null value.
--   VE09 cases open on the last day of its periods (quarters and years: its catalogue frequency,
--        int_indicator_periods) over the distinct social workers in
--        post that day who held at least one of them (int_caseload_on_dates), total only. A
--        worker holding cases in two districts counts in each district, once in a province and
--        once nationally; cases held by nobody, or by a worker no longer in post, count as open
--        cases only.
-- A case whose district the statistics office does not know counts in the nation only. Every
-- geography x period has a total row (zero / null when nothing happened); groups with no records
-- (e.g. no child with a disability) have no row; unknown disability is not a group.
{% set grouping_sets = [] %}
{% for dim in [none, 'sex', 'age_band', 'disability'] %}
{% do grouping_sets.append(
    '(' ~ (['indicator_code', 'period_id', 'geo_level', 'geo_code'] + ([dim] if dim else []))
    | join(', ') ~ ')'
) %}
{% endfor %}
with

periods as (

    select period_type, period_id, period_start, period_end
    from {{ ref('int_reporting_periods') }}

),

districts as (

    select unit_code as district_code, parent_code as province_code
    from {{ ref('int_admin_units_deduplicated') }}
    where unit_level = 'district'

),

cases as (

    select
        cases.* exclude (district_code),  -- noqa: RF02
        districts.district_code,
        districts.province_code
    from {{ ref('int_cases_deduplicated') }} as cases
    left join districts
        on districts.district_code = cases.district_code

),

-- VE02: one row per case x period it was open in, with the last day in the period it was open
open_in_period as (

    select
        periods.period_id,
        cases.child_id,
        cases.district_code,
        cases.province_code,
        cases.opened_at,
        cases.sex,
        cases.disability,
        cases.date_of_birth,
        least(periods.period_end, coalesce(cases.closed_date, periods.period_end)) as last_open_day
    from periods
    inner join cases
        on cases.opened_date <= periods.period_end
        and coalesce(cases.closed_date, date '9999-12-31') >= periods.period_start

),

child_in_period as (

    select
        period_id,
        child_id,
        arg_max(sex, opened_at) as sex,
        arg_max(disability, opened_at) as disability,
        {{ age_band(age_on('arg_max(date_of_birth, opened_at)', 'max(last_open_day)')) }}
            as age_band
    from open_in_period
    group by all

),

-- Every record once per place it counts in (its district, its province, the nation), so that
-- each level is a plain count: a child is one row per period and place, a closed case one row.
child_places as (

    select distinct period_id, child_id, 'district' as geo_level, district_code as geo_code
    from open_in_period
    where district_code is not null

    union all

    select distinct period_id, child_id, 'province', province_code
    from open_in_period
    where province_code is not null

    union all

    select period_id, child_id, 'national', 'NAT'
    from child_in_period

),

levels as (

    select * from (values ('district'), ('province'), ('national')) as levels (geo_level)

),

records as (

    select
        'VE02' as indicator_code,
        child_places.period_id,
        child_places.geo_level,
        child_places.geo_code,
        child_in_period.sex,
        child_in_period.age_band,
        child_in_period.disability,
        cast(null as integer) as days
    from child_places
    inner join child_in_period
        on child_in_period.period_id = child_places.period_id
        and child_in_period.child_id = child_places.child_id

    union all

    -- VE07: the cases closed in the period
    select
        'VE07',
        periods.period_id,
        levels.geo_level,
        case levels.geo_level
            when 'district' then cases.district_code
            when 'province' then cases.province_code
            else 'NAT'
        end,
        cases.sex,
        {{ age_band(age_on('cases.date_of_birth', 'cases.closed_date')) }},
        cases.disability,
        date_diff('day', cases.opened_date, cases.closed_date)
    from periods
    inner join cases
        on cases.closed_date between periods.period_start and periods.period_end
    cross join levels

),

grouped as (

    select
        indicator_code,
        period_id,
        geo_level,
        geo_code,
        sex,
        age_band,
        disability,
        grouping(sex) as not_by_sex,
        grouping(age_band) as not_by_age_band,
        grouping(disability) as not_by_disability,
        count(*) as records,
        quantile_cont(days, 0.5) as median_days
    from records
    group by grouping sets (  -- noqa: PRS
        {{ grouping_sets | join(',\n        ') }}
    )

),

-- VE09: open cases and the distinct social workers in post holding them, per level
caseload as (

    select
        periods.period_id,
        caseload.district_code,
        districts.province_code,
        caseload.case_id,
        case when caseload.worker_in_post then caseload.social_worker_id end as worker_id
    from {{ ref('int_caseload_on_dates') }} as caseload
    inner join {{ ref('int_indicator_periods') }} as periods
        on periods.indicator_code = 'VE09'
        and periods.period_end = caseload.as_of_date
    left join districts
        on districts.district_code = caseload.district_code

),

caseload_grouped as (

    select
        'VE09' as indicator_code,
        period_id,
        case
            when grouping(district_code) = 0 then 'district'
            when grouping(province_code) = 0 then 'province'
            else 'national'
        end as geo_level,
        case
            when grouping(district_code) = 0 then district_code
            when grouping(province_code) = 0 then province_code
            else 'NAT'
        end as geo_code,
        'total' as disaggregation,
        'total' as disaggregation_value,
        count(*) as open_cases,
        count(distinct worker_id) as workers
    from caseload
    -- noqa: disable=PRS
    group by grouping sets ((period_id, district_code), (period_id, province_code), (period_id))
    -- noqa: enable=PRS

),

labelled as (

    select
        indicator_code,
        period_id,
        geo_level,
        geo_code,
        case
            when not_by_sex = 0 then 'sex'
            when not_by_age_band = 0 then 'age_band'
            when not_by_disability = 0 then 'disability'
            else 'total'
        end as disaggregation,
        case
            when not_by_sex = 0 then sex
            when not_by_age_band = 0 then age_band
            when not_by_disability = 0 then disability
            else 'total'
        end as disaggregation_value,
        records,
        median_days
    from grouped

),

geographies as (

    select 'district' as geo_level, district_code as geo_code from districts
    union
    select 'province', province_code from districts
    union
    select 'national', 'NAT'

),

finals as (

    select
        indicator_code, period_id, geo_level, geo_code, disaggregation, disaggregation_value,
        cast(case when indicator_code = 'VE02' then records end as double) as numerator,
        cast(case when indicator_code = 'VE07' then records end as double) as denominator,
        cast(
            case when indicator_code = 'VE07' then median_days else records end as double
        ) as value
    from labelled
    where disaggregation_value is not null
        and geo_code is not null

    union all

    select
        indicator_code, period_id, geo_level, geo_code, disaggregation, disaggregation_value,
        open_cases, workers, open_cases / nullif(workers, 0)
    from caseload_grouped
    where geo_code is not null

),

dense_totals as (

    select
        indicators.indicator_code,
        indicators.period_id,
        geographies.geo_level,
        geographies.geo_code,
        'total' as disaggregation,
        'total' as disaggregation_value,
        case when indicators.indicator_code <> 'VE07' then 0.0 end as numerator,
        case when indicators.indicator_code <> 'VE02' then 0.0 end as denominator,
        case when indicators.indicator_code = 'VE02' then 0.0 end as value
    from {{ ref('int_indicator_periods') }} as indicators
    cross join geographies
    where indicators.indicator_code in ('VE02', 'VE07', 'VE09')

),

combined as (

    select * from finals
    union all by name
    select * from dense_totals
    where not exists (
        select 1 from finals
        where finals.indicator_code = dense_totals.indicator_code
            and finals.period_id = dense_totals.period_id
            and finals.geo_code = dense_totals.geo_code
            and finals.disaggregation = 'total'
    )

)

select
    combined.indicator_code,
    periods.period_type,
    periods.period_id,
    periods.period_start,
    periods.period_end,
    combined.geo_level,
    combined.geo_code,
    combined.disaggregation,
    combined.disaggregation_value,
    cast(combined.numerator as double) as numerator,
    cast(combined.denominator as double) as denominator,
    cast(combined.value as double) as value,
    cast(null as double) as ci_lower,
    cast(null as double) as ci_upper
from combined
-- only the periods each indicator's catalogue frequency reports
inner join {{ ref('int_indicator_periods') }} as periods
    on periods.indicator_code = combined.indicator_code
    and periods.period_id = combined.period_id
