-- Children in formal care on the last day of each month, by district, sex, age band on that day,
-- disability and care type (int_formal_care_on_dates: a child in two settings on a date counts
-- once, in the episode that started last). Aggregate counts only; empty cells are absent.
with

month_ends as (

    select period_id as month, period_end as as_of_date
    from {{ ref('int_reporting_periods') }}
    where period_type = 'month'

)

select
    month_ends.month,
    month_ends.as_of_date,
    in_care.district_code,
    in_care.sex,
    in_care.age_band,
    in_care.disability,
    in_care.care_type,
    count(*) as children,
    count(*) filter (where in_care.has_current_care_plan) as children_with_care_plan,
    count(*) filter (where in_care.has_birth_certificate) as children_with_birth_certificate

from {{ ref('int_formal_care_on_dates') }} as in_care
inner join month_ends
    on month_ends.as_of_date = in_care.as_of_date
group by all
