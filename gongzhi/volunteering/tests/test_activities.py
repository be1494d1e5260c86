"""Activities end to end through the services: capacity and the waiting list, no double booking,
check-in codes, certification and corrections."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import signing
from django.utils import timezone

from gongzhi.core.errors import DomainError
from gongzhi.core.seams import hooks
from gongzhi.notifications.models import Notification
from gongzhi.volunteering.choices import CorrectionStatus, HoursStatus, SignUpStatus
from gongzhi.volunteering.models import Correction, ServiceHours, SignUp
from gongzhi.volunteering.services import certification, signups
from gongzhi.volunteering.services.activities import ActivityData, create_activity, publish_activity

from .factories import LAT, LNG, make_activity, resident

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def people(city):
    return [resident(city, f"vol{i}", f"志愿者{i}") for i in range(4)]


def test_capacity_then_waiting_list_then_promotion_on_withdrawal(city, people, django_capture_on_commit_callbacks):
    activity = make_activity(city, slots=(("保洁", 2),))
    first, _ = signups.sign_up(actor=people[0], activity_id=activity.pk)
    second, _ = signups.sign_up(actor=people[1], activity_id=activity.pk)
    third, _ = signups.sign_up(actor=people[2], activity_id=activity.pk)
    assert [s.status for s in (first, second, third)] == ["confirmed", "confirmed", "waiting"]
    with django_capture_on_commit_callbacks(execute=True):
        signups.withdraw(actor=people[0], signup_id=first.pk)
    third.refresh_from_db()
    assert third.status == SignUpStatus.CONFIRMED and third.promoted_at is not None
    assert Notification.objects.filter(recipient=people[2], verb="volunteering.promoted").exists()


def test_signing_up_twice_and_idempotent_retry(city, people):
    activity = make_activity(city)
    one, created = signups.sign_up(actor=people[0], activity_id=activity.pk, idempotency_key="tap-1")
    again, created_again = signups.sign_up(actor=people[0], activity_id=activity.pk, idempotency_key="tap-1")
    assert created and not created_again and again.pk == one.pk
    with pytest.raises(DomainError) as exc:
        signups.sign_up(actor=people[0], activity_id=activity.pk)
    assert exc.value.code == "duplicate"
    assert SignUp.objects.count() == 1


def test_double_booking_is_refused(city, people):
    start = timezone.now() + dt.timedelta(days=3)
    a = make_activity(city, title="敬老", start=start, hours=3)
    b = make_activity(city, title="义诊", start=start + dt.timedelta(hours=2), hours=2)
    c = make_activity(city, title="晚间巡逻", start=start + dt.timedelta(hours=3), hours=2)
    signups.sign_up(actor=people[0], activity_id=a.pk)
    with pytest.raises(DomainError) as exc:
        signups.sign_up(actor=people[0], activity_id=b.pk)
    assert "敬老" in str(exc.value.message)
    signups.sign_up(actor=people[0], activity_id=c.pk)  # starts as the first ends
    assert SignUp.objects.filter(person=people[0]).count() == 2


def test_only_volunteers_and_members_sign_up(city):
    outsider = resident(city, "plain", "居民", volunteer=False)
    activity = make_activity(city)
    with pytest.raises(DomainError):
        signups.sign_up(actor=outsider, activity_id=activity.pk)
    assert not SignUp.objects.exists()


def _live(city, people):
    activity = make_activity(city, start=timezone.now() - dt.timedelta(minutes=30), hours=2)
    signup, _ = signups.sign_up(actor=people[0], activity_id=activity.pk)
    return activity, signup


def test_qr_check_in_and_out(city, people):
    activity, signup = _live(city, people)
    token = signups.checkin_token(activity)
    signups.check_in_by_token(actor=people[0], token=token)
    signups.check_in_by_token(actor=people[0], token=token, direction="out")
    signup.refresh_from_db()
    assert signup.checked_in_at and signup.checked_out_at and signup.check_in_method == "qr"


def test_expired_or_forged_codes_change_nothing(city, people, settings):
    activity, signup = _live(city, people)
    forged = signing.dumps({"a": activity.pk}, salt="something else")
    tampered = signups.checkin_token(activity)[:-2] + "xx"
    for token in (forged, tampered):
        with pytest.raises(DomainError):
            signups.check_in_by_token(actor=people[0], token=token)
    settings.VOLUNTEERING_CHECKIN_TOKEN_SECONDS = 60
    old = signups.checkin_token(activity)
    later = timezone.now() + dt.timedelta(minutes=5)
    import time as _time

    real = _time.time
    try:
        _time.time = lambda: later.timestamp()
        with pytest.raises(DomainError) as exc:
            signups.check_in_by_token(actor=people[0], token=old)
    finally:
        _time.time = real
    assert "expired" in str(exc.value.message)
    signup.refresh_from_db()
    assert signup.checked_in_at is None


def test_location_check_in_within_radius_only(city, people):
    activity, signup = _live(city, people)
    with pytest.raises(DomainError):
        signups.check_in_by_location(actor=people[0], activity_id=activity.pk, lat=LAT + 0.01, lng=LNG)
    signup.refresh_from_db()
    assert signup.checked_in_at is None
    signups.check_in_by_location(actor=people[0], activity_id=activity.pk, lat=LAT + 0.001, lng=LNG)
    signup.refresh_from_db()
    assert signup.check_in_method == "location"


def test_certify_is_idempotent_and_group_hours_are_by_group(city, people):
    activity = make_activity(city, start=timezone.now() - dt.timedelta(hours=1), hours=2)
    team, _ = signups.sign_up(actor=people[1], activity_id=activity.pk, group_name="红马甲队")
    signup, _ = signups.sign_up(actor=people[0], activity_id=activity.pk)
    boss = city.users["community_secretary"]
    first = certification.certify_signup(actor=boss, signup_id=signup.pk, hours="2")
    again = certification.certify_signup(actor=boss, signup_id=signup.pk, hours="5")
    assert again.pk == first.pk and first.hours == Decimal("2.00")
    group = certification.certify_signup(actor=boss, signup_id=team.pk)
    assert group.by_group and group.group_name == "红马甲队" and group.hours == Decimal("2.0")
    assert ServiceHours.objects.count() == 2


def test_correction_voids_and_replaces_and_is_announced(city, people, django_capture_on_commit_callbacks):
    heard = []
    hooks.connect("volunteering.hours_voided", lambda **kw: heard.append(("void", kw["hours"].pk)), key="t.v")
    hooks.connect("volunteering.hours_certified", lambda **kw: heard.append(("cert", kw["hours"].pk)), key="t.c")
    try:
        activity = make_activity(city, start=timezone.now() - dt.timedelta(hours=1), hours=2)
        signup, _ = signups.sign_up(actor=people[0], activity_id=activity.pk)
        boss = city.users["community_secretary"]
        old = certification.certify_signup(actor=boss, signup_id=signup.pk, hours="1")
        correction = certification.request_correction(actor=people[0], hours_id=old.pk, reason="我待到了结束",
                                                      proposed_hours="2")
        with pytest.raises(DomainError):
            certification.request_correction(actor=people[0], hours_id=old.pk, reason="again", proposed_hours="3")
        with django_capture_on_commit_callbacks(execute=True):
            certification.accept_correction(actor=boss, correction_id=correction.pk)
    finally:
        hooks.disconnect("volunteering.hours_voided", "t.v")
        hooks.disconnect("volunteering.hours_certified", "t.c")
    old.refresh_from_db()
    correction.refresh_from_db()
    new = correction.replacement
    assert old.status == HoursStatus.VOIDED and new.replaces_id == old.pk and new.hours == Decimal("2.00")
    assert correction.status == CorrectionStatus.ACCEPTED
    assert heard == [("cert", old.pk), ("void", old.pk), ("cert", new.pk)]
    signup.refresh_from_db()
    assert signup.hours_id == new.pk
    assert Notification.objects.filter(recipient=people[0], verb="volunteering.correction_accepted").exists()


def test_refused_correction_keeps_the_hours(city, people):
    activity = make_activity(city, start=timezone.now() - dt.timedelta(hours=1), hours=2)
    signup, _ = signups.sign_up(actor=people[0], activity_id=activity.pk)
    boss = city.users["community_secretary"]
    old = certification.certify_signup(actor=boss, signup_id=signup.pk, hours="1")
    correction = certification.request_correction(actor=people[0], hours_id=old.pk, reason="x", proposed_hours="2")
    with pytest.raises(DomainError):
        certification.refuse_correction(actor=boss, correction_id=correction.pk, reason="")
    certification.refuse_correction(actor=boss, correction_id=correction.pk, reason="签到记录显示1小时")
    old.refresh_from_db()
    assert old.status == HoursStatus.CERTIFIED
    assert Correction.objects.get().refusal_reason == "签到记录显示1小时"


def test_out_of_scope_organiser_changes_nothing(city, people):
    activity = make_activity(city, start=timezone.now() - dt.timedelta(hours=1), hours=2)
    signup, _ = signups.sign_up(actor=people[0], activity_id=activity.pk)
    outsider = city.users["street_officer_b"]
    with pytest.raises(DomainError) as exc:
        certification.certify_signup(actor=outsider, signup_id=signup.pk, hours="2")
    assert exc.value.code == "not_found"
    assert not ServiceHours.objects.exists()


def test_create_and_publish_with_scope_checked_community(city):
    boss = city.users["community_secretary"]
    start = timezone.now() + dt.timedelta(days=1)
    data = ActivityData(title="垃圾分类宣传", place="小区门口", community_id=city.community_b.pk, starts_at=start,
                        ends_at=start + dt.timedelta(hours=2), slots=[("宣传员", 3)])
    with pytest.raises(DomainError):
        create_activity(actor=boss, data=data)
    data.community_id = city.community_a.pk
    activity, created = create_activity(actor=boss, data=data, idempotency_key="k")
    again, created_again = create_activity(actor=boss, data=data, idempotency_key="k")
    assert created and not created_again and again.pk == activity.pk
    activity = publish_activity(actor=boss, activity_id=activity.pk)
    assert activity.status == "published" and activity.street_id == city.street_a.pk


def test_denied_actions_change_nothing(city, people):
    activity = make_activity(city, start=timezone.now() - dt.timedelta(hours=1), hours=2)
    signup, _ = signups.sign_up(actor=people[0], activity_id=activity.pk)
    boss = city.users["community_secretary"]
    record = certification.certify_signup(actor=boss, signup_id=signup.pk, hours="1")
    correction = certification.request_correction(actor=people[0], hours_id=record.pk, reason="x", proposed_hours="2")
    # Someone else's sign-up and hours read as missing; street B's desk reaches none of A's.
    with pytest.raises(DomainError) as exc:
        signups.withdraw(actor=people[1], signup_id=signup.pk)
    assert exc.value.code == "not_found"
    with pytest.raises(DomainError) as exc:
        certification.request_correction(actor=people[1], hours_id=record.pk, reason="x", proposed_hours="3")
    assert exc.value.code == "not_found"
    for step in (certification.accept_correction, certification.refuse_correction):
        kwargs = {"reason": "no"} if step is certification.refuse_correction else {}
        with pytest.raises(DomainError) as exc:
            step(actor=city.users["street_officer_b"], correction_id=correction.pk, **kwargs)
        assert exc.value.code == "not_found"
    signup.refresh_from_db()
    record.refresh_from_db()
    correction.refresh_from_db()
    assert signup.status == "confirmed" and record.status == "certified" and correction.status == "open"
    assert ServiceHours.objects.count() == 1


def test_more_places_promote_the_waiting_list(city, people):
    from gongzhi.volunteering.services.activities import ActivityData, update_activity

    activity = make_activity(city, slots=(("保洁", 1),))
    signups.sign_up(actor=people[0], activity_id=activity.pk)
    waiting, _ = signups.sign_up(actor=people[1], activity_id=activity.pk)
    assert waiting.status == "waiting"
    boss = city.users["community_secretary"]
    data = ActivityData(title=activity.title, place=activity.place, community_id=activity.community_id,
                        starts_at=activity.starts_at, ends_at=activity.ends_at, slots=[("保洁", 2)],
                        lat=activity.lat, lng=activity.lng)
    update_activity(actor=boss, activity_id=activity.pk, data=data, expected_version=activity.version)
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    with pytest.raises(DomainError):
        update_activity(actor=boss, activity_id=activity.pk, data=data, expected_version=activity.version)
