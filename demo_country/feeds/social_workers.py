"""mosa ``social_workers``: the quarterly register of social worker posts, cut from the
case-management simulation (``demo_country.sectors.case_management``)."""

from __future__ import annotations

import numpy as np

from cpmonitor.core.contracts import Contract
from demo_country import names
from demo_country.country import Country
from demo_country.delivery import Delivery, table_from_columns
from demo_country.sectors.case_management.simulation import NONE, simulation


def _as_dates(days: np.ndarray) -> np.ndarray:
    """Days (``NONE`` = no date) as datetime64[D] with NaT for no date."""
    has = days < NONE
    return np.where(has, np.where(has, days, 0).astype("datetime64[D]"), np.datetime64("NaT"))


def generate(country: Country, contract: Contract) -> list[Delivery]:
    """Quarterly register snapshots: every post filled at some time during the quarter, its end
    date shown once it has passed. Random stream 212."""
    rng, sim = country.rng(212), simulation(country)
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
