-- The latest delivered version of each helpline contact, with the child's sex and age band spelt as
-- in the marts and whether the concern is a child protection concern (VE13).
select
    contact_id,
    district_code,
    contact_at,
    cast(contact_at as date) as contact_date,
    channel,
    caller_type,
    concern,
    concern in (
        'physical_abuse', 'sexual_abuse', 'emotional_abuse', 'neglect', 'exploitation',
        'trafficking', 'child_labour', 'child_marriage', 'family_separation'
    ) as is_protection_concern,
    sex,
    child_age_years,
    {{ age_band('child_age_years') }} as age_band

from {{ ref('stg_helpline__helpline_contacts') }}

{{ latest_delivery(['contact_id']) }}
