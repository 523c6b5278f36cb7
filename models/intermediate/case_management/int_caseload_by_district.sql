-- VE09's parts on each month-end: cases open per district (of the case) and the distinct social
-- workers with at least one of them. Open at d as in int_case_stock_by_district. A case without a
-- social worker counts as an open case; a worker with open cases in two districts counts in each.
-- Zero counts are absent.
with

cases as (

    select * from {{ ref('int_cases_deduplicated') }}

),

stock_dates as (

    select period_end as as_of_date
    from {{ ref('int_reporting_periods') }}
    where period_type = 'month'

)

select
    stock_dates.as_of_date,
    cases.district_code,
    count(*) as open_cases,
    count(distinct cases.social_worker_id) as social_workers_with_caseload
from stock_dates
inner join cases
    on cases.opened_date <= stock_dates.as_of_date
    and coalesce(cases.closed_date, date '9999-12-31') > stock_dates.as_of_date
group by all
