-- Expected deliveries of every feed and period, as the pipeline judged them before this build.
select
    cast(entity as varchar) as entity,
    cast(entity_name as varchar) as entity_name,
    cast(feed as varchar) as feed,
    cast(feed_title as varchar) as feed_title,
    cast(unit_code as varchar) as unit_code,
    cast(period as varchar) as feed_period,
    cast(period_start as date) as feed_period_start,
    cast(period_end as date) as feed_period_end,
    cast(status as varchar) as status,
    cast(received as boolean) as is_received,
    cast(files_accepted as integer) as files_accepted,
    cast(periodic as boolean) as is_periodic,
    cast(feed_first_period_start as date) as feed_first_period_start

from {{ source('pipeline', '_delivery_status') }}
