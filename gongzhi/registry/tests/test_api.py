"""The registry API as each persona sees it: a role × action matrix, masking everywhere, 404 for
rows outside the scope exactly as for missing ones."""

import io

import pytest
from openpyxl import load_workbook

from gongzhi.core import crypto
from gongzhi.core.models import AuditEntry
from gongzhi.registry.models import Resident, Tag

pytestmark = pytest.mark.django_db

API = "/api/v1/registry"
PERSONAS = ["city_admin", "district_officer", "street_officer_a", "street_officer_b", "community_secretary",
            "grid_worker", "department_staff", "resident", "auditor", None]


def everyone():
    return pytest.mark.parametrize("persona", PERSONAS)


def expect(table: dict, persona):
    return table[persona or "anonymous"]


# --- reads -------------------------------------------------------------------------------------------------

EVERYONE = {"zhang", "li", "child", "wang", "zhao"}
RESIDENT_LIST = {
    "city_admin": EVERYONE, "district_officer": EVERYONE,
    "street_officer_a": {"zhang", "li", "child", "wang"}, "street_officer_b": {"zhao"},
    "community_secretary": {"zhang", "li", "child", "wang"}, "grid_worker": {"zhang", "li", "child"},
    "department_staff": 403, "resident": 403, "auditor": 403, "anonymous": 401,
}


@everyone()
def test_resident_list_is_scoped_and_refused_to_roles_without_people(client_as, reg, persona):
    response = client_as(persona).get(f"{API}/residents")
    expected = expect(RESIDENT_LIST, persona)
    if isinstance(expected, int):
        assert response.status_code == expected
        return
    assert response.status_code == 200
    names = {r.pk: k for k in ("zhang", "li", "child", "wang", "zhao") for r in [getattr(reg, k)]}
    assert {names[item["id"]] for item in response.json()["items"]} == expected


RESIDENT_DETAIL = {  # 张伟 lives in grid A
    "city_admin": 200, "district_officer": 200, "street_officer_a": 200, "street_officer_b": 404,
    "community_secretary": 200, "grid_worker": 200, "department_staff": 404, "resident": 404, "auditor": 404,
    "anonymous": 401,
}


@everyone()
def test_resident_detail_outside_the_scope_is_not_found(client_as, reg, persona):
    response = client_as(persona).get(f"{API}/residents/{reg.zhang.pk}")
    assert response.status_code == expect(RESIDENT_DETAIL, persona)
    if response.status_code == 404:
        missing = client_as(persona).get(f"{API}/residents/{reg.zhao.pk + 1000}")
        assert missing.status_code == 404 and missing.json() == response.json()


BUILDINGS = {
    "city_admin": 3, "district_officer": 3, "street_officer_a": 2, "street_officer_b": 1, "community_secretary": 2,
    "grid_worker": 1, "department_staff": 2, "resident": 403, "auditor": 403, "anonymous": 401,
}


@everyone()
def test_places_are_visible_to_departments_too(client_as, reg, persona):
    response = client_as(persona).get(f"{API}/buildings")
    expected = expect(BUILDINGS, persona)
    if expected in (401, 403):
        assert response.status_code == expected
    else:
        assert response.json()["count"] == expected


STATISTICS_OF_DISTRICT = {
    "city_admin": 200, "district_officer": 200, "street_officer_a": 404, "street_officer_b": 404,
    "community_secretary": 404, "grid_worker": 404, "department_staff": 404, "resident": 403, "auditor": 200,
    "anonymous": 401,
}


@everyone()
def test_statistics_of_a_division_need_it_in_scope(client_as, city, reg, persona):
    response = client_as(persona).get(f"{API}/statistics/{city.district.pk}")
    assert response.status_code == expect(STATISTICS_OF_DISTRICT, persona)
    if response.status_code == 200:
        body = response.json()
        assert body["total"]["population"] == 5
        assert [p["division"]["code"] for p in body["parts"]] == [city.street_a.code, city.street_b.code]
        assert [p["figures"]["population"] for p in body["parts"]] == [4, 1]


def test_every_answer_is_masked(client_as, reg):
    clear = [crypto.unseal(r.id_number_sealed) for r in Resident.objects.all() if r.id_number_sealed]
    phones = ["13912345678", "13800001111", "13700002222"]
    for persona in PERSONAS:
        c = client_as(persona)
        for path in ("/residents", f"/residents/{reg.zhang.pk}", f"/households/{reg.household_a.pk}",
                     "/residents/search?q=z", "/residents/overdue-care", "/households"):
            body = c.get(f"{API}{path}").content.decode()
            assert not any(n in body for n in clear + phones), (persona, path)
    body = client_as("grid_worker").get(f"{API}/residents/{reg.zhang.pk}").json()
    assert body["id_number"] == "429999********" + clear[0][-4:] and body["phone"] == "139****5678"


# --- writes ------------------------------------------------------------------------------------------------

CREATE_RESIDENT = {  # in household A (grid A)
    "city_admin": 201, "district_officer": 403, "street_officer_a": 201, "street_officer_b": 404,
    "community_secretary": 201, "grid_worker": 201, "department_staff": 404, "resident": 404, "auditor": 404,
    "anonymous": 401,
}


@everyone()
def test_who_may_enter_a_resident(client_as, reg, persona):
    response = client_as(persona).post(f"{API}/residents", {
        "household_id": reg.household_a.pk, "name": "张小伟", "birth_date": "2020-02-02", "gender": "male",
        "relation": "grandchild", "tags": ["left_behind_child"]}, content_type="application/json")
    assert response.status_code == expect(CREATE_RESIDENT, persona), response.content
    if response.status_code == 201:
        body = response.json()
        assert body["tags"][0]["code"] == "left_behind_child"
        assert [e["kind"] for e in body["history"]] == ["registered"]
        assert AuditEntry.objects.filter(action="resident.create", object_id=str(body["id"])).exists()


def test_an_invalid_resident_is_refused_field_by_field(client_as, reg):
    response = client_as("grid_worker").post(f"{API}/residents", {
        "household_id": reg.household_a.pk, "name": "错", "id_number": "429999195003010012", "phone": "1234"},
        content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["problems"]) == {"id_number", "phone"}


REVEAL = {
    "city_admin": 403, "district_officer": 403, "street_officer_a": 403, "street_officer_b": 404,
    "community_secretary": 200, "grid_worker": 200, "department_staff": 404, "resident": 404, "auditor": 404,
    "anonymous": 401,
}


@everyone()
def test_reveal_matrix(client_as, reg, persona):
    response = client_as(persona).post(f"{API}/residents/{reg.zhang.pk}/reveal", {"field": "phone"},
                                       content_type="application/json")
    assert response.status_code == expect(REVEAL, persona)
    reveals = AuditEntry.objects.filter(action="resident.reveal")
    if response.status_code == 200:
        assert response.json() == {"field": "phone", "value": "13912345678"}
        assert reveals.get().actor.username == persona
    else:
        assert not reveals.exists()


LOG_VISIT = {
    "city_admin": 403, "district_officer": 403, "street_officer_a": 403, "street_officer_b": 404,
    "community_secretary": 201, "grid_worker": 201, "department_staff": 404, "resident": 404, "auditor": 404,
    "anonymous": 401,
}


@everyone()
def test_who_may_log_a_visit(client_as, reg, persona):
    response = client_as(persona).post(f"{API}/visits", {"household_id": reg.household_a.pk, "notes": "身体好"})
    assert response.status_code == expect(LOG_VISIT, persona), response.content


EXPORT = {
    "city_admin": 5, "district_officer": 5, "street_officer_a": 4, "street_officer_b": 1, "community_secretary": 4,
    "grid_worker": 403, "department_staff": 403, "resident": 403, "auditor": 403, "anonymous": 401,
}


@everyone()
def test_exports_are_scoped_masked_and_audited(client_as, reg, persona):
    response = client_as(persona).get(f"{API}/exports/residents")
    expected = expect(EXPORT, persona)
    if expected in (401, 403):
        assert response.status_code == expected
        assert not AuditEntry.objects.filter(action="registry.export").exists()
        return
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("姓名", "性别", "出生日期", "公民身份号码") and len(rows) - 1 == expected
    ids = [r[3] for r in rows[1:] if r[3]]
    assert ids and all("********" in i for i in ids)
    entry = AuditEntry.objects.get(action="registry.export")
    assert entry.actor.username == persona and entry.after["rows"] == expected and not entry.after["full_values"]


def test_full_value_exports_need_the_reveal_right(client_as, reg, city):
    assert client_as("street_officer_a").get(f"{API}/exports/residents?full_values=true").status_code == 403
    response = client_as("community_secretary").get(f"{API}/exports/residents?full_values=true&tag=elderly_alone")
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active.iter_rows(
        values_only=True))
    assert [r[0] for r in rows[1:]] == ["张伟"] and rows[1][3] == crypto.unseal(reg.zhang.id_number_sealed)
    entry = AuditEntry.objects.get(action="registry.export")
    tag = Tag.objects.get(code="elderly_alone")
    assert entry.after == {"entity": "residents", "filters": {"tag": tag.pk, "status": "active", "address": ""},
                           "rows": 1, "full_values": True}
    assert entry.division_id == city.community_a.pk


IMPORT = {
    "city_admin": 202, "district_officer": 403, "street_officer_a": 202, "street_officer_b": 202,
    "community_secretary": 202, "grid_worker": 403, "department_staff": 403, "resident": 403, "auditor": 403,
    "anonymous": 401,
}


@everyone()
def test_who_may_import(client_as, reg, persona):
    from gongzhi.registry.spreadsheets.templates import template_for

    upload = io.BytesIO(template_for("buildings"))
    upload.name = "buildings.xlsx"
    response = client_as(persona).post(f"{API}/imports", {"entity": "buildings", "file": upload})
    assert response.status_code == expect(IMPORT, persona)


# --- search ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("q", "found"), [
    ("zw", ["zhang"]), ("ZW", ["zhang"]), ("张", ["zhang"]), ("李", ["li", "child"]), ("lxm", ["child"]),
    ("139 1234 5678", ["zhang"]), ("13800001111", ["li"]), ("1390000", []), ("王", ["wang"]), ("赵", []),
])
def test_search_by_name_initials_and_phone_in_scope(client_as, reg, q, found):
    response = client_as("street_officer_a").get(f"{API}/residents/search", {"q": q})
    ids = [r["id"] for r in response.json()]
    assert ids == [getattr(reg, k).pk for k in found]


def test_search_by_id_number_and_its_last_digits(client_as, reg):
    full = crypto.unseal(reg.li.id_number_sealed)
    c = client_as("grid_worker")
    assert [r["id"] for r in c.get(f"{API}/residents/search", {"q": full[-4:]}).json()] == [reg.li.pk]
    assert [r["id"] for r in c.get(f"{API}/residents/search", {"q": full}).json()] == [reg.li.pk]
    # 赵强 is outside the grid worker's grid: found by nobody but those who cover grid B.
    zhao = crypto.unseal(reg.zhao.id_number_sealed)
    assert c.get(f"{API}/residents/search", {"q": zhao}).json() == []
    assert len(client_as("street_officer_b").get(f"{API}/residents/search", {"q": zhao}).json()) == 1


def test_list_filters(client_as, reg, city):
    c = client_as("street_officer_a")
    by_tag = c.get(f"{API}/residents", {"tag": "floating"}).json()
    assert [r["id"] for r in by_tag["items"]] == [reg.li.pk]
    in_grid = c.get(f"{API}/residents", {"division": city.grid_a_2.pk}).json()
    assert [r["id"] for r in in_grid["items"]] == [reg.wang.pk]
    assert c.get(f"{API}/residents", {"division": city.grid_b.pk}).status_code == 404
    by_address = c.get(f"{API}/residents", {"address": "槐荫路2号"}).json()
    assert [r["id"] for r in by_address["items"]] == [reg.wang.pk]
    assert c.get(f"{API}/residents", {"tag": "nonsense"}).status_code == 400


def test_list_query_count_does_not_follow_the_rows(client_as, reg, django_assert_max_num_queries):
    c = client_as("city_admin")
    c.get(f"{API}/residents")  # warm: session, user
    with django_assert_max_num_queries(8):
        c.get(f"{API}/residents")


@pytest.mark.parametrize(("entity", "query", "rows", "header"), [
    ("households", "", 3, "Building address"), ("households", "not_visited_days=30", 3, "Building address"),
    ("buildings", "", 2, "Address"), ("things", "", 0, "Code"), ("facilities", "", 0, "Name"),
    ("organisations", "", 0, "Name"), ("residents", "tag=floating&status=all", 1, "Name"),
])
def test_every_list_exports_in_english_too(client_as, reg, entity, query, rows, header):
    response = client_as("street_officer_a").get(f"{API}/exports/{entity}?language=en&{query}")
    assert response.status_code == 200
    sheet = list(load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active.iter_rows(
        values_only=True))
    assert sheet[0][0] == header and len(sheet) - 1 == rows


def test_templates_download(client_as, reg):
    response = client_as("grid_worker").get(f"{API}/templates/residents?language=en")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(response.content)).active["A1"].value == "Name"
