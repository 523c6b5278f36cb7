"""mosa ``reintegration_followups``: follow-up contacts after the reintegrations of the simulated
placement episodes (AC10). Follow-up improves over the years and differs by province
(``story.FOLLOWED_UP`` and ``story.PRACTICE_OFFSET``). Random stream 103.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cpmonitor.core.contracts import Contract
from demo_country.codes import keyed
from demo_country.country import Country
from demo_country.delivery import Delivery, monthly
from demo_country.sectors.care import story
from demo_country.sectors.care.episodes import care_episodes, practice

# How each contact ends (the codes are the reintegration_followups contract's).
OUTCOMES, OUTCOME_WEIGHTS = keyed(
    "reintegration_followups",
    "outcome",
    {"settled": 0.62, "needs_support": 0.22, "referred_to_services": 0.08, "at_risk": 0.05,
     "not_found": 0.03},
)  # fmt: skip


def _month_of(country: Country, days: np.ndarray) -> np.ndarray:
    """Index of the reporting month of each day (earlier days go to the first month)."""
    return np.maximum(country.month_index(days), 0)


def generate(country: Country, contract: Contract) -> list[Delivery]:
    """Follow-up contacts after each reintegration in the reporting years: with the probability
    ``story.FOLLOWED_UP`` two or more visits in person within six months, otherwise none or one;
    some phone calls and some later visits."""
    rng = country.rng(103)
    ep = care_episodes(country)
    first, last = country.first_day, country.last_day
    reint = ep[ep["is_reintegration"] & (ep["end"] >= first) & (ep["end"] <= last)]
    n = len(reint)
    day = reint["end"].to_numpy()
    good = rng.random(n) < practice(story.FOLLOWED_UP, day, country.baseline_day, reint["province"])
    visits = np.where(good, 2 + rng.poisson(0.8, n), rng.integers(0, 2, n))
    calls = rng.poisson(0.7, n)
    later = rng.integers(0, 2, n)
    kinds = [("home_visit", visits, 5, 180), ("phone_call", calls, 1, 180),
             ("home_visit", later, 190, 365)]  # fmt: skip
    parts = []
    for kind, count, lo, hi in kinds:
        idx = np.repeat(np.arange(n), count)
        contact = day[idx] + rng.integers(lo, hi + 1, len(idx))
        school = (kind == "home_visit") & (rng.random(len(idx)) < 0.15)
        parts.append(
            pd.DataFrame(
                {"row": idx, "contact": contact, "type": np.where(school, "school_visit", kind)}
            )  # fmt: skip
        )
    contacts = pd.concat(parts, ignore_index=True)
    contacts = contacts[contacts["contact"] <= last].sort_values(["contact", "row"])
    contacts = contacts.reset_index(drop=True)
    m = len(contacts)
    row = contacts["row"].to_numpy()
    in_person = contacts["type"].to_numpy() != "phone_call"
    outcome = np.asarray(OUTCOMES, dtype=object)[
        rng.choice(len(OUTCOMES), size=m, p=list(OUTCOME_WEIGHTS))
    ]
    columns = {
        "followup_id": np.asarray([f"FU-{i + 1:08d}" for i in range(m)], dtype=object),
        "placement_id": reint["placement_id"].to_numpy(dtype=object)[row],
        "child_id": np.asarray(
            [f"CH-{c + 1:07d}" for c in reint["child"].to_numpy()[row]], dtype=object
        ),
        "district_code": np.asarray(country.geo.district_codes, dtype=object)[
            reint["district"].to_numpy()[row]
        ],
        "contact_date": contacts["contact"].to_numpy(),
        "contact_type": contacts["type"].to_numpy(dtype=object),
        "child_seen": np.where(in_person, outcome != "not_found", None).astype(object),
        "outcome": outcome,
        "family_address": np.asarray(
            [
                f"House {h}, Street {s}"
                for h, s in zip(rng.integers(1, 300, m), rng.integers(1, 90, m), strict=True)
            ],
            dtype=object,
        ),  # fmt: skip
        "visit_notes": np.where(
            rng.random(m) < 0.3, "Child at home, attending school.", None
        ).astype(object),
    }
    month = _month_of(country, contacts["contact"].to_numpy())
    return monthly(country, contract, month, columns, skip_empty=True)
