-- JC04: median days of pre-sentence detention, over the pre-sentence detentions that ended during
-- the period (int_pre_sentence_detentions), for the periods of its catalogue frequency. A median
-- cannot be summed: it is recomputed from the records at each level (district, province, nation)
-- and in each disaggregation (total, sex, age band); an even count takes the mean of the two
-- middle values (quantile_cont). denominator = the number of detentions the median is taken
-- over (0: value null); no numerator (a median is not a ratio: nothing divides to it); value = the
-- median.
-- Dense total rows for every geography x period; sex and age band rows only where detentions
-- ended.
with

periods as (

    select period_type, period_id, period_start, period_end
    from {{ ref('int_indicator_periods') }}
    where indicator_code = 'JC04'

),

units as (

    select unit_code, unit_level, parent_code
    from {{ ref('int_admin_units_deduplicated') }}

),

geographies as (

    select 'district' as geo_level, unit_code as geo_code
    from units
    where unit_level = 'district'
    union all
    select 'province', unit_code
    from units
    where unit_level = 'province'
    union all
    select 'national', 'NAT'

),

records as (

    select
        periods.period_id,
        detentions.district_code,
        districts.parent_code as province_code,
        detentions.sex,
        detentions.age_band,
        detentions.pre_sentence_days
    from {{ ref('int_pre_sentence_detentions') }} as detentions
    inner join units as districts
        on districts.unit_code = detentions.district_code
        and districts.unit_level = 'district'
    inner join periods
        on detentions.pre_sentence_end between periods.period_start and periods.period_end

),

exploded as (

    select
        records.period_id,
        levels.geo_level,
        case levels.geo_level
            when 'district' then records.district_code
            when 'province' then records.province_code
            else 'NAT'
        end as geo_code,
        disaggregations.disaggregation,
        case disaggregations.disaggregation
            when 'total' then 'total'
            when 'sex' then records.sex
            when 'age_band' then records.age_band
        end as disaggregation_value,
        records.pre_sentence_days
    from records
    cross join (values ('district'), ('province'), ('national')) as levels (geo_level)
    cross join (values ('total'), ('sex'), ('age_band')) as disaggregations (disaggregation)

),

medians as (

    select
        period_id,
        geo_level,
        geo_code,
        disaggregation,
        disaggregation_value,
        count(*) as detentions,
        quantile_cont(pre_sentence_days, 0.5) as median_days
    from exploded
    where disaggregation_value is not null
    group by all

),

dense_totals as (

    select
        periods.period_id,
        geographies.geo_level,
        geographies.geo_code,
        'total' as disaggregation,
        'total' as disaggregation_value
    from periods
    cross join geographies

),

keyed as (

    select
        period_id, geo_level, geo_code, disaggregation, disaggregation_value
    from dense_totals
    union
    select
        period_id, geo_level, geo_code, disaggregation, disaggregation_value
    from medians

)

select
    'JC04' as indicator_code,
    periods.period_type,
    keyed.period_id,
    periods.period_start,
    periods.period_end,
    keyed.geo_level,
    keyed.geo_code,
    keyed.disaggregation,
    keyed.disaggregation_value,
    cast(null as double) as numerator,
    cast(coalesce(medians.detentions, 0) as double) as denominator,
    cast(medians.median_days as double) as value,
    cast(null as double) as ci_lower,
    cast(null as double) as ci_upper
from keyed
inner join periods
    on periods.period_id = keyed.period_id
left join medians
    on medians.period_id = keyed.period_id
    and medians.geo_level = keyed.geo_level
    and medians.geo_code = keyed.geo_code
    and medians.disaggregation = keyed.disaggregation
    and medians.disaggregation_value = keyed.disaggregation_value
