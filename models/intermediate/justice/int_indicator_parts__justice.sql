-- Numerators and denominators of JC01-JC03, JC05-JC09, VE11 and VE12 per district x sex x age band
-- x period, for every reporting period (months, quarters, years). Values are computed in the mart
-- after the roll-up, from summed parts.
--
-- Flows count events with dates in [period_start, period_end] (int_justice_flow_events), age band
-- at the event; stocks count children held on period_end (int_detention_stock_by_district), age
-- band on that day. JC08 divides a flow (deaths) by a stock (detained at period end).
-- Population rates (JC01-JC03 over children 10-17, VE11 and VE12 over children 0-17): one row per
-- district x sex x age band of the denominator's ages for every period (dense, zero numerators
-- written as 0), the population of the period-end year (0 for a cell without a row, null when
-- the statistics office gave none for the district and year); events outside those cells
-- (unknown sex or age; a detained child under 10) get their own row with denominator 0, so they
-- count in the total and the denominators stay exact.
-- Record-based rates (JC05-JC09): rows where there are records, plus one zero row (sex and age band
-- null, 0/0) for each district x period without any, so the total is dense.
with

periods as (

    select period_type, period_id, period_start, period_end
    from {{ ref('int_reporting_periods') }}

),

district_grid as (

    select * from {{ ref('int_district_period_grid') }}

),

districts as (

    select distinct district_code from district_grid

),

-- which events count where: numerator and/or denominator of an indicator
event_roles as (

    select * from (
        values
            ('arrest', 'JC01', 1, 0),
            ('trafficking_victim', 'VE11', 1, 0),
            ('sexual_abuse_report', 'VE12', 1, 0),
            ('custodial_sentence', 'JC05', 1, 1),
            ('non_custodial_sentence', 'JC05', 0, 1),
            ('custodial_sentence', 'JC06', 0, 1),
            ('non_custodial_sentence', 'JC06', 0, 1),
            ('diversion', 'JC06', 1, 1),
            ('death_in_detention', 'JC08', 1, 0),
            ('release_with_aftercare', 'JC09', 1, 1),
            ('release_without_aftercare', 'JC09', 0, 1)
    ) as event_roles (event_type, indicator_code, in_numerator, in_denominator)

),

events_by_day as (

    select event_type, event_date, district_code, sex, age_band, count(*) as events
    from {{ ref('int_justice_flow_events') }}
    group by all

),

flows as (

    select
        event_roles.indicator_code,
        periods.period_id,
        events_by_day.district_code,
        events_by_day.sex,
        events_by_day.age_band,
        sum(events_by_day.events * event_roles.in_numerator) as numerator,
        sum(events_by_day.events * event_roles.in_denominator) as denominator
    from events_by_day
    inner join event_roles
        on event_roles.event_type = events_by_day.event_type
    inner join periods
        on events_by_day.event_date between periods.period_start and periods.period_end
    group by all

),

stock as (

    select * from {{ ref('int_detention_stock_by_district') }}

),

stocks_at_period_end as (

    select periods.period_id, stock.district_code, stock.sex, stock.age_band,
        stock.detained, stock.pre_sentence, stock.not_separated
    from periods
    inner join stock
        on stock.as_of_date = periods.period_end

),

stocks as (

    select 'JC02' as indicator_code, period_id, district_code, sex, age_band,
        detained as numerator, 0 as denominator
    from stocks_at_period_end
    union all
    select 'JC03', period_id, district_code, sex, age_band, pre_sentence, 0
    from stocks_at_period_end
    union all
    select 'JC07', period_id, district_code, sex, age_band, not_separated, detained
    from stocks_at_period_end
    union all
    select 'JC08', period_id, district_code, sex, age_band, 0, detained
    from stocks_at_period_end

),

measures as (

    select
        indicator_code, period_id, district_code, sex, age_band,
        sum(numerator) as numerator,
        sum(denominator) as denominator
    from (
        select * from flows
        union all by name
        select * from stocks
    ) as flows_and_stocks
    group by all

),

-- population denominators: ages 10-17 for JC01-JC03, 0-17 for VE11 and VE12
population_indicators as (

    select * from (
        values ('JC01', 10), ('JC02', 10), ('JC03', 10), ('VE11', 0), ('VE12', 0)
    ) as population_indicators (indicator_code, min_age)

),

population as (

    select
        population_indicators.indicator_code,
        population.population_year,
        population.district_code,
        population.sex,
        population.age_band,
        sum(population.population) as population
    from {{ ref('int_population_by_age') }} as population
    inner join population_indicators
        on population.age_years between population_indicators.min_age and 17
    group by all

),

-- district-years the statistics office delivered: a cell without a row there is 0 children; a
-- district-year without any row is unknown (null denominator)
population_delivered as (

    select distinct population_year, district_code
    from {{ ref('int_population_by_age') }}

),

-- the district grid's cells of the denominator's ages (a band counts from its lowest age)
population_grid as (

    select
        population_indicators.indicator_code,
        grid.period_id,
        grid.district_code,
        grid.sex,
        grid.age_band,
        case
            when population_delivered.district_code is not null
                then coalesce(population.population, 0)
        end as population
    from population_indicators
    inner join district_grid as grid
        on cast(split_part(grid.age_band, '-', 1) as integer) >= population_indicators.min_age
    left join population
        on population.indicator_code = population_indicators.indicator_code
        and population.population_year = year(grid.period_end)
        and population.district_code = grid.district_code
        and population.sex = grid.sex
        and population.age_band = grid.age_band
    left join population_delivered
        on population_delivered.population_year = year(grid.period_end)
        and population_delivered.district_code = grid.district_code

),

population_measures as (

    select * from measures
    where indicator_code in (select population_indicators.indicator_code from population_indicators)

),

population_rates as (

    select
        coalesce(population_grid.indicator_code, population_measures.indicator_code)
            as indicator_code,
        coalesce(population_grid.period_id, population_measures.period_id) as period_id,
        coalesce(population_grid.district_code, population_measures.district_code)
            as district_code,
        coalesce(population_grid.sex, population_measures.sex) as sex,
        coalesce(population_grid.age_band, population_measures.age_band) as age_band,
        coalesce(population_measures.numerator, 0) as numerator,
        case
            when population_grid.indicator_code is not null then population_grid.population
            else 0
        end as denominator
    from population_grid
    full outer join population_measures
        on population_measures.indicator_code = population_grid.indicator_code
        and population_measures.period_id = population_grid.period_id
        and population_measures.district_code = population_grid.district_code
        and population_measures.sex is not distinct from population_grid.sex
        and population_measures.age_band is not distinct from population_grid.age_band

),

record_indicators as (

    select * from (
        values ('JC05'), ('JC06'), ('JC07'), ('JC08'), ('JC09')
    ) as record_indicators (indicator_code)

),

record_measures as (

    select * from measures
    where indicator_code in (select record_indicators.indicator_code from record_indicators)

),

record_fillers as (

    select
        record_indicators.indicator_code,
        periods.period_id,
        districts.district_code,
        cast(null as varchar) as sex,
        cast(null as varchar) as age_band,
        0 as numerator,
        0 as denominator
    from record_indicators
    cross join periods
    cross join districts
    anti join record_measures
        on record_measures.indicator_code = record_indicators.indicator_code
        and record_measures.period_id = periods.period_id
        and record_measures.district_code = districts.district_code

),

unioned as (

    select * from population_rates
    union all by name
    select * from record_measures
    union all by name
    select * from record_fillers

)

select
    unioned.indicator_code,
    periods.period_type,
    unioned.period_id,
    periods.period_start,
    periods.period_end,
    unioned.district_code,
    unioned.sex,
    unioned.age_band,
    cast(null as varchar) as disability,
    cast(unioned.numerator as double) as numerator,
    cast(unioned.denominator as double) as denominator
from unioned
-- only the periods each indicator's catalogue frequency reports
inner join {{ ref('int_indicator_periods') }} as periods
    on periods.indicator_code = unioned.indicator_code
    and periods.period_id = unioned.period_id
