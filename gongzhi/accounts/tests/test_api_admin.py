"""People and roles API: the matrix of who gets what (in scope, out of scope → 404, no manager →
403, anonymous → 401), masked phones, and refused writes that change nothing."""

import pytest
from django.test import Client

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import RoleAssignment, User
from gongzhi.accounts.services import issue_token
from gongzhi.core.models import AuditEntry
from gongzhi.demo.personas import DEMO_PASSWORD, PERSONAS
from gongzhi.departments.models import Department

pytestmark = pytest.mark.django_db

API = "/api/v1/users"
NAMES = [p.username for p in PERSONAS]


@pytest.fixture
def api_as(city):
    """`api_as(user)` → a client sending that user's bearer token (English messages)."""

    def make(user) -> Client:
        if isinstance(user, str):
            user = city.users[user]
        raw = issue_token(actor=user)[1]
        return Client(headers={"Authorization": f"Bearer {raw}", "Accept-Language": "en"})

    return make


@pytest.fixture
def street_manager(city):
    user = User.objects.create_user("street_a_admin", password=DEMO_PASSWORD, display_name="A街道用户管理员")
    RoleAssignment.objects.create(user=user, role=Role.CITY_ADMIN, division=city.street_a)
    return user


def post(c, url, body):
    return c.post(url, body, content_type="application/json")


def counts():
    return User.objects.count(), RoleAssignment.objects.count(), AuditEntry.objects.exclude(
        action="token.issue").count()


@pytest.mark.parametrize("url", [f"{API}/", f"{API}/1"])
def test_anonymous_gets_401(client, city, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_anonymous_cannot_create(client, city):
    assert post(client, f"{API}/", {"username": "x"}).status_code == 401


@pytest.mark.parametrize("persona", NAMES)
def test_matrix(api_as, city, persona):
    c = api_as(persona)
    target = city.users["grid_worker"]
    if persona == "city_admin":
        body = c.get(f"{API}/").json()
        assert {u["username"] for u in body["items"]} == set(NAMES)
        assert c.get(f"{API}/{target.pk}").status_code == 200
    else:
        response = c.get(f"{API}/")
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
        response = c.get(f"{API}/{target.pk}")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "code": "not_found"}
        assert post(c, f"{API}/", {"username": "x", "display_name": "x", "role": Role.GRID_WORKER,
                                   "division_id": city.grid_a.pk}).status_code == 403
    assert c.get(f"{API}/999999").status_code == 404


def test_list_masks_phones_and_filters(api_as, city):
    c = api_as("city_admin")
    items = c.get(f"{API}/", {"q": "0006"}).json()["items"]
    assert [u["username"] for u in items] == ["grid_worker"]
    assert items[0]["phone"] == "139****0006"
    assert items[0]["roles"][0]["division"]["id"] == city.grid_a.pk
    assert "13900000006" not in c.get(f"{API}/").content.decode()
    items = c.get(f"{API}/", {"role": Role.STREET_OFFICER}).json()["items"]
    assert {u["username"] for u in items} == {"street_officer_a", "street_officer_b"}
    items = c.get(f"{API}/", {"division": city.community_a.pk}).json()["items"]
    assert {u["username"] for u in items} == {"community_secretary", "grid_worker", "resident"}


def test_constrained_manager_sees_only_street_a(api_as, city, street_manager):
    c = api_as(street_manager)
    usernames = {u["username"] for u in c.get(f"{API}/").json()["items"]}
    # The manager holds a role in street A too, so they are listed among its people.
    assert usernames == {"street_officer_a", "community_secretary", "grid_worker", "resident", "street_a_admin"}
    assert c.get(f"{API}/{city.street_officer_b.pk}").status_code == 404
    assert c.get(f"{API}/", {"division": city.street_b.pk}).status_code == 404


def test_create_user_returns_the_password_once(api_as, city):
    response = post(api_as("city_admin"), f"{API}/", {
        "username": "li_cs", "display_name": "社区工作者 李娜", "phone": "13900000051",
        "role": Role.COMMUNITY_STAFF, "division_id": city.community_b.pk})
    assert response.status_code == 201
    body = response.json()
    user = User.objects.get(username="li_cs")
    assert user.check_password(body["password"])
    assert body["user"]["phone"] == "139****0051"
    assert body["user"]["roles"][0]["role"] == Role.COMMUNITY_STAFF
    assert body["user"]["roles"][0]["granted_by"] == "city_admin"
    for entry in AuditEntry.objects.filter(object_id=str(user.pk)):
        assert body["password"] not in str(entry.after)
        assert "13900000051" not in str(entry.after)


def test_create_user_with_taken_phone_is_409_and_creates_nothing(api_as, city):
    c = api_as("city_admin")
    before = counts()
    response = post(c, f"{API}/", {"username": "dup", "display_name": "重复", "phone": city.resident.phone,
                                   "role": Role.RESIDENT, "division_id": city.community_b.pk})
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    assert counts() == before


def test_create_user_with_an_out_of_scope_division_is_404_and_creates_nothing(api_as, city, street_manager):
    c = api_as(street_manager)
    before = counts()
    response = post(c, f"{API}/", {"username": "nobody", "display_name": "某人", "role": Role.RESIDENT,
                                   "division_id": city.community_b.pk})
    assert response.status_code == 404
    assert counts() == before


def test_grant_in_scope_and_out_of_scope(api_as, city, street_manager):
    c = api_as(street_manager)
    target = city.resident
    before = counts()
    response = post(c, f"{API}/{target.pk}/roles", {"role": Role.COMMUNITY_STAFF,
                                                   "division_id": city.community_b.pk})
    assert response.status_code == 404
    department = Department.objects.get()
    response = post(c, f"{API}/{target.pk}/roles", {"role": Role.DEPARTMENT_STAFF, "department_id": department.pk})
    assert response.status_code == 404
    assert counts() == before
    response = post(c, f"{API}/{target.pk}/roles", {"role": Role.COMMUNITY_STAFF,
                                                   "division_id": city.community_a2.pk})
    assert response.status_code == 201
    assert response.json()["division"]["id"] == city.community_a2.pk
    # The same role twice at the same place is a conflict.
    response = post(c, f"{API}/{target.pk}/roles", {"role": Role.COMMUNITY_STAFF,
                                                   "division_id": city.community_a2.pk})
    assert response.status_code == 409
    # A role at a level that does not suit it is a bad request.
    response = post(c, f"{API}/{target.pk}/roles", {"role": Role.STREET_OFFICER,
                                                   "division_id": city.community_a2.pk})
    assert response.status_code == 400


def test_revoke_writes_the_audit_row(api_as, city):
    c = api_as("city_admin")
    assignment = RoleAssignment.objects.get(user=city.grid_worker)
    url = f"{API}/{city.grid_worker.pk}/roles/{assignment.pk}/revoke"
    assert post(c, url, {"reason": ""}).status_code == 422
    response = post(c, url, {"reason": "调岗"})
    assert response.status_code == 200
    body = response.json()
    assert body["revoked_at"] is not None
    assert body["revoked_by"] == "city_admin"
    assert body["revoke_reason"] == "调岗"
    assert AuditEntry.objects.filter(action="role.revoke", object_id=str(assignment.pk), reason="调岗").exists()
    other = RoleAssignment.objects.get(user=city.street_officer_b)
    assert post(c, f"{API}/{city.grid_worker.pk}/roles/{other.pk}/revoke", {"reason": "x"}).status_code == 404


def test_deactivate_and_the_token_stops_working(api_as, city):
    target_client = api_as("grid_worker")
    assert target_client.get("/api/v1/me").status_code == 200
    c = api_as("city_admin")
    response = post(c, f"{API}/{city.grid_worker.pk}/deactivate", {"reason": "离职"})
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert target_client.get("/api/v1/me").status_code == 401
    assert AuditEntry.objects.filter(action="user.deactivate", object_id=str(city.grid_worker.pk)).exists()
    response = post(c, f"{API}/{city.city_admin.pk}/deactivate", {"reason": "自己"})
    assert response.status_code == 403


def test_password_reset(api_as, city):
    response = post(api_as("city_admin"), f"{API}/{city.resident.pk}/password-reset", {})
    assert response.status_code == 200
    city.resident.refresh_from_db()
    assert city.resident.check_password(response.json()["password"])


def test_out_of_scope_writes_are_404(api_as, city, street_manager):
    c = api_as(street_manager)
    target = city.street_officer_b
    assignment = RoleAssignment.objects.get(user=target)
    before = counts()
    assert post(c, f"{API}/{target.pk}/deactivate", {"reason": "x"}).status_code == 404
    assert post(c, f"{API}/{target.pk}/password-reset", {}).status_code == 404
    assert post(c, f"{API}/{target.pk}/roles/{assignment.pk}/revoke", {"reason": "x"}).status_code == 404
    assert counts() == before
    target.refresh_from_db()
    assert target.is_active
