-- Flow parts of this area per calendar month of the event, district, sex, age band (age on the
-- event day) and disability: numerator and denominator of each flow indicator, from the events of
-- int_case_management_flow_events and the role table below. The parts model sums months into every
-- reporting period. VE01 and VE13 carry a denominator of 0 here: their population denominators
-- are added by int_indicator_parts__case_management. SS02 is a count (no denominator).
with

-- which events count where: numerator and/or denominator of an indicator (as in justice)
event_roles as (

    select * from (
        values
            ('case_opened', 'VE01', 1, 0),
            ('high_risk_case_seen_24h', 'VE04', 1, 1),
            ('high_risk_case_not_seen_24h', 'VE04', 0, 1),
            ('case_opened_from_school', 'SS02', 1, null),
            ('case_closed_goals_met', 'VE08', 1, 1),
            ('case_closed_otherwise', 'VE08', 0, 1),
            ('referral_delivered', 'VE06', 1, 1),
            ('referral_not_delivered', 'VE06', 0, 1),
            ('helpline_protection_contact', 'VE13', 1, 0)
    ) as event_roles (event_type, indicator_code, in_numerator, in_denominator)

),

events_by_month as (

    select
        event_type,
        date_trunc('month', event_date) as month_start,
        district_code,
        sex,
        age_band,
        disability,
        count(*) as events
    from {{ ref('int_case_management_flow_events') }}
    group by all

)

select
    event_roles.indicator_code,
    cast(events_by_month.month_start as date) as month_start,
    events_by_month.district_code,
    events_by_month.sex,
    events_by_month.age_band,
    events_by_month.disability,
    cast(sum(events_by_month.events * event_roles.in_numerator) as double) as numerator,
    cast(sum(events_by_month.events * event_roles.in_denominator) as double) as denominator
from events_by_month
inner join event_roles
    on event_roles.event_type = events_by_month.event_type
group by all
