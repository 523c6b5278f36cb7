"""mosa ``gatekeeping_assessments``: assessments before entries into formal care (AC12), drawn
from the simulated placement episodes, so every assessment of a placed child names a real entry.
Practice improves over the years and differs by province (``story.ASSESSED_BEFORE_PLACEMENT`` and
``story.PRACTICE_OFFSET``). Random stream 101.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cpmonitor.core.contracts import Contract
from demo_country import names
from demo_country.codes import check
from demo_country.country import Country
from demo_country.delivery import Delivery, monthly
from demo_country.sectors.care import story
from demo_country.sectors.care.episodes import care_episodes, practice
from demo_country.sectors.care.placements import CARE_TYPES

# What the assessment of a child who was then placed recommended: the care type of the placement.
RECOMMENDATION = dict(
    zip(
        check("placements", "care_type", ("residential", "foster", "kinship", "guardianship")),
        ("residential_care", "foster_care", "kinship_care", "guardianship"),
        strict=True,
    )
)


def _month_of(country: Country, days: np.ndarray) -> np.ndarray:
    """Index of the reporting month of each day (earlier days go to the first month)."""
    return np.maximum(country.month_index(days), 0)


def generate(country: Country, contract: Contract) -> list[Delivery]:
    """An assessment for most entries into formal care (completed before the placement more often
    over the years), some completed late or still in progress, and assessments of children who
    stayed with their family. An assessment referred in one month and completed in a later one is
    delivered twice: in progress, then completed."""
    rng = country.rng(101)
    ep = care_episodes(country)
    first, last = country.first_day, country.last_day
    entries = ep[ep["is_entry"] & (ep["start"] >= first)]
    n = len(entries)
    start = entries["start"].to_numpy()
    good = rng.random(n) < practice(
        story.ASSESSED_BEFORE_PLACEMENT, start, country.baseline_day, entries["province"]
    )
    late = ~good & (rng.random(n) < 0.45)
    pending = ~good & ~late & (rng.random(n) < 0.4)
    has = good | late | pending
    completed = np.where(good, start - rng.integers(0, 75, n), start + rng.integers(1, 45, n))
    referral = np.where(good, completed, start) - rng.integers(3, 40, n)
    # a baby placed in its first weeks is referred after birth, and assessed after the referral
    born = country.children["dob"].to_numpy()[entries["child"].to_numpy()]
    referral = np.maximum(referral, born + 1)
    completed = np.maximum(completed, referral)
    child = entries["child"].to_numpy()[has]
    kids = country.children.set_index("child")
    care = np.asarray(CARE_TYPES, dtype=object)[entries["care_type"].to_numpy()[has]]
    placed = pd.DataFrame(
        {
            "child": child,
            "female": kids["female"].to_numpy()[child],
            "dob": kids["dob"].to_numpy()[child],
            "district": entries["district"].to_numpy()[has],
            "referral": referral[has],
            "completed": np.where(pending[has], -1, completed[has]),
            "recommendation": [RECOMMENDATION[c] for c in care],
        }
    )
    # Children assessed and supported at home (never placed): new children of the country.
    k = int(0.6 * n)
    day = rng.integers(first - 30, last + 1, k)
    weights = country.weights / country.weights.sum()
    home = pd.DataFrame(
        {
            "child": len(country.children) + np.arange(k),
            "female": rng.random(k) < 0.5,
            "dob": day - rng.integers(200, 17 * 365, k),
            "district": rng.choice(len(weights), size=k, p=weights),
            "referral": day - rng.integers(3, 40, k),
            "completed": np.where(rng.random(k) < 0.9, day, -1),
            "recommendation": "family_support",
        }
    )
    rows = pd.concat([placed, home], ignore_index=True)
    rows = rows[rows["referral"] <= last].reset_index(drop=True)
    rows["assessment_id"] = [f"GA-{i + 1:08d}" for i in range(len(rows))]
    done = (rows["completed"] >= 0) & (rows["completed"] <= last)
    ref_month = _month_of(country, rows["referral"].to_numpy())
    done_month = _month_of(country, np.where(done, rows["completed"], rows["referral"]))
    twice = done & (done_month > ref_month)
    # first delivery (in progress when completed later), then the completed version
    first_rows = rows.assign(status=np.where(done & ~twice, "completed", "in_progress"))
    first_rows.loc[~done, "status"] = np.where(
        rng.random(int((~done).sum())) < 0.25, "cancelled", "in_progress"
    )
    later = rows[twice].assign(status="completed")
    out = pd.concat([first_rows, later], ignore_index=True)
    month = np.concatenate([ref_month, done_month[twice.to_numpy()]])
    is_done = out["status"] == "completed"
    n_out = len(out)
    columns = {
        "assessment_id": out["assessment_id"].to_numpy(dtype=object),
        "child_id": np.asarray([f"CH-{c + 1:07d}" for c in out["child"]], dtype=object),
        "child_name": names.child_names(rng, out["female"].to_numpy()),
        "sex": np.where(out["female"], "F", "M").astype(object),
        "date_of_birth": np.where(rng.random(n_out) < 0.05, -1, out["dob"]),
        "district_code": np.asarray(country.geo.district_codes, dtype=object)[out["district"]],
        "referral_date": out["referral"].to_numpy(),
        "assessment_status": out["status"].to_numpy(dtype=object),
        "completed_date": np.where(is_done, out["completed"], -1),
        "recommendation": np.where(is_done, out["recommendation"], None).astype(object),
        "assessor_name": names.child_names(rng, rng.random(n_out) < 0.6),
        "assessment_notes": np.where(
            rng.random(n_out) < 0.3, "Home visit made; family situation discussed.", None
        ).astype(object),
    }
    return monthly(country, contract, month, columns, skip_empty=True)
