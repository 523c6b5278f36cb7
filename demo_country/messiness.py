"""What goes wrong between a ministry's system and the landing zone, as it does in real deliveries.

``add_messiness`` takes the country's clean deliveries and adds a handful of imperfect files:

- **superseded** files (``SUPERSEDED``): an original with a few rows missing or wrong, followed
  some days or weeks later by the corrected resubmission (``..._v2.parquet``, the clean file), which
  supersedes it;
- **rejected rows** (``REJECTED_ROWS``): a few extra bad rows at the end of an otherwise good file,
  each breaking exactly one contract rule that sets rows aside (the file's good rows all load);
- **refused** files (``REFUSED``): an original refused whole (a column missing, a duplicated
  primary key), then delivered correctly as ``..._v2.parquet``; and one refused file never
  corrected (``NEVER_CORRECTED``: that period stays refused);
- a **late** file (``LATE_FEED``): a month's file arriving after the next month's;
- **corrected episodes**: placement episodes whose first delivered row has a data-entry error (the
  district or the care type), corrected in the episode's next delivery (the later row wins);
- arrival times spread over the days before the due date and the working day, instead of every
  file arriving at the same minute of the same day of the month.

Everything is drawn from the country's own random streams (900-999), so the same seed, scale and
years always give the same files. The clean data stay the truth: what the warehouse keeps from
these files (the resubmissions, the good rows, the latest row of an episode) is exactly the clean
data, except for the period refused for good. Each affected ``Delivery`` says what is special
about it in ``messiness`` (``"<kind>: <what>"``; kinds in ``KINDS``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zlib
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from demo_country.codes import allowed
from demo_country.country import Country
from demo_country.delivery import Delivery, delivered_at, usual_day

SUPERSEDED_KIND = "superseded"
RESUBMISSION_KIND = "resubmission"
REJECTED_KIND = "rejected_rows"
REFUSED_KIND = "refused"
NEVER_CORRECTED_KIND = "refused_never_corrected"
LATE_KIND = "late"
CORRECTED_LATER_KIND = "corrected_later"
KINDS = (
    SUPERSEDED_KIND,
    RESUBMISSION_KIND,
    REJECTED_KIND,
    REFUSED_KIND,
    NEVER_CORRECTED_KIND,
    LATE_KIND,
    CORRECTED_LATER_KIND,
)

# (feed, what is wrong with the original): one superseded file each, across five ministries.
SUPERSEDED: tuple[tuple[str, str], ...] = (
    ("birth_registrations", "missing_office"),  # civreg
    ("facility_child_protection", "values_times_ten"),  # health
    ("labour_inspections", "missing_rows_wrong_district"),  # labour
    ("referrals", "missing_rows"),  # mosa
    ("arrests", "wrong_offence"),  # police
)
# (feed, rule broken, column, number of extra bad rows): one file each.
REJECTED_ROWS: tuple[tuple[str, str, str, int], ...] = (
    ("placements", "references", "district_code", 1),  # a district code that does not exist
    ("cases", "allowed", "concern", 2),  # a code not in the list
    ("arrests", "not_before", "arrest_date", 1),  # arrested before being born
    ("labour_inspections", "range", "child_workers_found", 1),  # a negative count
    ("helpline_contacts", "range", "child_age", 2),  # an adult's age as the child's
    ("trafficking_victims", "required", "district_code", 1),  # no district
)
# (feed, why the original is refused whole): each corrected by a resubmission.
REFUSED: tuple[tuple[str, str], ...] = (
    ("detentions", "missing_column"),  # prisons
    ("abuse_reports", "duplicate_key"),  # police
)
# courts: a column delivered as text; JC05 and JC06 have no value for that month
NEVER_CORRECTED = ("court_decisions", "sentence_months")
LATE_FEED = "reintegration_followups"  # mosa: a month's file after the next month's
CORRECTED_EPISODES = {"district_code": 2, "care_type": 2}  # placement episodes per error

BAD_DISTRICT = "9999"
BAD_CONCERN = "domestic_violence"
BAD_AGE = 21
MISSING_COLUMN = "facility_separated_from_adults"
FAMILY_CARE = tuple(c for c in allowed("placements", "care_type") if c != "residential")


def add_messiness(country: Country, deliveries: list[Delivery]) -> list[Delivery]:
    """The deliveries with arrival times spread and the imperfect files above added, in a stable
    order (a resubmission right after its original)."""
    out = [_arrival(_own_rng(country.seed, 901, d), d) for d in deliveries]
    used: set[tuple[str, str]] = set()
    extra: dict[int, list[Delivery]] = {}  # index of an original -> files after it

    rng = country.rng(902)
    for feed, how in SUPERSEDED:
        i = _pick(rng, out, feed, used, min_rows=20)
        if i is None:
            continue
        original, note = _spoil(rng, out[i], how)
        out[i] = dataclasses.replace(original, messiness=f"{SUPERSEDED_KIND}: {note}")
        extra.setdefault(i, []).append(_resubmission(rng, out[i], deliveries_clean=deliveries))

    rng = country.rng(903)
    for feed, rule, column, n in REJECTED_ROWS:
        i = _pick(rng, out, feed, used, min_rows=1, usable=_BAD_ROW_SOURCES[feed])
        if i is None:
            continue
        out[i] = _with_bad_rows(rng, out[i], rule, column, n)

    rng = country.rng(904)
    for feed, how in REFUSED:
        i = _pick(rng, out, feed, used, min_rows=3)
        if i is None:
            continue
        out[i] = _refused(rng, out[i], how)
        extra.setdefault(i, []).append(_resubmission(rng, out[i], deliveries_clean=deliveries))
    feed, column = NEVER_CORRECTED
    i = _pick(rng, out, feed, used, min_rows=3)
    if i is not None:
        table = out[i].table
        index = table.schema.get_field_index(column)
        as_text = pc.cast(table.column(column), pa.string())
        out[i] = dataclasses.replace(
            out[i],
            table=table.set_column(index, column, as_text),
            messiness=f"{NEVER_CORRECTED_KIND}: column {column} delivered as text",
        )

    rng = country.rng(905)
    i = _pick(rng, out, LATE_FEED, used, min_rows=1, keep_last=1)
    if i is not None:
        following = next(
            d for d in out[i + 1 :] if d.feed == LATE_FEED and d.period > out[i].period
        )
        day = delivered_at(following).date() + dt.timedelta(days=int(rng.integers(3, 21)))
        arrived = _working_time(rng, day)
        out[i] = dataclasses.replace(
            out[i],
            delivered_on=arrived,
            messiness=f"{LATE_KIND}: arrived after the {following.period} file",
        )

    _correct_episodes_later(country, out, used)

    result: list[Delivery] = []
    for i, delivery in enumerate(out):
        result.append(delivery)
        result.extend(extra.get(i, []))
    return result


# --- choosing files ------------------------------------------------------------------------------


def _pick(
    rng: np.random.Generator,
    deliveries: list[Delivery],
    feed: str,
    used: set[tuple[str, str]],
    *,
    min_rows: int,
    usable: Callable[[pa.Table, str], np.ndarray] | None = None,
    keep_last: int = 1,
) -> int | None:
    """Index of one delivery of ``feed`` (not its first, nor its last ``keep_last``, not one used
    already) with at least ``min_rows`` rows (usable ones, if ``usable`` says which); marked used."""
    of_feed = [i for i, d in enumerate(deliveries) if d.feed == feed]
    candidates = [
        i
        for i in of_feed[1 : len(of_feed) - keep_last]
        if (feed, deliveries[i].period) not in used
        and deliveries[i].table.num_rows >= min_rows
        and (usable is None or usable(deliveries[i].table, deliveries[i].period).any())
    ]
    if not candidates:
        return None
    i = candidates[int(rng.integers(0, len(candidates)))]
    used.add((feed, deliveries[i].period))
    return i


def _own_rng(seed: int, stream: int, delivery: Delivery) -> np.random.Generator:
    """A random stream of one delivery (by its path), so adding a feed moves no other file."""
    path = str(delivery.relative_path).encode()
    return np.random.Generator(np.random.PCG64([seed, stream, zlib.crc32(path)]))


def _arrival(rng: np.random.Generator, delivery: Delivery) -> Delivery:
    """The delivery with an arrival time in a working day: monthly files between the 4th and the
    14th of the next month (due on the 15th), quarterly ones between the 6th and the 15th, yearly
    registers from a week before to a week after their usual day, boundaries and projections up
    to ten days early; a file with its own arrival day keeps the day."""
    day = delivery.delivered_on
    if isinstance(day, dt.datetime):
        return delivery
    if day is None:
        day = usual_day(delivery)
        period = delivery.period
        if "-Q" in period:
            shift = int(rng.integers(-9, 1))
        elif "-" in period:
            shift = int(rng.integers(-6, 5))
        elif delivery.feed in ("population", "admin_units"):
            shift = int(rng.integers(-10, 1))
        else:
            shift = int(rng.integers(-6, 9))
        day = day + dt.timedelta(days=shift)
    return dataclasses.replace(delivery, delivered_on=_working_time(rng, day))


def _working_time(rng: np.random.Generator, day: dt.date) -> dt.datetime:
    """A time between 08:00 and 17:29 UTC on ``day``."""
    minute = int(rng.integers(8 * 60, 17 * 60 + 30))
    return dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=dt.UTC)


def _resubmission(
    rng: np.random.Generator, original: Delivery, *, deliveries_clean: list[Delivery]
) -> Delivery:
    """The clean file of the original's feed and period, sent again 5 to 25 days after it."""
    clean = next(
        d
        for d in deliveries_clean
        if (d.feed, d.period) == (original.feed, original.period) and d.version == 1
    )
    day = delivered_at(original).date() + dt.timedelta(days=int(rng.integers(5, 26)))
    return dataclasses.replace(
        clean,
        delivered_on=_working_time(rng, day),
        version=original.version + 1,
        messiness=f"{RESUBMISSION_KIND}: corrects {original.file_name}",
    )


# --- spoiling a file -----------------------------------------------------------------------------


def _spoil(rng: np.random.Generator, delivery: Delivery, how: str) -> tuple[Delivery, str]:
    """The original of a file later corrected, and what was wrong with it."""
    table = delivery.table
    n = table.num_rows
    if how == "missing_office":
        offices = table.column("registrar_office").to_numpy(zero_copy_only=False)
        names, counts = np.unique(offices, return_counts=True)
        small = names[(counts >= 2) & (counts <= max(2, n // 5))]
        office = small[int(rng.integers(0, len(small)))] if len(small) else names[0]
        keep = offices != office
        return _replace(delivery, table.filter(pa.array(keep))), (
            f"the {int((~keep).sum())} registrations of office {office} were missing"
        )
    if how == "values_times_ten":
        rows = np.sort(rng.choice(n, size=3, replace=False))
        values = table.column("value").to_numpy().copy()
        values[rows] = values[rows] * 10 + rng.integers(0, 10, 3)
        fixed = table.set_column(
            table.schema.get_field_index("value"), "value", pa.array(values, pa.int64())
        )
        return _replace(delivery, fixed), f"3 values typed wrong (rows {_rows(rows)})"
    if how == "missing_rows_wrong_district":
        districts = table.column("district_code").to_numpy(zero_copy_only=False).copy()
        wrong = np.sort(rng.choice(n, size=2, replace=False))
        codes = np.unique(districts)
        for row in wrong:
            others = codes[codes != districts[row]]
            if len(others):
                districts[row] = others[int(rng.integers(0, len(others)))]
        table = table.set_column(
            table.schema.get_field_index("district_code"),
            "district_code",
            pa.array(districts, pa.string()),
        )
        missing = set(rng.choice(np.setdiff1d(np.arange(n), wrong), size=4, replace=False))
        keep = np.array([i not in missing for i in range(n)])
        return _replace(delivery, table.filter(pa.array(keep))), (
            f"4 inspections missing and 2 with a wrong district (rows {_rows(wrong)})"
        )
    if how == "missing_rows":
        missing = rng.choice(n, size=3, replace=False)
        keep = np.ones(n, dtype=bool)
        keep[missing] = False
        return _replace(delivery, table.filter(pa.array(keep))), "3 referrals missing"
    if how == "wrong_offence":
        offences = table.column("offence_category").to_numpy(zero_copy_only=False).copy()
        rows = np.sort(rng.choice(n, size=2, replace=False))
        for row in rows:
            offences[row] = "other" if offences[row] != "other" else "theft"
        fixed = table.set_column(
            table.schema.get_field_index("offence_category"),
            "offence_category",
            pa.array(offences, pa.string()),
        )
        return _replace(delivery, fixed), f"2 offences miscoded (rows {_rows(rows)})"
    raise ValueError(f"unknown spoiling {how!r}")


def _refused(rng: np.random.Generator, delivery: Delivery, how: str) -> Delivery:
    """An original refused whole by ingest."""
    table = delivery.table
    if how == "missing_column":
        table = table.drop_columns([MISSING_COLUMN])
        note = f"column {MISSING_COLUMN} missing"
    elif how == "duplicate_key":
        row = int(rng.integers(0, table.num_rows))
        table = pa.concat_tables([table.slice(0, row + 1), table.slice(row)])
        note = f"row {row + 1} delivered twice (a duplicate primary key)"
    else:
        raise ValueError(f"unknown refusal {how!r}")
    return dataclasses.replace(delivery, table=table, messiness=f"{REFUSED_KIND}: {note}")


def _replace(delivery: Delivery, table: pa.Table) -> Delivery:
    return dataclasses.replace(delivery, table=table)


def _rows(rows: np.ndarray) -> str:
    return ", ".join(str(int(r) + 1) for r in rows)


# --- extra bad rows --------------------------------------------------------------------------------


def _column(table: pa.Table, name: str) -> np.ndarray:
    return table.column(name).to_numpy(zero_copy_only=False)


def _day_of_month(table: pa.Table, name: str) -> np.ndarray:
    days = _column(table, name).astype("datetime64[D]")
    return (days - days.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1


def _any_row(table: pa.Table, period: str) -> np.ndarray:
    return np.ones(table.num_rows, dtype=bool)


def _new_family_episode(table: pa.Table, period: str) -> np.ndarray:
    """Family-based episodes starting in the month and still open (no institution; the row is
    the episode's first)."""
    start = _column(table, "start_date").astype("datetime64[D]").astype("datetime64[M]")
    return (
        np.isin(_column(table, "care_type"), FAMILY_CARE)
        & np.asarray(pc.is_null(table.column("end_date")))
        & (start == np.datetime64(period, "M"))
    )


def _early_arrest(table: pa.Table, period: str) -> np.ndarray:
    """Arrests early enough in the month that a birth date a week later is before the file."""
    return _day_of_month(table, "arrest_date") <= 20


# Rows a bad row may be copied from, per feed (so the copy breaks only the intended rule).
_BAD_ROW_SOURCES: dict[str, Callable[[pa.Table, str], np.ndarray]] = {
    "placements": _new_family_episode,
    "cases": _any_row,
    "arrests": _early_arrest,
    "labour_inspections": _any_row,
    "helpline_contacts": _any_row,
    "trafficking_victims": _any_row,
}
_NEW_ID = {
    "placements": ("placement_id", "child_id"),
    "cases": ("case_id", "child_id"),
    "arrests": ("arrest_id", "child_id"),
    "labour_inspections": ("inspection_id",),
    "helpline_contacts": ("contact_id",),
    "trafficking_victims": ("victim_id",),
}


def _with_bad_rows(
    rng: np.random.Generator, delivery: Delivery, rule: str, column: str, n: int
) -> Delivery:
    """The delivery with ``n`` extra rows at its end, copies of good rows of the file with new
    identifiers (records entered by mistake) and one value breaking ``rule`` on ``column``."""
    table = delivery.table
    feed = delivery.feed
    sources = np.flatnonzero(_BAD_ROW_SOURCES[feed](table, delivery.period))
    rows = np.sort(rng.choice(sources, size=min(n, len(sources)), replace=False))
    bad = table.take(pa.array(rows, pa.int64()))
    for name in _NEW_ID[feed]:
        ids = pc.binary_join_element_wise(bad.column(name), pa.scalar("X"), "")
        bad = bad.set_column(bad.schema.get_field_index(name), name, ids)

    def put(name: str, values: pa.Array) -> None:
        nonlocal bad
        bad = bad.set_column(bad.schema.get_field_index(name), name, values)

    k = bad.num_rows
    if (rule, column) == ("references", "district_code"):
        put(column, pa.array([BAD_DISTRICT] * k, pa.string()))
        what = f"district code {BAD_DISTRICT} does not exist"
    elif (rule, column) == ("allowed", "concern"):
        put(column, pa.array([BAD_CONCERN] * k, pa.string()))
        what = f"concern {BAD_CONCERN!r} is not an allowed code"
    elif (rule, column) == ("not_before", "arrest_date"):
        born = _column(bad, "arrest_date").astype("datetime64[D]") + np.timedelta64(7, "D")
        put("date_of_birth", pa.array(born, pa.date32()))
        what = "date of birth a week after the arrest"
    elif (rule, column) == ("range", "child_workers_found"):
        for name in (
            "children_withdrawn_worst_forms",
            "children_referred_to_services",
            "children_withdrawn_and_referred",
        ):
            put(name, pa.array([0] * k, pa.int64()))
        put(column, pa.array([-1] * k, pa.int64()))
        what = "child workers found -1"
    elif (rule, column) == ("range", "child_age"):
        put(column, pa.array([BAD_AGE] * k, pa.int64()))
        what = f"child age {BAD_AGE}"
    elif (rule, column) == ("required", "district_code"):
        put(column, pa.nulls(k, pa.string()))
        what = "no district"
    else:
        raise ValueError(f"no bad row for {rule} on {column}")
    return dataclasses.replace(
        delivery,
        table=pa.concat_tables([table, bad]),
        messiness=f"{REJECTED_KIND}: {k} extra row(s) breaking {rule} on {column} ({what})",
    )


# --- placement episodes corrected later ------------------------------------------------------------


def _correct_episodes_later(
    country: Country, deliveries: list[Delivery], used: set[tuple[str, str]]
) -> None:
    """Data-entry errors in the first delivered row of a few family-based placement episodes (a
    district of the same province, another family-based care type), corrected in the episode's
    next delivery: the later row wins. Changes ``deliveries`` in place."""
    rng = country.rng(906)
    placements = [i for i, d in enumerate(deliveries) if d.feed == "placements"]
    if len(placements) < 3:
        return
    seen: dict[str, int] = {}  # placement id -> index of the delivery of its first row
    twice: list[tuple[str, int]] = []
    for i in placements:
        table = deliveries[i].table
        ids = _column(table, "placement_id")
        for pid in ids:
            if pid in seen:
                twice.append((pid, seen[pid]))
            else:
                seen[pid] = i
    province_of = {
        code: country.geo.district_province[k] for k, code in enumerate(country.geo.district_codes)
    }
    codes = np.asarray(country.geo.district_codes, dtype=object)
    districts_of = {
        p: codes[np.asarray(country.geo.district_province) == p] for p in set(province_of.values())
    }
    first_month = deliveries[placements[0]].period
    order = rng.permutation(len(twice))
    edits: dict[int, list[tuple[str, str, str]]] = {}
    wanted = [c for c, k in CORRECTED_EPISODES.items() for _ in range(k)]
    for j in order:
        if not wanted:
            break
        pid, i = twice[j]
        d = deliveries[i]
        if d.period == first_month or ("placements", d.period) in used or i in edits:
            continue
        row = int(np.flatnonzero(_column(d.table, "placement_id") == pid)[0])
        care = _column(d.table, "care_type")[row]
        if care not in FAMILY_CARE or d.table.column("end_date")[row].is_valid:
            continue
        column = wanted.pop(0)
        if column == "district_code":
            here = _column(d.table, "district_code")[row]
            options = [c for c in districts_of[province_of[here]] if c != here]
            if not options:
                wanted.insert(0, column)
                continue
            value = options[int(rng.integers(0, len(options)))]
        else:
            options = [c for c in FAMILY_CARE if c != care]
            value = options[int(rng.integers(0, len(options)))]
        edits.setdefault(i, []).append((pid, column, value))
    for i, changes in edits.items():
        table = deliveries[i].table
        ids = _column(table, "placement_id")
        notes = []
        for pid, column, value in changes:
            values = _column(table, column).copy()
            values[ids == pid] = value
            table = table.set_column(
                table.schema.get_field_index(column), column, pa.array(values, pa.string())
            )
            notes.append(f"{column} of {pid}")
        deliveries[i] = dataclasses.replace(
            deliveries[i],
            table=table,
            messiness=f"{CORRECTED_LATER_KIND}: {', '.join(notes)} corrected in a later delivery",
        )
        used.add(("placements", deliveries[i].period))
