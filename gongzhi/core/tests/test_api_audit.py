"""GET /api/v1/audit: the caller's readable rows, filtered and paginated; 403 without the right."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from gongzhi.accounts.models import ApiToken
from gongzhi.accounts.services import issue_token
from gongzhi.core import audit
from gongzhi.core.models import AuditEntry
from gongzhi.divisions.services.hierarchy import rename_division

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit"


@pytest.fixture
def api(client, city):
    def caller(persona):
        token, raw = issue_token(actor=city.users[persona])
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())

        def get(**params):
            # English messages, whatever translations the catalogue has.
            headers = {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}
            return client.get(URL, params, headers=headers)

        return get

    return caller


def test_an_entry_says_who_did_what_to_which_object(api, city):
    rename_division(actor=city.street_officer_b, division=city.community_b, name="府前新社区",
                    reason="Decision 7")
    response = api("auditor")(action="division.rename")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [row] = body["items"]
    entry = AuditEntry.objects.get(action="division.rename")
    assert row == {
        "id": entry.pk,
        "at": row["at"],
        "who": str(city.street_officer_b),
        "actor": "street_officer_b",
        "action": "division.rename",
        "object": {"type": "divisions.division", "id": str(city.community_b.pk), "repr": "府前新社区"},
        "division": {"id": city.community_b.pk, "code": city.community_b.code, "name": "府前新社区",
                     "level": "community"},
        "before": entry.before,
        "after": entry.after,
        "reason": "Decision 7",
    }
    assert row["before"]["name"] == "府前社区"
    assert row["after"]["name"] == "府前新社区"
    assert abs(dt.datetime.fromisoformat(row["at"]) - entry.at) < dt.timedelta(milliseconds=1)


@pytest.mark.parametrize("persona", ["district_officer", "street_officer_a", "grid_worker", "resident"])
def test_without_the_right_the_list_is_forbidden(api, city, persona):
    response = api(persona)()
    assert response.status_code == 403
    assert response.json() == {"detail": "You may not read the audit trail.", "code": "forbidden"}


def test_rows_without_a_division_only_for_the_city_admin(api, city):
    admin, auditor = api("city_admin"), api("auditor")
    assert admin(action="token.issue").json()["count"] == 2  # its own token and the auditor's
    assert auditor(action="token.issue").json()["count"] == 0


def test_filters_and_pagination(api, city):
    admin = city.city_admin
    noon = timezone.make_aware(dt.datetime(2025, 3, 10, 12, 0))
    with time_machine.travel(noon, tick=False):
        for _ in range(3):
            audit.record(actor=admin, action="probe", obj=city.grid_a, division=city.grid_a)
    get = api("auditor")
    first = get(action="probe", page_size=2).json()
    second = get(action="probe", page_size=2, page=2).json()
    assert first["count"] == second["count"] == 3
    assert len(first["items"]) == 2
    assert len(second["items"]) == 1
    assert get(actor="city_admin", action="probe").json()["count"] == 3
    assert get(actor="street_officer_a", action="probe").json()["count"] == 0
    # The three probes and the grid's creation:
    assert get(object_type="divisions.division", object_id=str(city.grid_a.pk)).json()["count"] == 4
    assert get(action="probe", since="2025-03-10T12:00:00").json()["count"] == 3
    noon = "2025-03-10T12:00:00+08:00"
    assert get(action="probe", since=noon, until=noon).json()["count"] == 0
    assert get(action="probe", until="2025-03-10T04:00:01Z").json()["count"] == 3
    assert get(since="yesterday").status_code == 422


def test_list_query_count_is_bounded(api, city, django_assert_max_num_queries):
    get = api("auditor")
    for i in range(60):
        audit.record(actor=city.street_officer_a, action="probe", obj=city.grid_a, division=city.grid_a,
                     after={"i": i})
    # The token, the user's role assignments and party posts, the page and its count.
    with django_assert_max_num_queries(5):
        response = get(page_size=50)
    assert response.status_code == 200
    assert len(response.json()["items"]) == 50


def test_anonymous_is_401(client, city):
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
