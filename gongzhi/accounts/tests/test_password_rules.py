"""What a password change does to everything else: API tokens are revoked with it, and a one-time
password from an administrator must be replaced at first login before anything else."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.models import ApiToken, User
from gongzhi.accounts.services import issue_token
from gongzhi.core.models import AuditEntry
from gongzhi.demo.personas import DEMO_PASSWORD, PERSONAS

pytestmark = pytest.mark.django_db

API = "/api/v1"
NEW = "a-Better-passphrase-9"
CHANGE = reverse("accounts:password_change")


def ask_token(username, password=DEMO_PASSWORD):
    return Client().post(f"{API}/auth/token", {"username": username, "password": password},
                         content_type="application/json", headers={"Accept-Language": "en"})


def api(raw) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}", "Accept-Language": "en"})


def change_on_page(c, old, new=NEW, **extra):
    return c.post(CHANGE, {"old_password": old, "new_password": new, "new_password_again": new, **extra},
                  follow=True)


def logged_in(username, password) -> Client:
    c = Client()
    response = c.post(reverse("accounts:login"), {"username": username, "password": password})
    assert response.status_code == 302
    return c


# --- finding: a changed or reset password leaves API tokens working ------------------------------


def test_own_password_change_on_the_page_revokes_every_live_token(client_as, city):
    mine = ask_token("street_officer_a").json()["token"]
    second = ask_token("street_officer_a").json()["token"]
    theirs = ask_token("street_officer_b").json()["token"]
    expired, _raw = issue_token(actor=city.street_officer_a)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    assert api(mine).get(f"{API}/me").status_code == 200

    response = change_on_page(client_as("street_officer_a"), DEMO_PASSWORD)
    assert "message-success" in response.content.decode()
    assert "2 API tokens were revoked" in response.content.decode()

    for raw in (mine, second):
        answer = api(raw).get(f"{API}/me")
        assert answer.status_code == 401
        assert answer.json()["code"] == "unauthorized"
    assert api(theirs).get(f"{API}/me").status_code == 200
    # Kept, marked revoked: the token list still shows them.
    rows = ApiToken.objects.filter(user=city.street_officer_a)
    assert rows.count() == 3
    assert rows.filter(revoked_at__isnull=False).count() == 2
    entry = AuditEntry.objects.get(action="user.password_change", object_id=str(city.street_officer_a.pk))
    assert entry.after["tokens_revoked"] == 2
    assert ApiToken.objects.get(user=city.street_officer_b).revoked_at is None


@pytest.mark.parametrize("where", ["page", "api"])
def test_admin_reset_revokes_the_persons_tokens_and_no_one_elses(client_as, city, where):
    theirs = ask_token("resident").json()["token"]
    admins = ask_token("city_admin").json()["token"]
    bystander = ask_token("grid_worker").json()["token"]
    assert api(theirs).get(f"{API}/me").status_code == 200

    if where == "page":
        response = client_as("city_admin").post(reverse("accounts:user_password_reset", args=[city.resident.pk]),
                                                {"reason": "手机丢失"})
        assert response.status_code == 200
    else:
        response = api(admins).post(f"{API}/users/{city.resident.pk}/password-reset", {"reason": "手机丢失"},
                                    content_type="application/json")
        assert response.status_code == 200

    assert api(theirs).get(f"{API}/me").status_code == 401
    assert api(admins).get(f"{API}/me").status_code == 200
    assert api(bystander).get(f"{API}/me").status_code == 200
    entry = AuditEntry.objects.get(action="user.password_reset", object_id=str(city.resident.pk))
    assert entry.after == {"must_change_password": True, "tokens_revoked": 1}
    assert ApiToken.objects.filter(user=city.resident, revoked_at__isnull=False).count() == 1


def test_a_refused_change_revokes_nothing(client_as, city):
    raw = ask_token("grid_worker").json()["token"]
    response = change_on_page(client_as("grid_worker"), "not-the-password")
    assert "field-error" in response.content.decode()
    assert api(raw).get(f"{API}/me").status_code == 200
    assert not AuditEntry.objects.filter(action="user.password_change").exists()


# --- finding: a one-time password given by an admin is not changed at first login ---------------


def test_reset_password_must_be_changed_at_first_login(client_as, city):
    response = client_as("city_admin").post(reverse("accounts:user_password_reset", args=[city.resident.pk]),
                                            {"reason": "忘记密码"})
    temporary = response.content.decode().split('id="new-password">', 1)[1].split("<", 1)[0]
    city.resident.refresh_from_db()
    assert city.resident.must_change_password

    c = logged_in("resident", temporary)
    landing = c.get("/")
    assert landing.status_code == 302
    assert landing["Location"] == CHANGE
    for url in (reverse("accounts:profile"), reverse("accounts:tokens"), reverse("divisions:tree")):
        response = c.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(CHANGE + "?next="), url
    # Nor can anything be written meanwhile.
    assert c.post(reverse("accounts:tokens"), {"name": "x"}).status_code == 302
    assert not ApiToken.objects.filter(user=city.resident).exists()
    page = c.get(CHANGE)
    assert page.status_code == 200
    assert 'id="password-change-required"' in page.content.decode()
    # The API answers in JSON, for the session and for a token request alike.
    answer = c.get(f"{API}/me")
    assert answer.status_code == 403
    assert answer.json()["code"] == "password_change_required"
    refused = ask_token("resident", temporary)
    assert refused.status_code == 403
    assert refused.json()["code"] == "password_change_required"
    assert not ApiToken.objects.filter(user=city.resident).exists()

    # The same password again is no change.
    response = change_on_page(c, temporary, temporary)
    assert "field-error" in response.content.decode()
    city.resident.refresh_from_db()
    assert city.resident.must_change_password

    response = change_on_page(c, temporary)
    assert response.redirect_chain[-1][0] == "/"
    assert response.status_code == 200
    assert "message-success" in response.content.decode()
    city.resident.refresh_from_db()
    assert not city.resident.must_change_password
    assert city.resident.check_password(NEW)
    entry = AuditEntry.objects.get(action="user.password_change", object_id=str(city.resident.pk))
    assert entry.actor == city.resident
    assert entry.before == {"must_change_password": True}
    assert entry.after == {"must_change_password": False, "tokens_revoked": 0}
    assert c.get(reverse("accounts:profile")).status_code == 200
    assert c.get(f"{API}/me").status_code == 200
    assert ask_token("resident", NEW).status_code == 201


def test_after_the_change_the_person_lands_where_they_were_going(city):
    User.objects.filter(pk=city.street_officer_a.pk).update(must_change_password=True)
    c = logged_in("street_officer_a", DEMO_PASSWORD)
    target = reverse("divisions:detail", args=[city.street_a.pk])
    response = c.get(target)
    assert response["Location"] == f"{CHANGE}?next=%2Fdivisions%2F{city.street_a.pk}%2F"
    response = change_on_page(c, DEMO_PASSWORD, next=target)
    assert response.redirect_chain[-1][0] == target
    # Never off the site.
    User.objects.filter(pk=city.street_officer_a.pk).update(must_change_password=True)
    response = c.post(CHANGE, {"old_password": NEW, "new_password": "another-Passphrase-7",
                               "new_password_again": "another-Passphrase-7", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_created_account_must_change_its_password_first(city):
    admin = api(ask_token("city_admin").json()["token"])
    response = admin.post(f"{API}/users/", {"username": "wang_gw", "display_name": "网格员 王芳",
                                            "role": "grid_worker", "division_id": city.grid_b.pk},
                          content_type="application/json")
    assert response.status_code == 201
    password = response.json()["password"]
    user = User.objects.get(username="wang_gw")
    assert user.must_change_password
    assert AuditEntry.objects.get(action="user.create", object_id=str(user.pk)).after["must_change_password"]
    refused = ask_token("wang_gw", password)
    assert refused.status_code == 403
    assert refused.json()["code"] == "password_change_required"
    c = logged_in("wang_gw", password)
    assert c.get("/")["Location"] == CHANGE


def test_a_live_token_of_a_flagged_user_answers_403_with_the_code(city):
    raw = ask_token("grid_worker").json()["token"]
    User.objects.filter(pk=city.grid_worker.pk).update(must_change_password=True)
    answer = api(raw).get(f"{API}/me")
    assert answer.status_code == 403
    assert answer.json() == {"detail": answer.json()["detail"], "code": "password_change_required"}
    assert "new password" in answer.json()["detail"]


def test_a_flagged_user_may_still_log_out_and_load_static_files(city):
    User.objects.filter(pk=city.grid_worker.pk).update(must_change_password=True)
    c = logged_in("grid_worker", DEMO_PASSWORD)
    assert c.get("/static/vendor/leaflet/leaflet.css").status_code != 302
    response = c.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert c.get("/")["Location"].startswith(reverse("accounts:login"))


def test_htmx_requests_are_sent_to_the_change_page_whole(city):
    User.objects.filter(pk=city.grid_worker.pk).update(must_change_password=True)
    c = logged_in("grid_worker", DEMO_PASSWORD)
    response = c.get(reverse("divisions:tree"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(CHANGE)


@pytest.mark.parametrize("persona", [p.username for p in PERSONAS])
def test_the_demo_personas_log_in_straight_home(city, persona):
    assert not city.users[persona].must_change_password
    c = logged_in(persona, DEMO_PASSWORD)
    assert c.get("/").status_code == 200
    assert ask_token(persona).status_code == 201
