"""Divisions API: tree, detail, children, grids (GeoJSON) and search, all within the caller's scope."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.accounts.models import ApiToken
from gongzhi.accounts.services import issue_token
from gongzhi.demo.fixture_city import X0, Y0, box
from gongzhi.divisions.choices import Level
from gongzhi.divisions.models import Division
from gongzhi.divisions.services.hierarchy import create_division, rename_division

pytestmark = pytest.mark.django_db

API = "/api/v1/divisions"


@pytest.fixture
def api(client, city):
    """`api("street_officer_a").get(path)` → the answer to that persona's bearer token."""

    class Caller:
        def __init__(self, persona):
            token, self.raw = issue_token(actor=city.users[persona])
            # Just used: no last-use write in the requests whose queries the tests count.
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())

        def get(self, path, **params):
            return client.get(f"{API}{path}", params, headers={"Authorization": f"Bearer {self.raw}"})

    return Caller


def ref(d):
    return {"id": d.pk, "code": d.code, "name": d.name, "level": d.level, "kind": d.kind}


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def more_grids(city, n=6):
    """Extra grids in community B, to show the query count does not follow the data."""
    for i in range(n):
        create_division(actor=None, actor_label="test", level=Level.GRID, code=f"420902002001{i + 3:03d}",
                        name=f"府前社区第{i + 3}网格", parent=city.community_b,
                        geometry=box(X0 + 0.04, Y0, X0 + 0.041, Y0 + 0.001))


# --- tree ------------------------------------------------------------------------------------


def test_tree_starts_at_the_callers_top_divisions(api, city):
    response = api("street_officer_a").get("/tree")
    assert response.status_code == 200
    assert response.json() == [{
        **ref(city.street_a), "counts": {"community": 2, "grid": 3},
        "children": [
            {**ref(city.community_a), "counts": {"grid": 2}, "children": None},
            {**ref(city.community_a2), "counts": {"grid": 1}, "children": None},
        ],
    }]


def test_tree_from_a_root_to_a_depth(api, city):
    [district] = api("district_officer").get("/tree", root=city.district.pk, depth=3).json()
    assert district["counts"] == {"street": 2, "community": 3, "grid": 5}
    street_b = district["children"][1]
    assert street_b["code"] == city.street_b.code
    [community_b] = street_b["children"]
    assert [g["code"] for g in community_b["children"]] == [city.grid_b.code, city.grid_b_2.code]
    assert all(g["children"] is None and g["counts"] == {} for g in community_b["children"])

    [grid] = api("grid_worker").get("/tree", depth=2).json()
    assert grid["code"] == city.grid_a.code
    assert grid["children"] is None


def test_tree_root_outside_the_scope_or_retired_is_404(api, city):
    caller = api("street_officer_b")
    assert caller.get("/tree", root=city.street_a.pk).status_code == 404
    assert caller.get("/tree", root=city.district.pk).status_code == 404
    Division.objects.filter(pk=city.grid_b_2.pk).update(is_active=False, retired_at=timezone.now())
    assert caller.get("/tree", root=city.grid_b_2.pk).status_code == 404
    assert caller.get("/tree", depth=4).status_code == 422


def test_tree_query_count_does_not_grow_with_the_data(api, city, django_assert_max_num_queries):
    caller = api("city_admin")
    before = count_queries(lambda: caller.get("/tree", depth=3))
    more_grids(city)
    with django_assert_max_num_queries(before):
        response = caller.get("/tree", depth=3)
    assert response.status_code == 200
    assert response.json()[0]["counts"]["grid"] == 11
    assert before <= 10


def test_tree_leaves_out_retired_divisions(api, city):
    Division.objects.filter(pk=city.grid_a_2.pk).update(is_active=False, retired_at=timezone.now())
    [community] = api("community_secretary").get("/tree").json()
    assert [g["id"] for g in community["children"]] == [city.grid_a.pk]
    assert community["counts"] == {"grid": 1}


# --- detail ----------------------------------------------------------------------------------


def test_detail_names_ancestors_above_the_scope_without_linking_them(api, city):
    response = api("street_officer_a").get(f"/{city.grid_a.pk}")
    assert response.status_code == 200
    body = response.json()
    assert [(a["level"], a["id"]) for a in body["ancestors"]] == [
        ("province", None), ("city", None), ("district", None),
        ("street", city.street_a.pk), ("community", city.community_a.pk),
    ]
    assert body["ancestors"][2]["name"] == "孝南区"
    assert body["counts"] == {}
    assert body["geometry"]["type"] == "Polygon"
    assert body["is_active"] is True
    assert body["version"] == 1
    assert [h["kind"] for h in body["history"]] == ["created"]

    district = api("city_admin").get(f"/{city.district.pk}").json()
    assert [a["id"] for a in district["ancestors"]] == [None, city.city.pk]
    assert district["counts"] == {"street": 2, "community": 3, "grid": 5}


def test_detail_shows_recent_history(api, city):
    rename_division(actor=city.street_officer_a, division=city.community_a2, name="北外新社区",
                    reason="Renamed by the street office")
    body = api("street_officer_a").get(f"/{city.community_a2.pk}").json()
    assert body["name"] == "北外新社区"
    assert body["version"] == 2
    latest = body["history"][0]
    assert latest["kind"] == "renamed"
    assert latest["actor"] == str(city.street_officer_a)
    assert latest["reason"] == "Renamed by the street office"
    assert latest["before"] == {"name": "北外社区"}
    assert latest["after"] == {"name": "北外新社区"}


def test_retired_divisions_keep_their_page_and_link_to_visible_successors(api, city):
    new = create_division(actor=None, actor_label="test", level=Level.GRID, code="420902001001003",
                          name="书院社区第三网格", parent=city.community_a)
    Division.objects.filter(pk=city.grid_a_2.pk).update(is_active=False, retired_at=timezone.now())
    city.grid_a_2.successors.add(new)
    city.grid_b_2.successors.add(new)  # as if a cross-street merge: street B's officer must not learn of it

    old = api("street_officer_a").get(f"/{city.grid_a_2.pk}").json()
    assert old["is_active"] is False
    assert old["retired_at"] is not None
    assert old["successors"] == [new.pk]
    assert api("street_officer_a").get(f"/{new.pk}").json()["predecessors"] == [city.grid_a_2.pk]
    assert api("street_officer_b").get(f"/{city.grid_b_2.pk}").json()["successors"] == []


def test_detail_query_count_is_bounded(api, city, django_assert_max_num_queries):
    caller = api("district_officer")
    rename_division(actor=city.district_officer, division=city.street_b, name="新华新街道", reason="test")
    with django_assert_max_num_queries(11):
        assert caller.get(f"/{city.street_b.pk}").status_code == 200


# --- children --------------------------------------------------------------------------------


def test_children_are_paginated_by_code(api, city):
    caller = api("district_officer")
    first = caller.get(f"/{city.district.pk}/children", page_size=1).json()
    second = caller.get(f"/{city.district.pk}/children", page_size=1, page=2).json()
    assert first["count"] == second["count"] == 2
    assert [c["code"] for c in first["items"] + second["items"]] == [city.street_a.code, city.street_b.code]
    assert first["items"][0] == {**ref(city.street_a), "is_active": True}


def test_children_query_count_does_not_grow_with_the_data(api, city, django_assert_max_num_queries):
    caller = api("street_officer_b")
    before = count_queries(lambda: caller.get(f"/{city.community_b.pk}/children"))
    more_grids(city)
    with django_assert_max_num_queries(before):
        assert caller.get(f"/{city.community_b.pk}/children").json()["count"] == 8


# --- grids -----------------------------------------------------------------------------------


def test_a_communitys_grids_as_geojson(api, city):
    body = api("community_secretary").get(f"/{city.community_a.pk}/grids").json()
    assert body["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in body["features"]] == [city.grid_a.code, city.grid_a_2.code]
    feature = body["features"][0]
    assert feature["type"] == "Feature"
    assert feature["id"] == city.grid_a.pk
    assert feature["geometry"] == city.grid_a.geometry
    assert feature["properties"] == {"id": city.grid_a.pk, "code": city.grid_a.code, "name": city.grid_a.name,
                                     "area_m2": pytest.approx(city.grid_a.area_m2)}
    assert feature["properties"]["area_m2"] > 0


def test_grids_under_a_street_or_district_in_one_query(api, city, django_assert_max_num_queries):
    caller = api("district_officer")
    street = count_queries(lambda: caller.get(f"/{city.street_a.pk}/grids"))
    district = count_queries(lambda: caller.get(f"/{city.district.pk}/grids"))
    assert street == district
    more_grids(city)
    with django_assert_max_num_queries(district):
        body = caller.get(f"/{city.district.pk}/grids").json()
    assert len(body["features"]) == 11


def test_retired_grids_are_not_drawn(api, city):
    Division.objects.filter(pk=city.grid_b.pk).update(is_active=False, retired_at=timezone.now())
    body = api("street_officer_b").get(f"/{city.street_b.pk}/grids").json()
    assert [f["id"] for f in body["features"]] == [city.grid_b_2.pk]


# --- search ----------------------------------------------------------------------------------


def test_search_by_name_or_code_prefix_with_the_path(api, city):
    hits = api("street_officer_a").get("/search", q="北外").json()
    assert [h["code"] for h in hits] == [city.community_a2.code, city.grid_a2.code]
    assert hits[1]["path"] == ["湖北省", "孝感市", "孝南区", "书院街道", "北外社区"]
    by_code = api("street_officer_b").get("/search", q="420902002001").json()
    assert [h["code"] for h in by_code] == [city.community_b.code, city.grid_b.code, city.grid_b_2.code]


def test_search_stays_in_scope(api, city):
    assert api("street_officer_b").get("/search", q="北外").json() == []
    assert api("street_officer_a").get("/search", q="420902002").json() == []
    assert api("resident").get("/search", q="社区").json() == []


def test_search_needs_text_and_caps_the_limit(api, city):
    caller = api("city_admin")
    assert caller.get("/search", q="").status_code == 422
    assert caller.get("/search", q="社区", limit=51).status_code == 422
    assert len(caller.get("/search", q="社区", limit=2).json()) == 2


def test_missing_and_out_of_scope_answer_alike(api, city):
    caller = api("street_officer_a")
    for suffix in ("", "/children", "/grids"):
        foreign = caller.get(f"/{city.street_b.pk}{suffix}")
        missing = caller.get(f"/999999999{suffix}")
        assert foreign.status_code == missing.status_code == 404
        assert foreign.content == missing.content
