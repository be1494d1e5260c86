"""The division pages per persona: tree, search, division page, maps, coverage, and the edits."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongzhi.core.models import AuditEntry
from gongzhi.divisions.choices import Level
from gongzhi.divisions.models import Division, DivisionChange
from gongzhi.divisions.services.hierarchy import create_division

from .grids_support import GRID_FILES, X0, Y0, box

pytestmark = pytest.mark.django_db

ALL_NAMES = {
    "city": "孝感市", "district": "孝南区", "street_a": "书院街道", "street_b": "新华街道",
    "community_a": "书院社区", "community_a2": "北外社区", "community_b": "府前社区",
}
# What each persona's tree page (opened one level) and search may name, and what they must not.
SEES = {
    "city_admin": {"孝感市", "孝南区"},
    "district_officer": {"孝南区", "书院街道", "新华街道"},
    "auditor": {"孝南区", "书院街道", "新华街道"},
    "street_officer_a": {"书院街道", "书院社区", "北外社区"},
    "department_staff": {"书院街道", "书院社区", "北外社区"},
    "street_officer_b": {"新华街道", "府前社区"},
    "community_secretary": {"书院社区", "书院社区第一网格", "书院社区第二网格"},
    "grid_worker": {"书院社区第一网格"},
}
NEVER = {
    "street_officer_a": {"新华街道", "府前社区", "府前社区第一网格"},
    "department_staff": {"新华街道", "府前社区"},
    "street_officer_b": {"书院街道", "书院社区", "北外社区"},
    "community_secretary": {"北外社区", "新华街道", "府前社区", "书院街道"},
    "grid_worker": {"书院社区第二网格", "北外社区", "新华街道"},
}


def html(response) -> str:
    return response.content.decode()


def main(response) -> str:
    page = html(response)
    return page[page.index("<main"):page.index("</main>")]


# --- the tree --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", sorted(SEES))
def test_tree_shows_the_visible_forest_and_nothing_else(client_as, city, persona):
    response = client_as(persona).get(reverse("divisions:tree"))
    assert response.status_code == 200
    page = main(response)
    for name in SEES[persona]:
        assert name in page, name
    for name in NEVER.get(persona, ()):
        assert name not in page, name


def test_tree_forbidden_for_a_resident(client_as, city):
    assert client_as("resident").get(reverse("divisions:tree")).status_code == 403


def test_tree_nodes_carry_counts_and_load_children_with_htmx(client_as, city):
    page = main(client_as("district_officer").get(reverse("divisions:tree")))
    assert "3 communities" in page
    assert "5 grids" in page
    assert f'hx-get="/divisions/{city.street_a.pk}/children/"' in page
    assert 'hx-trigger="toggle once"' in page


def test_children_partial(client_as, city):
    c = client_as("district_officer")
    page = html(c.get(reverse("divisions:children", args=[city.street_a.pk]), HTTP_HX_REQUEST="true"))
    assert "书院社区" in page
    assert "北外社区" in page
    assert "新华街道" not in page
    assert "<html" not in page
    assert c.get(reverse("divisions:children", args=[city.street_b.pk])).status_code == 200
    other = client_as("street_officer_a")
    assert other.get(reverse("divisions:children", args=[city.street_b.pk])).status_code == 404


def test_children_paginate_with_a_more_button(client_as, city):
    for i in range(2, 65):
        create_division(actor=None, actor_label="test", level=Level.COMMUNITY, code=f"420902002{i:03d}",
                        name=f"测试社区{i:02d}", parent=city.street_b)
    c = client_as("street_officer_b")
    url = reverse("divisions:children", args=[city.street_b.pk])
    first = html(c.get(url))
    assert "府前社区" in first
    assert "测试社区30" in first
    assert "测试社区31" not in first
    assert f'hx-get="{url}?page=2"' in first
    second = html(c.get(url, {"page": 2}))
    assert "测试社区31" in second
    assert "府前社区" not in second
    third = html(c.get(url, {"page": 3}))
    assert "测试社区64" in third
    assert "?page=4" not in third
    # The tree page opens street B with its first page only.
    tree = main(c.get(reverse("divisions:tree")))
    assert "测试社区30" in tree
    assert "测试社区31" not in tree


@pytest.mark.parametrize("persona", ["city_admin", "district_officer", "street_officer_a"])
def test_tree_query_count_is_bounded(client_as, city, persona, django_assert_max_num_queries):
    for i in range(2, 40):
        create_division(actor=None, actor_label="test", level=Level.COMMUNITY, code=f"420902001{i + 1:03d}",
                        name=f"更多社区{i}", parent=city.street_a)
    c = client_as(persona)
    # 9: the page's own, and one for the roles a user holds through party posts (party.access.posts_of).
    with django_assert_max_num_queries(9):
        assert c.get(reverse("divisions:tree")).status_code == 200
    with django_assert_max_num_queries(9):
        assert c.get(reverse("divisions:children", args=[city.street_a.pk])).status_code == 200


# --- search ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "text", "found", "hidden"), [
    ("street_officer_a", "社区", {"书院社区", "北外社区"}, {"府前社区"}),
    ("street_officer_a", "新华", set(), {"新华街道"}),
    ("street_officer_b", "社区", {"府前社区"}, {"书院社区", "北外社区"}),
    ("grid_worker", "网格", {"书院社区第一网格"}, {"书院社区第二网格", "府前社区第一网格"}),
    ("district_officer", "420902002", {"新华街道", "府前社区"}, set()),
])
def test_search_stays_in_scope(client_as, city, persona, text, found, hidden):
    c = client_as(persona)
    for url in (reverse("divisions:search"), reverse("divisions:tree")):
        response = c.get(url, {"q": text})
        page = html(response)
        results = page[page.index('id="search-results"'):] if 'id="search-results"' in page else page
        results = results.split("</section>", 1)[0]
        for name in found:
            assert name in results, name
        for name in hidden:
            assert name not in results, name


def test_empty_search_is_empty(client_as, city):
    assert html(client_as("district_officer").get(reverse("divisions:search"), {"q": " "})).strip() == ""


# --- division page -----------------------------------------------------------------------------


def test_division_page_out_of_scope_is_404(client_as, city):
    c = client_as("street_officer_a")
    for d in (city.street_b, city.community_b, city.grid_b):
        assert c.get(reverse("divisions:detail", args=[d.pk])).status_code == 404
    assert c.get(reverse("divisions:detail", args=[999999])).status_code == 404
    resident = client_as("resident")
    assert resident.get(reverse("divisions:detail", args=[city.community_a.pk])).status_code == 404


def test_division_page_breadcrumb_links_only_inside_scope(client_as, city):
    page = main(client_as("street_officer_a").get(reverse("divisions:detail", args=[city.community_a.pk])))
    crumb = page[page.index('class="breadcrumb"'):page.index("</nav>")]
    assert "孝南区" in crumb
    assert f'href="/divisions/{city.district.pk}/"' not in crumb
    assert f'href="/divisions/{city.street_a.pk}/"' in crumb


def test_division_page_shows_facts_children_history_and_map(client_as, city):
    page = main(client_as("street_officer_a").get(reverse("divisions:detail", args=[city.street_a.pk])))
    assert "420902001000" in page
    assert "街道" in page
    assert "书院社区" in page
    assert "北外社区" in page
    assert "Created" in page or "创建" in page
    assert 'data-map="overview"' in page
    assert 'id="detail-map-data"' in page
    data = _embedded(page, "detail-map-data")
    assert {f["properties"]["name"] for f in data["features"]} == {"书院街道", "书院社区", "北外社区"}
    assert reverse("divisions:map", args=[city.street_a.pk]) in page
    assert reverse("divisions:coverage", args=[city.street_a.pk]) in page
    assert "/static/vendor/leaflet/leaflet.js" in html(client_as("street_officer_a").get(
        reverse("divisions:detail", args=[city.street_a.pk])))
    # No rename form without MANAGE_DIVISIONS.
    assert reverse("divisions:rename", args=[city.street_a.pk]) not in page


def test_rename_by_district_officer_is_applied_and_audited(client_as, city):
    c = client_as("district_officer")
    page = html(c.get(reverse("divisions:detail", args=[city.street_a.pk])))
    assert reverse("divisions:rename", args=[city.street_a.pk]) in page
    response = c.post(reverse("divisions:rename", args=[city.street_a.pk]),
                      {"name": "书院新街道", "reason": "区划调整", "version": city.street_a.version},
                      follow=True)
    assert "message-success" in html(response)
    city.street_a.refresh_from_db()
    assert city.street_a.name == "书院新街道"
    entry = AuditEntry.objects.get(action="division.rename")
    assert entry.actor == city.users["district_officer"]
    assert entry.reason == "区划调整"
    assert "书院街道" in main(response)
    assert "区划调整" in main(response)


def test_rename_without_manage_divisions_is_404_and_changes_nothing(client_as, city):
    for persona in ("street_officer_a", "community_secretary", "auditor"):
        response = client_as(persona).post(reverse("divisions:rename", args=[city.community_a.pk]),
                                           {"name": "改名", "reason": "x",
                                            "version": city.community_a.version})
        assert response.status_code == 404
    city.community_a.refresh_from_db()
    assert city.community_a.name == "书院社区"
    assert not AuditEntry.objects.filter(action="division.rename").exists()
    url = reverse("divisions:rename", args=[city.community_a.pk])
    assert client_as("street_officer_a").get(url).status_code in (404, 405)


def test_rename_with_a_stale_version_shows_the_message_and_changes_nothing(client_as, city):
    c = client_as("district_officer")
    response = c.post(reverse("divisions:rename", args=[city.street_a.pk]),
                      {"name": "书院新街道", "reason": "区划调整", "version": city.street_a.version - 1 + 5})
    assert response.status_code == 200
    page = html(response)
    assert "form-errors" in page
    assert "书院街道" in page
    city.street_a.refresh_from_db()
    assert city.street_a.name == "书院街道"
    assert not AuditEntry.objects.filter(action="division.rename").exists()


def test_rename_without_reason_is_refused_in_the_form(client_as, city):
    response = client_as("district_officer").post(reverse("divisions:rename", args=[city.street_a.pk]),
                                                  {"name": "书院新街道", "reason": "", "version": 1})
    assert "field-error" in html(response)
    city.street_a.refresh_from_db()
    assert city.street_a.name == "书院街道"


def test_retired_division_opens_read_only_with_successors(client_as, city):
    from gongzhi.divisions.services.grids import split_grid

    new = split_grid(actor=city.users["community_secretary"], grid=city.grid_a, reason="人口增长", line=CUT)
    c = client_as("district_officer")
    page = main(c.get(reverse("divisions:detail", args=[city.grid_a.pk])))
    assert "badge-retired" in page
    for grid in new:
        assert f'href="/divisions/{grid.pk}/"' in page
    assert reverse("divisions:rename", args=[city.grid_a.pk]) not in page
    assert reverse("divisions:split", args=[city.grid_a.pk]) not in page
    assert c.post(reverse("divisions:rename", args=[city.grid_a.pk]),
                  {"name": "x", "reason": "y", "version": 9}).status_code == 404
    # And the new grid names its predecessor.
    successor_page = main(c.get(reverse("divisions:detail", args=[new[0].pk])))
    assert f'href="/divisions/{city.grid_a.pk}/"' in successor_page


# --- grid map and coverage ----------------------------------------------------------------------


def _embedded(page: str, element_id: str) -> dict:
    """The data of a json_script element."""
    start = page.index(f'id="{element_id}"')
    return json.loads(page[page.index(">", start) + 1:page.index("</script>", start)])


@pytest.mark.parametrize(("persona", "where", "grids"), [
    ("street_officer_a", "street_a", {"书院社区第一网格", "书院社区第二网格", "北外社区第一网格"}),
    ("street_officer_a", "community_a", {"书院社区第一网格", "书院社区第二网格"}),
    ("grid_worker", "grid_a", {"书院社区第一网格"}),
    ("district_officer", "community_b", {"府前社区第一网格", "府前社区第二网格"}),
])
def test_grid_map_embeds_the_grids_in_scope(client_as, city, persona, where, grids):
    response = client_as(persona).get(reverse("divisions:map", args=[getattr(city, where).pk]))
    page = html(response)
    assert response.status_code == 200
    assert "/static/vendor/leaflet/leaflet.js" in page
    assert "/static/vendor/leaflet/leaflet.css" in page
    data = _embedded(page, "grid-data")
    assert {f["properties"]["name"] for f in data["features"]} == grids
    assert all(set(f["properties"]) >= {"id", "code", "name", "area_m2"} for f in data["features"])
    assert "tileLayer" not in page
    assert "data-tile-url" not in page


def test_grid_map_out_of_scope_is_404(client_as, city):
    url = reverse("divisions:map", args=[city.community_a.pk])
    assert client_as("grid_worker").get(url).status_code == 404


def test_grid_map_uses_the_api_beyond_the_embed_limit(client_as, city, monkeypatch):
    from gongzhi.divisions import views

    monkeypatch.setattr(views, "MAP_EMBED_LIMIT", 1)
    page = html(client_as("street_officer_a").get(reverse("divisions:map", args=[city.street_a.pk])))
    assert f'data-src="/api/v1/divisions/{city.street_a.pk}/grids"' in page
    assert 'id="grid-data"' not in page


def test_grid_map_tile_layer_only_when_configured(client_as, city, settings):
    settings.MAP_TILE_URL = "/tiles/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "本地瓦片"
    page = html(client_as("street_officer_a").get(reverse("divisions:map", args=[city.community_a.pk])))
    assert 'data-tile-url="/tiles/{z}/{x}/{y}.png"' in page
    assert "本地瓦片" in page


def test_coverage_of_a_clean_community(client_as, city):
    response = client_as("community_secretary").get(reverse("divisions:coverage", args=[city.community_a.pk]))
    page = main(response)
    assert response.status_code == 200
    assert "is-ok" in page
    assert "100.00%" in page
    data = _embedded(page, "coverage-data")
    assert {f["properties"]["kind"] for f in data["features"]} == {"grid"}


def test_coverage_lists_overlaps_and_gaps(client_as, city):
    Division.objects.filter(pk=city.grid_a_2.pk).update(geometry=box(X0, Y0 + 0.015, X0 + 0.02, Y0 + 0.035))
    response = client_as("street_officer_a").get(reverse("divisions:coverage", args=[city.community_a.pk]))
    page = main(response)
    assert "is-bad" in page
    overlaps = page[page.index("<h2>Overlaps") if "<h2>Overlaps" in page else 0:]
    assert "书院社区第一网格" in overlaps
    assert "书院社区第二网格" in overlaps
    assert "data-zoom-bounds" in page
    kinds = {f["properties"]["kind"] for f in _embedded(page, "coverage-data")["features"]}
    assert {"overlap", "gap"} <= kinds


def test_coverage_of_a_street_and_not_of_a_grid(client_as, city):
    c = client_as("street_officer_a")
    assert c.get(reverse("divisions:coverage", args=[city.street_a.pk])).status_code == 200
    assert c.get(reverse("divisions:coverage", args=[city.grid_a.pk])).status_code == 404
    assert c.get(reverse("divisions:coverage", args=[city.community_b.pk])).status_code == 404


# --- grid edits ---------------------------------------------------------------------------------

CUT = {"type": "LineString", "coordinates": [[X0 - 0.001, Y0 + 0.01], [X0 + 0.021, Y0 + 0.01]]}


@pytest.mark.parametrize(("persona", "allowed"), [
    ("community_secretary", True), ("street_officer_a", True), ("district_officer", True),
    ("street_officer_b", False), ("grid_worker", False), ("auditor", False), ("department_staff", False),
])
def test_grid_edit_pages_need_manage_grids_over_the_grid(client_as, city, persona, allowed):
    c = client_as(persona)
    for url in (reverse("divisions:split", args=[city.grid_a.pk]),
                reverse("divisions:merge", args=[city.community_a.pk]),
                reverse("divisions:import", args=[city.community_a.pk])):
        assert c.get(url).status_code == (200 if allowed else 404), url
    detail = main(c.get(reverse("divisions:detail", args=[city.grid_a.pk])))
    assert (reverse("divisions:split", args=[city.grid_a.pk]) in detail) == allowed


def test_edit_pages_only_for_their_level(client_as, city):
    c = client_as("district_officer")
    assert c.get(reverse("divisions:split", args=[city.community_a.pk])).status_code == 404
    assert c.get(reverse("divisions:merge", args=[city.grid_a.pk])).status_code == 404
    assert c.get(reverse("divisions:import", args=[city.street_a.pk])).status_code == 404


def test_split_along_a_drawn_line(client_as, city):
    c = client_as("community_secretary")
    response = c.post(reverse("divisions:split", args=[city.grid_a.pk]),
                      {"line": json.dumps(CUT), "names": "北片\n南片", "reason": "人口增长"}, follow=True)
    assert "message-success" in html(response)
    city.grid_a.refresh_from_db()
    assert not city.grid_a.is_active
    assert set(city.grid_a.successors.values_list("name", flat=True)) == {"北片", "南片"}
    assert AuditEntry.objects.filter(action="grid.split").exists()


def test_split_refused_shows_why_and_changes_nothing(client_as, city):
    c = client_as("community_secretary")
    inside = {"type": "LineString", "coordinates": [[X0 + 0.005, Y0 + 0.01], [X0 + 0.01, Y0 + 0.01]]}
    response = c.post(reverse("divisions:split", args=[city.grid_a.pk]),
                      {"line": json.dumps(inside), "reason": "试"})
    assert response.status_code == 200
    assert "form-errors" in html(response)
    city.grid_a.refresh_from_db()
    assert city.grid_a.is_active
    response = c.post(reverse("divisions:split", args=[city.grid_a.pk]), {"reason": "试"})
    assert "form-errors" in html(response)


def test_split_into_uploaded_parts_with_problems_lists_each(client_as, city):
    parts = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "西"},
         "geometry": box(X0, Y0, X0 + 0.012, Y0 + 0.02)},
        {"type": "Feature", "properties": {"name": "东"},
         "geometry": box(X0 + 0.01, Y0, X0 + 0.02, Y0 + 0.02)},
    ]}
    upload = _upload("parts.geojson", json.dumps(parts).encode())
    response = client_as("community_secretary").post(reverse("divisions:split", args=[city.grid_a.pk]),
                                                     {"parts_file": upload, "reason": "试"})
    page = html(response)
    assert 'class="panel problems"' in page
    assert page.count("data-zoom-point") >= 1
    assert 'id="problem-data"' in page
    city.grid_a.refresh_from_db()
    assert city.grid_a.is_active


def test_merge_two_grids(client_as, city):
    c = client_as("community_secretary")
    page = html(c.get(reverse("divisions:merge", args=[city.community_a.pk])))
    assert "书院社区第一网格" in page
    assert "北外社区第一网格" not in page
    response = c.post(reverse("divisions:merge", args=[city.community_a.pk]),
                      {"grids": [city.grid_a.pk, city.grid_a_2.pk], "name": "书院社区合并网格",
                       "reason": "人手调整"},
                      follow=True)
    assert "message-success" in html(response)
    merged = Division.objects.get(name="书院社区合并网格", is_active=True)
    assert response.redirect_chain[-1][0] == reverse("divisions:detail", args=[merged.pk])
    assert DivisionChange.objects.filter(division=city.grid_a, kind="merged").exists()


def test_merge_refuses_one_grid_and_grids_of_other_communities(client_as, city):
    c = client_as("street_officer_a")
    response = c.post(reverse("divisions:merge", args=[city.community_a.pk]),
                      {"grids": [city.grid_a.pk], "name": "x", "reason": "y"})
    assert "field-error" in html(response)
    response = c.post(reverse("divisions:merge", args=[city.community_a.pk]),
                      {"grids": [city.grid_a.pk, city.grid_a2.pk], "name": "x", "reason": "y"})
    assert "field-error" in html(response)
    assert Division.objects.filter(pk__in=[city.grid_a.pk, city.grid_a2.pk], is_active=True).count() == 2


def _state(community) -> list:
    return list(Division.objects.filter(community=community).order_by("pk")
                .values_list("pk", "version", "is_active", "name"))


def _upload(name: str, content: bytes | None = None):
    data = content if content is not None else (GRID_FILES / name).read_bytes()
    return SimpleUploadedFile(name, data, content_type="application/geo+json")


def test_import_a_clean_file(client_as, city):
    response = client_as("community_secretary").post(
        reverse("divisions:import", args=[city.community_a.pk]),
        {"file": _upload("clean.geojson"), "reason": "重新测绘"}, follow=True)
    assert "message-success" in html(response)
    assert response.redirect_chain[-1][0] == reverse("divisions:coverage", args=[city.community_a.pk])


@pytest.mark.parametrize("name", ["overlap.geojson", "gap.geojson", "bad_code.geojson",
                                  "unknown_community.geojson"])
def test_import_refused_lists_every_problem_and_changes_nothing(client_as, city, name):
    before = _state(city.community_a)
    response = client_as("community_secretary").post(
        reverse("divisions:import", args=[city.community_a.pk]),
        {"file": _upload(name), "reason": "重新测绘"})
    page = html(response)
    assert response.status_code == 200
    assert 'class="panel problems"' in page
    assert "form-errors" in page
    assert _state(city.community_a) == before


def test_import_checks_json_and_size_first(client_as, city, monkeypatch):
    c = client_as("community_secretary")
    url = reverse("divisions:import", args=[city.community_a.pk])
    page = html(c.post(url, {"file": _upload("malformed_not_json.geojson"), "reason": "x"}))
    assert "field-error" in page
    assert "JSON" in page
    page = html(c.post(url, {"file": _upload("x.geojson", b"[1, 2]"), "reason": "x"}))
    assert "field-error" in page
    from gongzhi.divisions import forms

    monkeypatch.setattr(forms, "MAX_UPLOAD_BYTES", 100)
    page = html(c.post(url, {"file": _upload("clean.geojson"), "reason": "x"}))
    assert "field-error" in page
    assert "5 MB" in page
    assert not AuditEntry.objects.filter(action="grids.import").exists()


# --- coverage above a street: district, city ------------------------------------------------------


def _part_row(page: str, code: str) -> str:
    start = page.index(f'data-part="{code}"')
    return page[start:page.index("</tr>", start)]


def _stat(page: str, name: str) -> str:
    start = page.index(f'id="stat-{name}"')
    chunk = page[start:page.index("</div>", start)]
    return chunk.split('class="stat-value', 1)[1].split(">", 1)[1].split("<", 1)[0]


def test_city_admin_sees_the_coverage_of_a_clean_district(client_as, city):
    response = client_as("city_admin").get(reverse("divisions:coverage", args=[city.district.pk]))
    assert response.status_code == 200
    page = main(response)
    assert "is-ok" in page
    assert _stat(page, "covered") == "100.00%"
    assert _stat(page, "grids") == "5"
    assert _stat(page, "blank") == "0"
    street_a = _part_row(page, city.street_a.code)
    assert "书院街道" in street_a
    assert reverse("divisions:coverage", args=[city.street_a.pk]) in street_a
    cells = [c.split(">", 1)[1].split("<", 1)[0] for c in street_a.split('class="num')[1:]]
    # communities, grids, without grids, without a boundary, overlapping grids, blank zones, blank area, covered
    assert cells[:6] == ["2", "3", "0", "0", "0", "0"]
    assert "100.00%" in street_a
    assert "新华街道" in _part_row(page, city.street_b.code)
    assert "No blank zones" in page
    kinds = {f["properties"]["kind"] for f in _embedded(page, "coverage-data")["features"]}
    assert kinds == {"community"}
    detail = main(client_as("city_admin").get(reverse("divisions:detail", args=[city.district.pk])))
    assert reverse("divisions:coverage", args=[city.district.pk]) in detail


def test_district_coverage_lists_blank_zones_per_street_and_community(client_as, city):
    # 府前社区's second grid shrinks to its western half: the eastern half is no one's.
    Division.objects.filter(pk=city.grid_b_2.pk).update(geometry=box(X0 + 0.04, Y0 + 0.02, X0 + 0.06, Y0 + 0.04))
    # 北外社区 loses its only grid: the whole community is blank.
    Division.objects.filter(pk=city.grid_a2.pk).update(is_active=False)
    response = client_as("district_officer").get(reverse("divisions:coverage", args=[city.district.pk]))
    assert response.status_code == 200
    page = main(response)
    assert "is-bad" in page
    assert _stat(page, "blank") == "2"
    assert _stat(page, "covered") == "62.50%"  # 3 of 8 squares of 0.02° are blank
    street_a = _part_row(page, city.street_a.code)
    assert 'class="num text-warn">1<' in street_a  # one community without grids
    assert "50.00%" in street_a
    street_b = _part_row(page, city.street_b.code)
    assert "75.00%" in street_b
    zones = page[page.index('id="coverage-blank-zones"'):]
    assert "北外社区" in zones
    assert "府前社区" in zones
    assert zones.count("data-zoom-bounds") == 2
    assert "km²" in zones  # 0.02° × 0.02° near 31°N is about 4.4 km²
    kinds = [f["properties"]["kind"] for f in _embedded(page, "coverage-data")["features"]]
    assert kinds.count("gap") == 2


def test_city_coverage_sums_up_each_district(client_as, city):
    Division.objects.filter(pk=city.grid_b_2.pk).update(geometry=box(X0 + 0.04, Y0 + 0.02, X0 + 0.06, Y0 + 0.04))
    response = client_as("city_admin").get(reverse("divisions:coverage", args=[city.city.pk]))
    assert response.status_code == 200
    page = main(response)
    district = _part_row(page, city.district.code)
    assert "孝南区" in district
    assert reverse("divisions:coverage", args=[city.district.pk]) in district
    cells = [c.split(">", 1)[1].split("<", 1)[0] for c in district.split('class="num')[1:]]
    assert cells[:6] == ["3", "5", "0", "0", "0", "1"]
    assert "87.50%" in district
    # The city itself has no recorded boundary: no ratio is made up for it.
    assert _stat(page, "covered") == "—"
    assert "府前社区" in page[page.index('id="coverage-blank-zones"'):]


def test_area_coverage_parts_are_paginated(client_as, city, monkeypatch):
    from gongzhi.divisions import views

    monkeypatch.setattr(views, "COVERAGE_PARTS_PER_PAGE", 1)
    url = reverse("divisions:coverage", args=[city.district.pk])
    first = main(client_as("city_admin").get(url))
    second = main(client_as("city_admin").get(url + "?page=2"))
    assert f'data-part="{city.street_a.code}"' in first
    assert f'data-part="{city.street_b.code}"' not in first
    assert f'data-part="{city.street_b.code}"' in second
    assert "Page 2 of 2" in second


def test_area_coverage_queries_do_not_grow_with_the_grids(client_as, city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_as("city_admin")
    url = reverse("divisions:coverage", args=[city.district.pk])
    c.get(url)
    with CaptureQueriesContext(connection) as before:
        assert c.get(url).status_code == 200
    community = create_division(actor=None, actor_label="test", level=Level.COMMUNITY, code="420902002002",
                                name="新社区", parent=city.street_b, geometry=None)
    for n in range(1, 6):
        create_division(actor=None, actor_label="test", level=Level.GRID, code=f"420902002002{n:03d}",
                        name=f"新社区第{n}网格", parent=community,
                        geometry=box(X0 + 0.04 + n * 0.001, Y0, X0 + 0.041 + n * 0.001, Y0 + 0.001))
    with CaptureQueriesContext(connection) as after:
        page = main(c.get(url))
    assert len(after) == len(before)
    assert 'class="num">2<' in _part_row(page, city.street_b.code)  # two communities now


@pytest.mark.parametrize("where", ["district", "street_b", "city"])
def test_a_street_officer_gets_404_above_and_beside_their_street(client_as, city, where):
    c = client_as("street_officer_a")
    response = c.get(reverse("divisions:coverage", args=[getattr(city, where).pk]))
    missing = c.get(reverse("divisions:coverage", args=[999_999]))
    assert response.status_code == missing.status_code == 404
    assert main(response) == main(missing)
    assert c.get(reverse("divisions:coverage", args=[city.street_a.pk])).status_code == 200
