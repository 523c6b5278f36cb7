"""prisons ``detentions``: detention episodes of children, monthly changed-records extracts cut
from the justice simulation (``demo_country.sectors.justice``). Random stream 312."""

from __future__ import annotations

import numpy as np

from cpmonitor.core.contracts import Contract
from demo_country import names
from demo_country.country import Country
from demo_country.delivery import Delivery, monthly
from demo_country.sectors.justice.simulation import (
    NONE,
    child_ids,
    dates,
    sex_codes,
    simulation,
)


def generate(country: Country, contract: Contract) -> list[Delivery]:
    """Changed-records extracts: an episode is delivered in the month it started (or the first
    month, if open then), the month it was sentenced and the month it ended, as it stood at the
    end of that month."""
    justice = simulation(country)
    episodes, ids = justice.episodes, child_ids(justice)
    rng = country.rng(312)
    n_months = len(country.months)
    ep = episodes.sort_values(["start", "case", "facility"], kind="stable").reset_index(drop=True)
    ep["detention_id"] = [f"DT-{i + 1:08d}" for i in range(len(ep))]
    start_m = country.month_index(ep["start"].to_numpy())
    end = ep["end"].to_numpy()
    end_m = np.where(end < NONE, country.month_index(np.minimum(end, NONE - 1)), n_months)
    sentence = ep["sentence"].to_numpy()
    sentence_m = np.where(sentence < NONE, country.month_index(np.minimum(sentence, NONE - 1)), -1)
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
        "child_id": ids[ep["child"].to_numpy()[r]],
        "child_name": child_names[r],
        "sex": sex_codes(female[r]),
        "date_of_birth": dates(ep["dob"].to_numpy()[r]),
        "facility_id": ep["facility"].to_numpy(dtype=object)[r],
        "facility_separated_from_adults": ep["separated"].to_numpy(dtype=bool)[r],
        "district_code": np.asarray(country.geo.district_codes, dtype=object)[
            ep["district"].to_numpy()[r]
        ],
        "detention_start": dates(ep["start"].to_numpy()[r]),
        "legal_status": np.where(sentenced, "sentenced", "pre_sentence").astype(object),
        "sentence_date": dates(np.where(sentenced, sentence[r], NONE)),
        "release_date": dates(np.where(ended, end[r], NONE)),
        "release_reason": np.where(ended, reason, None),
        "referred_to_aftercare": np.where(
            released, ep["aftercare"].to_numpy(dtype=object)[r], None
        ),
    }
    return monthly(country, contract, month, columns)
