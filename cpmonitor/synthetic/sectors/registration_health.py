"""Synthetic feeds of the registration and health area (docs/indicators-and-feeds.md).

Four feeds drawn from the simulated country: the statistics office's live-birth estimates (from
its own population projections), the civil register's birth registrations, the health facilities'
monthly child protection report (DHIS2-style) and the UN agency's household survey estimates. The
levels, trends and province differences are in ``cpmonitor.synthetic.registration_health_story``.
Random streams 401-406.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cpmonitor.core.contracts import Contract, arrow_schema
from cpmonitor.synthetic import names
from cpmonitor.synthetic import registration_health_story as story
from cpmonitor.synthetic.deliveries import Country, Delivery, table_from_columns

SEXES = ("F", "M")
AGE_BANDS = ("0-4", "5-9", "10-14", "15-17")


def deliveries(country: Country, contracts: dict[str, Contract]) -> list[Delivery]:
    """Every delivery of the area's four feeds, in a stable order."""
    estimates = live_birth_estimates(country)
    result = live_birth_estimate_deliveries(country, contracts["live_birth_estimates"], estimates)
    result += birth_registration_deliveries(country, contracts["birth_registrations"], estimates)
    result += facility_deliveries(country, contracts["facility_child_protection"])
    result += survey_deliveries(country, contracts["survey_estimates"])
    return result


# --- Calendar helpers ------------------------------------------------------------------------


def _month_days(months: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First day (days since 1970-01-01) and length in days of each month."""
    start = months.astype("datetime64[D]").astype(np.int64)
    end = (months + 1).astype("datetime64[D]").astype(np.int64)
    return start, end - start


def _year_days(year: int) -> int:
    return (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days


def _str_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """``prefix`` + zero-padded numbers, built in Arrow (fast for millions of ids)."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _pick(pool: tuple[str, ...] | list[str], index: np.ndarray) -> pa.Array:
    """Values of a small pool at many indices, as an Arrow string array (no Python loop)."""
    dictionary = pa.DictionaryArray.from_arrays(pa.array(index, pa.int32()), pa.array(pool))
    return dictionary.cast(pa.string())


def _full_names(rng: np.random.Generator, female: np.ndarray, pool: int = 4096) -> pa.Array:
    """Invented full names for many people: drawn from a pool of ``pool`` names per sex (fast;
    names repeat as real ones do)."""
    girls = names.child_names(rng, np.ones(pool, dtype=bool)).tolist()
    boys = names.child_names(rng, np.zeros(pool, dtype=bool)).tolist()
    index = rng.integers(0, pool, len(female)) + np.where(female, 0, pool)
    return _pick(girls + boys, index)


def _table(contract: Contract, columns: dict[str, object]) -> pa.Table:
    """Like ``table_from_columns`` (the contract's columns and types), but a column may already be
    an Arrow array (ids and names built in Arrow)."""
    plain = [c for c in contract.columns if not isinstance(columns[c.name], pa.Array)]
    sub = contract.model_copy(update={"columns": plain, "primary_key": []})
    typed = table_from_columns(sub, {c.name: columns[c.name] for c in plain})
    schema = arrow_schema(contract)
    arrays = [
        typed.column(f.name).combine_chunks()
        if f.name in typed.column_names
        else columns[f.name].cast(f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


# --- Live-birth estimates (nso) ---------------------------------------------------------------


def live_birth_estimates(country: Country) -> pd.DataFrame:
    """Estimated live births per year, district and sex: the first release (``first``) and the
    figure after the next year's revision (``final``; the last year is never revised).

    Derived from the office's own projections of the population aged 0, so the registration
    denominator agrees with the population feed.
    """
    rng = country.rng(401)
    pop = country.population
    infants = pop[pop["age"] == 0].sort_values(["year", "district_code", "sex"], ignore_index=True)
    noise = rng.normal(0.0, 0.015, len(infants))
    first = np.rint(infants["population"].to_numpy() * story.BIRTHS_PER_INFANT * (1 + noise))
    revision = rng.normal(0.0, 0.01, len(infants))
    final = np.rint(first * (1 + revision))
    last = infants["year"].to_numpy() == country.years[-1]
    final = np.where(last, first, final)
    return pd.DataFrame(
        {
            "year": infants["year"].to_numpy(np.int64),
            "district_code": infants["district_code"].to_numpy(),
            "sex": infants["sex"].to_numpy(),
            "first": first.astype(np.int64),
            "final": np.maximum(final, 0).astype(np.int64),
        }
    )


def live_birth_estimate_deliveries(
    country: Country, contract: Contract, estimates: pd.DataFrame
) -> list[Delivery]:
    """One file per year, published in January of the year: that year's estimate, plus the
    revised estimate of the year before."""
    result = []
    for year in country.years:
        current = estimates[estimates["year"] == year]
        previous = estimates[estimates["year"] == year - 1]
        table = _table(
            contract,
            {
                "year": np.concatenate([previous["year"], current["year"]]),
                "district_code": np.concatenate(
                    [previous["district_code"], current["district_code"]]
                ).astype(object),
                "sex": np.concatenate([previous["sex"], current["sex"]]).astype(object),
                "estimated_live_births": np.concatenate([previous["final"], current["first"]]),
            },
        )
        result.append(
            Delivery(contract.owner, contract.feed, str(year), table, dt.date(year, 1, 31))
        )
    return result


# --- Birth registrations (civreg) -------------------------------------------------------------


def _estimate_cube(country: Country, estimates: pd.DataFrame) -> np.ndarray:
    """Final estimates as an array [year index, district, sex (F, M)]."""
    n_districts = len(country.geo.district_codes)
    cube = estimates["final"].to_numpy(dtype=float)
    return cube.reshape(len(country.years), n_districts, 2)


def birth_registration_deliveries(
    country: Country, contract: Contract, estimates: pd.DataFrame
) -> list[Delivery]:
    """Monthly extracts of the civil register: births registered in the month.

    On-time registrations (0-30 days after birth) per district, sex and month follow the national
    on-time share with province differences that narrow over time; their number never exceeds the
    month's share of the estimated births (so CR01 stays a share). Late registrations (31 days to
    6 years after birth) come from births missed earlier.
    """
    rng = country.rng(402)
    geo = country.geo
    months = country.months
    n_months, n_districts = len(months), len(geo.district_codes)
    month_start, month_len = _month_days(months)
    year_index = months.astype("datetime64[Y]").astype(np.int64) + 1970 - country.years[0]
    year_len = np.array([_year_days(country.years[0] + int(i)) for i in year_index])
    expected = (
        _estimate_cube(country, estimates)[year_index] * (month_len / year_len)[:, None, None]
    )

    t = year_index + (np.arange(n_months) % 12 + 0.5) / 12
    span = max(len(country.years), 1)
    province = np.asarray(geo.district_province)
    offset = np.asarray(story.PROVINCE_REGISTRATION)[province][None, :] * (
        1 - 0.4 * t[:, None] / span
    )
    share = np.clip(
        story.on_time_share(t)[:, None] + offset + rng.normal(0.0, 0.03, n_districts)[None, :],
        0.15,
        0.95,
    )[:, :, None]
    # births of the month: the expected number, stochastically rounded (the estimate is good)
    births = np.floor(expected).astype(np.int64) + (rng.random(expected.shape) < expected % 1)
    on_time = np.minimum(rng.binomial(births, share), np.floor(expected).astype(np.int64))
    late = rng.poisson(expected * story.LATE_SHARE_OF_MISSED * (1 - share))

    cells = np.arange(on_time.size)
    cell = np.concatenate([np.repeat(cells, on_time.ravel()), np.repeat(cells, late.ravel())])
    is_late = np.concatenate([np.zeros(on_time.sum(), dtype=bool), np.ones(late.sum(), dtype=bool)])
    m, d, s = np.unravel_index(cell, on_time.shape)
    n = len(cell)
    registered = month_start[m] + (rng.random(n) * month_len[m]).astype(np.int64)
    on_time_delay = _truncated_geometric(rng, 1 / 9, story.LEGAL_PERIOD_DAYS, n)
    late_delay = story.LEGAL_PERIOD_DAYS + 1 + _late_delay(rng, n)
    born = registered - np.where(is_late, late_delay, on_time_delay)
    born = np.maximum(born, int(np.datetime64("2000-01-01", "D").astype(np.int64)))

    order = np.argsort(registered, kind="stable")  # by day, then district and sex
    m, d, s, registered, born, is_late = (a[order] for a in (m, d, s, registered, born, is_late))

    reg_year = (registered.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)) + 1970
    first_of_year = np.searchsorted(reg_year, reg_year)
    seq = np.arange(n) - first_of_year + 1
    registration_id = pc.binary_join_element_wise(
        "BR-", pc.cast(pa.array(reg_year), pa.string()), "-", _str_ids("", seq, 7), ""
    )
    child_id = _str_ids("PIN", rng.permutation(n) + 1, 10)

    facility = story.facility_birth_share(t[m]) - np.where(is_late, 0.2, -0.03)
    draw = rng.random(n)
    place = np.where(draw < 0.01, 2, np.where(draw < facility, 0, 1))
    offices = rng.integers(1, 4, n_districts)
    office = rng.integers(0, 3, n) % offices[d]
    office_codes = [f"RO-{code}-{k + 1}" for code in geo.district_codes for k in range(3)]

    female = s == 0
    columns = {
        "registration_id": registration_id,
        "child_id": child_id,
        "child_name": _full_names(rng, female),
        "mother_name": _full_names(rng, np.ones(n, dtype=bool)),
        "sex": _pick(SEXES, s),
        "date_of_birth": born,
        "place_of_birth": _pick(("health_facility", "home", "other"), place),
        "registration_date": registered,
        "district_code": _pick(geo.district_codes, d),
        "registrar_office": _pick(office_codes, d * 3 + office),
    }
    table = _table(contract, columns)
    bounds = np.searchsorted(m, np.arange(n_months + 1))
    return [
        Delivery(
            contract.owner,
            contract.feed,
            str(months[k]),
            table.slice(bounds[k], bounds[k + 1] - bounds[k]),
        )
        for k in range(n_months)
    ]


def _truncated_geometric(rng: np.random.Generator, p: float, most: int, n: int) -> np.ndarray:
    """Days 0..``most``: a geometric delay (mean about 1/p - 1 days) truncated at ``most``, so the
    shape goes on smoothly to the last day (no pile-up on it)."""
    q = 1.0 - p
    u = rng.random(n) * (1.0 - q ** (most + 1))
    return np.minimum(np.floor(np.log1p(-u) / np.log(q)), most).astype(np.int64)


def _late_delay(rng: np.random.Generator, n: int) -> np.ndarray:
    """Days after the legal period of a late registration: lognormal (median about five months),
    drawn again where it would pass six years (no pile-up on the cap)."""
    cap = 6 * 365
    days = rng.lognormal(np.log(150.0), 1.0, n)
    redraw = days >= cap
    days[redraw] = rng.uniform(365.0, cap, int(redraw.sum()))
    return days.astype(np.int64)


# --- Health facility child protection report (health) -----------------------------------------

FACILITY_WEIGHT = {"provincial_hospital": 5.0, "district_hospital": 3.0, "health_centre": 1.0}
PEP_BONUS = {"provincial_hospital": 0.1, "district_hospital": 0.06, "health_centre": -0.06}
ELEMENTS = (
    "violence_cases_treated",
    "sexual_violence_survivors_presented",
    "post_exposure_care_within_72h",
    "live_births_to_girls_15_19",
)
AGE_GROUPS = (*AGE_BANDS, "15-19")


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


def _population_by_district(country: Country, sex: str | None, ages: range) -> np.ndarray:
    """Population [year index, district] of the given sex (None: both) and ages."""
    pop = country.population
    keep = pop["age"].isin(list(ages)) & (pop["sex"] == sex if sex else True)
    sums = pop[keep].groupby(["year", "district_code"])["population"].sum()
    return sums.to_numpy(dtype=float).reshape(len(country.years), len(country.geo.district_codes))


def facility_deliveries(country: Country, contract: Contract) -> list[Delivery]:
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

    children = _population_by_district(country, None, range(18))[year_index][:, district]
    girls = _population_by_district(country, "F", range(15, 20))[year_index][:, district]
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
        (0, treated, 0),
        (1, presented, 0),
        (2, pep, 0),
        (3, births, 8),
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
    age = np.where(g == 8, 4, g % 4)
    clerks = names.child_names(rng, rng.random(n_fac) < 0.7)
    month_start = months.astype("datetime64[D]").astype(np.int64)
    table = _table(
        contract,
        {
            "facility_id": _pick(fac["facility_id"].tolist(), f),
            "facility_name": _pick(fac["facility_name"].tolist(), f),
            "facility_type": _pick(kind.tolist(), f),
            "district_code": _pick(geo.district_codes, district[f]),
            "reporting_month": month_start[m],
            "data_element": _pick(ELEMENTS, element),
            "sex": _pick(SEXES, sex),
            "age_group": _pick(AGE_GROUPS, age),
            "value": value.astype(np.int64),
            "entered_by": pa.array(clerks[f], pa.string()),
        },
    )
    bounds = np.searchsorted(out, np.arange(n_months + 1))
    return [
        Delivery(
            contract.owner,
            contract.feed,
            str(months[k]),
            table.slice(bounds[k], bounds[k + 1] - bounds[k]),
        )
        for k in range(n_months)
    ]


# --- Household survey estimates (un_agency) ---------------------------------------------------


def survey_rounds(years: list[int]) -> list[tuple[str, int]]:
    """Survey type and year of each round inside the reporting years: a MICS in the second year,
    a DHS mid-way and a second MICS near the end (fewer when there are fewer years)."""
    n = len(years)
    rounds = [("MICS", years[min(1, n - 1)])]
    if n >= 4:
        rounds.append(("DHS", years[n // 2]))
    if n >= 6:
        rounds.append(("MICS", years[n - 2]))
    return rounds


def _survey_sample(
    rng: np.random.Generator, level: np.ndarray, respondents: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Estimates (shares), standard errors and unweighted bases per province of one group whose
    true level (%) per province is ``level``, with about ``respondents`` per province."""
    truth = np.clip(level, 3.0, 98.0) / 100
    base = np.rint(respondents * rng.uniform(0.85, 1.15, len(truth)))
    se = np.sqrt(truth * (1 - truth) / base * story.DESIGN_EFFECT)
    return np.clip(truth + rng.normal(0.0, se), 0.005, 0.995), se, base


def survey_deliveries(country: Country, contract: Contract) -> list[Delivery]:
    """One file per survey round (in the folder of the survey year, delivered with the final
    report in the middle of the next year): estimates at national and province level, by sex
    where the indicator is published by sex, each with its 95% confidence interval.

    Internally consistent, as a survey's own tables are: girls and boys are sampled and estimated
    separately; the total's base is theirs added up and its estimate their population-weighted
    mean (so it lies between them); national figures weight the provinces by their children."""
    rng = country.rng(406)
    geo = country.geo
    n_prov = len(geo.province_codes)
    province = np.asarray(geo.district_province)
    children = _population_by_district(country, None, range(18))
    girls = _population_by_district(country, "F", range(18))
    prov_children = np.stack([np.bincount(province, weights=row) for row in children])
    prov_girls = np.stack([np.bincount(province, weights=row) for row in girls])
    # fixed province differences per indicator (registration follows the civil register's story)
    spread = {
        code: (
            np.asarray(story.PROVINCE_REGISTRATION) * 80
            if code == "CR02"
            else rng.normal(0.0, 1.0, n_prov) * float(spec["spread"])
        )
        for code, spec in story.SURVEY_INDICATORS.items()
    }
    result = []
    for survey, year in survey_rounds(country.years):
        k = year - country.years[0]
        pop_share = prov_children[k] / prov_children[k].sum()
        girl_share = prov_girls[k] / prov_children[k]  # per province
        rows: list[tuple] = []
        for code, spec in story.SURVEY_INDICATORS.items():
            if survey not in spec["surveys"]:
                continue
            level = float(spec["level"]) + float(spec["trend"]) * k + spread[code]
            gap = spec["sex_gap"]
            respondents = int(spec["base"])
            if gap is None:
                estimate, se, base = _survey_sample(rng, level, respondents)
                groups = {"total": (estimate, se, base, pop_share)}
            else:
                f_est, f_se, f_base = _survey_sample(rng, level + float(gap) / 2, respondents / 2)
                m_est, m_se, m_base = _survey_sample(rng, level - float(gap) / 2, respondents / 2)
                w = girl_share
                total = np.clip(
                    w * f_est + (1 - w) * m_est,
                    np.minimum(f_est, m_est),
                    np.maximum(f_est, m_est),
                )
                total_se = np.sqrt((w * f_se) ** 2 + ((1 - w) * m_se) ** 2)
                f_weight = pop_share * w / (pop_share * w).sum()
                m_weight = pop_share * (1 - w) / (pop_share * (1 - w)).sum()
                groups = {
                    "total": (total, total_se, f_base + m_base, pop_share),
                    "F": (f_est, f_se, f_base, f_weight),
                    "M": (m_est, m_se, m_base, m_weight),
                }
            for sex, (estimate, se, base, weight) in groups.items():
                nat_estimate = float((weight * estimate).sum())
                nat_se = float(np.sqrt((weight**2 * se**2).sum()))
                places = [("national", "NAT", nat_estimate, nat_se, base.sum())] + [
                    ("province", geo.province_codes[p], estimate[p], se[p], base[p])
                    for p in range(n_prov)
                ]
                for geo_level, geo_code, est, err, n in places:
                    value = round(100 * float(est), 1)
                    rows.append(
                        (
                            f"Teluvara {survey} {year}", year, code, geo_level, geo_code, sex,
                            value,
                            max(0.0, round(value - 196 * float(err), 1)),
                            min(100.0, round(value + 196 * float(err), 1)),
                            int(n),
                        )
                    )  # fmt: skip
        frame = pd.DataFrame(rows, columns=contract.column_names)
        table = _table(contract, {c: frame[c].to_numpy() for c in contract.column_names})
        result.append(
            Delivery(contract.owner, contract.feed, str(year), table, dt.date(year + 1, 6, 30))
        )
    return result
