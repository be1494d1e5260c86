"""Alerts: the fan-out reaches every active member at once, acknowledgements are idempotent, the
muster figures are right, stand-down closes, illegal steps and out-of-scope ids change nothing."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from gongzhi.cases.models import Case
from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.core.scope import NotInScope
from gongzhi.notifications.models import Message, Notification

from ..choices import AlertStatus, Attendance, TaskStatus
from ..models import Alert, AlertLogEntry, AlertResponse, AlertTask
from ..selectors import alert_figures, squad_figures
from ..services import alerts, squads
from .factories import build_squads, make_people, whistled_case

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def sq(city):
    return build_squads(city)


def _raise(city, sq, **kw):
    return alerts.raise_alert(actor=city.users["community_secretary"], squad_id=sq.squad_a.pk,
                              title=kw.pop("title", "河堤管涌"), **kw)


def test_an_alert_reaches_every_active_member_in_app_and_by_sms(city, sq):
    secretary = city.users["community_secretary"]
    gone = sq.members_a[3]
    squads.remove_member(actor=secretary, member_id=gone.pk, reason="搬走了")
    alert = _raise(city, sq, muster_point="东门")
    active = sq.people_a[:3]
    notices = Notification.objects.filter(verb="squads.alert", subject_id=alert.pk)
    assert sorted(notices.values_list("recipient_id", flat=True)) == sorted(u.pk for u in active)
    sms = Message.objects.filter(channel="sms")
    assert sorted(sms.values_list("address", flat=True)) == sorted(u.phone for u in active)
    assert all("河堤管涌" in m.text for m in sms)
    assert alert.notified == 3
    assert AlertResponse.objects.filter(alert=alert, status=Attendance.NOTIFIED).count() == 3
    assert not AlertResponse.objects.filter(alert=alert, user=sq.people_a[3]).exists()
    assert AlertLogEntry.objects.filter(alert=alert, code="raised", params__notified=3).exists()
    assert AuditEntry.objects.filter(action="squads.alert_raise", object_id=str(alert.pk)).count() == 1


def test_a_member_enrolled_during_an_alert_is_called_out_at_once(city, sq):
    secretary = city.users["community_secretary"]
    alert = _raise(city, sq)
    newcomer, later = make_people(city.community_a, "sq_new", 2, 3720000000)
    member = squads.enrol_member(actor=secretary, squad_id=sq.squad_a.pk, user_id=newcomer.pk, role="patrol")
    alert.refresh_from_db()
    assert alert.notified == 5
    assert AlertResponse.objects.get(alert=alert, member=member).status == Attendance.NOTIFIED
    assert Notification.objects.filter(verb="squads.alert", subject_id=alert.pk, recipient=newcomer).count() == 1
    assert Message.objects.filter(channel="sms", address=newcomer.phone).count() == 1
    assert AlertLogEntry.objects.filter(alert=alert, code="called_out_late",
                                        params__member=newcomer.display_name).exists()
    # Off the squad and back during the same alert: not called out twice.
    squads.remove_member(actor=secretary, member_id=member.pk, reason="登记错了")
    squads.enrol_member(actor=secretary, squad_id=sq.squad_a.pk, user_id=newcomer.pk, role="patrol")
    assert Notification.objects.filter(verb="squads.alert", recipient=newcomer).count() == 1
    # Stood down, the squad calls nobody out.
    alerts.stand_down(actor=secretary, alert_id=alert.pk, note="险情解除")
    squads.enrol_member(actor=secretary, squad_id=sq.squad_a.pk, user_id=later.pk, role="patrol")
    assert not Notification.objects.filter(verb="squads.alert", recipient=later).exists()
    alert.refresh_from_db()
    assert alert.notified == 5


def test_the_same_key_raises_one_alert(city, sq):
    first = _raise(city, sq, key="phone-1")
    again = _raise(city, sq, key="phone-1")
    assert again.pk == first.pk
    assert Alert.objects.count() == 1
    assert Notification.objects.filter(verb="squads.alert").count() == 4


def test_acknowledging_twice_changes_nothing(city, sq):
    alert = _raise(city, sq)
    member = sq.people_a[0]
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2), tick=False):
        first = alerts.acknowledge(actor=member, alert_id=alert.pk, eta_minutes=10)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5), tick=False):
        again = alerts.acknowledge(actor=member, alert_id=alert.pk, eta_minutes=25)
    assert again.acknowledged_at == first.acknowledged_at
    row = AlertResponse.objects.get(alert=alert, user=member)
    assert (row.status, row.eta_minutes) == (Attendance.ACKNOWLEDGED, 10)
    assert AlertLogEntry.objects.filter(alert=alert, code="acknowledged").count() == 1
    assert AuditEntry.objects.filter(action="squads.alert_ack").count() == 1


def test_muster_figures(city, sq):
    with time_machine.travel(T0, tick=False):
        alert = _raise(city, sq)
    a, b, c, d = sq.people_a
    with time_machine.travel(T0 + dt.timedelta(minutes=3), tick=False):
        alerts.acknowledge(actor=b, alert_id=alert.pk, eta_minutes=15)
    with time_machine.travel(T0 + dt.timedelta(minutes=4), tick=False):
        alerts.acknowledge(actor=a, alert_id=alert.pk, eta_minutes=5)
    with time_machine.travel(T0 + dt.timedelta(minutes=9), tick=False):
        alerts.check_in(actor=a, alert_id=alert.pk)
        alerts.acknowledge(actor=d, alert_id=alert.pk, coming=False)
    with time_machine.travel(T0 + dt.timedelta(minutes=45), tick=False):
        alerts.check_in(actor=b, alert_id=alert.pk)  # late: on site, but not within 30 minutes
        alerts.check_in(actor=b, alert_id=alert.pk)  # again: nothing changes
    f = alert_figures(alert)
    assert f.first_ack_seconds == 180
    assert (f.notified, f.arrived, f.acknowledged, f.unavailable) == (4, 2, 0, 1)
    assert f.mustered_in_window == 1
    assert f.mustered_share == 0.25
    assert c.pk not in AlertResponse.objects.filter(alert=alert).exclude(status=Attendance.NOTIFIED).values_list(
        "user_id", flat=True)
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        year = squad_figures(sq.squad_a)
    assert (year.alerts, year.drills, year.median_first_ack_seconds, year.mustered_share) == (1, 0, 180, 0.25)


def test_stand_down_closes_the_alert(city, sq):
    secretary = city.users["community_secretary"]
    alert = _raise(city, sq)
    task = alerts.add_task(actor=secretary, alert_id=alert.pk, title="转移老人", member_id=sq.members_a[1].pk)
    with pytest.raises(DomainError):
        alerts.file_report(actor=secretary, alert_id=alert.pk, report="过早")
    done = alerts.stand_down(actor=secretary, alert_id=alert.pk, note="险情解除", expected_version=alert.version)
    assert done.status == AlertStatus.STOOD_DOWN
    assert AlertTask.objects.get(pk=task.pk).status == TaskStatus.CANCELLED
    assert Notification.objects.filter(verb="squads.stand_down").count() == 4
    with pytest.raises(DomainError) as refused:
        alerts.acknowledge(actor=sq.people_a[0], alert_id=alert.pk, eta_minutes=5)
    assert refused.value.code == "conflict"
    assert AlertResponse.objects.get(alert=alert, user=sq.people_a[0]).status == Attendance.NOTIFIED
    with pytest.raises(DomainError):
        alerts.stand_down(actor=secretary, alert_id=alert.pk, note="再次")
    reported = alerts.file_report(actor=secretary, alert_id=alert.pk, report="4人到场，转移3户。")
    assert reported.report.startswith("4人") and reported.reported_at is not None
    assert AlertLogEntry.objects.filter(alert=alert).values_list("code", flat=True)[::1][-2:] == ["stood_down",
                                                                                                   "report"]


def test_illegal_steps_are_refused(city, sq):
    secretary = city.users["community_secretary"]
    alert = _raise(city, sq)
    with pytest.raises(DomainError) as refused:
        _raise(city, sq, title="又一个")
    assert refused.value.code == "conflict"
    assert Alert.objects.count() == 1
    with pytest.raises(DomainError):
        alerts.acknowledge(actor=sq.people_a[0], alert_id=alert.pk, eta_minutes=9999)
    with pytest.raises(DomainError):
        alerts.acknowledge(actor=sq.people_a[0], alert_id=alert.pk, eta_minutes=None)
    alerts.check_in(actor=sq.people_a[0], alert_id=alert.pk)
    with pytest.raises(DomainError):
        alerts.acknowledge(actor=sq.people_a[0], alert_id=alert.pk, coming=False)
    alerts.stand_down(actor=secretary, alert_id=alert.pk, note="结束")
    case = Case.objects.first()
    if case is not None:
        with pytest.raises(DomainError):
            alerts.raise_alert(actor=secretary, squad_id=sq.squad_a.pk, title="演练", kind="drill", case_id=case.pk)


def test_out_of_scope_ids_change_nothing(city, sq):
    officer_b = city.users["street_officer_b"]
    secretary = city.users["community_secretary"]
    with pytest.raises(NotInScope):
        alerts.raise_alert(actor=officer_b, squad_id=sq.squad_a.pk, title="越界")
    with pytest.raises(NotInScope):
        alerts.raise_alert(actor=city.users["auditor"], squad_id=sq.squad_a.pk, title="只读")
    assert not Alert.objects.exists() and not Notification.objects.exists()
    with pytest.raises(NotInScope):  # a resident of street B is no one community A may enrol
        squads.enrol_member(actor=secretary, squad_id=sq.squad_a.pk, user_id=sq.people_b[0].pk, role="patrol")
    assert sq.squad_a.members.count() == 4
    alert = _raise(city, sq)
    with pytest.raises(NotInScope):  # not on the squad
        alerts.acknowledge(actor=sq.people_b[0], alert_id=alert.pk, eta_minutes=5)
    with pytest.raises(NotInScope):
        alerts.add_task(actor=secretary, alert_id=alert.pk, title="越界", member_id=sq.members_b[0].pk)
    with pytest.raises(NotInScope):
        alerts.stand_down(actor=officer_b, alert_id=alert.pk, note="越界")
    with pytest.raises(NotInScope):
        alerts.mark_arrived(actor=secretary, alert_id=alert.pk, member_id=sq.members_b[0].pk)
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.ACTIVE
    assert not AlertTask.objects.exists()
    assert not AlertResponse.objects.filter(alert=alert).exclude(status=Attendance.NOTIFIED).exists()


def test_an_alert_from_a_case_keeps_the_link(city, sq):
    from gongzhi.cases.models import Category
    from gongzhi.cases.services.catalogue import seed_catalogue
    from gongzhi.cases.services.intake import Report, submit_case
    from gongzhi.demo.fixture_city import X0, Y0

    seed_catalogue()
    case = submit_case(actor=city.users["resident"], report=Report(
        description="河水漫上路面", lng=X0 + 0.005, lat=Y0 + 0.005, category=Category.objects.get(code="litter"))).case
    alert = _raise(city, sq, case_id=case.pk)
    assert (alert.case_id, alert.source) == (case.pk, "case")
    assert AlertLogEntry.objects.get(alert=alert).code == "raised_from_case"
    with pytest.raises(NotInScope):  # street B's officer does not see street A's case
        alerts.raise_alert(actor=city.users["street_officer_b"], squad_id=sq.squad_b.pk, title="越界",
                           case_id=case.pk)


def test_tasks_are_done_by_their_member(city, sq):
    secretary = city.users["community_secretary"]
    alert = _raise(city, sq)
    task = alerts.add_task(actor=secretary, alert_id=alert.pk, title="封路", member_id=sq.members_a[2].pk)
    with pytest.raises(NotInScope):
        alerts.complete_task(actor=sq.people_a[0], task_id=task.pk)
    done = alerts.complete_task(actor=sq.people_a[2], task_id=task.pk, note="已封")
    assert done.status == TaskStatus.DONE
    with pytest.raises(DomainError):
        alerts.complete_task(actor=sq.people_a[2], task_id=task.pk)


def test_readiness_check(city, sq):
    secretary = city.users["community_secretary"]
    check = squads.start_readiness_check(actor=secretary, squad_id=sq.squad_a.pk, hours=24)
    assert check.asked == 4
    squads.answer_readiness(actor=sq.people_a[0], check_id=check.pk, ready=True)
    squads.answer_readiness(actor=sq.people_a[1], check_id=check.pk, ready=False)
    with pytest.raises(NotInScope):  # answered already: the check is no longer open to them
        squads.answer_readiness(actor=sq.people_a[0], check_id=check.pk, ready=False)
    with pytest.raises(NotInScope):
        squads.answer_readiness(actor=sq.people_b[0], check_id=check.pk, ready=True)
    assert squad_figures(sq.squad_a).readiness_rate == 0.25


def test_an_alert_from_a_whistle_names_it_and_its_case(city, sq):
    officer = city.users["street_officer_a"]
    case, blown = whistled_case(city)
    alert = alerts.raise_alert(actor=officer, squad_id=sq.squad_a.pk, title="堤坝渗水", whistle_id=blown.pk)
    assert (alert.source, alert.whistle_id, alert.case_id) == ("whistle", blown.pk, case.pk)
    with pytest.raises(NotInScope):  # street B does not see street A's whistle
        alerts.raise_alert(actor=city.users["street_officer_b"], squad_id=sq.squad_b.pk, title="越界",
                           whistle_id=blown.pk)


def test_a_squad_is_disbanded_not_deleted(city, sq):
    secretary = city.users["community_secretary"]
    alert = _raise(city, sq)
    with pytest.raises(DomainError):  # not while it is out
        squads.disband_squad(actor=secretary, squad_id=sq.squad_a.pk, reason="合并")
    alerts.stand_down(actor=secretary, alert_id=alert.pk, note="结束")
    with pytest.raises(NotInScope):
        squads.disband_squad(actor=city.users["street_officer_b"], squad_id=sq.squad_a.pk, reason="越界")
    gone = squads.disband_squad(actor=secretary, squad_id=sq.squad_a.pk, reason="并入街道突击队")
    assert not gone.is_active and gone.members.count() == 4
    with pytest.raises(NotInScope):  # a disbanded squad is called out no more
        _raise(city, sq)
