-- The latest delivered version of each arrest, with sex spelt as in the marts and the child's age
-- and age band on the arrest date.
select
    arrest_id,
    child_id,
    district_code,
    sex,
    date_of_birth,
    arrest_date,
    {{ age_on('date_of_birth', 'arrest_date') }} as age_years,
    {{ age_band(age_on('date_of_birth', 'arrest_date')) }} as age_band,
    offence_category

from {{ ref('stg_police__arrests') }}

{{ latest_delivery(['arrest_id']) }}
