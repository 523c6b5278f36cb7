-- Flow parts of this area per calendar month of the event, district, sex, age band (age on the
-- event day) and disability: numerator and denominator of each flow indicator. The parts model
-- sums months into every reporting period. VE01 and VE13 carry a denominator of 0 here: their
-- population denominators are added by int_indicator_parts__case_management.
with

cases as (

    select * from {{ ref('int_cases_deduplicated') }}

),

-- VE01 new cases; VE04 high-risk cases seen face to face within 24 hours of opening (a case with no
-- response yet stays in the denominator); SS02 cases referred by a school. Age at opening.
opened as (

    select
        date_trunc('month', opened_date) as month_start,
        district_code,
        sex,
        {{ age_band(age_on('date_of_birth', 'opened_date')) }} as age_band,
        disability,
        count(*) as opened,
        count(*) filter (where risk_level = 'high') as opened_high_risk,
        count(*) filter (
            where risk_level = 'high'
            and first_response_at <= opened_at + interval 24 hours
        ) as opened_high_risk_seen_24h,
        count(*) filter (where referral_source = 'school') as opened_from_school
    from cases
    group by all

),

-- VE08 cases closed, and those closed with their case plan goals met. Age at closure.
closed as (

    select
        date_trunc('month', closed_date) as month_start,
        district_code,
        sex,
        {{ age_band(age_on('date_of_birth', 'closed_date')) }} as age_band,
        disability,
        count(*) as closed,
        count(*) filter (where closure_reason = 'goals_met') as closed_goals_met
    from cases
    where closed_date is not null
    group by all

),

-- VE06 referrals made, and those whose service was delivered by the data cut-off (a delivery date
-- in the latest delivered row). Geography and child from the case; a referral of an unknown case
-- cannot be placed and is left out. Age at the referral.
referred as (

    select
        date_trunc('month', referrals.referral_date) as month_start,
        cases.district_code,
        cases.sex,
        {{ age_band(age_on('cases.date_of_birth', 'referrals.referral_date')) }} as age_band,
        count(*) as referrals,
        count(*) filter (where referrals.service_delivered_date is not null)
            as referrals_delivered
    from {{ ref('int_referrals_deduplicated') }} as referrals
    inner join cases
        on cases.case_id = referrals.case_id
    group by all

),

-- VE13 helpline contacts about a child protection concern; a contact with no district counts in the
-- nation only (the mart places a part without a district nowhere else).
contacts as (

    select
        date_trunc('month', contact_date) as month_start,
        district_code,
        sex,
        age_band,
        count(*) as protection_contacts
    from {{ ref('int_helpline_contacts_deduplicated') }}
    where is_protection_concern
    group by all

),

unioned as (

    -- VE01 has no disability: its population denominator cannot be split by it
    select 'VE01' as indicator_code, month_start, district_code, sex, age_band,
        cast(null as varchar) as disability, opened as numerator, 0 as denominator
    from opened
    union all
    select 'VE04', month_start, district_code, sex, age_band, disability,
        opened_high_risk_seen_24h, opened_high_risk
    from opened
    where opened_high_risk > 0
    union all
    select 'SS02', month_start, district_code, sex, age_band, disability,
        opened_from_school, null
    from opened
    where opened_from_school > 0
    union all
    select 'VE08', month_start, district_code, sex, age_band, disability,
        closed_goals_met, closed
    from closed
    union all
    select 'VE06', month_start, district_code, sex, age_band, cast(null as varchar),
        referrals_delivered, referrals
    from referred
    union all
    select 'VE13', month_start, district_code, sex, age_band, cast(null as varchar),
        protection_contacts, 0
    from contacts

)

select
    indicator_code,
    cast(month_start as date) as month_start,
    district_code,
    sex,
    age_band,
    disability,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator
from unioned
