-- The latest delivered version of each survey estimate (survey x indicator x place x sex).
select
    survey_name,
    survey_year,
    indicator_code,
    geo_level,
    geo_code,
    sex_code,
    sex,
    estimate,
    ci_lower,
    ci_upper,
    unweighted_base,
    _period,
    _received_at,
    _source_file

from {{ ref('stg_un_agency__survey_estimates') }}

{{ latest_delivery(['survey_name', 'indicator_code', 'geo_code', 'sex_code']) }}
