-- Entries into formal care (AC01, AC12): one row per episode that starts while the child was not
-- in formal care the day before. `is_assessed_before`: a gatekeeping assessment of the child was
-- completed (status `completed`) within the 90 days up to and including the placement's start
-- date; an assessment completed after the placement started does not count.
with

entries as (

    select * from {{ ref('int_care_episodes') }}
    where is_entry

),

assessed as (

    select distinct entries.placement_id
    from entries
    inner join {{ ref('int_gatekeeping_assessments_deduplicated') }} as assessments
        on assessments.child_id = entries.child_id
        and assessments.assessment_status = 'completed'
        and assessments.completed_date <= entries.start_date
        and assessments.completed_date >= entries.start_date - 90

)

select
    entries.placement_id,
    entries.child_id,
    entries.district_code,
    entries.sex,
    entries.age_band_at_start as age_band,
    entries.disability,
    entries.care_type,
    entries.start_date as entry_date,
    assessed.placement_id is not null as is_assessed_before
from entries
left join assessed
    on assessed.placement_id = entries.placement_id
