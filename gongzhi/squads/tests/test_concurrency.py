"""Two desks raising an alert for one squad at the same moment, and a member tapping "acknowledge"
twice at once (PostgreSQL, where they really run side by side): one alert, one acknowledgement.
SQLite lets one writer in at a time; test_alerts.py covers the sequential refusals there."""

import threading

import pytest
from django.db import connection, connections

from gongzhi.core.errors import DomainError
from gongzhi.notifications.models import Notification

from ..models import Alert, AlertLogEntry
from ..services import alerts
from .factories import build_squads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions"),
]


def at_once(fn, n: int) -> tuple[list, list]:
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run(i):
        try:
            barrier.wait()
            results.append(fn(i))
        except Exception as exc:  # counted by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results, errors


def test_two_alerts_at_once_make_one(city):
    sq = build_squads(city)
    keepers = [city.users["community_secretary"], city.users["street_officer_a"]]
    done, refused = at_once(lambda i: alerts.raise_alert(actor=keepers[i], squad_id=sq.squad_a.pk,
                                                         title=f"内涝{i}"), 2)
    assert len(done) == 1 and len(refused) == 1
    assert isinstance(refused[0], DomainError) and refused[0].code == "conflict"
    assert Alert.objects.filter(squad=sq.squad_a).count() == 1
    assert Notification.objects.filter(verb="squads.alert").count() == 4


def test_acknowledging_at_once_counts_once(city):
    sq = build_squads(city)
    alert = alerts.raise_alert(actor=city.users["community_secretary"], squad_id=sq.squad_a.pk, title="内涝")
    done, errors = at_once(lambda i: alerts.acknowledge(actor=sq.people_a[0], alert_id=alert.pk,
                                                        eta_minutes=5 + i), 4)
    assert not errors and len(done) == 4
    assert len({r.acknowledged_at for r in done}) == 1
    assert AlertLogEntry.objects.filter(alert=alert, code="acknowledged").count() == 1
