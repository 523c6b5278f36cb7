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

from {{ ref('fct_indicator_values') }}
