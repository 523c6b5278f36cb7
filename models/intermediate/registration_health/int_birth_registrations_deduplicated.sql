-- The latest delivered version of each birth registration, with its delay and whether it was
-- registered within the legal period: 0 to 30 days after the birth (registration_date -
-- date_of_birth <= 30). A registration dated before the birth is never on time.
select
    registration_id,
    child_id,
    district_code,
    sex,
    date_of_birth,
    registration_date,
    date_diff('day', date_of_birth, registration_date) as days_to_registration,
    coalesce(date_diff('day', date_of_birth, registration_date) between 0 and 30, false)
        as is_on_time

from {{ ref('stg_civreg__birth_registrations') }}

{{ latest_delivery(['registration_id']) }}
