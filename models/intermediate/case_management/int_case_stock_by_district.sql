-- Cases open on each month-end of the reporting periods, per district x sex x age band (age on that
-- day) x disability, with the counts VE03 and VE05 need. Open at d: opened on or before d and not
-- closed by d (closed_date null or after d), so a case closed on a month's last day is not in that
-- month-end's stock. Zero counts are absent.
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
    cases.sex,
    {{ age_band(age_on('cases.date_of_birth', 'stock_dates.as_of_date')) }} as age_band,
    cases.disability,
    count(*) as open_cases,
    count(*) filter (where cases.assessment_completed_date <= stock_dates.as_of_date)
        as open_cases_assessed,
    count(*) filter (where date_diff('day', cases.opened_date, stock_dates.as_of_date) >= 30)
        as open_cases_30_days,
    count(*) filter (
        where date_diff('day', cases.opened_date, stock_dates.as_of_date) >= 30
        and cases.case_plan_date <= stock_dates.as_of_date
    ) as open_cases_30_days_with_plan
from stock_dates
inner join cases
    on cases.opened_date <= stock_dates.as_of_date
    and coalesce(cases.closed_date, date '9999-12-31') > stock_dates.as_of_date
group by all
