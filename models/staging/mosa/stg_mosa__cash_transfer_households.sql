-- Generated from data_contracts/ by `cpmonitor sync-sources`: edit the contracts, not this file.
with

source as (

    select * from {{ source('mosa', 'cash_transfer_households') }}

),

renamed as (

    select
        cast(household_id as varchar) as household_id,
        cast(district_code as varchar) as district_code,
        cast(village_code as varchar) as village_code,
        cast(enrolled_date as date) as enrolled_date,
        cast(exit_date as date) as exit_date,
        cast(exit_reason as varchar) as exit_reason,
        cast(children_in_household as bigint) as children_in_household,
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
