-- Generated from data_contracts/ by `cpmonitor sync-sources`: edit the contracts, not this file.
with

source as (

    select * from {{ source('mosa', 'care_plans') }}

),

renamed as (

    select
        cast(care_plan_id as varchar) as care_plan_id,
        cast(child_id as varchar) as child_id,
        cast(placement_id as varchar) as placement_id,
        cast(district_code as varchar) as district_code,
        cast(plan_type as varchar) as plan_type,
        cast(plan_start_date as date) as plan_start_date,
        cast(review_due_date as date) as review_due_date,
        cast(permanency_goal as varchar) as permanency_goal,
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
