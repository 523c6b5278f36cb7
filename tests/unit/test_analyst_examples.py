"""Every example query of the analysts' section runs on the fixture warehouse (tests/warehouse_fixture.py)
through the sandboxed read-only connection of `cpmonitor sql`, and gives what the fixture's rules
give when worked out by hand or by another query.

Each ```sql block of the section starts with ``-- example: <name>``; ``CHECKS`` holds one check per
name, and a block without a check (or a check without a block) fails.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from warehouse_fixture import (
    CARE_PLAN_SHARE,
    COMMUNITY_CASES_A_MONTH,
    COMMUNITY_CLOSED_A_MONTH,
    COUNTRY,
    DISTRICTS,
    FOSTER_A_MONTH,
    NOTE_SS02,
    PRE_SENTENCE_ON_A_DAY,
)

from cpmonitor.core.settings import PROJECT_ROOT, Settings
from cpmonitor.status import open_published

EXAMPLES_FILE = PROJECT_ROOT / "README.md"
SECTION = "## Analysts: querying the warehouse"
_BLOCK = re.compile(r"^```sql\n(.*?)^```", re.MULTILINE | re.DOTALL)
_NAME = re.compile(r"^-- example: ([a-z0-9-]+)\n")


def example_queries(path: Path = EXAMPLES_FILE, section: str = SECTION) -> dict[str, str]:
    """The ```sql blocks under ``section`` (up to the next heading of its level), by name."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"\n{section}\n" if not text.startswith(section) else section)
    level = section.split(" ", 1)[0]
    end = re.compile(rf"^{level} ", re.MULTILINE).search(text, start + len(section) + 1)
    blocks: dict[str, str] = {}
    for block in _BLOCK.findall(text[start : end.start() if end else len(text)]):
        name = _NAME.match(block)
        assert name, f"a ```sql block of {path.name} does not start with '-- example: <name>'"
        assert name[1] not in blocks, f"two examples named {name[1]}"
        blocks[name[1]] = block
    return blocks


Con = duckdb.DuckDBPyConnection
Check = Callable[[list[tuple], Con], None]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        CHECKS[name] = function
        return function

    return register


@check("province-trend")
def _province_trend(result: list[tuple], con: Con) -> None:
    # Northlake = Lakeshore (1000 - 5 i) + Reedmarsh (800 - 4 i), December of year y: i = 12 (y - 2015) + 11.
    by_hand = [(str(y), 1800 - 9 * (12 * (y - 2015) + 11)) for y in range(2015, 2019)]
    assert result == by_hand
    assert by_hand[-1] == ("2018", 1377)


@check("district-ranking")
def _district_ranking(result: list[tuple], con: Con) -> None:
    # Reintegrations a month from 2016-01 (36 months to 2018-12) over the 2015-12 stock.
    shares = {"Lakeshore": 4 * 36 / 945, "Reedmarsh": 3 * 36 / 756, "Stonebridge": 2 * 36 / 567,
              "Hollowfield": 1 * 36 / 378}  # fmt: skip
    by_hand = [(rank, name, round(100 * share, 2)) for rank, (name, share) in
               enumerate(sorted(shares.items(), key=lambda item: -item[1]), start=1)]  # fmt: skip
    assert result == by_hand


@check("coverage")
def _coverage(result: list[tuple], con: Con) -> None:
    # 3 + 1 + 0 + 2 referrals a month in the four districts; 2018-11 was not delivered.
    assert result == [
        ("2018-Q1", 18, 100.0, False, None),
        ("2018-Q2", 18, 100.0, False, None),
        ("2018-Q3", 18, 100.0, False, None),
        ("2018-Q4", 18, 66.7, True, NOTE_SS02),
    ]


@check("care-reform-baseline")
def _care_reform_baseline(result: list[tuple], con: Con) -> None:
    # The four districts start at 2,800 and lose 14 children a month; 2015-12 is month 11.
    baseline, latest = 2800 - 14 * 11, 2800 - 14 * 47
    assert result == [
        (dt.date(2015, 12, 31), baseline, dt.date(2018, 12, 31), latest, latest - baseline, -19.0)
    ]
    assert (baseline, latest) == (2646, 2142)


@check("reintegration-target")
def _reintegration_target(result: list[tuple], con: Con) -> None:
    # Reintegrations over 36 months over the 2015-12 stock: nation 360 / 2646, Northlake
    # (4 + 3) x 36 / (945 + 756), Southhill (2 + 1) x 36 / (567 + 378); progress = value / 30.
    shares = {COUNTRY: 360 / 2646, "Northlake": 252 / 1701, "Southhill": 108 / 945}
    by_hand = [(name, round(100 * share, 2), 30.0, round(100 * 100 * share / 30, 1), "off_track")
               for name, share in shares.items()]  # fmt: skip
    assert result == by_hand


@check("by-sex")
def _by_sex(result: list[tuple], con: Con) -> None:
    # Girls 3 + 2 + 2 + 1 exits to a family of 5 + 4 + 3 + 2 a month, boys 3 + 2 + 1 + 1 of the same.
    assert result == [("female", 96, 168, 57.14), ("male", 84, 168, 50.0)]


@check("quarters-and-year")
def _quarters_and_year(result: list[tuple], con: Con) -> None:
    stock = [2800 - 14 * month for month in (38, 41, 44, 47)]  # AC04 at the end of each quarter
    assert result == [("AC04", sum(stock), 2142, 2142), ("SS02", 4 * 18, 18, 72)]


@check("completeness")
def _completeness(result: list[tuple], con: Con) -> None:
    # Placements 2018-10 missing, 2018-11 refused, 2018-12 on time; cases 2018-11 missing of
    # three months; the cash transfer's one quarter received (a resubmission).
    mosa = "Ministry of Social Affairs"
    assert result == [
        ("placements", mosa, 3, 1, 33.3, "2018-10 missing, 2018-11 refused"),
        ("cases", mosa, 3, 2, 66.7, "2018-11 missing"),
        ("cash_transfer_households", mosa, 1, 1, 100.0, None),
    ]


@check("cube-recomputes-indicator")
def _cube_recomputes_indicator(result: list[tuple], con: Con) -> None:
    # AC04 at 2018-12 (month index 47): Northlake 765 + 612, Southhill 459 + 306.
    assert result == [("Northlake", 1377, 1377.0), ("Southhill", 765, 765.0)]


@check("care-type-by-sex")
def _care_type_by_sex(result: list[tuple], con: Con) -> None:
    # Residential at 2018-12: 765, 612, 459, 306; girls round(0.45 x): 344, 275, 207, 138 = 964,
    # boys 421, 337, 252, 168 = 1178; half of each (rounded down) with a plan: 172 + 137 + 103 +
    # 69 = 481 girls, 210 + 168 + 126 + 84 = 588 boys. Foster: 10 girls per district, all with one.
    assert result == [
        ("foster", "female", 40, 40),
        ("residential", "female", 964, 481),
        ("residential", "male", 1178, 588),
    ]
    stocks = [start - fall * 47 for _, _, start, fall, *_ in DISTRICTS.values()]
    girls = [round(0.45 * n) for n in stocks]
    assert sum(girls) == 964 and sum(stocks) - sum(girls) == 1178
    assert sum(g // CARE_PLAN_SHARE for g in girls) == 481
    assert 4 * FOSTER_A_MONTH == 40


@check("exits-by-reason")
def _exits_by_reason(result: list[tuple], con: Con) -> None:
    # A month: to a family 6 + 4 + 3 + 2 = 15 of 10 + 8 + 6 + 4 = 28 exits; a year 180 of 336
    # (AC06's 53.57 %), the other 156 aged out.
    assert result == [("reintegrated_parents", 180, 53.6), ("aged_out", 156, 46.4)]


@check("cases-by-concern")
def _cases_by_concern(result: list[tuple], con: Con) -> None:
    # A month: 5 neglect cases (4 closed) per district, abuse cases from schools 3 + 1 + 0 + 2.
    assert result == [("neglect", "low", 60, 48), ("abuse", "medium", 18, 0)]
    assert (COMMUNITY_CASES_A_MONTH, COMMUNITY_CLOSED_A_MONTH) == (5, 4)


@check("detentions-by-status")
def _detentions_by_status(result: list[tuple], con: Con) -> None:
    # 4 + 3 + 2 + 1 boys before sentencing, held apart; 1 sentenced girl held with adults.
    assert result == [("pre_sentence", True, 10), ("sentenced", False, 1)]
    assert sum(PRE_SENTENCE_ON_A_DAY.values()) == 10


@check("failed-checks")
def _failed_checks(result: list[tuple], con: Con) -> None:
    assert [(row[0], row[4]) for row in result] == [
        ("fct_indicator_values", 3),
        ("mosa/placements/2018-12/placements_dec.parquet", 2),
    ]
    assert result[0][5] == "3 AC06 values above 95% (check exit coding in Hollowfield)"


@check("province-from-districts")
def _province_from_districts(result: list[tuple], con: Con) -> None:
    # Exits to a family / exits a month, 12 months: Lakeshore 6/10, Reedmarsh 4/8 (Northlake);
    # Stonebridge 3/6, Hollowfield 2/4 (Southhill).
    northlake, southhill = (6 + 4) * 12 / ((10 + 8) * 12), (3 + 2) * 12 / ((6 + 4) * 12)
    average_of_rates = (6 / 10 + 4 / 8) / 2
    assert result == [
        ("Northlake", 120, 216, round(100 * northlake, 2), 55.56, round(100 * average_of_rates, 2)),
        ("Southhill", 60, 120, round(100 * southhill, 2), 50.0, 50.0),
    ]


@check("survey-interval")
def _survey_interval(result: list[tuple], con: Con) -> None:
    assert result == [("2015", 62.0, 58.1, 65.9), ("2018", 55.5, 51.2, 59.8)]


@check("detention-medians")
def _detention_medians(result: list[tuple], con: Con) -> None:
    # Girls 33 days over 12 detentions, boys 36 over 13, all 34 over 25 (not (33 + 36) / 2).
    assert result == [("total", 34.0, 25), ("female", 33.0, 12), ("male", 36.0, 13)]


@pytest.fixture(scope="module")
def analyst(warehouse: Path):
    """The connection `cpmonitor sql` opens: read-only, no other file, configuration locked."""
    with open_published(Settings.from_env(warehouse.parent)) as con:
        yield con


def test_every_example_has_a_check_and_every_check_an_example() -> None:
    assert sorted(example_queries()) == sorted(CHECKS)


@pytest.mark.parametrize("name", sorted(example_queries()))
def test_example(name: str, analyst: Con) -> None:
    result = analyst.execute(example_queries()[name]).fetchall()
    assert len(result), f"{name} returned no row"
    CHECKS[name](result, analyst)
