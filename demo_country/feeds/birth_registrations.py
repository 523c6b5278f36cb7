"""civreg ``birth_registrations``: the civil register's monthly extracts of births registered,
on time or late, against the statistics office's estimates of births
(``demo_country.sectors.registration_health``). Random stream 402."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cpmonitor.core.contracts import Contract
from demo_country import names
from demo_country.codes import allowed, check
from demo_country.country import Country
from demo_country.delivery import Delivery, arrow_table, pick, sliced_monthly, str_ids
from demo_country.sectors.registration_health import simulation, story

SEXES = check("birth_registrations", "sex", ("F", "M"))  # in the order of the estimates' sexes
PLACES = allowed("birth_registrations", "place_of_birth")
FACILITY, HOME, OTHER_PLACE = (PLACES.index(p) for p in ("health_facility", "home", "other"))


def generate(country: Country, contract: Contract) -> list[Delivery]:
    """Monthly extracts of the civil register: births registered in the month.

    On-time registrations (0-30 days after birth) per district, sex and month follow the national
    on-time share with province differences that narrow over time; their number never exceeds the
    month's share of the estimated births (so CR01 stays a share). Late registrations (31 days to
    6 years after birth) come from births missed earlier.
    """
    rng = country.rng(402)
    estimates = simulation.estimates(country)
    geo = country.geo
    months = country.months
    n_months, n_districts = len(months), len(geo.district_codes)
    month_start, month_len = _month_days(months)
    year_index = months.astype("datetime64[Y]").astype(np.int64) + 1970 - country.years[0]
    year_len = np.array([_year_days(country.years[0] + int(i)) for i in year_index])
    expected = (
        _estimate_cube(country, estimates)[year_index] * (month_len / year_len)[:, None, None]
    )

    t = year_index + (np.arange(n_months) % 12 + 0.5) / 12
    span = max(len(country.years), 1)
    province = np.asarray(geo.district_province)
    offset = np.asarray(story.PROVINCE_REGISTRATION)[province][None, :] * (
        1 - 0.4 * t[:, None] / span
    )
    share = np.clip(
        story.on_time_share(t)[:, None] + offset + rng.normal(0.0, 0.03, n_districts)[None, :],
        0.15,
        0.95,
    )[:, :, None]
    # births of the month: the expected number, stochastically rounded (the estimate is good)
    births = np.floor(expected).astype(np.int64) + (rng.random(expected.shape) < expected % 1)
    on_time = np.minimum(rng.binomial(births, share), np.floor(expected).astype(np.int64))
    late = rng.poisson(expected * story.LATE_SHARE_OF_MISSED * (1 - share))

    cells = np.arange(on_time.size)
    cell = np.concatenate([np.repeat(cells, on_time.ravel()), np.repeat(cells, late.ravel())])
    is_late = np.concatenate([np.zeros(on_time.sum(), dtype=bool), np.ones(late.sum(), dtype=bool)])
    m, d, s = np.unravel_index(cell, on_time.shape)
    n = len(cell)
    registered = month_start[m] + (rng.random(n) * month_len[m]).astype(np.int64)
    on_time_delay = _truncated_geometric(rng, 1 / 9, story.LEGAL_PERIOD_DAYS, n)
    late_delay = story.LEGAL_PERIOD_DAYS + 1 + _late_delay(rng, n)
    born = registered - np.where(is_late, late_delay, on_time_delay)
    born = np.maximum(born, int(np.datetime64("2000-01-01", "D").astype(np.int64)))

    order = np.argsort(registered, kind="stable")  # by day, then district and sex
    m, d, s, registered, born, is_late = (a[order] for a in (m, d, s, registered, born, is_late))

    reg_year = (registered.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)) + 1970
    first_of_year = np.searchsorted(reg_year, reg_year)
    seq = np.arange(n) - first_of_year + 1
    registration_id = pc.binary_join_element_wise(
        "BR-", pc.cast(pa.array(reg_year), pa.string()), "-", str_ids("", seq, 7), ""
    )
    child_id = str_ids("PIN", rng.permutation(n) + 1, 10)

    facility = story.facility_birth_share(t[m]) - np.where(is_late, 0.2, -0.03)
    draw = rng.random(n)
    place = np.where(draw < 0.01, OTHER_PLACE, np.where(draw < facility, FACILITY, HOME))
    offices = rng.integers(1, 4, n_districts)
    office = rng.integers(0, 3, n) % offices[d]
    office_codes = [f"RO-{code}-{k + 1}" for code in geo.district_codes for k in range(3)]

    female = s == 0
    columns = {
        "registration_id": registration_id,
        "child_id": child_id,
        "child_name": names.full_names(rng, female),
        "mother_name": names.full_names(rng, np.ones(n, dtype=bool)),
        "sex": pick(SEXES, s),
        "date_of_birth": born,
        "place_of_birth": pick(PLACES, place),
        "registration_date": registered,
        "district_code": pick(geo.district_codes, d),
        "registrar_office": pick(office_codes, d * 3 + office),
    }
    return sliced_monthly(country, contract, m, arrow_table(contract, columns))


def _month_days(months: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First day (days since 1970-01-01) and length in days of each month."""
    start = months.astype("datetime64[D]").astype(np.int64)
    end = (months + 1).astype("datetime64[D]").astype(np.int64)
    return start, end - start


def _year_days(year: int) -> int:
    return (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days


def _estimate_cube(country: Country, estimates: pd.DataFrame) -> np.ndarray:
    """Final estimates as an array [year index, district, sex (F, M)]."""
    n_districts = len(country.geo.district_codes)
    cube = estimates["final"].to_numpy(dtype=float)
    return cube.reshape(len(country.years), n_districts, 2)


def _truncated_geometric(rng: np.random.Generator, p: float, most: int, n: int) -> np.ndarray:
    """Days 0..``most``: a geometric delay (mean about 1/p - 1 days) truncated at ``most``, so the
    shape goes on smoothly to the last day (no pile-up on it)."""
    q = 1.0 - p
    u = rng.random(n) * (1.0 - q ** (most + 1))
    return np.minimum(np.floor(np.log1p(-u) / np.log(q)), most).astype(np.int64)


def _late_delay(rng: np.random.Generator, n: int) -> np.ndarray:
    """Days after the legal period of a late registration: lognormal (median about five months),
    drawn again where it would pass six years (no pile-up on the cap)."""
    cap = 6 * 365
    days = rng.lognormal(np.log(150.0), 1.0, n)
    redraw = days >= cap
    days[redraw] = rng.uniform(365.0, cap, int(redraw.sum()))
    return days.astype(np.int64)
