-- The latest delivered version of each household of the cash transfer register.
select
    household_id,
    district_code,
    enrolled_date,
    exit_date,
    exit_reason,
    children_in_household

from {{ ref('stg_mosa__cash_transfer_households') }}

{{ latest_delivery(['household_id']) }}
