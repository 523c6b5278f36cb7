-- Child population aged 0-17 per year, district and sex (the denominator of AC03).
select
    population_year,
    district_code,
    sex,
    sum(population) as population

from (
    select
        population_year,
        district_code,
        sex,
        population
    from {{ ref('int_population_deduplicated') }}
    where age_years between 0 and 17
)

group by 1, 2, 3
