-- Pre-sentence detentions that have ended (JC04), one row per detention spell.
-- A spell is a child's continuous detention: episodes of the same child chained by same-day
-- transfers (an episode ending `transferred` on the day the next one starts). A spell had a
-- pre-sentence part when it was not already sentenced on its first day (no sentence date, or one
-- after the spell start). That part ends on the sentence date, or, without a sentence, on the day
-- the spell ends with a release or a death (a spell ending in a transfer out of the children's
-- system, e.g. to an adult prison at 18, has no known end and is left out).
-- Days = end - spell start. The spell is counted where and when its pre-sentence part ended:
-- the district of the last episode started on or before that day; age band on that day.
with

episodes as (

    select
        *,
        lag(release_date) over by_child as previous_release_date,
        lag(release_reason) over by_child as previous_release_reason
    from {{ ref('int_detentions_deduplicated') }}
    window by_child as (partition by child_id order by detention_start, detention_id)

),

numbered as (

    select
        *,
        sum(
            case
                when previous_release_reason = 'transferred'
                    and previous_release_date = detention_start
                    then 0
                else 1
            end
        ) over (
            partition by child_id order by detention_start, detention_id
            rows between unbounded preceding and current row
        ) as spell_number
    from episodes

),

spells as (

    select
        child_id,
        spell_number,
        min(detention_start) as spell_start,
        min(sentence_date) as sentence_date,
        arg_max_null(release_date, detention_start) as last_release_date,
        arg_max_null(release_reason, detention_start) as last_release_reason,
        arg_min(sex, detention_start) as sex,
        arg_min(date_of_birth, detention_start) as date_of_birth
    from numbered
    group by 1, 2

),

ended as (

    select
        *,
        case
            when sentence_date is not null then sentence_date
            when last_release_reason <> 'transferred' then last_release_date
        end as pre_sentence_end
    from spells
    where sentence_date is null or sentence_date > spell_start

),

located as (

    select
        ended.child_id,
        ended.spell_number,
        ended.spell_start,
        ended.pre_sentence_end,
        ended.sex,
        ended.date_of_birth,
        arg_max(numbered.district_code, numbered.detention_start) as district_code
    from ended
    inner join numbered
        on numbered.child_id = ended.child_id
        and numbered.spell_number = ended.spell_number
        and numbered.detention_start <= ended.pre_sentence_end
    where ended.pre_sentence_end is not null
    group by 1, 2, 3, 4, 5, 6

)

select
    child_id,
    spell_number,
    district_code,
    sex,
    {{ age_band(age_on('date_of_birth', 'pre_sentence_end')) }} as age_band,
    spell_start,
    pre_sentence_end,
    date_diff('day', spell_start, pre_sentence_end) as pre_sentence_days
from located
