{#- The framework's child age bands, from an age in completed years: 0-4, 5-9, 10-14, 15-17;
    null for 18 and over (not a child) or an unknown age. -#}
{% macro age_band(age_years) -%}
    case
        when {{ age_years }} between 0 and 4 then '0-4'
        when {{ age_years }} between 5 and 9 then '5-9'
        when {{ age_years }} between 10 and 14 then '10-14'
        when {{ age_years }} between 15 and 17 then '15-17'
    end
{%- endmacro %}

{#- Age in completed years on a date, from a date of birth. -#}
{% macro age_on(date_of_birth, on_date) -%}
    (date_diff('year', {{ date_of_birth }}, {{ on_date }})
        - case when strftime({{ on_date }}, '%m-%d') < strftime({{ date_of_birth }}, '%m-%d')
            then 1 else 0 end)
{%- endmacro %}
