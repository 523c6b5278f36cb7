-- The indicator catalogue (seeds/indicator_catalogue.csv), typed.
select
    cast(indicator_code as varchar) as indicator_code,
    cast(display_order as integer) as display_order,
    cast(indicator_name as varchar) as indicator_name,
    cast(short_label as varchar) as short_label,
    cast(sector_code as varchar) as sector_code,
    cast(sector_name as varchar) as sector_name,
    cast(definition as varchar) as definition,
    cast(numerator_definition as varchar) as numerator_definition,
    cast(denominator_definition as varchar) as denominator_definition,
    cast(unit as varchar) as unit,
    cast(factor as double) as factor,
    cast(kind as varchar) as kind,
    cast(direction as varchar) as direction,
    cast(number_format as varchar) as number_format,
    cast(frequency as varchar) as frequency,
    cast(disaggregations as varchar) as disaggregations,
    cast(source_feeds as varchar) as source_feeds,
    cast(model_area as varchar) as model_area,
    cast(disclosure_class as varchar) as disclosure_class,
    cast(window_months as integer) as window_months,
    cast(framework_ref as varchar) as framework_ref,
    cast(baseline_value as double) as baseline_value,
    cast(baseline_date as date) as baseline_date,
    cast(target_value as double) as target_value,
    cast(target_year as integer) as target_year

from {{ ref('indicator_catalogue') }}
