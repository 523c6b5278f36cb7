-- The latest delivered version of each court or prosecutor decision, with sex spelt as in the marts
-- and the child's age band on the decision date (null from 18).
select
    decision_id,
    child_id,
    case_number,
    district_code,
    sex,
    date_of_birth,
    decision_date,
    {{ age_band(age_on('date_of_birth', 'decision_date')) }} as age_band,
    decided_by,
    decision_type,
    offence_category,
    sentence_months

from {{ ref('stg_courts__court_decisions') }}

{{ latest_delivery(['decision_id']) }}
