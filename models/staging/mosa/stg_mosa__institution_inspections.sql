-- Generated from data_contracts/ by `cpmonitor sync-sources`: edit the contracts, not this file.
with

source as (

    select * from {{ source('mosa', 'institution_inspections') }}

),

renamed as (

    select
        cast(inspection_id as varchar) as inspection_id,
        cast(institution_id as varchar) as institution_id,
        cast(district_code as varchar) as district_code,
        cast(inspection_date as date) as inspection_date,
        cast(inspection_type as varchar) as inspection_type,
        cast(compliance_score as bigint) as compliance_score,
        cast(outcome as varchar) as outcome,
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
