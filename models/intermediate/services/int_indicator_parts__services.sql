-- Numerator and denominator of SS01, SS06, SS07 and SS08 at the finest grain: district x period
-- (x sex for SS01), for the period types the catalogue frequency of each indicator allows
-- (monthly: months, quarters, years; quarterly: quarters, years; yearly: years). Dense: every
-- district (of the admin units) x period (x sex) has a row, zero counts written as 0.
with

-- the periods each indicator's catalogue frequency reports
indicator_periods as (

    select indicator_code, period_type, period_id, period_start, period_end
    from {{ ref('int_indicator_periods') }}
    where indicator_code in ('SS01', 'SS06', 'SS07', 'SS08')

),

districts as (

    select unit_code as district_code
    from {{ ref('int_admin_units_deduplicated') }}
    where unit_level = 'district'

),

sexes as (

    select * from (values ('female'), ('male')) as sexes (sex)

),

-- SS01: lower-secondary (grades 7-9) dropout in the school year ending in the period's year.
census_by_year as (

    select
        school_year_end,
        district_code,
        sex,
        sum(left_without_completing) as left_without_completing,
        sum(enrolled_at_start) as enrolled_at_start
    from {{ ref('int_school_census_deduplicated') }}
    where grade between 7 and 9
    group by 1, 2, 3

),

ss01 as (

    select
        indicator_periods.indicator_code,
        indicator_periods.period_type,
        indicator_periods.period_id,
        indicator_periods.period_start,
        indicator_periods.period_end,
        districts.district_code,
        sexes.sex,
        cast(coalesce(census_by_year.left_without_completing, 0) as double) as numerator,
        cast(coalesce(census_by_year.enrolled_at_start, 0) as double) as denominator
    from indicator_periods
    cross join districts
    cross join sexes
    left join census_by_year
        on census_by_year.school_year_end = year(indicator_periods.period_end)
        and census_by_year.district_code = districts.district_code
        and census_by_year.sex = sexes.sex
    where indicator_periods.indicator_code = 'SS01'

),

-- SS06 and SS07: inspections carried out during the period (by inspection date; a flow).
inspections_by_day as (

    select
        inspection_date,
        district_code,
        count(*) as inspections,
        count(*) filter (where child_workers_found >= 1) as inspections_finding_children,
        sum(children_withdrawn_and_referred) as children_withdrawn_and_referred
    from {{ ref('int_labour_inspections_deduplicated') }}
    group by 1, 2

),

inspections_in_period as (

    select
        indicator_periods.indicator_code,
        indicator_periods.period_id,
        inspections_by_day.district_code,
        sum(inspections_by_day.inspections) as inspections,
        sum(inspections_by_day.inspections_finding_children) as inspections_finding_children,
        sum(inspections_by_day.children_withdrawn_and_referred) as children_withdrawn_and_referred
    from indicator_periods
    inner join inspections_by_day
        on inspections_by_day.inspection_date
            between indicator_periods.period_start and indicator_periods.period_end
    where indicator_periods.indicator_code in ('SS06', 'SS07')
    group by 1, 2, 3

),

ss06_ss07 as (

    select
        indicator_periods.indicator_code,
        indicator_periods.period_type,
        indicator_periods.period_id,
        indicator_periods.period_start,
        indicator_periods.period_end,
        districts.district_code,
        cast(null as varchar) as sex,
        cast(
            case indicator_periods.indicator_code
                when 'SS06' then coalesce(inspections_in_period.inspections_finding_children, 0)
                else coalesce(inspections_in_period.children_withdrawn_and_referred, 0)
            end
            as double
        ) as numerator,
        cast(
            case indicator_periods.indicator_code
                when 'SS06' then coalesce(inspections_in_period.inspections, 0)
            end
            as double
        ) as denominator
    from indicator_periods
    cross join districts
    left join inspections_in_period
        on inspections_in_period.indicator_code = indicator_periods.indicator_code
        and inspections_in_period.period_id = indicator_periods.period_id
        and inspections_in_period.district_code = districts.district_code
    where indicator_periods.indicator_code in ('SS06', 'SS07')

),

-- SS08: children in enrolled households on the period's last day (a stock): enrolled on or
-- before it and not exited by it (an exit on the last day leaves the household out).
household_spells as (

    select
        district_code,
        enrolled_date,
        exit_date,
        sum(children_in_household) as children
    from {{ ref('int_cash_transfer_households_deduplicated') }}
    group by 1, 2, 3

),

children_enrolled as (

    select
        indicator_periods.period_id,
        household_spells.district_code,
        sum(household_spells.children) as children
    from indicator_periods
    inner join household_spells
        on household_spells.enrolled_date <= indicator_periods.period_end
        and coalesce(household_spells.exit_date, date '9999-12-31') > indicator_periods.period_end
    where indicator_periods.indicator_code = 'SS08'
    group by 1, 2

),

child_population as (

    select population_year, district_code, sum(population) as population
    from {{ ref('int_child_population_by_district') }}
    group by 1, 2

),

ss08 as (

    select
        indicator_periods.indicator_code,
        indicator_periods.period_type,
        indicator_periods.period_id,
        indicator_periods.period_start,
        indicator_periods.period_end,
        districts.district_code,
        cast(null as varchar) as sex,
        cast(coalesce(children_enrolled.children, 0) as double) as numerator,
        -- a missing population figure gives a null denominator (and value)
        cast(child_population.population as double) as denominator
    from indicator_periods
    cross join districts
    left join children_enrolled
        on children_enrolled.period_id = indicator_periods.period_id
        and children_enrolled.district_code = districts.district_code
    left join child_population
        on child_population.population_year = year(indicator_periods.period_end)
        and child_population.district_code = districts.district_code
    where indicator_periods.indicator_code = 'SS08'

),

unioned as (

    select * from ss01
    union all by name
    select * from ss06_ss07
    union all by name
    select * from ss08

)

select
    indicator_code,
    period_type,
    period_id,
    period_start,
    period_end,
    district_code,
    sex,
    cast(null as varchar) as age_band,
    cast(null as varchar) as disability,
    numerator,
    denominator
from unioned
