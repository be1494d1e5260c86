"""Department services and selectors: scope, levels, served divisions kept outside the actor's
scope, and the visibility rule (home, served, or around a served division)."""

import pytest

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import RoleAssignment, User
from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.departments import selectors, services
from gongzhi.departments.models import Department, DepartmentKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def street_a_manager(city):
    user = User.objects.create_user("street_a_admin")
    RoleAssignment.objects.create(user=user, role=Role.CITY_ADMIN, division=city.street_a)
    return user


def test_visibility_follows_served_divisions_down_and_up(city):
    d = services.create_department(actor=city.city_admin, name="府前社区警务室", kind=DepartmentKind.POLICE,
                                   division=city.street_b, serves=[city.community_b])
    assert d in selectors.departments_for(city.street_officer_b)
    assert d not in selectors.departments_for(city.street_officer_a)
    assert d not in selectors.departments_for(city.grid_worker)
    served = selectors.department_for(city.district_officer, d.pk).served_here
    assert served == [city.community_b]


def test_refusals_change_nothing(city, street_a_manager):
    before = (Department.objects.count(), AuditEntry.objects.count())
    with pytest.raises(DomainError) as refused:
        services.create_department(actor=street_a_manager, name="x", kind=DepartmentKind.OTHER,
                                   division=city.street_b, serves=[city.community_b])
    assert refused.value.code == "forbidden"
    with pytest.raises(DomainError) as refused:
        services.create_department(actor=street_a_manager, name="x", kind=DepartmentKind.OTHER,
                                   division=city.street_a, serves=[city.community_a, city.community_b])
    assert refused.value.code == "forbidden"
    with pytest.raises(DomainError):
        services.create_department(actor=city.district_officer, name="x", kind=DepartmentKind.OTHER,
                                   division=city.street_a, serves=[city.community_a])
    assert (Department.objects.count(), AuditEntry.objects.count()) == before


def test_served_divisions_outside_the_actors_scope_are_kept(city, street_a_manager):
    # Recorded before the rule that served divisions lie under the home division existed.
    d = Department.objects.create(name="书院街道综治中心", kind=DepartmentKind.OTHER, division=city.street_a)
    d.serves.set([city.community_a])
    services.update_department(actor=street_a_manager, department=d, name="书院街道综治中心",
                               kind=DepartmentKind.CIVIL_AFFAIRS, division=city.street_a,
                               serves=[city.community_a, city.community_a2])
    assert set(d.serves.all()) == {city.community_a, city.community_a2}
    assert selectors.served_outside(street_a_manager, d) == 0
    d.serves.add(city.community_b)
    assert selectors.served_outside(street_a_manager, d) == 1
    with pytest.raises(DomainError):
        # 府前社区 is outside this manager's reach and outside the home street: only a broader
        # administrator may straighten this department out.
        services.update_department(actor=street_a_manager, department=d, name="书院街道综治中心",
                                   kind=DepartmentKind.CIVIL_AFFAIRS, division=city.street_a,
                                   serves=[city.community_a])
    assert city.community_b in d.serves.all()


def test_archived_department_cannot_be_edited(city):
    d = services.create_department(actor=city.city_admin, name="临时指挥部", kind=DepartmentKind.OTHER,
                                   division=city.district, serves=[city.street_b])
    services.archive_department(actor=city.city_admin, department=d, reason="任务结束")
    with pytest.raises(DomainError) as refused:
        services.update_department(actor=city.city_admin, department=d, name="改名", kind=d.kind,
                                   division=city.district, serves=[city.street_b])
    assert refused.value.code == "conflict"
    assert services.archive_department(actor=city.city_admin, department=d, reason="again").is_active is False
    assert AuditEntry.objects.filter(action="department.archive").count() == 1
