{{ config(materialized='view') }}
-- A view of the mart, named without its database ("main.<mart>", not dbt's "<file>.main.<mart>"),
-- so it reads the mart of whatever file it is in: the published copy, a kept version, a file
-- an analyst attaches under another name. dbt still orders it after the mart:
-- depends_on: {{ ref('dim_period') }}
-- The reporting periods: months, and the complete quarters and years.
select
    period_id,
    period_type,
    period_start,
    period_end,
    year,
    quarter,
    month,
    period_label

from main.dim_period
