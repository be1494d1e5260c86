"""Importing party members from .xlsx: rows through the same service as the page, all or nothing,
the problems listed by row and column; and the import page."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.demo.fixture_city import build_fixture_city
from gongzhi.party.models import Member
from gongzhi.party.services import member_sheets
from gongzhi.registry.tests.factories import id_number

from .factories import build_party

pytestmark = pytest.mark.django_db
HEADER = ["姓名", "性别", "公民身份号码", "联系电话", "所在党组织", "党员状态", "党员类别", "入党日期", "转正日期",
          "居住社区"]


@pytest.fixture
def w():
    city = build_fixture_city()
    return city, build_party(city)


def sheet(*rows, header=HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def good_rows(p):
    return [
        ("冯一", "男", id_number(dt.date(1980, 1, 2), 11), "13600000001", p.branch_a.name, "正式党员", "在职",
         "2005-07-01", "2006-07-01", "书院社区"),
        ("冯二", "", "", "13600000002", p.community_a2.code, "预备", "流动党员", dt.date(2025, 7, 1), None,
         "420902001002"),
    ]


def test_a_good_sheet_enters_every_row(w):
    city, p = w
    result = member_sheets.import_members(actor=city.users["street_officer_a"], source=sheet(*good_rows(p)))
    assert (result.rows, result.created, result.problem_count) == (2, 2, 0)
    one, two = Member.objects.get(name="冯一"), Member.objects.get(name="冯二")
    assert (one.organisation, one.home_community, one.gender, one.category) == (
        p.branch_a, city.community_a, "male", "employed")
    assert (two.organisation, two.status, two.category, two.home_community) == (
        p.community_a2, "probationary", "mobile", city.community_a2)
    assert two.masked_phone == "136****0002" and two.name_initials == "fe"
    assert AuditEntry.objects.filter(action="party.member.add").count() == 2


def test_one_bad_row_and_nothing_is_written(w):
    city, p = w
    before = Member.objects.count()
    rows = [
        *good_rows(p),
        ("冯三", "男", "420902198001011234", "", p.branch_a.name, "", "", "", "", ""),  # a wrong check digit
        ("冯四", "", "", "", p.branch_b.name, "", "", "", "", ""),  # street B's branch: not the officer's
        ("", "", "", "", p.branch_a.name, "", "", "", "", ""),  # no name
        ("冯五", "", "", "", p.branch_a.name, "党员", "", "2099-01-01", "", "火星社区"),
        ("冯六", "", good_rows(p)[0][2], "", p.branch_a.name, "", "", "", "", ""),  # the first row's ID again
    ]
    result = member_sheets.import_members(actor=city.users["street_officer_a"], source=sheet(*rows))
    assert result.created == 0 and Member.objects.count() == before
    found = {(x.row, x.column) for x in result.problems}
    assert found >= {(4, "公民身份号码"), (5, "所在党组织"), (6, "姓名"), (7, "党员状态"), (7, "入党日期"),
                     (7, "居住社区"), (8, "公民身份号码")}
    messages = {(x.row, x.column): x.message for x in result.problems}
    assert "check digit" in messages[(4, "公民身份号码")]
    assert "No organisation of yours" in messages[(5, "所在党组织")]
    assert "already recorded" in messages[(8, "公民身份号码")]
    assert not AuditEntry.objects.filter(action="party.member.add").exists()


def test_a_sheet_without_the_required_columns_is_refused(w):
    city, _p = w
    with pytest.raises(DomainError) as caught:
        member_sheets.import_members(actor=city.users["street_officer_a"], source=sheet(("冯一",), header=["姓名"]))
    assert caught.value.code == "bad_file" and "所在党组织" in caught.value.message
    with pytest.raises(DomainError):
        member_sheets.import_members(actor=city.users["street_officer_a"], source=b"not a spreadsheet")


def test_only_those_who_edit_members_import(w):
    city, p = w
    for user in (city.users["district_officer"], p.unit_secretary):
        with pytest.raises(PermissionDenied):
            member_sheets.import_members(actor=user, source=sheet(*good_rows(p)))
    assert not Member.objects.filter(name__startswith="冯").exists()


def test_the_templates_example_imports(w):
    city, _p = w
    result = member_sheets.import_members(actor=city.users["street_officer_a"], source=member_sheets.template())
    assert result.created == 1
    example = Member.objects.get(name="张伟", workplace="孝南区城市管理执法局")
    assert example.organisation.name == "书院社区第一网格党支部"


def test_the_import_page_lists_the_problems_by_row_and_column(w):
    city, p = w
    c = Client()
    c.force_login(city.users["community_secretary"], backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    rows = [("冯四", "", "", "", p.branch_b.name, "", "", "", "", "")]
    upload = SimpleUploadedFile("m.xlsx", sheet(*rows))
    r = c.post(reverse("party:member_import"), {"file": upload})
    assert r.status_code == 400
    body = r.content.decode()
    assert "所在党组织" in body and "No organisation of yours" in body
    upload = SimpleUploadedFile("m.xlsx", sheet(*good_rows(p)[:1]))
    r = c.post(reverse("party:member_import"), {"file": upload})
    assert r.status_code == 302 and Member.objects.filter(name="冯一").exists()
    assert Client().get(reverse("party:member_import")).status_code == 302


def test_import_and_export_over_the_api(w):
    from openpyxl import load_workbook

    from gongzhi.accounts.services import issue_token

    city, p = w
    officer = city.users["street_officer_a"]
    client = Client(headers={"Authorization": f"Bearer {issue_token(actor=officer, name='t')[1]}"})
    before = Member.objects.count()
    bad = client.post("/api/v1/party/members/import", {"file": SimpleUploadedFile(
        "m.xlsx", sheet(*good_rows(p), ("冯四", "", "", "", p.branch_b.name, "", "", "", "", "")))})
    assert bad.status_code == 400 and bad.json()["created"] == 0 and Member.objects.count() == before
    assert [x["row"] for x in bad.json()["problems"]] == [4]
    assert client.post("/api/v1/party/members/import").status_code == 400  # no file
    good = client.post("/api/v1/party/members/import", {"file": SimpleUploadedFile("m.xlsx", sheet(*good_rows(p)))})
    assert good.status_code == 200 and good.json()["created"] == 2
    exported = client.get("/api/v1/party/members/export", {"q": "冯"})
    rows = list(load_workbook(io.BytesIO(b"".join(exported.streaming_content)), read_only=True).active.iter_rows(
        values_only=True))
    cells = [c for row in rows[1:] for c in row]
    assert {"冯一", "冯二"} <= set(cells) and "13600000001" not in cells and "136****0001" in cells
    assert AuditEntry.objects.filter(action__contains="export", actor=officer).exists()
