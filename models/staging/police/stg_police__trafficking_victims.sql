-- Generated from data_contracts/ by `cpmonitor sync-sources`: edit the contracts, not this file.
with

source as (

    select * from {{ source('police', 'trafficking_victims') }}

),

renamed as (

    select
        cast(victim_id as varchar) as victim_id,
        cast(sex as varchar) as sex_code,
        case cast(sex as varchar)
            when 'F' then 'female'
            when 'M' then 'male'
        end as sex,
        cast(date_of_birth as date) as date_of_birth,
        cast(age_years as bigint) as age_years,
        cast(citizenship as varchar) as citizenship,
        cast(district_code as varchar) as district_code,
        cast(identified_date as date) as identified_date,
        cast(exploitation_form as varchar) as exploitation_form,
        cast(identified_by as varchar) as identified_by,
        cast(referred_to_services as boolean) as is_referred_to_services,
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
