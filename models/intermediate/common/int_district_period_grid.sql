-- Every district x reporting period x sex x age band: the dense grid the areas fill so that a cell
-- with nothing to count still has a row (zero, never missing). Sexes and age bands are the
-- disaggregation values of vars.vocabularies; districts are the latest admin units.
{%- set values = var('vocabularies')['disaggregation_values'] %}
with

districts as (

    select unit_code as district_code
    from {{ ref('int_admin_units_deduplicated') }}
    where unit_level = 'district'

),

sexes as (

    select * from (
        values
        {%- for sex in values['sex'] %}
            ('{{ sex }}'){{ "," if not loop.last }}
        {%- endfor %}
    ) as sexes (sex)

),

age_bands as (

    select * from (
        values
        {%- for band in values['age_band'] %}
            ('{{ band }}'){{ "," if not loop.last }}
        {%- endfor %}
    ) as age_bands (age_band)

)

select
    periods.period_type,
    periods.period_id,
    periods.period_start,
    periods.period_end,
    districts.district_code,
    sexes.sex,
    age_bands.age_band
from {{ ref('int_reporting_periods') }} as periods
cross join districts
cross join sexes
cross join age_bands
