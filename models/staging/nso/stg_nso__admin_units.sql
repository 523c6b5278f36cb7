-- Generated from data_contracts/ by `cpmonitor sync-sources`: edit the contracts, not this file.
with

source as (

    select * from {{ source('nso', 'admin_units') }}

),

renamed as (

    select
        cast(unit_code as varchar) as unit_code,
        cast(unit_name as varchar) as unit_name,
        cast(level as varchar) as unit_level,
        nullif(trim(cast(parent_code as varchar)), '') as parent_code,
        cast(boundary_geojson as varchar) as boundary_geojson,
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
