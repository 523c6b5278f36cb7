"""mosa ``cash_transfer_households``: the Ministry of Social Affairs' cash transfer register, a
snapshot every quarter, for SS08. Random stream 520.

The child cash transfer started before the first delivery in the poorer rural provinces. The
share of children living in enrolled households grows in every province from its starting level
towards about 2.4 times that level ten years on (nationally from about 5% to about 12%, short of
the 20% target); the capital starts lowest. Households stay enrolled about six years on average
(exits are spread evenly in time); each quarter just enough households enrol to follow the
province's curve. Each snapshot lists every household enrolled at any time during the quarter,
with its exit date and reason when it left by the end of the quarter.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from cpmonitor.core.contracts import Contract
from demo_country import names
from demo_country.country import Country
from demo_country.delivery import Delivery, table_from_columns
from demo_country.sectors.care.institutions import DAYS_PER_YEAR
from demo_country.sectors.services import story


def _households(rng: np.random.Generator, country: Country) -> pd.DataFrame:
    """Every household ever enrolled: district, enrolment and exit days (days since 1970)."""
    geo = country.geo
    district_province = np.asarray(geo.district_province)
    n_prov = len(geo.province_codes)
    pop = country.population[country.population["age"] <= 17]
    by_year_district = pop.groupby(["year", "district_code"])["population"].sum()
    codes = list(geo.district_codes)
    quarter_starts = np.arange(
        country.first_month, country.months[-1] + 1, 3, dtype="datetime64[M]"
    ).astype("datetime64[D]")
    exit_rate = 1 / (story.MEAN_YEARS_ENROLLED * DAYS_PER_YEAR)
    # poorer districts of a province have more enrolled households
    poverty = rng.lognormal(0.0, 0.3, len(codes))

    frames = []
    for p in range(n_prov):
        members = np.nonzero(district_province == p)[0]
        first_pop = by_year_district.loc[country.years[0]].reindex([codes[d] for d in members])
        w = first_pop.to_numpy(dtype=float) * poverty[members]
        w /= w.sum()

        def target(day: int, p: int = p, members: np.ndarray = members) -> float:
            year = int(np.datetime64(int(day), "D").astype("datetime64[Y]").astype(int) + 1970)
            year = min(max(year, country.years[0]), country.years[-1])
            children = by_year_district.loc[year].reindex([codes[d] for d in members]).sum()
            t = (day - country.baseline_day) / DAYS_PER_YEAR
            return story.coverage(p, t) * children / story.MEAN_CHILDREN

        # enrolled at baseline: enrolled over the three years before, exits from baseline on
        n0 = rng.poisson(target(country.baseline_day))
        enrol = country.baseline_day - rng.integers(0, int(3 * DAYS_PER_YEAR), n0)
        exits = country.baseline_day + rng.exponential(1 / exit_rate, n0)
        parts = [(enrol, exits)]
        stock = float(n0)
        for q, start in enumerate(quarter_starts):
            start_day = int(start.astype(np.int64))
            end = quarter_starts[q + 1] if q + 1 < len(quarter_starts) else start + 91
            length = int((end - start).astype(np.int64))
            end_day = start_day + length - 1
            stock *= np.exp(-exit_rate * length)
            need = max(target(end_day) - stock, 0.0)
            n = rng.poisson(need)
            enrol = start_day + rng.integers(0, length, n)
            exits = enrol + rng.exponential(1 / exit_rate, n)
            parts.append((enrol, exits))
            stock += n
        enrol = np.concatenate([e for e, _ in parts]).astype(np.int64)
        exits = np.floor(np.concatenate([x for _, x in parts])).astype(np.int64)
        frames.append(
            pd.DataFrame(
                {
                    "district": rng.choice(members, len(enrol), p=w),
                    "enrolled": enrol,
                    "exit": np.maximum(exits, enrol + 1),
                }
            )
        )
    households = pd.concat(frames, ignore_index=True)
    households = households.sort_values(["enrolled", "district"], kind="stable", ignore_index=True)
    n = len(households)
    children = np.minimum(1 + rng.poisson(story.MEAN_CHILDREN - 1, n), 12)
    children[rng.random(n) < 0.02] = 0  # children grown up, exit not yet processed
    households["children"] = children
    households["reason"] = rng.choice(len(story.EXIT_REASONS), n, p=story.EXIT_WEIGHTS)
    households["village"] = rng.integers(1, 41, n)
    return households


def generate(country: Country, contract: Contract) -> list[Delivery]:
    """One register snapshot per quarter (see the module docstring)."""
    rng = country.rng(520)
    hh = _households(rng, country)
    n = len(hh)
    codes = np.asarray(country.geo.district_codes, dtype=object)
    district = codes[hh["district"].to_numpy()]
    heads = names.child_names(rng, rng.random(n) < 0.6)
    phones = np.asarray(names.phone_numbers(rng, n), dtype=object)
    phones[rng.random(n) < 0.3] = None
    enrolled = hh["enrolled"].to_numpy()
    exits = hh["exit"].to_numpy()
    reasons = np.asarray(story.EXIT_REASONS, dtype=object)[hh["reason"].to_numpy()]
    base = table_from_columns(
        contract,
        {
            "household_id": np.asarray([f"CT-{i + 1:07d}" for i in range(n)], dtype=object),
            "head_of_household_name": heads,
            "head_of_household_phone": phones,
            "district_code": district,
            "village_code": np.asarray(
                [f"{d}-{v:03d}" for d, v in zip(district, hh["village"], strict=True)],
                dtype=object,
            ),
            "enrolled_date": enrolled,
            "exit_date": np.full(n, -1),
            "exit_reason": np.full(n, None, dtype=object),
            "children_in_household": hh["children"].to_numpy(),
        },
    )
    exit_index = base.schema.get_field_index("exit_date")
    reason_index = base.schema.get_field_index("exit_reason")
    deliveries = []
    for q in range(0, len(country.months), 3):
        start_day = int(country.months[q].astype("datetime64[D]").astype(np.int64))
        end_day = int((country.months[q] + 3).astype("datetime64[D]").astype(np.int64)) - 1
        listed = (enrolled <= end_day) & (exits >= start_day)
        left = exits <= end_day
        shown = left[listed]
        exit_days = np.where(shown, exits[listed], 0).astype("datetime64[D]")
        exit_dates = np.where(shown, exit_days, np.datetime64("NaT"))
        snapshot = base.filter(listed)
        snapshot = snapshot.set_column(
            exit_index, "exit_date", pa.array(exit_dates, type=pa.date32(), from_pandas=True)
        )
        snapshot = snapshot.set_column(
            reason_index,
            "exit_reason",
            pa.array(np.where(shown, reasons[listed], None), type=pa.string()),
        )
        month = country.months[q]
        year = int(month.astype("datetime64[Y]").astype(int) + 1970)
        period = f"{year}-Q{q % 12 // 3 + 1}"
        deliveries.append(Delivery(contract.owner, contract.feed, period, snapshot))
    return deliveries
