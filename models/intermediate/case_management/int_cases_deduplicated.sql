-- The latest delivered version of each child protection case, with sex and disability spelt as in
-- the marts and the opening day.
select
    case_id,
    child_id,
    social_worker_id,
    district_code,
    sex,
    date_of_birth,
    disability,
    risk_level,
    referral_source,
    concern,
    opened_at,
    cast(opened_at as date) as opened_date,
    first_response_at,
    assessment_completed_date,
    case_plan_date,
    closed_date,
    closure_reason

from {{ ref('stg_mosa__cases') }}

{{ latest_delivery(['case_id']) }}
