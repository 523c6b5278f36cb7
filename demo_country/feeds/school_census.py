"""moe ``school_census``: the Ministry of Education's yearly school census (secondary grades), for
SS01 dropout. Random stream 500.

Schools are placed in each district in proportion to its children of lower-secondary age; each
school keeps its size over the years. Enrolment follows the population of the matching age
(grade 7 = age 12) and an enrolment rate that rises year by year. Dropout falls nationally from
about 9% to about 6% over ten years; boys drop out more than girls, grade 9 more than grade 7,
and poorer rural provinces more than the capital.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cpmonitor.core.contracts import Contract
from demo_country import names
from demo_country.country import Country
from demo_country.delivery import Delivery, table_from_columns
from demo_country.sectors.services import story

SCHOOL_WORDS = (
    "Hope", "Unity", "Riverside", "Lotus", "Hilltop", "Central", "New Dawn", "Sunrise",
    "Evergreen", "Harmony", "Golden Rice", "Bright Future",
)  # fmt: skip


def _schools(rng: np.random.Generator, country: Country) -> pd.DataFrame:
    """One row per school: district, size weight, type, whether it teaches grades 10-12."""
    pop = country.population
    first = pop[(pop["year"] == country.years[0]) & pop["age"].between(12, 14)]
    by_district = first.groupby("district_code")["population"].sum()
    codes = np.asarray(country.geo.district_codes)
    pupils = by_district.reindex(codes).fillna(0).to_numpy() * 0.75
    counts = np.maximum(1, np.rint(pupils / story.PUPILS_PER_SCHOOL)).astype(np.int64)
    district = np.repeat(np.arange(len(codes)), counts)
    number = np.concatenate([np.arange(1, c + 1) for c in counts])
    n = len(district)
    words = np.asarray(SCHOOL_WORDS, dtype=object)[rng.integers(0, len(SCHOOL_WORDS), n)]
    upper = rng.random(n) < story.UPPER_SHARE
    district_names = np.asarray(country.geo.district_names, dtype=object)[district]
    kind = np.where(upper, " High School", " Lower Secondary School")
    return pd.DataFrame(
        {
            "school_id": [
                f"EMIS-{codes[d]}-{k:03d}" for d, k in zip(district, number, strict=True)
            ],
            "school_name": district_names + " " + words + kind,
            "school_type": np.asarray(story.SCHOOL_TYPES, dtype=object)[
                rng.choice(len(story.SCHOOL_TYPES), n, p=story.SCHOOL_TYPE_WEIGHTS)
            ],
            "district": district,
            "size": rng.lognormal(0.0, 0.35, n),
            "upper": upper,
            "quality": rng.lognormal(0.0, 0.3, n),  # school-level dropout factor
            "head_female": rng.random(n) < 0.45,
        }
    )


def generate(country: Country, contract: Contract) -> list[Delivery]:
    """One census per school year (delivery period = the year the school year ends); the census
    of ``story.late_census_year`` arrived on 2 October of the next year instead of in January."""
    rng = country.rng(500)
    schools = _schools(rng, country)
    heads = names.child_names(rng, schools["head_female"].to_numpy())
    phones = np.asarray(names.phone_numbers(rng, len(schools)), dtype=object)
    province = np.asarray(country.geo.district_province)[schools["district"].to_numpy()]
    codes = np.asarray(country.geo.district_codes, dtype=object)

    # rows: school x grade x sex (upper grades only where taught)
    n_grades, n_sex = len(story.GRADES), 2
    school = np.repeat(np.arange(len(schools)), n_grades * n_sex)
    grade = np.tile(np.repeat(story.GRADES, n_sex), len(schools))
    female = np.tile(np.array([True, False]), len(schools) * n_grades)
    keep = (grade <= 9) | schools["upper"].to_numpy()[school]
    school, grade, female = school[keep], grade[keep], female[keep]
    district = schools["district"].to_numpy()[school]

    # each school's share of its district's pupils
    size = schools["size"].to_numpy()
    share = size / np.bincount(schools["district"], weights=size)[schools["district"]]
    pop = country.population.set_index(["year", "district_code", "sex", "age"])["population"]
    deliveries = []
    for k, year in enumerate(country.years):
        enrol_rate = np.where(grade <= 9, 0.72 + 0.012 * k, 0.45 + 0.015 * k)
        enrol_rate = enrol_rate * np.where(female, 1.0, 0.97)
        ages = grade + 5
        children = pop.reindex(
            pd.MultiIndex.from_arrays(
                [np.full(len(grade), year), codes[district], np.where(female, "F", "M"), ages]
            )
        ).to_numpy(dtype=float, na_value=0.0)
        enrolled = rng.poisson(children * enrol_rate * share[school])
        p_drop = (
            np.asarray(story.PROVINCE_DROPOUT)[province[school]]
            * story.DROPOUT_DECLINE**k
            * np.where(female, 1.0, story.BOYS_EXTRA)
            * np.vectorize(story.GRADE_FACTOR.get)(grade)
            * schools["quality"].to_numpy()[school]
        )
        left = rng.binomial(enrolled, np.clip(p_drop, 0.0, 0.6))
        transferred = rng.binomial(enrolled - left, story.TRANSFER_SHARE)
        table = table_from_columns(
            contract,
            {
                "school_id": schools["school_id"].to_numpy(dtype=object)[school],
                "school_name": schools["school_name"].to_numpy(dtype=object)[school],
                "school_type": schools["school_type"].to_numpy(dtype=object)[school],
                "district_code": codes[district],
                "school_year_end": np.full(len(school), year, dtype=np.int64),
                "grade": grade.astype(np.int64),
                "sex": np.where(female, "F", "M").astype(object),
                "enrolled_at_start": enrolled,
                "transferred_out": transferred,
                "left_without_completing": left,
                "completed_year": enrolled - left - transferred,
                "headteacher_name": heads[school],
                "headteacher_phone": phones[school],
            },
        )
        late = year == story.late_census_year(country.years)
        delivered_on = dt.date(year + 1, 10, 2) if late else None
        deliveries.append(
            Delivery(contract.owner, contract.feed, str(year), table, delivered_on=delivered_on)
        )
    return deliveries
