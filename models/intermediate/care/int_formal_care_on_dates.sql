-- Children in formal care on each stock date (every month-end of the reporting periods and the
-- AC07 baseline date), one row per child and date: in care on day d when start_date <= d and
-- (end_date is null or end_date > d). A child with overlapping episodes on a date is counted
-- once, in the episode that started last (then the greatest placement_id). Age band on the date.
-- `has_current_care_plan`: a care plan of the child with plan_start_date <= d <= review_due_date.
-- `has_birth_certificate`: the child's file held a birth certificate on d (birth_certificate_from
-- <= d), so a certificate recorded later never changes an earlier stock.
with

episodes as (

    select * from {{ ref('int_placements_deduplicated') }}

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

in_care as (

    select
        stock_dates.as_of_date,
        episodes.child_id,
        episodes.placement_id,
        episodes.district_code,
        episodes.care_type,
        episodes.sex,
        {{ age_band(age_on('episodes.date_of_birth', 'stock_dates.as_of_date')) }} as age_band,
        episodes.disability,
        coalesce(episodes.birth_certificate_from <= stock_dates.as_of_date, false)
            as has_birth_certificate
    from stock_dates
    inner join episodes
        on episodes.start_date <= stock_dates.as_of_date
        and coalesce(episodes.end_date, date '9999-12-31') > stock_dates.as_of_date
    qualify row_number() over (
        partition by stock_dates.as_of_date, episodes.child_id
        order by episodes.start_date desc, episodes.placement_id desc
    ) = 1

),

with_plan as (

    select distinct in_care.as_of_date, in_care.child_id
    from in_care
    inner join {{ ref('int_care_plans_deduplicated') }} as plans
        on plans.child_id = in_care.child_id
        and plans.plan_start_date <= in_care.as_of_date
        and plans.review_due_date >= in_care.as_of_date

)

select
    in_care.*,
    in_care.care_type = 'residential' as is_residential,
    with_plan.child_id is not null as has_current_care_plan
from in_care
left join with_plan
    on with_plan.as_of_date = in_care.as_of_date
    and with_plan.child_id = in_care.child_id
