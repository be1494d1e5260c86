"""The party tree's services: found, rename, edit, move, merge, dissolve, re-elect and positions —
each audited with a history row, each refusal leaving everything as it was."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.core.scope import NotInScope
from gongzhi.party.choices import ChangeKind, FacilityKind, Form, Line, MemberState, OrganisationStatus
from gongzhi.party.models import Facility, Member, Organisation, OrganisationChange, Seat, Term, Transfer
from gongzhi.party.services import organisations as svc
from gongzhi.registry.tests.factories import build_registry

from .factories import build_party, make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(city):
    reg = build_registry(city)
    return city, build_party(city, reg), reg


def rows():
    """Everything a refused write must leave as it was."""
    return (list(Organisation.objects.order_by("pk").values()), list(Member.objects.order_by("pk").values()),
            list(Term.objects.order_by("pk").values()), list(Seat.objects.order_by("pk").values()),
            OrganisationChange.objects.count(), Transfer.objects.count(), AuditEntry.objects.count(),
            sorted(Organisation.covers.through.objects.values_list("organisation_id", "division_id")))


def refused(call, exc=DomainError):
    before = rows()
    with pytest.raises(exc) as info:
        call()
    assert rows() == before
    return info.value


def test_a_community_secretary_founds_a_grid_branch_under_the_community_committee(world):
    city, p, reg = world
    user = city.users["community_secretary"]
    org = svc.found_organisation(actor=user, name="书院社区第二网格党支部", form=Form.BRANCH, line=Line.GRID,
                                 division_id=city.grid_a_2.pk, parent_id=p.community_a.pk,
                                 buildings=[reg.building_a.pk])
    assert len(org.code) == 8 and org.path == f"{p.community_a.path}{org.pk}/" and org.depth == 2
    assert org.grid_id == city.grid_a_2.pk and org.community_id == city.community_a.pk
    assert list(org.covers.all()) == [city.grid_a_2]
    assert org.changes.get().kind == ChangeKind.FOUNDED
    assert AuditEntry.objects.filter(action="party.organisation.found", object_id=str(org.pk)).exists()


def test_a_street_officer_founds_a_community_committee_under_the_working_committee(world):
    city, p, _reg = world
    org = svc.found_organisation(actor=city.users["street_officer_a"], name="新社区党委", form=Form.COMMITTEE,
                                 line=Line.COMMUNITY, division_id=city.community_a2.pk, parent_id=p.street_a.pk)
    assert org.parent == p.street_a and org.depth == 1


def test_founding_outside_ones_scope_or_against_the_line_is_refused(world):
    city, p, _reg = world
    user = city.users["community_secretary"]

    def found(**kw):
        args = {"actor": user, "name": "支部", "form": Form.BRANCH, "line": Line.GRID,
                "division_id": city.grid_a_2.pk, "parent_id": p.community_a.pk, **kw}
        return lambda: svc.found_organisation(**args)

    # Street B's grid and street B's committee read as missing.
    refused(found(division_id=city.grid_b.pk), NotInScope)
    refused(found(parent_id=p.community_b.pk), NotInScope)
    refused(found(covers=[city.grid_b.pk]), NotInScope)
    # A community committee cannot sit under a grid branch; a branch outside its parent's area.
    refused(found(line=Line.COMMUNITY, division_id=city.community_a.pk, parent_id=p.branch_a.pk))
    refused(found(parent_id=p.branch_a.pk, division_id=city.grid_a_2.pk))
    # A community secretary plants no new root.
    refused(found(parent_id=None, line=Line.STREET, division_id=city.community_a.pk))
    # No name.
    refused(found(name="  "))


def test_a_registry_unit_out_of_scope_is_refused_like_a_missing_one(world):
    city, p, _reg = world
    from gongzhi.registry.services import things

    unit_b = things.create_organisation(actor=None, grid=city.grid_b, kind="property_company", name="B物业")
    e = refused(lambda: svc.edit_organisation(actor=city.users["community_secretary"], organisation=p.branch_a,
                                              unit_id=unit_b.pk), NotInScope)
    assert e.code == "not_found"


def test_rename_and_edit_are_audited_with_history_and_stale_edits_refused(world):
    city, p, _reg = world
    user = city.users["community_secretary"]
    org = svc.rename_organisation(actor=user, organisation=p.branch_a, name="书院一网格党支部",
                                  expected_version=p.branch_a.version, reason="更名")
    assert org.name == "书院一网格党支部" and org.version == 2
    change = org.changes.get(kind=ChangeKind.RENAMED)
    assert change.before["name"] == "书院社区第一网格党支部" and change.after["name"] == "书院一网格党支部"
    e = refused(lambda: svc.rename_organisation(actor=user, organisation=org, name="再改", expected_version=1))
    assert e.code == "stale"
    org = svc.edit_organisation(actor=user, organisation=org, covers=[city.grid_a.pk, city.grid_a_2.pk],
                                form=Form.GENERAL_BRANCH)
    assert org.form == Form.GENERAL_BRANCH and set(org.covers.all()) == {city.grid_a, city.grid_a_2}
    assert AuditEntry.objects.filter(action="party.organisation.edit").count() == 1


def test_street_b_officer_may_not_touch_street_a(world):
    city, p, _reg = world
    refused(lambda: svc.rename_organisation(actor=city.users["street_officer_b"], organisation=p.branch_a,
                                            name="x"), PermissionDenied)
    refused(lambda: svc.dissolve_organisation(actor=city.users["grid_worker"], organisation=p.branch_a,
                                              reason="x"), PermissionDenied)


def test_move_rewrites_the_whole_subtree_and_refuses_cycles(world):
    city, p, _reg = world
    user = city.users["street_officer_a"]
    group = make_organisation("楼栋党小组", Form.GROUP, Line.BUILDING, city.grid_a, p.branch_a)
    # A general branch between the community committee and the grid branch.
    general = svc.found_organisation(actor=user, name="书院第一片区党总支", form=Form.GENERAL_BRANCH, line=Line.GRID,
                                     division_id=city.community_a.pk, parent_id=p.community_a.pk)
    moved = svc.move_organisation(actor=user, organisation=p.branch_a, parent_id=general.pk, reason="调整隶属")
    group.refresh_from_db()
    assert moved.path == f"{general.path}{p.branch_a.pk}/" and moved.depth == 3
    assert group.path == f"{moved.path}{group.pk}/" and group.depth == 4
    assert moved.changes.filter(kind=ChangeKind.MOVED).exists()
    e = refused(lambda: svc.move_organisation(actor=user, organisation=general, parent_id=group.pk, reason="x"))
    assert "under itself" in e.message
    refused(lambda: svc.move_organisation(actor=user, organisation=general, parent_id=p.community_b.pk,
                                          reason="x"), NotInScope)


def test_merge_moves_children_members_and_coverage_to_the_successor(world):
    city, p, _reg = world
    user = city.users["street_officer_a"]
    group = make_organisation("楼栋党小组", Form.GROUP, Line.BUILDING, city.grid_a, p.branch_a)
    second = make_organisation("书院社区第二网格党支部", Form.BRANCH, Line.GRID, city.grid_a_2, p.community_a)
    members = set(Member.objects.filter(organisation=p.branch_a, state=MemberState.ACTIVE).values_list("pk", flat=True))
    org = svc.merge_organisation(actor=user, organisation=p.branch_a, successor_id=second.pk, reason="合并网格")
    assert org.status == OrganisationStatus.MERGED and org.successor == second and org.ended_on
    group.refresh_from_db()
    assert group.parent == second and group.path.startswith(second.path)
    assert set(Member.objects.filter(organisation=second).values_list("pk", flat=True)) == members
    assert Transfer.objects.filter(reason="merged", to_organisation=second).count() == len(members)
    assert city.grid_a in second.covers.all()
    assert not Term.objects.filter(organisation=org, ended_on__isnull=True).exists()
    # Ended: no longer changed.
    refused(lambda: svc.rename_organisation(actor=user, organisation=org, name="x"))


def test_dissolve_is_refused_while_it_has_members_or_children(world):
    city, p, _reg = world
    user = city.users["street_officer_a"]
    e = refused(lambda: svc.dissolve_organisation(actor=user, organisation=p.community_a, reason="撤销"))
    assert "1 active organisation(s)" in e.message and "0 member(s)" in e.message
    refused(lambda: svc.dissolve_organisation(actor=user, organisation=p.community_a2, reason=""))
    empty = make_organisation("空支部", Form.BRANCH, Line.GRID, city.grid_a_2, p.community_a)
    org = svc.dissolve_organisation(actor=user, organisation=empty, reason="无党员")
    assert org.status == OrganisationStatus.DISSOLVED
    assert org.changes.get(kind=ChangeKind.DISSOLVED).reason == "无党员"


def test_reelect_ends_the_term_and_opens_the_next_with_its_seats(world):
    city, p, _reg = world
    user = city.users["community_secretary"]
    old = p.term_community_a
    term = svc.reelect(actor=user, organisation=p.community_a, elected_on=dt.date(2026, 1, 10))
    old.refresh_from_db()
    assert old.ended_on == dt.date(2026, 1, 10) and not old.seats.filter(ended_on__isnull=True).exists()
    assert term.number == 2 and term.is_big and term.due_on == dt.date(2031, 1, 10)
    assert sorted(term.seats.values_list("name", flat=True)) == ["刘书记", "区城管局副局长"]
    assert p.community_a.changes.filter(kind=ChangeKind.REELECTED).exists()
    refused(lambda: svc.reelect(actor=user, organisation=p.community_a, elected_on=dt.date(2025, 1, 1)))


def test_positions_are_created_edited_and_archived(world):
    city, p, _reg = world
    user = city.users["community_secretary"]
    from gongzhi.registry.services import things

    home = things.create_facility(actor=None, grid=city.grid_a, kind="party_service_centre", name="书院党群中心")
    f = svc.create_facility(actor=user, organisation=p.community_a, kind=FacilityKind.MEMBER_HOME,
                            name="书院社区党员之家", area_m2=120, registry_facility_id=home.pk)
    assert f.registry_facility == home
    f = svc.edit_facility(actor=user, facility=f, opening_hours="9:00-17:00")
    assert f.opening_hours == "9:00-17:00"
    svc.archive_facility(actor=user, facility=f, reason="搬迁")
    assert Facility.objects.get(pk=f.pk).archived_at is not None
    other = things.create_facility(actor=None, grid=city.grid_b, kind="square", name="府前广场")
    before = Facility.objects.count()
    with pytest.raises(NotInScope):
        svc.create_facility(actor=user, organisation=p.community_a, kind=FacilityKind.MEMBER_HOME, name="x",
                            registry_facility_id=other.pk)
    assert Facility.objects.count() == before
