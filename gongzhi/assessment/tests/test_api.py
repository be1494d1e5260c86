"""The assessment API: rates, ranking, drill-down and weights, scoped per persona (404 alike for
missing and out of scope)."""

import pytest
from django.utils import timezone

from gongzhi.accounts.models import ApiToken
from gongzhi.accounts.services import issue_token
from gongzhi.core.models import AuditEntry

from .conftest import at

pytestmark = pytest.mark.django_db
API = "/api/v1/assessment"


@pytest.fixture
def api(client, city):
    def caller(persona):
        headers = {}
        if persona:
            token, raw = issue_token(actor=city.users[persona])
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
            headers = {"Authorization": f"Bearer {raw}"}

        class Caller:
            def get(self, path, **params):
                return client.get(f"{API}{path}", params, headers=headers)

            def put(self, path, data):
                return client.put(f"{API}{path}", data, content_type="application/json", headers=headers)

        return Caller()

    return caller


@pytest.fixture
def data(week, housing, street_b_department, clock):
    clock.move_to(at(11, 10))
    return week


def test_rates_of_one_unit(api, data, department):
    response = api("street_officer_a").get("/rates", unit_type="department", unit=department.pk, month="2026-03")
    assert response.status_code == 200
    [answer] = response.json()
    assert answer["unit"] == {"unit_type": "department", "id": department.pk, "name": department.name,
                              "code": "420902000000"}
    assert answer["period"] == {"start": "2026-03-01", "end": "2026-03-31"}
    f = answer["figures"]
    assert (f["received"], f["responded"], f["response_counted"], f["response_rate"]) == (4, 2, 4, 0.5)
    assert (f["on_time_rate"], f["resolution_rate"], f["satisfaction_rate"]) == (0.25, 0.5, 1.0)
    assert f["avg_handling_hours"] == 10.25
    assert f["sidesteps"] == {"return": 0, "transfer": 0, "extension": 0, "suspension": 0, "void": 0}


def test_rates_for_a_date_range_and_for_every_unit_seen(api, data, city):
    response = api("street_officer_a").get("/rates", unit_type="street", start="2026-03-09", end="2026-03-09")
    assert [r["unit"]["id"] for r in response.json()] == [city.street_a.pk]
    assert response.json()[0]["figures"]["received"] == 5
    grids = api("district_officer").get("/rates", unit_type="grid", month="2026-03").json()
    assert {g["unit"]["id"]: g["figures"]["received"] for g in grids if g["figures"]["received"]} == {
        city.grid_a.pk: 5, city.grid_b.pk: 1}
    assert api("district_officer").get("/rates", unit_type="street", start="2026-03-09").status_code == 400


@pytest.mark.parametrize(("persona", "unit", "status"), [
    ("street_officer_b", "street_a", 404),
    ("department_staff", "street_a", 404),
    ("community_secretary", "grid_a", 200),
    ("community_secretary", "grid_b", 404),
    ("district_officer", "grid_b", 200),
])
def test_rates_scope(api, data, city, persona, unit, status):
    division = getattr(city, unit)
    response = api(persona).get("/rates", unit_type=division.level, unit=division.pk)
    assert response.status_code == status
    if status == 404:
        missing = api(persona).get("/rates", unit_type=division.level, unit=10**9)
        assert missing.status_code == 404 and missing.json() == response.json()


@pytest.mark.parametrize(("persona", "status"), [("resident", 403), ("grid_worker", 403), (None, 401)])
def test_no_assessment_for_residents_grid_workers_or_strangers(api, data, persona, status):
    assert api(persona).get("/ranking").status_code == status
    assert api(persona).get("/weights").status_code == status


def test_ranking(api, data, city):
    response = api("district_officer").get("/ranking", month="2026-03", unit_type="street")
    assert response.status_code == 200
    body = response.json()
    assert (body["month"], body["source"], body["city"]) == ("2026-03", "live", city.city.pk)
    assert body["weights"]["response"] == 0.2 and body["weights"]["red_list_size"] == 3
    assert [(r["unit"]["name"], r["rank"], r["standing"], r["score"]) for r in body["rows"]] == [
        ("书院街道", 1, "red", 57.5), ("新华街道", 2, "black", 0.0)]
    mine = api("street_officer_b").get("/ranking", month="2026-03").json()["rows"]
    assert [(r["unit"]["name"], r["rank"], r["standing"]) for r in mine] == [("新华街道", 2, "black")]
    assert api("district_officer").get("/ranking", unit_type="grid").status_code == 422
    assert api("district_officer").get("/ranking", month="2026-3").status_code == 422


def test_ranking_drilldown(api, data, department, city):
    response = api("street_officer_a").get("/ranking/2026-03/cases", unit_type="department", unit=department.pk,
                                           metric="overdue")
    assert response.status_code == 200
    numbers = {c["tracking_number"] for c in response.json()["items"]}
    assert numbers == {data["b"].tracking_number, data["c"].tracking_number, data["d"].tracking_number}
    out_of_scope = api("street_officer_b").get("/ranking/2026-03/cases", unit_type="department",
                                               unit=department.pk, metric="received")
    assert out_of_scope.status_code == 404
    bad = api("street_officer_a").get("/ranking/2026-03/cases", unit_type="department", unit=department.pk,
                                      metric="nonsense")
    assert bad.status_code == 400
    assert api("street_officer_a").get("/ranking/2026-99/cases", unit_type="street", unit=city.street_a.pk,
                                       metric="received").status_code == 400


def test_weights_get_and_put(api, data, city):
    assert api("street_officer_a").get("/weights").json()["on_time"] == 0.3
    body = {"response": 0.25, "on_time": 0.25, "resolution": 0.25, "satisfaction": 0.25, "reason": "均衡"}
    assert api("district_officer").put("/weights", body).status_code == 403
    bad = api("city_admin").put("/weights", {**body, "response": 0.5})
    assert bad.status_code == 400 and "__all__" in bad.json()["problems"]
    finer = api("city_admin").put("/weights", {**body, "response": 0.125, "on_time": 0.375})
    assert finer.status_code == 400
    saved = api("city_admin").put("/weights", {**body, "version": 1, "black_list_size": 5})
    assert saved.status_code == 200
    assert saved.json() == {"response": 0.25, "on_time": 0.25, "resolution": 0.25, "satisfaction": 0.25,
                            "red_list_size": 3, "black_list_size": 5, "min_received": 1, "version": 2}
    assert api("city_admin").put("/weights", {**body, "version": 1}).status_code == 409
    entry = AuditEntry.objects.get(action="assessment.weights")
    assert entry.actor == city.users["city_admin"] and entry.after["black_list_size"] == 5
