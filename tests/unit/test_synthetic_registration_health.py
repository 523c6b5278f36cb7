"""The registration and health feeds of the synthetic country: contracts, determinism, the story."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from cpmonitor.core.contracts import arrow_schema, load_contracts, period_bounds
from demo_country import feeds as generators
from demo_country.country import Country, simulate_country
from demo_country.delivery import Delivery, pick, str_ids
from demo_country.feeds.survey_estimates import survey_rounds
from expectations.cross_feed import SURVEY_TOTALS_CONSISTENT, run_cross_feed_rules

FEEDS = (
    "live_birth_estimates",
    "birth_registrations",
    "facility_child_protection",
    "survey_estimates",
)
SMALL = {"seed": 7, "scale": 0.05, "start_year": 2016, "end_year": 2021}


@pytest.fixture(scope="module")
def country() -> Country:
    return simulate_country(**SMALL)


def area_deliveries(country: Country) -> list[Delivery]:
    """Every delivery of the area's four feeds, in a stable order."""
    return generators.deliveries(
        country, load_contracts(), generators.SECTOR_FEEDS["registration_health"]
    )


@pytest.fixture(scope="module")
def deliveries(country: Country) -> list[Delivery]:
    return area_deliveries(country)


def frame(deliveries: list[Delivery], feed: str) -> pd.DataFrame:
    """Every delivered row of a feed, with its delivery period."""
    parts = [d.table.to_pandas().assign(_period=d.period) for d in deliveries if d.feed == feed]
    return pd.concat(parts, ignore_index=True)


def test_every_delivery_matches_its_contract(deliveries: list[Delivery]) -> None:
    contracts = load_contracts()
    assert {d.feed for d in deliveries} == set(FEEDS)
    for delivery in deliveries:
        contract = contracts[delivery.feed]
        assert delivery.entity == contract.owner
        assert contract.period_is_valid(delivery.period), delivery.period
        assert delivery.table.schema.equals(arrow_schema(contract)), delivery.feed
        assert delivery.table.num_rows > 0 or contract.allow_empty
        table = delivery.table.to_pandas()
        for column in contract.columns:
            values = table[column.name]
            if column.required:
                assert values.notna().all(), (delivery.feed, column.name)
            if column.allowed:
                assert set(values.dropna()) <= set(column.allowed), (delivery.feed, column.name)
            low, high = column.min, column.max
            present = values.dropna()
            if column.type == "date":
                present = pd.to_datetime(present).dt.date
                low = low.date() if isinstance(low, dt.datetime) else low
            if low is not None:
                assert (present >= low).all(), (delivery.feed, column.name)
            if high is not None:
                assert (present <= high).all(), (delivery.feed, column.name)
            if column.not_before:
                assert (values >= table[column.not_before]).all(), (delivery.feed, column.name)
        if contract.primary_key:
            assert not table.duplicated(contract.primary_key).any(), delivery.feed
        start, end = period_bounds(delivery.period, contract.frequency)
        for name in contract.period_columns:
            col = contract.column(name)
            if col.type == "integer":
                assert (table[name] == start.year).all()
            else:
                days = pd.to_datetime(table[name]).dt.date
                assert ((days >= start) & (days <= end)).all(), (delivery.feed, name)
        # no date after the file could have been delivered (the day after the period ends)
        for col in contract.columns:
            if col.type == "date" and len(table):
                assert pd.to_datetime(table[col.name]).max().date() <= end


def test_direct_identifiers_are_filled(deliveries: list[Delivery]) -> None:
    registrations = frame(deliveries, "birth_registrations")
    assert registrations["child_name"].notna().all()
    assert registrations["mother_name"].notna().all()
    assert registrations["registration_id"].is_unique
    assert registrations["child_id"].is_unique
    assert frame(deliveries, "facility_child_protection")["entered_by"].notna().all()


def test_generation_is_deterministic(country: Country, deliveries: list[Delivery]) -> None:
    again = area_deliveries(simulate_country(**SMALL))
    assert [(d.feed, d.period) for d in again] == [(d.feed, d.period) for d in deliveries]
    assert all(a.table.equals(b.table) for a, b in zip(again, deliveries, strict=True))


def test_deliveries_cover_the_country_years_and_districts(
    country: Country, deliveries: list[Delivery]
) -> None:
    months = {str(m) for m in country.months}
    for feed in ("birth_registrations", "facility_child_protection"):
        assert {d.period for d in deliveries if d.feed == feed} == months
    years = {str(y) for y in country.years}
    assert {d.period for d in deliveries if d.feed == "live_birth_estimates"} == years
    districts = set(country.geo.district_codes)
    for feed in ("live_birth_estimates", "birth_registrations", "facility_child_protection"):
        assert set(frame(deliveries, feed)["district_code"]) == districts, feed


def on_time_share_by_year(deliveries: list[Delivery]) -> pd.Series:
    """CR01 nationally per year, as the warehouse computes it (final estimates)."""
    reg = frame(deliveries, "birth_registrations")
    delay = (
        pd.to_datetime(reg["registration_date"]) - pd.to_datetime(reg["date_of_birth"])
    ).dt.days
    reg = reg.assign(year=pd.to_datetime(reg["registration_date"]).dt.year)
    on_time = reg[delay.between(0, 30)].groupby("year").size()
    est = frame(deliveries, "live_birth_estimates").sort_values("_period")
    est = est.drop_duplicates(["year", "district_code", "sex"], keep="last")
    return on_time / est.groupby("year")["estimated_live_births"].sum()


def test_birth_registration_story(country: Country, deliveries: list[Delivery]) -> None:
    share = on_time_share_by_year(deliveries)
    assert 0.45 < share.iloc[0] < 0.7
    assert 0.75 < share.iloc[-1] < 0.95
    assert share.is_monotonic_increasing or share.iloc[-1] - share.iloc[0] > 0.15
    # estimates follow the population aged 0
    est = frame(deliveries, "live_birth_estimates")
    first_year = est[(est["year"] == country.years[0]) & (est["_period"] == str(country.years[0]))]
    pop = country.population
    infants = pop[(pop["year"] == country.years[0]) & (pop["age"] == 0)]["population"].sum()
    assert first_year["estimated_live_births"].sum() / infants == pytest.approx(1.025, rel=0.02)


def test_cr01_never_passes_100_percent_in_any_district_month(deliveries: list[Delivery]) -> None:
    reg = frame(deliveries, "birth_registrations")
    registered = pd.to_datetime(reg["registration_date"])
    delay = (registered - pd.to_datetime(reg["date_of_birth"])).dt.days
    reg = reg.assign(year=registered.dt.year, month=registered.dt.to_period("M"))[
        delay.between(0, 30)
    ]
    counts = reg.groupby(["year", "month", "district_code", "sex"]).size().rename("n").reset_index()
    est = frame(deliveries, "live_birth_estimates").sort_values("_period")
    est = est.drop_duplicates(["year", "district_code", "sex"], keep="last")
    merged = counts.merge(est, on=["year", "district_code", "sex"])
    days = merged["month"].dt.days_in_month
    year_days = np.where(pd.to_datetime(merged["year"].astype(str)).dt.is_leap_year, 366, 365)
    assert (merged["n"] <= merged["estimated_live_births"] * days / year_days + 1e-9).all()


def test_facility_story(country: Country, deliveries: list[Delivery]) -> None:
    data = frame(deliveries, "facility_child_protection")
    data = data.assign(year=pd.to_datetime(data["reporting_month"]).dt.year)
    by_year = data.pivot_table(index="year", columns="data_element", values="value", aggfunc="sum")
    pep = by_year["post_exposure_care_within_72h"] / by_year["sexual_violence_survivors_presented"]
    assert 0.3 < pep.iloc[0] < pep.iloc[-1] < 0.9
    # care in time never exceeds the survivors presenting at any facility, month, sex and age
    key = ["facility_id", "reporting_month", "sex", "age_group"]
    wide = data.pivot_table(index=key, columns="data_element", values="value", aggfunc="sum")
    wide = wide.fillna(0)
    assert (
        wide["post_exposure_care_within_72h"] <= wide["sexual_violence_survivors_presented"]
    ).all()
    births = data[data["data_element"] == "live_births_to_girls_15_19"]
    assert set(births["sex"]) == {"F"} and set(births["age_group"]) == {"15-19"}
    violence = data[data["data_element"] != "live_births_to_girls_15_19"]
    assert set(violence["age_group"]) <= {"0-4", "5-9", "10-14", "15-17"}
    # adolescent births per 1,000 girls 15-19 (facility births) between 25 and 60, falling
    pop = country.population
    girls = pop[(pop["sex"] == "F") & pop["age"].between(15, 19)].groupby("year")["population"]
    abr = by_year["live_births_to_girls_15_19"] / girls.sum() * 1000
    assert 25 < abr.iloc[-1] < abr.iloc[0] < 60
    # children treated for violence: about 100-300 per 100,000 children a year
    children = pop[pop["age"] < 18].groupby("year")["population"].sum()
    rate = by_year["violence_cases_treated"] / children * 1e5
    assert ((rate > 100) & (rate < 300)).all()


def test_survey_rounds_inside_the_years_with_intervals(
    country: Country, deliveries: list[Delivery]
) -> None:
    assert survey_rounds(list(range(2016, 2026))) == [
        ("MICS", 2017),
        ("DHS", 2021),
        ("MICS", 2024),
    ]
    assert survey_rounds([2016, 2017]) == [("MICS", 2017)]
    surveys = frame(deliveries, "survey_estimates")
    assert set(surveys["survey_year"]) <= set(country.years)
    assert set(surveys["survey_name"]) == {
        "Teluvara MICS 2017",
        "Teluvara DHS 2019",
        "Teluvara MICS 2020",
    }
    assert (surveys["ci_lower"] <= surveys["estimate"]).all()
    assert (surveys["estimate"] <= surveys["ci_upper"]).all()
    # DHS does not measure violent discipline or child labour; CR04 is published for women only
    dhs = surveys[surveys["survey_name"].str.contains("DHS")]
    assert set(dhs["indicator_code"]) == {"CR02", "CR04"}
    assert set(surveys[surveys["indicator_code"] == "CR04"]["sex"]) == {"total"}
    national = surveys[(surveys["geo_level"] == "national") & (surveys["sex"] == "total")]
    provinces = surveys[(surveys["geo_level"] == "province") & (surveys["sex"] == "total")]
    for (name, code), row in national.set_index(["survey_name", "indicator_code"]).iterrows():
        prov = provinces[(provinces["survey_name"] == name) & (provinces["indicator_code"] == code)]
        assert len(prov) == len(country.geo.province_codes)
        assert prov["estimate"].min() <= row["estimate"] <= prov["estimate"].max()
        assert row["unweighted_base"] == prov["unweighted_base"].sum()
    # under-5 registration (any time) is above on-time registration in the same year
    cr02 = national[national["indicator_code"] == "CR02"].set_index("survey_year")["estimate"]
    share = on_time_share_by_year(deliveries)
    assert all(cr02[y] > 100 * share[y] for y in cr02.index)


def test_arrow_helpers() -> None:
    ids = str_ids("BR-", np.array([1, 42]), 4)
    assert ids.to_pylist() == ["BR-0001", "BR-0042"]
    assert pick(("a", "b"), np.array([1, 0, 1])).to_pylist() == ["b", "a", "b"]
    assert pick(("a", "b"), np.array([0])).type == pa.string()


def test_registration_delays_spread_without_pile_ups(deliveries: list[Delivery]) -> None:
    """On-time registrations spread over 0-30 days with no pile-up on the 30th (the legal limit),
    late ones over months and years with no pile-up on the cap."""
    reg = frame(deliveries, "birth_registrations")
    delay = (
        pd.to_datetime(reg["registration_date"]) - pd.to_datetime(reg["date_of_birth"])
    ).dt.days
    on_time = delay[delay <= 30].value_counts().sort_index()
    assert list(on_time.index) == list(range(31))
    assert (on_time.diff().dropna() <= 0.25 * on_time.iloc[0]).all()  # falling, no jump up
    assert on_time[30] <= 1.3 * on_time[29]
    assert on_time[30] < 0.01 * on_time.sum()
    late = delay[delay > 30]
    assert late.max() <= 31 + 6 * 365
    assert (late == late.max()).sum() <= 2
    assert late.between(31, 365).mean() > 0.6 and late.gt(365).mean() > 0.05


def test_survey_totals_lie_between_girls_and_boys_and_bases_add_up(
    deliveries: list[Delivery], tmp_path: Path
) -> None:
    surveys = frame(deliveries, "survey_estimates")
    by_sex = surveys.pivot_table(
        index=["survey_name", "indicator_code", "geo_code"],
        columns="sex",
        values=["estimate", "unweighted_base"],
    ).dropna()
    assert len(by_sex) > 50
    estimate, base = by_sex["estimate"], by_sex["unweighted_base"]
    low = np.minimum(estimate["F"], estimate["M"])
    high = np.maximum(estimate["F"], estimate["M"])
    assert ((low <= estimate["total"]) & (estimate["total"] <= high)).all()
    assert (base["total"] == base["F"] + base["M"]).all()
    assert (estimate["F"] != estimate["M"]).mean() > 0.9  # girls and boys differ
    # the build check on survey consistency agrees
    with duckdb.connect(str(tmp_path / "build.duckdb")) as con:
        con.execute("CREATE SCHEMA intermediate")
        con.register("frame", surveys.rename(columns={"sex": "sex_code"}))
        con.execute("CREATE TABLE intermediate.int_survey_estimates_deduplicated AS FROM frame")
        (result,) = run_cross_feed_rules(con, run_id="t", rules=(SURVEY_TOTALS_CONSISTENT,))
    assert (result.success, result.unexpected_count) == (True, 0)
