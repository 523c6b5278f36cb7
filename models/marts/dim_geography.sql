-- The nation (NAT), its provinces and districts. Every row knows its province (null for the
-- nation); provinces are their own province and have the nation as parent. The nation is named
-- after the national unit of the admin_units feed (level `national`); a feed without one falls
-- back to the dbt var `country_name`.
with

units as (

    select * from {{ ref('int_admin_units_deduplicated') }}

),

national as (

    select
        'NAT' as geo_code,
        coalesce(
            (
                select unit_name from units
                where unit_level = 'national'
                order by unit_code
                limit 1
            ),
            '{{ var("country_name") | replace("'", "''") }}'
        ) as geo_name,
        'national' as geo_level,
        cast(null as varchar) as parent_code,
        cast(null as varchar) as province_code,
        cast(null as varchar) as province_name,
        cast(null as varchar) as boundary_geojson

),

provinces as (

    select
        unit_code as geo_code,
        unit_name as geo_name,
        'province' as geo_level,
        'NAT' as parent_code,
        unit_code as province_code,
        unit_name as province_name,
        boundary_geojson
    from units
    where unit_level = 'province'

),

districts as (

    select
        districts.unit_code as geo_code,
        districts.unit_name as geo_name,
        'district' as geo_level,
        districts.parent_code,
        provinces.unit_code as province_code,
        provinces.unit_name as province_name,
        districts.boundary_geojson
    from units as districts
    left join units as provinces
        on provinces.unit_code = districts.parent_code
        and provinces.unit_level = 'province'
    where districts.unit_level = 'district'

)

select * from national
union all
select * from provinces
union all
select * from districts
