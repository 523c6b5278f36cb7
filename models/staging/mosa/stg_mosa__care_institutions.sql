-- Generated from data_contracts/ by `cpmonitor sync-sources`: edit the contracts, not this file.
with

source as (

    select * from {{ source('mosa', 'care_institutions') }}

),

renamed as (

    select
        cast(institution_id as varchar) as institution_id,
        cast(institution_name as varchar) as institution_name,
        cast(district_code as varchar) as district_code,
        cast(institution_type as varchar) as institution_type,
        cast(ownership as varchar) as ownership,
        cast(registered as boolean) as is_registered,
        cast(capacity as bigint) as capacity,
        cast(opened_date as date) as opened_date,
        cast(closed_date as date) as closed_date,
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
