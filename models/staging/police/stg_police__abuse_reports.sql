-- Generated from data_contracts/ by `cpmonitor sync-sources`: edit the contracts, not this file.
with

source as (

    select * from {{ source('police', 'abuse_reports') }}

),

renamed as (

    select
        cast(report_id as varchar) as report_id,
        cast(report_date as date) as report_date,
        cast(district_code as varchar) as district_code,
        cast(victim_sex as varchar) as victim_sex_code,
        case cast(victim_sex as varchar)
            when 'F' then 'female'
            when 'M' then 'male'
        end as victim_sex,
        cast(victim_age as bigint) as victim_age_years,
        cast(abuse_type as varchar) as abuse_type,
        cast(reporter_relationship as varchar) as reporter_relationship,
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
