"""Departments API: VIEW reads, MANAGE_USERS over the home division writes; out of scope is 404,
no division at all is 403, anonymous is 401."""

import pytest
from django.test import Client

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import RoleAssignment, User
from gongzhi.accounts.services import issue_token
from gongzhi.core.models import AuditEntry
from gongzhi.demo.personas import PERSONAS
from gongzhi.departments.models import Department, DepartmentKind

pytestmark = pytest.mark.django_db

API = "/api/v1/departments"
NAMES = [p.username for p in PERSONAS]
SEES = {"city_admin", "district_officer", "auditor", "street_officer_a", "community_secretary", "grid_worker",
        "department_staff"}


@pytest.fixture
def api_as(city):
    def make(user) -> Client:
        if isinstance(user, str):
            user = city.users[user]
        raw = issue_token(actor=user)[1]
        return Client(headers={"Authorization": f"Bearer {raw}", "Accept-Language": "en"})

    return make


@pytest.fixture
def department(city):
    return Department.objects.get()


def counts():
    return Department.objects.count(), AuditEntry.objects.exclude(action="token.issue").count()


def send(c, method, url, body):
    return getattr(c, method)(url, body, content_type="application/json")


@pytest.mark.parametrize("url", [f"{API}/", f"{API}/1"])
def test_anonymous_gets_401(client, city, url):
    assert client.get(url).status_code == 401


@pytest.mark.parametrize("persona", NAMES)
def test_matrix(api_as, city, department, persona):
    c = api_as(persona)
    response = c.get(f"{API}/")
    if persona == "resident":
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        names = [d["name"] for d in response.json()["items"]]
        assert (department.name in names) == (persona in SEES)
    detail = c.get(f"{API}/{department.pk}")
    assert detail.status_code == (200 if persona in SEES else 404)
    if persona in SEES:
        body = detail.json()
        assert body["staff"] == [{"user_id": city.department_staff.pk, "display_name": "城管队员 孙强",
                                  "phone": "139****0007", "is_active": True}]
        assert body["may_manage"] == (persona == "city_admin")
    patch = send(c, "patch", f"{API}/{department.pk}", {"name": "改名"})
    assert patch.status_code == (200 if persona == "city_admin" else 404)
    create = send(c, "post", f"{API}/", {"name": "新部门", "kind": DepartmentKind.HOUSING,
                                         "division_id": city.street_b.pk, "serves": [city.community_b.pk]})
    assert create.status_code == (201 if persona == "city_admin" else 403)


def test_create_with_out_of_scope_divisions_is_404(api_as, city):
    manager = User.objects.create_user("street_a_admin")
    RoleAssignment.objects.create(user=manager, role=Role.CITY_ADMIN, division=city.street_a)
    c = api_as(manager)
    before = counts()
    body = {"name": "书院街道住建站", "kind": DepartmentKind.HOUSING, "division_id": city.street_a.pk,
            "serves": [city.community_a.pk, city.community_b.pk]}
    assert send(c, "post", f"{API}/", body).status_code == 404
    assert send(c, "post", f"{API}/", {**body, "division_id": city.street_b.pk,
                                       "serves": [city.community_b.pk]}).status_code == 404
    assert counts() == before
    response = send(c, "post", f"{API}/", {**body, "serves": [city.community_a.pk]})
    assert response.status_code == 201
    assert [d["id"] for d in response.json()["serves"]] == [city.community_a.pk]


def test_create_refusals(api_as, city, department):
    c = api_as("city_admin")
    before = counts()
    response = send(c, "post", f"{API}/", {"name": department.name, "kind": DepartmentKind.POLICE,
                                           "division_id": city.district.pk, "serves": [city.street_b.pk]})
    assert response.status_code == 409
    response = send(c, "post", f"{API}/", {"name": "网格部门", "kind": DepartmentKind.OTHER,
                                           "division_id": city.street_a.pk, "serves": [city.grid_a.pk]})
    assert response.status_code == 400
    assert response.json()["problems"] == {"serves": response.json()["detail"]}
    response = send(c, "post", f"{API}/", {"name": "x", "kind": "nonsense", "division_id": city.street_a.pk,
                                           "serves": [city.community_a.pk]})
    assert response.status_code == 422
    assert counts() == before


def test_update_only_the_fields_sent(api_as, city, department):
    c = api_as("city_admin")
    response = send(c, "patch", f"{API}/{department.pk}", {"serves": [city.street_a.pk, city.street_b.pk],
                                                          "reason": "合并中队"})
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == department.name
    assert {d["id"] for d in body["serves"]} == {city.street_a.pk, city.street_b.pk}
    entry = AuditEntry.objects.get(action="department.update")
    assert set(entry.after) == {"serves"}
    assert entry.reason == "合并中队"
