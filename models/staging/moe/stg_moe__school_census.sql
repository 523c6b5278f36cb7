-- Generated from data_contracts/ by `cpmonitor sync-sources`: edit the contracts, not this file.
with

source as (

    select * from {{ source('moe', 'school_census') }}

),

renamed as (

    select
        cast(school_id as varchar) as school_id,
        cast(school_name as varchar) as school_name,
        cast(school_type as varchar) as school_type,
        cast(district_code as varchar) as district_code,
        cast(school_year_end as bigint) as school_year_end,
        cast(grade as bigint) as grade,
        cast(sex as varchar) as sex_code,
        case cast(sex as varchar)
            when 'F' then 'female'
            when 'M' then 'male'
        end as sex,
        cast(enrolled_at_start as bigint) as enrolled_at_start,
        cast(transferred_out as bigint) as transferred_out,
        cast(left_without_completing as bigint) as left_without_completing,
        cast(completed_year as bigint) as completed_year,
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
