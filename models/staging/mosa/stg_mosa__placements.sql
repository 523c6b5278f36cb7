-- Generated from data_contracts/ by `cpmonitor sync-sources`: edit the contracts, not this file.
with

source as (

    select * from {{ source('mosa', 'placements') }}

),

renamed as (

    select
        cast(placement_id as varchar) as placement_id,
        cast(child_id as varchar) as child_id,
        cast(sex as varchar) as sex_code,
        case cast(sex as varchar)
            when 'F' then 'female'
            when 'M' then 'male'
        end as sex,
        cast(date_of_birth as date) as date_of_birth,
        cast(disability as boolean) as has_disability,
        case cast(disability as boolean)
            when true then 'yes'
            when false then 'no'
        end as disability,
        cast(care_type as varchar) as care_type,
        cast(institution_id as varchar) as institution_id,
        cast(district_code as varchar) as district_code,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(exit_reason as varchar) as exit_reason,
        cast(has_birth_certificate as boolean) as has_birth_certificate,
        cast(birth_certificate_date as date) as birth_certificate_date,
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
