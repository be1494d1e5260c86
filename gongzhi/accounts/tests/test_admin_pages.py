"""People and roles, as pages: who may open them, whom they list, and every write refused when
it reaches outside the actor's divisions — with nothing changed and no audit row."""

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import ApiToken, RoleAssignment, User
from gongzhi.accounts.services import issue_token
from gongzhi.core.models import AuditEntry
from gongzhi.demo.personas import DEMO_PASSWORD, PERSONAS
from gongzhi.departments.models import Department

pytestmark = pytest.mark.django_db

PERSONA_NAMES = [p.username for p in PERSONAS]
MANAGERS = {"city_admin"}
# The personas whose roles lie in street A's subtree (the department's home is the district).
IN_STREET_A = {"street_officer_a", "community_secretary", "grid_worker", "resident"}


def html(response) -> str:
    return response.content.decode()


def main_of(response) -> str:
    """The page's content, without the shell (which names the signed-in user)."""
    page = html(response)
    return page[page.index('<main id="main"'):page.index("</main>")]


def nav_of(page: str) -> str:
    start = page.index('<nav class="site-nav"')
    return page[start:page.index("</nav>", start)]


@pytest.fixture
def street_manager(city):
    """A user manager whose MANAGE_USERS scope is street A only (a city_admin role held there)."""
    user = User.objects.create_user("street_a_admin", password=DEMO_PASSWORD, display_name="A街道用户管理员",
                                    phone="13900000031")
    RoleAssignment.objects.create(user=user, role=Role.CITY_ADMIN, division=city.street_a)
    return user


def client_for(user) -> Client:
    c = Client()
    c.force_login(user, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    return c


def counts() -> tuple[int, int, int]:
    return User.objects.count(), RoleAssignment.objects.count(), AuditEntry.objects.count()


# --- who may open the pages --------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/accounts/users/", "/accounts/users/new/", "/accounts/users/pick-division/"])
def test_anonymous_is_sent_to_login(client, city, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_role_matrix_for_the_users_pages(client_as, city, persona):
    c = client_as(persona)
    allowed = persona in MANAGERS
    assert c.get("/accounts/users/").status_code == (200 if allowed else 403)
    assert c.get("/accounts/users/new/").status_code == (200 if allowed else 403)
    assert c.get("/accounts/users/pick-division/?q=书院").status_code == (200 if allowed else 403)
    # A person: someone who manages nobody finds nobody, whoever it is (404, as for a missing id).
    target = city.users["grid_worker"]
    assert c.get(f"/accounts/users/{target.pk}/").status_code == (200 if allowed else 404)
    assert c.get("/accounts/users/999999/").status_code == 404
    nav = nav_of(html(c.get("/")))
    assert ('href="/accounts/users/"' in nav) == allowed
    assert ('href="/departments/"' in nav) == (persona != "resident")


def test_city_admin_sees_every_persona_with_masked_phones(client_as, city):
    page = html(client_as("city_admin").get("/accounts/users/"))
    for p in PERSONAS:
        assert p.display_name in page, p.username
        assert p.phone not in page
        assert f"{p.phone[:3]}****{p.phone[-4:]}" in page
    assert "城市管理执法局" in page  # the department staff's role names the department


def test_a_street_scoped_manager_sees_only_street_a(city, street_manager):
    c = client_for(street_manager)
    page = main_of(c.get("/accounts/users/"))
    for p in PERSONAS:
        assert (p.display_name in page) == (p.username in IN_STREET_A), p.username
    assert c.get(f"/accounts/users/{city.street_officer_b.pk}/").status_code == 404
    assert c.get(f"/accounts/users/{city.city_admin.pk}/").status_code == 404
    assert c.get(f"/accounts/users/{city.community_secretary.pk}/").status_code == 200


@pytest.mark.parametrize(("query", "expected"), [
    ({"q": "赵磊"}, {"grid_worker"}),
    ({"q": "street_officer"}, {"street_officer_a", "street_officer_b"}),
    ({"q": "0006"}, {"grid_worker"}),
    ({"q": "13900000006"}, {"grid_worker"}),
    ({"q": "3900000"}, set()),  # masked digits cannot be found piece by piece
    ({"role": Role.STREET_OFFICER}, {"street_officer_a", "street_officer_b"}),
    ({"division": "community_a"}, {"community_secretary", "grid_worker", "resident"}),
    ({"division": "street_b"}, {"street_officer_b"}),
])
def test_search_and_filters(client_as, city, query, expected):
    if "division" in query:
        query = {"division": getattr(city, query["division"]).pk}
    page = main_of(client_as("city_admin").get("/accounts/users/", query))
    for p in PERSONAS:
        assert (p.display_name in page) == (p.username in expected), (query, p.username)


def test_an_out_of_scope_division_filter_is_ignored_not_obeyed(city, street_manager):
    page = main_of(client_for(street_manager).get("/accounts/users/", {"division": city.street_b.pk}))
    assert "刘洋" not in page
    assert "赵磊" in page  # the filter fell away; the scope did not


def test_list_queries_do_not_grow_with_people(client_as, city, django_assert_max_num_queries):
    c = client_as("city_admin")
    c.get("/accounts/users/")  # warm the session and caches
    for i in range(30):
        u = User.objects.create_user(f"extra{i}", display_name=f"网格员{i}")
        RoleAssignment.objects.create(user=u, role=Role.GRID_WORKER, division=city.grid_b)
    with django_assert_max_num_queries(10):
        assert c.get("/accounts/users/").status_code == 200


# --- the division picker -----------------------------------------------------------------------


def test_picker_offers_only_divisions_in_scope(city, street_manager):
    c = client_for(street_manager)
    page = html(c.get("/accounts/users/pick-division/", {"division_q": "社区", "purpose": "grant"}))
    assert "书院社区" in page
    assert "北外社区" in page
    assert "府前社区" not in page
    page = html(c.get("/accounts/users/pick-division/", {"division_q": "420902002", "purpose": "grant"}))
    assert "新华街道" not in page
    assert "Nothing in your divisions matches" in page or "没有" in page


def test_picker_narrows_levels_by_role(client_as, city):
    c = client_as("city_admin")
    page = html(c.get("/accounts/users/pick-division/",
                      {"division_q": "书院", "purpose": "grant", "role": Role.GRID_WORKER}))
    assert "书院社区第一网格" in page
    assert f'value="{city.street_a.pk}"' not in page
    assert f'value="{city.community_a.pk}"' not in page


def test_picker_keeps_the_chosen_division_checked(client_as, city):
    page = html(client_as("city_admin").get("/accounts/users/pick-division/",
                                            {"division": city.street_b.pk, "division_q": "书院"}))
    assert f'value="{city.street_b.pk}" checked' in page
    assert "书院街道" in page


# --- granting and revoking ---------------------------------------------------------------------


def grant_url(user) -> str:
    return reverse("accounts:user_grant", args=[user.pk])


def test_grant_a_role_in_scope(client_as, city):
    target = city.users["grid_worker"]
    response = client_as("city_admin").post(grant_url(target), {"role": Role.GRID_WORKER,
                                                                "division": city.grid_a2.pk})
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=target, division=city.grid_a2, revoked_at=None)
    assert assignment.granted_by == city.city_admin
    entry = AuditEntry.objects.get(action="role.grant", object_id=str(assignment.pk))
    assert entry.actor == city.city_admin
    assert entry.division == city.grid_a2


def test_a_crafted_out_of_scope_grant_changes_nothing(city, street_manager):
    c = client_for(street_manager)
    target = city.users["grid_worker"]
    before = counts()
    response = c.post(grant_url(target), {"role": Role.STREET_OFFICER, "division": city.street_b.pk})
    assert response.status_code == 200
    assert "field-error" in html(response)
    assert counts() == before
    # Department staff: the persona department belongs to the district, outside street A.
    department = Department.objects.get()
    response = c.post(grant_url(target), {"role": Role.DEPARTMENT_STAFF, "department": department.pk})
    assert response.status_code == 200
    assert counts() == before
    assert not RoleAssignment.objects.filter(user=target, role__in=[Role.STREET_OFFICER, Role.DEPARTMENT_STAFF])\
        .exists()


def test_grant_to_someone_out_of_scope_is_404(city, street_manager):
    before = counts()
    response = client_for(street_manager).post(grant_url(city.street_officer_b),
                                               {"role": Role.GRID_WORKER, "division": city.grid_a.pk})
    assert response.status_code == 404
    assert counts() == before


def test_grant_refuses_a_level_that_does_not_suit_the_role(client_as, city):
    before = counts()
    response = client_as("city_admin").post(grant_url(city.resident), {"role": Role.STREET_OFFICER,
                                                                       "division": city.community_a.pk})
    assert response.status_code == 200
    assert "field-error" in html(response)
    assert counts() == before


def test_grant_refuses_a_duplicate(client_as, city):
    before = counts()
    response = client_as("city_admin").post(grant_url(city.grid_worker), {"role": Role.GRID_WORKER,
                                                                          "division": city.grid_a.pk})
    assert response.status_code == 200
    assert "form-errors" in html(response)
    assert counts() == before


def test_grant_department_staff(client_as, city):
    department = Department.objects.get()
    response = client_as("city_admin").post(grant_url(city.resident), {
        "role": Role.DEPARTMENT_STAFF, "department": department.pk, "division": city.grid_a.pk})
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=city.resident, role=Role.DEPARTMENT_STAFF)
    assert assignment.department == department
    assert assignment.division is None


def test_without_javascript_a_typed_search_shows_matches_to_pick(client_as, city):
    response = client_as("city_admin").post(grant_url(city.resident), {"role": Role.COMMUNITY_STAFF,
                                                                       "division_q": "府前"})
    page = html(response)
    assert response.status_code == 200
    assert "field-error" in page
    assert f'name="division" value="{city.community_b.pk}"' in page


def test_revoke_needs_a_reason_and_writes_the_audit_row(client_as, city):
    c = client_as("city_admin")
    assignment = RoleAssignment.objects.get(user=city.grid_worker)
    url = reverse("accounts:user_revoke", args=[city.grid_worker.pk, assignment.pk])
    before = counts()
    response = c.post(url, {"reason": ""})
    assert response.status_code == 200
    assert counts() == before
    response = c.post(url, {"reason": "调往其他社区"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:user_detail", args=[city.grid_worker.pk])
    assignment.refresh_from_db()
    assert assignment.revoked_at is not None
    entry = AuditEntry.objects.get(action="role.revoke", object_id=str(assignment.pk))
    assert entry.reason == "调往其他社区"
    assert entry.actor == city.city_admin
    page = html(response)
    assert "调往其他社区" in page  # who revoked and why, on the person's page
    assert city.city_admin.display_name in page


def test_a_person_whose_roles_were_all_revoked_stays_reachable(client_as, city):
    c = client_as("city_admin")
    assignment = RoleAssignment.objects.get(user=city.grid_worker)
    c.post(reverse("accounts:user_revoke", args=[city.grid_worker.pk, assignment.pk]), {"reason": "离职"})
    assert "赵磊" not in main_of(c.get("/accounts/users/"))
    assert "赵磊" in main_of(c.get("/accounts/users/", {"former": "on"}))
    assert c.get(f"/accounts/users/{city.grid_worker.pk}/").status_code == 200


# --- creating an account -----------------------------------------------------------------------


def new_user(**overrides) -> dict:
    return {"username": "wang_gw", "display_name": "网格员 王芳", "phone": "13900000041",
            "role": Role.GRID_WORKER, **overrides}


def test_create_user_shows_the_password_once(client_as, city):
    c = client_as("city_admin")
    response = c.post("/accounts/users/new/", new_user(division=city.grid_b.pk))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = html(response)
    password = page.split('id="new-password">', 1)[1].split("<", 1)[0]
    user = User.objects.get(username="wang_gw")
    assert user.check_password(password)
    assert user.phone == "13900000041"
    assert RoleAssignment.objects.get(user=user).division == city.grid_b
    created = AuditEntry.objects.get(action="user.create", object_id=str(user.pk))
    assert created.after["phone"] == "139****0041"
    for entry in AuditEntry.objects.filter(object_id=str(user.pk)):
        text = str(entry.before) + str(entry.after) + entry.reason
        assert password not in text
        assert "13900000041" not in text
    assert password not in html(c.get(f"/accounts/users/{user.pk}/"))
    assert Client().post(reverse("accounts:login"), {"username": "13900000041", "password": password}) \
        .status_code == 302


def test_create_user_with_a_duplicate_phone_creates_nothing(client_as, city):
    before = counts()
    response = client_as("city_admin").post("/accounts/users/new/",
                                            new_user(phone=city.resident.phone, division=city.grid_b.pk))
    assert response.status_code == 200
    assert "field-error" in html(response)
    assert "139****0008" in html(response)
    assert counts() == before


@pytest.mark.parametrize("overrides", [
    {"username": "Grid_Worker"},  # taken, whatever the case
    {"username": "13912345678"},  # would read as a phone number at login
    {"phone": "1234"},
    {"display_name": ""},
])
def test_create_user_refuses_bad_input(client_as, city, overrides):
    before = counts()
    response = client_as("city_admin").post("/accounts/users/new/", new_user(division=city.grid_b.pk, **overrides))
    assert response.status_code == 200
    assert "field-error" in html(response)
    assert counts() == before


def test_create_user_outside_scope_creates_nothing(city, street_manager):
    before = counts()
    response = client_for(street_manager).post("/accounts/users/new/", new_user(division=city.grid_b.pk))
    assert response.status_code == 200
    assert counts() == before


# --- deactivating and resetting ----------------------------------------------------------------


def test_deactivated_user_cannot_log_in(client_as, city):
    target = city.grid_worker
    raw = issue_token(actor=target)[1]
    session = client_as("grid_worker")
    assert session.get("/").status_code == 200
    c = client_as("city_admin")
    before = counts()
    assert c.post(reverse("accounts:user_deactivate", args=[target.pk]), {"reason": ""}).status_code == 200
    assert counts() == before
    response = c.post(reverse("accounts:user_deactivate", args=[target.pk]), {"reason": "离职"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    entry = AuditEntry.objects.get(action="user.deactivate", object_id=str(target.pk))
    assert (entry.before, entry.after, entry.reason) == ({"is_active": True}, {"is_active": False}, "离职")
    # The open session ends, the password and the phone no longer log in, the token stops working.
    assert session.get("/").status_code == 302
    for name in ("grid_worker", target.phone):
        response = Client().post(reverse("accounts:login"), {"username": name, "password": DEMO_PASSWORD})
        assert response.status_code == 200
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    assert ApiToken.objects.filter(user=target).exists()  # kept: deactivated, never deleted
    # Reactivated, the person logs in again.
    c.post(reverse("accounts:user_reactivate", args=[target.pk]), {"reason": "返岗"})
    assert Client().post(reverse("accounts:login"), {"username": "grid_worker", "password": DEMO_PASSWORD}) \
        .status_code == 302


def test_nobody_deactivates_their_own_account(client_as, city):
    before = counts()
    response = client_as("city_admin").post(reverse("accounts:user_deactivate", args=[city.city_admin.pk]),
                                            {"reason": "试试"})
    assert response.status_code == 200
    assert "form-errors" in html(response)
    assert counts() == before


def test_a_person_with_roles_beyond_the_managers_scope_is_not_deactivated(city, street_manager):
    RoleAssignment.objects.create(user=city.resident, role=Role.RESIDENT, division=city.community_b)
    before = counts()
    response = client_for(street_manager).post(reverse("accounts:user_deactivate", args=[city.resident.pk]),
                                               {"reason": "搬走"})
    assert response.status_code == 200
    city.resident.refresh_from_db()
    assert city.resident.is_active
    assert counts() == before


def test_reset_password_shows_it_once_and_audits_without_it(client_as, city):
    c = client_as("city_admin")
    response = c.post(reverse("accounts:user_password_reset", args=[city.resident.pk]), {"reason": "忘记密码"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = html(response).split('id="new-password">', 1)[1].split("<", 1)[0]
    city.resident.refresh_from_db()
    assert city.resident.check_password(password)
    assert not city.resident.check_password(DEMO_PASSWORD)
    entry = AuditEntry.objects.get(action="user.password_reset", object_id=str(city.resident.pk))
    assert entry.reason == "忘记密码"
    assert password not in str(entry.before) + str(entry.after)
    assert password not in html(c.get(f"/accounts/users/{city.resident.pk}/"))


def test_detail_page_shows_roles_with_who_granted(client_as, city):
    page = html(client_as("city_admin").get(f"/accounts/users/{city.department_staff.pk}/"))
    assert "城市管理执法局" in page
    assert "139****0007" in page
    assert "13900000007" not in page


def test_detail_queries_do_not_grow_with_roles(client_as, city, django_assert_max_num_queries):
    c = client_as("city_admin")
    target = city.grid_worker
    c.get(f"/accounts/users/{target.pk}/")
    for grid in (city.grid_a_2, city.grid_a2, city.grid_b, city.grid_b_2):
        a = RoleAssignment.objects.create(user=target, role=Role.GRID_WORKER, division=grid,
                                          granted_by=city.city_admin)
        c.post(reverse("accounts:user_revoke", args=[target.pk, a.pk]), {"reason": "轮岗"})
    with django_assert_max_num_queries(16):
        assert c.get(f"/accounts/users/{target.pk}/").status_code == 200
