-- The latest delivered version of each reintegration followups record (key: followup_id).
select *
from {{ ref('stg_mosa__reintegration_followups') }}
{{ latest_delivery(['followup_id']) }}
