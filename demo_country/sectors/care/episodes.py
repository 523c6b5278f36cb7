"""Placement episodes as the ministry's system numbers them, and what each means for the child.

Shared by the placements feed (``feeds.placements``) and the other care feeds (gatekeeping
assessments, care plans, reintegration follow-ups), so a care plan or a follow-up visit names the
same placement as the placements feed does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from demo_country.sectors.care import story
from demo_country.sectors.care.placements import OPEN, REASONS

if TYPE_CHECKING:
    from demo_country.country import Country

HOME_REASONS = (REASONS.index("reintegrated_parents"), REASONS.index("kinship_care"))


def ordered_episodes(episodes: pd.DataFrame) -> pd.DataFrame:
    """Episodes in the ministry's order (start, child, care type, institution) with their
    ``placement_id`` (``PL-00000001`` ...)."""
    order = np.lexsort(
        (episodes["institution"], episodes["care_type"], episodes["child"], episodes["start"])
    )
    ep = episodes.iloc[order].reset_index(drop=True)
    ep["placement_id"] = [f"PL-{i + 1:08d}" for i in range(len(ep))]
    return ep


def flag_episodes(ep: pd.DataFrame) -> pd.DataFrame:
    """Add ``is_entry`` (the child was not in formal care the day before: no episode of the child
    ended on the start day) and ``is_reintegration`` (ended for parents or kin and no episode of
    the child starts that day). Episodes of a child never overlap in the simulation."""
    by_child = ep.sort_values(["child", "start", "end"], kind="stable")
    same_prev = by_child["child"].eq(by_child["child"].shift())
    same_next = by_child["child"].eq(by_child["child"].shift(-1))
    prev_end = by_child["end"].shift().where(same_prev)
    next_start = by_child["start"].shift(-1).where(same_next)
    entry = ~(same_prev & prev_end.eq(by_child["start"]))
    ended = by_child["end"] != OPEN
    home = by_child["reason"].isin(HOME_REASONS) & ended
    reint = home & ~(same_next & next_start.eq(by_child["end"]))
    return ep.assign(
        is_entry=entry.reindex(ep.index).to_numpy(),
        is_reintegration=reint.reindex(ep.index).to_numpy(),
    )


def care_episodes(country: Country) -> pd.DataFrame:
    """The country's episodes in the ministry's order with their ids, entry and reintegration
    flags and province (computed once per country)."""

    def compute() -> pd.DataFrame:
        ep = flag_episodes(ordered_episodes(country.episodes))
        province = np.asarray(country.geo.district_province, dtype=np.int64)
        return ep.assign(province=province[ep["district"].to_numpy()])

    return country.shared("care.episodes", compute)


def practice(
    curve: tuple[float, ...], day: np.ndarray, baseline_day: int, province: np.ndarray
) -> np.ndarray:
    """Share of good practice on ``day`` in ``province``: the story's national curve plus the
    province's offset, kept within 0.02-0.99."""
    t = (np.asarray(day, dtype=float) - baseline_day) / 365.25
    offset = np.asarray(story.PRACTICE_OFFSET)[np.asarray(province, dtype=np.int64)]
    return np.clip(story.curve_at(curve, t) + offset, 0.02, 0.99)


NEVER = np.iinfo(np.int64).max // 2  # no such day (a draw the practice curve never reaches)


def first_day_above(
    curve: tuple[float, ...], draw: np.ndarray, baseline_day: int, province: np.ndarray
) -> np.ndarray:
    """The first day on which ``practice(curve, day, ...)`` exceeds each ``draw`` (the day a
    child's state, e.g. holding a birth certificate, became true): ``-NEVER`` when it always did
    (the draw is below the curve's start), ``NEVER`` when it never does. The curve must rise."""
    draw = np.asarray(draw, dtype=float)
    province = np.asarray(province, dtype=np.int64)
    offset = np.asarray(story.PRACTICE_OFFSET)[province]
    values = np.asarray(curve, dtype=float)
    low = np.clip(values[0] + offset, 0.02, 0.99)
    high = np.clip(values[-1] + offset, 0.02, 0.99)
    t = np.interp(draw - offset, values, np.arange(len(values), dtype=float))
    day = np.floor(baseline_day + t * 365.25).astype(np.int64) + 1
    for _ in range(2):  # settle floating-point rounding against ``practice`` itself
        day = np.where(practice(curve, day - 1, baseline_day, province) > draw, day - 1, day)
        day = np.where(practice(curve, day, baseline_day, province) <= draw, day + 1, day)
    return np.where(draw < low, -NEVER, np.where(draw >= high, NEVER, day))
