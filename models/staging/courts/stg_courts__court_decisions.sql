-- Generated from data_contracts/ by `cpmonitor sync-sources`: edit the contracts, not this file.
with

source as (

    select * from {{ source('courts', 'court_decisions') }}

),

renamed as (

    select
        cast(decision_id as varchar) as decision_id,
        cast(child_id as varchar) as child_id,
        cast(case_number as varchar) as case_number,
        cast(sex as varchar) as sex_code,
        case cast(sex as varchar)
            when 'F' then 'female'
            when 'M' then 'male'
        end as sex,
        cast(date_of_birth as date) as date_of_birth,
        cast(district_code as varchar) as district_code,
        cast(decision_date as date) as decision_date,
        cast(decided_by as varchar) as decided_by,
        cast(decision_type as varchar) as decision_type,
        cast(offence_category as varchar) as offence_category,
        cast(sentence_months as bigint) as sentence_months,
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
