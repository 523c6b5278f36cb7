-- Exits from residential care: residential episodes that ended with a known reason other than
-- `transferred` (a transfer moves the child to another institution: the child stays in care).
-- One row per exit, with the categories the indicators count and the age band on the exit day.
select
    placement_id,
    child_id,
    district_code,
    sex,
    {{ age_band(age_on('date_of_birth', 'end_date')) }} as age_band,
    disability,
    end_date as exit_date,
    exit_reason,
    exit_reason in ('reintegrated_parents', 'kinship_care', 'foster_care', 'adoption')
        as is_exit_to_family

from {{ ref('int_placements_deduplicated') }}

where care_type = 'residential'
    and end_date is not null
    and exit_reason is not null
    and exit_reason <> 'transferred'
