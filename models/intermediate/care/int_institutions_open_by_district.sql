-- Residential care institutions open per district on each month-end of the reporting periods:
-- opened_date <= d and (closed_date is null or closed_date > d). Zero counts are absent.
with

institutions as (

    select
        institution_id,
        district_code,
        opened_date,
        coalesce(closed_date, date '9999-12-31') as closed_date_or_open
    from {{ ref('int_care_institutions_deduplicated') }}

),

stock_dates as (

    select period_end as as_of_date
    from {{ ref('int_reporting_periods') }}
    where period_type = 'month'

),

counted as (

    select
        stock_dates.as_of_date,
        institutions.district_code,
        count(distinct institutions.institution_id) as institutions
    from stock_dates
    inner join institutions
        on institutions.opened_date <= stock_dates.as_of_date
        and institutions.closed_date_or_open > stock_dates.as_of_date
    group by 1, 2

)

select * from counted
