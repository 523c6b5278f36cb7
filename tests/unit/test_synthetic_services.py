"""The services feeds of the synthetic country: contract validity, determinism, the story, and
the two planned imperfections (a late school census, a province missing one labour month)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from cpmonitor.core.contracts import arrow_schema, load_contracts
from demo_country import feeds as generators
from demo_country.country import Country, simulate_country
from demo_country.delivery import Delivery, delivered_at
from demo_country.sectors.services.story import late_census_year, missing_province_month

SMALL = {"seed": 11, "scale": 0.05, "start_year": 2016, "end_year": 2019}
FEEDS = ("school_census", "labour_inspections", "labour_office_reports", "cash_transfer_households")


def services_deliveries(country: Country) -> list[Delivery]:
    return generators.deliveries(country, load_contracts(), FEEDS)


@pytest.fixture(scope="module")
def country() -> Country:
    return simulate_country(**SMALL)


@pytest.fixture(scope="module")
def files(country: Country) -> list[Delivery]:
    return services_deliveries(country)


def frame(files: list[Delivery], feed: str) -> pd.DataFrame:
    """Every delivered row of a feed with its period."""
    parts = [d.table.to_pandas().assign(_period=d.period) for d in files if d.feed == feed]
    return pd.concat(parts, ignore_index=True)


def test_every_file_matches_its_contract(files: list[Delivery], country: Country) -> None:
    contracts = load_contracts()
    districts = set(country.geo.district_codes)
    assert {d.feed for d in files} == set(FEEDS)
    for delivery in files:
        contract = contracts[delivery.feed]
        where = (delivery.feed, delivery.period)
        assert delivery.entity == contract.owner, where
        assert contract.period_is_valid(delivery.period), where
        assert delivery.table.schema.equals(arrow_schema(contract)), where
        table = delivery.table.to_pandas()
        for column in contract.columns:
            values = table[column.name]
            if column.required:
                assert values.notna().all(), (where, column.name)
            present = values.dropna()
            if column.allowed:
                assert set(present) <= set(column.allowed), (where, column.name)
            for bound, check in ((column.min, np.greater_equal), (column.max, np.less_equal)):
                if bound is not None and len(present):
                    limit = pd.Timestamp(bound).date() if column.type == "date" else bound
                    assert check(present, limit).all(), (where, column.name, bound)
        assert not table.duplicated(contract.primary_key).any(), where
        if "district_code" in table:
            assert set(table["district_code"]) <= districts, where
        else:  # the register of provincial labour offices
            assert set(table["province_code"]) <= set(country.geo.province_codes), where
        for name in contract.columns_with_privacy("direct_identifier"):
            assert table[name].notna().any() or table.empty, (where, name)


def test_delivery_calendar(files: list[Delivery], country: Country) -> None:
    periods = {feed: [d.period for d in files if d.feed == feed] for feed in FEEDS}
    assert periods["school_census"] == [str(y) for y in country.years]
    assert periods["labour_inspections"] == [str(m) for m in country.months]
    assert periods["cash_transfer_households"] == [
        f"{y}-Q{q}" for y in country.years for q in range(1, 5)
    ]
    # census rows belong to the school year ending in the delivery's year
    census = frame(files, "school_census")
    assert (census["school_year_end"].astype(str) == census["_period"]).all()


def test_generation_is_deterministic(files: list[Delivery], country: Country) -> None:
    again = services_deliveries(simulate_country(**SMALL))
    assert [(d.feed, d.period) for d in again] == [(d.feed, d.period) for d in files]
    for a, b in zip(again, files, strict=True):
        assert a.table.equals(b.table), (a.feed, a.period)
        assert a.delivered_on == b.delivered_on


def test_one_census_arrives_late(files: list[Delivery], country: Country) -> None:
    late = [d for d in files if d.delivered_on is not None]
    year = late_census_year(country.years)
    assert year == 2018
    assert [(d.feed, d.period) for d in late] == [("school_census", str(year))]
    due = dt.date(year, 12, 31) + dt.timedelta(days=load_contracts()["school_census"].due_days)
    assert late[0].delivered_on == dt.date(year + 1, 10, 2)
    assert (late[0].delivered_on - due).days > 180
    assert delivered_at(late[0]).date() == late[0].delivered_on


def test_one_province_misses_one_labour_month(files: list[Delivery], country: Country) -> None:
    province, month = missing_province_month(country.years)
    assert (province, month) == (9, "2018-08")
    codes = np.asarray(country.geo.district_codes)
    in_province = set(codes[np.asarray(country.geo.district_province) == province])
    rows = frame(files, "labour_inspections")
    by_month = rows[rows["district_code"].isin(in_province)].groupby("_period").size()
    assert month not in by_month.index  # the missing report
    assert by_month.get("2018-07", 0) > 0 and by_month.get("2018-09", 0) > 0
    # the other provinces did report that month (at this small scale a few have no inspection)
    august = rows[rows["_period"] == month]
    provinces = {country.geo.district_province[list(codes).index(c)] for c in august.district_code}
    assert province not in provinces and len(provinces) >= 6
    # ... and the month's register of office reports says so: every office but province 10's,
    # each received one to three days after the month ended; other months list every office
    register = frame(files, "labour_office_reports")
    listed = register.groupby("_period")["province_code"].apply(set)
    every = set(country.geo.province_codes)
    assert listed[month] == every - {country.geo.province_codes[province]}
    assert all(listed[m] == every for m in listed.index if m != month)
    assert len(listed) == len(country.months)
    lag = (
        pd.to_datetime(register["report_received_date"])
        - pd.to_datetime(register["_period"]).dt.to_period("M").dt.to_timestamp("M")
    ).dt.days
    assert lag.between(1, 3).all()


def test_labour_counts_nest_and_story(files: list[Delivery]) -> None:
    rows = frame(files, "labour_inspections")
    assert (rows["children_withdrawn_and_referred"] <= rows["children_withdrawn_worst_forms"]).all()
    assert (rows["children_withdrawn_and_referred"] <= rows["children_referred_to_services"]).all()
    assert (rows["children_withdrawn_worst_forms"] <= rows["child_workers_found"]).all()
    assert (rows["children_referred_to_services"] <= rows["child_workers_found"]).all()
    year = pd.to_datetime(rows["inspection_date"]).dt.year
    share = (rows["child_workers_found"] > 0).groupby(year).mean()
    assert 0.08 < share[2016] < 0.35
    assert share[2019] < share[2016]  # fewer inspections find children
    referred = rows.groupby(year)[
        ["children_withdrawn_and_referred", "children_withdrawn_worst_forms"]
    ].sum()
    rate = referred.iloc[:, 0] / referred.iloc[:, 1]
    assert rate[2019] > rate[2016]  # more withdrawn children referred
    # some inspections of a month's last week are delivered in the next month's file
    recorded_late = pd.to_datetime(rows["inspection_date"]).dt.strftime("%Y-%m") < rows["_period"]
    assert 0 < recorded_late.mean() < 0.1
    assert rows["inspection_id"].is_unique


def test_school_dropout_story(files: list[Delivery], country: Country) -> None:
    census = frame(files, "school_census")
    lower = census[census["grade"] <= 9]
    sums = lower.groupby(["school_year_end", "sex"])[
        ["left_without_completing", "enrolled_at_start"]
    ].sum()
    rate = sums.iloc[:, 0] / sums.iloc[:, 1]
    assert 0.04 < rate[(2016, "F")] < 0.12
    assert rate[(2016, "M")] > rate[(2016, "F")]  # boys drop out more
    assert rate[(2019, "F")] < rate[(2016, "F")]  # dropout falls
    parts = ["transferred_out", "left_without_completing", "completed_year"]
    assert (census[parts].sum(axis=1) == census["enrolled_at_start"]).all()
    # enrolment is about three quarters of the children of lower-secondary age
    pop = country.population
    age = pop[(pop["year"] == 2016) & pop["age"].between(12, 14)]["population"].sum()
    enrolled = lower[lower["school_year_end"] == 2016]["enrolled_at_start"].sum()
    assert 0.6 < enrolled / age < 0.85


def test_cash_transfer_coverage_rises(files: list[Delivery], country: Country) -> None:
    rows = frame(files, "cash_transfer_households")
    latest = rows.groupby("household_id").tail(1)  # snapshots are in period order
    enrolled = pd.to_datetime(latest["enrolled_date"])
    exits = pd.to_datetime(latest["exit_date"])
    pop = country.population[country.population["age"] <= 17]
    province_of = dict(
        zip(
            country.geo.district_codes,
            [country.geo.province_codes[p] for p in country.geo.district_province],
            strict=True,
        )
    )

    def coverage(day: str) -> pd.Series:
        on = pd.Timestamp(day)
        alive = latest[(enrolled <= on) & (exits.isna() | (exits > on))]
        kids = alive.groupby(alive["district_code"].map(province_of))["children_in_household"]
        year_pop = pop[pop["year"] == on.year]
        children = year_pop.groupby(year_pop["district_code"].map(province_of))["population"]
        by_province = kids.sum() / children.sum()
        by_province["NAT"] = kids.sum().sum() / children.sum().sum()
        return by_province

    start, end = coverage("2016-03-31"), coverage("2019-12-31")
    assert 0.03 < start["NAT"] < 0.08
    assert end["NAT"] > start["NAT"] * 1.3  # the programme expands
    assert start["01"] == start.drop("NAT").min()  # the capital has the lowest coverage
    # each snapshot lists households enrolled during its quarter, exits within the quarter
    q = rows[rows["_period"] == "2017-Q2"]
    assert (pd.to_datetime(q["enrolled_date"]) <= pd.Timestamp("2017-06-30")).all()
    shown = pd.to_datetime(q["exit_date"]).dropna()
    assert shown.between(pd.Timestamp("2017-04-01"), pd.Timestamp("2017-06-30")).all()
    assert q["exit_reason"].notna().sum() == len(shown)


def test_tables_are_arrow_typed(files: list[Delivery]) -> None:
    census = next(d for d in files if d.feed == "school_census")
    assert census.table.schema.field("grade").type == pa.int64()
