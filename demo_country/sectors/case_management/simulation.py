"""Case management in the simulated country: social worker posts, child protection cases, referrals
and child helpline contacts, all vectorised (numpy), in days since 1970-01-01. The story they
follow is in ``story``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from demo_country.sectors.care.institutions import DAYS_PER_YEAR
from demo_country.sectors.care.placements import birthday_18
from demo_country.sectors.case_management.story import (
    AGE_WEIGHTS,
    CALLER_WEIGHTS,
    CALLERS,
    CASELOAD,
    CHANNELS,
    CLOSED_WITHOUT_GOALS,
    CLOSURE_REASONS,
    CONCERN_WEIGHTS,
    CONCERNS,
    COVERED_SHARE,
    DURATION_SIGMA,
    HELPLINE_CONCERNS,
    HELPLINE_CONTACTS_PER_MONTH,
    HELPLINE_PROVINCE_FACTOR,
    MOVED_SHARE,
    OTHER_WEIGHTS,
    PROTECTION_CONCERNS,
    PROTECTION_WEIGHTS,
    PROVIDER_WEIGHTS,
    REASSIGNED_SHARE,
    REFERRALS_BY_RISK,
    RISK_LEVELS,
    RISK_WEIGHTS,
    ROLLOUT_PACE,
    SERVICE_WEIGHTS,
    SOURCE_WEIGHTS,
    SOURCES,
    WARM_UP_MONTHS,
    WORKER_YEARS,
    WORKERS_PER_100K,
    WORKFORCE_GROWTH,
)

if TYPE_CHECKING:
    from demo_country.country import Country

NONE = np.iinfo(np.int64).max // 4  # "no date" in day arithmetic
HIGH, MEDIUM = RISK_LEVELS.index("high"), RISK_LEVELS.index("medium")
SCHOOL = SOURCES.index("school")
OTHER_SOURCES = np.array([i for i, source in enumerate(SOURCES) if source != "school"])
FAMILY_SEPARATION = CONCERNS.index("family_separation")
GOALS_MET = CLOSURE_REASONS.index("goals_met")
TURNED_18 = CLOSURE_REASONS.index("child_turned_18")
LOST_CONTACT = CLOSURE_REASONS.index("lost_contact")
OTHER_CLOSURES = np.array([CLOSURE_REASONS.index(reason) for reason in CLOSED_WITHOUT_GOALS])
EMPTY_CONTACTS = [HELPLINE_CONCERNS.index("silent"), HELPLINE_CONCERNS.index("prank")]
PHONE, SMS, CHAT = (CHANNELS.index(channel) for channel in ("phone", "sms", "chat"))
UNKNOWN_CALLER = CALLERS.index("unknown")


@dataclass(frozen=True)
class CaseManagement:
    """Everything the case-management feeds are cut from (days since 1970-01-01; NONE = no date)."""

    posts: pd.DataFrame  # worker, district, start, end, female, position, employer
    cases: pd.DataFrame  # case, child (id text), female, dob, disability, district, opened_s, ...
    # (``worker``: the first social worker of the case; later ones are in ``reassignments``)
    referrals: pd.DataFrame  # referral, case, day, service, provider, delivered
    contacts: pd.DataFrame  # month, at_s, district (-1), sex (-1/0/1), age (-1), concern, ...
    first_day: int
    last_day: int
    reassignments: pd.DataFrame | None = None  # case, day, worker (by case, then day)


def _months(first_month: np.datetime64, n: int) -> tuple[np.ndarray, np.ndarray]:
    months = first_month + np.arange(n)
    first = months.astype("datetime64[D]").astype(np.int64)
    last = (months + 1).astype("datetime64[D]").astype(np.int64) - 1
    return first, last


def _choice(
    rng: np.random.Generator, weights: tuple[float, ...] | np.ndarray, n: int
) -> np.ndarray:
    p = np.asarray(weights, float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def child_population(country: object) -> np.ndarray:
    """Children 0-17 per district in the first year (index = district)."""
    pop = country.population  # type: ignore[attr-defined]
    first = pop[(pop["year"] == pop["year"].min()) & (pop["age"] < 18)]
    by_code = first.groupby("district_code")["population"].sum()
    return by_code.reindex(country.geo.district_codes).fillna(0).to_numpy(float)  # type: ignore[attr-defined]


def simulate_posts(
    rng: np.random.Generator,
    children: np.ndarray,
    province: np.ndarray,
    first_days: np.ndarray,
    last_days: np.ndarray,
) -> pd.DataFrame:
    """Social worker posts: a staffed start, then each month some workers leave and posts are
    filled towards the province's rollout target (a fraction of the gap each month)."""
    n_district = len(children)
    rate = np.asarray(WORKERS_PER_100K)[province]
    pace = np.asarray(ROLLOUT_PACE)[province]
    target0 = children / 100_000 * rate
    district = np.repeat(np.arange(n_district), rng.poisson(target0))
    start = first_days[0] - rng.integers(30, int(8 * DAYS_PER_YEAR), len(district))
    end = np.full(len(district), NONE, dtype=np.int64)
    leave_p = 1.0 / (12 * WORKER_YEARS)
    n_province = int(province.max()) + 1
    members = [np.flatnonzero(province == p) for p in range(n_province)]
    for m0, m1 in zip(first_days.tolist(), last_days.tolist(), strict=True):
        t = (m1 - first_days[0]) / DAYS_PER_YEAR
        active = end == NONE
        leaving = active & (rng.random(len(end)) < leave_p)
        end[leaving] = rng.integers(m0, m1 + 1, int(leaving.sum()))
        target = target0 * (1 + WORKFORCE_GROWTH * t * pace)
        have = np.bincount(district[active & ~leaving], minlength=n_district)
        # hires per province (a share of its gap), placed in the districts furthest below target
        gap = np.bincount(province, weights=target - have, minlength=n_province)
        hires = rng.poisson(np.maximum(gap, 0) * 0.35)
        pull = target * ((have < target) + 0.05)
        new_d = [
            rng.choice(members[p], size=k, p=pull[members[p]] / pull[members[p]].sum())
            for p, k in enumerate(hires.tolist())
            if k and pull[members[p]].sum() > 0
        ]
        new_district = np.concatenate(new_d) if new_d else np.zeros(0, dtype=np.int64)
        k = len(new_district)
        if k:
            district = np.concatenate([district, new_district])
            start = np.concatenate([start, rng.integers(m0, m1 + 1, k)])
            end = np.concatenate([end, np.full(k, NONE, dtype=np.int64)])
    end = np.where(end <= start, start + 1, end)
    n = len(district)
    return pd.DataFrame(
        {
            "worker": np.arange(n),
            "district": district,
            "start": start,
            "end": end,
            "female": rng.random(n) < 0.62,
            "senior": rng.random(n) < 0.15,
            "ngo": rng.random(n) < 0.22,
        }
    )


def _median_duration(t: np.ndarray) -> np.ndarray:
    """Median days from opening to closure at ``t`` years after the start: cases close sooner."""
    return np.clip(165.0 - 6.0 * t, 100.0, None)


def _active_workers(posts: pd.DataFrame, n_district: int, days: np.ndarray) -> np.ndarray:
    """Posts filled on each day, per district: array (district, day)."""
    out = np.zeros((n_district, len(days)), dtype=np.int64)
    d, s, e = posts["district"].to_numpy(), posts["start"].to_numpy(), posts["end"].to_numpy()
    for j, day in enumerate(days.tolist()):
        on = (s <= day) & (e > day)
        out[:, j] = np.bincount(d[on], minlength=n_district)
    return out


def _pick_workers(
    rng: np.random.Generator,
    posts: pd.DataFrame,
    district: np.ndarray,
    day: np.ndarray,
    until: np.ndarray,
) -> np.ndarray:
    """A social worker in post in the case's district on the opening day (-1 when none), if
    possible one still in post when the case closes (``until``), so caseloads stay with workers
    in post."""
    out = np.full(len(district), -1, dtype=np.int64)
    p_district = posts["district"].to_numpy()
    for d in np.unique(district):
        rows = np.flatnonzero(district == d)
        cand = np.flatnonzero(p_district == d)
        if not len(cand):
            continue
        s = posts["start"].to_numpy()[cand]
        e = posts["end"].to_numpy()[cand]
        on = (s[None, :] <= day[rows, None]) & (e[None, :] > day[rows, None])
        stays = e[None, :] > until[rows, None]
        score = np.where(on, rng.random(on.shape) + stays, -1.0)
        best = score.argmax(axis=1)
        has = on[np.arange(len(rows)), best]
        out[rows[has]] = posts["worker"].to_numpy()[cand[best[has]]]
    return out


def simulate_cases(
    rng: np.random.Generator,
    country: object,
    posts: pd.DataFrame,
    province: np.ndarray,
    first_days: np.ndarray,
    last_days: np.ndarray,
    moves_rng: np.random.Generator | None = None,
) -> pd.DataFrame:
    """Child protection cases opened from the warm-up on, with their milestones as they stand on
    the last day of the last month (later milestones are not known yet).

    With ``moves_rng``: a few children seen before come back with a case in another district
    (``MOVED_SHARE``: the family moved), and some cases opened in a district with no social worker
    in post are taken by a worker of another district of the province (``COVERED_SHARE``)."""
    n_district = len(province)
    cutoff = int(last_days[-1])
    start_day = int(first_days[0])
    warm = first_days[0] - np.arange(WARM_UP_MONTHS, 0, -1) * 30  # approximate months before
    m_first = np.concatenate([warm, first_days])
    m_last = np.concatenate([warm + 29, last_days])
    workers = _active_workers(posts, n_district, np.maximum(m_first, start_day))
    t = np.maximum((m_last - start_day) / DAYS_PER_YEAR, 0.0)
    mean_days = _median_duration(t) * np.exp(DURATION_SIGMA**2 / 2)
    load = np.asarray(CASELOAD)[province][:, None] * (0.9 + 0.02 * t)[None, :]
    lam = workers * load * 30.4 / mean_days[None, :]
    counts = rng.poisson(lam)  # district x month
    district = np.repeat(
        np.tile(np.arange(n_district)[:, None], (1, len(t))).ravel(), counts.ravel()
    )
    month = np.repeat(np.tile(np.arange(len(t))[None, :], (n_district, 1)).ravel(), counts.ravel())
    n = len(district)
    day = rng.integers(m_first[month], m_last[month] + 1)
    # children: ages at opening (weights), sex, disability
    age = _choice(rng, AGE_WEIGHTS, n)
    dob = day - np.floor((age + rng.uniform(0.02, 0.98, n)) * DAYS_PER_YEAR).astype(np.int64)
    female = rng.random(n) < 0.52
    disability = _choice(rng, (0.07, 0.89, 0.04), n)  # yes, no, not recorded
    n_placed = len(country.children)  # type: ignore[attr-defined]
    child = n_placed + np.arange(n)
    in_care = _cases_of_children_entering_care(rng, country, start_day, cutoff)
    if len(in_care):
        district = np.concatenate([district, in_care["district"].to_numpy()])
        day = np.concatenate([day, in_care["day"].to_numpy()])
        dob = np.concatenate([dob, in_care["dob"].to_numpy()])
        female = np.concatenate([female, in_care["female"].to_numpy()])
        disability = np.concatenate([disability, in_care["disability"].to_numpy()])
        child = np.concatenate([child, in_care["child"].to_numpy()])
    n = len(district)
    order = np.lexsort((child, day))
    district, day, dob, female, disability, child = (
        a[order] for a in (district, day, dob, female, disability, child)
    )
    # ~6% of cases are a second case of a child seen before in the same district (still under 18)
    by_district = np.lexsort((np.arange(n), district))  # stable: by district, then opening
    rank = np.empty(n, dtype=np.int64)
    group_start = np.searchsorted(district[by_district], district[by_district])
    rank[by_district] = np.arange(n) - group_start
    again = np.flatnonzero((rng.random(n) < 0.07) & (rank > 0))
    earlier_rank = np.floor(rng.random(len(again)) * rank[again]).astype(np.int64)
    earlier = by_district[group_start[np.argsort(by_district)][again] + earlier_rank]
    ok = birthday_18(dob[earlier]) > day[again] + 60
    again, earlier = again[ok], earlier[ok]
    child[again], dob[again] = child[earlier], dob[earlier]
    female[again], disability[again] = female[earlier], disability[earlier]
    if moves_rng is not None:
        _children_who_moved(
            moves_rng, child, dob, female, disability, district, day, n_placed, again
        )

    t_case = np.maximum((day - start_day) / DAYS_PER_YEAR, 0.0)
    prov = province[district]
    pace = np.asarray(ROLLOUT_PACE)[prov]
    seconds = (day * 86_400 + rng.integers(7 * 3600, 18 * 3600, n)).astype(np.int64)
    risk = _choice(rng, RISK_WEIGHTS, n)
    school_share = np.clip(0.08 + 0.012 * t_case * pace, 0, 0.22)
    source = OTHER_SOURCES[_choice(rng, tuple(SOURCE_WEIGHTS[i] for i in OTHER_SOURCES), n)]
    source = np.where(rng.random(n) < school_share, SCHOOL, source)
    concern = _choice(rng, CONCERN_WEIGHTS, n)
    # children entering care: family separation
    concern = np.where(child < n_placed, FAMILY_SEPARATION, concern)

    # first face-to-face response (seconds): high risk within 24 h more and more often
    quick_p = np.clip(0.45 + 0.06 * t_case * pace, 0.3, 0.92)
    quick = rng.random(n) < np.where(risk == HIGH, quick_p, 0.1)
    delay = np.where(
        quick,
        rng.uniform(0.5, 23.9, n) * 3600,
        (1 + rng.exponential(np.where(risk == HIGH, 2.0, np.where(risk == MEDIUM, 4.0, 8.0)), n))
        * 86_400,
    ).astype(np.int64)
    responded = rng.random(n) > 0.03
    response_s = np.where(responded, seconds + delay, NONE)
    assessed = (
        day + 1 + np.floor(rng.exponential(np.clip(12 - 0.8 * t_case, 4, None))).astype(np.int64)
    )
    assessed = np.where(rng.random(n) < 0.92, assessed, NONE)
    plan_p = np.clip(0.6 + 0.04 * t_case * pace, 0.5, 0.95)
    plan = assessed + 1 + np.floor(rng.exponential(15.0, n)).astype(np.int64)
    plan = np.where((assessed < NONE) & (rng.random(n) < plan_p), plan, NONE)

    median = _median_duration(t_case)
    length = np.floor(median * np.exp(rng.normal(0, DURATION_SIGMA, n))).astype(np.int64)
    closed = day + np.maximum(length, 3)
    goals_p = np.clip(0.55 + 0.02 * t_case * pace, 0.4, 0.8)
    reason = np.where(
        rng.random(n) < goals_p,
        GOALS_MET,
        OTHER_CLOSURES[_choice(rng, tuple(CLOSED_WITHOUT_GOALS.values()), n)],
    )
    reason = np.where(responded, reason, LOST_CONTACT)  # never seen: contact lost
    bday = birthday_18(dob)
    aged = bday < closed
    closed = np.where(aged, bday, closed)
    reason = np.where(aged, TURNED_18, reason)
    # milestones after closure never happened; everything after the cut-off is not known yet
    response_s = np.where(response_s // 86_400 <= closed, response_s, NONE)
    assessed = np.where(assessed <= closed, assessed, NONE)
    plan = np.where(plan <= closed, plan, NONE)
    response_s = np.where(response_s // 86_400 <= cutoff, response_s, NONE)
    assessed = np.where(assessed <= cutoff, assessed, NONE)
    plan = np.where(plan <= cutoff, plan, NONE)
    is_closed = closed <= cutoff
    closed = np.where(is_closed, closed, NONE)
    reason = np.where(is_closed, reason, -1)

    keep = closed >= start_day  # cases closed before the first month are never delivered
    until = np.minimum(closed, cutoff)[keep]
    worker = _pick_workers(rng, posts, district[keep], day[keep], until)
    if moves_rng is not None:
        worker = _cover_vacancies(
            moves_rng, posts, worker, district[keep], day[keep], until, province
        )
    frame = pd.DataFrame(
        {
            "child": child,
            "female": female,
            "dob": dob,
            "disability": disability,
            "district": district,
            "opened_s": seconds,
            "risk": risk,
            "source": source,
            "concern": concern,
            "response_s": response_s,
            "assessed": assessed,
            "plan": plan,
            "closed": closed,
            "reason": reason,
        }
    )[keep].reset_index(drop=True)
    frame["worker"] = worker
    frame.insert(0, "case", np.arange(len(frame)))
    return frame


def _children_who_moved(
    rng: np.random.Generator,
    child: np.ndarray,
    dob: np.ndarray,
    female: np.ndarray,
    disability: np.ndarray,
    district: np.ndarray,
    day: np.ndarray,
    n_placed: int,
    taken: np.ndarray,
) -> None:
    """Make about ``MOVED_SHARE`` of the cases (in place; cases in opening order) a new case of a
    child whose earlier case was in another district, opened at least a month before: the family
    moved. Children in formal care and cases already made a second case (``taken``) are left alone,
    so their links to the placements feed stay as they are."""
    n = len(child)
    free = np.ones(n, dtype=bool)
    free[taken] = False
    pick = np.flatnonzero((rng.random(n) < MOVED_SHARE) & free & (child >= n_placed))
    earlier = np.floor(rng.random(len(pick)) * pick).astype(np.int64)  # any case opened before
    ok = (
        (district[earlier] != district[pick])
        & (child[earlier] >= n_placed)
        & (day[earlier] + 30 < day[pick])
        & (birthday_18(dob[earlier]) > day[pick] + 60)
    )
    pick, earlier = pick[ok], earlier[ok]
    child[pick], dob[pick] = child[earlier], dob[earlier]
    female[pick], disability[pick] = female[earlier], disability[earlier]


def _cover_vacancies(
    rng: np.random.Generator,
    posts: pd.DataFrame,
    worker: np.ndarray,
    district: np.ndarray,
    day: np.ndarray,
    until: np.ndarray,
    province: np.ndarray,
) -> np.ndarray:
    """Cases opened with no social worker in post in their district (``worker`` -1): a share
    (``COVERED_SHARE``) is taken by a worker of another district of the same province in post on
    the opening day (covering the vacancy), so that worker holds cases outside their district."""
    worker = worker.copy()
    vacant = np.flatnonzero((worker < 0) & (rng.random(len(worker)) < COVERED_SHARE))
    if not len(vacant):
        return worker
    p_province = province[posts["district"].to_numpy()]
    pseudo = province[district[vacant]]  # pick among the province's posts as if one district
    covered = _pick_workers(
        rng, posts.assign(district=p_province), pseudo, day[vacant], until[vacant]
    )
    worker[vacant] = covered
    return worker


def _successors(
    rng: np.random.Generator,
    posts: pd.DataFrame,
    district: np.ndarray,
    left: np.ndarray,
    day: np.ndarray,
    until: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """For cases whose worker left on ``left``: a worker of the case's district in post on
    ``day``, or starting within about a month of ``left`` (then from their first day), if possible
    one staying until ``until``, earlier ones first. Returns (worker or -1, reassignment day)."""
    out = np.full(len(district), -1, dtype=np.int64)
    when = day.copy()
    p_district = posts["district"].to_numpy()
    for d in np.unique(district):
        rows = np.flatnonzero(district == d)
        cand = np.flatnonzero(p_district == d)
        if not len(cand):
            continue
        s = posts["start"].to_numpy()[cand][None, :]
        e = posts["end"].to_numpy()[cand][None, :]
        at = np.maximum(day[rows, None], s)
        ok = (s <= left[rows, None] + 35) & (e > at) & (at <= until[rows, None])
        stays = e > until[rows, None]
        wait = (at - day[rows, None]) / 60.0
        score = np.where(ok, rng.random(ok.shape) + stays - wait, -np.inf)
        best = score.argmax(axis=1)
        pick = np.arange(len(rows))
        has = ok[pick, best]
        out[rows[has]] = posts["worker"].to_numpy()[cand[best[has]]]
        when[rows[has]] = at[pick, best][has]
    return out, when


def simulate_reassignments(
    rng: np.random.Generator,
    posts: pd.DataFrame,
    cases: pd.DataFrame,
    cutoff: int,
    province: np.ndarray,
) -> pd.DataFrame:
    """Reassignments of cases whose social worker leaves the post while the case is open: most
    (``REASSIGNED_SHARE``) go to a worker of the case's district in post within about a month of
    the worker leaving (if possible one staying until the case closes; again if that one leaves
    too); where the district has nobody then (a vacancy), to a worker of another district of the
    province. The rest keep naming the departed worker until they close (stale assignments).
    Rows (case, day, worker), by case then day; ``province`` maps each district to its province."""
    end_of = np.full(int(posts["worker"].max()) + 2, NONE, dtype=np.int64)
    end_of[posts["worker"].to_numpy()] = posts["end"].to_numpy()
    closes = np.minimum(cases["closed"].to_numpy(), cutoff)
    district = cases["district"].to_numpy()
    current = cases["worker"].to_numpy().copy()
    by_province = posts.assign(district=province[posts["district"].to_numpy()])
    open_case = np.arange(len(cases))[current >= 0]
    parts = []
    for _ in range(8):  # a new worker may leave too
        left = end_of[current[open_case]]
        open_case = open_case[left < closes[open_case]]
        if not len(open_case):
            break
        left = end_of[current[open_case]]
        day = left + rng.integers(0, 31, len(open_case))
        moved = (rng.random(len(open_case)) < REASSIGNED_SHARE) & (day <= closes[open_case])
        open_case, left, day = open_case[moved], left[moved], day[moved]
        new, day = _successors(rng, posts, district[open_case], left, day, closes[open_case])
        vacant = np.flatnonzero(new < 0)
        new[vacant] = _pick_workers(
            rng,
            by_province,
            province[district[open_case[vacant]]],
            day[vacant],
            closes[open_case[vacant]],
        )
        found = new >= 0
        open_case, day, new = open_case[found], day[found], new[found]
        parts.append(pd.DataFrame({"case": open_case, "day": day, "worker": new}))
        current[open_case] = new
    if not parts:
        return pd.DataFrame({"case": [], "day": [], "worker": []}, dtype=np.int64)
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["case", "day"], kind="stable", ignore_index=True)


def _cases_of_children_entering_care(
    rng: np.random.Generator, country: object, first_day: int, cutoff: int
) -> pd.DataFrame:
    """About a third of the children placed in care during the period had a protection case opened
    a few days to two months before, in the district of their first placement."""
    episodes = country.episodes  # type: ignore[attr-defined]
    children = country.children  # type: ignore[attr-defined]
    first = episodes.sort_values(["child", "start"]).groupby("child", sort=True).head(1)
    first = first[(first["start"] > first_day + 60) & (first["start"] <= cutoff)]
    first = first[rng.random(len(first)) < 0.35]
    kids = children.set_index("child").loc[first["child"].to_numpy()]
    day = first["start"].to_numpy() - rng.integers(3, 60, len(first))
    dob = kids["dob"].to_numpy(np.int64)
    ok = dob < day - 30
    disability = kids["disability"].to_numpy(dtype=object, na_value=None)
    code = np.where(disability == None, 2, np.where(disability == True, 0, 1))  # noqa: E711, E712
    return pd.DataFrame(
        {
            "child": first["child"].to_numpy()[ok],
            "district": first["district"].to_numpy()[ok],
            "day": day[ok],
            "dob": dob[ok],
            "female": kids["female"].to_numpy(bool)[ok],
            "disability": code[ok].astype(np.int64),
        }
    )


def simulate_referrals(
    rng: np.random.Generator, cases: pd.DataFrame, first_day: int, cutoff: int
) -> pd.DataFrame:
    """Referrals of cases to services in the weeks after opening; services delivered more often
    over time (about 62% at the start, up to about 85%)."""
    risk = cases["risk"].to_numpy()
    k = rng.poisson(np.array([REFERRALS_BY_RISK[r] for r in RISK_LEVELS])[risk])
    case = np.repeat(cases["case"].to_numpy(), k)
    opened = np.repeat(cases["opened_s"].to_numpy() // 86_400, k)
    closed = np.repeat(cases["closed"].to_numpy(), k)
    day = opened + np.floor(rng.exponential(20.0, len(case))).astype(np.int64)
    ok = (day <= closed) & (day <= cutoff) & (day >= first_day)
    case, day = case[ok], day[ok]
    n = len(case)
    t = (day - first_day) / DAYS_PER_YEAR
    delivered_p = np.clip(0.62 + 0.025 * t, 0.5, 0.86)
    delivered = day + 1 + np.floor(rng.exponential(12.0, n)).astype(np.int64)
    delivered = np.where((rng.random(n) < delivered_p) & (delivered <= cutoff), delivered, NONE)
    order = np.lexsort((case, day))
    return pd.DataFrame(
        {
            "referral": np.arange(n),
            "case": case[order],
            "day": day[order],
            "service": _choice(rng, SERVICE_WEIGHTS, n),
            "provider": _choice(rng, PROVIDER_WEIGHTS, n),
            "delivered": delivered[order],
        }
    )


def simulate_contacts(
    rng: np.random.Generator,
    weights: np.ndarray,
    province: np.ndarray,
    first_days: np.ndarray,
    last_days: np.ndarray,
    scale: float,
) -> pd.DataFrame:
    """Helpline contacts per month: more each year, spread over districts by child population and
    how well the helpline is known in the province."""
    share = weights * np.asarray(HELPLINE_PROVINCE_FACTOR)[province]
    share = share / share.sum()
    t = (last_days - first_days[0]) / DAYS_PER_YEAR
    start, growth = HELPLINE_CONTACTS_PER_MONTH
    per_month = rng.poisson(scale * (start + growth * t))
    n = int(per_month.sum())
    month = np.repeat(np.arange(len(t)), per_month)
    tm = t[month]
    day = rng.integers(first_days[month], last_days[month] + 1)
    hour = rng.choice(24, size=n, p=_hour_weights())
    at_s = day * 86_400 + hour * 3600 + rng.integers(0, 3600, n)
    protection = rng.random(n) < np.clip(0.27 + 0.008 * tm, 0, 0.4)
    p_concern = _choice(rng, PROTECTION_WEIGHTS, n)
    o_concern = _choice(rng, OTHER_WEIGHTS, n) + len(PROTECTION_CONCERNS)
    concern = np.where(protection, p_concern, o_concern)
    empty = np.isin(concern, EMPTY_CONTACTS)
    # place unknown: the caller did not say (most often on silent and prank calls)
    unknown_place = np.where(protection, 0.04, np.where(empty, 0.12, 0.03))
    district = np.where(
        rng.random(n) < unknown_place, -1, rng.choice(len(weights), size=n, p=share)
    )
    sex = np.where(empty | (rng.random(n) < 0.05), -1, (rng.random(n) < 0.55).astype(np.int64))
    age = np.where(empty | (rng.random(n) < 0.1), -1, _choice(rng, AGE_WEIGHTS, n))
    chat_p = np.clip(0.04 + 0.03 * tm, 0, 0.35)
    u = rng.random(n)
    channel = np.where(u < chat_p, CHAT, np.where(u < chat_p + 0.1, SMS, PHONE))
    caller = np.where(empty, UNKNOWN_CALLER, _choice(rng, CALLER_WEIGHTS, n))
    referred = np.where(protection, (rng.random(n) < 0.45).astype(np.int64), np.where(empty, -1, 0))
    order = np.lexsort((at_s,))
    frame = pd.DataFrame(
        {
            "month": month,
            "at_s": at_s,
            "district": district,
            "sex": sex,
            "age": age,
            "concern": concern,
            "channel": channel,
            "caller": caller,
            "referred": referred,
        }
    ).iloc[order]
    return frame.sort_values(["month", "at_s"], kind="stable").reset_index(drop=True)


def _hour_weights() -> np.ndarray:
    w = np.array([1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 5, 5, 6, 7, 8, 8, 8, 8, 7, 5, 3, 2], float)
    return w / w.sum()


def simulation(country: Country) -> CaseManagement:
    """The case-management simulation of the country, computed once (random streams 200-205)."""
    return country.shared(
        "case_management",
        lambda: simulate_case_management(country, [country.rng(s) for s in (200, 201, 202, 203)]),
    )


def simulate_case_management(country: object, rngs: list[np.random.Generator]) -> CaseManagement:
    """Posts, cases, referrals and helpline contacts of the simulated country."""
    geo = country.geo  # type: ignore[attr-defined]
    province = np.asarray(geo.district_province)
    first_days, last_days = _months(country.first_month, len(country.months))  # type: ignore[attr-defined]
    posts = simulate_posts(rngs[0], child_population(country), province, first_days, last_days)
    cases = simulate_cases(
        rngs[1],
        country,
        posts,
        province,
        first_days,
        last_days,
        moves_rng=country.rng(205),  # type: ignore[attr-defined]
    )
    reassignments = simulate_reassignments(
        country.rng(204),  # type: ignore[attr-defined]
        posts,
        cases,
        int(last_days[-1]),
        province,
    )
    referrals = simulate_referrals(rngs[2], cases, int(first_days[0]), int(last_days[-1]))
    contacts = simulate_contacts(
        rngs[3],
        country.weights,
        province,
        first_days,
        last_days,
        country.scale,  # type: ignore[attr-defined]
    )
    return CaseManagement(
        posts=posts,
        cases=cases,
        referrals=referrals,
        contacts=contacts,
        first_day=int(first_days[0]),
        last_day=int(last_days[-1]),
        reassignments=reassignments,
    )
