with

source as (

    select * from {{ source('nso', 'population') }}

),

renamed as (

    select
        -- keys
        cast(year as integer) as population_year,
        cast(district_code as varchar) as district_code,
        cast(sex as varchar) as sex_code,
        cast(age as integer) as age_years,

        -- measures
        cast(population as bigint) as population,

        -- delivery
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
