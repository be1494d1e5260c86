"""The party tree's pages as a user meets them: the tree and map, an organisation with its committee,
the forms shown only to managers, the coverage check, and the API."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.party.choices import Form, Line
from gongzhi.party.models import Organisation

from .factories import build_party

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(city):
    return city, build_party(city)


def login(user) -> Client:
    c = Client()
    c.force_login(user, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    return c


def test_the_community_secretary_sees_the_tree_map_and_menu(world):
    city, p = world
    page = login(city.users["community_secretary"]).get(reverse("party:home"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "书院社区党委" in text and "书院社区第一网格党支部" in text and "新华街道党工委" not in text
    assert 'id="party-map-data"' in text and "<script>" not in text.replace('<script src', '')
    assert 'href="/party/"' in text  # the menu entry
    # The branch under the committee loads, with its secretary, when the committee is opened.
    part = login(city.users["community_secretary"]).get(reverse("party:organisation_children",
                                                                args=[p.community_a.pk]))
    assert "陈红" in part.content.decode()


def test_the_branch_secretary_reads_the_branch_without_forms(world):
    _city, p = world
    page = login(p.branch_secretary).get(reverse("party:organisation", args=[p.branch_a.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "陈红" in text
    assert f"/party/members/?organisation={p.branch_a.pk}" in text
    assert "form-rename" not in text
    assert login(p.branch_secretary).get(reverse("party:organisation", args=[p.branch_b.pk])).status_code == 404
    assert login(p.branch_secretary).post(reverse("party:organisation_action", args=[p.branch_a.pk, "rename"]),
                                          {"name": "x"}).status_code == 403


def test_a_manager_renames_and_founds_from_the_page(world):
    city, p = world
    c = login(city.users["community_secretary"])
    page = c.get(reverse("party:organisation", args=[p.community_a.pk]))
    text = page.content.decode()
    assert "form-rename" in text and "刘书记" in text and "区城管局副局长" in text
    r = c.post(reverse("party:organisation_action", args=[p.community_a.pk, "rename"]),
               {"name": "书院社区大党委", "version": p.community_a.version, "reason": "更名"})
    assert r.status_code == 302
    assert Organisation.objects.get(pk=p.community_a.pk).name == "书院社区大党委"
    r = c.post(reverse("party:organisation_action", args=[p.community_a.pk, "found"]),
               {"name": "第二网格党支部", "form": Form.BRANCH, "line": Line.GRID, "kind": "territorial",
                "sector": "community", "division": city.grid_a_2.pk})
    assert r.status_code == 302
    new = Organisation.objects.get(name="第二网格党支部")
    assert new.parent_id == p.community_a.pk
    # A stale form comes back with the message and changes nothing.
    r = c.post(reverse("party:organisation_action", args=[p.community_a.pk, "rename"]),
               {"name": "又改", "version": 1})
    assert r.status_code == 400 and "Someone else changed" in r.content.decode()
    assert Organisation.objects.get(pk=p.community_a.pk).name == "书院社区大党委"
    # History, in the reader's language.
    page = c.get(reverse("party:organisation", args=[p.community_a.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Renamed" in page.content.decode()


def test_the_coverage_page_lists_grid_a_2_and_is_404_outside(world):
    city, _p = world
    c = login(city.users["community_secretary"])
    page = c.get(reverse("party:coverage") + f"?division={city.community_a.pk}")
    text = page.content.decode()
    assert page.status_code == 200 and "书院社区第二网格" in text and 'id="party-gap-data"' in text
    # The community secretary's one area is the default.
    assert c.get(reverse("party:coverage")).status_code == 200
    assert c.get(reverse("party:coverage") + f"?division={city.community_b.pk}").status_code == 404
    assert login(city.users["resident"]).get(reverse("party:coverage")).status_code == 403


def test_the_api_lists_details_and_refuses_out_of_scope(world):
    city, p = world
    c = login(city.users["street_officer_a"])
    out = c.get("/api/v1/party/organisations").json()
    names = {o["name"] for o in out["items"]}
    assert "书院社区党委" in names and "府前社区党委" not in names
    detail = c.get(f"/api/v1/party/organisations/{p.community_a.pk}").json()
    assert {s["name"] for s in detail["seats"]} == {"刘书记", "区城管局副局长"}
    assert c.get(f"/api/v1/party/organisations/{p.community_b.pk}").status_code == 404
    r = c.patch(f"/api/v1/party/organisations/{p.branch_a.pk}",
                data=json.dumps({"name": "改名", "expected_version": 9}), content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "stale"
    r = c.post("/api/v1/party/organisations", data=json.dumps({
        "name": "新支部", "form": "branch", "line": "grid", "division_id": city.grid_b.pk,
        "parent_id": p.community_a.pk}), content_type="application/json")
    assert r.status_code == 404 and not Organisation.objects.filter(name="新支部").exists()
    cov = c.get(f"/api/v1/party/coverage/{city.street_a.pk}").json()
    assert cov["total"]["org_gaps"] == 2 and cov["geojson"]["type"] == "FeatureCollection"
    history = c.get(f"/api/v1/party/organisations/{p.branch_a.pk}/history").json()
    assert history["items"] == []
