-- Additive indicator parts of every area, at district grain (one row per indicator x period x
-- district x sex x age band x disability; the last three null where a feed does not carry them).
-- The mart rolls them up; see docs/indicators-and-feeds.md for which area computes what.
-- A view: the mart is its only reader, and the areas' tables are already written (at national
-- scale the table took 3.5 s to write 4.9 M rows the mart read once).
{{ config(materialized='view') }}
{%- set areas = [] %}
{%- for area, shapes in var('vocabularies')['model_area'].items() if 'parts' in shapes %}
    {%- do areas.append(area) %}
{%- endfor %}
{% for area in areas %}
select
    indicator_code, period_type, period_id, period_start, period_end,
    district_code, sex, age_band, disability,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator
from {{ ref('int_indicator_parts__' ~ area) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
