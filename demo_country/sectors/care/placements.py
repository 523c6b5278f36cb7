"""Placement episodes: children entering, moving between and leaving care, month by month.

The residential stock of each province follows the story's curve (``story.stock_ratio``): each month
children turn 18 and age out, institutions close and their children leave or are transferred, new
children are admitted, and then just enough children leave for a family to bring the province to its
target. Transfers end one residential episode and start another the same day. Exits to foster care
(and some to kin) start a family-based episode the same day. Family-based care also grows by direct
entries. Some children reintegrated with their family come back: each month a reintegrated child
(under 17) is re-admitted to an institution of the same province with a small probability
(``story.READMISSION_HAZARD``, higher in the first 12 months), in place of a new admission where
the province has one that month (step 4 then balances the stock as for any admission). Episodes of a child never overlap: each starts on or after the previous one
ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from demo_country.codes import allowed
from demo_country.delivery import NO_DAY
from demo_country.geography import Geography
from demo_country.sectors.care import story
from demo_country.sectors.care.institutions import DAYS_PER_YEAR, allocate

OPEN = NO_DAY  # end day of an episode still open at the end of the last delivery
# Episodes hold their care type and exit reason as an index into the placements contract's codes.
CARE_TYPES = allowed("placements", "care_type")
REASONS = allowed("placements", "exit_reason")
RESIDENTIAL = CARE_TYPES.index("residential")
FOSTER, KINSHIP = CARE_TYPES.index("foster"), CARE_TYPES.index("kinship")
FAMILY_CARE_CODES = np.array([CARE_TYPES.index(c) for c in story.FAMILY_CARE_TYPES])
# Ages (0-17) of children living in residential care at baseline, and of children admitted (0-16).
RESIDENT_AGE_WEIGHTS = np.array([1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 10, 9, 8, 7, 6], float)
ADMISSION_AGE_WEIGHTS = np.array([4, 3, 3, 4, 5, 6, 7, 8, 8, 8, 8, 7, 7, 6, 5, 4, 2], float)


@dataclass(frozen=True)
class Placements:
    """Children (one row each) and their placement episodes (one row each)."""

    children: pd.DataFrame  # child, female, dob, disability (nullable)
    episodes: pd.DataFrame  # child, care_type, institution (-1 none), district, start, end, reason


def birthday_18(dob: np.ndarray) -> np.ndarray:
    """Day (days since 1970-01-01) of the 18th birthday; 29 February births turn 18 on 1 March."""
    d = np.asarray(dob, dtype="int64").astype("datetime64[D]")
    year = d.astype("datetime64[Y]")
    month = d.astype("datetime64[M]")
    month_in_year = month - year.astype("datetime64[M]")
    day_in_month = d - month.astype("datetime64[D]")
    b = ((year + 18).astype("datetime64[M]") + month_in_year).astype("datetime64[D]") + day_in_month
    return b.astype("int64")


@dataclass
class _Log:
    """Children and episodes collected during one simulation (local to one run)."""

    female: list[np.ndarray] = field(default_factory=list)
    dob: list[np.ndarray] = field(default_factory=list)
    n_children: int = 0
    episodes: list[dict[str, np.ndarray]] = field(default_factory=list)

    def add_children(self, female: np.ndarray, dob: np.ndarray) -> np.ndarray:
        ids = np.arange(self.n_children, self.n_children + len(dob), dtype=np.int64)
        self.n_children += len(dob)
        self.female.append(female)
        self.dob.append(dob.astype(np.int64))
        return ids

    def add_episodes(self, **columns: np.ndarray | int) -> None:
        n = len(np.asarray(columns["child"]))
        self.episodes.append(
            {k: np.broadcast_to(np.asarray(v, dtype=np.int64), (n,)) for k, v in columns.items()}
        )


def _dob_for_age(rng: np.random.Generator, on_day: int | np.ndarray, age: np.ndarray) -> np.ndarray:
    """Birth days of children aged ``age`` (whole years) on ``on_day``: at least a week old, and
    still under 18 the day after."""
    days = np.floor((age + rng.uniform(0.0, 0.995, len(age))) * DAYS_PER_YEAR).astype(np.int64)
    dob = on_day - np.maximum(days, 7)
    too_old = birthday_18(dob) <= on_day + 1
    return np.where(too_old, dob + 3, dob)


def _stay_before(rng: np.random.Generator, age_days: np.ndarray, mean_years: float) -> np.ndarray:
    """Days already spent in care at baseline: about ``mean_years`` on average, never since birth
    (children arrive at some age, at least a few days old)."""
    stay = rng.exponential(mean_years * DAYS_PER_YEAR, len(age_days))
    latest = age_days * rng.uniform(0.15, 0.9, len(age_days))
    return np.clip(np.floor(np.minimum(stay, latest)), 1, np.maximum(age_days - 3, 1)).astype(
        np.int64
    )


def _pick_institutions(
    rng: np.random.Generator, candidates: np.ndarray, headroom: np.ndarray, n: int
) -> np.ndarray:
    """Institutions for ``n`` children, favouring those with free places."""
    w = np.maximum(headroom[candidates], 0.0) + 1.0
    return rng.choice(candidates, size=n, p=w / w.sum())


def _calibrated_pace(base: np.ndarray) -> np.ndarray:
    """Province paces scaled so the national stock five years on is the story's 41% of baseline."""
    pace = np.asarray(story.PROVINCE_PACE)
    goal = story.STOCK_CURVE[5]
    lo, hi = 0.3, 3.0
    for _ in range(60):
        mid = (lo + hi) / 2
        level = sum(
            b * float(story.stock_ratio(5.0, mid * p)) for b, p in zip(base, pace, strict=True)
        )
        lo, hi = (mid, hi) if level / base.sum() > goal else (lo, mid)
    return pace * (lo + hi) / 2


def simulate_placements(
    rng: np.random.Generator,
    geo: Geography,
    district_weights: np.ndarray,
    institutions: pd.DataFrame,
    scale: float,
    baseline_day: int,
    month_starts: np.ndarray,
) -> Placements:
    """Simulate every placement episode from before baseline to the end of the last month."""
    log = _Log()
    n_prov = len(geo.province_codes)
    district_province = np.asarray(geo.district_province)
    inst_district = institutions["district"].to_numpy(np.int64)
    inst_province = institutions["province"].to_numpy(np.int64)
    inst_opened = institutions["opened"].to_numpy(np.int64)
    inst_closed = institutions["closed"].to_numpy(np.int64)
    capacity = institutions["capacity"].to_numpy(dtype=float, na_value=35.0)
    disability_p = np.array(
        [story.DISABILITY_SHARE, 1 - story.DISABILITY_SHARE - story.DISABILITY_UNKNOWN]
    )

    def new_children(female: np.ndarray, dob: np.ndarray) -> np.ndarray:
        return log.add_children(female, dob)

    def family_district(province: np.ndarray) -> np.ndarray:
        out = np.empty(len(province), dtype=np.int64)
        for p in np.unique(province):
            rows = np.nonzero(province == p)[0]
            cand = np.nonzero(district_province == p)[0]
            w = district_weights[cand]
            out[rows] = rng.choice(cand, size=len(rows), p=w / w.sum())
        return out

    # --- Residential care at baseline: children spread over the open institutions by capacity.
    at_base = np.nonzero(inst_opened <= baseline_day)[0]
    n_base = round(story.BASELINE_CHILDREN * scale)
    fill = capacity[at_base] * rng.uniform(0.6, 1.1, len(at_base))
    counts = allocate(n_base, fill)
    r_inst = np.repeat(at_base, counts)
    age = rng.choice(18, size=n_base, p=RESIDENT_AGE_WEIGHTS / RESIDENT_AGE_WEIGHTS.sum())
    dob = _dob_for_age(rng, baseline_day, age)
    r_child = new_children(rng.random(n_base) < 0.5, dob)
    r_start = baseline_day - _stay_before(rng, baseline_day - dob, 2.8)
    r_bday = birthday_18(dob)
    base_by_province = np.bincount(inst_province[r_inst], minlength=n_prov).astype(float)
    pace = _calibrated_pace(base_by_province)
    adm_factor = (1.0 / np.asarray(story.PROVINCE_PACE)) ** 0.5

    # Family-based care at baseline.
    n_fam = round(story.BASELINE_FAMILY_CARE * scale)
    fam_age = rng.integers(0, 18, n_fam)
    fam_dob = _dob_for_age(rng, baseline_day, fam_age)
    fam_child = new_children(rng.random(n_fam) < 0.5, fam_dob)
    fam_start = [baseline_day - _stay_before(rng, baseline_day - fam_dob, 2.0)]
    fam_childs = [fam_child]
    fam_type = [
        FAMILY_CARE_CODES[rng.choice(3, size=n_fam, p=np.asarray(story.FAMILY_CARE_WEIGHTS))]
    ]
    fam_province = rng.choice(n_prov, size=n_fam, p=_province_population(geo, district_weights))
    fam_district = [family_district(fam_province)]

    exit_p = np.asarray(story.EXIT_WEIGHTS) / sum(story.EXIT_WEIGHTS)
    exit_codes = np.array([REASONS.index(r) for r in story.EXIT_REASONS])
    closure_p = np.asarray(story.CLOSURE_WEIGHTS) / sum(story.CLOSURE_WEIGHTS)
    closure_codes = np.array([REASONS.index(r) for r in story.CLOSURE_REASONS])
    transferred, aged_out = REASONS.index("transferred"), REASONS.index("aged_out")
    to_foster, to_kin = REASONS.index("foster_care"), REASONS.index("kinship_care")

    # Children reintegrated with parents or kin (out of formal care) who may come back.
    pool: dict[str, np.ndarray] = {
        k: np.zeros(0, dtype=np.int64) for k in ("child", "day", "province", "bday")
    }
    reintegrated = np.array([REASONS.index("reintegrated_parents"), to_kin])

    def r_bday_of(rows: np.ndarray) -> np.ndarray:
        return r_bday[rows]

    def end_residential(rows: np.ndarray, end: np.ndarray, reason: np.ndarray) -> None:
        log.add_episodes(
            child=r_child[rows],
            care_type=RESIDENTIAL,
            institution=r_inst[rows],
            district=inst_district[r_inst[rows]],
            start=r_start[rows],
            end=end,
            reason=reason,
        )
        # Exits to a foster family (and some to kin) start a family-based episode that day.
        foster = reason == to_foster
        kin = (reason == to_kin) & (rng.random(len(rows)) < story.KINSHIP_FORMALISED)
        moved = foster | kin
        home = np.isin(reason, reintegrated) & ~moved
        if home.any():
            for key, values in (
                ("child", r_child[rows[home]]),
                ("day", end[home]),
                ("province", inst_province[r_inst[rows[home]]]),
                ("bday", r_bday_of(rows[home])),
            ):
                pool[key] = np.concatenate([pool[key], np.asarray(values, dtype=np.int64)])
        if moved.any():
            prov = inst_province[r_inst[rows[moved]]]
            near = rng.random(int(moved.sum())) < 0.5
            fam_childs.append(r_child[rows[moved]])
            fam_start.append(end[moved])
            fam_type.append(np.where(foster[moved], FOSTER, KINSHIP))
            fam_district.append(
                np.where(near, inst_district[r_inst[rows[moved]]], family_district(prov))
            )

    months = month_starts.astype("datetime64[M]")
    first_days = months.astype("datetime64[D]").astype(np.int64)
    last_days = (months + 1).astype("datetime64[D]").astype(np.int64) - 1
    pop_share = _province_population(geo, district_weights)
    for m0, m1 in zip(first_days.tolist(), last_days.tolist(), strict=True):
        t = (m1 - baseline_day) / DAYS_PER_YEAR
        intake = (inst_opened <= m0) & (inst_closed > m1)
        closing_now = (inst_closed >= m0) & (inst_closed <= m1)
        occupancy = np.bincount(r_inst, minlength=len(inst_opened))
        headroom = capacity - occupancy

        # 1. Children turning 18 this month leave care on their birthday (unless their
        #    institution closes before it).
        close_day = np.where(closing_now[r_inst], inst_closed[r_inst], m1)
        aged = np.nonzero((r_bday <= m1) & (r_bday <= close_day))[0]
        # 2. Children still in an institution that closes this month leave on or before the day.
        closing = np.nonzero(closing_now[r_inst] & ~np.isin(np.arange(len(r_inst)), aged))[0]
        leave = np.concatenate([aged, closing])
        end_residential(aged, r_bday[aged], np.full(len(aged), aged_out))
        new_child, new_inst, new_start, new_bday = [], [], [], []
        if len(closing):
            low = np.maximum(m0, r_start[closing] + 1)
            day = rng.integers(low, inst_closed[r_inst[closing]] + 1)
            reason = closure_codes[rng.choice(len(closure_codes), size=len(closing), p=closure_p)]
            end_residential(closing, day, reason)
            for row in closing[reason == transferred]:
                p = inst_province[r_inst[row]]
                cand = np.nonzero(intake & (inst_province == p))[0]
                if not len(cand):
                    cand = np.nonzero(intake)[0]
                target = _pick_institutions(rng, cand, headroom, 1)[0]
                headroom[target] -= 1
                new_child.append(r_child[row])
                new_inst.append(target)
                new_start.append(day[closing == row][0])
                new_bday.append(r_bday[row])
        keep = np.ones(len(r_inst), dtype=bool)
        keep[leave] = False
        r_child, r_inst, r_start, r_bday = r_child[keep], r_inst[keep], r_start[keep], r_bday[keep]

        # 3. Admissions of new children, to open institutions of their province. Some are
        #    re-admissions of children reintegrated earlier (in place of new children).
        lam = base_by_province * float(story.curve_at(story.ADMISSION_CURVE, t)) / 12 * adm_factor
        admitted = rng.poisson(lam)
        since = m0 - pool["day"]
        hazard = (
            np.where(
                since <= 365,
                float(story.curve_at(story.READMISSION_HAZARD, t)),
                story.READMISSION_LATER,
            )
            * adm_factor[pool["province"]]
        )
        draw = rng.random(len(since))
        back = np.nonzero((since > 0) & (pool["bday"] > m1 + 400) & (draw < hazard))[0]
        readmitted = []
        for p in np.unique(pool["province"][back]):
            cand = np.nonzero(intake & (inst_province == p))[0]
            rows = back[pool["province"][back] == p]
            if not len(rows) or not len(cand):
                continue
            admitted[p] = max(int(admitted[p]) - len(rows), 0)
            readmitted.append(rows)
            target = _pick_institutions(rng, cand, headroom, len(rows))
            np.subtract.at(headroom, target, 1)
            start = rng.integers(np.maximum(m0, pool["day"][rows] + 1), m1 + 1)
            new_child.extend(pool["child"][rows].tolist())
            new_inst.extend(target.tolist())
            new_start.extend(start.tolist())
            new_bday.extend(pool["bday"][rows].tolist())
        if readmitted:
            keep_pool = np.ones(len(since), dtype=bool)
            keep_pool[np.concatenate(readmitted)] = False
            pool = {k: v[keep_pool] for k, v in pool.items()}
        for p in np.nonzero(admitted)[0]:
            k = int(admitted[p])
            cand = np.nonzero(intake & (inst_province == p))[0]
            target = _pick_institutions(rng, cand, headroom, k)
            np.subtract.at(headroom, target, 1)
            start = rng.integers(m0, m1 + 1, k)
            a = rng.choice(17, size=k, p=ADMISSION_AGE_WEIGHTS / ADMISSION_AGE_WEIGHTS.sum())
            dob = _dob_for_age(rng, start, a)
            new_child.extend(new_children(rng.random(k) < 0.5, dob).tolist())
            new_inst.extend(target.tolist())
            new_start.extend(start.tolist())
            new_bday.extend(birthday_18(dob).tolist())

        # 4. Just enough children leave for a family to bring each province to its target.
        province = inst_province[r_inst]
        settled = r_start < m0
        now = np.bincount(province, minlength=n_prov) + np.bincount(
            inst_province[np.asarray(new_inst, dtype=np.int64)], minlength=n_prov
        )
        target = base_by_province * story.stock_ratio(t, pace)
        exits = []
        for p in range(n_prov):
            excess = int(round(now[p] - target[p]))
            eligible = np.nonzero(settled & (province == p))[0]
            if excess > 0 and len(eligible):
                exits.append(rng.choice(eligible, size=min(excess, len(eligible)), replace=False))
        leaving = np.sort(np.concatenate(exits)) if exits else np.zeros(0, dtype=np.int64)
        if len(leaving):
            day = rng.integers(m0, m1 + 1, len(leaving))
            reason = exit_codes[rng.choice(len(exit_codes), size=len(leaving), p=exit_p)]
            end_residential(leaving, day, reason)
        # 5. A few children move between open institutions of their province.
        staying = np.ones(len(r_inst), dtype=bool)
        staying[leaving] = False
        movable = np.nonzero(staying & settled & intake[r_inst])[0]
        moving = movable[rng.random(len(movable)) < story.TRANSFERS_PER_MONTH]
        moved = []
        for row in moving:
            cand = np.nonzero(intake & (inst_province == inst_province[r_inst[row]]))[0]
            cand = cand[cand != r_inst[row]]
            if not len(cand):
                continue
            target_inst = _pick_institutions(rng, cand, headroom, 1)[0]
            headroom[target_inst] -= 1
            day = int(rng.integers(m0, m1 + 1))
            end_residential(np.array([row]), np.array([day]), np.array([transferred]))
            moved.append(row)
            new_child.append(r_child[row])
            new_inst.append(target_inst)
            new_start.append(day)
            new_bday.append(r_bday[row])
        staying[np.asarray(moved, dtype=np.int64)] = False
        r_child = np.concatenate([r_child[staying], np.asarray(new_child, dtype=np.int64)])
        r_inst = np.concatenate([r_inst[staying], np.asarray(new_inst, dtype=np.int64)])
        r_start = np.concatenate([r_start[staying], np.asarray(new_start, dtype=np.int64)])
        r_bday = np.concatenate([r_bday[staying], np.asarray(new_bday, dtype=np.int64)])

        # Direct entries to family-based care (not from an institution), rising over time.
        intercept, slope = story.FAMILY_ENTRIES_PER_MONTH
        k = int(rng.poisson(max(scale * (intercept + slope * t), 0.0)))
        if k:
            start = rng.integers(m0, m1 + 1, k)
            a = rng.integers(0, 17, k)
            dob = _dob_for_age(rng, start, a)
            fam_childs.append(new_children(rng.random(k) < 0.5, dob))
            fam_start.append(start)
            fam_type.append(
                FAMILY_CARE_CODES[rng.choice(3, size=k, p=np.asarray(story.FAMILY_CARE_WEIGHTS))]
            )
            fam_district.append(family_district(rng.choice(n_prov, size=k, p=pop_share)))

    # Children still in an institution after the last month: open episodes.
    log.add_episodes(
        child=r_child,
        care_type=RESIDENTIAL,
        institution=r_inst,
        district=inst_district[r_inst],
        start=r_start,
        end=OPEN,
        reason=-1,
    )
    children_dob = np.concatenate(log.dob)
    _family_episodes(
        rng,
        log,
        np.concatenate(fam_childs),
        np.concatenate(fam_start),
        np.concatenate(fam_type),
        np.concatenate(fam_district),
        children_dob,
        int(last_days[-1]),
        baseline_day,
    )
    n = log.n_children
    disability = rng.choice(3, size=n, p=np.append(disability_p, story.DISABILITY_UNKNOWN))
    children = pd.DataFrame(
        {
            "child": np.arange(n, dtype=np.int64),
            "female": np.concatenate(log.female),
            "dob": children_dob,
            "disability": pd.array(
                np.where(disability == 2, None, disability == 0).tolist(), dtype="boolean"
            ),
        }
    )
    episodes = pd.DataFrame(
        {k: np.concatenate([e[k] for e in log.episodes]) for k in log.episodes[0]}
    )
    return Placements(children=children, episodes=episodes)


def _province_population(geo: Geography, district_weights: np.ndarray) -> np.ndarray:
    share = np.bincount(np.asarray(geo.district_province), weights=district_weights)
    return share / share.sum()


def _family_episodes(
    rng: np.random.Generator,
    log: _Log,
    child: np.ndarray,
    start: np.ndarray,
    care: np.ndarray,
    district: np.ndarray,
    dob: np.ndarray,
    last_day: int,
    baseline_day: int | None = None,
) -> None:
    """End family-based episodes: at 18 (aged out), or earlier for a reason; open past the end.

    With ``baseline_day``, some children reintegrated with their parents come back into
    family-based care (``story.READMISSION_HAZARD`` over a year), once; their new episodes are
    ended the same way (why: ``story.FAMILY_EXIT_REASONS``)."""
    n = len(child)
    length = np.floor(rng.exponential(story.FAMILY_MEAN_YEARS * DAYS_PER_YEAR, n)).astype(np.int64)
    end = start + length + 1
    bday = birthday_18(dob[child])
    reason = np.full(n, -1, dtype=np.int64)
    for care_type, (names, weights) in story.FAMILY_EXIT_REASONS.items():
        rows = np.nonzero(care == CARE_TYPES.index(care_type))[0]
        codes = np.array([REASONS.index(r) for r in names])
        p = np.asarray(weights) / sum(weights)
        reason[rows] = codes[rng.choice(len(codes), size=len(rows), p=p)]
    grown = end >= bday
    end = np.where(grown, bday, end)
    reason = np.where(grown, REASONS.index("aged_out"), reason)
    still_open = end > last_day
    if baseline_day is not None:
        t = (end - baseline_day) / DAYS_PER_YEAR
        p_back = 1 - (1 - story.curve_at(story.READMISSION_HAZARD, t)) ** 12
        home = (
            (reason == REASONS.index("reintegrated_parents")) & ~still_open & (end > baseline_day)
        )
        again = end + 1 + np.floor(rng.exponential(120.0, n)).astype(np.int64)
        back = np.nonzero(
            home & (rng.random(n) < p_back) & (again <= last_day) & (again < bday - 30)
        )[0]
        if len(back):
            _family_episodes(
                rng, log, child[back], again[back], care[back], district[back], dob, last_day
            )
    log.add_episodes(
        child=child,
        care_type=care,
        institution=-1,
        district=district,
        start=start,
        end=np.where(still_open, OPEN, end),
        reason=np.where(still_open, -1, reason),
    )
