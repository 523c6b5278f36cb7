-- The latest delivered version of each institution inspections record (key: inspection_id).
select *
from {{ ref('stg_mosa__institution_inspections') }}
{{ latest_delivery(['inspection_id']) }}
