import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.core import crypto
from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.registry import selectors
from gongzhi.registry.choices import EventKind, ResidentStatus
from gongzhi.registry.models import Resident, ResidentEvent, ResidentTag
from gongzhi.registry.services import people, places, privacy

from .factories import id_number, tag

pytestmark = pytest.mark.django_db


def test_resident_numbers_are_sealed_at_rest(reg):
    from django.db import connection

    raw = reg.zhang.id_number_sealed
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM registry_resident WHERE id = %s", [reg.zhang.pk])
        stored = " ".join(str(v) for v in cursor.fetchone())
    clear = crypto.unseal(raw)
    assert clear[:6] == "429999" and clear not in stored and "13912345678" not in stored
    assert reg.zhang.id_last4 == clear[-4:]
    assert reg.zhang.masked_id_number == "429999********" + clear[-4:]
    assert reg.zhang.masked_phone == "139****5678"


def test_gender_and_birth_date_come_from_the_id_number(reg):
    assert reg.zhang.gender == "male" and reg.zhang.birth_date == dt.date(1950, 3, 1)
    assert reg.li.gender == "female"


def test_id_number_problems_are_named_by_field(city, reg):
    with pytest.raises(DomainError) as exc:
        people.create_resident(actor=None, household=reg.household_a, name="错号", id_number="429999195003010012",
                               phone="12345")
    assert set(exc.value.details) == {"id_number", "phone"}
    good = id_number(dt.date(1960, 1, 1), 7)
    with pytest.raises(DomainError) as exc:
        people.create_resident(actor=None, household=reg.household_a, name="不符", id_number=good,
                               birth_date=dt.date(1961, 1, 1), gender="female")
    assert set(exc.value.details) == {"birth_date", "gender"}


def test_a_person_is_registered_once(reg):
    with pytest.raises(DomainError) as exc:
        people.create_resident(actor=None, household=reg.household_b, name="张伟",
                               id_number=crypto.unseal(reg.zhang.id_number_sealed))
    assert exc.value.code == "duplicate"


def test_moves_and_deaths_are_history_never_deletions(city, reg):
    worker = city.users["grid_worker"]
    people.move_out(actor=worker, resident=reg.li, note="搬往武汉")
    people.record_death(actor=worker, resident=reg.zhang)
    assert Resident.objects.count() == 5
    assert Resident.objects.get(pk=reg.li.pk).status == ResidentStatus.MOVED_OUT
    assert not ResidentTag.objects.filter(resident=reg.zhang, ended_on__isnull=True).exists()
    assert ResidentTag.objects.filter(resident=reg.zhang).count() == 2
    kinds = list(ResidentEvent.objects.filter(resident=reg.li).order_by("id").values_list("kind", flat=True))
    assert kinds == [EventKind.REGISTERED, EventKind.MOVED_OUT]
    assert reg.li.pk not in [r.pk for r in selectors.residents_for(worker)]
    assert reg.li.pk in [r.pk for r in selectors.residents_for(worker, status=None)]

    # She comes back, from anywhere: the same person, the same row, her history kept.
    again = people.create_resident(actor=city.users["street_officer_a"], household=reg.household_a_2, name="李娜",
                                   id_number=crypto.unseal(reg.li.id_number_sealed))
    assert again.pk == reg.li.pk and again.status == ResidentStatus.ACTIVE and again.grid_id == city.grid_a_2.pk
    assert ResidentEvent.objects.filter(resident=reg.li).count() == 3


def test_household_change_moves_the_resident_and_keeps_both_households(city, reg):
    officer = city.users["street_officer_a"]
    people.change_household(actor=officer, resident=reg.child, household=reg.household_a_2, relation="grandchild")
    child = Resident.objects.get(pk=reg.child.pk)
    assert (child.household_id, child.grid_id, child.community_id) == (
        reg.household_a_2.pk, city.grid_a_2.pk, city.community_a.pk)
    event = ResidentEvent.objects.get(resident=child, kind=EventKind.HOUSEHOLD_CHANGED)
    assert (event.from_household_id, event.to_household_id) == (reg.household_a2.pk, reg.household_a_2.pk)


def test_writes_outside_the_scope_are_refused(city, reg):
    with pytest.raises(PermissionDenied):
        people.update_resident(actor=city.users["grid_worker"], resident=reg.zhao, name="赵刚")
    with pytest.raises(PermissionDenied):
        people.update_resident(actor=city.users["district_officer"], resident=reg.zhao, name="赵刚")
    with pytest.raises(PermissionDenied):
        places.create_building(actor=city.users["street_officer_b"], grid=city.grid_a, address="x")


def test_audit_rows_keep_numbers_masked(city, reg):
    worker = city.users["grid_worker"]
    new_phone = "13698765432"
    people.update_resident(actor=worker, resident=reg.zhang, phone=new_phone, name="张伟民")
    entry = AuditEntry.objects.filter(action="resident.update").get()
    assert entry.before["phone"] == "139****5678" and entry.after["phone"] == "136****5432"
    assert entry.after["name"] == "张伟民" and entry.division_id == city.grid_a.pk
    clear_id = crypto.unseal(reg.zhang.id_number_sealed)
    for row in AuditEntry.objects.all():
        text = f"{row.before} {row.after}"
        assert clear_id not in text and new_phone not in text and "13912345678" not in text
    zhang = Resident.objects.get(pk=reg.zhang.pk)
    assert zhang.name_initials == "zwm" and zhang.phone_hash == crypto.blind_index(new_phone, crypto.PHONE)


def test_stale_edits_are_refused(city, reg):
    worker = city.users["grid_worker"]
    people.update_resident(actor=worker, resident=reg.zhang, notes="常年独居", expected_version=reg.zhang.version)
    with pytest.raises(DomainError) as exc:
        people.update_resident(actor=worker, resident=reg.zhang, notes="x", expected_version=reg.zhang.version)
    assert exc.value.code == "stale"


@pytest.mark.parametrize(("persona", "allowed"), [
    ("grid_worker", True), ("community_secretary", True), ("street_officer_a", False), ("city_admin", False),
    ("district_officer", False), ("auditor", False), ("department_staff", False), ("resident", False),
])
def test_reveal_is_for_those_serving_the_household_and_audited(city, reg, persona, allowed):
    user = city.users[persona]
    if not allowed:
        with pytest.raises(PermissionDenied):
            privacy.reveal_personal_data(actor=user, resident=reg.zhang, field="id_number")
        assert not AuditEntry.objects.filter(action="resident.reveal").exists()
        return
    value = privacy.reveal_personal_data(actor=user, resident=reg.zhang, field="id_number")
    assert value == crypto.unseal(reg.zhang.id_number_sealed)
    assert privacy.reveal_personal_data(actor=user, resident=reg.zhang, field="phone") == "13912345678"
    entries = list(AuditEntry.objects.filter(action="resident.reveal").order_by("id"))
    assert [(e.actor_id, e.object_id, e.after) for e in entries] == [
        (user.pk, str(reg.zhang.pk), {"field": "id_number"}), (user.pk, str(reg.zhang.pk), {"field": "phone"})]
    assert value not in str(entries[0].after)


def test_grid_worker_cannot_reveal_outside_their_grid(city, reg):
    with pytest.raises(PermissionDenied):
        privacy.reveal_personal_data(actor=city.users["grid_worker"], resident=reg.wang, field="id_number")


def test_tags_keep_their_history_and_permit_dates(city, reg):
    worker = city.users["grid_worker"]
    floating = tag("floating")
    people.assign_tag(actor=worker, resident=reg.li, tag=floating, permit_valid_from=dt.date(2024, 1, 1),
                      permit_valid_until=dt.date(2025, 1, 1))
    link = ResidentTag.objects.get(resident=reg.li, tag=floating, ended_on__isnull=True)
    assert link.permit_valid_until == dt.date(2025, 1, 1)
    with pytest.raises(DomainError):
        people.assign_tag(actor=worker, resident=reg.li, tag=tag("veteran"), permit_valid_from=dt.date(2024, 1, 1))
    people.remove_tag(actor=worker, resident=reg.li, tag=floating)
    people.assign_tag(actor=worker, resident=reg.li, tag=floating)
    assert ResidentTag.objects.filter(resident=reg.li, tag=floating).count() == 2


def test_moving_a_building_to_another_grid_moves_what_is_in_it(city, reg):
    places.update_building(actor=city.users["street_officer_a"], building=reg.building_a, grid=city.grid_a2)
    assert set(Resident.objects.filter(household__building=reg.building_a).values_list("grid_id", "community_id")) \
        == {(city.grid_a2.pk, city.community_a2.pk)}


def test_archiving_needs_an_empty_household(city, reg):
    with pytest.raises(DomainError):
        places.archive_household(actor=None, household=reg.household_b)
    people.move_out(actor=None, resident=reg.zhao)
    places.archive_household(actor=None, household=reg.household_b)
    places.archive_building(actor=None, building=reg.building_b)
    assert reg.building_b.__class__.objects.get(pk=reg.building_b.pk).archived_at is not None


def test_a_mistaken_entry_is_archived_with_a_reason_and_leaves_every_list(city, reg):
    worker = city.users["grid_worker"]
    with pytest.raises(DomainError):
        people.archive_resident(actor=worker, resident=reg.child, reason=" ")
    people.archive_resident(actor=worker, resident=reg.child, reason="重复登记")
    assert reg.child.pk not in [r.pk for r in selectors.residents_for(worker, status=None)]
    assert Resident.objects.filter(pk=reg.child.pk).exists()
    assert AuditEntry.objects.get(action="resident.archive").reason == "重复登记"


@pytest.mark.parametrize(("persona", "grids"), [
    ("street_officer_a", {"grid_a", "grid_a_2", "grid_a2"}), ("grid_worker", {"grid_a"}), ("district_officer", set()),
    ("auditor", set()), ("resident", set()),
])
def test_the_grids_a_form_may_offer(city, persona, grids):
    from gongzhi.registry.permissions import RegistryAction, grids_in_scope

    offered = set(grids_in_scope(city.users[persona], RegistryAction.EDIT).values_list("pk", flat=True))
    assert offered == {getattr(city, g).pk for g in grids}
