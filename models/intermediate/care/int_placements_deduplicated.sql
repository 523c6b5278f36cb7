-- The latest delivered version of each placement episode, with sex and disability spelt as in
-- the marts (female/male, yes/no; null when not recorded).
select
    placement_id,
    child_id,
    institution_id,
    district_code,
    sex_code,
    case sex_code when 'F' then 'female' when 'M' then 'male' end as sex,
    date_of_birth,
    has_disability,
    case when has_disability then 'yes' when not has_disability then 'no' end as disability,
    has_birth_certificate,
    care_type,
    start_date,
    end_date,
    exit_reason

from {{ ref('stg_mosa__placements') }}

{{ latest_delivery(['placement_id']) }}
