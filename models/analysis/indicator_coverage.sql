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

from {{ ref('fct_indicator_values') }}

where disaggregation = 'total'
