-- The latest delivered version of each school census row (school x school year x grade x sex);
-- sex as female/male, as in the marts.
select
    school_id,
    district_code,
    school_year_end,
    grade,
    sex,
    enrolled_at_start,
    transferred_out,
    left_without_completing,
    completed_year

from {{ ref('stg_moe__school_census') }}

{{ latest_delivery(['school_id', 'school_year_end', 'grade', 'sex']) }}
