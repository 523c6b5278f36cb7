{{ config(materialized='view') }}
-- A view of the mart, named without its database ("main.<mart>", not dbt's "<file>.main.<mart>"),
-- so it reads the mart of whatever file it is in: the published copy, a kept version, a file
-- an analyst attaches under another name. dbt still orders it after the mart:
-- depends_on: {{ ref('fct_indicator_values') }}
-- What each indicator value rests on, one row per indicator, period and place whose value
-- rests on deliveries (the coverage columns of indicator_values, without the disaggregations).
select
    indicator_code,
    period_type,
    period_id,
    geo_level,
    geo_code,
    coverage_pct,
    deliveries_expected,
    deliveries_received,
    is_partial,
    is_restated,
    coverage_note

from main.fct_indicator_values

where disaggregation = 'total'
