-- Generated from data_contracts/ by `cpmonitor sync-sources`: edit the contracts, not this file.
with

source as (

    select * from {{ source('mosa', 'gatekeeping_assessments') }}

),

renamed as (

    select
        cast(assessment_id as varchar) as assessment_id,
        cast(child_id as varchar) as child_id,
        cast(sex as varchar) as sex_code,
        case cast(sex as varchar)
            when 'F' then 'female'
            when 'M' then 'male'
        end as sex,
        cast(date_of_birth as date) as date_of_birth,
        cast(district_code as varchar) as district_code,
        cast(referral_date as date) as referral_date,
        cast(assessment_status as varchar) as assessment_status,
        cast(completed_date as date) as completed_date,
        cast(recommendation as varchar) as recommendation,
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
