{{ config(materialized='view') }}
-- A view of the mart, named without its database ("main.<mart>", not dbt's "<file>.main.<mart>"),
-- so it reads the mart of whatever file it is in: the published copy, a kept version, a file
-- an analyst attaches under another name. dbt still orders it after the mart:
-- depends_on: {{ ref('dim_geography') }}
-- The nation, its provinces and districts (boundaries stay in the mart: analysts join on codes).
select
    geo_code,
    geo_name,
    geo_level,
    parent_code,
    province_code,
    province_name

from main.dim_geography
