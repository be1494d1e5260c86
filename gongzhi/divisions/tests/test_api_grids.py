"""/api/v1/grids/: every endpoint × every persona. In scope → 200 with the right content; out of
scope → 404 with the very body a missing id gets, and nothing changed; no credentials → 401
(except `locate`, which residents' phones call before signing in)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from shapely.geometry import shape

from gongzhi.accounts.services import issue_token
from gongzhi.divisions.geo.crs import wgs84_to_gcj02
from gongzhi.divisions.geo.index import reset_grid_index
from gongzhi.divisions.models import Division

from .grids_support import COMMUNITY_A, X0, Y0, box, feature, feature_collection, load, state

pytestmark = pytest.mark.django_db

API = "/api/v1/grids"
MISSING = 10**9
REASON = "Re-drawn after the 2024 survey"
ALL_GRIDS = {"grid_a", "grid_a_2", "grid_a2", "grid_b", "grid_b_2"}
SEES = {
    "city_admin": ALL_GRIDS,
    "district_officer": ALL_GRIDS,
    "street_officer_a": {"grid_a", "grid_a_2", "grid_a2"},
    "street_officer_b": {"grid_b", "grid_b_2"},
    "community_secretary": {"grid_a", "grid_a_2"},
    "grid_worker": {"grid_a"},
    "department_staff": {"grid_a", "grid_a_2", "grid_a2"},
    "resident": set(),
    "auditor": ALL_GRIDS,
}
PERSONAS = list(SEES)
# Who may edit the grids of 书院社区 (community A): those holding MANAGE_GRIDS over it.
MANAGES_A = {"city_admin", "district_officer", "street_officer_a", "community_secretary"}
MANAGES_SOMEWHERE = MANAGES_A | {"street_officer_b"}
SEES_COMMUNITY_A = {"city_admin", "district_officer", "street_officer_a", "community_secretary",
                    "department_staff", "auditor"}


@pytest.fixture(autouse=True)
def _fresh_index():
    reset_grid_index()
    yield
    reset_grid_index()


@pytest.fixture
def api(client, city):
    """`api("street_officer_a").get(path)`: requests with that persona's bearer token (None: anonymous)."""
    # Issued up front: the issue is audited, and tests compare the audit trail before and after.
    tokens = {name: issue_token(actor=user, name="grid tests")[1] for name, user in city.users.items()}

    class Caller:
        def __init__(self, persona):
            self.headers = {"Authorization": f"Bearer {tokens[persona]}"} if persona else {}

        def get(self, path, **params):
            return client.get(f"{API}{path}", params, headers=self.headers)

        def send(self, method, path, body):
            return getattr(client, method)(f"{API}{path}", json.dumps(body), content_type="application/json",
                                           headers=self.headers)

    return Caller


@pytest.fixture
def missing_body(api):
    response = api("city_admin").get(f"/{MISSING}")
    assert response.status_code == 404
    return response.json()


def rect(y0: float, y1: float, x0: float = 0.0, x1: float = 0.02) -> dict:
    """A box in 书院社区, by offsets (degrees) from its south-west corner."""
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def expect_refused(response, missing_body, before):
    assert response.status_code == 404
    assert response.json() == missing_body
    assert state() == before


# --- the matrix ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/"), ("get", "/1"), ("get", "/coverage/1"), ("put", "/1/boundary"), ("post", "/1/split"),
    ("post", "/merge"), ("post", "/import"), ("post", "/validate"),
])
def test_anonymous_callers_are_turned_away(api, method, path):
    caller = api(None)
    response = caller.get(path) if method == "get" else caller.send(method, path, {})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_list_holds_exactly_the_grids_in_scope(api, city, persona):
    response = api(persona).get("/")
    assert response.status_code == 200
    expected = {getattr(city, key).code for key in SEES[persona]}
    assert {item["code"] for item in response.json()["items"]} == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_one_grid_in_scope_or_404(api, city, persona, missing_body):
    response = api(persona).get(f"/{city.grid_a.pk}")
    if "grid_a" in SEES[persona]:
        assert response.status_code == 200
        assert response.json()["properties"]["code"] == city.grid_a.code
    else:
        assert response.status_code == 404
        assert response.json() == missing_body


@pytest.mark.parametrize("persona", PERSONAS)
def test_coverage_in_scope_or_404(api, city, persona, missing_body):
    response = api(persona).get(f"/coverage/{city.community_a.pk}")
    if persona in SEES_COMMUNITY_A:
        assert response.status_code == 200
        assert response.json()["summary"]["ok"] is True
    else:
        assert response.status_code == 404
        assert response.json() == missing_body


@pytest.mark.parametrize("persona", PERSONAS)
def test_redraw_by_a_manager_or_404_and_nothing_changed(api, city, persona, missing_body):
    before = state()
    response = api(persona).send("put", f"/{city.grid_a.pk}/boundary",
                                 {"geometry": rect(0, 0.015), "reason": REASON, "version": 1})
    if persona not in MANAGES_A:
        expect_refused(response, missing_body, before)
        return
    assert response.status_code == 200
    body = response.json()
    assert body["changed"] is True
    assert body["grid"]["properties"]["version"] == 2
    assert [w["kind"] for w in body["warnings"]] == ["gap"]  # grid 2 has not taken the strip yet
    assert shape(Division.objects.get(pk=city.grid_a.pk).geometry).equals(shape(rect(0, 0.015)))


@pytest.mark.parametrize("persona", PERSONAS)
def test_split_by_a_manager_or_404_and_nothing_changed(api, city, persona, missing_body):
    before = state()
    line = {"type": "LineString", "coordinates": [[X0 + 0.01, Y0 - 0.001], [X0 + 0.01, Y0 + 0.021]]}
    response = api(persona).send("post", f"/{city.grid_a.pk}/split",
                                 {"line": line, "names": ["西", "东"], "reason": REASON})
    if persona not in MANAGES_A:
        expect_refused(response, missing_body, before)
        return
    assert response.status_code == 200
    grids = response.json()["grids"]
    assert [(g["code"][-3:], g["name"]) for g in grids] == [("003", "西"), ("004", "东")]
    assert grids[0]["community"]["code"] == COMMUNITY_A
    assert not Division.objects.get(pk=city.grid_a.pk).is_active


@pytest.mark.parametrize("persona", PERSONAS)
def test_merge_by_a_manager_or_404_and_nothing_changed(api, city, persona, missing_body):
    before = state()
    response = api(persona).send("post", "/merge", {"grids": [city.grid_a.pk, city.grid_a_2.pk],
                                                    "name": "书院社区网格", "reason": REASON})
    if persona not in MANAGES_A:
        expect_refused(response, missing_body, before)
        return
    assert response.status_code == 200
    assert response.json()["code"] == COMMUNITY_A + "003"


@pytest.mark.parametrize("persona", PERSONAS)
def test_import_by_a_manager_or_404_and_nothing_changed(api, city, persona, missing_body):
    before = state()
    layer = feature_collection(feature(COMMUNITY_A + "001", rect(0, 0.03)),
                               feature(COMMUNITY_A + "002", rect(0.03, 0.04)))
    response = api(persona).send("post", "/import", {"community": city.community_a.pk,
                                                     "feature_collection": layer, "reason": REASON})
    if persona not in MANAGES_A:
        expect_refused(response, missing_body, before)
        return
    assert response.status_code == 200
    body = response.json()
    assert [g["code"] for g in body["redrawn"]] == [COMMUNITY_A + "001", COMMUNITY_A + "002"]
    assert body["created"] == body["retired"] == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_validate_is_for_grid_managers(api, persona):
    before = state()
    response = api(persona).send("post", "/validate", load("overlap.geojson"))
    assert state() == before
    if persona not in MANAGES_SOMEWHERE:
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
        return
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is False
    assert [p["kind"] for p in body["problems"]] == ["overlap"]


# --- locate: public -------------------------------------------------------------------------------


def test_locate_needs_no_sign_in_and_names_the_grid_and_its_ancestors(api, city):
    response = api(None).get("/locate", lng=X0 + 0.01, lat=Y0 + 0.03)
    assert response.status_code == 200
    body = response.json()
    assert body["grid"] == {"id": city.grid_a_2.pk, "code": city.grid_a_2.code, "name": city.grid_a_2.name}
    assert [a["name"] for a in body["ancestors"]] == ["湖北省", "孝感市", "孝南区", "书院街道", "书院社区"]


def test_locate_converts_a_gcj02_position_from_a_phone(api, city):
    # 1 m north of the edge between grids 1 and 2; the GCJ-02 figures lie ~280 m further south.
    lng, lat = wgs84_to_gcj02(X0 + 0.01, Y0 + 0.02001)
    as_gcj = api(None).get("/locate", lng=lng, lat=lat, crs="gcj02").json()
    assert as_gcj["grid"]["id"] == city.grid_a_2.pk
    assert as_gcj["wgs84"] == pytest.approx([X0 + 0.01, Y0 + 0.02001], abs=1e-7)
    assert api(None).get("/locate", lng=lng, lat=lat).json()["grid"]["id"] == city.grid_a.pk


def test_locate_outside_every_grid_says_outside_jurisdiction(api, city):
    response = api(None).get("/locate", lng=116.40, lat=39.90)
    assert response.status_code == 404
    assert response.json()["code"] == "outside_jurisdiction"


def test_locate_refuses_what_is_not_a_position(api, city):
    assert api(None).get("/locate", lng="east", lat=30.9).status_code == 422
    assert api(None).get("/locate", lng=113.9).status_code == 422
    response = api(None).get("/locate", lng=113.91, lat=30.91, crs="bd09")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_crs"


# --- reads in detail ------------------------------------------------------------------------------


def test_list_filters_by_community_street_and_text(api, city):
    admin = api("city_admin")
    assert [g["code"] for g in admin.get("/", community=city.community_a.pk).json()["items"]] == [
        city.grid_a.code, city.grid_a_2.code]
    assert admin.get("/", street=city.street_b.pk).json()["count"] == 2
    assert [g["name"] for g in admin.get("/", q="北外").json()["items"]] == [city.grid_a2.name]
    assert admin.get("/", q="420902002").json()["count"] == 2


def test_list_items_name_community_and_street_and_carry_geometry_only_on_request(api, city):
    def ref(d):
        return {"id": d.pk, "code": d.code, "name": d.name}

    [item] = api("grid_worker").get("/").json()["items"]
    assert item == {**ref(city.grid_a), "community": ref(city.community_a), "street": ref(city.street_a),
                    "area_m2": pytest.approx(city.grid_a.area_m2)}
    [item] = api("grid_worker").get("/", geometry=1).json()["items"]
    assert item["geometry"] == city.grid_a.geometry


def test_a_page_of_grids_costs_the_same_queries_however_many_grids(api, city):
    admin = api("city_admin")
    admin.get("/")  # the token's first use writes its last-used time
    counts = []
    for params in ({"community": city.community_a2.pk}, {}):
        with CaptureQueriesContext(connection) as queries:
            body = admin.get("/", **params).json()
        counts.append((body["count"], len(queries)))
    (one, one_queries), (five, five_queries) = counts
    assert (one, five) == (1, 5)
    assert one_queries == five_queries


def test_list_pages(api, city):
    body = api("city_admin").get("/", page=2, page_size=2).json()
    assert (body["count"], body["page"], body["page_size"]) == (5, 2, 2)
    assert [g["code"] for g in body["items"]] == [city.grid_a2.code, city.grid_b.code]


def test_one_grid_is_a_geojson_feature_with_its_ancestors_and_version(api, city):
    body = api("grid_worker").get(f"/{city.grid_a.pk}").json()
    assert body["type"] == "Feature"
    assert body["id"] == city.grid_a.pk
    assert body["geometry"] == city.grid_a.geometry
    properties = body["properties"]
    assert (properties["code"], properties["version"], properties["is_active"]) == (city.grid_a.code, 1, True)
    levels = [a["level"] for a in properties["ancestors"]]
    assert levels == ["province", "city", "district", "street", "community"]


def test_a_retired_grid_stays_readable_as_history(api, city):
    api("street_officer_a").send("post", "/merge", {"grids": [city.grid_a.pk, city.grid_a_2.pk],
                                                    "name": "合并", "reason": REASON})
    body = api("street_officer_a").get(f"/{city.grid_a.pk}").json()
    assert body["properties"]["is_active"] is False
    assert body["properties"]["retired_at"]


def test_coverage_of_a_street_covers_its_communities_and_their_grids(api, city):
    body = api("street_officer_a").get(f"/coverage/{city.street_a.pk}").json()
    assert body["type"] == "FeatureCollection"
    assert body["summary"]["communities"] == 2
    assert body["summary"]["grids"] == 3
    assert body["summary"]["covered_ratio"] == pytest.approx(1.0)
    kinds = [f["properties"]["kind"] for f in body["features"]]
    assert kinds == ["community", "community", "grid", "grid", "grid"]


def test_coverage_shows_a_blank_zone_after_an_edit(api, city):
    officer = api("street_officer_a")
    officer.send("put", f"/{city.grid_a.pk}/boundary", {"geometry": rect(0, 0.015), "reason": REASON})
    body = officer.get(f"/coverage/{city.community_a.pk}").json()
    [gap] = [f for f in body["features"] if f["properties"]["kind"] == "gap"]
    assert shape(gap["geometry"]).equals(shape(rect(0.015, 0.02)))
    assert gap["properties"]["code"] == COMMUNITY_A
    assert body["summary"]["ok"] is False
    assert body["summary"]["covered_ratio"] == pytest.approx(0.875)
    assert [f["properties"]["kind"] for f in body["features"]] == ["grid", "grid", "gap"]


def test_coverage_of_a_district_answers_per_street_like_its_page(api, city):
    body = api("city_admin").get(f"/coverage/{city.district.pk}").json()
    summary = body["summary"]
    assert summary["division"]["code"] == city.district.code
    parts = {p["code"]: p for p in summary["parts"]}
    assert set(parts) == {city.street_a.code, city.street_b.code}
    assert parts[city.street_a.code]["grids"] == 3 and parts[city.street_a.code]["communities"] == 2
    assert {f["properties"]["kind"] for f in body["features"]} >= {"community"}


def test_district_coverage_is_out_of_a_street_officers_scope(api, city):
    officer = api("street_officer_a")
    out_of_scope = officer.get(f"/coverage/{city.district.pk}")
    missing = officer.get(f"/coverage/{10**9}")
    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.json() == missing.json()


def test_coverage_is_not_for_a_grid(api, city):
    response = api("city_admin").get(f"/coverage/{city.grid_a.pk}")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_level"


# --- writes in detail ------------------------------------------------------------------------------


def test_a_refused_boundary_answers_400_with_every_problem(api, city):
    before = state()
    response = api("street_officer_a").send("put", f"/{city.grid_a.pk}/boundary",
                                            {"geometry": rect(0, 0.025), "reason": REASON})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "geometry_rejected"
    assert body["detail"]
    [problem] = body["problems"]
    assert (problem["kind"], problem["feature"], problem["other"]) == ("overlap", city.grid_a.code,
                                                                       city.grid_a_2.code)
    assert problem["geometry"]["type"] == "Polygon"
    assert state() == before


def test_a_stale_boundary_edit_answers_409(api, city):
    officer = api("street_officer_a")
    officer.send("put", f"/{city.grid_a.pk}/boundary", {"geometry": rect(0, 0.015), "reason": REASON})
    response = officer.send("put", f"/{city.grid_a.pk}/boundary",
                            {"geometry": rect(0, 0.01), "reason": REASON, "version": 1})
    assert response.status_code == 409
    assert response.json()["code"] == "stale"


def test_merging_with_a_grid_out_of_scope_is_404_for_the_lot(api, city, missing_body):
    before = state()
    response = api("street_officer_a").send("post", "/merge", {"grids": [city.grid_a2.pk, city.grid_b.pk],
                                                               "name": "越界", "reason": REASON})
    expect_refused(response, missing_body, before)


def test_validate_takes_stored_boundaries_only_from_communities_in_scope(api, city):
    grids_only = load("clean_grids_only.geojson")
    in_scope = api("street_officer_a").send("post", "/validate", grids_only).json()
    assert in_scope == {"ok": True, "problems": []}
    problems = api("street_officer_b").send("post", "/validate", grids_only).json()["problems"]
    assert [p["kind"] for p in problems] == ["unknown_community", "unknown_community"]
