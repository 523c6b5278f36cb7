-- Survey indicators (VE14, CR02, CR04, SS05) carried as published: the estimate and its 95%
-- confidence interval, at the survey year only (period type 'year'; a year outside the reporting
-- periods gives no row) and at the levels the survey represents (national as 'NAT', provinces of
-- the admin units). Never interpolated: years without a survey have no row. Total rows, and sex
-- rows when delivered and the catalogue disaggregates the indicator by sex. The numerator is
-- unknown (a weighted estimate); the denominator is the unweighted sample base.
-- Two surveys of the same year for the same indicator, place and sex: the latest delivered wins.
with

estimates as (

    select * from {{ ref('int_survey_estimates_deduplicated') }}

),

years as (

    select period_type, period_id, period_start, period_end
    from {{ ref('int_reporting_periods') }}
    where period_type = 'year'

),

provinces as (

    select unit_code as geo_code
    from {{ ref('int_admin_units_deduplicated') }}
    where unit_level = 'province'

),

catalogue as (

    select indicator_code, coalesce(disaggregations, '') as disaggregations
    from {{ ref('indicator_catalogue') }}
    where kind = 'survey'

),

placed as (

    select
        estimates.indicator_code,
        years.period_type,
        years.period_id,
        years.period_start,
        years.period_end,
        estimates.geo_level,
        case when estimates.geo_level = 'national' then 'NAT' else estimates.geo_code end
            as geo_code,
        case when estimates.sex_code = 'total' then 'total' else 'sex' end as disaggregation,
        estimates.sex as disaggregation_value,
        cast(null as double) as numerator,
        cast(estimates.unweighted_base as double) as denominator,
        estimates.estimate as value,
        estimates.ci_lower,
        estimates.ci_upper,
        estimates._period,
        estimates._received_at,
        estimates._source_file
    from estimates
    inner join years
        on years.period_id = cast(estimates.survey_year as varchar)
    inner join catalogue
        on catalogue.indicator_code = estimates.indicator_code
    left join provinces
        on provinces.geo_code = estimates.geo_code
    where
        (estimates.geo_level = 'national' or provinces.geo_code is not null)
        and (
            estimates.sex_code = 'total'
            or list_contains(string_split(catalogue.disaggregations, ';'), 'sex')
        )

)

select
    indicator_code,
    period_type,
    period_id,
    period_start,
    period_end,
    geo_level,
    geo_code,
    disaggregation,
    disaggregation_value,
    numerator,
    denominator,
    value,
    ci_lower,
    ci_upper
from placed

qualify row_number() over (
    partition by indicator_code, period_id, geo_code, disaggregation, disaggregation_value
    order by _period desc, _received_at desc, _source_file desc
) = 1
