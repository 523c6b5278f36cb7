"""The justice feeds of the synthetic country: contracts, determinism, consistency, the story."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from cpmonitor.core.contracts import load_contracts
from demo_country import arrow_schema
from demo_country import feeds as generators
from demo_country.country import Country, simulate_country
from demo_country.delivery import Delivery
from demo_country.sectors.care.placements import birthday_18
from demo_country.sectors.justice.simulation import age_on, dob_for_age

FEEDS = {"arrests", "trafficking_victims", "abuse_reports", "detentions", "court_decisions"}
SMALL = {"seed": 11, "scale": 0.05, "start_year": 2016, "end_year": 2017}
STORY = {"seed": 2016, "scale": 0.25, "start_year": 2016, "end_year": 2025}


def justice_deliveries(country: Country) -> list[Delivery]:
    return generators.deliveries(country, load_contracts(), generators.SECTOR_FEEDS["justice"])


@pytest.fixture(scope="module")
def small_country() -> Country:
    return simulate_country(**SMALL)


@pytest.fixture(scope="module")
def small(small_country: Country) -> list[Delivery]:
    return justice_deliveries(small_country)


@pytest.fixture(scope="module")
def story() -> dict[str, pd.DataFrame]:
    """Every feed of the full ten-year story at a quarter scale, latest row of each key."""
    country = simulate_country(**STORY)
    frames: dict[str, list[pd.DataFrame]] = {}
    for d in justice_deliveries(country):
        frames.setdefault(d.feed, []).append(d.table.to_pandas().assign(_period=d.period))
    keys = {f: load_contracts()[f].primary_key for f in FEEDS}
    return {
        f: pd.concat(parts, ignore_index=True).groupby(keys[f]).tail(1).reset_index(drop=True)
        for f, parts in frames.items()
    }


def test_dob_for_age_gives_that_age() -> None:
    def days(*dates: str) -> np.ndarray:
        return np.array(dates, dtype="datetime64[D]").astype(np.int64)

    # On 2016-02-29: born 2007-02-28 -> 9 (birthday passed); born 2007-03-01 -> 8 (not yet).
    # Born 2008-02-29: 7 on 2016-02-28 (the day before its 8th birthday), 8 on 2016-02-29.
    # Born 1998-06-01: 17 on 2016-05-31, 18 on 2016-06-01.
    on = days("2016-02-29", "2016-02-29", "2016-02-28", "2016-02-29", "2016-05-31", "2016-06-01")
    born = days("2007-02-28", "2007-03-01", "2008-02-29", "2008-02-29", "1998-06-01", "1998-06-01")
    assert age_on(born, on).tolist() == [9, 8, 7, 8, 17, 18]
    rng = np.random.default_rng(0)
    day = rng.integers(16000, 20000, 5000)
    age = rng.integers(0, 18, 5000)
    assert (age_on(dob_for_age(rng, day, age), day) == age).all()


def test_every_month_every_feed_matches_its_contract(
    small: list[Delivery], small_country: Country
) -> None:
    contracts = load_contracts()
    months = {str(m) for m in small_country.months}
    seen: dict[str, set[str]] = {}
    for d in small:
        contract = contracts[d.feed]
        assert d.entity == contract.owner
        assert contract.period_is_valid(d.period)
        seen.setdefault(d.feed, set()).add(d.period)
        assert d.table.schema.equals(arrow_schema(contract)), d.feed
        table = d.table.to_pandas()
        for column in contract.columns:
            values = table[column.name]
            if column.required:
                assert values.notna().all(), (d.feed, d.period, column.name)
            if column.allowed:
                assert set(values.dropna()) <= set(column.allowed), (d.feed, column.name)
            present = values.dropna()
            for bound, check in ((column.min, np.greater_equal), (column.max, np.less_equal)):
                if bound is None or present.empty:
                    continue
                if isinstance(bound, dt.date):
                    present = pd.to_datetime(present)
                    bound = pd.Timestamp(bound)
                assert check(present, bound).all(), (d.feed, column.name)
        if contract.primary_key:
            assert not table.duplicated(contract.primary_key).any(), (d.feed, d.period)
    assert seen == {feed: months for feed in FEEDS}


def test_generation_is_deterministic(small: list[Delivery], small_country: Country) -> None:
    again = justice_deliveries(simulate_country(**SMALL))
    assert [(d.feed, d.period) for d in again] == [(d.feed, d.period) for d in small]
    assert all(a.table.equals(b.table) for a, b in zip(again, small, strict=True))


def test_feeds_agree_with_each_other_and_the_country(story: dict[str, pd.DataFrame]) -> None:
    arrests, detentions = story["arrests"], story["detentions"]
    decisions = story["court_decisions"]
    districts = set(simulate_country(**{**SMALL, "end_year": 2016}).geo.district_codes)
    for frame in story.values():
        assert set(frame["district_code"]) <= districts
    # Children in conflict with the law are 10-17 on the day of the arrest.
    ages = age_on(
        arrests["date_of_birth"].to_numpy().astype("datetime64[D]").astype(np.int64),
        arrests["arrest_date"].to_numpy().astype("datetime64[D]").astype(np.int64),
    )
    assert ages.min() >= 10 and ages.max() <= 17
    # The same child: detentions and decisions use the arrests' child ids, sex and birth date.
    known = arrests.drop_duplicates("child_id").set_index("child_id")
    for frame in (detentions, decisions):
        linked = frame[frame["child_id"].isin(known.index)]
        assert len(linked) > 0.9 * len(frame)  # the rest: arrested during the run-in
        assert (known.loc[linked["child_id"], "sex"].to_numpy() == linked["sex"].to_numpy()).all()
    # A child's detention episodes never overlap; a transfer starts the next one the same day.
    ep = detentions.sort_values(["child_id", "detention_start"])
    same = ep["child_id"].to_numpy()[1:] == ep["child_id"].to_numpy()[:-1]
    prev_end = ep["release_date"].to_numpy()[:-1]
    start = ep["detention_start"].to_numpy()[1:]
    assert (pd.notna(prev_end[same]) & (prev_end[same] <= start[same])).all()
    # Released episodes say whether the child was referred; others never do.
    released = detentions["release_reason"].isin(
        ["released_without_charge", "bail", "diverted", "sentence_served", "acquitted"]
    )
    assert detentions.loc[released, "referred_to_aftercare"].notna().all()
    assert detentions.loc[~released, "referred_to_aftercare"].isna().all()
    sentenced = detentions["legal_status"] == "sentenced"
    assert (sentenced == detentions["sentence_date"].notna()).all()


def yearly(frame: pd.DataFrame, date: str) -> pd.Series:
    return frame.groupby(pd.to_datetime(frame[date]).dt.year).size()


def test_story_levels_and_trends(story: dict[str, pd.DataFrame]) -> None:
    country = simulate_country(**STORY)
    pop = country.population
    children_10_17 = pop[(pop["year"] == 2016) & pop["age"].between(10, 17)]["population"].sum()
    children = pop[(pop["year"] == 2016) & (pop["age"] <= 17)]["population"].sum()
    arrests = yearly(story["arrests"], "arrest_date")
    # About 360 arrests per 100 000 children aged 10-17 at first, falling.
    assert 280 < arrests[2016] / children_10_17 * 100_000 < 420
    assert arrests[2025] < 0.85 * arrests[2016]
    assert (story["arrests"]["sex"] == "M").mean() > 0.8
    decisions = story["court_decisions"]
    year = pd.to_datetime(decisions["decision_date"]).dt.year
    kind = decisions["decision_type"]
    sentences = kind.isin(["custodial_sentence", "non_custodial_sentence"])
    diversion = (kind == "diversion").groupby(year).sum() / (
        (kind == "diversion") | sentences
    ).groupby(year).sum()
    custodial = (kind == "custodial_sentence").groupby(year).sum() / sentences.groupby(year).sum()
    assert diversion[2016] < 0.3 < 0.45 < diversion[2025]  # diversion rising to about half
    assert custodial[2025] < custodial[2016] - 0.1  # fewer custodial sentences
    # Pre-sentence detention: fewer and shorter.
    det = story["detentions"]
    pre = det[det["sentence_date"].isna() | (det["sentence_date"] > det["detention_start"])]
    starts = yearly(pre, "detention_start")
    assert starts[2025] < 0.6 * starts[2017]
    # Not separated from adults: only in the provinces whose remand centres are adult wings.
    not_separated = det.loc[~det["facility_separated_from_adults"], "district_code"]
    provinces = {country.geo.district_province[country.geo.district_codes.index(d)]
                 for d in not_separated}  # fmt: skip
    assert provinces and provinces <= {2, 6, 9}
    # Victims and reports: plausible rates per 100 000 children, rising.
    victims = yearly(story["trafficking_victims"], "identified_date")
    assert 2 < victims[2016] / children * 100_000 < 8 and victims[2025] > victims[2016]
    reports = story["abuse_reports"]
    sexual = yearly(reports[reports["abuse_type"] == "sexual"], "report_date")
    assert 25 < sexual[2016] / children * 100_000 < 70 and sexual[2025] > 1.2 * sexual[2016]
    assert reports["victim_sex"].isna().mean() < 0.05


def test_direct_identifiers_are_filled(small: list[Delivery]) -> None:
    contracts = load_contracts()
    filled: dict[str, int] = {}
    for d in small:
        for name in contracts[d.feed].columns_with_privacy("direct_identifier"):
            column: pa.ChunkedArray = d.table.column(name)
            filled[f"{d.feed}.{name}"] = filled.get(f"{d.feed}.{name}", 0) + (
                len(column) - column.null_count
            )
    assert all(n > 0 for n in filled.values()), filled


def test_transfers_to_adult_prison_are_spread_after_the_18th_birthday(
    story: dict[str, pd.DataFrame],
) -> None:
    """Not on the 18th birthday itself: some days to a few months later, and some children stay
    until released (no episode of a child ends by reaching 18 at the same day)."""
    det = story["detentions"].dropna(subset=["release_date"])
    dob = det["date_of_birth"].to_numpy().astype("datetime64[D]").astype(np.int64)
    released = det["release_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    adult = age_on(dob, released) >= 18
    transferred = det["release_reason"].to_numpy() == "transferred"
    # transfers of adults (transfers of children go to a rehabilitation centre)
    to_adults = transferred & adult
    wait = released[to_adults] - birthday_18(dob[to_adults])
    assert to_adults.sum() > 30 and (wait >= 0).all()
    assert (wait == 0).mean() < 0.1
    assert 10 < np.median(wait) < 90 and wait.max() < 400
    # others stayed until released after turning 18
    stayed = adult & ~transferred & (det["release_reason"].to_numpy() != "died")
    assert 0.1 < stayed.sum() / (stayed.sum() + to_adults.sum()) < 0.5
