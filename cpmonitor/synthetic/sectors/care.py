"""Synthetic feeds of the care area beyond placements (docs/indicators-and-feeds.md).

Drawn from the simulated country's placement episodes, so every record names a real placement:
gatekeeping assessments before entries into formal care (AC12), individual care plans of children
in care (AC11), follow-up contacts after reintegrations (AC10) and inspections of institutions
(AC13). Practice improves over the years and differs by province (``story`` curves and
``story.PRACTICE_OFFSET``). Random streams 100-199.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cpmonitor.core.contracts import Contract
from cpmonitor.synthetic import names, story
from cpmonitor.synthetic.care_episodes import flag_episodes, ordered_episodes, practice
from cpmonitor.synthetic.deliveries import Country, Delivery, table_from_columns
from cpmonitor.synthetic.placements import CARE_TYPES, OPEN

PLAN_CYCLE_DAYS = 182  # a care plan is reviewed every six months
RECOMMENDATION = {"residential": "residential_care", "foster": "foster_care"}
GOALS = ("reunification", "kinship_care", "foster_care", "adoption", "independent_living",
         "stay_in_care")  # fmt: skip
GOAL_WEIGHTS = (0.5, 0.15, 0.1, 0.03, 0.07, 0.15)


def _days_to_month(country: Country, days: np.ndarray) -> np.ndarray:
    """Index of the reporting month of each day (earlier days go to the first month)."""
    months = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]")
    return np.maximum((months - country.first_month).astype(np.int64), 0)


def _monthly(
    country: Country, contract: Contract, month: np.ndarray, columns: dict[str, np.ndarray]
) -> list[Delivery]:
    """One delivery per reporting month (rows sorted by month; months past the end dropped)."""
    n_months = len(country.months)
    order = np.argsort(month, kind="stable")
    month = month[order]
    columns = {k: np.asarray(v)[order] for k, v in columns.items()}
    bounds = np.searchsorted(month, np.arange(n_months + 1))
    out = []
    for m in range(n_months):
        part = slice(bounds[m], bounds[m + 1])
        if bounds[m] == bounds[m + 1]:
            continue  # nothing to report: no file (an empty delivery would be refused)
        table = table_from_columns(contract, {k: v[part] for k, v in columns.items()})
        out.append(Delivery(contract.owner, contract.feed, str(country.first_month + m), table))
    return out


def _episodes(country: Country) -> pd.DataFrame:
    """Episodes with placement ids, entry and reintegration flags, ids and province."""
    ep = flag_episodes(ordered_episodes(country.episodes))
    province = np.asarray(country.geo.district_province, dtype=np.int64)
    return ep.assign(province=province[ep["district"].to_numpy()])


def _last_day(country: Country) -> int:
    return int((country.months[-1] + 1).astype("datetime64[D]").astype(np.int64)) - 1


def _first_day(country: Country) -> int:
    return int(country.first_month.astype("datetime64[D]").astype(np.int64))


def gatekeeping_deliveries(
    country: Country, contract: Contract, ep: pd.DataFrame
) -> list[Delivery]:
    """An assessment for most entries into formal care (completed before the placement more often
    over the years), some completed late or still in progress, and assessments of children who
    stayed with their family. An assessment referred in one month and completed in a later one is
    delivered twice: in progress, then completed."""
    rng = country.rng(101)
    first, last = _first_day(country), _last_day(country)
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
            "recommendation": [RECOMMENDATION.get(c, f"{c}_care") for c in care],
        }
    )
    placed.loc[placed["recommendation"] == "kinship_care_care", "recommendation"] = "kinship_care"
    placed.loc[placed["recommendation"] == "guardianship_care", "recommendation"] = "guardianship"
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
    ref_month = _days_to_month(country, rows["referral"].to_numpy())
    done_month = _days_to_month(country, np.where(done, rows["completed"], rows["referral"]))
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
    return _monthly(country, contract, month, columns)


def care_plan_deliveries(country: Country, contract: Contract, ep: pd.DataFrame) -> list[Delivery]:
    """Six-monthly care plan cycles of every episode in care during the reporting years: each
    cycle has a plan (started a few days to weeks into it, current for six months) with the
    probability ``story.CARE_PLAN_COVERAGE`` of its time and province."""
    rng = country.rng(102)
    first, last = _first_day(country), _last_day(country)
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
    return _monthly(country, contract, _days_to_month(country, plan_start), columns)


def followup_deliveries(country: Country, contract: Contract, ep: pd.DataFrame) -> list[Delivery]:
    """Follow-up contacts after each reintegration in the reporting years: with the probability
    ``story.FOLLOWED_UP`` two or more visits in person within six months, otherwise none or one;
    some phone calls and some later visits."""
    rng = country.rng(103)
    first, last = _first_day(country), _last_day(country)
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
    outcome = np.asarray(
        ("settled", "needs_support", "referred_to_services", "at_risk", "not_found"), dtype=object
    )[rng.choice(5, size=m, p=[0.62, 0.22, 0.08, 0.05, 0.03])]
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
    return _monthly(
        country, contract, _days_to_month(country, contacts["contact"].to_numpy()), columns
    )


def inspection_deliveries(country: Country, contract: Contract) -> list[Delivery]:
    """Inspections of each institution while it is open: in each year (from the year before the
    first reporting year, delivered with the first quarter) with probability
    ``story.INSPECTED_IN_YEAR`` one scheduled or unannounced inspection, and a follow-up six to
    twelve weeks after a poor one. Quarterly deliveries."""
    rng = country.rng(104)
    inst = country.institutions
    last = _last_day(country)
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


def deliveries(country: Country, contracts: dict[str, Contract]) -> list[Delivery]:
    """This area's deliveries beyond placements and the institutions register."""
    ep = _episodes(country)
    return (
        gatekeeping_deliveries(country, contracts["gatekeeping_assessments"], ep)
        + care_plan_deliveries(country, contracts["care_plans"], ep)
        + followup_deliveries(country, contracts["reintegration_followups"], ep)
        + inspection_deliveries(country, contracts["institution_inspections"])
    )
