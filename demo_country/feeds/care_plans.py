"""mosa ``care_plans``: the individual care plans of children in care (AC11), six-monthly cycles of
the simulated placement episodes. Coverage improves over the years and differs by province
(``story.CARE_PLAN_COVERAGE`` and ``story.PRACTICE_OFFSET``). Random stream 102.
"""

from __future__ import annotations

import numpy as np

from cpmonitor.core.contracts import Contract
from demo_country import names
from demo_country.codes import keyed
from demo_country.country import Country
from demo_country.delivery import Delivery, monthly
from demo_country.sectors.care import story
from demo_country.sectors.care.episodes import care_episodes, practice
from demo_country.sectors.care.placements import OPEN

PLAN_CYCLE_DAYS = 182  # a care plan is reviewed every six months
# How often each permanency goal is set (the codes are the care_plans contract's).
GOALS, GOAL_WEIGHTS = keyed(
    "care_plans",
    "permanency_goal",
    {"reunification": 0.5, "kinship_care": 0.15, "foster_care": 0.1, "adoption": 0.03,
     "independent_living": 0.07, "stay_in_care": 0.15},
)  # fmt: skip


def _month_of(country: Country, days: np.ndarray) -> np.ndarray:
    """Index of the reporting month of each day (earlier days go to the first month)."""
    return np.maximum(country.month_index(days), 0)


def generate(country: Country, contract: Contract) -> list[Delivery]:
    """Six-monthly care plan cycles of every episode in care during the reporting years: each
    cycle has a plan (started a few days to weeks into it, current for six months) with the
    probability ``story.CARE_PLAN_COVERAGE`` of its time and province."""
    rng = country.rng(102)
    ep = care_episodes(country)
    first, last = country.first_day, country.last_day
    end = np.where(ep["end"].to_numpy() == OPEN, last + 1, ep["end"].to_numpy())
    start = ep["start"].to_numpy()
    live = end >= first  # episodes delivered in the placements feed
    k_min = np.maximum((first - 2 * PLAN_CYCLE_DAYS - start) // PLAN_CYCLE_DAYS, 0)
    k_max = (np.minimum(end, last + 1) - 1 - start) // PLAN_CYCLE_DAYS
    count = np.where(live, np.maximum(k_max - k_min + 1, 0), 0)
    idx = np.repeat(np.arange(len(ep)), count)
    offset = np.arange(len(idx)) - np.repeat(np.cumsum(count) - count, count)
    k = k_min[idx] + offset
    delay = np.where(k == 0, rng.integers(3, 60, len(idx)), rng.integers(-10, 30, len(idx)))
    plan_start = start[idx] + k * PLAN_CYCLE_DAYS + np.maximum(delay, 0)
    province = ep["province"].to_numpy()[idx]
    keep = (
        (plan_start < end[idx])
        & (plan_start <= last)
        & (rng.random(len(idx)) < practice(
            story.CARE_PLAN_COVERAGE, plan_start, country.baseline_day, province
        ))
    )  # fmt: skip
    idx, k, plan_start = idx[keep], k[keep], plan_start[keep]
    n = len(idx)
    review = plan_start + PLAN_CYCLE_DAYS + rng.integers(-15, 10, n)
    goal = np.asarray(GOALS, dtype=object)[
        rng.choice(len(GOALS), size=n, p=np.asarray(GOAL_WEIGHTS) / sum(GOAL_WEIGHTS))
    ]
    child = ep["child"].to_numpy()[idx]
    columns = {
        "care_plan_id": np.asarray([f"CP-{i + 1:08d}" for i in range(n)], dtype=object),
        "child_id": np.asarray([f"CH-{c + 1:07d}" for c in child], dtype=object),
        "placement_id": ep["placement_id"].to_numpy(dtype=object)[idx],
        "district_code": np.asarray(country.geo.district_codes, dtype=object)[
            ep["district"].to_numpy()[idx]
        ],
        "plan_type": np.where(k == 0, "initial", "review").astype(object),
        "plan_start_date": plan_start,
        "review_due_date": review,
        "permanency_goal": np.where(rng.random(n) < 0.05, None, goal).astype(object),
        "social_worker_name": names.child_names(rng, rng.random(n) < 0.6),
        "plan_notes": np.where(
            rng.random(n) < 0.2, "Plan agreed with the child and the carers.", None
        ).astype(object),
    }
    return monthly(country, contract, _month_of(country, plan_start), columns, skip_empty=True)
