-- The latest delivered version of each detention episode, with sex spelt as in the marts.
select
    detention_id,
    child_id,
    facility_id,
    district_code,
    sex,
    date_of_birth,
    is_separated_from_adults,
    legal_status,
    detention_start,
    sentence_date,
    release_date,
    release_reason,
    is_referred_to_aftercare

from {{ ref('stg_prisons__detentions') }}

{{ latest_delivery(['detention_id']) }}
