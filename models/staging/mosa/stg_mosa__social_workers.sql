-- Generated from data_contracts/ by `cpmonitor sync-sources`: edit the contracts, not this file.
with

source as (

    select * from {{ source('mosa', 'social_workers') }}

),

renamed as (

    select
        cast(worker_id as varchar) as worker_id,
        cast(sex as varchar) as sex_code,
        case cast(sex as varchar)
            when 'F' then 'female'
            when 'M' then 'male'
        end as sex,
        cast(district_code as varchar) as district_code,
        cast(position as varchar) as position,
        cast(employer as varchar) as employer,
        cast(post_start_date as date) as post_start_date,
        cast(post_end_date as date) as post_end_date,
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
