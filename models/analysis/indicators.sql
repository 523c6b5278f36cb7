{{ config(materialized='view') }}
-- A view of the mart, named without its database ("main.<mart>", not dbt's "<file>.main.<mart>"),
-- so it reads the mart of whatever file it is in: the published copy, a kept version, a file
-- an analyst attaches under another name. dbt still orders it after the mart:
-- depends_on: {{ ref('dim_indicator') }}
-- The indicator catalogue, one row per indicator.
select
    indicator_code,
    display_order,
    indicator_name,
    short_label,
    sector_code,
    sector_name,
    definition,
    numerator_definition,
    denominator_definition,
    unit,
    factor,
    kind,
    direction,
    frequency,
    disaggregations,
    source_feeds,
    disclosure_class,
    framework_ref,
    baseline_value,
    baseline_date,
    target_value,
    target_year

from main.dim_indicator
