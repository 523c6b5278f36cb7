-- The latest delivered version of each (year, district, sex, age) population figure.
select
    population_year,
    district_code,
    sex_code,
    sex,
    age_years,
    population

from {{ ref('stg_nso__population') }}

{{ latest_delivery(['population_year', 'district_code', 'sex_code', 'age_years']) }}
