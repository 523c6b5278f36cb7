-- The latest delivered version of each residential care institution.
select
    institution_id,
    district_code,
    institution_name,
    institution_type,
    ownership,
    is_registered,
    capacity,
    opened_date,
    closed_date

from {{ ref('stg_mosa__care_institutions') }}

{{ latest_delivery(['institution_id']) }}
