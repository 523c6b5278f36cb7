-- Distinct children in residential care per district and sex on each stock date: every month-end
-- of the reporting periods (quarter and year ends are month-ends) and the AC07 baseline date.
-- In care at d: start_date <= d and (end_date is null or end_date > d). A transfer ends one
-- episode and starts the next on the same day, so the child is counted once.
-- One range join of episodes to the stock dates: no per-day expansion. Zero counts are absent.
with

episodes as (

    select
        child_id,
        district_code,
        sex,
        start_date,
        coalesce(end_date, date '9999-12-31') as end_date_or_open
    from {{ ref('int_placements_deduplicated') }}
    where care_type = 'residential'

),

stock_dates as (

    select period_end as as_of_date
    from {{ ref('int_reporting_periods') }}
    where period_type = 'month'

    union

    select cast(baseline_date as date) as as_of_date
    from {{ ref('indicator_catalogue') }}
    where indicator_code = 'AC07' and baseline_date is not null

),

counted as (

    select
        stock_dates.as_of_date,
        episodes.district_code,
        episodes.sex,
        count(distinct episodes.child_id) as children
    from stock_dates
    inner join episodes
        on episodes.start_date <= stock_dates.as_of_date
        and episodes.end_date_or_open > stock_dates.as_of_date
    group by 1, 2, 3

)

select * from counted
