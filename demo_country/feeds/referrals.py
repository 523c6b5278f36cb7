"""mosa ``referrals``: referrals of cases to services, monthly, cut from the case-management
simulation (``demo_country.sectors.case_management``)."""

from __future__ import annotations

import numpy as np

from cpmonitor.core.contracts import Contract
from demo_country.country import Country
from demo_country.delivery import Delivery, monthly
from demo_country.sectors.case_management.simulation import NONE, simulation
from demo_country.sectors.case_management.story import PROVIDERS, SERVICES

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


def generate(country: Country, contract: Contract) -> list[Delivery]:
    """Monthly: referrals made in the month, and earlier ones whose service was delivered in it. Random stream
    211."""
    rng, sim = country.rng(211), simulation(country)
    ref = sim.referrals
    first = country.first_month
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
    return monthly(country, contract, row_month, columns)
