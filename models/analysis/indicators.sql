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

from {{ ref('dim_indicator') }}
