"""Importing divisions from a CSV in the national statistical format: what lands in the database,
every kind of problem named by row and column, and all-or-nothing."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from gongzhi.core.models import AuditEntry
from gongzhi.divisions.choices import LEVELS, ChangeKind, Level
from gongzhi.divisions.models import Division, DivisionChange
from gongzhi.divisions.services.importing import (
    RENAME,
    DivisionRow,
    ImportRejected,
    display_name,
    division_kind,
    import_divisions,
    read_division_csv,
)

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "division_files"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def read(name: str):
    return read_division_csv((FILES / name).read_bytes())


def run(rows, **kwargs):
    return import_divisions(actor=None, actor_label="test", rows=rows, reason="test import", **kwargs)


def counts() -> dict[str, int]:
    return {level: Division.objects.filter(level=level, is_active=True).count() for level in LEVELS}


def get(code: str) -> Division:
    return Division.objects.get(code=code, is_active=True)


def everything() -> tuple[int, int, int]:
    return Division.objects.count(), DivisionChange.objects.count(), AuditEntry.objects.count()


# --- a clean file ---------------------------------------------------------------------------------


def test_statistical_file_creates_every_level_with_place_names_and_kinds():
    report = run(read("xiaogan.csv").rows)

    assert counts() == {"province": 1, "city": 1, "district": 2, "street": 3, "community": 5, "grid": 0}
    assert report.created_total == 12
    assert report.unchanged == 0
    # Committees become the places people name; the suffix says the kind.
    assert (get("420902001001").name, get("420902001001").kind) == ("书院社区", "社区")
    assert (get("420902100209").name, get("420902100209").kind) == ("罗陂村", "村")
    codes = ("420000000000", "420900000000", "420902000000", "420921000000", "420902001000", "420902100000")
    assert [(get(c).name, get(c).kind) for c in codes] == [
        ("湖北省", "省"), ("孝感市", "地级市"), ("孝南区", "市辖区"), ("孝昌县", "县"), ("书院街道", "街道"),
        ("新铺镇", "镇")]


def test_parents_and_cached_ancestors_follow_from_the_codes():
    run(read("xiaogan.csv").rows)
    province, city, district = get("420000000000"), get("420900000000"), get("420902000000")
    street, community = get("420902001000"), get("420902001001")

    assert community.parent == street
    assert street.parent == district
    assert district.parent == city
    ancestors = [getattr(community, level) for level in LEVELS[:-1]]
    assert ancestors == [province, city, district, street, community]
    assert (street.street_id, street.community_id) == (street.pk, None)
    assert province.province_id == province.pk
    assert province.parent is None
    under_district = Division.objects.filter(district=district, level=Level.COMMUNITY)
    assert set(under_district.values_list("code", flat=True)) == {
        "420902001001", "420902001002", "420902100001", "420902100209"}


def test_each_division_gets_an_audit_row_and_a_history_row_keeping_the_urban_rural_code():
    run(read("xiaogan.csv").rows)
    community = get("420902100209")

    entry = AuditEntry.objects.get(object_type="divisions.division", object_id=str(community.pk))
    assert (entry.action, entry.actor_label, entry.reason, entry.division) == (
        "division.import", "test", "test import", community)
    assert entry.after["name"] == "罗陂村"
    assert entry.after["parent"] == community.parent_id
    change = DivisionChange.objects.get(division=community)
    assert change.kind == ChangeKind.IMPORTED
    assert change.after == {"code": "420902100209", "name": "罗陂村", "urban_rural_code": "220"}
    assert AuditEntry.objects.filter(action="division.import").count() == Division.objects.count() == 12
    assert DivisionChange.objects.filter(kind=ChangeKind.IMPORTED).count() == 12


def test_importing_the_same_file_again_changes_nothing():
    run(read("xiaogan.csv").rows)
    before = everything(), counts()

    report = run(read("xiaogan.csv").rows)

    assert (everything(), counts()) == before
    assert report.created_total == 0
    assert report.unchanged == 12


def test_gbk_file_reads_as_the_utf8_one():
    raw = (FILES / "xiaogan_gbk.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")

    assert read("xiaogan_gbk.csv").rows == read("xiaogan.csv").rows
    run(read("xiaogan_gbk.csv").rows)
    assert get("420921100001").name == "花园社区"


def test_english_headers_without_a_byte_order_mark():
    division_file = read("english_headers.csv")
    assert division_file.labels == {"code": "code", "name": "name"}

    run(division_file.rows)

    assert get("420923100000").name == "城关镇"
    assert get("420923100000").parent == get("420923000000")


def test_a_city_may_come_without_its_province():
    run([DivisionRow(code="420900000000", name="孝感市"), DivisionRow(code="420902000000", name="孝南区")])
    assert get("420900000000").parent is None
    assert get("420902000000").city == get("420900000000")


def test_parents_may_already_be_in_the_database(city):
    report = run([DivisionRow(code="420902001003", name="北池社区居委会", line=2),
                  DivisionRow(code="420902001003001", name="北池社区第一网格", line=3)])

    community, grid = get("420902001003"), get("420902001003001")
    assert community.parent == city.street_a
    assert community.district == city.district
    assert grid.level == Level.GRID
    assert grid.parent == community
    assert grid.community == community
    assert report.created == {"community": 1, "grid": 1}


def test_a_row_with_a_boundary_gets_its_area(city):
    square = {"type": "Polygon", "coordinates": [[[113.9, 30.9], [113.901, 30.9], [113.901, 30.901],
                                                   [113.9, 30.901], [113.9, 30.9]]]}
    run([DivisionRow(code="420902001001003", name="书院社区第三网格", geometry=square)])
    assert get("420902001001003").area_m2 == pytest.approx(95.5 * 111.2 * 1.0, rel=0.01)


# --- problems -------------------------------------------------------------------------------------


def test_every_problem_is_named_by_row_and_column_and_nothing_is_written():
    before = everything()

    with pytest.raises(ImportRejected) as caught:
        run(read("problems.csv").rows)

    assert {(e.line, e.column, e.code) for e in caught.value.errors} == {
        (3, "code", "bad_code"),  # a letter in the code
        (4, "code", "bad_code"),  # ten digits
        (5, "code", "no_parent"),  # 孝感市 is refused above, so 孝南区 has no parent
        (6, "name", "empty_name"),
        (7, "code", "duplicate"),
        (8, "urban_rural_code", "bad_urban_rural_code"),
        (9, "code", "no_parent"),  # street 420902009 is nowhere
        (10, "code", "no_parent"),  # a street straight under a city: no district digits
    }
    assert everything() == before


def test_errors_read_as_row_and_the_files_own_column_name():
    with pytest.raises(ImportRejected) as caught:
        run(read("problems.csv").rows)
    labels = read("problems.csv").labels

    lines = [e.describe(labels) for e in caught.value.errors]
    assert lines[0].startswith("row 3, 统计用区划代码: ")
    duplicate = "row 7, 统计用区划代码: 420902001000 appears twice (first in row 6)"
    assert any(line.startswith(duplicate) for line in lines)
    assert any(line.startswith("row 8, 城乡分类代码: ") for line in lines)


def test_a_file_in_neither_utf8_nor_gbk_is_refused():
    with pytest.raises(ImportRejected) as caught:
        read_division_csv("code,name\n420000000000,湖北省\n".encode() + b"\xff\xff")
    assert [e.code for e in caught.value.errors] == ["bad_encoding"]


def test_a_file_without_a_code_column_is_refused():
    with pytest.raises(ImportRejected) as caught:
        read("no_code_column.csv")
    assert [(e.line, e.code) for e in caught.value.errors] == [(1, "bad_header")]


def test_a_code_in_use_under_another_name_is_refused(city):
    before = everything()
    with pytest.raises(ImportRejected) as caught:
        run([DivisionRow(code="420902001001", name="书院社区居委会", line=2),  # the same place: fine
             DivisionRow(code="420902001002", name="北关社区居委会", line=3)])

    assert [(e.line, e.column, e.code) for e in caught.value.errors] == [(3, "name", "name_conflict")]
    assert "北外社区" in caught.value.errors[0].message
    assert everything() == before


def test_renaming_existing_codes_must_be_asked_for_and_is_audited(city):
    report = run([DivisionRow(code="420902001002", name="北关社区居委会")], existing_names=RENAME)

    community = get("420902001002")
    assert community.name == "北关社区"
    assert community.version == 2
    assert report.renamed == [("420902001002", "北外社区", "北关社区")]
    change = DivisionChange.objects.get(division=community, kind=ChangeKind.RENAMED)
    assert (change.before, change.after) == ({"name": "北外社区"}, {"name": "北关社区"})
    assert change.reason == "test import"
    assert AuditEntry.objects.filter(action="division.rename", object_id=str(community.pk)).exists()


def test_an_import_needs_a_reason():
    with pytest.raises(Exception, match="Say why"):
        import_divisions(actor=None, rows=[DivisionRow(code="420000000000", name="湖北省")], reason=" ")
    assert not Division.objects.exists()


# --- many rows --------------------------------------------------------------------------------------


def many_rows(streets: int, communities: int) -> list[DivisionRow]:
    rows = [DivisionRow(code="420000000000", name="湖北省"), DivisionRow(code="420900000000", name="孝感市"),
            DivisionRow(code="420902000000", name="孝南区")]
    for s in range(1, streets + 1):
        rows.append(DivisionRow(code=f"420902{s:03d}000", name=f"第{s}街道"))
        rows += [DivisionRow(code=f"420902{s:03d}{c:03d}", name=f"第{s}街道第{c}社区居委会",
                             urban_rural_code="111") for c in range(1, communities + 1)]
    return rows


def test_thousands_of_rows_are_written_in_bulk(django_assert_max_num_queries):
    rows = many_rows(streets=40, communities=50)
    # Row by row this would be three inserts per division (6,000+); in bulk it is a few per batch
    # (SQLite's backend caps a batch at 999 parameters, about 50 divisions).
    with django_assert_max_num_queries(150):
        report = run(rows)

    assert report.created == {"province": 1, "city": 1, "district": 1, "street": 40, "community": 2000}
    community = get("420902040050")
    assert (community.name, community.street.code, community.community_id) == (
        "第40街道第50社区", "420902040000", community.pk)
    assert AuditEntry.objects.count() == DivisionChange.objects.count() == 2043


def test_progress_is_reported_level_by_level():
    seen = []
    run(many_rows(streets=2, communities=600), progress=lambda *step: seen.append(step))

    assert [s for s in seen if s[0] == "community"] == [
        ("community", 500, 1200), ("community", 1000, 1200), ("community", 1200, 1200)]
    assert ("street", 2, 2) in seen


# --- names and kinds ------------------------------------------------------------------------------


@pytest.mark.parametrize(("level", "source_name", "name", "kind"), [
    ("community", "书院社区居委会", "书院社区", "社区"),
    ("community", "乐冲社区居民委员会", "乐冲社区", "社区"),
    ("community", "王店居委会", "王店社区", "社区"),
    ("community", "醉仙楼居民委员会", "醉仙楼社区", "社区"),
    ("community", "罗陂村委会", "罗陂村", "村"),
    ("community", "双河村民委员会", "双河村", "村"),
    ("community", "泥湖生产大队", "泥湖生产大队", "大队"),
    ("street", "新铺镇", "新铺镇", "镇"),
    ("street", "朋兴乡", "朋兴乡", "乡"),
    ("street", "朱湖办事处", "朱湖办事处", "办事处"),
    ("district", "应城市", "应城市", "县级市"),
])
def test_place_names_and_kinds(level, source_name, name, kind):
    assert display_name(level, source_name) == name
    assert division_kind(level, name) == kind


def test_the_urban_rural_code_tells_the_kind_when_the_name_does_not():
    assert division_kind("community", "台湖农场生活区", "112") == "社区"
    assert division_kind("community", "台湖农场生活区", "220") == "村"


# --- the command ----------------------------------------------------------------------------------


def test_command_imports_a_file_and_says_what_it_did():
    out = StringIO()
    call_command("import_divisions", str(FILES / "xiaogan.csv"), stdout=out)

    assert counts()["community"] == 5
    text = out.getvalue()
    assert "xiaogan.csv: 12 rows." in text
    assert "1 provinces, 1 cities, 2 districts, 3 streets, 5 communities" in text
    audited = AuditEntry.objects.filter(actor_label="import-divisions", reason="Imported from xiaogan.csv")
    assert audited.count() == 12


def test_command_lists_every_problem_and_fails_without_writing():
    err = StringIO()
    with pytest.raises(CommandError, match="8 problem"):
        call_command("import_divisions", str(FILES / "problems.csv"), stdout=StringIO(), stderr=err)

    assert "row 6, 名称: The name is empty." in err.getvalue()
    assert len(err.getvalue().strip().splitlines()) == 8
    assert not Division.objects.exists()


def test_command_suggests_update_names_and_renames_with_it(city, tmp_path):
    path = tmp_path / "rename.csv"
    path.write_text("code,name\n420902001002,北关社区居委会\n", encoding="utf-8")

    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_divisions", str(path), stdout=StringIO(), stderr=err)
    assert "--update-names" in err.getvalue()

    out = StringIO()
    call_command("import_divisions", str(path), "--update-names", "--reason", "民政局2024年更名", stdout=out)
    assert get("420902001002").name == "北关社区"
    assert "420902001002: 北外社区 → 北关社区" in out.getvalue()
    assert DivisionChange.objects.get(kind=ChangeKind.RENAMED).reason == "民政局2024年更名"
