-- Generated from data_contracts/ by `cpmonitor sync-sources`: edit the contracts, not this file.
with

source as (

    select * from {{ source('health', 'facility_child_protection') }}

),

renamed as (

    select
        cast(facility_id as varchar) as facility_id,
        cast(facility_name as varchar) as facility_name,
        cast(facility_type as varchar) as facility_type,
        cast(district_code as varchar) as district_code,
        cast(reporting_month as date) as reporting_month,
        cast(data_element as varchar) as data_element,
        cast(sex as varchar) as sex_code,
        case cast(sex as varchar)
            when 'F' then 'female'
            when 'M' then 'male'
        end as sex,
        cast(age_group as varchar) as age_group,
        cast(value as bigint) as value,
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
