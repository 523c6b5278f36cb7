-- The latest delivered version of each workplace inspection.
select
    inspection_id,
    workplace_id,
    district_code,
    sector,
    inspection_type,
    inspection_date,
    child_workers_found,
    children_withdrawn_worst_forms,
    children_referred_to_services,
    children_withdrawn_and_referred,
    -- the counts nest: withdrawn and referred <= each of withdrawn, referred <= children found
    coalesce(
        children_withdrawn_and_referred <= children_withdrawn_worst_forms
        and children_withdrawn_and_referred <= children_referred_to_services
        and children_withdrawn_worst_forms <= child_workers_found
        and children_referred_to_services <= child_workers_found,
        false
    ) as counts_are_consistent

from {{ ref('stg_labour__labour_inspections') }}

{{ latest_delivery(['inspection_id']) }}
