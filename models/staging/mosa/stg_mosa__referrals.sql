-- Generated from data_contracts/ by `cpmonitor sync-sources`: edit the contracts, not this file.
with

source as (

    select * from {{ source('mosa', 'referrals') }}

),

renamed as (

    select
        cast(referral_id as varchar) as referral_id,
        cast(case_id as varchar) as case_id,
        cast(referral_date as date) as referral_date,
        cast(service_type as varchar) as service_type,
        cast(provider_type as varchar) as provider_type,
        cast(service_delivered_date as date) as service_delivered_date,
        cast(_period as varchar) as _period,
        cast(_source_file as varchar) as _source_file,
        cast(_received_at as timestamp) as _received_at

    from source

)

select * from renamed
