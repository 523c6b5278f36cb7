-- The latest delivered version of each child identified as a trafficking victim, with sex spelt as
-- in the marts and the age band of the (possibly estimated) age on the identification date.
select
    victim_id,
    district_code,
    sex,
    age_years,
    {{ age_band('age_years') }} as age_band,
    citizenship,
    identified_date,
    exploitation_form,
    identified_by,
    is_referred_to_services

from {{ ref('stg_police__trafficking_victims') }}

{{ latest_delivery(['victim_id']) }}
