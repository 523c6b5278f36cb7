-- Movements into and out of care per month, by district, sex, age band on the day, disability,
-- movement and reason (aggregate counts only; empty cells are absent):
--   entry          a child entering formal care (int_care_entries: a move between settings is
--                  not an entry); reason `assessed_before` or `not_assessed_before` (a completed
--                  gatekeeping assessment in the 90 days up to the placement, AC12); care_type
--                  the setting entered.
--   residential_exit  a child leaving residential care (int_residential_exits: transfers and
--                  exits without a reason are not exits); reason the exit reason (AC06 counts
--                  reintegrated_parents, kinship_care, foster_care and adoption as to a family);
--                  care_type `residential`.
with

months as (

    select period_id as month, period_start, period_end
    from {{ ref('int_reporting_periods') }}
    where period_type = 'month'

),

movements as (

    select
        'entry' as movement,
        case when is_assessed_before then 'assessed_before' else 'not_assessed_before' end
            as reason,
        care_type,
        entry_date as movement_date,
        district_code,
        sex,
        age_band,
        disability
    from {{ ref('int_care_entries') }}

    union all

    select
        'residential_exit',
        exit_reason,
        'residential',
        exit_date,
        district_code,
        sex,
        age_band,
        disability
    from {{ ref('int_residential_exits') }}

)

select
    months.month,
    movements.district_code,
    movements.sex,
    movements.age_band,
    movements.disability,
    movements.movement,
    movements.reason,
    movements.care_type,
    count(*) as children

from movements
inner join months
    on movements.movement_date between months.period_start and months.period_end
group by all
