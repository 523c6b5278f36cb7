"""police ``arrests``: arrests of children, monthly, cut from the justice simulation
(``demo_country.sectors.justice``). Random stream 310."""

from __future__ import annotations

import numpy as np

from cpmonitor.core.contracts import Contract
from demo_country import names
from demo_country.country import Country
from demo_country.delivery import Delivery, monthly
from demo_country.sectors.justice import story as js
from demo_country.sectors.justice.simulation import (
    child_ids,
    dates,
    pick_text,
    sex_codes,
    simulation,
)

OFFICER_NOTES: tuple[str, ...] = (
    "Parents informed at the station.",
    "Child held in the juvenile room pending interview.",
    "Social worker called to attend the interview.",
    "Released to a guardian the same day.",
    "",
)


def generate(country: Country, contract: Contract) -> list[Delivery]:
    justice = simulation(country)
    arrests, ids = justice.arrests, child_ids(justice)
    rng = country.rng(310)
    rows = arrests.sort_values(["day", "child"], kind="stable").reset_index(drop=True)
    n = len(rows)
    female = rows["female"].to_numpy()
    month = country.month_index(rows["day"].to_numpy())
    columns = {
        "arrest_id": np.asarray([f"AR-{i + 1:08d}" for i in range(n)], dtype=object),
        "child_id": ids[rows["child"].to_numpy()],
        "child_name": names.child_names(rng, female),
        "sex": sex_codes(female),
        "date_of_birth": dates(rows["dob"].to_numpy()),
        "district_code": np.asarray(country.geo.district_codes, dtype=object)[rows["district"]],
        "arrest_date": dates(rows["day"].to_numpy()),
        "offence_category": np.asarray(js.OFFENCES, dtype=object)[rows["offence"].to_numpy()],
        "officer_notes": pick_text(rng, OFFICER_NOTES, n),
    }
    keep = month >= 0
    return monthly(country, contract, month[keep], {k: v[keep] for k, v in columns.items()})
