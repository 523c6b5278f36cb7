with

source as (

    select * from {{ source('police', 'abuse_reports') }}

),

renamed as (

    select
        -- ids (keyed hashes)
        cast(report_id as varchar) as report_id,
        cast(district_code as varchar) as district_code,

        -- victim
        cast(victim_sex as varchar) as victim_sex_code,
        cast(victim_age as integer) as victim_age_years,

        -- report
        cast(report_date as date) as report_date,
        cast(abuse_type as varchar) as abuse_type,
        cast(reporter_relationship as varchar) as reporter_relationship,

        -- delivery
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
