-- VE09's records: one row per case open on the last day of each of its periods (its catalogue
-- frequency: quarters, and years, whose last day is a quarter's) (open at d as in
-- int_case_stock_by_district), in the district of the case, with the social worker who held it
-- that day and whether that worker was in post that day.
--   The case (district, dates) is its latest delivered row; its worker is read as delivered (the
--   cases contract): the worker named in the latest delivery for d's month or an earlier month,
--   or, for a case first delivered after d's month, in its first delivery.
--   In post on d: a post of the worker (social_workers register) started on or before d and not
--   ended by d, in any district (a worker may hold cases outside the post's district).
with

cases as (

    select * from {{ ref('int_cases_deduplicated') }}

),

stock_dates as (

    select distinct period_end as as_of_date, strftime(period_end, '%Y-%m') as as_of_month
    from {{ ref('int_indicator_periods') }}
    where indicator_code = 'VE09'

),

-- the worker of each case in each delivered month (a resubmission for a month replaces it)
assignments as (

    select case_id, _period as delivered_month, social_worker_id
    from {{ ref('stg_mosa__cases') }}
    qualify row_number() over (
        partition by case_id, _period order by _received_at desc, _source_file desc
    ) = 1

),

assignment_spans as (

    select
        case_id,
        social_worker_id,
        -- the first delivery also stands for the months before it
        case when row_number() over (partition by case_id order by delivered_month) = 1
            then '0000-00' else delivered_month end as from_month,
        lead(delivered_month) over (partition by case_id order by delivered_month) as to_month
    from assignments

),

open_cases as (

    select stock_dates.as_of_date, stock_dates.as_of_month, cases.case_id, cases.district_code
    from stock_dates
    inner join cases
        on cases.opened_date <= stock_dates.as_of_date
        and coalesce(cases.closed_date, date '9999-12-31') > stock_dates.as_of_date

),

posts_in_force as (

    select distinct stock_dates.as_of_date, posts.worker_id
    from stock_dates
    inner join {{ ref('int_social_worker_posts_deduplicated') }} as posts
        on posts.post_start_date <= stock_dates.as_of_date
        and coalesce(posts.post_end_date, date '9999-12-31') > stock_dates.as_of_date

)

select
    open_cases.as_of_date,
    open_cases.case_id,
    open_cases.district_code,
    spans.social_worker_id,
    posts_in_force.worker_id is not null as worker_in_post
from open_cases
left join assignment_spans as spans
    on spans.case_id = open_cases.case_id
    and spans.from_month <= open_cases.as_of_month
    and (spans.to_month is null or spans.to_month > open_cases.as_of_month)
left join posts_in_force
    on posts_in_force.as_of_date = open_cases.as_of_date
    and posts_in_force.worker_id = spans.social_worker_id
