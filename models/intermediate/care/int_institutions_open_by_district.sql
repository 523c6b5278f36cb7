-- Residential care institutions open per district on each month-end of the reporting periods:
-- opened_date <= d and (closed_date is null or closed_date > d). `inspected`: of those, the
-- institutions with an inspection dated in the 12 months up to d (d - 12 months < date <= d).
-- Zero counts are absent.
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

open_on_date as (

    select
        stock_dates.as_of_date,
        institutions.institution_id,
        institutions.district_code
    from stock_dates
    inner join institutions
        on institutions.opened_date <= stock_dates.as_of_date
        and institutions.closed_date_or_open > stock_dates.as_of_date

),

inspected as (

    select distinct open_on_date.as_of_date, open_on_date.institution_id
    from open_on_date
    inner join {{ ref('int_institution_inspections_deduplicated') }} as inspections
        on inspections.institution_id = open_on_date.institution_id
        and inspections.inspection_date <= open_on_date.as_of_date
        and inspections.inspection_date > open_on_date.as_of_date - interval 12 month

),

counted as (

    select
        open_on_date.as_of_date,
        open_on_date.district_code,
        count(distinct open_on_date.institution_id) as institutions,
        count(distinct inspected.institution_id) as inspected
    from open_on_date
    left join inspected
        on inspected.as_of_date = open_on_date.as_of_date
        and inspected.institution_id = open_on_date.institution_id
    group by 1, 2

)

select * from counted
