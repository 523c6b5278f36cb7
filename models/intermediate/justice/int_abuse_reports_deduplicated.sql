-- The latest delivered version of each report of abuse of a child, with the victim's sex spelt as
-- in the marts and the age band of the victim's age (both null when unknown).
select
    report_id,
    district_code,
    report_date,
    victim_sex as sex,
    victim_age_years,
    {{ age_band('victim_age_years') }} as age_band,
    abuse_type,
    reporter_relationship

from {{ ref('stg_police__abuse_reports') }}

{{ latest_delivery(['report_id']) }}
