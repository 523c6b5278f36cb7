{{ config(materialized='view') }}
-- A view of the mart, named without its database ("main.<mart>", not dbt's "<file>.main.<mart>"),
-- so it reads the mart of whatever file it is in: the published copy, a kept version, a file
-- an analyst attaches under another name. dbt still orders it after the mart:
-- depends_on: {{ ref('fct_indicator_values') }}
-- The published indicator values, exact, with the columns analysts may rely on (the mart's columns
-- can change with the models; these change only with the schema version).
select
    indicator_code,
    period_type,
    period_id,
    period_start,
    period_end,
    geo_level,
    geo_code,
    disaggregation,
    disaggregation_value,
    numerator,
    denominator,
    value,
    ci_lower,
    ci_upper,
    target_value,
    progress,
    status,
    coverage_pct,
    deliveries_expected,
    deliveries_received,
    is_partial,
    is_restated,
    coverage_note

from main.fct_indicator_values
