"""police ``abuse_reports``: reports of abuse of a child to the police, monthly
(``demo_country.sectors.justice``). Random streams 302 (the reports) and 314 (their details)."""

from __future__ import annotations

import numpy as np

from cpmonitor.core.contracts import Contract
from demo_country import names
from demo_country.country import Country
from demo_country.delivery import Delivery, monthly
from demo_country.sectors.justice import story as js
from demo_country.sectors.justice.simulation import dates, sex_codes, simulate_abuse_reports


def generate(country: Country, contract: Contract) -> list[Delivery]:
    district_codes = np.asarray(country.geo.district_codes, dtype=object)
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
        "report_date": dates(day),
        "district_code": district_codes[rows["district"].to_numpy()],
        "victim_sex": np.where(rng.random(n) < js.UNKNOWN_SEX_SHARE, None, sex_codes(female)),
        "victim_age": np.where(
            rng.random(n) < js.UNKNOWN_AGE_SHARE, None, rows["age"].to_numpy().astype(object)
        ),
        "abuse_type": np.asarray(js.ABUSE_TYPES, dtype=object)[rows["kind"].to_numpy()],
        "reporter_relationship": reporter,
        "reporter_name": reporter_names,
        "reporter_phone": phones,
    }
    return monthly(country, contract, country.month_index(day), columns)
