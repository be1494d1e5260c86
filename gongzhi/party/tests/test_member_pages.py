"""The party members pages as their users meet them: the list and its search, the record (masked,
with the audited reveal), the forms, the resident picker, the export and the template."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.core.models import AuditEntry
from gongzhi.demo.fixture_city import build_fixture_city
from gongzhi.party.models import Member, Transfer
from gongzhi.registry.tests.factories import build_registry

from .factories import build_party

pytestmark = pytest.mark.django_db
BACKEND = "gongzhi.accounts.backends.UsernameOrPhoneBackend"


@pytest.fixture
def w():
    city = build_fixture_city()
    reg = build_registry(city)
    party = build_party(city, reg)
    return city, reg, party


def client_for(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user, backend=BACKEND)
    return c


def text(response) -> str:
    return response.content.decode()


def test_the_list_shows_the_members_in_reach_masked(w):
    city, _reg, _p = w
    r = client_for(city.users["community_secretary"]).get(reverse("party:members"))
    assert r.status_code == 200
    body = text(r)
    assert "张伟" in body and "周平" in body and "赵强" not in body
    assert "139****5678" in body and "13912345678" not in body


def test_the_search_box_answers_with_the_results_alone(w):
    city, _reg, _p = w
    r = client_for(city.users["street_officer_a"]).get(reverse("party:members"), {"q": "zw"},
                                                        headers={"HX-Request": "true"})
    body = text(r)
    assert r.status_code == 200 and "<html" not in body
    assert "张伟" in body and "孙丽" not in body


def test_who_sees_no_member_gets_no_list(w):
    city, _reg, p = w
    assert client_for(city.users["grid_worker"]).get(reverse("party:members")).status_code == 403
    assert client_for(city.users["resident"]).get(reverse("party:members")).status_code == 403
    assert client_for(None).get(reverse("party:members")).status_code == 302
    # An organisation out of reach is filtered as a missing one: 404 alike.
    officer = client_for(city.users["street_officer_a"])
    assert officer.get(reverse("party:members"), {"organisation": p.branch_b.pk}).status_code == 404
    assert officer.get(reverse("party:members"), {"organisation": 10**9}).status_code == 404
    r = officer.get(reverse("party:members"), {"organisation": p.branch_a.pk})
    assert "张伟" in text(r) and "郑敏" not in text(r)


def test_the_record_is_masked_and_the_reveal_is_for_secretaries(w):
    city, _reg, p = w
    url = reverse("party:member", args=[p.member_zhang.pk])
    officer = client_for(city.users["street_officer_a"])
    body = text(officer.get(url))
    assert "139****5678" in body and "13912345678" not in body
    assert reverse("party:member_reveal", args=[p.member_zhang.pk, "phone"]) not in body
    assert client_for(city.users["street_officer_b"]).get(url).status_code == 404
    reveal = reverse("party:member_reveal", args=[p.member_zhang.pk, "phone"])
    assert officer.post(reveal).status_code == 403
    assert not AuditEntry.objects.filter(action="party.member.reveal").exists()

    secretary = client_for(city.users["community_secretary"])
    assert reveal in text(secretary.get(url))
    r = secretary.post(reveal, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "13912345678" in text(r) and r["Cache-Control"] == "no-store"
    assert AuditEntry.objects.get(action="party.member.reveal").after == {"field": "phone"}


def test_entering_a_member_from_the_page(w):
    city, _reg, p = w
    c = client_for(city.users["street_officer_a"])
    form = text(c.get(reverse("party:member_new")))
    assert p.branch_a.name in form and p.branch_b.name not in form  # the choices are the officer's
    data = {"name": "韩梅", "organisation": p.branch_a.pk, "status": "full", "category": "employed",
            "phone": "13700001234", "home_community": city.community_a.pk, "idempotency_key": "abc"}
    r = c.post(reverse("party:member_new"), data)
    m = Member.objects.get(name="韩梅")
    assert r.status_code == 302 and r["Location"] == reverse("party:member", args=[m.pk])
    assert c.post(reverse("party:member_new"), data).status_code == 302  # a double tap
    assert Member.objects.filter(name="韩梅").count() == 1
    # Street B's branch is not among the choices: refused, nothing entered.
    r = c.post(reverse("party:member_new"), {**data, "name": "韩雪", "organisation": p.branch_b.pk,
                                             "idempotency_key": "abd"})
    assert r.status_code == 400 and not Member.objects.filter(name="韩雪").exists()
    r = c.post(reverse("party:member_new"), {**data, "name": "韩雪", "phone": "12345", "idempotency_key": "abe"})
    assert r.status_code == 400 and "11-digit" in text(r) and not Member.objects.filter(name="韩雪").exists()


def test_a_stale_correction_is_refused_on_the_page(w):
    city, _reg, p = w
    c = client_for(city.users["community_secretary"])
    url = reverse("party:member_edit", args=[p.member_zhang.pk])
    assert client_for(city.users["district_officer"]).get(url).status_code == 403
    body = text(c.get(url))
    assert "139****5678" in body and "13912345678" not in body
    data = {"name": "张伟", "status": "full", "category": "retired", "phone": "139****5678",
            "workplace": "退休", "home_community": city.community_a.pk, "version": p.member_zhang.version}
    assert c.post(url, data).status_code == 302
    m = Member.objects.get(pk=p.member_zhang.pk)
    assert m.workplace == "退休" and m.masked_phone == "139****5678"  # the masked phone left as it was
    r = c.post(url, {**data, "workplace": "社区志愿者"})  # the version read before the first save
    assert r.status_code == 400 and "Someone else changed" in text(r)
    assert Member.objects.get(pk=m.pk).workplace == "退休"


def test_transfer_and_end_from_the_page(w):
    city, _reg, p = w
    c = client_for(city.users["street_officer_a"])
    m = p.member_zhang
    r = c.post(reverse("party:member_transfer", args=[m.pk]),
               {"kind": "within", "to_organisation": p.community_a2.pk, "reason": "搬家", "version": m.version})
    assert r.status_code == 302
    assert Transfer.objects.get(member=m).to_organisation == p.community_a2
    m.refresh_from_db()
    r = c.post(reverse("party:member_end", args=[m.pk]), {"state": "left", "reason": "", "version": m.version})
    assert r.status_code == 400
    r = c.post(reverse("party:member_end", args=[m.pk]), {"state": "left", "reason": "自行脱党", "version": m.version})
    assert r.status_code == 302
    body = text(c.get(reverse("party:member", args=[m.pk])))
    assert "自行脱党" in body and p.community_a2.name in body and "搬家" in body


def test_the_resident_picker_offers_the_registry_in_scope(w):
    city, _reg, p = w
    url = reverse("party:member_residents")
    r = client_for(city.users["community_secretary"]).get(url, {"resident_q": "ln"})
    assert r.status_code == 200 and "李娜" in text(r) and "13800001111" not in text(r)
    assert "赵" not in text(client_for(city.users["community_secretary"]).get(url, {"resident_q": "赵"}))
    assert client_for(p.branch_secretary).get(url, {"resident_q": "ln"}).status_code == 403


def test_the_export_is_the_filtered_list_masked_and_audited(w):
    city, _reg, _p = w
    r = client_for(city.users["district_officer"]).get(reverse("party:member_export"), {"category": "retired"})
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][:5] == ("姓名", "性别", "出生日期", "公民身份号码", "联系电话")
    assert [row[0] for row in rows[1:]] == ["张伟"]
    assert rows[1][4] == "139****5678" and "13912345678" not in repr(rows)
    entry = AuditEntry.objects.get(action="party.member.export")
    assert entry.after == {"filters": {"category": "retired", "state": "active"}, "rows": 1}
    assert client_for(city.users["grid_worker"]).get(reverse("party:member_export")).status_code == 403


def test_the_template_has_chinese_headers(w):
    city, _reg, _p = w
    r = client_for(city.users["street_officer_a"]).get(reverse("party:member_template"))
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert next(sheet.values)[:6] == ("姓名", "性别", "出生日期", "公民身份号码", "联系电话", "所在党组织")


def test_the_site_search_finds_members_in_reach_masked(w):
    city, _reg, p = w
    r = client_for(city.users["street_officer_a"]).get(reverse("core:search"), {"q": "5678"})
    body = text(r)
    assert reverse("party:member", args=[p.member_zhang.pk]) in body and "139****5678" in body
    assert "13912345678" not in body
    body = text(client_for(city.users["street_officer_b"]).get(reverse("core:search"), {"q": "zw"}))
    assert reverse("party:member", args=[p.member_zhang.pk]) not in body


def test_the_pages_read_in_chinese(w, settings):
    city, _reg, p = w
    c = client_for(city.users["community_secretary"])
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    body = text(c.get(reverse("party:member", args=[p.member_zhang.pk])))
    assert "组织关系转接记录" in body and "居住社区" in body
