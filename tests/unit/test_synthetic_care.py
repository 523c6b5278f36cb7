"""The care area's synthetic feeds: contract-valid, deterministic, and telling the care story.

Generated in memory (no landing zone) at a small scale from one simulated country.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cpmonitor.core.contracts import arrow_schema, load_contracts
from demo_country import feeds as generators
from demo_country.country import Country, simulate_country
from demo_country.delivery import Delivery, delivered_at
from demo_country.sectors.care import story
from demo_country.sectors.care.episodes import flag_episodes, ordered_episodes
from demo_country.sectors.care.placements import OPEN

CARE_FEEDS = (
    "placements",
    "gatekeeping_assessments",
    "care_plans",
    "reintegration_followups",
    "institution_inspections",
)
SCALE = 0.1


def care_deliveries(country: Country) -> list[Delivery]:
    return generators.deliveries(country, load_contracts(), CARE_FEEDS)


@pytest.fixture(scope="module")
def country() -> Country:
    return simulate_country(seed=2016, scale=SCALE, start_year=2016, end_year=2025)


@pytest.fixture(scope="module")
def feeds(country: Country) -> dict[str, pd.DataFrame]:
    """Every delivered row of each care feed, with its period."""
    parts: dict[str, list[pd.DataFrame]] = {f: [] for f in CARE_FEEDS}
    for d in care_deliveries(country):
        parts[d.feed].append(d.table.to_pandas().assign(_period=d.period))
    return {f: pd.concat(p, ignore_index=True) for f, p in parts.items()}


def test_every_delivery_matches_its_contract(country: Country) -> None:
    contracts = load_contracts()
    seen = set()
    for d in care_deliveries(country):
        contract = contracts[d.feed]
        seen.add(d.feed)
        assert d.entity == contract.owner == "mosa"
        assert contract.period_is_valid(d.period), d.period
        assert d.table.schema.equals(arrow_schema(contract)), d.feed
        assert d.table.num_rows > 0, (d.feed, d.period)  # an empty delivery would be refused
        frame = d.table.to_pandas()
        arrived = delivered_at(d).date()
        for column in contract.columns:
            values = frame[column.name]
            if column.required:
                assert values.notna().all(), (d.feed, d.period, column.name)
            if column.allowed:
                assert set(values.dropna()) <= set(column.allowed), (d.feed, column.name)
            if column.type == "date":
                days = pd.to_datetime(values).dropna()
                if column.min is not None:
                    assert (days >= pd.Timestamp(column.min)).all(), (d.feed, column.name)
                if column.checks_future:
                    assert (days.dt.date <= arrived).all(), (d.feed, d.period, column.name)
                if column.not_before:
                    other = pd.to_datetime(frame[column.not_before])
                    both = values.notna() & other.notna()
                    later = pd.to_datetime(values[both]) >= other[both]
                    assert later.all(), (d.feed, column.name)
            if column.type == "integer" and column.min is not None:
                assert (values.dropna() >= column.min).all()
                assert (values.dropna() <= column.max).all()
        if contract.primary_key:
            assert not frame.duplicated(contract.primary_key).any(), (d.feed, d.period)
    assert seen == set(CARE_FEEDS)


def test_generation_is_deterministic(country: Country) -> None:
    again = simulate_country(seed=2016, scale=SCALE, start_year=2016, end_year=2025)
    first, second = care_deliveries(country), care_deliveries(again)
    assert [(d.feed, d.period) for d in first] == [(d.feed, d.period) for d in second]
    assert all(a.table.equals(b.table) for a, b in zip(first, second, strict=True))


def test_records_link_to_the_placements(feeds: dict[str, pd.DataFrame]) -> None:
    placements = feeds["placements"]
    ids = set(placements["placement_id"])
    assert set(feeds["care_plans"]["placement_id"]) <= ids
    assert set(feeds["reintegration_followups"]["placement_id"]) <= ids
    assert set(feeds["care_plans"]["child_id"]) <= set(placements["child_id"])
    # Gatekeeping: children placed, plus children supported at home (not in placements).
    assessed = feeds["gatekeeping_assessments"]
    placed = assessed["child_id"].isin(placements["child_id"])
    assert placed.mean() > 0.5
    assert (assessed.loc[~placed, "recommendation"].dropna() == "family_support").all()
    # A late assessment is delivered in progress, then completed: the latest row is complete.
    counts = assessed.groupby("assessment_id").size()
    assert counts.max() == 2
    twice = assessed[assessed["assessment_id"].isin(counts[counts == 2].index)]
    latest = twice.sort_values("_period").groupby("assessment_id").tail(1)
    assert (latest["assessment_status"] == "completed").all()


def _by_year(days: np.ndarray | pd.Series, flags: np.ndarray | pd.Series) -> pd.Series:
    years = pd.to_datetime(np.asarray(days, dtype="int64"), unit="D").year
    return pd.Series(np.asarray(flags, dtype=float)).groupby(years).mean()


def test_re_entries_after_reintegration(country: Country) -> None:
    """Some reintegrated children come back (AC09), fewer as follow-up improves."""
    ep = flag_episodes(ordered_episodes(country.episodes))
    by_child = ep.sort_values(["child", "start"])
    next_start = by_child.groupby("child")["start"].shift(-1)
    reint = by_child[by_child["is_reintegration"]]
    nxt = next_start[reint.index]
    back = nxt.notna() & (nxt - reint["end"] <= 365)
    share = _by_year(reint["end"], back)
    assert 0.05 <= share[2016] <= 0.16
    assert share.loc[2016:2018].mean() > share.loc[2021:2024].mean() > 0.02
    # Re-admitted children are the same children: re-entries start after the reintegration.
    assert (nxt[back] > reint.loc[back, "end"]).all()


def test_practice_improves_and_differs_by_province(
    country: Country, feeds: dict[str, pd.DataFrame]
) -> None:
    first_day = int(np.datetime64("2016-01-01", "D").astype(np.int64))
    ep = flag_episodes(ordered_episodes(country.episodes))
    entries = ep[ep["is_entry"] & (ep["start"] >= first_day)]
    assessed = feeds["gatekeeping_assessments"].sort_values("_period")
    assessed = assessed.groupby("assessment_id").tail(1)
    done = assessed[assessed["assessment_status"] == "completed"]
    completed = done.groupby("child_id")["completed_date"].min()
    child_ids = entries["child"].map(lambda c: f"CH-{c + 1:07d}")
    day = pd.to_datetime(child_ids.map(completed))
    start = pd.to_datetime(entries["start"].to_numpy(), unit="D")
    good = (day.to_numpy() <= start) & (day.to_numpy() >= start - pd.Timedelta(days=90))
    share = _by_year(entries["start"], good)
    assert share[2016] < 0.5 < 0.75 < share[2024]
    # Province 08 (index 7, ahead) does better than province 10 (index 9, behind).
    province = np.asarray(country.geo.district_province)[entries["district"]]
    by_province = pd.Series(good.astype(float)).groupby(province).mean()
    assert by_province[7] > by_province[9]
    assert story.PRACTICE_OFFSET[7] > story.PRACTICE_OFFSET[9]


def test_birth_certificates_and_inspections_rise(feeds: dict[str, pd.DataFrame]) -> None:
    rows = feeds["placements"]
    year = rows["_period"].str[:4].astype(int)
    cert = rows["has_birth_certificate"]
    assert 0.02 < cert.isna().mean() < 0.06
    share = cert.dropna().astype(float).groupby(year[cert.notna()]).mean()
    assert share[2016] < share[2025]
    inspections = feeds["institution_inspections"]
    per_year = inspections.groupby(pd.to_datetime(inspections["inspection_date"]).dt.year).size()
    assert set(range(2015, 2026)) <= set(per_year.index)
    # Inspection deliveries are quarterly; 2015 inspections came with the first quarter.
    assert set(inspections["_period"].str[4:6]) == {"-Q"}
    early = pd.to_datetime(inspections["inspection_date"]) < dt.datetime(2016, 1, 1)
    assert (inspections.loc[early, "_period"] == "2016-Q1").all()


def test_open_episodes_have_no_end(country: Country) -> None:
    assert ((country.episodes["end"] == OPEN) == (country.episodes["reason"] == -1)).all()


def test_birth_certificate_dates(feeds: dict[str, pd.DataFrame]) -> None:
    """Each documented child's certificate has one recorded day, delivered in every row saying
    true (3% of children have none recorded), never after the row's month and never before
    birth; a row without a certificate has no date."""
    rows = feeds["placements"]
    cert = rows["has_birth_certificate"]
    day = pd.to_datetime(rows["birth_certificate_date"])
    assert day[cert != True].isna().all()  # noqa: E712
    true = rows[cert == True]  # noqa: E712
    dated = day[cert == True]  # noqa: E712
    assert 0.015 < dated.isna().mean() < 0.05
    month_end = pd.PeriodIndex(true["_period"], freq="M").end_time.normalize()
    assert (dated.dropna() <= month_end[dated.notna().to_numpy()]).all()
    assert (dated.dropna() >= pd.to_datetime(true.loc[dated.notna(), "date_of_birth"])).all()
    assert (true.assign(day=dated).groupby("child_id")["day"].nunique() <= 1).all()
    # recorded over the years, most in the reporting years or before the child's first entry
    assert dated.dt.year.nunique() > 8
    # once documented, documented: no true row followed by a false row of the same child
    known = rows[cert.notna()].sort_values("_period", kind="stable")
    flips = known.groupby("child_id")["has_birth_certificate"].apply(
        lambda s: (s.astype(int).diff() < 0).any()
    )
    assert not flips.any()


def test_follow_up_inspections_come_weeks_after_a_poor_one(
    feeds: dict[str, pd.DataFrame],
) -> None:
    ins = feeds["institution_inspections"].sort_values("inspection_date")
    follow = ins[ins["inspection_type"] == "follow_up"]
    before = ins[ins["inspection_type"] != "follow_up"].drop_duplicates(
        ["institution_id", "inspection_date"]
    )
    pairs = pd.merge_asof(
        follow.assign(day=pd.to_datetime(follow["inspection_date"])).sort_values("day"),
        before.assign(day=pd.to_datetime(before["inspection_date"])).sort_values("day"),
        on="day",
        by="institution_id",
        suffixes=("", "_poor"),
        allow_exact_matches=False,
        direction="backward",
        tolerance=pd.Timedelta(days=120),
    )
    gap = (
        pd.to_datetime(pairs["inspection_date"]) - pd.to_datetime(pairs["inspection_date_poor"])
    ).dt.days
    assert gap.notna().mean() > 0.9
    assert gap.between(40, 84).mean() > 0.9 and gap.nunique() > 10
    gain = pairs["compliance_score"] - pairs["compliance_score_poor"]
    assert gain.nunique() > 10 and gain.median() > 5
