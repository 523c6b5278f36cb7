"""The register of residential care institutions: who runs them, where, since when, until when."""

from __future__ import annotations

import numpy as np
import pandas as pd

from demo_country.codes import keyed
from demo_country.delivery import NO_DATE
from demo_country.geography import Geography
from demo_country.names import institution_names, phone_numbers
from demo_country.sectors.care import story

DAYS_PER_YEAR = 365.25

# How often each type and owner is drawn (the codes are the care_institutions contract's).
TYPES, TYPE_WEIGHTS = keyed(
    "care_institutions",
    "institution_type",
    {"residential_care_centre": 0.70, "pagoda_based_care": 0.12, "transit_centre": 0.06,
     "group_home": 0.12},
)  # fmt: skip
OWNERS, OWNER_WEIGHTS = keyed(
    "care_institutions",
    "ownership",
    {"ngo": 0.55, "faith_based": 0.30, "government": 0.08, "private": 0.07},
)


def allocate(total: int, weights: np.ndarray, minimum: int = 0) -> np.ndarray:
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainder).

    Every part gets at least ``minimum`` when the total allows it.
    """
    weights = np.asarray(weights, dtype=float)
    n = len(weights)
    floor = min(minimum, total // n) if n else 0
    rest = total - floor * n
    exact = rest * weights / weights.sum()
    parts = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - parts), kind="stable")
    parts[order[: rest - parts.sum()]] += 1
    return parts + floor


def build_institutions(
    rng: np.random.Generator,
    geo: Geography,
    district_weights: np.ndarray,
    scale: float,
    baseline_day: int,
) -> pd.DataFrame:
    """Every institution known over the whole story, one row each.

    Columns: institution_id, institution_name, district (index), province (index), institution_type,
    ownership, registered, capacity (nullable), opened and closed (days since 1970-01-01; closed is
    ``delivery.NO_DATE`` if it never closes), contact_phone (nullable), protected (the province's largest
    institution, kept open so every province keeps residential care to report on).
    """
    n_prov = len(geo.province_codes)
    district_province = np.asarray(geo.district_province)
    n_base = max(n_prov, round(story.BASELINE_INSTITUTIONS * scale))
    n_new = max(1, round(story.NEW_INSTITUTIONS * n_base))
    per_province = allocate(n_base, np.asarray(story.INSTITUTION_WEIGHT), minimum=1)
    per_province += allocate(n_new, np.asarray(story.INSTITUTION_WEIGHT))
    province = np.repeat(np.arange(n_prov), per_province)
    n = len(province)
    is_new = np.zeros(n, dtype=bool)
    # The last institutions of each province (in order) are the ones opened after baseline.
    new_counts = per_province - allocate(n_base, np.asarray(story.INSTITUTION_WEIGHT), minimum=1)
    ends = np.cumsum(per_province)
    for p in range(n_prov):
        is_new[ends[p] - new_counts[p] : ends[p]] = True

    # District within the province: weighted by child population (towns attract institutions).
    district = np.empty(n, dtype=np.int64)
    for p in range(n_prov):
        members = np.nonzero(province == p)[0]
        candidates = np.nonzero(district_province == p)[0]
        w = district_weights[candidates] ** 1.5
        district[members] = rng.choice(candidates, size=len(members), p=w / w.sum())

    kind = rng.choice(len(TYPES), size=n, p=TYPE_WEIGHTS)
    owner = rng.choice(len(OWNERS), size=n, p=OWNER_WEIGHTS)
    owner[TYPES.index("transit_centre") == kind] = OWNERS.index("government")
    owner[kind == TYPES.index("pagoda_based_care")] = OWNERS.index("faith_based")
    registered = rng.random(n) < np.where(owner == OWNERS.index("government"), 1.0, 0.8)
    capacity = np.clip(np.rint(rng.lognormal(np.log(42), 0.5, n)), 8, 300)
    capacity[kind == TYPES.index("pagoda_based_care")] = np.clip(
        capacity[kind == TYPES.index("pagoda_based_care")] // 2, 8, None
    )
    capacity[kind == TYPES.index("transit_centre")] = rng.integers(
        20, 61, int((kind == TYPES.index("transit_centre")).sum())
    )
    capacity_known = registered | (rng.random(n) < 0.6)

    # Opening: most years before baseline (a boom in the 2000s); a few after it.
    opened_year = np.rint(rng.triangular(1979, 2008, 2016, n)).astype(int) - 2016
    opened = baseline_day + np.floor(opened_year * DAYS_PER_YEAR - rng.uniform(0, 365, n)).astype(
        np.int64
    )
    opened[is_new] = baseline_day + np.floor(
        rng.uniform(0.2, 8.0, int(is_new.sum())) * DAYS_PER_YEAR
    ).astype(np.int64)
    opened = np.minimum(opened, np.where(is_new, opened, baseline_day - 30))

    # Keep each province's largest baseline institution open throughout.
    protected = np.zeros(n, dtype=bool)
    for p in range(n_prov):
        members = np.nonzero((province == p) & ~is_new)[0]
        protected[members[np.argmax(capacity[members])]] = True

    pace = np.asarray(story.PROVINCE_PACE)[province]
    closed = np.full(n, NO_DATE, dtype=np.int64)
    candidates = np.nonzero(~is_new & ~protected)[0]
    weight = pace[candidates] ** 2 * np.where(registered[candidates], 1.0, 1.6)
    weight *= (60.0 / capacity[candidates]) ** 0.3
    new_by_5 = int((opened[is_new] <= baseline_day + 5 * DAYS_PER_YEAR).sum())
    wave1 = min(len(candidates), round(story.CLOSED_BY_YEAR_5 * n_base) + new_by_5)
    wave2 = min(len(candidates) - wave1, round(story.CLOSED_YEARS_6_TO_10 * n_base))
    picked = (
        rng.choice(candidates, size=wave1 + wave2, replace=False, p=weight / weight.sum())
        if wave1 + wave2
        else candidates[:0]
    )
    first, second = picked[:wave1], picked[wave1:]
    # Wave 1 peaks two to four years after baseline, earlier in faster provinces.
    t1 = 0.15 + 4.8 * rng.beta(2.4 / pace[first], 2.2)
    t2 = 5.0 + 5.0 * rng.random(len(second))
    closed[first] = baseline_day + np.floor(t1 * DAYS_PER_YEAR).astype(np.int64)
    closed[second] = baseline_day + np.floor(t2 * DAYS_PER_YEAR).astype(np.int64)

    places = [geo.district_names[d] for d in district]
    names = institution_names(rng, [TYPES[k] for k in kind], places)
    phones = phone_numbers(rng, n)
    has_phone = rng.random(n) < 0.85
    return pd.DataFrame(
        {
            "institution_id": [
                f"RCI-{geo.district_codes[d]}-{i + 1:04d}" for i, d in enumerate(district)
            ],
            "institution_name": names,
            "district": district,
            "province": province,
            "institution_type": [TYPES[k] for k in kind],
            "ownership": [OWNERS[k] for k in owner],
            "registered": registered,
            "capacity": pd.array(np.where(capacity_known, capacity, np.nan), dtype="Int64"),
            "opened": opened,
            "closed": closed,
            "contact_phone": [p if h else None for p, h in zip(phones, has_phone, strict=True)],
            "protected": protected,
        }
    )
