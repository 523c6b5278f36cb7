-- The nation, its provinces and districts (boundaries stay in the mart: analysts join on codes).
select
    geo_code,
    geo_name,
    geo_level,
    parent_code,
    province_code,
    province_name

from {{ ref('dim_geography') }}
