-- Generated from data_contracts/ by `cpmonitor sync-sources`: edit the contracts, not this file.
with

source as (

    select * from {{ source('mosa', 'reintegration_followups') }}

),

renamed as (

    select
        cast(followup_id as varchar) as followup_id,
        cast(placement_id as varchar) as placement_id,
        cast(child_id as varchar) as child_id,
        cast(district_code as varchar) as district_code,
        cast(contact_date as date) as contact_date,
        cast(contact_type as varchar) as contact_type,
        cast(child_seen as boolean) as is_child_seen,
        cast(outcome as varchar) as outcome,
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
