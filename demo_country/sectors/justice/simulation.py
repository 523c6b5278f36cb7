"""Simulate children in conflict with the law, child trafficking victims and abuse reports.

Pure functions of the simulated country and a random generator: arrests month by month (with a
two-year run-in so detention stocks are realistic from the first reporting month), each arrest's
path through pre-sentence detention and a court or prosecutor decision, custodial sentences with
transfers to rehabilitation centres and to adult prisons after turning 18, and the police registers of
trafficking victims and abuse reports. Days are days since 1970-01-01; ``NONE`` means no date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from demo_country.country import Country
from demo_country.sectors.care.placements import birthday_18
from demo_country.sectors.justice import story as js

NONE = 10**9  # no date (far in the future, so minimum() and comparisons work)
RUN_IN_MONTHS = 24
DAYS_PER_YEAR = 365.2425


def age_on(dob: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Age in completed years on ``day`` (calendar rule, as the ``age_on`` dbt macro)."""
    d = np.asarray(dob, dtype=np.int64).astype("datetime64[D]")
    e = np.asarray(day, dtype=np.int64).astype("datetime64[D]")

    def parts(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        year = x.astype("datetime64[Y]")
        month = x.astype("datetime64[M]")
        return (
            year.astype(np.int64),
            (month - year.astype("datetime64[M]")).astype(np.int64),
            (x - month.astype("datetime64[D]")).astype(np.int64),
        )

    yd, md, dd = parts(d)
    ye, me, de = parts(e)
    before = (me < md) | ((me == md) & (de < dd))
    return ye - yd - before.astype(np.int64)


def dob_for_age(rng: np.random.Generator, day: np.ndarray, age: np.ndarray) -> np.ndarray:
    """Birth days of people aged exactly ``age`` on ``day``, kept days away from a birthday."""
    offset = np.floor((age + 0.01 + 0.98 * rng.random(len(age))) * DAYS_PER_YEAR)
    return np.asarray(day, dtype=np.int64) - offset.astype(np.int64)


def _months(country: Country, run_in: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simulated months (datetime64[M]), their first days and their lengths in days."""
    months = np.arange(country.first_month - run_in, country.months[-1] + 1)
    first = months.astype("datetime64[D]").astype(np.int64)
    length = (months + 1).astype("datetime64[D]").astype(np.int64) - first
    return months, first, length


def population_array(country: Country) -> np.ndarray:
    """Population by [year index, district, sex (0 F, 1 M), age 0-17]."""
    pop = country.population
    pop = pop[pop["age"] <= 17]
    district = {c: i for i, c in enumerate(country.geo.district_codes)}
    out = np.zeros((len(country.years), len(district), 2, 18))
    out[
        pop["year"].to_numpy() - country.years[0],
        pop["district_code"].map(district).to_numpy(),
        (pop["sex"].to_numpy() == "M").astype(np.int64),
        pop["age"].to_numpy(),
    ] = pop["population"].to_numpy()
    return out


def _poisson_events(rng: np.random.Generator, expected: np.ndarray) -> tuple[np.ndarray, ...]:
    """Indices (one array per axis of ``expected``) of Poisson-drawn events, one per event."""
    counts = rng.poisson(expected)
    flat = np.repeat(np.arange(counts.size), counts.ravel())
    return np.unravel_index(flat, counts.shape)


def _years_since_start(country: Country, day: np.ndarray) -> np.ndarray:
    start = int(country.first_month.astype("datetime64[D]").astype(np.int64))
    return (np.asarray(day) - start) / DAYS_PER_YEAR


def _district_province(country: Country) -> np.ndarray:
    return np.asarray(country.geo.district_province, dtype=np.int64)


@dataclass(frozen=True)
class Justice:
    """Arrests, decisions and detention episodes (one DataFrame each), all days as integers."""

    arrests: pd.DataFrame  # arrest, child, female, dob, district, day, offence
    decisions: pd.DataFrame  # arrest, child, female, dob, district, day, decision, by, months
    episodes: pd.DataFrame  # child, female, dob, facility, start, sentence, end, reason, aftercare
    facilities: pd.DataFrame  # facility_id, district, province, kind, separated_from_t


def facilities(country: Country) -> pd.DataFrame:
    """A remand centre per province (in its most populous district) and rehabilitation centres."""
    province = _district_province(country)
    rows = []
    for p, code in enumerate(country.geo.province_codes):
        cand = np.nonzero(province == p)[0]
        main = int(cand[np.argmax(country.weights[cand])])
        until = js.NOT_SEPARATED_UNTIL.get(p, -100)
        rows.append((f"JDC-{code}", main, p, "remand", 1e9 if until is None else until))
        if p in js.REHABILITATION_PROVINCES:
            rows.append((f"JRC-{code}", main, p, "rehabilitation", -100.0))
    return pd.DataFrame(
        rows, columns=["facility_id", "district", "province", "kind", "separated_t"]
    )


def _arrests(country: Country, rng: np.random.Generator) -> pd.DataFrame:
    """First arrests, month by month from the run-in, by district, sex and age (Poisson)."""
    months, first, length = _months(country, RUN_IN_MONTHS)
    t = (months - country.first_month).astype(np.int64) / 12.0
    year_index = np.clip(
        months.astype("datetime64[Y]").astype(np.int64) + 1970 - country.years[0],
        0,
        len(country.years) - 1,
    )
    pop = population_array(country)[:, :, :, 10:18]
    sex_factor = np.array([2.0 - js.ARREST_MALE_FACTOR, js.ARREST_MALE_FACTOR])
    age_factor = js.ARREST_AGE_FACTORS / js.ARREST_AGE_FACTORS.mean()
    province_factor = np.asarray(js.ARREST_PROVINCE)[_district_province(country)]
    rate = js.ARREST_RATE / 12 / (1 + js.REARREST_SHARE) * js.ARREST_TREND**t
    expected = (
        pop[year_index]
        * rate[:, None, None, None]
        * province_factor[None, :, None, None]
        * sex_factor[None, None, :, None]
        * age_factor[None, None, None, :]
    )
    m, district, male, age = _poisson_events(rng, expected)
    day = first[m] + np.floor(rng.random(len(m)) * length[m]).astype(np.int64)
    female = male == 0
    return pd.DataFrame(
        {
            "district": district.astype(np.int64),
            "female": female,
            "dob": dob_for_age(rng, day, age + 10),
            "day": day,
            "offence": _offences(rng, female),
        }
    )


def _offences(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    n = len(female)
    pf = np.asarray(js.OFFENCE_WEIGHTS_F) / sum(js.OFFENCE_WEIGHTS_F)
    pm = np.asarray(js.OFFENCE_WEIGHTS_M) / sum(js.OFFENCE_WEIGHTS_M)
    return np.where(
        female, rng.choice(len(pf), size=n, p=pf), rng.choice(len(pm), size=n, p=pm)
    ).astype(np.int64)


def _cases(
    country: Country, rng: np.random.Generator, arrests: pd.DataFrame, last_day: int
) -> pd.DataFrame:
    """Each arrest's path: pre-sentence detention, decision, custodial sentence, release."""
    n = len(arrests)
    day = arrests["day"].to_numpy()
    province = _district_province(country)[arrests["district"].to_numpy()]
    t = _years_since_start(country, day)
    offence = np.asarray(js.OFFENCES)[arrests["offence"].to_numpy()]
    serious = np.isin(offence, js.SERIOUS)
    minor = np.isin(offence, js.MINOR)
    offence_factor = np.where(serious, 1.8, np.where(minor, 0.5, 1.0))
    detain_p = js.DETAIN_SHARE * js.DETAIN_TREND**t * np.asarray(js.DETAIN_PROVINCE)[province]
    detained = rng.random(n) < np.clip(detain_p * offence_factor, 0.0, 0.9)
    decided = rng.random(n) < np.where(detained, js.DECIDED_SHARE_DETAINED, js.DECIDED_SHARE)
    start = day + rng.integers(0, 2, n)
    median = js.PRE_SENTENCE_MEDIAN_DAYS * js.PRE_SENTENCE_TREND**t
    median *= np.asarray(js.DETAIN_PROVINCE)[province] ** 0.8
    pre_days = np.clip(np.rint(rng.lognormal(np.log(median), js.PRE_SENTENCE_SIGMA)), 1, 600)
    lag = np.clip(np.rint(rng.lognormal(np.log(js.DECISION_LAG_MEDIAN_DAYS), 0.6, n)), 7, 700)
    decision_day = np.where(detained, start + pre_days, day + lag).astype(np.int64)

    # Decision type: acquittal/dismissal, else diversion, else a custodial or other sentence.
    u = rng.random(n)
    pace = np.asarray(js.DIVERSION_PACE)[province]
    diversion_p = np.clip(js.DIVERSION_SHARE + js.DIVERSION_GAIN * t * pace, 0.05, 0.85)
    diversion_p *= np.where(serious, 0.4, 1.0)
    custodial_p = np.clip(js.CUSTODIAL_SHARE - js.CUSTODIAL_FALL * t, 0.08, 0.9)
    custodial_p = np.clip(custodial_p * np.where(serious, 1.6, 1.0), 0.0, 0.95)
    acquitted = u < js.ACQUITTAL_SHARE
    diverted = ~acquitted & (rng.random(n) < diversion_p)
    custodial = ~acquitted & ~diverted & (rng.random(n) < custodial_p)
    decision = np.select(
        [acquitted & (rng.random(n) < 0.6), acquitted, diverted, custodial],
        ["acquittal", "dismissal", "diversion", "custodial_sentence"],
        "non_custodial_sentence",
    )
    months = rng.choice(
        js.SENTENCE_MONTHS, size=n, p=js.SENTENCE_MONTH_WEIGHTS / js.SENTENCE_MONTH_WEIGHTS.sum()
    )
    decision = np.where(decided, decision, None)
    return pd.DataFrame(
        {
            "detained": detained,
            "decided": decided,
            "start": start,
            "pre_days": pre_days.astype(np.int64),
            "decision_day": np.where(decided, decision_day, NONE),
            "decision": decision,
            "by": np.where(diverted & (rng.random(n) < 0.6), "prosecutor", "court"),
            "months": np.where(decision == "custodial_sentence", months, 0),
            "province": province,
        }
    ).assign(last_day=last_day)


def _spells(
    country: Country,
    rng: np.random.Generator,
    arrests: pd.DataFrame,
    cases: pd.DataFrame,
    fac: pd.DataFrame,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Detention episodes of every case, and each case's decision day after deaths."""
    n = len(cases)
    dob = arrests["dob"].to_numpy()
    bday = birthday_18(dob)
    detained = cases["detained"].to_numpy()
    decision = cases["decision"].to_numpy()
    decision_day = cases["decision_day"].to_numpy().copy()
    custodial = decision == "custodial_sentence"
    # A spell: pre-sentence detention (detained), or a sentence served from the decision day.
    in_spell = detained | custodial
    start = np.where(detained, cases["start"].to_numpy(), decision_day)
    sentence = np.where(custodial, decision_day, NONE)
    served = np.rint(cases["months"].to_numpy() * 30.44).astype(np.int64)
    release_custodial = np.maximum(start + served, decision_day + 30)
    end = np.select(
        [custodial, detained & cases["decided"].to_numpy(), detained],
        [release_custodial, decision_day, start + cases["pre_days"].to_numpy()],
        NONE,
    )
    reason = np.select(
        [
            custodial | (decision == "non_custodial_sentence"),
            decision == "diversion",
            np.isin(decision, ["acquittal", "dismissal"]),
        ],
        ["sentence_served", "diverted", "acquitted"],
        np.where(rng.random(n) < 0.6, "bail", "released_without_charge"),
    ).astype(object)
    sentence = np.where(decision == "non_custodial_sentence", decision_day, sentence)
    # Deaths in detention: rare, twice as likely in facilities not separated from adults.
    remand = fac[fac["kind"] == "remand"].set_index("province")
    facility = remand.loc[cases["province"].to_numpy()]
    t_start = _years_since_start(country, start)
    separated = t_start >= facility["separated_t"].to_numpy()
    death_p = js.DEATH_SHARE * np.where(separated, 1.0, 2.0)
    dies = in_spell & (rng.random(n) < death_p)
    death_day = np.where(
        dies, start + np.floor(rng.random(n) * (end - start)).astype(np.int64), NONE
    )
    # Turning 18: most are moved to the adult system some weeks or months later (`transferred`),
    # once the papers are through; some stay until released (little time left to serve). A
    # custodial spell that would start at 18 or later is served in an adult prison (not here).
    in_spell &= start < bday
    stays = rng.random(n) < js.STAY_AFTER_18_SHARE
    wait = np.floor(rng.exponential(js.TRANSFER_AFTER_18_MEAN_DAYS, n)).astype(np.int64)
    transfer_day = np.where(stays, NONE, bday + wait)
    cut = np.minimum.reduce([end, transfer_day, death_day])
    died = (cut == death_day) & (death_day < NONE)
    moved_on = (cut == transfer_day) & (transfer_day < NONE) & ~died
    reason = np.where(died, "died", np.where(moved_on, "transferred", reason)).astype(object)
    decision_day = np.where(death_day < decision_day, NONE, decision_day)
    sentence = np.where(sentence <= cut, sentence, NONE)
    end = cut
    # Transfers to a rehabilitation centre a few days after a custodial sentence.
    moves = custodial & (rng.random(n) < js.TRANSFER_TO_REHABILITATION)
    move_day = np.where(moves, sentence + rng.integers(3, 30, n), NONE)
    moves &= move_day < end
    rehab = fac[fac["kind"] == "rehabilitation"].reset_index(drop=True)
    own = {int(p): i for i, p in enumerate(rehab["province"])}
    target = np.array(
        [own.get(int(p), int(rng.integers(0, len(rehab)))) for p in cases["province"]],
        dtype=np.int64,
    )
    t_end = _years_since_start(country, np.minimum(end, cases["last_day"].to_numpy()))
    aftercare_p = np.clip(js.AFTERCARE_SHARE + js.AFTERCARE_GAIN * t_end, 0.0, js.AFTERCARE_MAX)
    aftercare = rng.random(n) < aftercare_p

    base = {
        "case": np.arange(n),
        "female": arrests["female"].to_numpy(),
        "dob": dob,
        "start": start,
        "sentence": sentence,
    }
    first = pd.DataFrame(
        base
        | {
            "facility": facility["facility_id"].to_numpy(),
            "district": facility["district"].to_numpy(),
            "separated": separated,
            "end": np.where(moves, move_day, end),
            "reason": np.where(moves, "transferred", reason),
            "aftercare": aftercare,
        }
    )[in_spell]
    second = pd.DataFrame(
        base
        | {
            "start": move_day,
            "facility": rehab["facility_id"].to_numpy()[target],
            "district": rehab["district"].to_numpy()[target],
            "separated": True,
            "end": end,
            "reason": reason,
            "aftercare": aftercare,
        }
    )[in_spell & moves]
    episodes = pd.concat([first, second], ignore_index=True)
    return episodes, decision_day


def simulation(country: Country) -> Justice:
    """The justice system of the country, computed once (random stream 300)."""
    return country.shared("justice", lambda: simulate_justice(country, country.rng(300)))


def child_ids(justice: Justice) -> np.ndarray:
    """The delivered id of each arrested child (``JJ-0000001`` ...), by child number."""
    n_children = int(justice.arrests["child"].max()) + 1 if len(justice.arrests) else 0
    return np.asarray([f"JJ-{c + 1:07d}" for c in range(n_children)], dtype=object)


def simulate_justice(country: Country, rng: np.random.Generator) -> Justice:
    """Arrests (with re-arrests), decisions and detention episodes over the run-in and the
    reporting months; rows outside the reporting months are kept (the deliveries select)."""
    last_day = int((country.months[-1] + 1).astype("datetime64[D]").astype(np.int64)) - 1
    fac = facilities(country)
    first = _arrests(country, rng)
    first_cases = _cases(country, rng, first, last_day)
    first_episodes, first_decided = _spells(country, rng, first, first_cases, fac)
    # Re-arrests of the same child, some time after the first case ended.
    case_end = np.maximum(first["day"].to_numpy(), np.where(first_decided < NONE, first_decided, 0))
    ended = first_episodes.groupby("case")["end"].max()
    case_end[ended.index.to_numpy()] = np.maximum(
        case_end[ended.index.to_numpy()], ended.to_numpy()
    )
    again = (rng.random(len(first)) < js.REARREST_SHARE) & (case_end < NONE)
    re_day = case_end + rng.integers(30, 400, len(first))
    again &= (re_day <= last_day) & (age_on(first["dob"].to_numpy(), re_day) <= 17)
    second = first[again].assign(
        day=re_day[again], offence=_offences(rng, first["female"].to_numpy()[again])
    )
    second_cases = _cases(country, rng, second.reset_index(drop=True), last_day)
    second_episodes, second_decided = _spells(
        country, rng, second.reset_index(drop=True), second_cases, fac
    )
    child = np.concatenate([np.arange(len(first)), np.nonzero(again)[0]])
    arrests = pd.concat([first, second], ignore_index=True).assign(child=child)
    cases = pd.concat([first_cases, second_cases], ignore_index=True)
    cases["decision_day"] = np.concatenate([first_decided, second_decided])
    second_episodes = second_episodes.assign(case=second_episodes["case"] + len(first))
    episodes = pd.concat([first_episodes, second_episodes], ignore_index=True)
    episodes["child"] = child[episodes["case"].to_numpy()]

    decided = cases["decision_day"].to_numpy() < NONE
    decisions = pd.DataFrame(
        {
            "arrest": np.nonzero(decided)[0],
            "child": child[decided],
            "female": arrests["female"].to_numpy()[decided],
            "dob": arrests["dob"].to_numpy()[decided],
            "district": arrests["district"].to_numpy()[decided],
            "offence": arrests["offence"].to_numpy()[decided],
            "day": cases["decision_day"].to_numpy()[decided],
            "decision": cases["decision"].to_numpy()[decided],
            "by": cases["by"].to_numpy()[decided],
            "months": cases["months"].to_numpy()[decided],
        }
    )
    return Justice(arrests=arrests, decisions=decisions, episodes=episodes, facilities=fac)


def simulate_trafficking_victims(country: Country, rng: np.random.Generator) -> pd.DataFrame:
    """Children identified as trafficking victims: district, female, age, day (Poisson)."""
    months, first, length = _months(country, 0)
    t = (months - country.first_month).astype(np.int64) / 12.0
    year_index = np.clip(
        months.astype("datetime64[Y]").astype(np.int64) + 1970 - country.years[0],
        0,
        len(country.years) - 1,
    )
    pop = population_array(country)
    sex_factor = np.array([js.TRAFFICKING_FEMALE_SHARE, 1 - js.TRAFFICKING_FEMALE_SHARE]) * 2
    age_factor = js.TRAFFICKING_AGE_WEIGHTS / js.TRAFFICKING_AGE_WEIGHTS.mean()
    province_factor = np.asarray(js.TRAFFICKING_PROVINCE)[_district_province(country)]
    rate = js.TRAFFICKING_RATE / 12 * js.TRAFFICKING_TREND**t
    expected = (
        pop[year_index]
        * rate[:, None, None, None]
        * province_factor[None, :, None, None]
        * sex_factor[None, None, :, None]
        * age_factor[None, None, None, :]
    )
    m, district, male, age = _poisson_events(rng, expected)
    day = first[m] + np.floor(rng.random(len(m)) * length[m]).astype(np.int64)
    return pd.DataFrame(
        {"district": district, "female": male == 0, "age": age, "day": day, "t": t[m]}
    )


def simulate_abuse_reports(country: Country, rng: np.random.Generator) -> pd.DataFrame:
    """Reports of abuse of a child to the police: district, type, female, age, day (Poisson)."""
    months, first, length = _months(country, 0)
    t = (months - country.first_month).astype(np.int64) / 12.0
    year_index = np.clip(
        months.astype("datetime64[Y]").astype(np.int64) + 1970 - country.years[0],
        0,
        len(country.years) - 1,
    )
    pop = population_array(country)
    province_factor = np.asarray(js.ABUSE_PROVINCE)[_district_province(country)]
    frames = []
    for k in range(len(js.ABUSE_TYPES)):
        female_share = js.ABUSE_FEMALE_SHARE[k]
        sex_factor = np.array([female_share, 1 - female_share]) * 2
        ages = js.abuse_age_weights(k)
        age_factor = ages / ages.mean()
        rate = js.ABUSE_RATES[k] / 12 * js.ABUSE_TREND**t
        expected = (
            pop[year_index]
            * rate[:, None, None, None]
            * province_factor[None, :, None, None]
            * sex_factor[None, None, :, None]
            * age_factor[None, None, None, :]
        )
        m, district, male, age = _poisson_events(rng, expected)
        day = first[m] + np.floor(rng.random(len(m)) * length[m]).astype(np.int64)
        frames.append(
            pd.DataFrame(
                {"district": district, "kind": k, "female": male == 0, "age": age, "day": day}
            )
        )
    return pd.concat(frames, ignore_index=True)


# --- delivered values ---------------------------------------------------------------------------


def dates(days: np.ndarray) -> np.ndarray:
    """Days as datetime64[D] with NONE as NaT (for nullable date columns)."""
    days = np.asarray(days, dtype=np.int64)
    missing = days >= NONE
    return np.where(
        missing, np.datetime64("NaT"), np.where(missing, 0, days).astype("datetime64[D]")
    )


def pick_text(rng: np.random.Generator, pool: tuple[str, ...], n: int) -> np.ndarray:
    """``n`` texts drawn from ``pool`` (an empty text is none)."""
    texts = np.asarray(pool, dtype=object)[rng.integers(0, len(pool), n)]
    texts[texts == ""] = None
    return texts


def sex_codes(female: np.ndarray) -> np.ndarray:
    """The delivered sex code of each person."""
    return np.where(female, "F", "M").astype(object)
