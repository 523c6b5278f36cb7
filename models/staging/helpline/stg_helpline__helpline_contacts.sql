-- Generated from data_contracts/ by `cpmonitor sync-sources`: edit the contracts, not this file.
with

source as (

    select * from {{ source('helpline', 'helpline_contacts') }}

),

renamed as (

    select
        cast(contact_id as varchar) as contact_id,
        cast(contact_at as timestamp) as contact_at,
        cast(channel as varchar) as channel,
        cast(caller_type as varchar) as caller_type,
        cast(district_code as varchar) as district_code,
        cast(child_sex as varchar) as sex_code,
        case cast(child_sex as varchar)
            when 'F' then 'female'
            when 'M' then 'male'
        end as sex,
        cast(child_age as bigint) as child_age_years,
        cast(concern as varchar) as concern,
        cast(referred as boolean) as is_referred,
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
