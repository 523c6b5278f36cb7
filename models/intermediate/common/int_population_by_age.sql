-- Population per year, district, sex and single year of age 0-24, with the child age band
-- (null from 18). Every population denominator starts here: filter the ages an indicator needs.
select
    population_year,
    district_code,
    sex,
    age_years,
    {{ age_band('age_years') }} as age_band,
    population
from {{ ref('int_population_deduplicated') }}
