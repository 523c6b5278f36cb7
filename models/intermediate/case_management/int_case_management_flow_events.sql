-- Every event a case-management flow indicator counts, one row per event, with the date,
-- district, sex, age band (at the event) and disability it is counted under. Event types:
--   case_opened                   a case opened (VE01); age at opening
--   high_risk_case_seen_24h, high_risk_case_not_seen_24h   a high-risk case opened, seen face to
--                                 face within 24 hours of opening or not (no response yet: not)
--                                 (VE04)
--   case_opened_from_school       a case opened on a school's referral (SS02)
--   case_closed_goals_met, case_closed_otherwise   a case closed, with its case plan goals met or
--                                 not (VE08); age at closure
--   referral_delivered, referral_not_delivered   a referral of a case to a service, delivered by
--                                 the data cut-off or not (VE06); geography and child from the
--                                 case, a referral of an unknown case is left out; age at referral
--   helpline_protection_contact   a helpline contact about a child protection concern (VE13); a
--                                 contact with no district counts in the nation only
-- Which indicator counts which event, in its numerator or denominator, is the role table of
-- int_case_management_monthly_flows.
with

cases as (

    select * from {{ ref('int_cases_deduplicated') }}

),

opened as (

    select
        'case_opened' as event_type,
        opened_date as event_date,
        district_code,
        sex,
        {{ age_band(age_on('date_of_birth', 'opened_date')) }} as age_band,
        disability
    from cases

    union all

    select
        case
            when first_response_at <= opened_at + interval 24 hours
                then 'high_risk_case_seen_24h'
            else 'high_risk_case_not_seen_24h'
        end,
        opened_date,
        district_code,
        sex,
        {{ age_band(age_on('date_of_birth', 'opened_date')) }},
        disability
    from cases
    where risk_level = 'high'

    union all

    select
        'case_opened_from_school',
        opened_date,
        district_code,
        sex,
        {{ age_band(age_on('date_of_birth', 'opened_date')) }},
        disability
    from cases
    where referral_source = 'school'

),

closed as (

    select
        case
            when closure_reason = 'goals_met' then 'case_closed_goals_met'
            else 'case_closed_otherwise'
        end as event_type,
        closed_date as event_date,
        district_code,
        sex,
        {{ age_band(age_on('date_of_birth', 'closed_date')) }} as age_band,
        disability
    from cases
    where closed_date is not null

),

referred as (

    select
        case
            when referrals.service_delivered_date is not null then 'referral_delivered'
            else 'referral_not_delivered'
        end as event_type,
        referrals.referral_date as event_date,
        cases.district_code,
        cases.sex,
        {{ age_band(age_on('cases.date_of_birth', 'referrals.referral_date')) }} as age_band,
        cast(null as varchar) as disability
    from {{ ref('int_referrals_deduplicated') }} as referrals
    inner join cases
        on cases.case_id = referrals.case_id

),

contacts as (

    select
        'helpline_protection_contact' as event_type,
        contact_date as event_date,
        district_code,
        sex,
        age_band,
        cast(null as varchar) as disability
    from {{ ref('int_helpline_contacts_deduplicated') }}
    where is_protection_concern

)

select * from opened
union all
select * from closed
union all
select * from referred
union all
select * from contacts
