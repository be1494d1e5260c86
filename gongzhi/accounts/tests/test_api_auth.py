"""API tokens: issue by password (username or phone), use, list, revoke, expiry, and the login
throttle (django-axes) in front of it."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from gongzhi.accounts.choices import Action
from gongzhi.accounts.models import ApiToken
from gongzhi.core.models import AuditEntry
from gongzhi.demo.personas import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

API = "/api/v1"


def ask_token(client, username, password=DEMO_PASSWORD, **extra):
    # English messages, whatever translations the catalogue has.
    return client.post(f"{API}/auth/token", {"username": username, "password": password, **extra},
                       content_type="application/json", headers={"Accept-Language": "en"})


def bearer(raw):
    return {"Authorization": f"Bearer {raw}"}


def test_password_gives_a_token_that_opens_the_api(client, city):
    response = ask_token(client, "street_officer_a", name="laptop")
    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith(ApiToken.PREFIX)
    assert body["name"] == "laptop"
    expires = dt.datetime.fromisoformat(body["expires_at"])
    lifetime = dt.timedelta(days=settings.API_TOKEN_DAYS)
    assert abs(expires - timezone.now() - lifetime) < dt.timedelta(minutes=1)

    me = Client().get(f"{API}/me", headers=bearer(body["token"]))
    assert me.status_code == 200
    assert me.json()["username"] == "street_officer_a"
    token = ApiToken.objects.get(pk=body["id"])
    assert token.key_hash != body["token"]
    assert token.last_used_at is not None
    assert AuditEntry.objects.filter(action="token.issue", object_id=str(token.pk),
                                     actor=city.street_officer_a).exists()


def test_the_phone_number_works_as_the_username(client, city):
    response = ask_token(client, city.street_officer_a.phone)
    assert response.status_code == 201
    assert ApiToken.objects.get(pk=response.json()["id"]).user == city.street_officer_a


def test_signing_in_for_a_token_records_the_login(client, city):
    assert city.grid_worker.last_login is None
    assert ask_token(client, "grid_worker").status_code == 201
    city.grid_worker.refresh_from_db()
    assert city.grid_worker.last_login is not None


@pytest.mark.parametrize(("username", "password"), [
    ("street_officer_a", "wrong-password"),
    ("nobody", DEMO_PASSWORD),
    ("13999999999", DEMO_PASSWORD),
])
def test_wrong_credentials_get_one_generic_401(client, city, username, password):
    response = ask_token(client, username, password)
    assert response.status_code == 401
    assert response.json() == {
        "detail": "The username, phone number or password is not correct.", "code": "invalid_credentials",
    }
    assert not ApiToken.objects.exists()


def test_inactive_users_get_no_token(client, city):
    city.resident.is_active = False
    city.resident.save(update_fields=["is_active"])
    assert ask_token(client, "resident").status_code == 401


def test_malformed_request_is_422_with_problems(client, city):
    response = client.post(f"{API}/auth/token", {"username": "resident"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["problems"]


def test_token_list_shows_own_tokens_without_their_keys(client, city):
    first = ask_token(client, "community_secretary", name="phone").json()
    second = ask_token(client, "community_secretary", name="desk").json()
    ask_token(client, "grid_worker")
    response = client.get(f"{API}/auth/tokens", headers=bearer(first["token"]))
    assert response.status_code == 200
    items = response.json()["items"]
    assert [t["id"] for t in items] == [second["id"], first["id"]]
    assert set(items[0]) == {"id", "name", "hint", "created_at", "expires_at", "last_used_at", "revoked_at",
                             "is_live"}
    assert items[1]["hint"] == first["token"][-4:]
    assert first["token"] not in response.content.decode()
    assert second["token"] not in response.content.decode()


def test_revoked_token_is_refused(client, city):
    keep = ask_token(client, "street_officer_b", name="keep").json()
    drop = ask_token(client, "street_officer_b", name="drop").json()
    response = client.post(f"{API}/auth/tokens/{drop['id']}/revoke", headers=bearer(keep["token"]))
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert response.json()["is_live"] is False
    assert client.get(f"{API}/me", headers=bearer(drop["token"])).status_code == 401
    assert client.get(f"{API}/me", headers=bearer(keep["token"])).status_code == 200
    # Revoking twice changes nothing; a token may revoke itself.
    for token_id in (drop["id"], keep["id"]):
        response = client.post(f"{API}/auth/tokens/{token_id}/revoke", headers=bearer(keep["token"]))
        assert response.status_code == 200
    assert client.get(f"{API}/me", headers=bearer(keep["token"])).status_code == 401
    assert AuditEntry.objects.filter(action="token.revoke").count() == 2


def test_someone_elses_token_looks_missing(client, city):
    mine = ask_token(client, "street_officer_a").json()
    theirs = ask_token(client, "street_officer_b").json()
    other = client.post(f"{API}/auth/tokens/{theirs['id']}/revoke", headers=bearer(mine["token"]))
    missing = client.post(f"{API}/auth/tokens/{10**9}/revoke", headers=bearer(mine["token"]))
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
    assert other.json()["code"] == "not_found"
    assert ApiToken.objects.get(pk=theirs["id"]).revoked_at is None


def test_expired_token_is_refused(client, city):
    body = ask_token(client, "grid_worker").json()
    assert client.get(f"{API}/me", headers=bearer(body["token"])).status_code == 200
    later = timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS, minutes=1)
    with time_machine.travel(later, tick=False):
        response = client.get(f"{API}/me", headers=bearer(body["token"]))
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_five_failures_lock_the_account_and_refuse_even_the_right_password(client, city):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert ask_token(client, "street_officer_a", "wrong-password").status_code == 401
    locked = ask_token(client, "street_officer_a", "wrong-password")
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert int(locked["Retry-After"]) > 0

    right = ask_token(client, "street_officer_a")
    assert right.status_code == 429
    assert right.json()["code"] == "locked_out"
    # A typed variant of the same name is the same account.
    assert ask_token(client, " street_officer_a ").status_code == 429
    assert not ApiToken.objects.exists()

    # Another account from the same address is not locked.
    assert ask_token(client, "street_officer_b").status_code == 201

    with time_machine.travel(timezone.now() + dt.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)):
        assert ask_token(client, "street_officer_a").status_code == 201


def test_a_successful_sign_in_resets_the_failure_count(client, city):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert ask_token(client, "resident", "wrong-password").status_code == 401
    assert ask_token(client, "resident").status_code == 201
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert ask_token(client, "resident", "wrong-password").status_code == 401
    assert ask_token(client, "resident").status_code == 201


# --- the browser session ---------------------------------------------------------------------


def test_session_works_for_reads_and_writes_need_csrf(city):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(city.grid_worker, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    assert browser.get(f"{API}/me").status_code == 200

    token = ApiToken.objects.create(user=city.grid_worker, key_hash="x" * 64, hint="xxxx")
    refused = browser.post(f"{API}/auth/tokens/{token.pk}/revoke")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf"

    browser.cookies[settings.CSRF_COOKIE_NAME] = "c" * 32  # what a page would have set
    accepted = browser.post(f"{API}/auth/tokens/{token.pk}/revoke", headers={"X-CSRFToken": "c" * 32})
    assert accepted.status_code == 200


def test_bearer_writes_need_no_csrf(city):
    from gongzhi.accounts.services import issue_token

    token, raw = issue_token(actor=city.grid_worker)
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(f"{API}/auth/tokens/{token.pk}/revoke", headers=bearer(raw))
    assert response.status_code == 200


# --- the caller ------------------------------------------------------------------------------


def test_me_describes_roles_and_scope(client_as, city):
    response = client_as("street_officer_a").get(f"{API}/me", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    street = {"id": city.street_a.pk, "code": city.street_a.code, "name": "书院街道", "level": "street"}
    assert response.json() == {
        "id": city.street_officer_a.pk,
        "username": "street_officer_a",
        "display_name": city.street_officer_a.display_name,
        "phone": "139****0003",
        "roles": [{
            "role": "street_officer",
            "role_label": "Street officer",
            "division": street,
            "department": None,
        }],
        "scope": {
            "divisions": [street],
            # Every app's actions, as each declared and granted them (gongzhi/*/access.py).
            "actions": ["view", "manage_grids", "registry.statistics", "registry.view_places",
                        "registry.view_people", "registry.edit", "registry.import", "registry.export",
                        "case.view", "case.report", "case.register", "case.dispatch", "case.handle",
                        "case.close", "case.approve", "case.whistle", "case.merge", "case.reveal_contact",
                        "assessment.view", "party.view", "party.view_members", "party.manage", "party.edit_members",
                        "party.export", "party.confirm", "party.leaders", "volunteering.view",
                        "volunteering.manage", "volunteering.organise", "service.view", "service.dispatch",
                        "service.order", "points.view", "points.award", "points.shop", "lovebank.view",
                        "lovebank.manage", "lovebank.export", "squads.view", "squads.manage", "squads.reveal"],
        },
    }


def test_me_for_department_staff_names_the_department_and_what_it_serves(client_as, city):
    body = client_as("department_staff").get(f"{API}/me").json()
    [role] = body["roles"]
    assert role["division"] is None
    assert role["department"]["name"].endswith("书院街道中队")
    assert [d["id"] for d in body["scope"]["divisions"]] == [city.street_a.pk]
    assert body["scope"]["actions"] == ["view", "registry.statistics", "registry.view_places", "case.view",
                                        "case.handle", "case.check_in", "case.reveal_contact",
                                        "assessment.view_own_unit"]


def test_me_for_a_resident_has_no_scope(client_as, city):
    """No division: only what a resident does for themselves anywhere (volunteer, order help)."""
    body = client_as("resident").get(f"{API}/me").json()
    assert body["scope"] == {"divisions": [], "actions": ["volunteering.serve", "service.order"]}


def test_me_for_a_superuser_covers_everything(city):
    from gongzhi.accounts.models import User

    root = User.objects.create_superuser("root", password="root-password-1")
    browser = Client()
    browser.force_login(root, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    body = browser.get(f"{API}/me").json()
    assert body["roles"] == []
    assert body["phone"] == ""
    assert [d["id"] for d in body["scope"]["divisions"]] == [city.province.pk]
    assert set(Action.values) | {"case.dispatch", "registry.reveal", "assessment.edit_weights"} <= set(
        body["scope"]["actions"])
