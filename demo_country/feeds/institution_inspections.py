"""mosa ``institution_inspections``: inspections of the residential care institutions (AC13),
quarterly. Inspection coverage improves over the years and differs by province
(``story.INSPECTED_IN_YEAR`` and ``story.PRACTICE_OFFSET``). Random stream 104.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cpmonitor.core.contracts import Contract
from demo_country import names
from demo_country.country import Country
from demo_country.delivery import Delivery, table_from_columns
from demo_country.sectors.care import story
from demo_country.sectors.care.episodes import practice


def generate(country: Country, contract: Contract) -> list[Delivery]:
    """Inspections of each institution while it is open: in each year (from the year before the
    first reporting year, delivered with the first quarter) with probability
    ``story.INSPECTED_IN_YEAR`` one scheduled or unannounced inspection, and a follow-up six to
    twelve weeks after a poor one. Quarterly deliveries."""
    rng = country.rng(104)
    inst = country.institutions
    last = country.last_day
    opened = inst["opened"].to_numpy(np.int64)
    closed = inst["closed"].to_numpy(np.int64)
    province = inst["province"].to_numpy(np.int64)
    rows = []
    for year in [country.years[0] - 1, *country.years]:
        y0 = int(np.datetime64(f"{year}-01-01", "D").astype(np.int64))
        y1 = int(np.datetime64(f"{year}-12-31", "D").astype(np.int64))
        lo, hi = np.maximum(opened, y0), np.minimum(np.minimum(closed - 1, y1), last)
        ok = (lo <= hi) & (
            rng.random(len(inst)) < practice(story.INSPECTED_IN_YEAR, y1, country.baseline_day,
                                             province)
        )  # fmt: skip
        idx = np.nonzero(ok)[0]
        day = lo[idx] + np.floor(rng.random(len(idx)) * (hi[idx] - lo[idx] + 1)).astype(np.int64)
        score = np.clip(rng.normal(55 + 3 * (year - country.years[0]), 15, len(idx)), 5, 100)
        rows.append(pd.DataFrame({"inst": idx, "day": day, "score": score.round(), "follow": 0}))
        # a follow-up some six to twelve weeks after a poor inspection, most often improved
        after = rng.integers(40, 85, len(idx))
        gain = rng.normal(14.0, 8.0, len(idx))
        poor = (score < 45) & (day + after <= np.minimum(hi[idx], last))
        rows.append(
            pd.DataFrame(
                {
                    "inst": idx[poor],
                    "day": day[poor] + after[poor],
                    "score": np.clip(score[poor] + gain[poor], 5, 100).round(),
                    "follow": 1,
                }
            )  # fmt: skip
        )
    ins = pd.concat(rows, ignore_index=True).sort_values(["day", "inst"], ignore_index=True)
    n = len(ins)
    score = ins["score"].to_numpy()
    outcome = np.select(
        [score >= 75, score >= 50, score >= 25], ["compliant", "improvement_plan", "warning"],
        "closure_recommended",
    )  # fmt: skip
    kind = np.where(
        ins["follow"] == 1, "follow_up", np.where(rng.random(n) < 0.3, "unannounced", "scheduled")
    )
    quarter_of = (
        ins["day"].to_numpy().astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) // 3
    )
    first_q = int(country.first_month.astype(np.int64)) // 3
    q = np.maximum(quarter_of - first_q, 0)
    district = inst["district"].to_numpy(np.int64)[ins["inst"].to_numpy()]
    columns = {
        "inspection_id": np.asarray([f"INS-{i + 1:07d}" for i in range(n)], dtype=object),
        "institution_id": inst["institution_id"].to_numpy(dtype=object)[ins["inst"].to_numpy()],
        "district_code": np.asarray(country.geo.district_codes, dtype=object)[district],
        "inspection_date": ins["day"].to_numpy(),
        "inspection_type": kind.astype(object),
        "compliance_score": score.astype(np.int64),
        "outcome": outcome.astype(object),
        "inspector_name": names.child_names(rng, rng.random(n) < 0.5),
        "findings": np.where(
            rng.random(n) < 0.4, "Records incomplete; staffing below ratio.", None
        ).astype(object),
    }
    n_quarters = len(country.months) // 3
    bounds = np.searchsorted(q, np.arange(n_quarters + 1))
    out = []
    for i in range(n_quarters):
        part = slice(bounds[i], bounds[i + 1])
        if bounds[i] == bounds[i + 1]:
            continue
        period = f"{country.years[0] + i // 4}-Q{i % 4 + 1}"
        table = table_from_columns(contract, {k: v[part] for k, v in columns.items()})
        out.append(Delivery(contract.owner, contract.feed, period, table))
    return out
