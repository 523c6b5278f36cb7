"""Synthetic feeds of the justice area (docs/indicators-and-feeds.md): police arrests, trafficking
victims and abuse reports, prisons' detention episodes, courts' decisions. Monthly deliveries.

Random streams 300-399: 300 the justice system, 301 trafficking victims, 302 abuse reports,
310-314 the delivered attributes (names, notes, codes) of each feed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cpmonitor.core.contracts import Contract
from cpmonitor.synthetic import justice_story as js
from cpmonitor.synthetic import names
from cpmonitor.synthetic.deliveries import Country, Delivery, table_from_columns
from cpmonitor.synthetic.justice_simulation import (
    NONE,
    dob_for_age,
    simulate_abuse_reports,
    simulate_justice,
    simulate_trafficking_victims,
)

OFFICER_NOTES: tuple[str, ...] = (
    "Parents informed at the station.",
    "Child held in the juvenile room pending interview.",
    "Social worker called to attend the interview.",
    "Released to a guardian the same day.",
    "",
)
CASE_NOTES: tuple[str, ...] = (
    "Found during a raid; placed in a shelter.",
    "Identified at the border checkpoint; family tracing started.",
    "Referred by a labour inspector after a factory visit.",
    "",
)


def _month_index(country: Country, days: np.ndarray) -> np.ndarray:
    """Index of the reporting month of each day (negative before the first month)."""
    month = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]")
    return (month - country.first_month).astype(np.int64)


def _monthly(
    country: Country, contract: Contract, month: np.ndarray, columns: dict[str, np.ndarray]
) -> list[Delivery]:
    """One delivery per reporting month (possibly empty) from rows tagged with their month index."""
    order = np.argsort(month, kind="stable")
    month = month[order]
    columns = {k: np.asarray(v)[order] for k, v in columns.items()}
    bounds = np.searchsorted(month, np.arange(len(country.months) + 1))
    out = []
    for m, period in enumerate(country.months):
        part = slice(bounds[m], bounds[m + 1])
        table = table_from_columns(contract, {k: v[part] for k, v in columns.items()})
        out.append(Delivery(contract.owner, contract.feed, str(period), table))
    return out


def _dates(days: np.ndarray) -> np.ndarray:
    """Days as datetime64[D] with NONE as NaT (for nullable date columns)."""
    days = np.asarray(days, dtype=np.int64)
    missing = days >= NONE
    return np.where(
        missing, np.datetime64("NaT"), np.where(missing, 0, days).astype("datetime64[D]")
    )


def _pick(rng: np.random.Generator, pool: tuple[str, ...], n: int) -> np.ndarray:
    texts = np.asarray(pool, dtype=object)[rng.integers(0, len(pool), n)]
    texts[texts == ""] = None
    return texts


def _sex(female: np.ndarray) -> np.ndarray:
    return np.where(female, "F", "M").astype(object)


def deliveries(country: Country, contracts: dict[str, Contract]) -> list[Delivery]:
    """Monthly arrests, trafficking victims, abuse reports, detentions and court decisions."""
    justice = simulate_justice(country, country.rng(300))
    district_codes = np.asarray(country.geo.district_codes, dtype=object)
    n_children = int(justice.arrests["child"].max()) + 1 if len(justice.arrests) else 0
    child_ids = np.asarray([f"JJ-{c + 1:07d}" for c in range(n_children)], dtype=object)
    out = _arrest_deliveries(country, contracts["arrests"], justice.arrests, child_ids)
    out += _decision_deliveries(country, contracts["court_decisions"], justice.decisions, child_ids)
    out += _detention_deliveries(country, contracts["detentions"], justice.episodes, child_ids)
    out += _victim_deliveries(country, contracts["trafficking_victims"], district_codes)
    out += _report_deliveries(country, contracts["abuse_reports"], district_codes)
    return out


def _arrest_deliveries(
    country: Country, contract: Contract, arrests: pd.DataFrame, child_ids: np.ndarray
) -> list[Delivery]:
    rng = country.rng(310)
    rows = arrests.sort_values(["day", "child"], kind="stable").reset_index(drop=True)
    n = len(rows)
    female = rows["female"].to_numpy()
    month = _month_index(country, rows["day"].to_numpy())
    columns = {
        "arrest_id": np.asarray([f"AR-{i + 1:08d}" for i in range(n)], dtype=object),
        "child_id": child_ids[rows["child"].to_numpy()],
        "child_name": names.child_names(rng, female),
        "sex": _sex(female),
        "date_of_birth": _dates(rows["dob"].to_numpy()),
        "district_code": np.asarray(country.geo.district_codes, dtype=object)[rows["district"]],
        "arrest_date": _dates(rows["day"].to_numpy()),
        "offence_category": np.asarray(js.OFFENCES, dtype=object)[rows["offence"].to_numpy()],
        "officer_notes": _pick(rng, OFFICER_NOTES, n),
    }
    keep = month >= 0
    return _monthly(country, contract, month[keep], {k: v[keep] for k, v in columns.items()})


def _decision_deliveries(
    country: Country, contract: Contract, decisions: pd.DataFrame, child_ids: np.ndarray
) -> list[Delivery]:
    rows = decisions.sort_values(["day", "arrest"], kind="stable").reset_index(drop=True)
    n = len(rows)
    month = _month_index(country, rows["day"].to_numpy())
    months = rows["months"].to_numpy()
    columns = {
        "decision_id": np.asarray([f"CD-{i + 1:08d}" for i in range(n)], dtype=object),
        "child_id": child_ids[rows["child"].to_numpy()],
        "case_number": np.asarray([f"CR-{a + 1:08d}" for a in rows["arrest"]], dtype=object),
        "sex": _sex(rows["female"].to_numpy()),
        "date_of_birth": _dates(rows["dob"].to_numpy()),
        "district_code": np.asarray(country.geo.district_codes, dtype=object)[rows["district"]],
        "decision_date": _dates(rows["day"].to_numpy()),
        "decided_by": rows["by"].to_numpy(dtype=object),
        "decision_type": rows["decision"].to_numpy(dtype=object),
        "offence_category": np.asarray(js.OFFENCES, dtype=object)[rows["offence"].to_numpy()],
        "sentence_months": np.where(months > 0, months, None),
    }
    keep = (month >= 0) & (month < len(country.months))
    return _monthly(country, contract, month[keep], {k: v[keep] for k, v in columns.items()})


def _detention_deliveries(
    country: Country, contract: Contract, episodes: pd.DataFrame, child_ids: np.ndarray
) -> list[Delivery]:
    """Changed-records extracts: an episode is delivered in the month it started (or the first
    month, if open then), the month it was sentenced and the month it ended, as it stood at the
    end of that month."""
    rng = country.rng(312)
    n_months = len(country.months)
    ep = episodes.sort_values(["start", "case", "facility"], kind="stable").reset_index(drop=True)
    ep["detention_id"] = [f"DT-{i + 1:08d}" for i in range(len(ep))]
    start_m = _month_index(country, ep["start"].to_numpy())
    end = ep["end"].to_numpy()
    end_m = np.where(end < NONE, _month_index(country, np.minimum(end, NONE - 1)), n_months)
    sentence = ep["sentence"].to_numpy()
    sentence_m = np.where(
        sentence < NONE, _month_index(country, np.minimum(sentence, NONE - 1)), -1
    )
    live = (end_m >= 0) & (start_m < n_months)  # overlaps the reporting months
    candidates = np.concatenate(
        [np.maximum(start_m, 0), np.where(sentence_m > start_m, sentence_m, -1), end_m]
    )
    row = np.tile(np.arange(len(ep)), 3)
    ok = np.tile(live, 3) & (candidates >= 0) & (candidates < n_months)
    pairs = np.unique(np.stack([candidates[ok], row[ok]], axis=1), axis=0)
    month, r = pairs[:, 0], pairs[:, 1]
    month_end = (country.months[month] + 1).astype("datetime64[D]").astype(np.int64) - 1
    sentenced = sentence[r] <= month_end
    ended = end[r] <= month_end
    reason = ep["reason"].to_numpy(dtype=object)[r]
    released = ended & np.isin(
        reason, ["released_without_charge", "bail", "diverted", "sentence_served", "acquitted"]
    )
    female = ep["female"].to_numpy()
    child_names = names.child_names(rng, female)
    columns = {
        "detention_id": ep["detention_id"].to_numpy(dtype=object)[r],
        "child_id": child_ids[ep["child"].to_numpy()[r]],
        "child_name": child_names[r],
        "sex": _sex(female[r]),
        "date_of_birth": _dates(ep["dob"].to_numpy()[r]),
        "facility_id": ep["facility"].to_numpy(dtype=object)[r],
        "facility_separated_from_adults": ep["separated"].to_numpy(dtype=bool)[r],
        "district_code": np.asarray(country.geo.district_codes, dtype=object)[
            ep["district"].to_numpy()[r]
        ],
        "detention_start": _dates(ep["start"].to_numpy()[r]),
        "legal_status": np.where(sentenced, "sentenced", "pre_sentence").astype(object),
        "sentence_date": _dates(np.where(sentenced, sentence[r], NONE)),
        "release_date": _dates(np.where(ended, end[r], NONE)),
        "release_reason": np.where(ended, reason, None),
        "referred_to_aftercare": np.where(
            released, ep["aftercare"].to_numpy(dtype=object)[r], None
        ),
    }
    return _monthly(country, contract, month, columns)


def _victim_deliveries(
    country: Country, contract: Contract, district_codes: np.ndarray
) -> list[Delivery]:
    victims = simulate_trafficking_victims(country, country.rng(301))
    rng = country.rng(313)
    rows = victims.sort_values(["day", "district"], kind="stable").reset_index(drop=True)
    n = len(rows)
    female = rows["female"].to_numpy()
    day = rows["day"].to_numpy()
    age = rows["age"].to_numpy()
    pf = np.asarray(js.FORM_WEIGHTS_F) / sum(js.FORM_WEIGHTS_F)
    pm = np.asarray(js.FORM_WEIGHTS_M) / sum(js.FORM_WEIGHTS_M)
    form = np.where(female, rng.choice(len(pf), size=n, p=pf), rng.choice(len(pm), size=n, p=pm))
    by_p = np.asarray(js.IDENTIFIED_BY_WEIGHTS) / sum(js.IDENTIFIED_BY_WEIGHTS)
    documented = rng.random(n) < 0.4
    victim_names = names.child_names(rng, female)
    victim_names[rng.random(n) < 0.3] = None
    columns = {
        "victim_id": np.asarray([f"TV-{i + 1:07d}" for i in range(n)], dtype=object),
        "victim_name": victim_names,
        "sex": _sex(female),
        "date_of_birth": _dates(np.where(documented, dob_for_age(rng, day, age), NONE)),
        "age_years": age.astype(np.int64),
        "citizenship": np.asarray(["national", "foreign", "unknown"], dtype=object)[
            rng.choice(3, size=n, p=[0.8, 0.15, 0.05])
        ],
        "district_code": district_codes[rows["district"].to_numpy()],
        "identified_date": _dates(day),
        "exploitation_form": np.asarray(js.FORMS, dtype=object)[form],
        "identified_by": np.asarray(js.IDENTIFIED_BY, dtype=object)[
            rng.choice(len(by_p), size=n, p=by_p)
        ],
        "referred_to_services": rng.random(n)
        < np.clip(0.7 + 0.02 * rows["t"].to_numpy(), 0.0, 0.95),
        "case_notes": _pick(rng, CASE_NOTES, n),
    }
    return _monthly(country, contract, _month_index(country, day), columns)


def _report_deliveries(
    country: Country, contract: Contract, district_codes: np.ndarray
) -> list[Delivery]:
    reports = simulate_abuse_reports(country, country.rng(302))
    rng = country.rng(314)
    rows = reports.sort_values(["day", "district", "kind"], kind="stable").reset_index(drop=True)
    n = len(rows)
    day = rows["day"].to_numpy()
    female = rows["female"].to_numpy()
    reporter_p = np.asarray(js.REPORTER_WEIGHTS) / sum(js.REPORTER_WEIGHTS)
    reporter = np.asarray(js.REPORTERS, dtype=object)[
        rng.choice(len(reporter_p), size=n, p=reporter_p)
    ]
    anonymous = reporter == "anonymous"
    reporter_names = names.child_names(rng, rng.random(n) < 0.6)
    reporter_names[anonymous] = None
    phones = np.asarray(names.phone_numbers(rng, n), dtype=object)
    phones[anonymous | (rng.random(n) < 0.3)] = None
    columns = {
        "report_id": np.asarray([f"AB-{i + 1:08d}" for i in range(n)], dtype=object),
        "report_date": _dates(day),
        "district_code": district_codes[rows["district"].to_numpy()],
        "victim_sex": np.where(rng.random(n) < js.UNKNOWN_SEX_SHARE, None, _sex(female)),
        "victim_age": np.where(
            rng.random(n) < js.UNKNOWN_AGE_SHARE, None, rows["age"].to_numpy().astype(object)
        ),
        "abuse_type": np.asarray(js.ABUSE_TYPES, dtype=object)[rows["kind"].to_numpy()],
        "reporter_relationship": reporter,
        "reporter_name": reporter_names,
        "reporter_phone": phones,
    }
    return _monthly(country, contract, _month_index(country, day), columns)
