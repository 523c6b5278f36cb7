"""police ``trafficking_victims``: children identified as victims of trafficking, monthly
(``demo_country.sectors.justice``). Random streams 301 (the victims) and 313 (their details)."""

from __future__ import annotations

import numpy as np

from cpmonitor.core.contracts import Contract
from demo_country import names
from demo_country.country import Country
from demo_country.delivery import Delivery, monthly
from demo_country.sectors.justice import story as js
from demo_country.sectors.justice.simulation import (
    NONE,
    dates,
    dob_for_age,
    pick_text,
    sex_codes,
    simulate_trafficking_victims,
)

CASE_NOTES: tuple[str, ...] = (
    "Found during a raid; placed in a shelter.",
    "Identified at the border checkpoint; family tracing started.",
    "Referred by a labour inspector after a factory visit.",
    "",
)


def generate(country: Country, contract: Contract) -> list[Delivery]:
    district_codes = np.asarray(country.geo.district_codes, dtype=object)
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
        "sex": sex_codes(female),
        "date_of_birth": dates(np.where(documented, dob_for_age(rng, day, age), NONE)),
        "age_years": age.astype(np.int64),
        "citizenship": np.asarray(js.CITIZENSHIP, dtype=object)[
            rng.choice(len(js.CITIZENSHIP), size=n, p=list(js.CITIZENSHIP_WEIGHTS))
        ],
        "district_code": district_codes[rows["district"].to_numpy()],
        "identified_date": dates(day),
        "exploitation_form": np.asarray(js.FORMS, dtype=object)[form],
        "identified_by": np.asarray(js.IDENTIFIED_BY, dtype=object)[
            rng.choice(len(by_p), size=n, p=by_p)
        ],
        "referred_to_services": rng.random(n)
        < np.clip(0.7 + 0.02 * rows["t"].to_numpy(), 0.0, 0.95),
        "case_notes": pick_text(rng, CASE_NOTES, n),
    }
    return monthly(country, contract, country.month_index(day), columns)
