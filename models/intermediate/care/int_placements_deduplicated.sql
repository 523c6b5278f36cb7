-- The latest delivered version of each placement episode, with sex spelt as in the marts.
select
    placement_id,
    child_id,
    institution_id,
    district_code,
    sex_code,
    case sex_code when 'F' then 'female' when 'M' then 'male' end as sex,
    date_of_birth,
    has_disability,
    care_type,
    start_date,
    end_date,
    exit_reason

from {{ ref('stg_mosa__placements') }}

{{ latest_delivery(['placement_id']) }}
