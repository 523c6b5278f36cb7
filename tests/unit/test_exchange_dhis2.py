"""The DHIS2 export (cpmonitor/exchange/dhis2.py) on the fixture warehouse, values checked by hand
(tests/warehouse_fixture.py): the mapping file, the payload, deletes against a previous export, the
dry-run plan, ADX, and stable bytes."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from warehouse_fixture import SENTINEL_NEIGHBOUR, SENTINEL_SMALL, add_small_count

from cpmonitor.core.access import load_access
from cpmonitor.core.catalogue import load_catalogue
from cpmonitor.core.published import open_published, warehouse_stamp
from cpmonitor.core.settings import EXCHANGE_DIR
from cpmonitor.exchange import dhis2
from cpmonitor.exchange.dhis2 import (
    ADX_NAMESPACE,
    Dhis2Error,
    adx_period,
    build_values,
    deletes_path,
    derived_uid,
    dhis2_period,
    load_mapping,
    plan,
    write_adx,
    write_data_value_sets,
)


def uid(name: str) -> str:
    return derived_uid(f"test:{name}")


DATA_SET = uid("dataSet")
AOC = uid("aoc")
AC04_TOTAL, AC04_SEX = uid("AC04:total"), uid("AC04:sex")
AC05, SS02, SS08 = uid("AC05"), uid("SS02"), uid("SS08")
TOTAL, FEMALE, MALE = uid("total"), uid("sex=female"), uid("sex=male")
AGE = {band: uid(f"age_band={band}") for band in ("5-9", "10-14", "15-17")}
OU = {code: uid(f"ou:{code}") for code in ("NAT", "01", "02", "0101", "0102", "0201")}

# AC06, AC03, AC07, JC04 and VE14 are not mapped, nor SS02's disability breakdown, nor district
# 0202 (Hollowfield): those values are skipped and counted. Geo codes and "no" are left unquoted.
MAPPING = f"""
data_set: {DATA_SET}
attribute_option_combo: {AOC}
data_elements:
  AC04:
    total: {AC04_TOTAL}
    sex: {AC04_SEX}
  AC05: {AC05}
  SS02: {SS02}
  SS08: {SS08}
category_option_combos:
  total: {TOTAL}
  sex: {{female: {FEMALE}, male: {MALE}}}
  age_band:
    "5-9": {AGE["5-9"]}
    "10-14": {AGE["10-14"]}
    "15-17": {AGE["15-17"]}
org_units:
  NAT: {OU["NAT"]}
  01: {OU["01"]}
  02: {OU["02"]}
  0101: {OU["0101"]}
  0102: {OU["0102"]}
  0201: {OU["0201"]}
"""


@pytest.fixture(scope="module")
def mapping_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dhis2") / "mapping.yml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def mapping(mapping_file: Path) -> dhis2.Dhis2Mapping:
    return load_mapping(mapping_file)


@pytest.fixture(scope="module")
def con(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = open_published(warehouse)
    yield connection
    connection.close()


def _copy(warehouse: Path, target: Path, sql: str | None = None, *, small: bool = False) -> Path:
    """A changed copy of the fixture warehouse: ``sql`` run on it, or the small count planted."""
    shutil.copy(warehouse, target)
    with duckdb.connect(str(target)) as rw:
        if sql:
            rw.execute(sql)
        if small:
            add_small_count(rw)
        rw.execute("CHECKPOINT")
    return target


def _values(path: Path, role: str, mapping: dhis2.Dhis2Mapping) -> dhis2.Dhis2Values:
    with open_published(path) as connection:
        return build_values(connection, load_access().role(role), mapping)


def _stamp(path: Path) -> dhis2.WarehouseStamp:
    with open_published(path) as connection:
        return warehouse_stamp(connection)


def _payload(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["dataValues"]


def _find(items: list[dict], element: str, period: str, unit: str, combo: str = TOTAL) -> dict:
    (item,) = [
        i
        for i in items
        if (i["dataElement"], i["period"], i["orgUnit"], i.get("categoryOptionCombo"))
        == (element, period, unit, combo)
    ]
    return item


# -- the mapping --------------------------------------------------------------------------------


def test_mapping_reads_unquoted_codes_as_text(mapping: dhis2.Dhis2Mapping) -> None:
    assert set(mapping.org_units) == set(OU)  # 0101 is not the octal number 65
    assert mapping.period_types == ("year", "quarter", "month")
    assert mapping.data_element("AC04", "sex") == AC04_SEX
    assert mapping.data_element("AC04", "age_band") is None
    assert mapping.data_element("SS02", "age_band") == SS02  # one data element for every breakdown
    assert mapping.category_option_combo("sex", "female") == FEMALE
    assert mapping.category_option_combo("disability", "no") is None


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ((f"NAT: {OU['NAT']}", "NAT: abc"), ["org_units.NAT", "'abc' is not a DHIS2 UID"]),
        ((f"NAT: {OU['NAT']}", "NAT: 1bcdefghijk"), ["org_units.NAT", "not a DHIS2 UID"]),
        ((f"AC05: {AC05}", f"XX99: {AC05}"), ["data_elements", "unknown indicator 'XX99'"]),
        ((f"AC05: {AC05}", f"AC05: {SS08}"), ["data_elements", "both AC05 and SS08"]),
        ((f"AC05: {AC05}", f"AC05: {{sex: {AC05}}}"), ["AC05: no breakdown 'sex'"]),
        ((f"01: {OU['01']}", f"01: {OU['02']}"), ["org_units", "mapped to both 01 and 02"]),
        ((f"male: {MALE}", f"man: {MALE}"), ["category_option_combos", "no value 'man'"]),
        (("data_set:", "dataset:"), ["data_set: Field required", "dataset: Extra inputs"]),
        ((f"attribute_option_combo: {AOC}", "period_types: [week]"), ["period_types.0"]),
    ],
)
def test_bad_mapping_names_the_file_and_the_key(
    tmp_path: Path, change: tuple[str, str], words: list[str]
) -> None:
    old, new = change
    assert old in MAPPING
    path = tmp_path / "bad.yml"
    path.write_text(MAPPING.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(Dhis2Error) as caught:
        load_mapping(path)
    assert str(path) in str(caught.value)
    for word in words:
        assert word in str(caught.value)


def test_missing_or_broken_mapping_file(tmp_path: Path) -> None:
    with pytest.raises(Dhis2Error, match="cannot read the DHIS2 mapping"):
        load_mapping(tmp_path / "none.yml")
    (tmp_path / "broken.yml").write_text("data_set: [", encoding="utf-8")
    with pytest.raises(Dhis2Error, match="is not valid YAML"):
        load_mapping(tmp_path / "broken.yml")


def test_periods_in_dhis2_and_adx_forms() -> None:
    assert [dhis2_period(p) for p in ("2025-12", "2025-Q4", "2025", "2018-01")] == [
        "202512",
        "2025Q4",
        "2025",
        "201801",
    ]
    assert [adx_period(p) for p in ("202512", "2025Q4", "2025")] == [
        "2025-12-01/P1M",
        "2025-10-01/P3M",
        "2025-01-01/P1Y",
    ]
    for period in ("201802", "2018Q1", "2018Q3", "2018"):
        assert dhis2._period_from_adx(adx_period(period)) == period
    assert dhis2.UID_PATTERN.match(derived_uid("anything"))
    assert derived_uid("anything") == derived_uid("anything") != derived_uid("anything else")


# -- the payload --------------------------------------------------------------------------------


def test_planner_payload_matches_the_mapping(
    con: duckdb.DuckDBPyConnection, mapping: dhis2.Dhis2Mapping, tmp_path: Path
) -> None:
    values = build_values(con, load_access().role("planner"), mapping)
    result = write_data_value_sets(values, tmp_path / "p.json", stamp=warehouse_stamp(con))
    payload = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    assert payload["dataSet"] == DATA_SET
    items = payload["dataValues"]
    assert result.sent == len(items) == len(values) and result.deleted == 0
    assert all(i["attributeOptionCombo"] == AOC for i in items)
    assert all(isinstance(i["value"], str) for i in items)
    # AC04 children in residential care: national 2018-12 = 2142, 2015-12 = 2646, province 01 1377.
    assert _find(items, AC04_TOTAL, "201812", OU["NAT"])["value"] == "2142"
    assert _find(items, AC04_TOTAL, "201512", OU["NAT"])["value"] == "2646"
    assert _find(items, AC04_TOTAL, "201812", OU["01"])["value"] == "1377"
    assert _find(items, AC04_TOTAL, "2018Q4", OU["NAT"])["value"] == "2142"  # a stock: period end
    assert _find(items, AC04_TOTAL, "2018", OU["NAT"])["value"] == "2142"
    assert _find(items, AC04_SEX, "201812", OU["NAT"], FEMALE)["value"] == str(
        sum(round(0.45 * (b - k * 47)) for b, k in ((1000, 5), (800, 4), (600, 3), (400, 2)))
    )
    # AC05 institutions: national 36 in 2015, 24 in 2018; SS08 2018 national 20.98 %.
    assert _find(items, AC05, "2015", OU["NAT"])["value"] == "36"
    assert _find(items, AC05, "2018", OU["NAT"])["value"] == "24"
    assert _find(items, SS08, "2018", OU["NAT"])["value"] == "20.98"
    assert _find(items, SS08, "2018", OU["02"])["value"] == "19.2"
    # SS02 referrals: an exact role sees Reedmarsh's 3 a quarter; 18 a quarter nationally.
    assert _find(items, SS02, "2018Q4", OU["0102"])["value"] == "3"
    assert _find(items, SS02, "2018Q4", OU["NAT"])["value"] == "18"
    assert _find(items, SS02, "2018Q4", OU["NAT"], AGE["5-9"])["value"] == "3"
    assert _find(items, SS02, "2018", OU["NAT"])["value"] == "72"
    assert not any(i["orgUnit"] not in OU.values() for i in items)
    # What the mapping leaves out is counted, never silently dropped.
    skipped = values.skipped
    assert skipped["indicator AC06 is not mapped"] == 1008 + 336 + 84
    assert skipped["indicator VE14 is not mapped"] == 6
    assert skipped["indicator JC04 is not mapped"] == 89
    assert not any(reason.startswith("AC04 by") for reason in skipped)  # total and sex: mapped
    assert "breakdown disability=no has no category option combo" in skipped
    assert skipped["place 0202 has no org unit"] > 0
    assert result.skipped == skipped and result.skipped_total == values.skipped_total
    assert result.provenance["warehouse_version"] == "20190115T060000Z-abc123"


def test_donor_sends_only_years_nation_and_provinces(
    con: duckdb.DuckDBPyConnection, mapping: dhis2.Dhis2Mapping, tmp_path: Path
) -> None:
    values = build_values(con, load_access().role("donor"), mapping)
    write_data_value_sets(values, tmp_path / "d.json", stamp=warehouse_stamp(con))
    items = _payload(tmp_path / "d.json")
    assert items and {len(i["period"]) for i in items} == {4}
    assert {i["orgUnit"] for i in items} == {OU["NAT"], OU["01"], OU["02"]}
    assert _find(items, AC04_TOTAL, "2018", OU["NAT"])["value"] == "2142"
    assert _find(items, SS02, "2018", OU["01"])["value"] == "48"
    # No SS02 value below the disclosure threshold reaches a donor.
    threshold = load_access().threshold
    assert all(float(i["value"]) >= threshold for i in items if i["dataElement"] == SS02)


def test_a_mapping_that_sends_only_months_gives_a_donor_nothing(
    con: duckdb.DuckDBPyConnection, mapping_file: Path, tmp_path: Path
) -> None:
    path = tmp_path / "months.yml"
    path.write_text(MAPPING + "period_types: [month]\n", encoding="utf-8")
    months = load_mapping(path)
    assert build_values(con, load_access().role("donor"), months) == []
    planner = build_values(con, load_access().role("planner"), months)
    assert planner and {len(v.period) for v in planner} == {6}


# -- hidden values and deletes ----------------------------------------------------------------


def test_hidden_values_are_never_sent_and_become_deletes(
    warehouse: Path, mapping: dhis2.Dhis2Mapping, tmp_path: Path
) -> None:
    donor = "donor"
    before = _values(warehouse, donor, mapping)
    first = write_data_value_sets(before, tmp_path / "first.json", stamp=_stamp(warehouse))
    assert first.plan.previous is None and len(first.plan.create) == first.sent == len(before)
    sent = {
        (i["dataElement"], i["period"], i["orgUnit"]) for i in _payload(tmp_path / "first.json")
    }
    assert (SS08, "2018", OU["02"]) in sent and (SS08, "2018", OU["01"]) in sent

    # SS08 2018 in Southhill now rests on 3 children; Northlake would give it away.
    small = _copy(warehouse, tmp_path / "small.duckdb", small=True)
    after = _values(small, donor, mapping)
    hidden = [v for v in after if v.suppressed]
    assert {(v.indicator_code, v.period_id, v.geo_code) for v in hidden} == {
        ("SS08", "2018", "01"),
        ("SS08", "2018", "02"),
    }
    assert all(v.value is None for v in hidden)

    # Without a previous export the hidden values are simply not sent.
    alone = write_data_value_sets(after, tmp_path / "alone.json", stamp=_stamp(small))
    assert alone.not_sent == 2 and alone.deleted == 0
    assert len(_payload(tmp_path / "alone.json")) == len(after) - 2

    # Against the previous export: an explicit delete for exactly those two, with no value.
    second = write_data_value_sets(
        after, tmp_path / "second.json", previous=tmp_path / "first.json", stamp=_stamp(small)
    )
    items = _payload(tmp_path / "second.json")
    deletes = [i for i in items if i.get("deleted")]
    assert sorted((i["dataElement"], i["period"], i["orgUnit"]) for i in deletes) == sorted(
        [(SS08, "2018", OU["01"]), (SS08, "2018", OU["02"])]
    )
    assert all("value" not in i and i["deleted"] is True for i in deletes)
    assert all(
        i["categoryOptionCombo"] == TOTAL and i["attributeOptionCombo"] == AOC for i in deletes
    )
    assert second.deleted == 2 and second.sent == len(items) - 2 == len(before) - 2
    assert (len(second.plan.create), len(second.plan.update)) == (0, 0)
    assert len(second.plan.unchanged) == len(before) - 2
    text = (tmp_path / "second.json").read_text(encoding="utf-8")
    for sentinel in (SENTINEL_SMALL, SENTINEL_NEIGHBOUR):
        assert str(sentinel) not in text and str(round(sentinel, 2)) not in text

    # The next export against this one deletes nothing again: deletes are not "previous" values.
    third = plan(after, tmp_path / "second.json")
    assert (len(third.create), len(third.update), len(third.delete)) == (0, 0, 0)
    assert len(third.not_sent) == 2


def test_withdrawn_values_are_deleted_and_changed_ones_updated(
    warehouse: Path, mapping: dhis2.Dhis2Mapping, tmp_path: Path
) -> None:
    write_data_value_sets(
        _values(warehouse, "planner", mapping), tmp_path / "first.json", stamp=_stamp(warehouse)
    )
    changed = _copy(
        warehouse,
        tmp_path / "changed.duckdb",
        "DELETE FROM main.fct_indicator_values WHERE indicator_code = 'AC05' AND period_id = '2018';"
        "UPDATE main.fct_indicator_values SET value = 2143 WHERE indicator_code = 'AC04'"
        " AND period_id = '2018-12' AND geo_code = 'NAT' AND disaggregation = 'total';"
        "INSERT INTO main.fct_indicator_values BY NAME SELECT * REPLACE ('2019' AS period_id)"
        " FROM main.fct_indicator_values WHERE indicator_code = 'AC05' AND period_id = '2017'"
        " AND geo_code = 'NAT';",
    )
    after = _values(changed, "planner", mapping)
    the_plan = plan(after, tmp_path / "first.json")
    # AC05 2018: the nation, 2 provinces and 3 mapped districts (Hollowfield is not mapped).
    assert len(the_plan.delete) == 6
    assert {(v.data_element, v.period) for v in the_plan.delete} == {(AC05, "2018")}
    assert all(v.value is None and "dataElement" in v.describe() for v in the_plan.delete)
    assert [(v.indicator_code, v.period_id, v.geo_code, v.value) for v in the_plan.update] == [
        ("AC04", "2018-12", "NAT", "2143")
    ]
    assert [(v.indicator_code, v.period_id, v.geo_code) for v in the_plan.create] == [
        ("AC05", "2019", "NAT")
    ]
    summary = the_plan.summary()
    assert "1 to create, 1 to update, 6 to delete" in summary
    assert "AC04 2018-12 NAT total = 2143" in summary and str(tmp_path / "first.json") in summary
    result = write_data_value_sets(
        after, tmp_path / "second.json", previous=tmp_path / "first.json", stamp=_stamp(changed)
    )
    deletes = [i for i in _payload(tmp_path / "second.json") if i.get("deleted")]
    assert len(deletes) == result.deleted == 6


def test_a_broken_previous_export_is_named(
    con: duckdb.DuckDBPyConnection, mapping: dhis2.Dhis2Mapping, tmp_path: Path
) -> None:
    values = build_values(con, load_access().role("donor"), mapping)
    (tmp_path / "prev.json").write_text('{"dataValues": [{"period": "2018"}]}', encoding="utf-8")
    (tmp_path / "prev.txt").write_text("hello", encoding="utf-8")
    for name in ("prev.json", "prev.txt", "none.json"):
        with pytest.raises(Dhis2Error, match=str(tmp_path / name)):
            plan(values, tmp_path / name)


# -- ADX and stable bytes ---------------------------------------------------------------------


def _adx_values(path: Path) -> dict[tuple[str, str, str, str, str], str]:
    root = ET.parse(path).getroot()
    assert root.tag == f"{{{ADX_NAMESPACE}}}adx"
    found = {}
    for group in root:
        assert set(group.attrib) >= {"orgUnit", "period", "dataSet"}
        for item in group:
            key = (
                item.attrib["dataElement"],
                dhis2._period_from_adx(group.attrib["period"]),
                group.attrib["orgUnit"],
                item.get("categoryOptionCombo", ""),
                group.get("attributeOptionCombo", ""),
            )
            assert key not in found
            found[key] = item.attrib["value"]
    return found


def test_adx_is_well_formed_and_carries_the_same_values(
    warehouse: Path, mapping: dhis2.Dhis2Mapping, tmp_path: Path
) -> None:
    values = _values(warehouse, "planner", mapping)
    stamp = _stamp(warehouse)
    write_data_value_sets(values, tmp_path / "v.json", stamp=stamp)
    result = write_adx(values, tmp_path / "v.xml", stamp=stamp)
    assert result.deletes_output is None and not deletes_path(tmp_path / "v.xml").exists()
    json_values = {
        (i["dataElement"], i["period"], i["orgUnit"], i["categoryOptionCombo"], i["attributeOptionCombo"]): i["value"]
        for i in _payload(tmp_path / "v.json")
    }  # fmt: skip
    assert _adx_values(tmp_path / "v.xml") == json_values
    root = ET.parse(tmp_path / "v.xml").getroot()
    assert root.attrib["exported"] == "2019-01-15T06:30:00Z"  # publication time, not the clock
    assert root.attrib[f"{{{dhis2.STAMP_NAMESPACE}}}warehouseVersion"] == stamp.version
    text = (tmp_path / "v.xml").read_text(encoding="utf-8")
    assert f'orgUnit="{OU["NAT"]}" period="2018-12-01/P1M"' in text
    assert f'orgUnit="{OU["NAT"]}" period="2018-10-01/P3M"' in text
    assert (
        f'<dataValue dataElement="{AC04_TOTAL}" categoryOptionCombo="{TOTAL}" value="2142"/>'
        in text
    )
    assert (
        plan(values, tmp_path / "v.xml")
        .summary()
        .startswith(
            f"DHIS2 export against {tmp_path / 'v.xml'}: 0 to create, 0 to update, 0 to delete"
        )
    )


def test_adx_deletes_go_to_their_own_file(
    warehouse: Path, mapping: dhis2.Dhis2Mapping, tmp_path: Path
) -> None:
    write_adx(_values(warehouse, "donor", mapping), tmp_path / "a.xml", stamp=_stamp(warehouse))
    small = _copy(warehouse, tmp_path / "small.duckdb", small=True)
    after = _values(small, "donor", mapping)
    result = write_adx(after, tmp_path / "b.xml", previous=tmp_path / "a.xml", stamp=_stamp(small))
    assert result.deletes_output == deletes_path(tmp_path / "b.xml") == tmp_path / "b.deletes.xml"
    deletes = _adx_values(result.deletes_output)
    assert sorted(deletes) == sorted(
        [(SS08, "2018", OU["01"], TOTAL, AOC), (SS08, "2018", OU["02"], TOTAL, AOC)]
    )
    assert set(deletes.values()) == {""}  # a hidden number is never sent again
    assert len(_adx_values(tmp_path / "b.xml")) == result.sent == len(after) - 2
    # The next export has nothing to delete: the stale deletes file is removed, never re-posted.
    again = write_adx(after, tmp_path / "b.xml", previous=tmp_path / "b.xml", stamp=_stamp(small))
    assert again.deleted == 0 and not result.deletes_output.exists()


def test_the_same_warehouse_gives_the_same_bytes(
    warehouse: Path, mapping: dhis2.Dhis2Mapping, tmp_path: Path
) -> None:
    stamp = _stamp(warehouse)
    for run in ("one", "two"):
        values = _values(warehouse, "planner", mapping)
        write_data_value_sets(values, tmp_path / f"{run}.json", stamp=stamp)
        write_adx(values, tmp_path / f"{run}.xml", stamp=stamp)
    for suffix in ("json", "xml"):
        assert (tmp_path / f"one.{suffix}").read_bytes() == (
            tmp_path / f"two.{suffix}"
        ).read_bytes()
    lines = (tmp_path / "one.json").read_text(encoding="utf-8").splitlines()
    assert lines[0] == f'{{"dataSet":"{DATA_SET}","dataValues":['
    assert lines[1].startswith('{"attributeOptionCombo":')  # keys sorted, one value a line


# -- the demo mapping -------------------------------------------------------------------------


def test_demo_mapping_is_valid_and_follows_its_rule() -> None:
    from demo_country.geography import DISTRICTS_PER_PROVINCE

    demo = load_mapping(EXCHANGE_DIR / "dhis2" / "demo_mapping.yml")
    assert demo.data_set == derived_uid("dataSet:cpmonitor-demo")
    catalogue = load_catalogue()
    assert list(demo.data_elements) == [i.indicator_code for i in catalogue]
    for indicator in catalogue:
        for breakdown in ("total", *indicator.disaggregations):
            name = f"dataElement:{indicator.indicator_code}:{breakdown}"
            assert demo.data_element(indicator.indicator_code, breakdown) == derived_uid(name)
    for name, members in demo.category_option_combos.items():
        for member, combo in members.items():
            assert combo == derived_uid(f"categoryOptionCombo:{name}:{member}")
    assert demo.category_option_combo("total", "total") == ""  # the instance's default
    # Geo codes do not depend on the seed or the scale: NAT, 12 provinces, their districts.
    codes = ["NAT"] + [f"{p + 1:02d}" for p in range(len(DISTRICTS_PER_PROVINCE))]
    codes += [
        f"{p + 1:02d}{d + 1:02d}" for p, n in enumerate(DISTRICTS_PER_PROVINCE) for d in range(n)
    ]
    assert list(demo.org_units) == codes
    assert all(
        unit == derived_uid(f"organisationUnit:{code}") for code, unit in demo.org_units.items()
    )


def test_a_breakdown_without_its_data_element_is_counted(warehouse: Path, tmp_path: Path) -> None:
    only_total = MAPPING.replace(f"    sex: {AC04_SEX}\n", "")
    assert only_total != MAPPING
    path = tmp_path / "mapping.yml"
    path.write_text(only_total, encoding="utf-8")
    values = _values(warehouse, "planner", load_mapping(path))
    # the fixture's AC04 sex rows: 2 sexes x 7 places x (48 months + 16 quarters + 4 years) = 952
    assert values.skipped["AC04 by sex has no data element"] == 952
    assert not any(v.data_element == AC04_SEX for v in values)
