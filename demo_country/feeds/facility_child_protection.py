"""health ``facility_child_protection``: the health facilities' monthly child protection report
(DHIS2-style exports), from the story of violence treated, survivors of sexual violence reaching
care in time and adolescent births (``demo_country.sectors.registration_health``). Random stream
404."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from cpmonitor.core.contracts import Contract
from demo_country import names
from demo_country.codes import allowed, check
from demo_country.country import Country
from demo_country.delivery import Delivery, arrow_table, pick, sliced_monthly
from demo_country.sectors.registration_health import story
from demo_country.sectors.registration_health.simulation import population_by_district

# Per facility type: its weight in its district's cases, and how much better (or worse) than the
# province its survivors reach post-exposure care in time.
FACILITY_WEIGHT = {"provincial_hospital": 5.0, "district_hospital": 3.0, "health_centre": 1.0}
PEP_BONUS = {"provincial_hospital": 0.1, "district_hospital": 0.06, "health_centre": -0.06}
check("facility_child_protection", "facility_type", FACILITY_WEIGHT)
ELEMENTS = allowed("facility_child_protection", "data_element")
SEXES = check("facility_child_protection", "sex", ("F", "M"))  # in the order of the profiles
# The children's age bands in the order of the story's profiles, then the mothers' (15-19).
AGE_GROUPS = check("facility_child_protection", "age_group", (*story.AGE_BANDS, "15-19"))


def facilities(country: Country) -> pd.DataFrame:
    """Health facilities: about 1,200 at scale 1.0, at least one per district. The first of a
    district is its hospital (a provincial hospital in the province's first district)."""
    geo = country.geo
    counts = np.maximum(1, np.rint(1200 * country.weights * country.scale)).astype(int)
    province = np.asarray(geo.district_province)
    first_of_province = np.r_[True, province[1:] != province[:-1]]
    rows = []
    for d, code in enumerate(geo.district_codes):
        for k in range(counts[d]):
            if k == 0:
                kind = "provincial_hospital" if first_of_province[d] else "district_hospital"
                name = f"{geo.district_names[d]} {kind.replace('_', ' ').title()}"
            else:
                kind, name = "health_centre", f"{geo.district_names[d]} Health Centre {k}"
            rows.append((f"HF-{code}-{k + 1:02d}", name, kind, d))
    return pd.DataFrame(rows, columns=["facility_id", "facility_name", "facility_type", "district"])


def generate(country: Country, contract: Contract) -> list[Delivery]:
    """Monthly DHIS2-style exports: non-zero values per facility, month, data element, sex and age
    group. Most facilities report on time; some report a month or two late (their values arrive
    with a later export) and a few never do."""
    rng = country.rng(404)
    fac = facilities(country)
    geo = country.geo
    months = country.months
    n_months, n_fac = len(months), len(fac)
    year_index = months.astype("datetime64[Y]").astype(np.int64) + 1970 - country.years[0]
    t = year_index + (np.arange(n_months) % 12 + 0.5) / 12
    district = fac["district"].to_numpy()
    province = np.asarray(geo.district_province)[district]
    kind = fac["facility_type"].to_numpy()
    weight = np.array([FACILITY_WEIGHT[k] for k in kind])
    share = weight / np.bincount(district, weights=weight)[district]  # of its district's cases

    children = population_by_district(country, None, range(18))[year_index][:, district]
    girls = population_by_district(country, "F", range(15, 20))[year_index][:, district]
    detection = np.asarray(story.PROVINCE_DETECTION)[province]
    violence = children * share * detection * story.violence_treated_rate(t)[:, None] / 1.2e6
    sexual = children * share * detection * story.sexual_violence_rate(t)[:, None] / 1.2e6
    profile_v = np.asarray(story.VIOLENCE_PROFILE)
    profile_s = np.asarray(story.SEXUAL_VIOLENCE_PROFILE)
    treated = rng.poisson(violence[:, :, None] * profile_v[None, None, :])
    presented = rng.poisson(sexual[:, :, None] * profile_s[None, None, :])
    pep_p = np.clip(
        story.pep_share(t)[:, None]
        + np.asarray(story.PROVINCE_PEP)[province][None, :]
        + np.array([PEP_BONUS[k] for k in kind])[None, :],
        0.05,
        0.97,
    )
    pep = rng.binomial(presented, pep_p[:, :, None])
    abr = story.adolescent_birth_rate(t)[:, None] + np.asarray(story.PROVINCE_ABR)[province]
    births = rng.poisson(girls * share * abr / 12_000 * story.facility_birth_share(t)[:, None])[
        :, :, None
    ]

    # when each facility-month reaches the ministry: on time, 1-2 exports late, or never
    lo, hi = story.FACILITY_REPORTING
    on_time = (
        rng.random((n_months, n_fac)) < (lo + (hi - lo) * t / max(len(country.years), 1))[:, None]
    )
    lag = np.where(
        on_time,
        0,
        np.where(
            rng.random((n_months, n_fac)) < story.LATE_REPORTING,
            rng.integers(1, 3, (n_months, n_fac)),
            n_months,
        ),
    )
    delivered = np.arange(n_months)[:, None] + lag  # >= n_months: never delivered

    parts = []
    # group: sex x age band 0-7 (F 0-4 .. F 15-17, M 0-4 .. M 15-17); 8 = mothers F 15-19
    for element, values, first_group in (
        (ELEMENTS.index("violence_cases_treated"), treated, 0),
        (ELEMENTS.index("sexual_violence_survivors_presented"), presented, 0),
        (ELEMENTS.index("post_exposure_care_within_72h"), pep, 0),
        (ELEMENTS.index("live_births_to_girls_15_19"), births, 8),
    ):
        m, f, g = np.nonzero(values)
        parts.append((m, f, np.full(len(m), element), g + first_group, values[m, f, g]))
    m, f, element, g, value = (np.concatenate(p) for p in zip(*parts, strict=True))
    out = delivered[m, f]
    keep = out < n_months
    m, f, element, g, value, out = (a[keep] for a in (m, f, element, g, value, out))
    order = np.lexsort((g, element, f, m, out))
    m, f, element, g, value, out = (a[order] for a in (m, f, element, g, value, out))

    sex = np.where(g == 8, 0, g // 4)  # births: the mother (F)
    age = np.where(g == 8, AGE_GROUPS.index("15-19"), g % 4)
    clerks = names.child_names(rng, rng.random(n_fac) < 0.7)
    month_start = months.astype("datetime64[D]").astype(np.int64)
    table = arrow_table(
        contract,
        {
            "facility_id": pick(fac["facility_id"].tolist(), f),
            "facility_name": pick(fac["facility_name"].tolist(), f),
            "facility_type": pick(kind.tolist(), f),
            "district_code": pick(geo.district_codes, district[f]),
            "reporting_month": month_start[m],
            "data_element": pick(ELEMENTS, element),
            "sex": pick(SEXES, sex),
            "age_group": pick(AGE_GROUPS, age),
            "value": value.astype(np.int64),
            "entered_by": pa.array(clerks[f], pa.string()),
        },
    )
    return sliced_monthly(country, contract, out, table)
