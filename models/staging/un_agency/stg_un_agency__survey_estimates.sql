-- Generated from data_contracts/ by `cpmonitor sync-sources`: edit the contracts, not this file.
with

source as (

    select * from {{ source('un_agency', 'survey_estimates') }}

),

renamed as (

    select
        cast(survey_name as varchar) as survey_name,
        cast(survey_year as bigint) as survey_year,
        cast(indicator_code as varchar) as indicator_code,
        cast(geo_level as varchar) as geo_level,
        cast(geo_code as varchar) as geo_code,
        cast(sex as varchar) as sex_code,
        case cast(sex as varchar)
            when 'total' then 'total'
            when 'F' then 'female'
            when 'M' then 'male'
        end as sex,
        cast(estimate as double) as estimate,
        cast(ci_lower as double) as ci_lower,
        cast(ci_upper as double) as ci_upper,
        cast(unweighted_base as bigint) as unweighted_base,
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
