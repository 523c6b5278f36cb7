-- Generated from data_contracts/ by `cpmonitor sync-sources`: edit the contracts, not this file.
with

source as (

    select * from {{ source('civreg', 'birth_registrations') }}

),

renamed as (

    select
        cast(registration_id as varchar) as registration_id,
        cast(child_id as varchar) as child_id,
        cast(sex as varchar) as sex_code,
        case cast(sex as varchar)
            when 'F' then 'female'
            when 'M' then 'male'
        end as sex,
        cast(date_of_birth as date) as date_of_birth,
        cast(place_of_birth as varchar) as place_of_birth,
        cast(registration_date as date) as registration_date,
        cast(district_code as varchar) as district_code,
        cast(registrar_office as varchar) as registrar_office,
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
