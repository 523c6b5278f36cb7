-- Reintegrations from formal care (AC09, AC10): episodes after which the child left formal care
-- for parents or kin. One row per reintegration, in the district of the episode, with the age
-- band on the reintegration day.
--   re_entered_within_12_months: another episode of the child started after the reintegration
--     day and no later than 12 months after it.
--   followup_visits_within_6_months: follow-up visits in person (home or school visits; phone
--     calls are not visits) to this reintegration after its day and no later than 6 months after.
with

reintegrations as (

    select * from {{ ref('int_care_episodes') }}
    where is_reintegration

),

visits as (

    select
        reintegrations.placement_id,
        count(distinct followups.followup_id) as visits
    from reintegrations
    inner join {{ ref('int_reintegration_followups_deduplicated') }} as followups
        on followups.placement_id = reintegrations.placement_id
        and followups.contact_type in ('home_visit', 'school_visit')
        and followups.contact_date > reintegrations.end_date
        and followups.contact_date <= reintegrations.end_date + interval 6 month
    group by 1

)

select
    reintegrations.placement_id,
    reintegrations.child_id,
    reintegrations.district_code,
    reintegrations.sex,
    reintegrations.age_band_at_end as age_band,
    reintegrations.disability,
    reintegrations.care_type,
    reintegrations.end_date as reintegration_date,
    reintegrations.next_start_date,
    coalesce(
        reintegrations.next_start_date <= reintegrations.end_date + interval 12 month, false
    ) as re_entered_within_12_months,
    coalesce(visits.visits, 0) as followup_visits_within_6_months
from reintegrations
left join visits
    on visits.placement_id = reintegrations.placement_id
