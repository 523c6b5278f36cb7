with

source as (

    select * from {{ source('labour', 'labour_inspections') }}

),

renamed as (

    select
        -- ids
        cast(inspection_id as varchar) as inspection_id,
        cast(workplace_id as varchar) as workplace_id,
        cast(workplace_name as varchar) as workplace_name,
        cast(district_code as varchar) as district_code,

        -- inspection
        cast(sector as varchar) as sector,
        cast(inspection_type as varchar) as inspection_type,
        cast(inspection_date as date) as inspection_date,

        -- findings
        cast(workers_total as integer) as workers_total,
        cast(child_workers_found as integer) as child_workers_found,
        cast(children_withdrawn_worst_forms as integer) as children_withdrawn_worst_forms,
        cast(children_referred_to_services as integer) as children_referred_to_services,
        cast(children_withdrawn_and_referred as integer) as children_withdrawn_and_referred,

        -- delivery
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
