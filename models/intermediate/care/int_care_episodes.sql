-- Formal care episodes (residential, foster, kinship, guardianship) with what each one means for
-- the child's time in formal care. In formal care on day d: start_date <= d and (end_date is null
-- or end_date > d).
--   is_entry: the child was not in formal care the day before the start (a move between settings,
--     e.g. a transfer or an exit to a foster family the same day, is not an entry).
--   has_left_care: the episode ended with a reason other than `transferred` and no other episode
--     of the child covers its end day (the child is out of formal care that day).
--   is_reintegration: left formal care to parents or kin (reintegrated_parents, kinship_care).
--   next_start_date: the first start of another episode of the child after this one's end (for
--     re-entries after a reintegration).
with

episodes as (

    select * from {{ ref('int_placements_deduplicated') }}

),

in_care_day_before as (

    select distinct episodes.placement_id
    from episodes
    inner join episodes as other
        on other.child_id = episodes.child_id
        and other.placement_id <> episodes.placement_id
        and other.start_date <= episodes.start_date - 1
        and coalesce(other.end_date, date '9999-12-31') > episodes.start_date - 1

),

in_care_on_end_day as (

    select distinct episodes.placement_id
    from episodes
    inner join episodes as other
        on other.child_id = episodes.child_id
        and other.placement_id <> episodes.placement_id
        and other.start_date <= episodes.end_date
        and coalesce(other.end_date, date '9999-12-31') > episodes.end_date
    where episodes.end_date is not null

),

next_start as (

    select
        episodes.placement_id,
        min(other.start_date) as next_start_date
    from episodes
    inner join episodes as other
        on other.child_id = episodes.child_id
        and other.placement_id <> episodes.placement_id
        and other.start_date > episodes.end_date
    where episodes.end_date is not null
    group by 1

),

flagged as (

    select
        episodes.placement_id,
        episodes.child_id,
        episodes.institution_id,
        episodes.district_code,
        episodes.sex,
        episodes.date_of_birth,
        episodes.disability,
        episodes.has_birth_certificate,
        episodes.care_type,
        episodes.care_type = 'residential' as is_residential,
        episodes.start_date,
        episodes.end_date,
        episodes.exit_reason,
        {{ age_band(age_on('episodes.date_of_birth', 'episodes.start_date')) }}
            as age_band_at_start,
        {{ age_band(age_on('episodes.date_of_birth', 'episodes.end_date')) }}
            as age_band_at_end,
        before.placement_id is null as is_entry,
        episodes.end_date is not null
            and episodes.exit_reason is not null
            and episodes.exit_reason <> 'transferred'
            and on_end.placement_id is null as has_left_care,
        next_start.next_start_date
    from episodes
    left join in_care_day_before as before
        on before.placement_id = episodes.placement_id
    left join in_care_on_end_day as on_end
        on on_end.placement_id = episodes.placement_id
    left join next_start
        on next_start.placement_id = episodes.placement_id

)

select
    *,
    has_left_care and exit_reason in ('reintegrated_parents', 'kinship_care') as is_reintegration
from flagged
