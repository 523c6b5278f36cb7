"""helpline ``helpline_contacts``: the child helpline's monthly exports of contacts, cut from the
case-management simulation (``demo_country.sectors.case_management``)."""

from __future__ import annotations

import numpy as np

from cpmonitor.core.contracts import Contract
from demo_country import names
from demo_country.country import Country
from demo_country.delivery import Delivery, monthly
from demo_country.sectors.case_management.simulation import NONE, simulation
from demo_country.sectors.case_management.story import CALLERS, CHANNELS, HELPLINE_CONCERNS


def _as_times(seconds: np.ndarray) -> np.ndarray:
    has = seconds < NONE
    return np.where(
        has, np.where(has, seconds, 0).astype("datetime64[s]"), np.datetime64("NaT")
    ).astype("datetime64[us]")


def generate(country: Country, contract: Contract) -> list[Delivery]:
    """Monthly exports of every contact of the month. Random stream 213."""
    rng, sim = country.rng(213), simulation(country)
    c = sim.contacts
    n = len(c)
    month = c["month"].to_numpy()
    phones = np.asarray(names.phone_numbers(rng, n), dtype=object)
    phones[rng.random(n) < 0.2] = None
    concern_codes = np.asarray(HELPLINE_CONCERNS, dtype=object)
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
    return monthly(country, contract, month, columns)
