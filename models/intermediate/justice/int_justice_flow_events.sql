-- Every event a justice flow indicator counts, one row per event, with the date, district, sex and
-- age band (at the event) it is counted under. Event types:
--   arrest                        an arrest of a child aged 10-17 on the arrest date (JC01)
--   trafficking_victim            a child identified as a victim of trafficking (VE11)
--   sexual_abuse_report           a report of sexual abuse of a child (VE12)
--   diversion, custodial_sentence, non_custodial_sentence   decisions (JC05, JC06); acquittals
--                                 and dismissals are neither sentences nor diversions
--   death_in_detention            a detention episode ended by the child's death (JC08)
--   release_with_aftercare, release_without_aftercare       a detention episode ended by a release
--                                 (not a transfer, not a death), by referral to aftercare (JC09)
with

arrests as (

    select
        'arrest' as event_type,
        arrest_id as record_id,
        arrest_date as event_date,
        district_code,
        sex,
        age_band
    from {{ ref('int_arrests_deduplicated') }}
    where age_years between 10 and 17

),

trafficking_victims as (

    select
        'trafficking_victim' as event_type,
        victim_id as record_id,
        identified_date as event_date,
        district_code,
        sex,
        age_band
    from {{ ref('int_trafficking_victims_deduplicated') }}

),

sexual_abuse_reports as (

    select
        'sexual_abuse_report' as event_type,
        report_id as record_id,
        report_date as event_date,
        district_code,
        sex,
        age_band
    from {{ ref('int_abuse_reports_deduplicated') }}
    where abuse_type = 'sexual'

),

decisions as (

    select
        decision_type as event_type,
        decision_id as record_id,
        decision_date as event_date,
        district_code,
        sex,
        age_band
    from {{ ref('int_court_decisions_deduplicated') }}
    where decision_type in ('diversion', 'custodial_sentence', 'non_custodial_sentence')

),

detention_ends as (

    select
        case
            when release_reason = 'died' then 'death_in_detention'
            when coalesce(is_referred_to_aftercare, false) then 'release_with_aftercare'
            else 'release_without_aftercare'
        end as event_type,
        detention_id as record_id,
        release_date as event_date,
        district_code,
        sex,
        {{ age_band(age_on('date_of_birth', 'release_date')) }} as age_band
    from {{ ref('int_detentions_deduplicated') }}
    where release_date is not null
        and release_reason in (
            'released_without_charge', 'bail', 'diverted', 'sentence_served', 'acquitted', 'died'
        )

)

select * from arrests
union all
select * from trafficking_victims
union all
select * from sexual_abuse_reports
union all
select * from decisions
union all
select * from detention_ends
