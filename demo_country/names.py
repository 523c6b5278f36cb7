"""Invented names for the fictional demo country: places, institutions, children, notes.

Every name here is made up. None refers to a real place, organisation or person.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pyarrow as pa

from demo_country.delivery import pick

COUNTRY_NAME = "Republic of Teluvara"  # the national unit of the admin_units feed
COUNTRY_SHORT_NAME = "Teluvara"  # as in survey names (e.g. Teluvara MICS 2017)

# Province 01 is the capital territory (small in area, the largest child population).
PROVINCE_NAMES: tuple[str, ...] = (
    "Teluvara Capital",
    "Kavaran",
    "Nemsai",
    "Orbeluk",
    "Phavanong",
    "Sorinthe",
    "Tamlokra",
    "Urvassa",
    "Kelmara",
    "Dravinel",
    "Ambrakai",
    "Lohsa Coast",
)

CAPITAL_DISTRICTS: tuple[str, ...] = (
    "Old Quarter",
    "Riverside",
    "Northgate",
    "Eastbank",
    "Hillview",
    "Portside",
    "Lantern Market",
    "Southfield",
)

_SYLLABLES: tuple[str, ...] = (
    "ka", "lo", "mer", "san", "tu", "vi", "ren", "do", "pha", "sei", "mon", "ku", "ta", "ri",
    "bel", "nor", "vo", "la", "hin", "cho", "sa", "pe", "ru", "dar", "mi", "ong", "tel", "ya",
    "bor", "nea", "kha", "lim", "sok", "ur", "ven", "ath",
)  # fmt: skip

_DISTRICT_SUFFIXES: tuple[str, ...] = ("", "", "", "", " North", " South", " Upper", " Lower")

_FAMILY_NAMES: tuple[str, ...] = (
    "Vannak", "Serai", "Tolven", "Maradi", "Kessong", "Phirun", "Orlat", "Chanvey", "Lumsai",
    "Dorvan", "Nakrei", "Bopha", "Rathvel", "Sinmora", "Tevrak", "Huolan", "Kimsera", "Velong",
    "Marsok", "Pelanh", "Yorvai", "Thesong", "Ankora", "Davreth", "Solmeng", "Rinlo", "Kaveth",
    "Neary", "Puthor", "Lesavan",
)  # fmt: skip

_GIVEN_NAMES_F: tuple[str, ...] = (
    "Sreyla", "Malini", "Daravy", "Kanika", "Solina", "Vireak", "Theary", "Panha", "Lumi",
    "Soriya", "Nalen", "Chenda", "Rotha", "Maly", "Sophea", "Kessa", "Livani", "Aruna", "Tevy",
    "Nimol",
)  # fmt: skip

_GIVEN_NAMES_M: tuple[str, ...] = (
    "Vuthan", "Kosal", "Dara", "Piseth", "Rithy", "Sovan", "Mako", "Borin", "Vannet", "Sambo",
    "Ketya", "Ronal", "Thavro", "Chantu", "Serey", "Nakri", "Pheap", "Visal", "Oudam", "Lomar",
)  # fmt: skip

_VIRTUES: tuple[str, ...] = (
    "Hope", "Grace", "Light", "Harmony", "Mercy", "Joy", "New Dawn", "Sunrise", "Lotus",
    "Rainbow", "Evergreen", "Bright Future", "Golden Rice", "Little Stars", "Open Hands",
    "Safe Harbour", "Morning Star", "Kind Hearts",
)  # fmt: skip

INSTITUTION_PATTERNS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "residential_care_centre": (
            "{virtue} Children's Home",
            "{place} Children's Centre",
            "{virtue} Children's Village",
            "House of {virtue}",
            "{place} Orphanage",
        ),
        "pagoda_based_care": ("Wat {place} Pagoda Care", "{place} Temple Children's Shelter"),
        "transit_centre": ("{place} Transit Centre", "{place} Emergency Reception Centre"),
        "group_home": ("{virtue} Group Home", "{place} Family Group Home"),
    }
)

NOTES_ADMISSION: tuple[str, ...] = (
    "Admitted after emergency referral; family assessment pending.",
    "Placement agreed at case conference. Review in 3 months.",
    "Referred by commune council. Family tracing started.",
    "Child settled in well. School enrolment arranged.",
    "Health check done on arrival. Follow-up visit planned.",
    "",
)

NOTES_EXIT: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "reintegrated_parents": (
            "Returned home after three preparatory visits.",
            "Reunified with mother. Monthly follow-up agreed.",
            "Family reintegration completed; school transfer done.",
        ),
        "kinship_care": (
            "Placed with grandmother after assessment.",
            "Moved to live with aunt's family. Follow-up planned.",
        ),
        "foster_care": (
            "Matched with approved foster family.",
            "Moved to foster family after matching.",
        ),
        "adoption": ("Domestic adoption order granted.",),
        "aged_out": ("Turned 18; supported independent living plan.", "Left care at 18."),
        "transferred": (
            "Moved to another centre when this one closed.",
            "Transferred to another centre closer to family.",
        ),
        "died": ("Died in hospital. Incident review opened.",),
        "ran_away": ("Left the centre without notice; police informed.", "Missing since weekend."),
    }
)


def _word(rng: np.random.Generator, syllables: int) -> str:
    picks = rng.integers(0, len(_SYLLABLES), size=syllables)
    return "".join(_SYLLABLES[i] for i in picks).capitalize()


def district_names(rng: np.random.Generator, counts: list[int]) -> list[list[str]]:
    """Unique invented district names, ``counts[p]`` of them for province ``p`` (0 is the capital)."""
    used: set[str] = set(PROVINCE_NAMES)
    result: list[list[str]] = []
    for province, count in enumerate(counts):
        names: list[str] = []
        if province == 0:
            names = list(CAPITAL_DISTRICTS[:count])
            used.update(names)
        while len(names) < count:
            suffix = _DISTRICT_SUFFIXES[int(rng.integers(0, len(_DISTRICT_SUFFIXES)))]
            name = _word(rng, int(rng.integers(2, 4))) + suffix
            if name not in used:
                used.add(name)
                names.append(name)
        result.append(names)
    return result


def institution_names(rng: np.random.Generator, types: list[str], places: list[str]) -> list[str]:
    """One unique invented name per institution, from its type and its district's name."""
    used: dict[str, int] = {}
    names: list[str] = []
    for kind, place in zip(types, places, strict=True):
        patterns = INSTITUTION_PATTERNS[kind]
        pattern = patterns[int(rng.integers(0, len(patterns)))]
        virtue = _VIRTUES[int(rng.integers(0, len(_VIRTUES)))]
        name = pattern.format(virtue=virtue, place=place)
        used[name] = used.get(name, 0) + 1
        if used[name] > 1:
            name = f"{name} {used[name]}"
        names.append(name)
    return names


def child_names(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    """Invented full names (given name and family name), one per child."""
    n = len(female)
    family = np.asarray(_FAMILY_NAMES, dtype=object)[rng.integers(0, len(_FAMILY_NAMES), n)]
    given_f = np.asarray(_GIVEN_NAMES_F, dtype=object)[rng.integers(0, len(_GIVEN_NAMES_F), n)]
    given_m = np.asarray(_GIVEN_NAMES_M, dtype=object)[rng.integers(0, len(_GIVEN_NAMES_M), n)]
    given = np.where(female, given_f, given_m)
    return given + " " + family


def phone_numbers(rng: np.random.Generator, n: int) -> list[str]:
    """Invented phone numbers under the unassigned country calling code +999."""
    area = rng.integers(20, 80, n)
    local = rng.integers(0, 10_000_000, n)
    return [
        f"+999 {a} {b // 10_000:03d} {b % 10_000:04d}" for a, b in zip(area, local, strict=True)
    ]


def full_names(rng: np.random.Generator, female: np.ndarray, pool: int = 4096) -> pa.Array:
    """Invented full names for many people: drawn from a pool of ``pool`` names per sex (fast;
    names repeat as real ones do)."""
    girls = child_names(rng, np.ones(pool, dtype=bool)).tolist()
    boys = child_names(rng, np.zeros(pool, dtype=bool)).tolist()
    index = rng.integers(0, pool, len(female)) + np.where(female, 0, pool)
    return pick(girls + boys, index)
