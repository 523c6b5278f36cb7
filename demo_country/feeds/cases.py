"""mosa ``cases``: the ministry's child protection cases, monthly changed-records extracts cut
from the case-management simulation (``demo_country.sectors.case_management``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cpmonitor.core.contracts import Contract
from demo_country import names
from demo_country.country import Country
from demo_country.delivery import Delivery, monthly
from demo_country.sectors.case_management.simulation import NONE, simulation
from demo_country.sectors.case_management.story import (
    CLOSURE_REASONS,
    CONCERNS,
    RISK_LEVELS,
    SOURCES,
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


def generate(country: Country, contract: Contract) -> list[Delivery]:
    """Monthly changed-records extracts: a case in the month it was opened (or the first month when
    it was already open), and again in each month its response, assessment, plan, closure or a
    reassignment to another social worker came; each row as the case stood at the end of that
    month, naming the worker assigned then. Random stream 210."""
    rng, sim = country.rng(210), simulation(country)
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
    return monthly(country, contract, row_month, columns)


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
