"""labour ``labour_inspections``: the Ministry of Labour's monthly extract of workplace inspections,
for SS06 and SS07. Random stream 510.

The inspectorate grows (about 700 inspections a month at scale 1.0 in the first year, 4% more
each year). Workplaces sit in districts in proportion to their population; rural provinces have
more farms, fisheries and brick kilns, the capital more garment factories and hospitality. The
chance that an inspection finds a child worker depends on the sector and inspection type and
falls about 5% a year; children found in mines, kilns and fishing are mostly in a worst form and
withdrawn. The share of withdrawn children referred to social services rises from 60% to 90%.

Realistic imperfections:
- About 30% of inspections made in a month's last week are recorded (and delivered) in the next
  month's file: SS06 and SS07 count inspections by their date, not by file.
- ``story.missing_province_month``: the provincial labour office of province 10 did not report for
  August of the middle year; that month's file has no row of the province, those inspections are
  never delivered, and that month's register of office reports (``labour_office_reports``, one
  row per provincial office whose report is in the file) does not list it: the province's SS06
  and SS07 are unknown that month, and the national figures incomplete.
"""

from __future__ import annotations

import numpy as np

from cpmonitor.core.contracts import Contract
from demo_country import names
from demo_country.country import Country
from demo_country.delivery import Delivery, table_from_columns
from demo_country.sectors.services import story

NOTES = (
    "Employer informed of the minimum age rules.",
    "Children sent home; parents to be contacted by the social worker.",
    "Follow-up inspection scheduled.",
    "Hazardous tasks observed; employer warned in writing.",
    "",
)


def generate(country: Country, contract: Contract) -> list[Delivery]:
    """One file per month: the inspections recorded that month (see the module docstring)."""
    rng = country.rng(510)
    geo = country.geo
    n_months = len(country.months)
    district_province = np.asarray(geo.district_province)
    n_prov = len(geo.province_codes)

    # workplaces
    years_k = np.arange(n_months) // 12
    per_month = rng.poisson(story.INSPECTIONS_PER_MONTH * country.scale * story.GROWTH**years_k)
    total = int(per_month.sum())
    n_workplaces = max(20, total // 3)
    w_district = rng.choice(len(country.weights), n_workplaces, p=country.weights)
    province = district_province[w_district]
    urban = np.where(province == 0, 0.8, rng.uniform(0.1, 0.35, n_prov)[province])
    mix = (
        urban[:, None] * story.URBAN_MIX[None, :] + (1 - urban[:, None]) * story.RURAL_MIX[None, :]
    )
    w_sector = (rng.random(n_workplaces)[:, None] > np.cumsum(mix, axis=1)).sum(axis=1)
    w_sector = np.minimum(w_sector, len(story.SECTORS) - 1)
    owners = names.child_names(rng, rng.random(n_workplaces) < 0.4)
    w_names = owners + " " + np.asarray(story.SECTOR_WORDS, dtype=object)[w_sector]
    w_size = rng.lognormal(2.5, 1.0, n_workplaces)
    province_find = rng.uniform(0.7, 1.3, n_prov)

    # inspections
    month = np.repeat(np.arange(n_months), per_month)
    workplace = rng.integers(0, n_workplaces, total)
    month_start = country.months[month].astype("datetime64[D]")
    days_in = ((country.months[month] + 1).astype("datetime64[D]") - month_start).astype(np.int64)
    day = rng.integers(0, days_in)
    date = month_start + day
    kind = rng.choice(len(story.INSPECTION_TYPES), total, p=story.TYPE_WEIGHTS)
    sector = w_sector[workplace]
    p_find = (
        story.FIND_CHANCE[sector]
        * story.TYPE_FACTOR[kind]
        * province_find[province[workplace]]
        * story.FIND_DECLINE ** years_k[month]
    )
    found = np.where(rng.random(total) < np.clip(p_find, 0, 0.95), rng.geometric(0.45, total), 0)
    withdrawn = rng.binomial(found, story.WORST_SHARE[sector])
    referral = np.clip(0.6 + 0.03 * years_k[month], 0.0, 0.9)
    withdrawn_referred = rng.binomial(withdrawn, referral)
    referred = withdrawn_referred + rng.binomial(found - withdrawn, 0.2)
    workers = found + rng.poisson(w_size[workplace])
    notes = np.asarray(NOTES, dtype=object)[rng.integers(0, len(NOTES), total)]
    notes[(notes == "") | (found == 0)] = None

    # recorded month: some of the last week's inspections go into the next month's file
    late = (day >= days_in - 7) & (rng.random(total) < 0.3)
    recorded = np.minimum(month + late, n_months - 1)
    missing_prov, missing_period = story.missing_province_month(country.years)
    missing_m = int((np.datetime64(missing_period, "M") - country.first_month).astype(np.int64))
    keep = ~((recorded == missing_m) & (province[workplace] == missing_prov))

    order = np.lexsort((date, recorded))
    order = order[keep[order]]
    ids = np.asarray([f"INS-{i + 1:07d}" for i in range(total)], dtype=object)
    columns = {
        "inspection_id": ids,
        "workplace_id": np.asarray([f"WP-{w + 1:06d}" for w in workplace], dtype=object),
        "workplace_name": w_names[workplace],
        "sector": np.asarray(story.SECTORS, dtype=object)[sector],
        "district_code": np.asarray(geo.district_codes, dtype=object)[w_district[workplace]],
        "inspection_type": np.asarray(story.INSPECTION_TYPES, dtype=object)[kind],
        "inspection_date": date,
        "workers_total": workers,
        "child_workers_found": found,
        "children_withdrawn_worst_forms": withdrawn,
        "children_referred_to_services": referred,
        "children_withdrawn_and_referred": withdrawn_referred,
        "inspector_notes": notes,
    }
    columns = {k: v[order] for k, v in columns.items()}
    bounds = np.searchsorted(recorded[order], np.arange(n_months + 1))
    deliveries = []
    for m in range(n_months):
        part = slice(bounds[m], bounds[m + 1])
        table = table_from_columns(contract, {k: v[part] for k, v in columns.items()})
        deliveries.append(Delivery(contract.owner, contract.feed, str(country.months[m]), table))
    return deliveries
