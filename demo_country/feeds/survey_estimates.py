"""un_agency ``survey_estimates``: the household survey estimates (MICS and DHS rounds) of the
indicators measured by surveys (``story.SURVEY_INDICATORS``), national and by province, by sex
where published by sex. Random stream 406."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cpmonitor.core.contracts import Contract
from demo_country import names
from demo_country.codes import check
from demo_country.country import Country
from demo_country.delivery import Delivery, arrow_table
from demo_country.sectors.registration_health import story
from demo_country.sectors.registration_health.simulation import population_by_district

check("survey_estimates", "indicator_code", story.SURVEY_INDICATORS)


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


def generate(country: Country, contract: Contract) -> list[Delivery]:
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
    children = population_by_district(country, None, range(18))
    girls = population_by_district(country, "F", range(18))
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
                            f"{names.COUNTRY_SHORT_NAME} {survey} {year}", year, code, geo_level, geo_code, sex,
                            value,
                            max(0.0, round(value - 196 * float(err), 1)),
                            min(100.0, round(value + 196 * float(err), 1)),
                            int(n),
                        )
                    )  # fmt: skip
        frame = pd.DataFrame(rows, columns=contract.column_names)
        table = arrow_table(contract, {c: frame[c].to_numpy() for c in contract.column_names})
        result.append(
            Delivery(contract.owner, contract.feed, str(year), table, dt.date(year + 1, 6, 30))
        )
    return result
