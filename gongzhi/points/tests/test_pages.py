"""The pages and the API as people use them: a member sees their points and statement on the phone,
redeems in the shop; the desk awards, sees the ledger and reverses."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from gongzhi.points import selectors as sel
from gongzhi.points.models import Award
from gongzhi.points.services import awards

from .factories import build_points

pytestmark = pytest.mark.django_db


@pytest.fixture
def pts(city):
    pts = build_points(city)
    awards.award_by_hand(actor=city.users["community_secretary"], person_id=pts.person_a.pk,
                         rule_id=pts.rules["daily_conduct"].pk, community_id=city.community_a.pk,
                         occurred_on=dt.date(2026, 3, 1), evidence="表现良好", idempotency_key="c1")
    return pts


def member(client, pts):
    client.force_login(pts.person_a, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    return client


def test_a_member_sees_balance_and_statement_and_redeems_in_the_shop(client, city, pts):
    c = member(client, pts)
    page = c.get(reverse("points:mine")).content.decode()
    assert "80.00" in page and "Daily conduct" in page
    shop_page = c.get(reverse("points:shop")).content.decode()
    assert pts.item_a.name in shop_page
    c.post(reverse("points:redeem", args=[pts.item_a.pk]), {"key": "tap-1", "quantity": "1"})
    c.post(reverse("points:redeem", args=[pts.item_a.pk]), {"key": "tap-1", "quantity": "1"})  # a double tap
    assert sel.balance_of(pts.person_a) == Decimal("50.00")
    assert "Redeemed 1 × " in c.get(reverse("points:mine")).content.decode()


def test_the_desk_awards_and_reverses_on_its_pages(client_as, city, pts):
    desk = client_as("community_secretary")
    form = desk.get(reverse("points:award") + f"?community={city.community_a.pk}")
    assert form.status_code == 200 and str(pts.person_a) in form.content.decode()
    # A person of street B is not among the choices, and naming them is refused.
    assert str(pts.person_b) not in form.content.decode()
    desk.post(reverse("points:award"), {"community": city.community_a.pk, "person": pts.person_a.pk,
                                        "rule": pts.rules["good_deed"].pk, "occurred_on": "2026-03-02",
                                        "evidence": "照片", "reason": "", "key": "form-1"})
    assert sel.balance_of(pts.person_a) == Decimal("85.00")
    ledger = desk.get(reverse("points:awards")).content.decode()
    assert "Good deed" in ledger
    award = Award.objects.get(rule=pts.rules["good_deed"])
    desk.post(reverse("points:award_reverse", args=[award.pk]), {"reason": "重复"})
    assert sel.balance_of(pts.person_a) == Decimal("80.00")
    for name in ("points:rules", "points:periods", "points:merchants", "points:redemptions"):
        assert desk.get(reverse(name)).status_code == 200


def test_the_api_awards_once_per_key_and_shows_the_statement(client, city, pts):
    from gongzhi.accounts.services import issue_token

    _t, token = issue_token(actor=city.users["street_officer_a"], name="t")
    body = {"person_id": pts.person_a.pk, "rule_id": pts.rules["good_deed"].pk, "community_id": city.community_a.pk,
            "evidence": "照片", "idempotency_key": "api-1"}
    auth = {"Authorization": f"Bearer {token}"}
    first = client.post("/api/v1/points/awards", body, content_type="application/json", headers=auth)
    again = client.post("/api/v1/points/awards", body, content_type="application/json", headers=auth)
    assert first.status_code == 201 and first.json()["id"] == again.json()["id"]
    _t, mine = issue_token(actor=pts.person_a, name="m")
    statement = client.get("/api/v1/points/me/statement", headers={"Authorization": f"Bearer {mine}"}).json()
    assert [row["amount"] for row in statement["items"]] == ["5.00", "80.00"]
    assert statement["items"][0]["memo"].startswith("Points for Good deed")
    balance = client.get("/api/v1/points/me", headers={"Authorization": f"Bearer {mine}"}).json()
    assert balance == {"balance": "85.00"}


def test_the_ledger_is_filtered_by_community_within_scope(client_as, city, pts):
    awards.award_by_hand(actor=city.users["street_officer_b"], person_id=pts.person_b.pk,
                         rule_id=pts.rules["good_deed"].pk, community_id=city.community_b.pk,
                         occurred_on=dt.date(2026, 3, 1), evidence="表现良好", idempotency_key="b1")
    admin = client_as("city_admin")
    both = admin.get(reverse("points:awards")).content.decode()
    assert str(pts.person_a) in both and str(pts.person_b) in both
    only_a = admin.get(reverse("points:awards"), {"community": city.community_a.pk}).content.decode()
    assert str(pts.person_a) in only_a and str(pts.person_b) not in only_a
    # Street A's officer naming street B's community reads what a missing one reads.
    officer = client_as("street_officer_a")
    assert officer.get(reverse("points:awards"), {"community": city.community_b.pk}).status_code == 404
    assert officer.get(reverse("points:awards"), {"community": 999999}).status_code == 404
    secretary = client_as("community_secretary")
    assert secretary.get(reverse("points:award"), {"community": city.community_b.pk}).status_code == 404
