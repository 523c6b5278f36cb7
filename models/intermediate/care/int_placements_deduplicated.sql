-- The latest delivered version of each placement episode, with sex and disability spelt as in
-- the marts (female/male, yes/no; null when not recorded), and the day from which the child's
-- file holds a birth certificate (a state that changes during an episode, so never taken from
-- the latest row alone): the certificate's recorded date, or, where a row says the file holds
-- one without a date, the first day of the first delivered month that says so (read as
-- delivered). None when the latest row says the file holds no certificate.
with

placements as (

    select * from {{ ref('stg_mosa__placements') }}

),

certificates as (

    select
        placement_id,
        min(coalesce(birth_certificate_date, cast(_period || '-01' as date)))
            as birth_certificate_from
    from placements
    where has_birth_certificate
    group by 1

),

latest as (

    select
        placement_id,
        child_id,
        institution_id,
        district_code,
        sex_code,
        sex,
        date_of_birth,
        has_disability,
        disability,
        has_birth_certificate,
        care_type,
        start_date,
        end_date,
        exit_reason
    from placements
    {{ latest_delivery(['placement_id']) }}

)

select
    latest.*,
    case
        when latest.has_birth_certificate is not false
            then certificates.birth_certificate_from
    end as birth_certificate_from
from latest
left join certificates
    on certificates.placement_id = latest.placement_id
