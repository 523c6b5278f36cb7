-- Numerator and denominator of AC01-AC14 and CR03 at the finest grain: district x sex x age band
-- x disability x period, for the periods each indicator's catalogue frequency allows (monthly:
-- months, quarters and years; quarterly: quarters and years). Values are computed in the mart
-- after the roll-up, from summed parts. Dense by district x sex (AC05, AC13: by district) with
-- zero counts written as 0; age band and disability rows are present where there is something
-- to count (and, for population rates, where the population has a figure).
--
-- Rows of the same key from the pieces below are summed at the end; a denominator unknown in
-- any piece (a population the statistics office did not give) leaves it unknown (null).
with

periods as (

    select period_type, period_id, period_start, period_end
    from {{ ref('int_reporting_periods') }}

),

district_grid as (

    select * from {{ ref('int_district_period_grid') }}

),

ac07_baseline as (

    select cast(baseline_date as date) as baseline_date
    from {{ ref('indicator_catalogue') }}
    where indicator_code = 'AC07' and baseline_date is not null

),

grid as (

    select distinct period_type, period_id, period_start, period_end, district_code, sex
    from district_grid

),

-- Child population 0-17 of the period-end year per district, sex and age band. A band without
-- a figure is 0 when the district and sex have figures that year, unknown (null) otherwise.
population as (

    select population_year, district_code, sex, age_band, sum(population) as population
    from {{ ref('int_population_by_age') }}
    where age_years between 0 and 17
    group by all

),

population_known as (

    select distinct population_year, district_code, sex
    from population

),

population_parts as (

    select
        indicators.indicator_code,
        grid.period_type, grid.period_id, grid.period_start, grid.period_end,
        grid.district_code, grid.sex, grid.age_band,
        cast(null as varchar) as disability,
        0 as numerator,
        case
            when population_known.population_year is not null
                then coalesce(population.population, 0)
        end as denominator
    from district_grid as grid
    cross join (values ('AC01'), ('AC02'), ('AC03')) as indicators (indicator_code)
    left join population_known
        on population_known.population_year = year(grid.period_end)
        and population_known.district_code = grid.district_code
        and population_known.sex = grid.sex
    left join population
        on population.population_year = year(grid.period_end)
        and population.district_code = grid.district_code
        and population.sex = grid.sex
        and population.age_band = grid.age_band

),

-- Zero rows so every district x sex x period has a row (AC07: periods ending after baseline).
dense_parts as (

    select
        indicators.indicator_code,
        grid.period_type, grid.period_id, grid.period_start, grid.period_end,
        grid.district_code, grid.sex,
        cast(null as varchar) as age_band,
        cast(null as varchar) as disability,
        0 as numerator,
        case when indicators.indicator_code <> 'AC04' then 0 end as denominator
    from grid
    cross join (
        values ('AC04'), ('AC06'), ('AC08'), ('AC09'), ('AC10'), ('AC11'), ('AC12'), ('AC14'),
            ('CR03')
    ) as indicators (indicator_code)

    union all

    select
        'AC07',
        grid.period_type, grid.period_id, grid.period_start, grid.period_end,
        grid.district_code, grid.sex, null, null, 0, 0
    from grid
    inner join ac07_baseline
        on grid.period_end > ac07_baseline.baseline_date

),

-- Stocks: children in care on the period's last day (a quarter or a year takes its last
-- month-end, never a sum over months).
stock as (

    select
        periods.*,
        stock.district_code, stock.sex, stock.age_band, stock.disability,
        stock.residential, stock.family_based, stock.formal_care,
        stock.with_care_plan, stock.with_birth_certificate
    from periods
    inner join {{ ref('int_care_stock_by_district') }} as stock
        on stock.as_of_date = periods.period_end

),

stock_parts as (

    -- AC02, AC03: over the population (denominator from population_parts); no disability
    select 'AC02' as indicator_code, period_type, period_id, period_start, period_end,
        district_code, sex, age_band, cast(null as varchar) as disability,
        formal_care as numerator, 0 as denominator
    from stock
    union all
    select 'AC03', period_type, period_id, period_start, period_end,
        district_code, sex, age_band, null, residential, 0
    from stock
    union all
    -- AC04: a count (no denominator)
    select 'AC04', period_type, period_id, period_start, period_end,
        district_code, sex, age_band, disability, residential, null
    from stock
    union all
    -- AC08: residential per family-based
    select 'AC08', period_type, period_id, period_start, period_end,
        district_code, sex, age_band, disability, residential, family_based
    from stock
    union all
    select 'AC11', period_type, period_id, period_start, period_end,
        district_code, sex, age_band, disability, with_care_plan, formal_care
    from stock
    union all
    -- AC14's denominator (its numerator, deaths, is a flow below)
    select 'AC14', period_type, period_id, period_start, period_end,
        district_code, sex, age_band, disability, 0, formal_care
    from stock
    union all
    select 'CR03', period_type, period_id, period_start, period_end,
        district_code, sex, age_band, disability, with_birth_certificate, formal_care
    from stock

),

-- Flows: events on days period_start <= day <= period_end, summed (age band on the event day).
-- Which events count where: numerator and/or denominator of an indicator (as in justice). AC01
-- carries no disability in the catalogue: the mart publishes its total, sex and age band only.
event_roles as (

    select * from (
        values
            ('entry_assessed_before', 'AC01', 1, 0),
            ('entry_not_assessed_before', 'AC01', 1, 0),
            ('entry_assessed_before', 'AC12', 1, 1),
            ('entry_not_assessed_before', 'AC12', 0, 1),
            ('residential_exit_to_family', 'AC06', 1, 1),
            ('residential_exit_elsewhere', 'AC06', 0, 1),
            ('death_in_care', 'AC14', 1, 0)
    ) as event_roles (event_type, indicator_code, in_numerator, in_denominator)

),

events_by_day as (

    select event_type, event_date, district_code, sex, age_band, disability, count(*) as events
    from {{ ref('int_care_flow_events') }}
    group by all

),

flow_by_day as (

    select
        event_roles.indicator_code,
        events_by_day.event_date,
        events_by_day.district_code,
        events_by_day.sex,
        events_by_day.age_band,
        events_by_day.disability,
        sum(events_by_day.events * event_roles.in_numerator) as numerator,
        sum(events_by_day.events * event_roles.in_denominator) as denominator
    from events_by_day
    inner join event_roles
        on event_roles.event_type = events_by_day.event_type
    group by all

),

flow_parts as (

    select
        flow_by_day.indicator_code,
        periods.period_type, periods.period_id, periods.period_start, periods.period_end,
        flow_by_day.district_code, flow_by_day.sex, flow_by_day.age_band, flow_by_day.disability,
        flow_by_day.numerator,
        flow_by_day.denominator
    from periods
    inner join flow_by_day
        on flow_by_day.event_date between periods.period_start and periods.period_end

),

-- AC07: reintegrations from residential care (the child left formal care for parents or kin:
-- no other episode covers the exit day, as in AC09 and AC10) with baseline_date < exit_date <=
-- period_end, cumulated, over the residential stock on the baseline date. Only periods ending
-- after the baseline date. No age band: age at exit and age at baseline are different groups
-- (a band's numerator could exceed its denominator).
periods_after_baseline as (

    select periods.*, ac07_baseline.baseline_date
    from periods
    inner join ac07_baseline
        on periods.period_end > ac07_baseline.baseline_date

),

reintegrations_by_day as (

    select end_date as exit_date, district_code, sex, disability, count(*) as reintegrations
    from {{ ref('int_care_episodes') }}
    where is_reintegration and is_residential
    group by all

),

ac07_parts as (

    select
        'AC07' as indicator_code,
        p.period_type, p.period_id, p.period_start, p.period_end,
        r.district_code, r.sex, cast(null as varchar) as age_band, r.disability,
        r.reintegrations as numerator,
        0 as denominator
    from periods_after_baseline as p
    inner join reintegrations_by_day as r
        on r.exit_date > p.baseline_date
        and r.exit_date <= p.period_end

    union all

    select
        'AC07',
        p.period_type, p.period_id, p.period_start, p.period_end,
        s.district_code, s.sex, null, s.disability,
        0,
        s.residential
    from periods_after_baseline as p
    inner join {{ ref('int_care_stock_by_district') }} as s
        on s.as_of_date = p.baseline_date

),

-- Cohorts (age band on the reintegration day). AC09: reintegrations with period_end - 24 months
-- < day <= period_end - 12 months; re-entered formal care within 12 months. AC10:
-- period_end - 18 months < day <= period_end - 6 months; 2+ visits within 6 months.
reintegrations as (

    select * from {{ ref('int_care_reintegrations') }}

),

cohort_parts as (

    select
        'AC09' as indicator_code,
        p.period_type, p.period_id, p.period_start, p.period_end,
        r.district_code, r.sex, r.age_band, r.disability,
        count(*) filter (where r.re_entered_within_12_months) as numerator,
        count(*) as denominator
    from periods as p
    inner join reintegrations as r
        on r.reintegration_date > p.period_end - interval 24 month
        and r.reintegration_date <= p.period_end - interval 12 month
    group by all

    union all

    select
        'AC10',
        p.period_type, p.period_id, p.period_start, p.period_end,
        r.district_code, r.sex, r.age_band, r.disability,
        count(*) filter (where r.followup_visits_within_6_months >= 2),
        count(*)
    from periods as p
    inner join reintegrations as r
        on r.reintegration_date > p.period_end - interval 18 month
        and r.reintegration_date <= p.period_end - interval 6 month
    group by all

),

-- AC05 (count) and AC13 (inspected / open): institutions on the period's last day, no sex.
institution_parts as (

    select
        indicators.indicator_code,
        districts.period_type, districts.period_id, districts.period_start, districts.period_end,
        districts.district_code,
        cast(null as varchar) as sex,
        cast(null as varchar) as age_band,
        cast(null as varchar) as disability,
        case indicators.indicator_code
            when 'AC05' then coalesce(open_institutions.institutions, 0)
            else coalesce(open_institutions.inspected, 0)
        end as numerator,
        case
            when indicators.indicator_code = 'AC13'
                then coalesce(open_institutions.institutions, 0)
        end as denominator
    from (select distinct period_type, period_id, period_start, period_end, district_code
        from district_grid) as districts
    cross join (values ('AC05'), ('AC13')) as indicators (indicator_code)
    left join {{ ref('int_institutions_open_by_district') }} as open_institutions
        on open_institutions.as_of_date = districts.period_end
        and open_institutions.district_code = districts.district_code

),

unioned as (

    select * from population_parts
    union all by name
    select * from dense_parts
    union all by name
    select * from stock_parts
    union all by name
    select * from flow_parts
    union all by name
    select * from ac07_parts
    union all by name
    select * from cohort_parts
    union all by name
    select * from institution_parts

),

-- only the periods each indicator's catalogue frequency reports
allowed as (

    select unioned.*
    from unioned
    semi join {{ ref('int_indicator_periods') }} as indicator_periods
        on indicator_periods.indicator_code = unioned.indicator_code
        and indicator_periods.period_id = unioned.period_id

)

select
    indicator_code,
    period_type,
    period_id,
    period_start,
    period_end,
    district_code,
    sex,
    age_band,
    disability,
    cast(sum(numerator) as double) as numerator,
    cast(
        case when count(denominator) = count(*) then sum(denominator) end as double
    ) as denominator
from allowed
group by
    indicator_code, period_type, period_id, period_start, period_end,
    district_code, sex, age_band, disability
