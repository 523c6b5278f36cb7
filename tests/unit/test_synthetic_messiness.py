"""The demo country's delivery messiness (demo_country.messiness): resubmissions, rejected
rows, refused and late files, episodes corrected later, spread arrival times. Each kind is there,
deterministic, and does what the contract rules and the ingest say it does, while what the
warehouse keeps stays the clean data.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from cpmonitor.core.contracts import load_contracts, period_bounds
from cpmonitor.core.settings import Settings
from demo_country import build_deliveries, generate
from demo_country.delivery import Delivery, delivered_at
from demo_country.messiness import (
    CORRECTED_EPISODES,
    CORRECTED_LATER_KIND,
    KINDS,
    LATE_FEED,
    LATE_KIND,
    NEVER_CORRECTED,
    NEVER_CORRECTED_KIND,
    REFUSED,
    REFUSED_KIND,
    REJECTED_KIND,
    REJECTED_ROWS,
    RESUBMISSION_KIND,
    SUPERSEDED,
    SUPERSEDED_KIND,
)
from expectations.runner import SuiteRunner
from ingest.ledger import newest_first_key
from ingest.references import ReferenceCodes
from ingest.run import ROW_REASONS, check_table, ingest_landing, read_ledger

SMALL = {"seed": 11, "scale": 0.05, "start_year": 2016, "end_year": 2018}


@pytest.fixture(scope="module")
def messy() -> list[Delivery]:
    return build_deliveries(**SMALL)


@pytest.fixture(scope="module")
def clean() -> dict[tuple[str, str], Delivery]:
    return {(d.feed, d.period): d for d in build_deliveries(**SMALL, messy=False)}


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings.from_env(tmp_path_factory.mktemp("messy"))
    generate(settings, **SMALL)
    return settings


@pytest.fixture(scope="module")
def runner() -> SuiteRunner:
    return SuiteRunner()


def kind(d: Delivery) -> str:
    return d.messiness.split(":")[0]


def of_kind(deliveries: list[Delivery], name: str) -> list[Delivery]:
    return [d for d in deliveries if kind(d) == name]


def districts(deliveries: list[Delivery]) -> list[str]:
    units = next(d for d in deliveries if d.feed == "admin_units").table.to_pylist()
    return [u["unit_code"] for u in units if u["level"] == "district"]


def checked(d: Delivery, runner: SuiteRunner, codes: list[str]):  # noqa: ANN201
    contract = load_contracts()[d.feed]
    references = {
        c.name: ReferenceCodes(codes, "districts") for c in contract.columns if c.references
    }
    return check_table(
        d.table,
        contract,
        runner,
        source_file=str(d.relative_path),
        run_id="test",
        period=d.period,
        arrived_at=delivered_at(d).replace(tzinfo=None),
        reference_codes=references,
    )


def mtime(settings: Settings, d: Delivery) -> float:
    return (settings.landing_dir / d.relative_path).stat().st_mtime


# --- presence and determinism ------------------------------------------------------------------


def test_every_kind_is_there_a_handful_each_across_feeds_and_ministries(
    messy: list[Delivery],
) -> None:
    counts = Counter(kind(d) for d in messy if d.messiness)
    assert set(counts) == set(KINDS)
    assert counts[SUPERSEDED_KIND] == len(SUPERSEDED)
    assert counts[REFUSED_KIND] == len(REFUSED)
    assert counts[RESUBMISSION_KIND] == len(SUPERSEDED) + len(REFUSED)
    assert counts[REJECTED_KIND] == len(REJECTED_ROWS)
    assert counts[NEVER_CORRECTED_KIND] == counts[LATE_KIND] == 1
    assert counts[CORRECTED_LATER_KIND] == sum(CORRECTED_EPISODES.values())
    assert sum(counts.values()) < 40  # a handful of files among hundreds
    assert len(messy) > 10 * sum(counts.values())
    superseded = of_kind(messy, SUPERSEDED_KIND)
    assert len({d.entity for d in superseded}) == 5
    assert {d.feed for d in of_kind(messy, REJECTED_KIND)} == {f for f, *_ in REJECTED_ROWS}
    assert {d.entity for d in of_kind(messy, REFUSED_KIND)} == {"prisons", "police"}
    # Every messy feed and period is messy in one way only (a resubmission goes with its original).
    places = Counter((d.feed, d.period) for d in messy if d.messiness and d.version == 1)
    assert max(places.values()) == 1


def test_messiness_is_deterministic_and_follows_the_seed(messy: list[Delivery]) -> None:
    again = build_deliveries(**SMALL)
    assert [(d.relative_path, d.delivered_on, d.messiness) for d in again] == [
        (d.relative_path, d.delivered_on, d.messiness) for d in messy
    ]
    assert all(a.table.equals(b.table) for a, b in zip(again, messy, strict=True))
    other = build_deliveries(**{**SMALL, "seed": 12})
    chosen = {(d.feed, d.period) for d in messy if d.messiness}
    assert {(d.feed, d.period) for d in other if d.messiness} != chosen


# --- resubmissions -----------------------------------------------------------------------------


def test_a_resubmission_supersedes_its_original_and_is_the_clean_file(
    messy: list[Delivery], clean: dict[tuple[str, str], Delivery], landing: Settings
) -> None:
    originals = of_kind(messy, SUPERSEDED_KIND) + of_kind(messy, REFUSED_KIND)
    for original in originals:
        (resubmitted,) = [
            d
            for d in messy
            if (d.feed, d.period) == (original.feed, original.period) and d.version == 2
        ]
        where = (original.feed, original.period)
        assert resubmitted.messiness == f"resubmission: corrects {original.file_name}"
        assert resubmitted.relative_path.parent == original.relative_path.parent
        assert resubmitted.file_name == original.file_name.replace(".parquet", "_v2.parquet")
        truth = clean[where].table
        assert resubmitted.table.equals(truth), where
        assert not original.table.equals(truth), where
        # some days or weeks later, also as the landing file's time; the newest is the one used
        days = (delivered_at(resubmitted) - delivered_at(original)).days
        assert 4 <= days <= 26, where
        assert mtime(landing, resubmitted) > mtime(landing, original)
        rows = [
            {
                "source_file": str(d.relative_path),
                "received_at": dt.datetime.fromtimestamp(mtime(landing, d)),
            }
            for d in (original, resubmitted)
        ]
        assert max(rows, key=newest_first_key)["source_file"] == str(resubmitted.relative_path)


def test_superseded_originals_have_a_few_rows_missing_or_wrong(
    messy: list[Delivery], clean: dict[tuple[str, str], Delivery]
) -> None:
    # feed: (its key, rows missing, rows wrong); None: a whole registrar office's rows (2 or more)
    expected = {
        "birth_registrations": (["registration_id"], None, 0),
        "facility_child_protection": (
            ["facility_id", "reporting_month", "data_element", "sex", "age_group"],
            0,
            3,
        ),
        "labour_inspections": (["inspection_id"], 4, 2),
        "referrals": (["referral_id"], 3, 0),
        "arrests": (["arrest_id"], 0, 2),
    }
    for original in of_kind(messy, SUPERSEDED_KIND):
        key, n_missing, n_wrong = expected[original.feed]
        true_rows = clean[(original.feed, original.period)].table.to_pylist()
        truth = {tuple(r[k] for k in key): r for r in true_rows}
        rows = {tuple(r[k] for k in key): r for r in original.table.to_pylist()}
        assert set(rows) <= set(truth), original.feed
        missing = len(truth) - len(rows)
        wrong = sum(row != truth[k] for k, row in rows.items())
        assert wrong == n_wrong, original.feed
        if n_missing is None:
            offices = {truth[k]["registrar_office"] for k in set(truth) - set(rows)}
            assert missing >= 2 and len(offices) == 1
            assert not any(r["registrar_office"] in offices for r in rows.values())
        else:
            assert missing == n_missing, original.feed


# --- rows and files the contract rules refuse --------------------------------------------------


def test_rejected_rows_break_exactly_the_intended_rule_and_the_rest_is_clean(
    messy: list[Delivery], clean: dict[tuple[str, str], Delivery], runner: SuiteRunner
) -> None:
    codes = districts(messy)
    files = {d.feed: d for d in of_kind(messy, REJECTED_KIND)}
    for feed, rule, column, n in REJECTED_ROWS:
        d = files[feed]
        result = checked(d, runner, codes)
        assert result.file_problems == [], feed
        total = d.table.num_rows
        other = "date_of_birth" if rule == "not_before" else ""
        reason = f"{column}: {ROW_REASONS[rule].format(other=other)}"
        assert result.rejected == {row: [reason] for row in range(total - n, total)}, feed
        assert d.table.slice(0, total - n).equals(clean[(feed, d.period)].table), feed


def test_refused_files_and_the_one_refused_for_good(
    messy: list[Delivery], runner: SuiteRunner
) -> None:
    codes = districts(messy)
    expected = {
        "detentions": "missing column 'facility_separated_from_adults'",
        "abuse_reports": "duplicate primary key",
    }
    for original in of_kind(messy, REFUSED_KIND):
        problems = checked(original, runner, codes).file_problems
        assert len(problems) == 1 and expected[original.feed] in problems[0], problems
        resubmitted = next(
            d for d in messy if (d.feed, d.period, d.version) == (original.feed, original.period, 2)
        )
        again = checked(resubmitted, runner, codes)
        assert (again.file_problems, again.rejected) == ([], {})
    (never,) = of_kind(messy, NEVER_CORRECTED_KIND)
    feed, column = NEVER_CORRECTED
    assert never.feed == feed
    assert checked(never, runner, codes).file_problems == [
        f"column '{column}': type string, but the contract says integer"
    ]
    assert [d for d in messy if (d.feed, d.period) == (never.feed, never.period)] == [never]


# --- a late file -------------------------------------------------------------------------------


def test_the_late_file_arrives_after_the_next_months_file(
    messy: list[Delivery], landing: Settings
) -> None:
    (late,) = of_kind(messy, LATE_KIND)
    assert late.feed == LATE_FEED
    month = np.datetime64(late.period, "M")
    following = next(d for d in messy if (d.feed, d.period) == (LATE_FEED, str(month + 1)))
    assert late.messiness == f"late: arrived after the {following.period} file"
    assert mtime(landing, late) > mtime(landing, following)
    assert delivered_at(late) > delivered_at(following)
    contract = load_contracts()[LATE_FEED]
    due = period_bounds(late.period, contract.frequency)[1] + dt.timedelta(days=contract.due_days)
    assert delivered_at(late).date() > due
    assert delivered_at(following).date() <= due + dt.timedelta(days=31)


def test_arrival_times_are_spread_but_monthly_files_arrive_on_time(
    messy: list[Delivery], landing: Settings
) -> None:
    contracts = load_contracts()
    monthly = [
        d
        for d in messy
        if contracts[d.feed].frequency == "monthly" and not d.messiness.startswith(("late", "res"))
    ]
    arrived = [delivered_at(d) for d in monthly]
    assert len({a.day for a in arrived}) >= 8
    assert len({(a.hour, a.minute) for a in arrived}) > 100
    assert all(8 <= a.hour <= 17 for a in arrived)
    for d, a in zip(monthly, arrived, strict=True):
        period_end = period_bounds(d.period, "monthly")[1]
        assert period_end < a.date() <= period_end + dt.timedelta(days=15), d.relative_path
    some = monthly[:: max(1, len(monthly) // 25)]
    assert [mtime(landing, d) for d in some] == [delivered_at(d).timestamp() for d in some]


# --- placement episodes corrected in a later delivery ------------------------------------------


def test_corrected_episodes_the_later_row_wins_with_the_clean_value(
    messy: list[Delivery], clean: dict[tuple[str, str], Delivery]
) -> None:
    fixed = Counter()
    placements = [d for d in messy if d.feed == "placements"]
    geo_province = {code: code[:2] for code in districts(messy)}
    for d in of_kind(messy, CORRECTED_LATER_KIND):
        truth = clean[(d.feed, d.period)].table.to_pylist()
        rows = d.table.to_pylist()
        assert len(rows) == len(truth)
        changed = [(r, t) for r, t in zip(rows, truth, strict=True) if r != t]
        assert len(changed) == 1, d.period
        row, true_row = changed[0]
        (column,) = [k for k in row if row[k] != true_row[k]]
        fixed[column] += 1
        assert f"{column} of {row['placement_id']}" in d.messiness
        assert row["care_type"] in ("foster", "kinship", "guardianship")
        assert row["end_date"] is None and row["institution_id"] is None
        if column == "district_code":
            assert geo_province[row[column]] == geo_province[true_row[column]]
        # the episode's next delivered row, in a later month, holds the clean value
        later = [
            r
            for p in placements
            if p.period > d.period
            for r in p.table.to_pylist()
            if r["placement_id"] == row["placement_id"]
        ]
        assert later and later[0][column] == true_row[column] != row[column]
    assert dict(fixed) == CORRECTED_EPISODES


# --- what ingest makes of it -------------------------------------------------------------------


def test_the_ingest_ledger_shows_superseded_rejected_and_quarantined_files(
    messy: list[Delivery], landing: Settings, tmp_path: Path
) -> None:
    """Ingest the messy folders of the generated landing zone (with the admin units)."""
    settings = Settings.from_env(tmp_path)
    folders = {d.relative_path.parent for d in messy if d.messiness}
    folders |= {d.relative_path.parent for d in messy if d.feed == "admin_units"}
    for folder in folders:
        shutil.copytree(landing.landing_dir / folder, settings.landing_dir / folder)
    ingest_landing(settings, run_id="test")
    ledger = read_ledger(settings).set_index("source_file")
    status = ledger["status"].to_dict()

    def path(d: Delivery) -> str:
        return str(d.relative_path)

    for original in of_kind(messy, SUPERSEDED_KIND):
        assert status[path(original)] == "superseded"
        v2 = path(original).replace(".parquet", "_v2.parquet")
        assert ledger.loc[path(original), "superseded_by"] == ledger.loc[v2, "sha256"]
        assert status[v2] == "loaded"
    for d in of_kind(messy, REFUSED_KIND) + of_kind(messy, NEVER_CORRECTED_KIND):
        assert status[path(d)] == "quarantined"
    for d in of_kind(messy, REFUSED_KIND):
        assert status[path(d).replace(".parquet", "_v2.parquet")] == "loaded"
    bad_rows = {feed: n for feed, _, _, n in REJECTED_ROWS}
    for d in of_kind(messy, REJECTED_KIND):
        assert (status[path(d)], ledger.loc[path(d), "rows_rejected"]) == (
            "loaded_with_rejections",
            bad_rows[d.feed],
        )
    for d in of_kind(messy, LATE_KIND) + of_kind(messy, CORRECTED_LATER_KIND):
        assert status[path(d)] == "loaded"
    assert set(status.values()) == {
        "loaded",
        "loaded_with_rejections",
        "superseded",
        "quarantined",
    }
