-- Generated from data_contracts/ by `cpmonitor sync-sources`: edit the contracts, not this file.
with

source as (

    select * from {{ source('labour', 'labour_office_reports') }}

),

renamed as (

    select
        cast(province_code as varchar) as province_code,
        cast(report_received_date as date) as report_received_date,
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
