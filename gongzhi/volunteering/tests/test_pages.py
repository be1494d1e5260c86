"""The pages and the API as people use them: a resident registers and the community approves,
signs up, checks in with the organiser's QR code, the organiser certifies, the volunteer sees
their hours and stars and downloads a certificate; honour lists go on notice."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.volunteering.choices import VolunteerStatus
from gongzhi.volunteering.models import Activity, HonourList, ServiceHours, SignUp, Volunteer
from gongzhi.volunteering.services.hours import certify_hours
from gongzhi.volunteering.services.signups import checkin_token

from .factories import make_activity, make_volunteer

pytestmark = pytest.mark.django_db


def test_resident_registers_and_the_community_approves(city, client_as):
    phone = client_as("resident")
    page = phone.get(reverse("volunteering:register"))
    assert page.status_code == 200 and city.community_a.name in page.content.decode()
    phone.post(reverse("volunteering:register"), {"community": city.community_a.pk, "skills": "急救, 摄影"})
    volunteer = Volunteer.objects.get(user=city.users["resident"])
    assert volunteer.status == VolunteerStatus.PENDING and volunteer.skills == ["急救", "摄影"]
    # Street B's officer cannot approve it: nothing changes.
    other = client_as("street_officer_b").post(reverse("volunteering:volunteer_step", args=[volunteer.pk, "approve"]))
    assert other.status_code == 404
    volunteer.refresh_from_db()
    assert volunteer.status == VolunteerStatus.PENDING
    desk = client_as("community_secretary")
    assert "周芳" in desk.get(reverse("volunteering:volunteers")).content.decode()
    desk.post(reverse("volunteering:volunteer_step", args=[volunteer.pk, "approve"]))
    volunteer.refresh_from_db()
    assert volunteer.status == VolunteerStatus.ACTIVE


def test_sign_up_check_in_certify_and_my_hours(city, client_as):
    make_volunteer(city.users["resident"], city.community_a)
    activity = make_activity(city, start=timezone.now() - dt.timedelta(minutes=20), hours=2)
    phone = client_as("resident")
    assert activity.title in phone.get(reverse("volunteering:home")).content.decode()
    phone.post(reverse("volunteering:sign_up", args=[activity.pk]), {"idempotency_key": "k1"})
    phone.post(reverse("volunteering:sign_up", args=[activity.pk]), {"idempotency_key": "k1"})
    signup = SignUp.objects.get()
    assert signup.status == "confirmed"
    # The organiser's QR page shows a code; the volunteer's phone opens the code's URL.
    qr = client_as("community_secretary").get(reverse("volunteering:qr_code", args=[activity.pk]))
    assert b"<svg" in qr.content
    url = reverse("volunteering:check_in", args=[checkin_token(activity)])
    landing = phone.get(url)
    assert landing.status_code == 200 and "Check in" in landing.content.decode()
    signup.refresh_from_db()
    assert signup.checked_in_at is None  # a GET changes nothing
    phone.post(url, {"direction": "in"})
    signup.refresh_from_db()
    assert signup.checked_in_at is not None
    # A forged code names nothing.
    assert phone.get(reverse("volunteering:check_in", args=["forged:token"])).status_code == 404
    desk = client_as("community_secretary")
    roster = desk.get(reverse("volunteering:roster", args=[activity.pk]))
    assert "周芳" in roster.content.decode()
    desk.post(reverse("volunteering:certify", args=[activity.pk]), {"signup": [signup.pk],
                                                                     f"hours-{signup.pk}": "2.5"})
    record = ServiceHours.objects.get()
    assert record.hours == Decimal("2.50") and record.source == "activity" and record.source_id == activity.pk
    hours = phone.get(reverse("volunteering:my_hours")).content.decode()
    assert "2.50" in hours


def test_star_levels_follow_the_setting(city, client_as, settings):
    settings.VOLUNTEERING_STAR_HOURS = (2, 4, 6, 8, 10)
    user = city.users["resident"]
    for i in range(3):
        certify_hours(actor=None, person=user, hours="2", served_on=dt.date(2026, 1, 1 + i),
                      community=city.community_a, source="manual", key=f"s{i}")
    page = client_as("resident").get(reverse("volunteering:my_hours")).content.decode()
    assert 'data-stars="3"' in page


def test_certificate_is_a_pdf_with_the_hours_and_verifies(city, client_as):
    user = city.users["resident"]
    certify_hours(actor=None, person=user, hours="12.5", served_on=dt.date(2026, 1, 5),
                  community=city.community_a, source="manual", key="c1")
    phone = client_as("resident")
    response = phone.post(reverse("volunteering:certificate"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"12.50" in response.content  # in the document's properties, as plain text
    again = phone.post(reverse("volunteering:certificate"))
    from gongzhi.volunteering.models import Certificate

    cert = Certificate.objects.get()  # the same certificate while nothing new is certified
    assert cert.number.encode() in again.content
    verified = client_as(None).get(reverse("volunteering:verify") + f"?number={cert.number}")
    assert verified.status_code == 200 and "12.50" in verified.content.decode()


def test_honour_list_is_on_notice_then_final(city, client_as):
    user = city.users["resident"]
    certify_hours(actor=None, person=user, hours="8", served_on=dt.date(2026, 1, 5),
                  community=city.community_a, source="manual", key="h1")
    desk = client_as("community_secretary")
    year = timezone.localdate().year if timezone.localdate().year == 2026 else 2026
    desk.post(reverse("volunteering:honours"), {"community": city.community_a.pk, "year": year, "top": 10})
    honour = HonourList.objects.get()
    assert honour.notice_ends_on > timezone.localdate()
    public = client_as(None).get(reverse("volunteering:honour_public", args=[honour.pk])).content.decode()
    assert "On notice" in public and "周芳" in public
    HonourList.objects.filter(pk=honour.pk).update(notice_ends_on=timezone.localdate() - dt.timedelta(days=1))
    public = client_as(None).get(reverse("volunteering:honour_public", args=[honour.pk])).content.decode()
    assert "Final" in public and "On notice" not in public


def test_desk_creates_an_activity_with_the_editor(city, client_as):
    desk = client_as("community_secretary")
    start = timezone.localtime() + dt.timedelta(days=3)
    form = {"title": "敬老院慰问", "community": city.community_a.pk, "publisher": "community", "place": "敬老院",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "slots": "陪护 5\n摄影 1", "checkin_radius_m": 300, "idempotency_key": "ed1"}
    desk.post(reverse("volunteering:activity_new"), form)
    desk.post(reverse("volunteering:activity_new"), form)  # a double click
    activity = Activity.objects.get()
    assert [(s.role, s.capacity) for s in activity.slots.all()] == [("陪护", 5), ("摄影", 1)]
    desk.post(reverse("volunteering:activity_publish", args=[activity.pk]))
    activity.refresh_from_db()
    assert activity.status == "published"
    # Street B's officer may not even see it.
    assert client_as("street_officer_b").get(reverse("volunteering:roster", args=[activity.pk])).status_code == 404


def test_api_sign_up_idempotent_and_expired_code_changes_nothing(city, client_as, settings):
    make_volunteer(city.users["resident"], city.community_a)
    activity = make_activity(city, start=timezone.now() - dt.timedelta(minutes=20), hours=2)
    api = client_as("resident")
    url = f"/api/v1/service/activities/{activity.pk}/signups"
    first = api.post(url, "{}", content_type="application/json", headers={"Idempotency-Key": "tap"})
    again = api.post(url, "{}", content_type="application/json", headers={"Idempotency-Key": "tap"})
    assert first.status_code == 201 and again.status_code == 200 and first.json()["id"] == again.json()["id"]
    settings.VOLUNTEERING_CHECKIN_TOKEN_SECONDS = 0
    token = checkin_token(activity)
    import time

    time.sleep(1.1)
    out = api.post("/api/v1/service/activities/check-in", json.dumps({"token": token}),
                   content_type="application/json")
    assert out.status_code == 400 and "expired" in out.json()["detail"]
    assert SignUp.objects.get().checked_in_at is None
    mine = api.get("/api/v1/service/activities/hours/mine").json()
    assert mine["hours"] == "0" or Decimal(mine["hours"]) == 0


def test_api_drafts_edits_and_publishes_an_activity(city, client_as):
    api = client_as("community_secretary")
    body = {"title": "义诊进社区", "place": "卫生服务站", "community_id": city.community_a.pk,
            "starts_at": (timezone.now() + dt.timedelta(days=2)).isoformat(),
            "ends_at": (timezone.now() + dt.timedelta(days=2, hours=3)).isoformat(),
            "slots": [{"role": "引导", "capacity": 3}], "idempotency_key": "new-1"}
    created = api.post("/api/v1/service/activities/", json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    again = api.post("/api/v1/service/activities/", json.dumps(body), content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    pk, version = created.json()["id"], created.json()["version"]
    edit = {**body, "place": "社区卫生服务站二楼", "expected_version": version}
    edit.pop("idempotency_key")
    changed = api.put(f"/api/v1/service/activities/{pk}", json.dumps(edit), content_type="application/json")
    assert changed.status_code == 200 and changed.json()["place"] == "社区卫生服务站二楼"
    stale = api.put(f"/api/v1/service/activities/{pk}", json.dumps(edit), content_type="application/json")
    assert stale.status_code == 409
    published = api.post(f"/api/v1/service/activities/{pk}/publish", "{}", content_type="application/json")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert Activity.objects.get().place == "社区卫生服务站二楼"
