-- The latest delivered version of each gatekeeping assessments record (key: assessment_id).
select *
from {{ ref('stg_mosa__gatekeeping_assessments') }}
{{ latest_delivery(['assessment_id']) }}
