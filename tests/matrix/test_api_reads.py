"""What the generated matrix (test_routes.py) cannot say in a status: the exact content of the
division and account reads per persona — the forest each sees, the children and grids listed,
search hits, the audit rows — and the API schema and its documentation page. (Moved here from
tests/test_api_matrix.py; the statuses it checked are rows of the matrix as well.)"""

import json
import re

import pytest
from django.contrib.staticfiles import finders

from gongzhi.divisions.choices import LEVELS

pytestmark = pytest.mark.django_db

API = "/api/v1"
DIVISIONS = ["province", "city", "district", "street_a", "street_b", "community_a", "community_a2",
             "community_b", "grid_a", "grid_a_2", "grid_a2", "grid_b", "grid_b_2"]
STREET_A = {"street_a", "community_a", "community_a2", "grid_a", "grid_a_2", "grid_a2"}
STREET_B = {"street_b", "community_b", "grid_b", "grid_b_2"}
DISTRICT = {"district"} | STREET_A | STREET_B
# What each persona may see, and the tops of that forest.
VISIBLE = {
    "city_admin": {"city"} | DISTRICT,
    "district_officer": DISTRICT,
    "street_officer_a": STREET_A,
    "street_officer_b": STREET_B,
    "community_secretary": {"community_a", "grid_a", "grid_a_2"},
    "grid_worker": {"grid_a"},
    "department_staff": STREET_A,
    "resident": set(),
    "auditor": DISTRICT,
}
TOPS = {
    "city_admin": ["city"], "district_officer": ["district"], "street_officer_a": ["street_a"],
    "street_officer_b": ["street_b"], "community_secretary": ["community_a"], "grid_worker": ["grid_a"],
    "department_staff": ["street_a"], "resident": [], "auditor": ["district"],
}
AUDITORS = {"city_admin", "auditor"}
PERSONAS = list(VISIBLE)
MISSING = 10**9


@pytest.fixture
def client(as_persona):
    """The module's API client (a new one per test would load the middleware each time)."""
    return as_persona("api")


@pytest.fixture
def city(world):
    return world.city


@pytest.fixture
def tokens(world):
    """One live bearer token per persona (the world's)."""
    return world.tokens


def get(client, path, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(f"{API}{path}", headers=headers)


def post(client, path, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(f"{API}{path}", headers=headers, content_type="application/json")


def grids(keys):
    return {k for k in keys if k.startswith("grid")}


def lineage(division) -> set[int]:
    """The division's own id and its ancestors' (cached columns)."""
    return {division.pk} | {getattr(division, f"{level}_id") for level in LEVELS[:-1]}


@pytest.fixture
def missing_body(client, tokens):
    response = get(client, f"/divisions/{MISSING}", tokens["city_admin"][1])
    assert response.status_code == 404
    return response.json()


@pytest.mark.parametrize("persona", PERSONAS)
def test_me_and_tokens(client, city, tokens, persona):
    raw = tokens[persona][1]
    me = get(client, "/me", raw)
    assert me.status_code == 200
    assert me.json()["username"] == persona
    tops = [getattr(city, k).code for k in TOPS[persona]]
    assert [d["code"] for d in me.json()["scope"]["divisions"]] == tops

    listed = get(client, "/auth/tokens", raw)
    assert listed.status_code == 200
    assert [t["id"] for t in listed.json()["items"]] == [tokens[persona][0].pk]

    other = "resident" if persona != "resident" else "grid_worker"
    assert post(client, f"/auth/tokens/{tokens[other][0].pk}/revoke", raw).status_code == 404
    assert post(client, f"/auth/tokens/{tokens[persona][0].pk}/revoke", raw).status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_tree_shows_exactly_the_personas_forest(client, city, tokens, persona):
    response = get(client, "/divisions/tree?depth=3", tokens[persona][1])
    assert response.status_code == 200
    seen = set()

    def walk(nodes):
        for n in nodes:
            seen.add(n["code"])
            walk(n["children"] or [])

    walk(response.json())
    assert [n["code"] for n in response.json()] == [getattr(city, k).code for k in TOPS[persona]]
    # Three levels down: a city reaches its communities, a district or street its grids.
    tops = [getattr(city, k) for k in TOPS[persona]]
    reachable = {k for k in VISIBLE[persona]
                 if LEVELS.index(getattr(city, k).level) - LEVELS.index(tops[0].level) <= 3}
    assert seen == {getattr(city, k).code for k in reachable}


@pytest.mark.parametrize("persona", PERSONAS)
def test_division_reads_in_and_out_of_scope(client, city, tokens, persona, missing_body):
    raw = tokens[persona][1]
    for key in DIVISIONS:
        division = getattr(city, key)
        detail = get(client, f"/divisions/{division.pk}", raw)
        children = get(client, f"/divisions/{division.pk}/children", raw)
        features = get(client, f"/divisions/{division.pk}/grids", raw)
        if key in VISIBLE[persona]:
            assert detail.status_code == 200, key
            assert detail.json()["code"] == division.code
            assert children.status_code == 200, key
            expected = {getattr(city, k).pk for k in VISIBLE[persona]
                        if getattr(city, k).parent_id == division.pk}
            assert {c["id"] for c in children.json()["items"]} == expected
            assert features.status_code == 200, key
            under = {k for k in grids(VISIBLE[persona]) if division.pk in lineage(getattr(city, k))}
            assert {f["properties"]["code"] for f in features.json()["features"]} == {
                getattr(city, k).code for k in under}
        else:
            for response in (detail, children, features):
                assert response.status_code == 404, key
                assert response.json() == missing_body


@pytest.mark.parametrize("persona", PERSONAS)
def test_search_finds_only_visible_divisions(client, city, tokens, persona):
    response = get(client, "/divisions/search?q=社区&limit=50", tokens[persona][1])
    assert response.status_code == 200
    expected = {getattr(city, k).code for k in VISIBLE[persona] if "社区" in getattr(city, k).name}
    assert {hit["code"] for hit in response.json()} == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_audit_list_only_for_auditing_roles(client, city, tokens, persona):
    response = get(client, "/audit", tokens[persona][1])
    if persona in AUDITORS:
        assert response.status_code == 200
        divisions = {row["division"]["id"] for row in response.json()["items"] if row["division"]}
        assert divisions <= {getattr(city, k).pk for k in VISIBLE[persona]}
        # Token rows carry no division: deployment-wide auditors only.
        has_token_rows = any(row["action"] == "token.issue" for row in response.json()["items"])
        assert has_token_rows == (persona == "city_admin")
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"


ANONYMOUS_GETS = ["/me", "/auth/tokens", "/divisions/tree", "/divisions/search?q=x", "/audit",
                  "/divisions/{id}", "/divisions/{id}/children", "/divisions/{id}/grids"]


@pytest.mark.parametrize("path", ANONYMOUS_GETS)
def test_anonymous_gets_401(client, city, path):
    response = get(client, path.format(id=city.street_a.pk))
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_anonymous_revoke_gets_401(client, tokens):
    response = post(client, f"/auth/tokens/{tokens['resident'][0].pk}/revoke")
    assert response.status_code == 401


def test_a_bad_bearer_token_is_401(client, city):
    assert get(client, "/me", "gz_not-a-real-token").status_code == 401


# --- the schema and its documentation page ---------------------------------------------------


def test_openapi_schema_lists_every_endpoint(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path, method in [
        ("/auth/token", "post"), ("/auth/tokens", "get"), ("/auth/tokens/{token_id}/revoke", "post"),
        ("/me", "get"), ("/divisions/tree", "get"), ("/divisions/search", "get"),
        ("/divisions/{division_id}", "get"), ("/divisions/{division_id}/children", "get"),
        ("/divisions/{division_id}/grids", "get"), ("/audit", "get"),
    ]:
        assert method in paths[f"{API}{path}"], path
    assert "security" not in paths[f"{API}/auth/token"]["post"]
    assert paths[f"{API}/me"]["get"]["security"]
    assert "404" in paths[f"{API}/divisions/{{division_id}}"]["get"]["responses"]


def test_docs_page_loads_assets_from_our_own_static_files(client, settings):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'<(?:script|link|img)\b[^>]*?\b(?:src|href)="([^"]+)"', html)
    assert sources, html
    for source in sources:
        assert source.startswith(settings.STATIC_URL), source
        assert not re.match(r"(https?:)?//", source), source
        # collectstatic finds it, so whitenoise serves it in production.
        assert finders.find(source.removeprefix(settings.STATIC_URL)), source
    swagger_settings = json.loads(re.search(r'id="swagger-settings">(.*?)</script>', html, re.S).group(1))
    assert swagger_settings["validatorUrl"] is None
    assert swagger_settings["url"] == f"{API}/openapi.json"
