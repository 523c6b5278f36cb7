-- Expected deliveries of every feed and period and what became of each (DHIS2's reporting rate).
select
    feed,
    feed_title,
    entity,
    entity_name,
    unit_code,
    feed_period,
    feed_period_start,
    feed_period_end,
    status,
    is_received,
    files_accepted,
    files_accepted > 1 as is_resubmitted,
    is_periodic

from {{ ref('stg_pipeline__delivery_status') }}
