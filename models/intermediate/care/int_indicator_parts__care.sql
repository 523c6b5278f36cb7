-- Numerator and denominator of AC03-AC07 at the finest grain: district x sex x period (every
-- reporting period, all three period types). Dense: every district x sex x period has a row, with
-- zero counts written as 0. AC05 has no sex (sex is null). Values are computed in the mart after
-- the roll-up, from summed parts.
with

periods as (

    select period_type, period_id, period_start, period_end
    from {{ ref('int_reporting_periods') }}

),

districts as (

    select unit_code as district_code
    from {{ ref('int_admin_units_deduplicated') }}
    where unit_level = 'district'

),

sexes as (

    select * from (values ('female'), ('male')) as sexes (sex)

),

ac07_baseline as (

    select cast(baseline_date as date) as baseline_date
    from {{ ref('indicator_catalogue') }}
    where indicator_code = 'AC07' and baseline_date is not null

),

grid as (

    select periods.*, districts.district_code, sexes.sex
    from periods
    cross join districts
    cross join sexes

),

stock as (

    select * from {{ ref('int_residential_stock_by_district') }}

),

exits_by_day as (

    select
        exit_date,
        district_code,
        sex,
        count(*) as exits,
        count(*) filter (where is_exit_to_family) as exits_to_family,
        count(*) filter (where is_reintegration) as reintegrations
    from {{ ref('int_residential_exits') }}
    group by 1, 2, 3

),

-- AC04: children in residential care on the last day of the period (a stock: a quarter or a
-- year takes the value of its last month-end, never a sum over months).
residential_stock as (

    select
        grid.*,
        coalesce(stock.children, 0) as children
    from grid
    left join stock
        on stock.as_of_date = grid.period_end
        and stock.district_code = grid.district_code
        and stock.sex = grid.sex

),

ac04 as (

    select
        'AC04' as indicator_code,
        period_type, period_id, period_start, period_end, district_code, sex,
        cast(children as double) as numerator,
        cast(null as double) as denominator
    from residential_stock

),

-- AC03: the AC04 stock per child population 0-17 of the period's year. A missing population
-- figure gives a null denominator (and a null value, also after roll-up).
ac03 as (

    select
        'AC03' as indicator_code,
        residential_stock.period_type,
        residential_stock.period_id,
        residential_stock.period_start,
        residential_stock.period_end,
        residential_stock.district_code,
        residential_stock.sex,
        cast(residential_stock.children as double) as numerator,
        cast(population.population as double) as denominator
    from residential_stock
    left join {{ ref('int_child_population_by_district') }} as population
        on population.population_year = year(residential_stock.period_end)
        and population.district_code = residential_stock.district_code
        and population.sex = residential_stock.sex

),

-- AC05: institutions open on the last day of the period; no sex disaggregation.
ac05 as (

    select
        'AC05' as indicator_code,
        periods.period_type,
        periods.period_id,
        periods.period_start,
        periods.period_end,
        districts.district_code,
        cast(null as varchar) as sex,
        cast(coalesce(open_institutions.institutions, 0) as double) as numerator,
        cast(null as double) as denominator
    from periods
    cross join districts
    left join {{ ref('int_institutions_open_by_district') }} as open_institutions
        on open_institutions.as_of_date = periods.period_end
        and open_institutions.district_code = districts.district_code

),

-- AC06: exits during the period (a flow: summed over every day of the period).
exits_in_period as (

    select
        grid.period_id,
        grid.district_code,
        grid.sex,
        sum(exits_by_day.exits) as exits,
        sum(exits_by_day.exits_to_family) as exits_to_family
    from grid
    inner join exits_by_day
        on exits_by_day.district_code = grid.district_code
        and exits_by_day.sex = grid.sex
        and exits_by_day.exit_date between grid.period_start and grid.period_end
    group by 1, 2, 3

),

ac06 as (

    select
        'AC06' as indicator_code,
        grid.period_type, grid.period_id, grid.period_start, grid.period_end,
        grid.district_code, grid.sex,
        cast(coalesce(exits_in_period.exits_to_family, 0) as double) as numerator,
        cast(coalesce(exits_in_period.exits, 0) as double) as denominator
    from grid
    left join exits_in_period
        on exits_in_period.period_id = grid.period_id
        and exits_in_period.district_code = grid.district_code
        and exits_in_period.sex = grid.sex

),

-- AC07: reintegrations (to parents or kin) with baseline_date < exit_date <= period_end,
-- cumulated, over the children in residential care on the baseline date. Only periods ending
-- after the baseline date.
grid_after_baseline as (

    select grid.*, ac07_baseline.baseline_date
    from grid
    inner join ac07_baseline
        on grid.period_end > ac07_baseline.baseline_date

),

reintegrations_to_date as (

    select
        grid_after_baseline.period_id,
        grid_after_baseline.district_code,
        grid_after_baseline.sex,
        sum(exits_by_day.reintegrations) as reintegrations
    from grid_after_baseline
    inner join exits_by_day
        on exits_by_day.district_code = grid_after_baseline.district_code
        and exits_by_day.sex = grid_after_baseline.sex
        and exits_by_day.exit_date > grid_after_baseline.baseline_date
        and exits_by_day.exit_date <= grid_after_baseline.period_end
    group by 1, 2, 3

),

ac07 as (

    select
        'AC07' as indicator_code,
        grid_after_baseline.period_type,
        grid_after_baseline.period_id,
        grid_after_baseline.period_start,
        grid_after_baseline.period_end,
        grid_after_baseline.district_code,
        grid_after_baseline.sex,
        cast(coalesce(reintegrations_to_date.reintegrations, 0) as double) as numerator,
        cast(coalesce(baseline_stock.children, 0) as double) as denominator
    from grid_after_baseline
    left join reintegrations_to_date
        on reintegrations_to_date.period_id = grid_after_baseline.period_id
        and reintegrations_to_date.district_code = grid_after_baseline.district_code
        and reintegrations_to_date.sex = grid_after_baseline.sex
    left join stock as baseline_stock
        on baseline_stock.as_of_date = grid_after_baseline.baseline_date
        and baseline_stock.district_code = grid_after_baseline.district_code
        and baseline_stock.sex = grid_after_baseline.sex

),

unioned as (

    select * from ac03
    union all by name
    select * from ac04
    union all by name
    select * from ac05
    union all by name
    select * from ac06
    union all by name
    select * from ac07

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
