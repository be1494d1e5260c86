"""The member's phone pages and the desk pages, as a person meets them: the member lands on the
resident home with a to-do, reports in from the list or a QR link, sees it waiting; the desk
confirms; my branch and my service show what is theirs; the desk's pages, QR code, dashboard, cards
and the leaders' pages render."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from gongzhi.demo.fixture_city import build_fixture_city
from gongzhi.party.models import MemberRegistration
from gongzhi.party.services import leaders, registrations, service_record

from .factories import build_party

pytestmark = pytest.mark.django_db
MARCH = dt.datetime(2026, 3, 9, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def world():
    with time_machine.travel(MARCH, tick=False):
        city = build_fixture_city()
        yield city, build_party(city)


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_member_reports_in_from_the_phone_and_the_desk_confirms(world):
    city, p = world
    member = client_for(p.member_user)
    with time_machine.travel(MARCH, tick=False):
        home = member.get(reverse("core:home")).content.decode()
        assert 'data-todo="party.report_in_due"' in home and "2026-01 – 2026-06" in home
        assert reverse("party:report_in") in home  # the menu entry
        page = member.get(reverse("party:report_in") + "?q=书院")
        body = page.content.decode()
        assert page.status_code == 200 and "书院社区" in body and "府前社区" not in body
        assert 'name="viewport"' in body
        qr = member.get(reverse("party:report_in_qr", args=[city.community_a.code]))
        assert "书院社区" in qr.content.decode() and 'value="qr"' in qr.content.decode()
        key = "k-123"
        for _ in range(2):  # a double tap
            answer = member.post(reverse("party:report_in_qr", args=[city.community_a.code]),
                                 {"community": city.community_a.pk, "method": "qr", "idempotency_key": key})
            assert answer.status_code == 302
        assert MemberRegistration.objects.count() == 1
        waiting = member.get(reverse("party:report_in")).content.decode()
        assert "Waiting for the community to confirm" in waiting
        assert 'data-todo="party.report_in_due"' not in member.get(reverse("core:home")).content.decode()

        desk = client_for(city.users["community_secretary"])
        assert 'data-todo="party.report_ins_pending"' in desk.get(reverse("core:home")).content.decode()
        listing = desk.get(reverse("party:registrations") + "?status=pending").content.decode()
        assert "孙丽" in listing and "Confirm" in listing
        reg = MemberRegistration.objects.get()
        assert desk.post(reverse("party:registration_confirm", args=[reg.pk])).status_code == 302
        reg.refresh_from_db()
        assert reg.status == "confirmed"
        assert "You have reported in" in member.get(reverse("party:report_in")).content.decode()


def test_a_declined_member_is_told_and_may_report_in_again(world):
    city, p = world
    with time_machine.travel(MARCH, tick=False):
        reg, _ = registrations.report_in(actor=p.member_user, community_id=city.community_a.pk)
        desk = client_for(city.users["community_secretary"])
        refused = desk.post(reverse("party:registration_decline", args=[reg.pk]), {"reason": ""})
        assert refused.status_code == 302
        reg.refresh_from_db()
        assert reg.status == "pending"
        desk.post(reverse("party:registration_decline", args=[reg.pk]), {"reason": "请到居住社区报到"})
        member = client_for(p.member_user)
        home = member.get(reverse("core:home")).content.decode()
        assert 'data-todo="party.report_in_declined"' in home
        page = member.get(reverse("party:report_in")).content.decode()
        assert "Your report-in was declined" in page and "请到居住社区报到" in page


def test_my_branch_and_my_service(world):
    city, p = world
    with time_machine.travel(MARCH, tick=False):
        desk = city.users["community_secretary"]
        registrations.register_at_desk(actor=desk, member_id=p.member_a.pk, community_id=city.community_a.pk)
        service_record.record_service(actor=desk, member_id=p.member_a.pk, community_id=city.community_a.pk,
                                      served_on=dt.date(2026, 3, 2), activity="关爱独居老人", hours=2)
        member = client_for(p.member_user)
        branch = member.get(reverse("party:my_branch")).content.decode()
        assert "书院社区第一网格党支部" in branch and "陈红" in branch
        service = member.get(reverse("party:my_service")).content.decode()
        assert "关爱独居老人" in service and 'data-hours>2.0<' in service
        me = member.get("/api/v1/party/me/party").json()
        assert me["this_period"]["status"] == "confirmed" and me["hours_this_year"] == "2.0"
        for name in ("party:report_in", "party:my_branch", "party:my_service"):
            assert client_for(city.users["resident"]).get(reverse(name)).status_code == 403


def test_the_desk_pages_render(world):
    city, p = world
    with time_machine.travel(MARCH, tick=False):
        secretary = city.users["community_secretary"]
        registrations.register_at_desk(actor=secretary, member_id=p.member_a.pk, community_id=city.community_a.pk)
        unit = registrations.register_unit(actor=secretary, organisation_id=p.unit_a.pk,
                                           community_id=city.community_a.pk, offers=["venue"])
        registrations.add_project(actor=secretary, registration_id=unit.pk, title="共建文明楼栋")
        desk = client_for(secretary)
        qr = desk.get(reverse("party:report_in_qr_code", args=[city.community_a.pk])).content.decode()
        assert "<svg" in qr and f"/party/report-in/{city.community_a.code}/" in qr
        assert desk.get(reverse("party:report_in_qr_code", args=[city.community_b.pk])).status_code == 404
        dashboard = desk.get(reverse("party:report_in_dashboard") + f"?division={city.community_a.pk}&list=never")
        body = dashboard.content.decode()
        assert dashboard.status_code == 200 and "书院社区" in body and "陈红" in body
        assert "vendor/echarts/echarts.min.js" in body and "party/dashboard.js" in body and "<script>" not in body
        assert "孝南区城管局机关党支部" in desk.get(reverse("party:units")).content.decode()
        assert "共建文明楼栋" in desk.get(reverse("party:unit", args=[unit.pk])).content.decode()
        assert desk.get(reverse("party:service")).status_code == 200
        assert desk.get(reverse("party:cards_issue")).status_code == 200
        assert desk.get(reverse("party:cards")).status_code == 200
        assert desk.get(reverse("party:cards_print")).status_code == 200
        export = desk.get(reverse("party:cards_export"))
        assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
        officer = client_for(city.users["district_officer"])
        link = leaders.link_leader(actor=city.users["district_officer"], division_id=city.street_a.pk, name="王区长",
                                   title="副区长")
        assert "王区长" in officer.get(reverse("party:leaders")).content.decode()
        assert "王区长" in officer.get(reverse("party:leader", args=[link.pk])).content.decode()
        assert officer.get(reverse("party:leader_new")).status_code == 200
        answer = officer.post(reverse("party:leader_visit", args=[link.pk]),
                              {"visited_on": "2026-03-05", "summary": "调研"})
        assert answer.status_code == 302 and link.visits.count() == 1


def test_the_city_sets_the_report_in_rules_on_a_page(client):
    from gongzhi.demo.fixture_city import build_fixture_city
    from gongzhi.party.models import Policy

    city = build_fixture_city()
    client.force_login(city.users["street_officer_a"])
    assert client.get("/party/report-in/policy/").status_code == 403
    client.force_login(city.users["city_admin"])
    page = client.get("/party/report-in/policy/")
    assert page.status_code == 200 and "Report-in rules" in page.content.decode()
    saved = client.post("/party/report-in/policy/", {"period_months": 12, "feedback_months": 3,
                                                     "unit_line_percent": 90, "version": 1})
    assert saved.status_code == 302
    assert (Policy.objects.get().period_months, Policy.objects.get().unit_line_percent) == (12, 90)
    refused = client.post("/party/report-in/policy/", {"period_months": 5, "feedback_months": 3,
                                                       "unit_line_percent": 90, "version": 2})
    assert refused.status_code == 400 and Policy.objects.get().period_months == 12
