-- Indicator values per period, geography and disaggregation. District parts are rolled up to
-- province and nation by summing numerators and denominators (ratios are never averaged); the
-- value is then numerator x factor / denominator, null when the denominator is 0 or unknown.
-- Counts (unit 'count') have a null denominator and value = numerator.
with

parts as (

    select * from {{ ref('int_indicator_parts_by_district') }}

),

districts as (

    select geo_code as district_code, province_code
    from {{ ref('dim_geography') }}
    where geo_level = 'district'

),

indicators as (

    select indicator_code, unit, factor
    from {{ ref('dim_indicator') }}

),

levels as (

    select * from (values ('district'), ('province'), ('national')) as levels (geo_level)

),

disaggregations as (

    select * from (values ('total'), ('sex')) as disaggregations (disaggregation)

),

-- each district part counts once in its district, once in its province and once in the nation,
-- and (when it has a sex) once under its sex and once in the total
exploded as (

    select
        parts.indicator_code,
        parts.period_type,
        parts.period_id,
        parts.period_start,
        parts.period_end,
        levels.geo_level,
        case levels.geo_level
            when 'district' then parts.district_code
            when 'province' then districts.province_code
            else 'NAT'
        end as geo_code,
        disaggregations.disaggregation,
        case disaggregations.disaggregation
            when 'total' then 'total'
            else parts.sex
        end as disaggregation_value,
        parts.numerator,
        parts.denominator
    from parts
    inner join districts
        on districts.district_code = parts.district_code
    cross join levels
    cross join disaggregations
    where disaggregations.disaggregation = 'total' or parts.sex is not null

),

rolled_up as (

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
        sum(numerator) as numerator,
        -- a denominator unknown in any part leaves the sum unknown
        case when count(denominator) = count(*) then sum(denominator) end as denominator
    from exploded
    group by all

),

final as (

    select
        rolled_up.indicator_code,
        rolled_up.period_type,
        rolled_up.period_id,
        rolled_up.period_start,
        rolled_up.period_end,
        rolled_up.geo_level,
        rolled_up.geo_code,
        rolled_up.disaggregation,
        rolled_up.disaggregation_value,
        cast(rolled_up.numerator as double) as numerator,
        cast(rolled_up.denominator as double) as denominator,
        cast(
            case
                when indicators.unit = 'count' then rolled_up.numerator
                else rolled_up.numerator * indicators.factor / nullif(rolled_up.denominator, 0)
            end
            as double
        ) as value
    from rolled_up
    -- left join: an indicator missing from the catalogue keeps its rows (value null) and fails
    -- the relationships test instead of silently disappearing
    left join indicators
        on indicators.indicator_code = rolled_up.indicator_code

)

select * from final
