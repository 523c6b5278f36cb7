-- Children (under 18 on the day) in detention on the last day of each month, by district, sex,
-- age band on that day, legal status on that day (`pre_sentence`: not sentenced by then) and
-- whether the facility separates them from adults (as int_detention_stock_by_district: detained
-- on day d when detention_start <= d and release_date is null or after d). A child with two
-- episodes open on a day counts once, in the one that started last. Aggregate counts only; empty
-- cells are absent.
with

month_ends as (

    select period_id as month, period_end as as_of_date
    from {{ ref('int_reporting_periods') }}
    where period_type = 'month'

),

held as (

    select
        month_ends.month,
        month_ends.as_of_date,
        detentions.district_code,
        detentions.sex,
        {{ age_on('detentions.date_of_birth', 'month_ends.as_of_date') }} as age_years,
        case
            when detentions.sentence_date is null
                or detentions.sentence_date > month_ends.as_of_date then 'pre_sentence'
            else 'sentenced'
        end as legal_status,
        coalesce(detentions.is_separated_from_adults, false) as is_separated_from_adults
    from month_ends
    inner join {{ ref('int_detentions_deduplicated') }} as detentions
        on detentions.detention_start <= month_ends.as_of_date
        and coalesce(detentions.release_date, date '9999-12-31') > month_ends.as_of_date
    qualify row_number() over (
        partition by month_ends.as_of_date, detentions.child_id
        order by detentions.detention_start desc, detentions.detention_id desc
    ) = 1

)

select
    month,
    as_of_date,
    district_code,
    sex,
    {{ age_band('age_years') }} as age_band,
    legal_status,
    is_separated_from_adults,
    count(*) as children

from held
where age_years < 18
group by all
