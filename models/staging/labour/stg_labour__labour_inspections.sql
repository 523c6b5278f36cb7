-- Generated from data_contracts/ by `cpmonitor sync-sources`: edit the contracts, not this file.
with

source as (

    select * from {{ source('labour', 'labour_inspections') }}

),

renamed as (

    select
        cast(inspection_id as varchar) as inspection_id,
        cast(workplace_id as varchar) as workplace_id,
        cast(workplace_name as varchar) as workplace_name,
        cast(sector as varchar) as sector,
        cast(district_code as varchar) as district_code,
        cast(inspection_type as varchar) as inspection_type,
        cast(inspection_date as date) as inspection_date,
        cast(workers_total as bigint) as workers_total,
        cast(child_workers_found as bigint) as child_workers_found,
        cast(children_withdrawn_worst_forms as bigint) as children_withdrawn_worst_forms,
        cast(children_referred_to_services as bigint) as children_referred_to_services,
        cast(children_withdrawn_and_referred as bigint) as children_withdrawn_and_referred,
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
