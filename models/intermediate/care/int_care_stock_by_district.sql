-- Children in formal care per stock date, district, sex, age band and disability (from
-- int_formal_care_on_dates): residential, family-based (foster, kinship, guardianship), all formal
-- care, and of those with a current care plan and with a birth certificate. Zero counts are
-- absent (filled in by int_indicator_parts__care).
select
    as_of_date,
    district_code,
    sex,
    age_band,
    disability,
    count(*) filter (where is_residential) as residential,
    count(*) filter (where not is_residential) as family_based,
    count(*) as formal_care,
    count(*) filter (where has_current_care_plan) as with_care_plan,
    count(*) filter (where has_birth_certificate) as with_birth_certificate
from {{ ref('int_formal_care_on_dates') }}
group by all
