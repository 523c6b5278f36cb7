-- Children (under 18 on the stock date) in detention per district, sex and age band on each
-- month-end of the reporting periods (quarter and year ends are month-ends).
-- Detained on day d: detention_start <= d and (release_date is null or release_date > d); a
-- same-day transfer ends one episode and starts the next, so the child counts once.
-- Pre-sentence on d: also (sentence_date is null or sentence_date > d).
-- Not separated: the episode's facility is not wholly separated from adults.
-- Age band at d. One range join of episodes to the stock dates. Zero counts are absent.
with

episodes as (

    select
        child_id,
        district_code,
        sex,
        date_of_birth,
        detention_start,
        sentence_date,
        is_separated_from_adults,
        coalesce(release_date, date '9999-12-31') as release_date_or_open
    from {{ ref('int_detentions_deduplicated') }}

),

stock_dates as (

    select period_end as as_of_date
    from {{ ref('int_reporting_periods') }}
    where period_type = 'month'

),

held as (

    select
        stock_dates.as_of_date,
        episodes.child_id,
        episodes.district_code,
        episodes.sex,
        {{ age_on('episodes.date_of_birth', 'stock_dates.as_of_date') }} as age_years,
        episodes.sentence_date is null
            or episodes.sentence_date > stock_dates.as_of_date as is_pre_sentence,
        not coalesce(episodes.is_separated_from_adults, false) as is_not_separated
    from stock_dates
    inner join episodes
        on episodes.detention_start <= stock_dates.as_of_date
        and episodes.release_date_or_open > stock_dates.as_of_date

),

counted as (

    select
        as_of_date,
        district_code,
        sex,
        {{ age_band('age_years') }} as age_band,
        count(distinct child_id) as detained,
        count(distinct child_id) filter (where is_pre_sentence) as pre_sentence,
        count(distinct child_id) filter (where is_not_separated) as not_separated
    from held
    where age_years < 18
    group by 1, 2, 3, 4

)

select * from counted
