-- Generated from data_contracts/ by `cpmonitor sync-sources`: edit the contracts, not this file.
with

source as (

    select * from {{ source('prisons', 'detentions') }}

),

renamed as (

    select
        cast(detention_id as varchar) as detention_id,
        cast(child_id as varchar) as child_id,
        cast(sex as varchar) as sex_code,
        case cast(sex as varchar)
            when 'F' then 'female'
            when 'M' then 'male'
        end as sex,
        cast(date_of_birth as date) as date_of_birth,
        cast(facility_id as varchar) as facility_id,
        cast(facility_separated_from_adults as boolean) as is_separated_from_adults,
        cast(district_code as varchar) as district_code,
        cast(detention_start as date) as detention_start,
        cast(legal_status as varchar) as legal_status,
        cast(sentence_date as date) as sentence_date,
        cast(release_date as date) as release_date,
        cast(release_reason as varchar) as release_reason,
        cast(referred_to_aftercare as boolean) as is_referred_to_aftercare,
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
