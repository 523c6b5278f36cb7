{#-
  The two shapes of sector indicator models (docs/indicators-and-feeds.md):
  additive parts at district grain, and final values for kinds that cannot be summed.
  `empty_indicator_parts()` / `empty_indicator_values()` give a typed zero-row relation of each.
-#}

{% macro indicator_parts_columns() -%}
    indicator_code varchar, period_type varchar, period_id varchar, period_start date,
    period_end date, district_code varchar, sex varchar, age_band varchar, disability varchar,
    numerator double, denominator double
{%- endmacro %}

{% macro indicator_values_columns() -%}
    indicator_code varchar, period_type varchar, period_id varchar, period_start date,
    period_end date, geo_level varchar, geo_code varchar, disaggregation varchar,
    disaggregation_value varchar, numerator double, denominator double, value double,
    ci_lower double, ci_upper double
{%- endmacro %}

{% macro _empty_relation(columns) -%}
    {%- set names = [] -%}
    {%- set casts = [] -%}
    {%- for column in columns.split(',') -%}
        {%- set parts = column.strip().split(' ') -%}
        {%- do casts.append('cast(null as ' ~ parts[1] ~ ') as ' ~ parts[0]) -%}
    {%- endfor -%}
    select {{ casts | join(', ') }} where false
{%- endmacro %}

{% macro empty_indicator_parts() -%}
    {{ _empty_relation(indicator_parts_columns()) }}
{%- endmacro %}

{% macro empty_indicator_values() -%}
    {{ _empty_relation(indicator_values_columns()) }}
{%- endmacro %}
