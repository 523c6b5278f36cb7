-- The reporting periods each indicator has values for: its catalogue frequency read through
-- vars.vocabularies.frequency (monthly: months, quarters and years; quarterly: quarters and years;
-- yearly: years). Every area computes its indicators for these periods only.
{%- set period_types = [] %}
{%- for frequency, types in var('vocabularies')['frequency'].items() %}
    {%- for period_type in types %}
        {%- do period_types.append((frequency, period_type)) %}
    {%- endfor %}
{%- endfor %}
with

frequency_period_types as (

    select * from (
        values
        {%- for frequency, period_type in period_types %}
            ('{{ frequency }}', '{{ period_type }}'){{ "," if not loop.last }}
        {%- endfor %}
    ) as frequency_period_types (frequency, period_type)

)

select
    catalogue.indicator_code,
    periods.period_type,
    periods.period_id,
    periods.period_start,
    periods.period_end
from {{ ref('indicator_catalogue') }} as catalogue
inner join frequency_period_types
    on frequency_period_types.frequency = catalogue.frequency
inner join {{ ref('int_reporting_periods') }} as periods
    on periods.period_type = frequency_period_types.period_type
