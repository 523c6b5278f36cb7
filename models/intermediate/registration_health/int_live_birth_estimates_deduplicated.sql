-- The latest delivered estimate of live births per year, district and sex of the newborn.
select
    estimate_year,
    district_code,
    sex,
    estimated_live_births

from {{ ref('stg_nso__live_birth_estimates') }}

{{ latest_delivery(['estimate_year', 'district_code', 'sex']) }}
