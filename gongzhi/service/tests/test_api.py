"""The API under /api/v1/service/: the loop by JSON, the idempotent create, the stale version (409),
scope (404 alike for missing and out of scope) and the documented error shape."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.accounts.services import issue_token
from gongzhi.service.choices import OrderStatus
from gongzhi.service.models import Order

from .factories import build_service

pytestmark = pytest.mark.django_db
API = "/api/v1/service"


@pytest.fixture
def s(city):
    return build_service(city)


def api(user):
    _row, raw = issue_token(actor=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}"), raw


def call(client, method, path, body=None, **headers):
    return getattr(client, method)(f"{API}{path}", data=body, content_type="application/json", **headers)


def body(s, **kw):
    return {"kind_id": s.kind.pk, "community_id": s.city.community_a.pk, "description": "帮忙买菜",
            "wanted_at": (timezone.now() + dt.timedelta(days=1)).isoformat(), "place": "书院路12号", **kw}


def test_the_loop_by_api(s):
    resident, _ = api(s.resident)
    kinds = call(resident, "get", "/kinds")
    assert kinds.status_code == 200 and {k["code"] for k in kinds.json()} >= {"policy", "elderly", "errand"}
    first = call(resident, "post", "/orders", body(s), HTTP_IDEMPOTENCY_KEY="tap-1")
    assert first.status_code == 201, first.content
    again = call(resident, "post", "/orders", body(s), HTTP_IDEMPOTENCY_KEY="tap-1")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    order = first.json()
    desk, _ = api(s.desk)
    choices = call(desk, "get", f"/orders/{order['id']}/takers").json()
    assert {c["user_id"] for c in choices} >= {s.member.pk, s.volunteer.pk}
    dispatched = call(desk, "post", f"/orders/{order['id']}/dispatch",
                      {"taker_ids": [s.member.pk], "version": order["version"]})
    assert dispatched.status_code == 200 and dispatched.json()["status"] == "dispatched"
    # A stale version is refused in the documented shape, and nothing changes.
    stale = call(desk, "post", f"/orders/{order['id']}/publish", {"version": order["version"]})
    assert stale.status_code == 409 and stale.json()["code"] == "stale" and stale.json()["detail"]
    member, _ = api(s.member)
    assert call(member, "get", "/orders?view=assigned").json()["count"] == 1
    taken = call(member, "post", f"/orders/{order['id']}/take", {})
    assert taken.status_code == 200 and taken.json()["status"] == "taken"
    done = call(member, "post", f"/orders/{order['id']}/done", {"note": "送到了", "hours": "2"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    confirmed = call(resident, "post", f"/orders/{order['id']}/confirm",
                     {"rating": 5, "version": done.json()["version"]})
    assert confirmed.status_code == 200, confirmed.content
    detail = confirmed.json()
    assert detail["status"] == "confirmed" and detail["rating"] == 5
    assert [e["code"] for e in detail["events"]][-1] == "hours_certified"


def test_scope_and_body_ids(s):
    resident, _ = api(s.resident)
    order = call(resident, "post", "/orders", body(s)).json()
    other, _ = api(s.city.users["street_officer_b"])
    missing = call(other, "get", "/orders/999999999")
    hidden = call(other, "get", f"/orders/{order['id']}")
    assert missing.status_code == hidden.status_code == 404 and missing.json() == hidden.json()
    assert call(other, "get", "/orders").json()["count"] == 0
    # An order in another community, or a taker of another community, reads as missing.
    assert call(resident, "post", "/orders", body(s, community_id=s.city.community_b.pk)).status_code == 404
    desk, _ = api(s.desk)
    refused = call(desk, "post", f"/orders/{order['id']}/dispatch", {"taker_ids": [s.member_b_user.pk]})
    assert refused.status_code == 404
    assert Order.objects.get(pk=order["id"]).status == OrderStatus.PLACED
    # The resident sees their order but may not dispatch it.
    assert call(resident, "post", f"/orders/{order['id']}/publish", {}).status_code == 403
    # A rating out of range is refused by the schema.
    assert call(resident, "post", f"/orders/{order['id']}/confirm", {"rating": 9}).status_code == 422
