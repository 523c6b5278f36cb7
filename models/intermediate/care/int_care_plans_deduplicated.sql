-- The latest delivered version of each care plans record (key: care_plan_id).
select *
from {{ ref('stg_mosa__care_plans') }}
{{ latest_delivery(['care_plan_id']) }}
