"""The pages and the API as people use them: the member's phone (acknowledge with an ETA, I'm
here, tasks), the desk's roster, console with live counts, stand-down and report."""

import pytest

from ..choices import Attendance
from ..models import Alert, AlertResponse, SquadMember
from ..services import alerts
from .factories import build_squads, whistled_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def sq(city):
    return build_squads(city)


def _as(client_as, user):
    from django.test import Client

    c = Client()
    c.force_login(user, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    return c


def test_a_member_answers_on_the_phone(city, sq, client_as):
    alert = alerts.raise_alert(actor=city.users["community_secretary"], squad_id=sq.squad_a.pk, title="内涝")
    member = _as(client_as, sq.people_a[0])
    page = member.get("/squads/my/")
    assert page.status_code == 200 and "内涝" in page.content.decode()
    assert member.post(f"/squads/my/alerts/{alert.pk}/ack", {"coming": "1", "eta_minutes": "12"}).status_code == 302
    row = AlertResponse.objects.get(alert=alert, user=sq.people_a[0])
    assert (row.status, row.eta_minutes) == (Attendance.ACKNOWLEDGED, 12)
    assert member.post(f"/squads/my/alerts/{alert.pk}/here").status_code == 302
    assert AlertResponse.objects.get(pk=row.pk).status == Attendance.ARRIVED
    page = member.get(f"/squads/my/alerts/{alert.pk}/")
    assert 'data-status="arrived"' in page.content.decode()
    # someone not on the squad reads a 404
    assert _as(client_as, sq.people_b[0]).get(f"/squads/my/alerts/{alert.pk}/").status_code == 404


def test_the_console_shows_live_counts(city, sq, client_as):
    secretary = city.users["community_secretary"]
    alert = alerts.raise_alert(actor=secretary, squad_id=sq.squad_a.pk, title="内涝")
    alerts.acknowledge(actor=sq.people_a[0], alert_id=alert.pk, eta_minutes=5)
    alerts.check_in(actor=sq.people_a[1], alert_id=alert.pk)
    desk = client_as("community_secretary")
    page = desk.get(f"/squads/alerts/{alert.pk}/").content.decode()
    assert 'hx-trigger="every 10s"' in page
    counts = desk.get(f"/squads/alerts/{alert.pk}/counts").content.decode()
    assert 'data-count="arriving">1<' in counts and 'data-count="mustered">1<' in counts
    assert desk.post(f"/squads/alerts/{alert.pk}/stand-down", {"note": "解除", "version": alert.version}
                     ).status_code == 302
    assert desk.post(f"/squads/alerts/{alert.pk}/report", {"report": "到场2人", "version": alert.version + 1}
                     ).status_code == 302
    assert Alert.objects.get(pk=alert.pk).report == "到场2人"
    # street B's officer neither sees nor touches it
    other = client_as("street_officer_b")
    assert other.get(f"/squads/alerts/{alert.pk}/").status_code == 404


def test_roster_phones_are_masked_for_the_auditor(city, sq, client_as):
    phone = sq.people_a[0].phone
    assert phone in client_as("community_secretary").get(f"/squads/{sq.squad_a.pk}/").content.decode()
    page = client_as("auditor").get(f"/squads/{sq.squad_a.pk}/").content.decode()
    assert phone not in page and phone[-4:] in page


def test_the_api_loop(city, sq, client_as):
    desk = client_as("community_secretary")
    made = desk.post("/api/v1/squads/alerts", {"squad_id": sq.squad_a.pk, "title": "演练", "kind": "drill",
                                               "key": "k1"}, content_type="application/json")
    assert made.status_code == 201, made.content
    alert_id = made.json()["id"]
    member = _as(client_as, sq.people_a[2])
    ack = member.post(f"/api/v1/squads/alerts/{alert_id}/ack", {"eta_minutes": 7}, content_type="application/json")
    assert ack.status_code == 200 and ack.json()["status"] == "acknowledged"
    again = member.post(f"/api/v1/squads/alerts/{alert_id}/ack", {"eta_minutes": 30}, content_type="application/json")
    assert again.json()["eta_minutes"] == 7
    mine = member.get("/api/v1/squads/me/alerts").json()
    assert mine["items"][0]["title"] == "演练"
    detail = desk.get(f"/api/v1/squads/alerts/{alert_id}").json()
    assert detail["figures"]["acknowledged"] == 1 and detail["figures"]["notified"] == 4
    early = desk.put(f"/api/v1/squads/alerts/{alert_id}/report", {"report": "x"}, content_type="application/json")
    assert early.status_code == 409
    down = desk.post(f"/api/v1/squads/alerts/{alert_id}/stand-down", {"note": "结束"}, content_type="application/json")
    assert down.json()["status"] == "stood_down"
    log = desk.get(f"/api/v1/squads/alerts/{alert_id}/log").json()["items"]
    assert [row["code"] for row in log] == ["raised", "acknowledged", "stood_down"]
    assert "expected in 7 min" in log[1]["text"]


def test_the_api_refuses_outside_the_scope(city, sq, client_as):
    other = client_as("street_officer_b")
    made = other.post("/api/v1/squads/alerts", {"squad_id": sq.squad_a.pk, "title": "越界"},
                      content_type="application/json")
    assert made.status_code == 404 and made.json()["code"] == "not_found"
    enrol = other.post(f"/api/v1/squads/{sq.squad_b.pk}/members", {"user_id": sq.people_a[0].pk, "role": "patrol"},
                       content_type="application/json")
    assert enrol.status_code == 404
    auditor = client_as("auditor")
    assert auditor.post(f"/api/v1/squads/{sq.squad_a.pk}/readiness", {}, content_type="application/json"
                        ).status_code == 403
    assert not Alert.objects.exists()
    assert SquadMember.objects.filter(squad=sq.squad_b).count() == 2


def test_the_notice_links_the_member_to_their_alert(city, sq, client_as):
    from django.urls import reverse

    alert = alerts.raise_alert(actor=city.users["community_secretary"], squad_id=sq.squad_a.pk, title="内涝")
    page = _as(client_as, sq.people_a[0]).get(reverse("notifications:list")).content.decode()
    assert f"/squads/my/alerts/{alert.pk}/" in page


def test_a_waiting_alert_is_the_member_s_first_to_do(city, sq, client_as):
    from gongzhi.core.seams.todos import render_todo

    from ..seams import _my_alerts

    alert = alerts.raise_alert(actor=city.users["community_secretary"], squad_id=sq.squad_a.pk, title="内涝")
    todos = _my_alerts(sq.people_a[0])
    assert [render_todo(t) for t in todos] == ["1 squad alert waits for your answer"]
    alerts.acknowledge(actor=sq.people_a[0], alert_id=alert.pk, eta_minutes=5)
    assert _my_alerts(sq.people_a[0]) == []
    assert "1 squad alert waits for your answer" in _as(client_as, sq.people_a[1]).get("/").content.decode()


def test_the_desk_raises_an_alert_from_a_whistled_case(city, sq, client_as):
    case, blown = whistled_case(city)
    officer = _as(client_as, city.users["street_officer_a"])
    form = officer.get(f"/squads/{sq.squad_a.pk}/alert?case={case.tracking_number}")
    assert form.status_code == 200 and f'value="{case.tracking_number}"' in form.content.decode()
    sent = officer.post(f"/squads/{sq.squad_a.pk}/alert", {"kind": "emergency", "title": "堤坝渗水",
                                                          "case_number": case.tracking_number, "key": "k1"})
    alert = Alert.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"/squads/alerts/{alert.pk}/"
    assert (alert.source, alert.whistle_id, alert.case_id) == ("whistle", blown.pk, case.pk)
    # Street B's officer names the same case for its own squad: nothing is raised.
    other = _as(client_as, city.users["street_officer_b"])
    refused = other.post(f"/squads/{sq.squad_b.pk}/alert", {"kind": "emergency", "title": "越界",
                                                            "case_number": case.tracking_number, "key": "k2"})
    assert refused.status_code in (200, 400) and Alert.objects.count() == 1
