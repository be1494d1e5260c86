"""Login, lockout, profile, password change and API tokens, as pages."""

import pytest
from django.urls import reverse

from gongzhi.accounts.models import ApiToken
from gongzhi.accounts.services import issue_token
from gongzhi.core.models import AuditEntry
from gongzhi.demo.personas import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("name", ["street_officer_a", "13900000003"])
def test_login_with_username_or_phone(client, city, name):
    response = client.post(reverse("accounts:login"), {"username": name, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert "书院街道" in html(client.get("/"))


def test_wrong_password_shows_an_error(client, city):
    response = client.post(reverse("accounts:login"), {"username": "street_officer_a", "password": "wrong"})
    assert response.status_code == 200
    assert "form-errors" in html(response)


def test_lockout_after_five_failures_is_a_clear_429_page(client, city):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "grid_worker", "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": "grid_worker", "password": DEMO_PASSWORD})
    assert response.status_code == 429
    page = html(response)
    assert "15" in page
    assert 'href="/accounts/login/"' in page
    response = client.post(reverse("accounts:login"), {"username": "grid_worker", "password": DEMO_PASSWORD},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "Too many failed logins" in html(response)


def test_logout_is_a_post(client_as, city):
    c = client_as("grid_worker")
    assert c.get(reverse("accounts:logout")).status_code == 405
    assert c.post(reverse("accounts:logout")).status_code == 302
    assert c.get("/").status_code == 302


def test_profile_shows_masked_phone_and_roles(client_as, city):
    page = html(client_as("community_secretary").get(reverse("accounts:profile")))
    assert "139****0005" in page
    assert "13900000005" not in page
    assert "community_secretary" in page
    assert "书院社区" in page


def test_department_staff_profile_names_the_department(client_as, city):
    page = html(client_as("department_staff").get(reverse("accounts:profile")))
    assert "城市管理执法局" in page


def test_password_change_wrong_old_password(client_as, city):
    c = client_as("grid_worker")
    response = c.post(reverse("accounts:password_change"), {
        "old_password": "not-it", "new_password": "a-Better-passphrase-9",
        "new_password_again": "a-Better-passphrase-9"})
    assert response.status_code == 200
    assert "field-error" in html(response)
    city.users["grid_worker"].refresh_from_db()
    assert city.users["grid_worker"].check_password(DEMO_PASSWORD)


def test_password_change_weak_or_mismatched(client_as, city):
    c = client_as("grid_worker")
    response = c.post(reverse("accounts:password_change"), {
        "old_password": DEMO_PASSWORD, "new_password": "12345", "new_password_again": "12345"})
    assert "field-error" in html(response)
    response = c.post(reverse("accounts:password_change"), {
        "old_password": DEMO_PASSWORD, "new_password": "a-Better-passphrase-9",
        "new_password_again": "other-9"})
    assert "field-error" in html(response)
    city.users["grid_worker"].refresh_from_db()
    assert city.users["grid_worker"].check_password(DEMO_PASSWORD)


def test_password_change_success_keeps_the_session(client_as, city):
    c = client_as("grid_worker")
    response = c.post(reverse("accounts:password_change"), {
        "old_password": DEMO_PASSWORD, "new_password": "a-Better-passphrase-9",
        "new_password_again": "a-Better-passphrase-9"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:profile")
    assert "message-success" in html(response)
    city.users["grid_worker"].refresh_from_db()
    assert city.users["grid_worker"].check_password("a-Better-passphrase-9")
    assert c.get("/").status_code == 200
    assert AuditEntry.objects.filter(action="user.password_change").exists()


def test_token_create_shows_key_once_and_revoke(client_as, city):
    c = client_as("street_officer_a")
    response = c.post(reverse("accounts:tokens"), {"name": "报表脚本"})
    assert response.status_code == 200
    page = html(response)
    token = ApiToken.objects.get(user=city.users["street_officer_a"])
    key = page.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert key.startswith("gz_")
    assert key.endswith(token.hint)
    assert "no-store" in response["Cache-Control"]
    page = html(c.get(reverse("accounts:tokens")))
    assert key not in page
    assert "报表脚本" in page
    assert token.hint in page
    response = c.post(reverse("accounts:token_revoke", args=[token.pk]), follow=True)
    assert "message-success" in html(response)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_tokens_of_others_are_invisible_and_unrevokable(client_as, city):
    theirs, _raw = issue_token(actor=city.users["street_officer_b"], name="别人的")
    c = client_as("street_officer_a")
    assert "别人的" not in html(c.get(reverse("accounts:tokens")))
    assert c.post(reverse("accounts:token_revoke", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
