"""Importing spreadsheets: every kind of error, named by row and column; both modes; templates."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook, load_workbook

from gongzhi.core import crypto
from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.registry.choices import ImportMode, JobStatus
from gongzhi.registry.models import Building, Household, ImportJob, Resident, ResidentEvent, ResidentTag, Thing
from gongzhi.registry.services import imports
from gongzhi.registry.spreadsheets.columns import RESIDENTS
from gongzhi.registry.spreadsheets.importing import import_spreadsheet
from gongzhi.registry.spreadsheets.reader import XlsxReader
from gongzhi.registry.spreadsheets.templates import template_for

from .factories import id_number

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "性别", "出生日期", "公民身份号码", "联系电话", "楼栋地址", "房号", "与户主关系", "标签",
          "居住证起始日期", "居住证截止日期"]


def xlsx(rows, header=HEADER, *, write_only=False, id_as_text=True) -> bytes:
    """A workbook as a community would send it (shared strings unless write_only)."""
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("居民") if write_only else wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def run(city, rows, persona="street_officer_a", mode=ImportMode.VALID_ROWS, **kw):
    return import_spreadsheet(actor=city.users[persona], entity="residents", source=xlsx(rows, **kw), mode=mode)


def good_row(n: int, **over):
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=n)
    row = {"姓名": f"居民{n}", "性别": "女", "出生日期": birth,
           "公民身份号码": id_number(birth, 100, male=False), "联系电话": f"1390000{n:04d}",
           "楼栋地址": "槐荫路1号1栋", "房号": f"2单元{n}", "与户主关系": "户主", "标签": "", "居住证起始日期": None,
           "居住证截止日期": None}
    row.update(over)
    return [row[h] for h in HEADER]


def problems_of(result):
    return {(p.row, p.column): p.message for p in result.problems}


def test_a_clean_file_is_imported_with_households_events_and_tags(city, reg):
    rows = [good_row(1, 标签="党员、流动人口", 居住证起始日期="2024-01-01", 居住证截止日期="2026-12-31"),
            good_row(2, 房号="2单元1", 与户主关系="配偶", 性别="", 出生日期=None), good_row(3, 楼栋地址="槐荫路2号")]
    result = run(city, rows, mode=ImportMode.ALL_OR_NOTHING)
    assert (result.rows, result.created, result.households_created, result.rejected) == (3, 3, 2, 0)
    first = Resident.objects.get(name="居民1")
    assert first.household.room == "2单元1" and first.grid_id == city.grid_a.pk
    assert Resident.objects.get(name="居民2").household_id == first.household_id
    assert Resident.objects.get(name="居民2").gender == "female"  # from the ID number
    assert Resident.objects.get(name="居民3").grid_id == city.grid_a_2.pk
    assert crypto.unseal(first.id_number_sealed) == rows[0][3] and first.masked_phone == "139****0001"
    assert first.name_initials == "jm"
    floating = ResidentTag.objects.get(resident=first, tag__code="floating")
    assert floating.permit_valid_until == dt.date(2026, 12, 31)
    assert ResidentEvent.objects.filter(resident__name__startswith="居民", kind="registered").count() == 3
    assert result.rejected_file is None


def test_every_kind_of_problem_is_named_by_row_and_column(city, reg):
    zhang_id = crypto.unseal(reg.zhang.id_number_sealed)
    dup = id_number(dt.date(1990, 2, 2), 9)
    good = id_number(dt.date(1980, 1, 1), 50, male=False)
    rows = [
        good_row(1, 公民身份号码="429999195001020018", 出生日期=None),  # 2: checksum
        good_row(2, 公民身份号码=int(good), 出生日期=None),  # 3: stored as a number
        good_row(3, 出生日期="1981-01-01"),  # 4: birth date disagrees
        good_row(4, 性别="男"),  # 5: gender disagrees
        good_row(5, 联系电话="0712-123"),  # 6: phone
        good_row(6, 公民身份号码="", 出生日期="2023-02-30"),  # 7: not a date
        good_row(7, 楼栋地址="不存在路9号"),  # 8: no such building
        good_row(8, 楼栋地址="府前路8号"),  # 9: a building outside street A
        good_row(9, 公民身份号码=dup, 性别="", 出生日期=None),  # 10: first of a pair
        good_row(10, 公民身份号码=dup, 性别="", 出生日期=None),  # 11: duplicate in the file
        good_row(11, 公民身份号码=zhang_id, 性别="男", 出生日期="1950-03-01"),  # 12: already registered
        good_row(12, 标签="党员、外星人"),  # 13: unknown tag
        good_row(13, 与户主关系="邻居"),  # 14: unknown choice
        good_row(14, 姓名=None),  # 15: required
        good_row(15, 居住证起始日期="2024-01-01"),  # 16: permit without the floating tag
        good_row(16, 标签="流动人口", 居住证起始日期="2024-01-01", 居住证截止日期="2023-01-01"),  # 17: ends first
        good_row(17, 公民身份号码="", 出生日期=dt.date.today() + dt.timedelta(days=3)),  # 18: future
        good_row(18),  # 19: fine
    ]
    result = run(city, rows)
    found = problems_of(result)
    expected_cells = {
        (2, "公民身份号码"), (3, "公民身份号码"), (4, "出生日期"), (5, "性别"), (6, "联系电话"), (7, "出生日期"),
        (8, "楼栋地址"), (9, "楼栋地址"), (11, "公民身份号码"), (12, "公民身份号码"), (13, "标签"), (14, "与户主关系"),
        (15, "姓名"), (16, "居住证起始日期"), (17, "居住证截止日期"), (18, "出生日期"),
    }
    assert set(found) == expected_cells
    assert "check digit" in found[(2, "公民身份号码")] and "number" in found[(3, "公民身份号码")]
    assert "row 10" in found[(11, "公民身份号码")] and "already" in found[(12, "公民身份号码")]
    assert "外星人" in found[(13, "标签")]
    assert found[(8, "楼栋地址")] == found[(9, "楼栋地址")]  # out of scope reads like missing
    assert (result.created, result.rejected) == (2, 16)  # rows 10 and 19

    rejected = list(load_workbook(io.BytesIO(result.rejected_file), read_only=True).active.iter_rows(values_only=True))
    assert rejected[0] == (*HEADER, "问题") and len(rejected) == 17
    assert rejected[1][0] == "居民1" and rejected[1][-1].startswith("公民身份号码: ")


def test_all_or_nothing_writes_nothing_when_a_row_is_wrong(city, reg):
    before = (Resident.objects.count(), Household.objects.count())
    rows = [good_row(n) for n in range(1, 2500)] + [good_row(9999, 联系电话="12")]
    result = run(city, rows, mode=ImportMode.ALL_OR_NOTHING)
    assert (result.created, result.rejected, result.rows) == (0, 1, 2500)
    assert (Resident.objects.count(), Household.objects.count()) == before
    assert list(problems_of(result)) == [(2501, "联系电话")]


def test_valid_rows_mode_keeps_the_good_ones_across_batches(city, reg):
    rows = [good_row(n) for n in range(1, 2500)] + [good_row(9999, 联系电话="12")]
    result = run(city, rows)
    assert (result.created, result.rejected) == (2499, 1)
    assert Resident.objects.filter(name__startswith="居民").count() == 2499


def test_english_headers_dates_as_numbers_and_inline_strings(city, reg):
    header = [c.en for c in RESIDENTS]
    row = {c.en: None for c in RESIDENTS}
    row.update({"Name": "Anna 李", "Gender": "female", "Birth date": 29221, "Building address": "槐荫路1号1栋",
                "Relation to head": "Tenant", "Residence": "living here, registered elsewhere", "Tags": "floating",
                "Residence permit from": "2024/3/1", "Phone": 13912340000})
    result = import_spreadsheet(actor=city.users["grid_worker"].__class__.objects.get(username="city_admin"),
                                entity="residents", source=xlsx([[row[h] for h in header]], header, write_only=True))
    assert result.created == 1 and result.language == "en", result.problems
    anna = Resident.objects.get(name="Anna 李")
    assert (anna.birth_date, anna.relation, anna.residence, anna.name_initials) == (
        dt.date(1980, 1, 1), "tenant", "living_only", "annal")


def test_file_level_problems(city, reg):
    user = city.users["street_officer_a"]
    with pytest.raises(DomainError) as exc:
        import_spreadsheet(actor=user, entity="residents", source=xlsx([["张三"]], ["姓名", "性别"]))
    assert exc.value.code == "bad_file" and "楼栋地址" in exc.value.message
    with pytest.raises(DomainError) as exc:
        import_spreadsheet(actor=user, entity="residents", source=b"name,phone\n")
    assert exc.value.code == "bad_file"
    with pytest.raises(PermissionDenied):
        import_spreadsheet(actor=city.users["grid_worker"], entity="residents", source=xlsx([good_row(1)]))


def test_buildings_and_things_import_with_their_own_checks(city, reg):
    user = city.users["street_officer_a"]
    header = ["楼栋地址", "网格编码", "层数", "经度", "纬度"]
    result = import_spreadsheet(actor=user, entity="buildings", source=xlsx([
        ["新村1栋", city.grid_a.code, 6, 113.91, 30.91], ["新村1栋", city.grid_a.code, 6, None, None],
        ["槐荫路1号1栋", city.grid_a.code, 5, None, None], ["新村2栋", city.grid_b.code, 5, None, None],
        ["新村3栋", int(city.grid_a2.code), "六", None, None], ["新村4栋", city.grid_a2.code, 7, 10, 30],
        ["新村5栋", city.grid_a2.code, None, None, None],
    ], header), mode=ImportMode.VALID_ROWS)
    assert {(p.row, p.column) for p in result.problems} == {(3, "楼栋地址"), (4, "楼栋地址"), (5, "网格编码"),
                                                           (6, "层数"), (7, "经度")}
    assert set(Building.objects.filter(address__startswith="新村").values_list("address", "grid_id")) == {
        ("新村1栋", city.grid_a.pk), ("新村5栋", city.grid_a2.pk)}

    result = import_spreadsheet(actor=user, entity="things", source=xlsx([
        ["J-001", "公用设施", "井盖", city.grid_a.code], ["J-002", "不存在", "井盖", city.grid_a.code],
        ["J-001", "公用设施", "井盖", city.grid_a.code]], ["部件编码", "大类", "小类", "网格编码"]), mode="valid_rows")
    assert [(p.row, p.column) for p in result.problems] == [(3, "大类"), (4, "部件编码")]
    assert Thing.objects.get(code="J-001").state == "good"


def test_templates_round_trip_through_the_reader(city):
    for language, name_header in (("zh", "姓名"), ("en", "Name")):
        content = template_for("residents", language)
        rows = list(XlsxReader(io.BytesIO(content)).rows())
        assert rows[0][1][0] == name_header and rows[1][1][0] in ("张伟",)
        assert rows[1][1][3] == "429999198001020016"
    sheet = load_workbook(io.BytesIO(template_for("residents")), read_only=False).active
    assert sheet["D2"].number_format == "@"


def test_an_import_job_runs_once_reports_and_is_audited(city, reg, django_capture_on_commit_callbacks):
    user = city.users["community_secretary"]
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.start_import(actor=user, entity="residents", mode="valid_rows", file_name="居民.xlsx",
                                   data=xlsx([good_row(1), good_row(2, 联系电话="1")]))
    job.refresh_from_db()
    assert (job.status, job.created_rows, job.rejected_rows, job.total_rows) == (JobStatus.DONE, 1, 1, 2)
    assert job.problems == [{"row": 3, "column": "联系电话", "message": job.problems[0]["message"]}]
    assert not (imports.job_dir() / f"{job.pk}-upload.sealed").exists()  # the upload is gone
    sealed = (imports.job_dir() / job.rejected_path).read_bytes()
    assert "居民2".encode() not in sealed and b"PK" not in sealed[:2]  # kept sealed
    assert load_workbook(io.BytesIO(imports.rejected_rows(job))).active["A2"].value == "居民2"
    entry = AuditEntry.objects.get(action="registry.import")
    assert entry.after["created"] == 1 and entry.division_id == city.community_a.pk
    imports.run_import_job(job.pk)
    assert ImportJob.objects.get(pk=job.pk).created_rows == 1 and Resident.objects.filter(name="居民1").count() == 1


def test_import_api_reports_the_job(client_as, city, reg, django_capture_on_commit_callbacks):
    upload = io.BytesIO(xlsx([good_row(1, 联系电话="1")]))
    upload.name = "residents.xlsx"
    c = client_as("street_officer_a")
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post("/api/v1/registry/imports", {"entity": "residents", "mode": "all_or_nothing",
                                                       "file": upload})
    assert response.status_code == 202
    job = c.get(f"/api/v1/registry/imports/{response.json()['id']}").json()
    assert job["status"] == "done" and job["created_rows"] == 0 and job["problems"][0]["column"] == "联系电话"
    rejected = c.get(job["rejected_url"])
    assert rejected.status_code == 200
    assert client_as("street_officer_b").get(job["rejected_url"]).status_code == 404


def test_progress_is_reported_per_batch(city, reg):
    seen = []
    import_spreadsheet(actor=city.users["street_officer_a"], entity="residents",
                       source=xlsx([good_row(n) for n in range(1, 4100)]), mode="valid_rows",
                       progress=lambda done, total: seen.append(done))
    assert seen == [2000, 4000, 4099]


def test_facilities_and_organisations_import_with_masked_contacts(city, reg):
    user = city.users["community_secretary"]
    header = ["名称", "类型", "网格编码", "建筑面积（平方米）", "开放时间"]
    result = import_spreadsheet(actor=user, entity="facilities", source=xlsx([
        ["书院社区党群服务中心", "党群服务中心", city.grid_a.code, 650.5, "8:30-17:30"],
        ["活动室", "活动室", city.grid_b.code, 60, ""]], header), mode="valid_rows")
    assert result.created == 1 and [(p.row, p.column) for p in result.problems] == [(3, "网格编码")]
    result = import_spreadsheet(actor=user, entity="organisations", source=xlsx([
        ["阳光小区业委会", "业委会", city.grid_a.code, "刘主任", "13511112222"],
        ["某商户", "商户", city.grid_a.code, "", "123"]], ["名称", "类型", "网格编码", "联系人", "联系电话"]),
        mode="valid_rows")
    assert result.created == 1 and [(p.row, p.column) for p in result.problems] == [(3, "联系电话")]
    from gongzhi.registry.models import Organisation

    assert Organisation.objects.get().masked_contact_phone == "135****2222"


def test_the_export_writer_writes_what_spreadsheets_read():
    from gongzhi.registry.spreadsheets.writer import XlsxWriter

    out = io.BytesIO()
    with XlsxWriter(out, "居民", [10, 10, 10, 10]) as sheet:
        sheet.header(["姓名", "日期", "数", "备注"])
        sheet.append(["张<伟>&", dt.date(2024, 3, 1), 42, "a\x01b"])
        sheet.append([None, None, 1.5, True])
    ws = load_workbook(io.BytesIO(out.getvalue())).active
    assert ws.title == "居民" and ws["A1"].font.b
    assert [c.value for c in ws[2]] == ["张<伟>&", dt.datetime(2024, 3, 1), 42, "ab"]
    assert [c.value for c in ws[3]] == [None, None, 1.5, True]
    assert list(XlsxReader(io.BytesIO(out.getvalue())).rows())[1] == (2, ["张<伟>&", 45352, 42, "ab"])


# --- the reader's fast path reads what the XML parser reads ------------------------------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def with_sheet(sheet_xml: str, *, shared: list[str] = ()) -> bytes:
    """An .xlsx whose first sheet is `sheet_xml` (and whose shared strings are `shared`)."""
    import zipfile
    from xml.sax.saxutils import escape

    base = xlsx([["x"]], ["x"])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/sharedStrings.xml":
                data = sheet_xml.encode() if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
                target.writestr(info, data)
        target.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN_NS}">'
                        + "".join(f"<si><t>{escape(s)}</t></si>" for s in shared) + "</sst>")
    return out.getvalue()


def sheet(rows: str, *, root: str = f'<worksheet xmlns="{MAIN_NS}">', declaration: str = "") -> str:
    return f'{declaration}{root}<dimension ref="A1:C9"/><sheetData>{rows}</sheetData></worksheet>'


def both_ways(content: bytes):
    """(rows by the reader, rows by the parser alone, whether the fast path went all the way)."""
    from gongzhi.registry.spreadsheets.reader import _Unusual

    parsed = list(XlsxReader(io.BytesIO(content))._parsed_rows())
    try:
        list(XlsxReader(io.BytesIO(content))._fast_rows())
        fast = True
    except _Unusual:
        fast = False
    reader = XlsxReader(io.BytesIO(content))
    return list(reader.rows()), parsed, fast, reader.last_row


EXCEL_ROOT = (f'<worksheet xmlns="{MAIN_NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
              'relationships" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">')


@pytest.mark.parametrize(("name", "content", "fast"), [
    ("excel, shared strings", with_sheet(sheet(
        '<row r="1" spans="1:3" x14ac:dyDescent="0.25"><c r="A1" t="s"><v>0</v></c><c r="B1" s="2" t="s">'
        '<v>1</v></c></row><row r="2" spans="1:3"><c r="A2" s="1"><v>45352</v></c><c r="B2" t="b"><v>1</v></c>'
        '<c r="C2" t="e"><v>#N/A</v></c></row><row r="3"/><row r="5"><c r="C5" t="str"><v> 合计 </v></c></row>',
        root=EXCEL_ROOT, declaration='<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'),
        shared=["姓名", "张<伟>&"]), True),
    ("entities, line ends, empty cells", with_sheet(sheet(
        '<row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve"> a&amp;b&lt;c&#20013;&#x4E2D; </t></is>'
        '</c><c r="B1" t="inlineStr"><is><t>x\r\ny</t></is></c><c r="C1" t="inlineStr" /></row>'
        '<row r="2"><c r="A2"><v>-12</v></c><c r="B2" t="n"><v>1.5E3</v></c><c r="AA2"><v>7</v></c></row>')),
     True),
    ("formulas, rich text, cells without a reference", with_sheet(sheet(
        '<row r="1"><c r="A1"><f>1+1</f><v>2</v></c><c r="B1" t="inlineStr"><is><r><t>富</t></r><r><rPr><b/>'
        '</rPr><t>文本</t></r></is></c></row><row><c t="inlineStr"><is><t>a</t></is></c><c><v>3</v></c></row>'
        '<row r="4"><c r="B4" cm="1"><v>4</v></c></row>')), True),
    ("a prefixed namespace", with_sheet(
        f'<x:worksheet xmlns:x="{MAIN_NS}"><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>甲'
        '</x:t></x:is></x:c></x:row><x:row r="2"><x:c r="B2"><x:v>2</x:v></x:c></x:row></x:sheetData>'
        '</x:worksheet>'), False),
    ("CDATA and comments", with_sheet(sheet(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row><!-- </row> -->'
        '<row r="2"><c r="A2" t="inlineStr"><is><t><![CDATA[<b></row>]]></t></is></c></row>')), False),
    ("another encoding", with_sheet(sheet('<row r="1"><c r="A1"><v>1</v></c></row>',
                                          declaration='<?xml version="1.0" encoding="ISO-8859-1"?>')), False),
])
def test_the_fast_path_reads_what_the_parser_reads(name, content, fast):
    rows, parsed, went_fast, last_row = both_ways(content)
    assert rows == parsed and rows, name
    assert went_fast == fast, name
    if "excel" in name:
        assert rows == [(1, ["姓名", "张<伟>&"]), (2, [45352, True]), (5, [None, None, "合计"])]
        assert last_row == 9
    if "entities" in name:
        assert rows[0] == (1, ["a&b<c中中", "x\ny"]) and rows[1] == (2, [-12, 1500.0, *[None] * 24, 7])
    if "formulas" in name:
        assert rows == [(1, [2, "富文本"]), (2, ["a", 3]), (4, [None, 4])]


def test_a_sheet_cut_short_or_bad_markup_is_a_damaged_file(city):
    whole = sheet("".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 2000)))
    for broken in (whole[:len(whole) // 2], whole.replace('<v>1500</v>', '<v>1500</c>'),
                   whole.replace("<v>7</v>", "<v>a &nbsp; b</v>"), whole.replace('<v>9</v>', '<v>x</v>')):
        reader = XlsxReader(io.BytesIO(with_sheet(broken)))
        with pytest.raises(DomainError) as exc:
            list(reader.rows())
        assert exc.value.code == "bad_file"


def test_large_files_take_the_fast_path(city):
    content = xlsx([good_row(n) for n in range(1, 300)], write_only=True)
    rows, parsed, fast, _last = both_ways(content)
    assert fast and rows == parsed and len(rows) == 300
    content = xlsx([good_row(n) for n in range(1, 300)])
    rows, parsed, fast, _last = both_ways(content)
    assert fast and rows == parsed and len(rows) == 300


def test_sealed_values_and_blind_indexes_keep_their_format(monkeypatch):
    """Values sealed and indexed before the speed-ups still read and match (development key)."""
    monkeypatch.delenv(crypto.ENV_KEY, raising=False)
    crypto.reset_keys()
    try:
        number = "429999198001020016"
        assert crypto.blind_index(number, crypto.ID_NUMBER) == "e9f7febd2beaea09e5885bb28d4e3e92"
        assert crypto.unseal("v1:8f99f8NDFIX8GyQ6kapG0yWvIpOL12iZmIHiEyFhBYGQy/7erNNZv1dCWn0DdQ==") == number
        assert crypto.unseal(crypto.seal(number)) == number
        import hashlib
        import hmac

        _, keys = crypto._keys()
        for value in (number, "13912345678", "x" * 200, "张伟"):
            for purpose in (crypto.ID_NUMBER, crypto.PHONE):
                assert crypto.blind_index(value, purpose) == hmac.new(
                    keys[purpose], value.encode(), hashlib.sha256).hexdigest()[:32]
    finally:
        crypto.reset_keys()


def test_foreign_keys_are_checked_per_statement_during_an_import_and_deferred_again_after(city, reg):
    from django.db import IntegrityError, connection, transaction

    from gongzhi.registry.spreadsheets.importing import foreign_keys_checked_per_statement

    result = run(city, [good_row(1), good_row(2)], mode=ImportMode.ALL_OR_NOTHING)
    assert result.created == 2
    if connection.vendor != "postgresql":
        return
    table = Resident._meta.db_table
    dangling = f"UPDATE {table} SET household_id = -1 WHERE id = %s"  # noqa: S608
    with transaction.atomic():
        with foreign_keys_checked_per_statement([table]), pytest.raises(IntegrityError), \
                transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(dangling, [reg.zhang.pk])  # refused at once
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(dangling, [reg.zhang.pk])  # deferred again: accepted until commit …
            transaction.set_rollback(True)  # … which never comes
