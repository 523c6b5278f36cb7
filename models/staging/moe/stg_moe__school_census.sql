with

source as (

    select * from {{ source('moe', 'school_census') }}

),

renamed as (

    select
        -- school
        cast(school_id as varchar) as school_id,
        cast(school_name as varchar) as school_name,
        cast(school_type as varchar) as school_type,
        cast(district_code as varchar) as district_code,

        -- cohort row
        cast(school_year_end as integer) as school_year_end,
        cast(grade as integer) as grade,
        cast(sex as varchar) as sex_code,

        -- pupils
        cast(enrolled_at_start as integer) as enrolled_at_start,
        cast(transferred_out as integer) as transferred_out,
        cast(left_without_completing as integer) as left_without_completing,
        cast(completed_year as integer) as completed_year,

        -- delivery
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
