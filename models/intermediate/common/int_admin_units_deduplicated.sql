-- The latest delivered version of each administrative unit.
select
    unit_code,
    parent_code,
    unit_name,
    unit_level,
    boundary_geojson

from {{ ref('stg_nso__admin_units') }}

{{ latest_delivery(['unit_code']) }}
