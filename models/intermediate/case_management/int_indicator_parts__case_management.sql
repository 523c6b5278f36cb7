-- Numerator and denominator of VE01, VE03-VE06, VE08, VE10, VE13 and SS02 at the finest grain:
-- district x sex x age band x disability x period (the dimensions each indicator carries per the
-- catalogue; null for the others). Values are computed in the mart from the summed parts.
--   flows (VE01, VE04, VE06, VE08, VE13, SS02): the months of the period summed;
--   stocks (VE03, VE05, VE10): the period's last day, never summed over time;
--   each indicator gets the periods of its catalogue frequency (int_indicator_periods): monthly
--   ones month, quarter and year rows; quarterly ones (VE10) quarter and year rows. Every
--   indicator has a total row (zero when nothing happened) for every district x period;
--   population rates (VE01, VE13) a row for every district x sex x age band x period.
with

periods as (

    select period_type, period_id, period_start, period_end
    from {{ ref('int_reporting_periods') }}

),

-- VE10 (a stock of workers) is computed for its own periods only (quarterly in the catalogue)
ve10_periods as (

    select period_type, period_id, period_start, period_end
    from {{ ref('int_indicator_periods') }}
    where indicator_code = 'VE10'

),

district_grid as (

    select * from {{ ref('int_district_period_grid') }}

),

districts as (

    select unit_code as district_code
    from {{ ref('int_admin_units_deduplicated') }}
    where unit_level = 'district'

),

-- child population 0-17 of the period's year, per district x sex x age band
child_population as (

    select population_year, district_code, sex, age_band, sum(population) as population
    from {{ ref('int_population_by_age') }}
    where age_years between 0 and 17
    group by all

),

-- flows: each month's parts counted in every period containing that month
flows as (

    select
        flows.indicator_code,
        periods.period_type, periods.period_id, periods.period_start, periods.period_end,
        flows.district_code, flows.sex, flows.age_band, flows.disability,
        flows.numerator, flows.denominator
    from {{ ref('int_case_management_monthly_flows') }} as flows
    inner join periods
        on flows.month_start between periods.period_start and periods.period_end

),

-- VE01, VE13: a zero-numerator row with the population of every district x sex x age band
population_grid as (

    select
        indicators.indicator_code,
        grid.period_type, grid.period_id, grid.period_start, grid.period_end,
        grid.district_code, grid.sex, grid.age_band,
        cast(null as varchar) as disability,
        0.0 as numerator,
        child_population.population as denominator
    from district_grid as grid
    cross join (values ('VE01'), ('VE13')) as indicators (indicator_code)
    left join child_population
        on child_population.population_year = year(grid.period_end)
        and child_population.district_code = grid.district_code
        and child_population.sex = grid.sex
        and child_population.age_band = grid.age_band

),

-- VE03, VE05: cases open on the period's last day
stocks as (

    select
        'VE03' as indicator_code,
        periods.period_type, periods.period_id, periods.period_start, periods.period_end,
        stock.district_code, stock.sex, stock.age_band, stock.disability,
        stock.open_cases_assessed as numerator,
        stock.open_cases as denominator
    from periods
    inner join {{ ref('int_case_stock_by_district') }} as stock
        on stock.as_of_date = periods.period_end

    union all

    select
        'VE05',
        periods.period_type, periods.period_id, periods.period_start, periods.period_end,
        stock.district_code, stock.sex, stock.age_band, stock.disability,
        stock.open_cases_30_days_with_plan,
        stock.open_cases_30_days
    from periods
    inner join {{ ref('int_case_stock_by_district') }} as stock
        on stock.as_of_date = periods.period_end
    where stock.open_cases_30_days > 0

),

child_population_by_district as (

    select population_year, district_code, sum(population) as population
    from child_population
    group by all

),

-- VE10: social workers in post on the last day of quarters and years (post started on or before
-- that day, not ended by it), per 100 000 children 0-17
workers_in_post as (

    select
        periods.period_id,
        posts.district_code,
        count(distinct posts.worker_id) as workers
    from ve10_periods as periods
    inner join {{ ref('int_social_worker_posts_deduplicated') }} as posts
        on posts.post_start_date <= periods.period_end
        and coalesce(posts.post_end_date, date '9999-12-31') > periods.period_end
    group by all

),

workforce as (

    select
        'VE10' as indicator_code,
        periods.period_type, periods.period_id, periods.period_start, periods.period_end,
        districts.district_code,
        cast(null as varchar) as sex,
        cast(null as varchar) as age_band,
        cast(null as varchar) as disability,
        coalesce(workers_in_post.workers, 0) as numerator,
        population.population as denominator
    from ve10_periods as periods
    cross join districts
    left join workers_in_post
        on workers_in_post.period_id = periods.period_id
        and workers_in_post.district_code = districts.district_code
    left join child_population_by_district as population
        on population.population_year = year(periods.period_end)
        and population.district_code = districts.district_code

),

-- a total row for every indicator x district x period, zero when nothing happened (VE01, VE13
-- and VE10 are dense already)
dense_totals as (

    select
        indicators.indicator_code,
        periods.period_type, periods.period_id, periods.period_start, periods.period_end,
        districts.district_code,
        cast(null as varchar) as sex,
        cast(null as varchar) as age_band,
        cast(null as varchar) as disability,
        0.0 as numerator,
        case when indicators.indicator_code <> 'SS02' then 0.0 end as denominator
    from periods
    cross join districts
    cross join (
        values ('VE03'), ('VE04'), ('VE05'), ('VE06'), ('VE08'), ('SS02')
    ) as indicators (indicator_code)

),

unioned as (

    select * from flows
    union all by name
    select * from population_grid
    union all by name
    select * from stocks
    union all by name
    select * from workforce
    union all by name
    select * from dense_totals

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
    unioned.disability,
    cast(sum(unioned.numerator) as double) as numerator,
    -- a denominator unknown in any piece (a missing population figure) stays unknown; counts have
    -- none
    cast(
        case when count(unioned.denominator) = count(*) then sum(unioned.denominator) end as double
    ) as denominator
from unioned
-- only the periods each indicator's catalogue frequency reports
semi join {{ ref('int_indicator_periods') }} as indicator_periods
    on indicator_periods.indicator_code = unioned.indicator_code
    and indicator_periods.period_id = unioned.period_id
group by all
