-- Months from the earliest to the latest delivered period of the placements feed, plus the
-- quarters and years whose months all lie in that span (complete periods only).
with

delivered as (

    select
        min(_period) as first_period,
        max(_period) as last_period
    from {{ ref('stg_mosa__placements') }}

),

bounds as (

    select
        cast(first_period || '-01' as date) as first_month_start,
        cast(last_period || '-01' as date) as last_month_start
    from delivered
    where first_period is not null

),

month_starts as (

    select
        cast(unnest(generate_series(first_month_start, last_month_start, interval 1 month)) as date)
            as month_start
    from bounds

),

months as (

    select
        strftime(month_start, '%Y-%m') as period_id,
        'month' as period_type,
        month_start as period_start,
        cast(last_day(month_start) as date) as period_end,
        cast(year(month_start) as integer) as year,
        cast(quarter(month_start) as integer) as quarter,
        cast(month(month_start) as integer) as month
    from month_starts

),

quarters as (

    select
        year || '-Q' || quarter as period_id,
        'quarter' as period_type,
        min(period_start) as period_start,
        max(period_end) as period_end,
        year,
        quarter,
        cast(null as integer) as month
    from months
    group by year, quarter
    having count(*) = 3

),

years as (

    select
        cast(year as varchar) as period_id,
        'year' as period_type,
        min(period_start) as period_start,
        max(period_end) as period_end,
        year,
        cast(null as integer) as quarter,
        cast(null as integer) as month
    from months
    group by year
    having count(*) = 12

)

select * from months
union all
select * from quarters
union all
select * from years
