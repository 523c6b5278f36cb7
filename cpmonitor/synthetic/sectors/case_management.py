"""Synthetic feeds of the case management area (docs/indicators-and-feeds.md): the ministry's cases,
referrals and social worker register, and the child helpline's contacts.

Random streams 200-299: 200 posts, 201 cases, 202 referrals, 203 helpline contacts, 204
reassignments of cases when a worker leaves, 205 children who move district and workers covering a
vacancy, 210-213 the invented names and numbers of each feed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cpmonitor.core.contracts import Contract
from cpmonitor.synthetic import names
from cpmonitor.synthetic.case_management_sim import (
    CALLERS,
    CHANNELS,
    CLOSURE_REASONS,
    CONCERNS,
    NONE,
    OTHER_CONCERNS,
    PROTECTION_CONCERNS,
    PROVIDERS,
    RISK_LEVELS,
    SERVICES,
    SOURCES,
    CaseManagement,
    simulate_case_management,
)
from cpmonitor.synthetic.deliveries import Country, Delivery, table_from_columns

NOTES = (
    "Provider confirmed first appointment.",
    "Caregiver asked to accompany the child.",
    "Urgent: please call the case worker.",
    "",
)


def _month_of(days: np.ndarray, first_month: np.datetime64) -> np.ndarray:
    """Month index (0 = first reporting month) of each day; -1 for no date."""
    has = days < NONE
    safe = np.where(has, days, 0).astype("datetime64[D]")
    month = (safe.astype("datetime64[M]") - first_month).astype(np.int64)
    return np.where(has, month, -1)


def _as_dates(days: np.ndarray) -> np.ndarray:
    """Days (``NONE`` = no date) as datetime64[D] with NaT for no date."""
    has = days < NONE
    return np.where(has, np.where(has, days, 0).astype("datetime64[D]"), np.datetime64("NaT"))


def _as_times(seconds: np.ndarray) -> np.ndarray:
    has = seconds < NONE
    return np.where(
        has, np.where(has, seconds, 0).astype("datetime64[s]"), np.datetime64("NaT")
    ).astype("datetime64[us]")


def _split_by_month(
    contract: Contract,
    columns: dict[str, np.ndarray],
    month: np.ndarray,
    first: np.datetime64,
    n: int,
) -> list[Delivery]:
    """One delivery per month (rows sorted by month), empty months included."""
    bounds = np.searchsorted(month, np.arange(n + 1))
    out = []
    for m in range(n):
        part = slice(bounds[m], bounds[m + 1])
        table = table_from_columns(contract, {k: v[part] for k, v in columns.items()})
        out.append(Delivery(contract.owner, contract.feed, str(first + m), table))
    return out


def case_deliveries(
    contract: Contract, rng: np.random.Generator, sim: CaseManagement, country: Country
) -> list[Delivery]:
    """Monthly changed-records extracts: a case in the month it was opened (or the first month when
    it was already open), and again in each month its response, assessment, plan, closure or a
    reassignment to another social worker came; each row as the case stood at the end of that
    month, naming the worker assigned then."""
    cases = sim.cases
    n_months = len(country.months)
    first = country.first_month
    opened = cases["opened_s"].to_numpy() // 86_400
    response = cases["response_s"].to_numpy()
    response_day = np.where(response < NONE, response // 86_400, NONE)
    moves = sim.reassignments
    if moves is None:
        moves = pd.DataFrame({"case": [], "day": [], "worker": []}, dtype=np.int64)
    n = len(cases)
    event_case = np.concatenate([np.tile(np.arange(n), 5), moves["case"].to_numpy(np.int64)])
    event_month = np.concatenate(
        [
            np.maximum(_month_of(opened, first), 0),
            _month_of(response_day, first),
            _month_of(cases["assessed"].to_numpy(), first),
            _month_of(cases["plan"].to_numpy(), first),
            _month_of(cases["closed"].to_numpy(), first),
            np.maximum(_month_of(moves["day"].to_numpy(np.int64), first), 0),
        ]
    )
    ok = (event_month >= 0) & (event_month < n_months)
    pairs = np.unique(event_month[ok] * (n + 1) + event_case[ok])  # by month, then case
    row_month, row_case = pairs // (n + 1), pairs % (n + 1)
    month_end = ((first + row_month + 1).astype("datetime64[D]").astype(np.int64)) - 1

    def known(days: np.ndarray) -> np.ndarray:
        values = days[row_case]
        return np.where(values <= month_end, values, NONE)

    closed = known(cases["closed"].to_numpy())
    reason = cases["reason"].to_numpy()[row_case]
    resp = response[row_case]
    resp = np.where(resp // 86_400 <= month_end, resp, NONE)
    female = cases["female"].to_numpy()
    child_names = names.child_names(rng, female)
    phones = np.asarray(names.phone_numbers(rng, len(cases)), dtype=object)
    phones[rng.random(len(cases)) < 0.3] = None
    disability = np.array([True, False, None], dtype=object)[cases["disability"].to_numpy()]
    worker = _worker_at(cases["worker"].to_numpy(), moves, row_case, month_end)
    worker_ids = np.where(
        worker >= 0,
        np.char.add("SW-", np.char.zfill(np.maximum(worker + 1, 0).astype(str), 6)),
        None,
    ).astype(object)
    case_ids = np.char.add("CPC-", np.char.zfill((cases["case"].to_numpy() + 1).astype(str), 8))
    child_ids = np.char.add("CH-", np.char.zfill((cases["child"].to_numpy() + 1).astype(str), 7))
    district_codes = np.asarray(country.geo.district_codes, dtype=object)
    columns = {
        "case_id": case_ids.astype(object)[row_case],
        "child_id": child_ids.astype(object)[row_case],
        "child_name": child_names[row_case],
        "caregiver_phone": phones[row_case],
        "sex": np.where(female, "F", "M").astype(object)[row_case],
        "date_of_birth": cases["dob"].to_numpy().astype("datetime64[D]")[row_case],
        "disability": disability[row_case],
        "district_code": district_codes[cases["district"].to_numpy()][row_case],
        "opened_at": _as_times(cases["opened_s"].to_numpy())[row_case],
        "risk_level": np.asarray(RISK_LEVELS, dtype=object)[cases["risk"].to_numpy()][row_case],
        "referral_source": np.asarray(SOURCES, dtype=object)[cases["source"].to_numpy()][row_case],
        "concern": np.asarray(CONCERNS, dtype=object)[cases["concern"].to_numpy()][row_case],
        "first_response_at": _as_times(resp),
        "assessment_completed_date": _as_dates(known(cases["assessed"].to_numpy())),
        "case_plan_date": _as_dates(known(cases["plan"].to_numpy())),
        "closed_date": _as_dates(closed),
        "closure_reason": np.where(
            closed < NONE, np.asarray(CLOSURE_REASONS, dtype=object)[np.maximum(reason, 0)], None
        ),
        "social_worker_id": worker_ids,
    }
    return _split_by_month(contract, columns, row_month, first, n_months)


def _worker_at(
    first_worker: np.ndarray, moves: pd.DataFrame, row_case: np.ndarray, day: np.ndarray
) -> np.ndarray:
    """The social worker of each row's case on ``day``: the latest reassignment on or before it,
    else the case's first worker (-1: none)."""
    if not len(moves):
        return first_worker[row_case]
    span = 1 << 32  # days fit well below this
    keys = moves["case"].to_numpy(np.int64) * span + moves["day"].to_numpy(np.int64)
    at = np.searchsorted(keys, row_case.astype(np.int64) * span + day, side="right") - 1
    hit = at >= 0
    hit[hit] = moves["case"].to_numpy(np.int64)[at[hit]] == row_case[hit]
    later = moves["worker"].to_numpy(np.int64)[np.maximum(at, 0)]
    return np.where(hit, later, first_worker[row_case])


def referral_deliveries(
    contract: Contract, rng: np.random.Generator, sim: CaseManagement, country: Country
) -> list[Delivery]:
    """Monthly: referrals made in the month, and earlier ones whose service was delivered in it."""
    ref = sim.referrals
    first = country.first_month
    n_months = len(country.months)
    made = _month_of(ref["day"].to_numpy(), first)
    done = _month_of(ref["delivered"].to_numpy(), first)
    again = (done >= 0) & (done != made)
    row = np.concatenate([np.arange(len(ref)), np.flatnonzero(again)])
    row_month = np.concatenate([made, done[again]])
    order = np.lexsort((row, row_month))
    row, row_month = row[order], row_month[order]
    month_end = ((first + row_month + 1).astype("datetime64[D]").astype(np.int64)) - 1
    delivered = ref["delivered"].to_numpy()[row]
    delivered = np.where(delivered <= month_end, delivered, NONE)
    notes = np.asarray(NOTES, dtype=object)[rng.integers(0, len(NOTES), len(ref))]
    notes[notes == ""] = None
    columns = {
        "referral_id": np.char.add(
            "REF-", np.char.zfill((ref["referral"].to_numpy() + 1).astype(str), 8)
        ).astype(object)[row],
        "case_id": np.char.add(
            "CPC-", np.char.zfill((ref["case"].to_numpy() + 1).astype(str), 8)
        ).astype(object)[row],
        "referral_date": ref["day"].to_numpy().astype("datetime64[D]")[row],
        "service_type": np.asarray(SERVICES, dtype=object)[ref["service"].to_numpy()][row],
        "provider_type": np.asarray(PROVIDERS, dtype=object)[ref["provider"].to_numpy()][row],
        "service_delivered_date": _as_dates(delivered),
        "referral_notes": notes[row],
    }
    return _split_by_month(contract, columns, row_month, first, n_months)


def social_worker_deliveries(
    contract: Contract, rng: np.random.Generator, sim: CaseManagement, country: Country
) -> list[Delivery]:
    """Quarterly register snapshots: every post filled at some time during the quarter, its end
    date shown once it has passed."""
    posts = sim.posts
    n = len(posts)
    female = posts["female"].to_numpy()
    worker_names = names.child_names(rng, female)  # invented given + family names
    phones = np.asarray(names.phone_numbers(rng, n), dtype=object)
    ids = np.char.add("SW-", np.char.zfill((posts["worker"].to_numpy() + 1).astype(str), 6))
    district_codes = np.asarray(country.geo.district_codes, dtype=object)
    start = posts["start"].to_numpy()
    end = posts["end"].to_numpy()
    deliveries = []
    for year in country.years:
        for q in range(4):
            q_first = int(np.datetime64(f"{year}-{3 * q + 1:02d}-01", "D").astype(np.int64))
            q_next = np.datetime64(f"{year + (q == 3)}-{(3 * q + 3) % 12 + 1:02d}-01", "D")
            q_last = int(q_next.astype(np.int64)) - 1
            rows = np.flatnonzero((start <= q_last) & (end >= q_first))
            shown_end = np.where(end[rows] <= q_last, end[rows], NONE)
            table = table_from_columns(
                contract,
                {
                    "worker_id": ids.astype(object)[rows],
                    "worker_name": worker_names[rows],
                    "worker_phone": phones[rows],
                    "sex": np.where(female, "F", "M").astype(object)[rows],
                    "district_code": district_codes[posts["district"].to_numpy()[rows]],
                    "position": np.where(
                        posts["senior"].to_numpy()[rows], "senior_social_worker", "social_worker"
                    ).astype(object),
                    "employer": np.where(posts["ngo"].to_numpy()[rows], "ngo", "government").astype(
                        object
                    ),
                    "post_start_date": start[rows].astype("datetime64[D]"),
                    "post_end_date": _as_dates(shown_end),
                },
            )
            deliveries.append(Delivery(contract.owner, contract.feed, f"{year}-Q{q + 1}", table))
    return deliveries


def helpline_deliveries(
    contract: Contract, rng: np.random.Generator, sim: CaseManagement, country: Country
) -> list[Delivery]:
    """Monthly exports of every contact of the month."""
    c = sim.contacts
    n = len(c)
    month = c["month"].to_numpy()
    phones = np.asarray(names.phone_numbers(rng, n), dtype=object)
    phones[rng.random(n) < 0.2] = None
    concern_codes = np.asarray(PROTECTION_CONCERNS + OTHER_CONCERNS, dtype=object)
    district = c["district"].to_numpy()
    district_codes = np.asarray(country.geo.district_codes, dtype=object)
    sex = c["sex"].to_numpy()
    age = c["age"].to_numpy()
    referred = c["referred"].to_numpy()
    sequence = np.arange(n) - np.searchsorted(month, month)  # number within the month
    periods = np.asarray([str(country.first_month + m) for m in range(len(country.months))])
    ids = np.char.add(
        np.char.add("HL-", periods[month]),
        np.char.add("-", np.char.zfill((sequence + 1).astype(str), 6)),
    )
    columns = {
        "contact_id": ids.astype(object),
        "contact_at": _as_times(c["at_s"].to_numpy()),
        "channel": np.asarray(CHANNELS, dtype=object)[c["channel"].to_numpy()],
        "caller_type": np.asarray(CALLERS, dtype=object)[c["caller"].to_numpy()],
        "caller_phone": phones,
        "district_code": np.where(district >= 0, district_codes[np.maximum(district, 0)], None),
        "child_sex": np.where(sex == 1, "F", np.where(sex == 0, "M", None)).astype(object),
        "child_age": np.where(age >= 0, age, None).astype(object),
        "concern": concern_codes[c["concern"].to_numpy()],
        "referred": np.where(referred == 1, True, np.where(referred == 0, False, None)).astype(
            object
        ),
    }
    return _split_by_month(contract, columns, month, country.first_month, len(country.months))


def deliveries(country: Country, contracts: dict[str, Contract]) -> list[Delivery]:
    """Cases, referrals and social worker register (mosa), helpline contacts (helpline)."""
    sim = simulate_case_management(country, [country.rng(s) for s in (200, 201, 202, 203)])
    return (
        case_deliveries(contracts["cases"], country.rng(210), sim, country)
        + referral_deliveries(contracts["referrals"], country.rng(211), sim, country)
        + social_worker_deliveries(contracts["social_workers"], country.rng(212), sim, country)
        + helpline_deliveries(contracts["helpline_contacts"], country.rng(213), sim, country)
    )
