-- The latest delivered version of each referral of a case to a service.
select
    referral_id,
    case_id,
    service_type,
    provider_type,
    referral_date,
    service_delivered_date

from {{ ref('stg_mosa__referrals') }}

{{ latest_delivery(['referral_id']) }}
