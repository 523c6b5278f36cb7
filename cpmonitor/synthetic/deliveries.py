"""Turn the simulated country into the files each ministry delivers, typed by the data contracts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from cpmonitor.core.contracts import Contract, arrow_schema, load_contracts
from cpmonitor.synthetic import names
from cpmonitor.synthetic.geography import Geography, build_geography
from cpmonitor.synthetic.institutions import NO_DATE, build_institutions
from cpmonitor.synthetic.placements import CARE_TYPES, OPEN, REASONS, simulate_placements
from cpmonitor.synthetic.population import district_weights, population_table


@dataclass(frozen=True)
class Delivery:
    """One file as a ministry would deliver it: who, which feed, which period, and the rows.

    ``delivered_on`` is when it arrived: a date (at 09:00 UTC) or a UTC datetime; None means the
    feed's usual day (``landing.delivered_at``). ``version`` 2, 3, ... is a later file for the same
    period (a corrected resubmission, named ``..._v2.parquet``). ``messiness`` says what is
    deliberately wrong with or special about the file (``messiness.py``), empty for a plain one.
    """

    entity: str
    feed: str
    period: str
    table: pa.Table
    delivered_on: dt.date | None = None
    version: int = 1
    messiness: str = ""

    @property
    def file_name(self) -> str:
        """``<entity>_<feed>_<period>.parquet``, or ``..._v<version>.parquet`` for a later file."""
        suffix = f"_v{self.version}" if self.version > 1 else ""
        return f"{self.entity}_{self.feed}_{self.period}{suffix}.parquet"

    @property
    def relative_path(self) -> Path:
        """``<entity>/<feed>/<period>/<file_name>`` under the landing dir."""
        return Path(self.entity, self.feed, self.period, self.file_name)


def table_from_columns(contract: Contract, columns: dict[str, object]) -> pa.Table:
    """A table with exactly the contract's columns and types (a missing column is an error)."""
    schema = arrow_schema(contract)
    arrays = []
    for f in schema:
        values = columns[f.name]
        if isinstance(values, np.ndarray) and values.dtype.kind == "i" and f.type == pa.date32():
            values = _dates(values)
        arrays.append(pa.array(values, type=f.type, from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=schema)


def _dates(days: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 (negative or ``NO_DATE`` sentinels mean no date) as datetime64[D]."""
    days = np.asarray(days, dtype=np.int64)
    missing = (days == OPEN) | (days >= NO_DATE)
    return np.where(
        missing, np.datetime64("NaT"), np.where(missing, 0, days).astype("datetime64[D]")
    )


def _rng(seed: int, stream: int) -> np.random.Generator:
    """An independent, reproducible random stream per part of the country."""
    return np.random.Generator(np.random.PCG64([seed, stream]))


def _day(text: str) -> int:
    return int(np.datetime64(text, "D").astype(np.int64))


def admin_units_delivery(contract: Contract, geo: Geography, period: str) -> Delivery:
    """Provinces then districts, with their GeoJSON boundaries."""
    parents = [geo.province_codes[p] for p in geo.district_province]
    table = table_from_columns(
        contract,
        {
            "unit_code": geo.province_codes + geo.district_codes,
            "unit_name": geo.province_names + geo.district_names,
            "level": ["province"] * len(geo.province_codes)
            + ["district"] * len(geo.district_codes),
            "parent_code": [None] * len(geo.province_codes) + parents,
            "boundary_geojson": geo.province_geojson + geo.district_geojson,
        },
    )
    return Delivery(contract.owner, contract.feed, period, table)


def institution_deliveries(
    contract: Contract,
    rng: np.random.Generator,
    geo: Geography,
    institutions: pd.DataFrame,
    years: list[int],
) -> list[Delivery]:
    """One full register per year: every institution opened by 31 December, closure if known then.

    Each year some capacities are revised after inspection and some unregistered institutions
    register, so yearly registers differ as real ones do.
    """
    deliveries = []
    capacity = institutions["capacity"].copy()
    registered = institutions["registered"].to_numpy().copy()
    for year in years:
        revised = rng.random(len(capacity)) < 0.15
        factor = rng.uniform(0.85, 1.1, len(capacity))
        capacity = capacity.where(
            ~revised, (capacity.astype("Float64") * factor).round().clip(8, 300).astype("Int64")
        )
        registered = registered | (rng.random(len(registered)) < 0.12)
        year_end = _day(f"{year}-12-31")
        known = institutions.assign(capacity=capacity, registered=registered)
        known = known[known["opened"] <= year_end]
        closed = known["closed"].to_numpy()
        table = table_from_columns(
            contract,
            {
                "institution_id": known["institution_id"].tolist(),
                "institution_name": known["institution_name"].tolist(),
                "district_code": [geo.district_codes[d] for d in known["district"]],
                "institution_type": known["institution_type"].tolist(),
                "ownership": known["ownership"].tolist(),
                "registered": known["registered"].tolist(),
                "capacity": known["capacity"],
                "opened_date": known["opened"].to_numpy(),
                "closed_date": np.where(closed <= year_end, closed, NO_DATE),
                "contact_phone": known["contact_phone"].tolist(),
            },
        )
        deliveries.append(Delivery(contract.owner, contract.feed, str(year), table))
    return deliveries


def placement_deliveries(
    contract: Contract,
    rng: np.random.Generator,
    geo: Geography,
    institutions: pd.DataFrame,
    children: pd.DataFrame,
    episodes: pd.DataFrame,
    first_month: np.datetime64,
    n_months: int,
) -> list[Delivery]:
    """Monthly extracts: episodes that started or ended in the month (the first also holds the
    episodes open at its start). An episode open at month end is delivered without its end.

    ``has_birth_certificate`` is as known at the end of the delivery's month. Each child's
    certificate is recorded on one day (``birth_certificate_date``): the first day the practice
    curve ``story.BIRTH_CERTIFICATE`` of the province of the child's first placement (with its
    offset) exceeds the child's draw, and never before that first placement starts (a child
    documented before entering care has it recorded when the file is opened); some children
    never get one. A child once documented stays documented. 4% of rows leave the certificate
    unrecorded; for 3% of documented children the date was not recorded (their rows say true
    without a date)."""
    from cpmonitor.synthetic import story
    from cpmonitor.synthetic.care_episodes import NEVER, first_day_above, ordered_episodes

    ep = ordered_episodes(episodes)
    start_month = (
        ep["start"].to_numpy().astype("datetime64[D]").astype("datetime64[M]") - first_month
    ).astype(np.int64)
    ended = ep["end"].to_numpy() != OPEN
    end_days = np.where(ended, ep["end"].to_numpy(), 0)
    end_month = np.where(
        ended,
        (end_days.astype("datetime64[D]").astype("datetime64[M]") - first_month).astype(np.int64),
        -1,
    )
    ep["start_month"] = np.maximum(start_month, 0)
    ep["end_month"] = end_month

    kids = children.set_index("child")
    female = kids["female"].to_numpy()
    child_names = names.child_names(rng, female)

    # an episode that ended before the first month was never open in a delivered month
    gone = ended & (end_month < 0)
    opened = ep[(ep["start_month"] != ep["end_month"]) & ~gone]
    opened = opened.assign(period=lambda d: d["start_month"])
    opened = opened.assign(end=OPEN, reason=-1)
    closed = ep[ended & ~gone].assign(period=lambda d: d["end_month"])
    rows = pd.concat([opened, closed], ignore_index=True)
    rows = rows.sort_values(["period", "placement_id"], ignore_index=True)

    notes = np.empty(len(rows), dtype=object)
    reason = rows["reason"].to_numpy()
    admission = np.asarray(names.NOTES_ADMISSION, dtype=object)
    notes[reason == -1] = admission[rng.integers(0, len(admission), int((reason == -1).sum()))]
    for code, text in enumerate(REASONS):
        pool = np.asarray(names.NOTES_EXIT[text], dtype=object)
        hit = reason == code
        notes[hit] = pool[rng.integers(0, len(pool), int(hit.sum()))]
    notes[notes == ""] = None

    child = rows["child"].to_numpy()
    inst = rows["institution"].to_numpy()
    inst_ids = institutions["institution_id"].to_numpy(dtype=object)
    district_codes = np.asarray(geo.district_codes, dtype=object)
    columns = {
        "placement_id": rows["placement_id"].to_numpy(dtype=object),
        "child_id": np.asarray([f"CH-{c + 1:07d}" for c in child], dtype=object),
        "child_name": child_names[child],
        "sex": np.where(female[child], "F", "M").astype(object),
        "date_of_birth": kids["dob"].to_numpy()[child],
        "disability": kids["disability"].to_numpy(dtype=object, na_value=None)[child],
        "care_type": np.asarray(CARE_TYPES, dtype=object)[rows["care_type"].to_numpy()],
        "institution_id": np.where(inst >= 0, inst_ids[np.maximum(inst, 0)], None),
        "district_code": district_codes[rows["district"].to_numpy()],
        "start_date": rows["start"].to_numpy(),
        "end_date": rows["end"].to_numpy(),
        "exit_reason": np.where(
            reason >= 0, np.asarray(REASONS, dtype=object)[np.maximum(reason, 0)], None
        ),
        "caseworker_notes": notes,
    }
    month_end = (first_month + rows["period"].to_numpy() + 1).astype("datetime64[D]").astype(
        np.int64
    ) - 1
    baseline_day = int(first_month.astype("datetime64[D]").astype(np.int64)) - 1
    draw = rng.random(len(female))  # each child's draw against the practice curve
    unrecorded = rng.random(len(rows)) < 0.04
    no_date = rng.random(len(female)) < 0.03
    # the child's first placement (``ep`` is in start order): its province and start day
    first = ep.drop_duplicates("child")
    first_child = first["child"].to_numpy()
    child_province = np.zeros(len(female), dtype=np.int64)
    child_province[first_child] = np.asarray(geo.district_province, dtype=np.int64)[
        first["district"].to_numpy()
    ]
    first_start = np.full(len(female), NEVER, dtype=np.int64)
    first_start[first_child] = first["start"].to_numpy()
    certified = first_day_above(story.BIRTH_CERTIFICATE, draw, baseline_day, child_province)
    certified = np.where(certified < NEVER, np.maximum(certified, first_start), NEVER)
    documented = certified[child] <= month_end
    columns["has_birth_certificate"] = np.where(unrecorded, None, documented).astype(object)
    dated = documented & ~unrecorded & ~no_date[child]
    columns["birth_certificate_date"] = np.where(dated, certified[child], NO_DATE)
    bounds = np.searchsorted(rows["period"].to_numpy(), np.arange(n_months + 1))
    deliveries = []
    for m in range(n_months):
        part = slice(bounds[m], bounds[m + 1])
        table = table_from_columns(contract, {k: v[part] for k, v in columns.items()})
        period = str(first_month + m)
        deliveries.append(Delivery(contract.owner, contract.feed, period, table))
    return deliveries


@dataclass(frozen=True)
class Country:
    """The simulated country every sector's feeds are drawn from, so feeds agree with each other
    (a child placed in care is the same child in the placements and the case-management feeds)."""

    seed: int
    scale: float
    years: list[int]
    baseline_day: int  # days since 1970-01-01 of the care-reform baseline (31 Dec before start)
    first_month: np.datetime64
    months: np.ndarray  # datetime64[M], every reporting month
    geo: Geography
    weights: np.ndarray  # relative child population of each district
    population: pd.DataFrame  # year, district_code, sex, age, population
    institutions: pd.DataFrame
    children: pd.DataFrame  # children who have been in formal care (simulate_placements)
    episodes: pd.DataFrame  # their placement episodes

    def rng(self, stream: int) -> np.random.Generator:
        """An independent reproducible random stream; each sector uses its own stream numbers."""
        return _rng(self.seed, stream)


def simulate_country(seed: int, scale: float, start_year: int, end_year: int) -> Country:
    """Simulate the demo country once (pure: no files are touched)."""
    if scale <= 0:
        raise ValueError(f"scale must be above 0 (1.0 is the full-size country), got {scale}")
    if end_year < start_year:
        raise ValueError(f"end_year {end_year} is before start_year {start_year}")
    years = list(range(start_year, end_year + 1))
    baseline_day = _day(f"{start_year - 1}-12-31")
    geo = build_geography(_rng(seed, 1))
    weights = district_weights(_rng(seed, 2), geo)
    population = population_table(_rng(seed, 3), geo, weights, years, scale)
    institutions = build_institutions(_rng(seed, 4), geo, weights, scale, baseline_day)
    first_month = np.datetime64(f"{start_year}-01", "M")
    months = np.arange(first_month, np.datetime64(f"{end_year}-12", "M") + 1)
    placements = simulate_placements(
        _rng(seed, 5), geo, weights, institutions, scale, baseline_day, months
    )
    return Country(
        seed=seed,
        scale=scale,
        years=years,
        baseline_day=baseline_day,
        first_month=first_month,
        months=months,
        geo=geo,
        weights=weights,
        population=population,
        institutions=institutions,
        children=placements.children,
        episodes=placements.episodes,
    )


def care_reform_deliveries(country: Country, contracts: dict[str, Contract]) -> list[Delivery]:
    """Boundaries, population, the institutions register and the placements of the care slice."""
    start_year = country.years[0]
    deliveries = [admin_units_delivery(contracts["admin_units"], country.geo, str(start_year))]
    pop_contract = contracts["population"]
    for year in country.years:
        part = country.population[country.population["year"] == year]
        table = table_from_columns(
            pop_contract, {c: part[c].to_numpy() for c in pop_contract.column_names}
        )
        deliveries.append(Delivery(pop_contract.owner, pop_contract.feed, str(year), table))
    deliveries += institution_deliveries(
        contracts["care_institutions"],
        _rng(country.seed, 7),
        country.geo,
        country.institutions,
        country.years,
    )
    deliveries += placement_deliveries(
        contracts["placements"],
        _rng(country.seed, 6),
        country.geo,
        country.institutions,
        country.children,
        country.episodes,
        country.first_month,
        len(country.months),
    )
    return deliveries


def build_deliveries(
    seed: int, scale: float, start_year: int, end_year: int, *, messy: bool = True
) -> list[Delivery]:
    """Every delivery of the demo country, in a stable order (pure: no files are touched).

    The care-reform feeds first, then each sector module's feeds (``cpmonitor.synthetic.sectors``),
    then, unless ``messy`` is false, what goes wrong in real deliveries: arrival times spread,
    resubmissions, rejected rows, refused and late files (``cpmonitor.synthetic.messiness``).
    """
    from cpmonitor.synthetic.messiness import add_messiness
    from cpmonitor.synthetic.sectors import SECTORS

    country = simulate_country(seed, scale, start_year, end_year)
    contracts = load_contracts()
    deliveries = care_reform_deliveries(country, contracts)
    for sector in SECTORS:
        deliveries += sector.deliveries(country, contracts)
    return add_messiness(country, deliveries) if messy else deliveries
