-- Numerator and denominator of CR01, CR05, SS03 and SS04 at district grain, for every period the
-- catalogue frequency allows (monthly: months, quarters, years; yearly: years). All four are
-- flows: events dated in [period_start, period_end], summed. Dense: every district x period x
-- the indicator's disaggregation values has a row, zero counts written as 0.
--   CR01 (sex): births registered within 30 days whose registration date is in the period, over
--        the statistics office's estimate of the year's live births pro-rated by the period's
--        days (a month of 2016 gets 31/366 of 2016's estimate; a year gets all of it).
--   SS03 (sex, age band; a count): children treated for violence at health facilities.
--   SS04 (sex, age band): survivors of sexual violence given post-exposure care within 72 hours
--        over survivors presenting.
--   CR05 (no disaggregation; yearly): live births at facilities to girls 15-19 over the girls
--        aged 15-19 of the period's year.
-- A missing live-birth estimate or population figure gives a null denominator.
with

-- district x period x sex x age band: every cell of the grid gets a row
district_grid as (

    select * from {{ ref('int_district_period_grid') }}

),

-- CR01 -------------------------------------------------------------------------------------

on_time_by_day as (

    select
        registration_date,
        district_code,
        sex,
        count(*) as registrations
    from {{ ref('int_birth_registrations_deduplicated') }}
    where is_on_time
    group by 1, 2, 3

),

cr01_grid as (

    select distinct period_type, period_id, period_start, period_end, district_code, sex
    from district_grid

),

cr01_on_time as (

    select
        cr01_grid.period_id,
        cr01_grid.district_code,
        cr01_grid.sex,
        sum(on_time_by_day.registrations) as registrations
    from cr01_grid
    inner join on_time_by_day
        on on_time_by_day.district_code = cr01_grid.district_code
        and on_time_by_day.sex = cr01_grid.sex
        and on_time_by_day.registration_date between cr01_grid.period_start and cr01_grid.period_end
    group by 1, 2, 3

),

cr01 as (

    select
        'CR01' as indicator_code,
        cr01_grid.period_type,
        cr01_grid.period_id,
        cr01_grid.period_start,
        cr01_grid.period_end,
        cr01_grid.district_code,
        cr01_grid.sex,
        cast(null as varchar) as age_band,
        cast(coalesce(cr01_on_time.registrations, 0) as double) as numerator,
        -- the year's estimate x days of the period / days of the year
        estimates.estimated_live_births
            * cast(date_diff('day', cr01_grid.period_start, cr01_grid.period_end) + 1 as double)
            / date_diff(
                'day',
                make_date(year(cr01_grid.period_start), 1, 1),
                make_date(year(cr01_grid.period_start) + 1, 1, 1)
            ) as denominator
    from cr01_grid
    left join cr01_on_time
        on cr01_on_time.period_id = cr01_grid.period_id
        and cr01_on_time.district_code = cr01_grid.district_code
        and cr01_on_time.sex = cr01_grid.sex
    left join {{ ref('int_live_birth_estimates_deduplicated') }} as estimates
        on estimates.estimate_year = year(cr01_grid.period_start)
        and estimates.district_code = cr01_grid.district_code
        and estimates.sex = cr01_grid.sex

),

-- SS03, SS04 -------------------------------------------------------------------------------

facility_months as (

    select
        reporting_month,
        district_code,
        sex,
        age_group as age_band,
        sum(value) filter (where data_element = 'violence_cases_treated') as violence_treated,
        sum(value) filter (where data_element = 'sexual_violence_survivors_presented')
            as survivors_presented,
        sum(value) filter (where data_element = 'post_exposure_care_within_72h') as pep_within_72h
    from {{ ref('int_facility_child_protection_deduplicated') }}
    where age_group in ('0-4', '5-9', '10-14', '15-17')
    group by 1, 2, 3, 4

),

child_grid as (

    select * from district_grid

),

child_flows as (

    select
        child_grid.period_id,
        child_grid.district_code,
        child_grid.sex,
        child_grid.age_band,
        sum(facility_months.violence_treated) as violence_treated,
        sum(facility_months.survivors_presented) as survivors_presented,
        sum(facility_months.pep_within_72h) as pep_within_72h
    from child_grid
    inner join facility_months
        on facility_months.district_code = child_grid.district_code
        and facility_months.sex = child_grid.sex
        and facility_months.age_band = child_grid.age_band
        and facility_months.reporting_month
            between child_grid.period_start and child_grid.period_end
    group by 1, 2, 3, 4

),

child_parts as (

    select
        child_grid.*,
        coalesce(child_flows.violence_treated, 0) as violence_treated,
        coalesce(child_flows.survivors_presented, 0) as survivors_presented,
        coalesce(child_flows.pep_within_72h, 0) as pep_within_72h
    from child_grid
    left join child_flows
        on child_flows.period_id = child_grid.period_id
        and child_flows.district_code = child_grid.district_code
        and child_flows.sex = child_grid.sex
        and child_flows.age_band = child_grid.age_band

),

ss03 as (

    select
        'SS03' as indicator_code,
        period_type, period_id, period_start, period_end, district_code, sex, age_band,
        cast(violence_treated as double) as numerator,
        cast(null as double) as denominator
    from child_parts

),

ss04 as (

    select
        'SS04' as indicator_code,
        period_type, period_id, period_start, period_end, district_code, sex, age_band,
        cast(pep_within_72h as double) as numerator,
        cast(survivors_presented as double) as denominator
    from child_parts

),

-- CR05 -------------------------------------------------------------------------------------

adolescent_births_by_month as (

    select
        reporting_month,
        district_code,
        sum(value) as live_births
    from {{ ref('int_facility_child_protection_deduplicated') }}
    where data_element = 'live_births_to_girls_15_19' and age_group = '15-19'
    group by 1, 2

),

girls_15_19 as (

    select
        population_year,
        district_code,
        sum(population) as population
    from {{ ref('int_population_by_age') }}
    where sex = 'female' and age_years between 15 and 19
    group by 1, 2

),

cr05_grid as (

    select distinct period_type, period_id, period_start, period_end, district_code
    from district_grid

),

cr05_births as (

    select
        cr05_grid.period_id,
        cr05_grid.district_code,
        sum(adolescent_births_by_month.live_births) as live_births
    from cr05_grid
    inner join adolescent_births_by_month
        on adolescent_births_by_month.district_code = cr05_grid.district_code
        and adolescent_births_by_month.reporting_month
            between cr05_grid.period_start and cr05_grid.period_end
    group by 1, 2

),

cr05 as (

    select
        'CR05' as indicator_code,
        cr05_grid.period_type,
        cr05_grid.period_id,
        cr05_grid.period_start,
        cr05_grid.period_end,
        cr05_grid.district_code,
        cast(null as varchar) as sex,
        cast(null as varchar) as age_band,
        cast(coalesce(cr05_births.live_births, 0) as double) as numerator,
        cast(girls_15_19.population as double) as denominator
    from cr05_grid
    left join cr05_births
        on cr05_births.period_id = cr05_grid.period_id
        and cr05_births.district_code = cr05_grid.district_code
    left join girls_15_19
        on girls_15_19.population_year = year(cr05_grid.period_end)
        and girls_15_19.district_code = cr05_grid.district_code

),

unioned as (

    select * from cr01
    union all by name
    select * from ss03
    union all by name
    select * from ss04
    union all by name
    select * from cr05

)

select
    unioned.indicator_code,
    unioned.period_type,
    unioned.period_id,
    unioned.period_start,
    unioned.period_end,
    unioned.district_code,
    unioned.sex,
    unioned.age_band,
    cast(null as varchar) as disability,
    cast(unioned.numerator as double) as numerator,
    cast(unioned.denominator as double) as denominator
from unioned
-- only the periods each indicator's catalogue frequency reports
semi join {{ ref('int_indicator_periods') }} as indicator_periods
    on indicator_periods.indicator_code = unioned.indicator_code
    and indicator_periods.period_id = unioned.period_id
