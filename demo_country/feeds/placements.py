"""mosa ``placements``: the monthly extracts of placement episodes from the ministry's case
management system, cut from the simulated placements (``demo_country.sectors.care.placements``).
Random stream 6."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cpmonitor.core.contracts import Contract
from demo_country import names
from demo_country.country import Country
from demo_country.delivery import NO_DATE, Delivery, table_from_columns
from demo_country.geography import Geography
from demo_country.sectors.care import story
from demo_country.sectors.care.episodes import NEVER, first_day_above, ordered_episodes
from demo_country.sectors.care.placements import CARE_TYPES, OPEN, REASONS


def generate(country: Country, contract: Contract) -> list[Delivery]:
    """One extract per reporting month (``placement_deliveries``)."""
    return placement_deliveries(
        contract,
        country.rng(6),
        country.geo,
        country.institutions,
        country.children,
        country.episodes,
        country.first_month,
        len(country.months),
    )


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
