-- The latest delivered version of each social worker post (a worker in one district office from a
-- start date).
select
    worker_id,
    district_code,
    position,
    employer,
    post_start_date,
    post_end_date

from {{ ref('stg_mosa__social_workers') }}

{{ latest_delivery(['worker_id', 'post_start_date']) }}
