"""The audit trail: append-only rows written by services, read through audit_entries_for."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core import audit, roles
from gongzhi.core.models import AuditEntry
from gongzhi.core.selectors import allowed_actions, audit_entries_for, may_read_audit
from gongzhi.divisions.services.hierarchy import rename_division

pytestmark = pytest.mark.django_db


# --- append-only -----------------------------------------------------------------------------


def test_rows_cannot_be_changed_or_deleted(city):
    entry = AuditEntry.objects.filter(division=city.street_a).first()
    entry.reason = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="tampered")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.reason == ""


def test_a_service_write_leaves_a_row_with_before_and_after(city):
    rename_division(actor=city.street_officer_a, division=city.community_a, name="书院新社区",
                    reason="Street office decision 12")
    entry = AuditEntry.objects.get(action="division.rename")
    assert entry.actor == city.street_officer_a
    assert entry.who == str(city.street_officer_a)
    assert (entry.object_type, entry.object_id) == ("divisions.division", str(city.community_a.pk))
    assert entry.division == city.community_a
    assert entry.before["name"] == "书院社区"
    assert entry.after["name"] == "书院新社区"
    assert entry.reason == "Street office decision 12"


def test_work_without_a_user_names_itself(city):
    entry = AuditEntry.objects.filter(action="division.create", division=city.grid_b).get()
    assert entry.actor is None
    assert entry.who == "fixture"
    assert audit.record(actor=None, action="probe", obj=city.grid_b).who == "system"


# --- who reads which rows --------------------------------------------------------------------


@pytest.fixture
def trail(city):
    """One fresh row in each of street A, street B, the district, and one with no division."""

    def probe(action, obj, division=None):
        return audit.record(actor=city.city_admin, action=action, obj=obj, division=division)

    rows = {
        "street_a": probe("probe.street", city.community_a, city.community_a),
        "street_b": probe("probe.street", city.grid_b, city.grid_b),
        "district": probe("probe.district", city.district, city.district),
        "nowhere": probe("probe.nowhere", city.resident),
    }
    return {key: row.pk for key, row in rows.items()}


READERS = {
    "city_admin": {"street_a", "street_b", "district", "nowhere"},
    "auditor": {"street_a", "street_b", "district"},
    "district_officer": set(),
    "street_officer_a": set(),
    "street_officer_b": set(),
    "community_secretary": set(),
    "grid_worker": set(),
    "department_staff": set(),
    "resident": set(),
}


@pytest.mark.parametrize(("persona", "expected"), READERS.items())
def test_each_persona_reads_the_rows_of_its_audit_scope(city, trail, persona, expected):
    user = city.users[persona]
    seen = set(audit_entries_for(user).values_list("pk", flat=True))
    assert {key for key, pk in trail.items() if pk in seen} == expected
    assert may_read_audit(user) == bool(expected)


def test_a_superuser_reads_everything(city, trail):
    root = User.objects.create_superuser("root", password="root-password-1")
    assert audit_entries_for(root).count() == AuditEntry.objects.count()
    assert may_read_audit(root)
    assert set(allowed_actions(root)) == set(roles.all_actions()) >= {"manage_users", "view_audit", "case.dispatch"}


def test_a_street_auditor_reads_only_the_street(city, trail):
    from gongzhi.accounts.choices import Role
    from gongzhi.accounts.models import RoleAssignment

    RoleAssignment.objects.create(user=city.resident, role=Role.AUDITOR, division=city.street_b)
    seen = set(audit_entries_for(city.resident).values_list("pk", flat=True))
    assert {key for key, pk in trail.items() if pk in seen} == {"street_b"}


def test_rows_of_a_retired_division_stay_in_scope(city, trail):
    from gongzhi.divisions.models import Division

    Division.objects.filter(pk=city.grid_b.pk).update(is_active=False, retired_at=timezone.now())
    assert audit_entries_for(city.auditor).filter(pk=trail["street_b"]).exists()


# --- filters ---------------------------------------------------------------------------------


def test_filters_narrow_the_rows(city, trail):
    admin = city.city_admin
    assert set(audit_entries_for(admin, action="probe.street").values_list("pk", flat=True)) == {
        trail["street_a"], trail["street_b"]}
    # Beside the probe, the fixture's own set-up wrote a row for each persona account it made.
    users = audit_entries_for(admin, object_type="accounts.user").exclude(actor_label="demo")
    assert list(users.values_list("pk", flat=True)) == [trail["nowhere"]]
    assert list(audit_entries_for(admin, object_type="divisions.division", object_id=str(city.grid_b.pk),
                                  action="probe.street").values_list("pk", flat=True)) == [trail["street_b"]]
    assert audit_entries_for(admin, actor="city_admin").count() == 4
    assert audit_entries_for(admin, actor="street_officer_a").count() == 0
    # The fixture created 13 divisions; the province's row lies above the city admin's scope.
    assert audit_entries_for(admin, actor="fixture").filter(action="division.create").count() == 12


def test_time_filters_since_inclusive_until_exclusive(city):
    admin = city.city_admin
    noon = timezone.make_aware(dt.datetime(2025, 3, 10, 12, 0))
    with time_machine.travel(noon, tick=False):
        at_noon = audit.record(actor=admin, action="probe.time", obj=city.grid_a, division=city.grid_a)
    with time_machine.travel(noon + dt.timedelta(days=1), tick=False):
        next_day = audit.record(actor=admin, action="probe.time", obj=city.grid_a, division=city.grid_a)

    def pks(**kw):
        return set(audit_entries_for(admin, action="probe.time", **kw).values_list("pk", flat=True))

    assert pks(since=noon) == {at_noon.pk, next_day.pk}
    assert pks(since=noon, until=noon) == set()
    assert pks(until=noon + dt.timedelta(seconds=1)) == {at_noon.pk}
    # Dates are whole local days; naive datetimes are local time.
    assert pks(since=dt.date(2025, 3, 10), until=dt.date(2025, 3, 10)) == {at_noon.pk}
    assert pks(since=dt.date(2025, 3, 11)) == {next_day.pk}
    assert pks(since=dt.datetime(2025, 3, 10, 12, 0)) == {at_noon.pk, next_day.pk}
    assert pks(since=dt.datetime(2025, 3, 10, 12, 1)) == {next_day.pk}


def test_rows_come_newest_first(city, trail):
    rows = list(audit_entries_for(city.city_admin)[:4])
    assert [r.pk for r in rows] == sorted(trail.values(), reverse=True)
