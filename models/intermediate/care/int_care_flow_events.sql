-- Every event a care flow indicator counts, one row per event, with the date, district, sex, age
-- band (at the event) and disability it is counted under. Event types:
--   entry_assessed_before, entry_not_assessed_before   an entry into formal care
--                                 (int_care_entries), with or without a completed gatekeeping
--                                 assessment in the 90 days before it (AC01, AC12)
--   residential_exit_to_family, residential_exit_elsewhere   a child leaving residential care
--                                 (int_residential_exits), to parents or kin or elsewhere (AC06)
--   death_in_care                 an episode of formal care ended by the child's death (AC14)
-- Which indicator counts which event, in its numerator or denominator, is the role table of
-- int_indicator_parts__care.
with

entries as (

    select
        case
            when is_assessed_before then 'entry_assessed_before'
            else 'entry_not_assessed_before'
        end as event_type,
        entry_date as event_date,
        district_code,
        sex,
        age_band,
        disability
    from {{ ref('int_care_entries') }}

),

residential_exits as (

    select
        case
            when is_exit_to_family then 'residential_exit_to_family'
            else 'residential_exit_elsewhere'
        end as event_type,
        exit_date as event_date,
        district_code,
        sex,
        age_band,
        disability
    from {{ ref('int_residential_exits') }}

),

deaths as (

    select
        'death_in_care' as event_type,
        end_date as event_date,
        district_code,
        sex,
        age_band_at_end as age_band,
        disability
    from {{ ref('int_care_episodes') }}
    where exit_reason = 'died' and end_date is not null

)

select * from entries
union all
select * from residential_exits
union all
select * from deaths
