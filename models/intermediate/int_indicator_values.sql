-- Final indicator values of the kinds that cannot be summed (median, distinct, survey), computed
-- by their area at every level they represent. The mart adds them to the rolled-up parts.
{%- set areas = [] %}
{%- for area, shapes in var('vocabularies')['model_area'].items() if 'values' in shapes %}
    {%- do areas.append(area) %}
{%- endfor %}
{% for area in areas %}
select
    indicator_code, period_type, period_id, period_start, period_end,
    geo_level, geo_code, disaggregation, disaggregation_value,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    cast(value as double) as value,
    cast(ci_lower as double) as ci_lower,
    cast(ci_upper as double) as ci_upper
from {{ ref('int_indicator_values__' ~ area) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
