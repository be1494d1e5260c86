"""Sign-ups at the same instant: the slot's lock keeps the capacity, the person's lock keeps one
person from holding two overlapping places, and the same idempotency key twice makes one sign-up.
Needs real concurrent transactions, so PostgreSQL only."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from gongzhi.core.errors import DomainError
from gongzhi.volunteering.models import SignUp
from gongzhi.volunteering.services import signups

from .factories import make_activity, resident

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions"),
]


def race(fns):
    barrier = threading.Barrier(len(fns))
    results = []

    def run(fn):
        try:
            barrier.wait()
            results.append(("ok", fn()))
        except DomainError as exc:
            results.append(("refused", exc.code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_the_last_place_goes_to_one_the_other_waits(city):
    people = [resident(city, f"race{i}", f"志愿者{i}") for i in range(4)]
    activity = make_activity(city, slots=(("保洁", 2),))
    race([lambda p=p: signups.sign_up(actor=p, activity_id=activity.pk) for p in people])
    statuses = sorted(SignUp.objects.filter(activity=activity).values_list("status", flat=True))
    assert statuses == ["confirmed", "confirmed", "waiting", "waiting"]


def test_one_person_two_overlapping_activities_at_once(city):
    person = resident(city, "racer", "志愿者")
    start = timezone.now() + dt.timedelta(days=2)
    a = make_activity(city, title="甲", start=start)
    b = make_activity(city, title="乙", start=start + dt.timedelta(hours=1))
    results = race([lambda: signups.sign_up(actor=person, activity_id=a.pk),
                    lambda: signups.sign_up(actor=person, activity_id=b.pk)])
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    assert SignUp.objects.filter(person=person).count() == 1


def test_the_same_key_twice_at_once_is_one_sign_up(city):
    person = resident(city, "twice", "志愿者")
    activity = make_activity(city)
    results = race([lambda: signups.sign_up(actor=person, activity_id=activity.pk, idempotency_key="k")] * 2)
    assert SignUp.objects.filter(person=person).count() == 1
    assert [r[0] for r in results] == ["ok", "ok"]
