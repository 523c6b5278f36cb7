-- Child protection cases opened and closed per month, by district, concern (category), risk
-- level, referral source, sex, age band at opening and disability (the latest delivered version
-- of each case; aggregate counts only; empty cells are absent). A case closed in a month counts
-- in `cases_closed` of that month under the same characteristics it was opened with.
with

months as (

    select period_id as month, period_start, period_end
    from {{ ref('int_reporting_periods') }}
    where period_type = 'month'

),

cases as (

    select
        district_code,
        concern,
        risk_level,
        referral_source,
        sex,
        {{ age_band(age_on('date_of_birth', 'opened_date')) }} as age_band,
        disability,
        opened_date,
        closed_date
    from {{ ref('int_cases_deduplicated') }}

),

events as (

    select *, opened_date as event_date, 1 as is_opened, 0 as is_closed
    from cases

    union all

    select *, closed_date, 0, 1
    from cases
    where closed_date is not null

)

select
    months.month,
    events.district_code,
    events.concern,
    events.risk_level,
    events.referral_source,
    events.sex,
    events.age_band,
    events.disability,
    cast(sum(events.is_opened) as bigint) as cases_opened,
    cast(sum(events.is_closed) as bigint) as cases_closed

from events
inner join months
    on events.event_date between months.period_start and months.period_end
group by all
