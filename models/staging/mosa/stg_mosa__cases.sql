-- Generated from data_contracts/ by `cpmonitor sync-sources`: edit the contracts, not this file.
with

source as (

    select * from {{ source('mosa', 'cases') }}

),

renamed as (

    select
        cast(case_id as varchar) as case_id,
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
        cast(district_code as varchar) as district_code,
        cast(opened_at as timestamp) as opened_at,
        cast(risk_level as varchar) as risk_level,
        cast(referral_source as varchar) as referral_source,
        cast(concern as varchar) as concern,
        cast(first_response_at as timestamp) as first_response_at,
        cast(assessment_completed_date as date) as assessment_completed_date,
        cast(case_plan_date as date) as case_plan_date,
        cast(closed_date as date) as closed_date,
        cast(closure_reason as varchar) as closure_reason,
        cast(social_worker_id as varchar) as social_worker_id,
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
