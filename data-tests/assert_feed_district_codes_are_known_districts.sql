-- Every district code used by placements, institutions and population is a district of the
-- statistics office's admin units: otherwise its children would silently drop out of every
-- total. Returns the unknown codes.
with

districts as (

    select unit_code
    from {{ ref('int_admin_units_deduplicated') }}
    where unit_level = 'district'

),

used as (

    select 'placements' as feed, district_code from {{ ref('int_placements_deduplicated') }}
    union all
    select 'care_institutions', district_code from {{ ref('int_care_institutions_deduplicated') }}
    union all
    select 'population', district_code from {{ ref('int_population_deduplicated') }}

)

select feed, district_code, count(*) as n_rows
from used
where district_code not in (select districts.unit_code from districts)
group by 1, 2
