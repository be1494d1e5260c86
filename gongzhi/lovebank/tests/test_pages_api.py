"""The phone pages and the API as a holder and the desk see them: balance and statement with
memos in the reader's language, the request form, offers near me, the desk's dispute resolution,
rules changes, the yearly report and its export; out-of-scope ids answer 404 and change nothing."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.accounts.services import issue_token
from gongzhi.core.models import AuditEntry
from gongzhi.lovebank.choices import ExchangeStatus
from gongzhi.lovebank.models import BankMember, BankRules, Exchange
from gongzhi.lovebank.services import exchanges as svc

from .factories import certify, person, set_birth

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)


def login(client, user):
    client.force_login(user, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    return client


def api(client, user, method, path, body=None):
    token = issue_token(actor=user, name="t")[1]
    call = getattr(client, method)
    kwargs = {"data": json.dumps(body or {}), "content_type": "application/json"} if method != "get" else {}
    return call(f"/api/v1/lovebank{path}", headers={"Authorization": f"Bearer {token}"}, **kwargs)


@pytest.fixture
def bank(city):
    with time_machine.travel(TODAY, tick=False):
        elder, helper = person("老王"), person("小陈")
        certify(elder, city.community_a, "3", dt.date(2026, 2, 1))
        certify(elder, city.community_a, "2", dt.date(2026, 2, 2), by_group=True)
        certify(helper, city.community_a, "1", dt.date(2026, 2, 3))
        set_birth(elder, dt.date(1950, 6, 1))
        yield city, elder, helper


def test_my_credits_page_shows_the_balance_and_statement(client, bank):
    _city, elder, _helper = bank
    login(client, elder)
    page = client.get(reverse("lovebank:home"))
    body = page.content.decode()
    assert page.status_code == 200 and "3.00" in body
    assert "3.00 hours of service on 2026-02-01" in body and "2.00 hours of service on 2026-02-02, donated" not in body
    api_body = api(client, elder, "get", "/me").json()
    assert api_body["balance"] == "3.00" and api_body["may_draw_help"] is True
    statement = api(client, elder, "get", "/me/statement").json()
    assert statement["count"] == 1 and statement["items"][0]["memo_code"] == "lovebank.deposit"


def test_the_whole_exchange_through_the_pages(client, bank):
    _city, elder, helper = bank
    with time_machine.travel(TODAY, tick=False):
        login(client, elder)
        page = client.post(reverse("lovebank:request_help"), {
            "service_kind": "meals", "credits": "1", "wanted_on": "2026-05-06", "idempotency_key": "abc"})
        assert page.status_code == 302
        x = Exchange.objects.get()
        helper_client = login(type(client)(), helper)
        offers = helper_client.get(reverse("lovebank:offer_help"))
        assert x.get_service_kind_display() in offers.content.decode()
        for step in ("offer", "done", "confirm"):
            helper_client.post(reverse("lovebank:exchange_step", args=[x.pk, step]))
        client.post(reverse("lovebank:exchange_step", args=[x.pk, "confirm"]))
    x.refresh_from_db()
    assert x.status == ExchangeStatus.COMPLETED
    assert api(client, helper, "get", "/me").json()["balance"] == "2.00"


def test_the_desk_resolves_a_dispute_and_others_cannot(client, bank):
    city, elder, helper = bank
    with time_machine.travel(TODAY, tick=False):
        x, _ = svc.request_help(actor=elder, service_kind="errands", credits="1", wanted_on=dt.date(2026, 5, 5),
                                key="k")
        svc.offer(actor=helper, exchange_id=x.pk)
        svc.dispute(actor=helper, exchange_id=x.pk, reason="地址不对")
    outsider = api(client, city.users["street_officer_b"], "post", f"/exchanges/{x.pk}/resolve",
                   {"outcome": "cancel", "reason": "x"})
    missing = api(client, city.users["street_officer_b"], "post", "/exchanges/999999/resolve",
                  {"outcome": "cancel", "reason": "x"})
    assert outsider.status_code == missing.status_code == 404 and outsider.json() == missing.json()
    x.refresh_from_db()
    assert x.status == ExchangeStatus.DISPUTED
    login(client, city.users["community_secretary"])
    client.post(reverse("lovebank:exchange_resolve", args=[x.pk]),
                {"outcome": "cancel", "reason": "双方同意取消", "version": x.version})
    x.refresh_from_db()
    assert x.status == ExchangeStatus.CANCELLED and x.resolution_reason == "双方同意取消"


def test_rules_change_is_audited_and_a_stale_one_refused(client, city):
    admin = city.users["city_admin"]
    body = {"daily_cap": "6", "account_cap": "500", "redeem_age": 65, "hardship_age": 60, "transfer_age": 60,
            "reason": "区民政局通知"}
    first = api(client, admin, "put", f"/rules/{city.district.pk}", body)
    assert first.status_code == 200 and first.json()["version"] == 1
    stale = api(client, admin, "put", f"/rules/{city.district.pk}", {**body, "daily_cap": "7", "expected_version": 0})
    assert stale.status_code == 409
    assert BankRules.objects.get().daily_cap == Decimal("6.00")
    assert AuditEntry.objects.filter(action="lovebank.rules").count() == 1
    denied = api(client, city.users["street_officer_a"], "put", f"/rules/{city.district.pk}", body)
    assert denied.status_code == 403


def test_hardship_flag_needs_manage_scope(client, bank):
    city, elder, _helper = bank
    member = BankMember.objects.get(user=elder)
    out = api(client, city.users["street_officer_b"], "post", f"/members/{member.pk}/hardship",
              {"hardship": True, "reason": "x"})
    assert out.status_code == 404
    member.refresh_from_db()
    assert not member.hardship and member.version == 1


def test_yearly_report_and_export(client, bank, settings):
    city, _elder, _helper = bank
    desk = city.users["community_secretary"]
    report = api(client, desk, "get", "/report?year=2026").json()
    row = next(r for r in report["rows"] if r["community"] == city.community_a.name)
    assert (row["deposited"], row["credited"], row["donated"], row["members"], row["active"]) == (
        "6.00", "4.00", "2.00", 2, 2)
    login(client, desk)
    settings.LANGUAGE_CODE = "zh-hans"  # the product's default (tests otherwise read English)
    xlsx = client.get(reverse("lovebank:report_export") + "?year=2026&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["C1"].value == "存入（小时）"
    assert AuditEntry.objects.filter(action="lovebank.export").exists()
    csv = client.get(reverse("lovebank:report_export") + "?year=2026&format=csv")
    assert city.community_a.name in csv.content.decode("utf-8-sig")
    # Street B's officer does not see community A's row.
    other = api(client, city.users["street_officer_b"], "get", "/report?year=2026").json()
    assert city.community_a.name not in {r["community"] for r in other["rows"]}


def test_the_desk_records_a_birth_date_and_another_street_cannot(client, bank):
    city, _elder, helper = bank
    member = BankMember.objects.get(user=helper)
    login(client, city.users["street_officer_b"])
    denied = client.post(reverse("lovebank:member_details", args=[member.pk]), {"birth_date": "1950-01-01"})
    assert denied.status_code == 404
    member.refresh_from_db()
    assert member.birth_date is None and member.version == 1
    login(client, city.users["community_secretary"])
    client.post(reverse("lovebank:member_details", args=[member.pk]), {"birth_date": "1950-01-01",
                                                                       "version": member.version})
    member.refresh_from_db()
    assert member.birth_date == dt.date(1950, 1, 1)
    assert AuditEntry.objects.filter(action="lovebank.member_details", object_id=str(member.pk)).exists()
