"""Department pages per persona: who sees which department, its staff with masked phones, and
creating, editing and archiving it only inside the actor's divisions."""

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import RoleAssignment, User
from gongzhi.core.models import AuditEntry
from gongzhi.demo.personas import PERSONAS
from gongzhi.departments.models import Department, DepartmentKind

pytestmark = pytest.mark.django_db

NAMES = [p.username for p in PERSONAS]
# The persona department belongs to the district and serves street A.
SEES_PERSONA_DEPARTMENT = {"city_admin", "district_officer", "auditor", "street_officer_a", "community_secretary",
                           "grid_worker", "department_staff"}


def html(response) -> str:
    return response.content.decode()


def main_of(response) -> str:
    page = html(response)
    return page[page.index('<main id="main"'):page.index("</main>")]


@pytest.fixture
def department(city):
    return Department.objects.get()


@pytest.fixture
def street_b_police(city):
    d = Department.objects.create(name="新华派出所", kind=DepartmentKind.POLICE, division=city.street_b)
    d.serves.add(city.community_b)
    return d


@pytest.fixture
def street_manager(city):
    user = User.objects.create_user("street_a_admin", display_name="A街道用户管理员")
    RoleAssignment.objects.create(user=user, role=Role.CITY_ADMIN, division=city.street_a)
    c = Client()
    c.force_login(user, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    return c


def counts():
    return Department.objects.count(), AuditEntry.objects.count()


@pytest.mark.parametrize("url", ["/departments/", "/departments/new/", "/departments/1/"])
def test_anonymous_is_sent_to_login(client, city, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", NAMES)
def test_who_sees_which_department(client_as, city, department, street_b_police, persona):
    c = client_as(persona)
    response = c.get("/departments/")
    if persona == "resident":
        assert response.status_code == 403
        assert c.get(f"/departments/{department.pk}/").status_code == 404
        return
    page = main_of(response)
    sees = persona in SEES_PERSONA_DEPARTMENT
    assert (department.name in page) == sees
    assert c.get(f"/departments/{department.pk}/").status_code == (200 if sees else 404)
    sees_police = persona in {"city_admin", "district_officer", "auditor", "street_officer_b"}
    assert ("新华派出所" in page) == sees_police
    assert c.get(f"/departments/{street_b_police.pk}/").status_code == (200 if sees_police else 404)
    assert c.get("/departments/999999/").status_code == 404
    # Only a user manager creates or edits.
    manager = persona == "city_admin"
    assert c.get("/departments/new/").status_code == (200 if manager else 403)
    assert c.get(f"/departments/{department.pk}/edit/").status_code == (200 if manager else 404)


def test_department_page_shows_staff_with_masked_phones(client_as, city, department):
    page = main_of(client_as("grid_worker").get(f"/departments/{department.pk}/"))
    assert "城管队员 孙强" in page
    assert "139****0007" in page
    assert "13900000007" not in page
    assert "书院街道" in page
    assert f'href="/departments/{department.pk}/edit/"' not in page


def test_create_a_department(client_as, city):
    c = client_as("city_admin")
    response = c.post("/departments/new/", {"name": "孝南区市场监管局书院所", "kind": DepartmentKind.MARKET,
                                            "division": city.district.pk,
                                            "serves": [city.street_a.pk, city.community_b.pk]})
    assert response.status_code == 302
    created = Department.objects.get(name="孝南区市场监管局书院所")
    assert set(created.serves.all()) == {city.street_a, city.community_b}
    entry = AuditEntry.objects.get(action="department.create", object_id=str(created.pk))
    assert entry.after["serves"] == sorted([city.street_a.pk, city.community_b.pk])
    assert entry.division == city.district


@pytest.mark.parametrize(("home", "serves"), [
    ("community_a", ["community_a"]),  # a department belongs to a district or a street
    ("street_a", ["grid_a"]),  # it serves streets or communities
    ("street_a", ["community_b"]),  # under the division it belongs to
    ("street_a", []),  # and at least one
])
def test_create_refuses_bad_divisions(client_as, city, home, serves):
    before = counts()
    response = client_as("city_admin").post("/departments/new/", {
        "name": "某部门", "kind": DepartmentKind.OTHER, "division": getattr(city, home).pk,
        "serves": [getattr(city, s).pk for s in serves]})
    assert response.status_code == 200
    assert "field-error" in html(response) or "form-errors" in html(response)
    assert counts() == before


def test_served_choices_are_scoped(city, street_manager):
    before = counts()
    response = street_manager.post("/departments/new/", {
        "name": "书院街道综合执法队", "kind": DepartmentKind.CITY_MANAGEMENT, "division": city.street_a.pk,
        "serves": [city.community_a.pk, city.community_b.pk]})
    assert response.status_code == 200
    assert "field-error" in html(response)
    assert counts() == before
    response = street_manager.post("/departments/new/", {
        "name": "新华街道综合执法队", "kind": DepartmentKind.CITY_MANAGEMENT, "division": city.street_b.pk,
        "serves": [city.community_b.pk]})
    assert response.status_code == 200
    assert counts() == before
    # The picker never offers street B's communities to this manager.
    page = html(street_manager.get("/accounts/users/pick-division/",
                                   {"field": "serves", "purpose": "serves", "serves_q": "社区"}))
    assert "书院社区" in page
    assert "府前社区" not in page
    response = street_manager.post("/departments/new/", {
        "name": "书院街道综合执法队", "kind": DepartmentKind.CITY_MANAGEMENT, "division": city.street_a.pk,
        "serves": [city.community_a.pk, city.community_a2.pk]})
    assert response.status_code == 302


def test_edit_a_department_audits_the_change(client_as, city, department):
    c = client_as("city_admin")
    page = html(c.get(f"/departments/{department.pk}/edit/"))
    assert f'name="serves" value="{city.street_a.pk}" checked' in page
    assert f'name="division" value="{city.district.pk}" checked' in page
    response = c.post(f"/departments/{department.pk}/edit/", {
        "name": department.name, "kind": department.kind, "division": city.district.pk,
        "serves": [city.street_a.pk, city.street_b.pk], "reason": "扩大服务范围"})
    assert response.status_code == 302
    assert set(department.serves.all()) == {city.street_a, city.street_b}
    entry = AuditEntry.objects.get(action="department.update", object_id=str(department.pk))
    assert entry.before == {"serves": [city.street_a.pk]}
    assert entry.after == {"serves": sorted([city.street_a.pk, city.street_b.pk])}
    assert entry.reason == "扩大服务范围"


def test_archive_waits_for_staff_roles_to_be_revoked(client_as, city, department):
    c = client_as("city_admin")
    url = f"/departments/{department.pk}/archive/"
    response = c.post(url, {"reason": "机构调整"})
    assert response.status_code == 200
    assert "form-errors" in html(response)
    department.refresh_from_db()
    assert department.is_active
    RoleAssignment.objects.filter(department=department).update(revoked_at="2025-01-01T00:00:00Z")
    assert c.post(url, {"reason": ""}).status_code == 200
    assert c.post(url, {"reason": "机构调整"}).status_code == 302
    department.refresh_from_db()
    assert not department.is_active
    assert AuditEntry.objects.filter(action="department.archive", reason="机构调整").exists()
    assert department.name not in main_of(c.get("/departments/"))
    assert department.name in main_of(c.get("/departments/", {"archived": "on"}))
    # No new staff in an archived department.
    response = c.post(reverse("accounts:user_grant", args=[city.resident.pk]),
                      {"role": Role.DEPARTMENT_STAFF, "department": department.pk})
    assert response.status_code == 200
    assert not RoleAssignment.objects.filter(user=city.resident, role=Role.DEPARTMENT_STAFF).exists()
    assert c.post(f"/departments/{department.pk}/restore/").status_code == 302
    department.refresh_from_db()
    assert department.is_active


def test_list_queries_do_not_grow_with_departments(client_as, city, django_assert_max_num_queries):
    c = client_as("grid_worker")
    c.get("/departments/")
    for i in range(20):
        d = Department.objects.create(name=f"部门{i}", kind=DepartmentKind.OTHER, division=city.district)
        d.serves.add(city.street_a, city.community_a)
    # The page's own queries, and the menu's: whether this user serves (takes orders, is on a squad).
    with django_assert_max_num_queries(11):
        response = c.get("/departments/")
    assert response.status_code == 200
    assert "部门19" in main_of(response)
