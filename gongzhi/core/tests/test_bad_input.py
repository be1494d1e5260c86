"""Ordinary bad input is the client's mistake: a NUL character, a page beyond any list, a path no
route matches, an oversized body, a bad token — each answers 4xx in the documented shape, never
500 and never an HTML page under /api/ (gongzhi.core.badinput, gongzhi.accounts.auth)."""

import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.accounts.models import ApiToken
from gongzhi.accounts.services import issue_token, revoke_token
from gongzhi.api import api as ninja_api
from gongzhi.cases.models import Case
from gongzhi.core.badinput import MAX_PAGE
from gongzhi.demo.fixture_city import X0, Y0

pytestmark = pytest.mark.django_db

NUL = "\x00"
IN_GRID_A = {"lng": str(X0 + 0.005), "lat": str(Y0 + 0.005)}


@pytest.fixture
def bearer(city):
    def headers(persona: str) -> dict:
        token, raw = issue_token(actor=city.users[persona])
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return {"Authorization": f"Bearer {raw}"}

    return headers


def assert_error_shape(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["code"], str) and body["code"]
    if code is not None:
        assert body["code"] == code
    return body


# --- NUL characters ------------------------------------------------------------------------------

def test_a_nul_in_a_json_body_is_refused_before_signing_in(client, city):
    response = client.post("/api/v1/auth/token", {"username": "city_admin\x00", "password": "x"},
                           content_type="application/json")
    body = assert_error_shape(response, 400, "invalid")
    assert "NUL" in body["detail"]


def test_an_escaped_backslash_is_no_nul(client, city):
    # JSON text `"a\\u0000"` is a backslash followed by "u0000": ordinary text, not refused here.
    response = client.post("/api/v1/auth/token", '{"username": "a\\\\u0000", "password": "x"}',
                           content_type="application/json")
    assert response.status_code == 401


@pytest.mark.parametrize("path", [
    "/api/v1/cases/track/AB\x00CD",
    "/api/v1/cases/categories/suggest?text=%00",
    "/api/v1/cases/nearby?lng=113.9&lat=30.9&text=%00",
])
def test_a_nul_in_an_anonymous_path_or_query_is_refused(client, city, path):
    assert_error_shape(client.get(path), 400, "invalid")


def test_a_nul_in_a_signed_in_search_is_refused(client, bearer):
    response = client.get("/api/v1/divisions/search", {"q": "书院\x00"}, headers=bearer("city_admin"))
    assert_error_shape(response, 400, "invalid")


def test_a_nul_in_an_anonymous_report_files_nothing(client, city):
    response = client.post("/api/v1/cases/", {"description": "路边\x00有垃圾", **IN_GRID_A})
    assert_error_shape(response, 400, "invalid")
    assert not Case.objects.exists()


def test_a_nul_in_a_json_edit_changes_nothing(client, bearer, city):
    response = client.patch("/api/v1/cases/categories/litter", {"name_en": "Rubbish\x00"},
                            content_type="application/json", headers=bearer("city_admin"))
    assert_error_shape(response, 400, "invalid")


def test_a_nul_in_a_page_form_answers_a_400_page(client, city):
    response = client.post("/accounts/login/", {"username": "city_admin\x00", "password": "x"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert b"NUL" in response.content


def test_a_nul_in_open311_answers_the_spec_error_array(client, city):
    response = client.get("/open311/v2/requests.json", {"service_code": "litter\x00"})
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400 and "NUL" in error["description"]


def test_a_photo_may_hold_nul_bytes(client, city):
    # An upload's bytes are not text: the refusal looks at fields and file names only.
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("p.jpg", b"\xff\xd8\xff\x00\x00", content_type="image/jpeg")
    response = client.post("/api/v1/cases/", {"description": "路边有垃圾", "lng": "0", "lat": "0",
                                              "photos": [photo]})
    assert response.status_code != 400 or "NUL" not in response.json()["detail"]


# --- pages beyond any list -----------------------------------------------------------------------

def paginated_lists():
    """Every list of the OpenAPI document with a `page` argument, whatever router adds one later."""
    schema = ninja_api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            params = {p["name"]: p for p in operation.get("parameters", [])}
            if "page" in params and params["page"]["in"] == "query":
                yield method, path, params


def test_the_schema_documents_how_far_pages_go():
    lists = list(paginated_lists())
    assert len(lists) >= 12
    for _method, _path, params in lists:
        assert params["page"]["schema"]["maximum"] == MAX_PAGE


def test_the_document_is_built_once_and_each_caller_gets_its_own_copy():
    from django.utils import translation

    first = ninja_api.get_openapi_schema(path_prefix="/api/v1/")
    first["paths"].clear()  # a caller (the fuzz test does) changes its copy
    again = ninja_api.get_openapi_schema(path_prefix="/api/v1/")
    assert again["paths"] and again == ninja_api.get_openapi_schema(path_prefix="/api/v1/")
    assert again is not ninja_api.get_openapi_schema(path_prefix="/api/v1/")
    with translation.override("zh-hans"):
        assert ninja_api.get_openapi_schema(path_prefix="/api/v1/")["paths"].keys() == again["paths"].keys()
    assert len({key[2] for key in ninja_api._schemas}) >= 2  # one document per language


@pytest.mark.parametrize("page", ["99999999999999999999", str(MAX_PAGE + 1), "9" * 5000])
def test_an_absurd_page_of_every_list_is_refused_as_invalid(client, bearer, city, page):
    headers = bearer("city_admin")
    # The middleware refuses the page before any view looks the object up: any id will do.
    path_values = {"division_id": city.community_a.pk, "name": "to_register", "month": "2026-02",
                   "organisation_id": 1, "activity_id": 1}
    for method, path, _params in paginated_lists():
        url = path
        for name, value in path_values.items():
            url = url.replace("{" + name + "}", str(value))
        url = re.sub(r"\{\w+_id\}", "1", url)  # any other object's id will do as well
        assert "{" not in url, url
        response = client.generic(method.upper(), f"{url}?page={page}", headers=headers)
        body = assert_error_shape(response, 422, "invalid")
        assert body["problems"][0]["loc"] == ["query", "page"], url


def test_the_last_allowed_page_is_an_empty_page(client, bearer, city):
    for method, path, _params in paginated_lists():
        if "{" in path:
            continue
        response = client.generic(method.upper(), f"{path}?page={MAX_PAGE}", headers=bearer("city_admin"))
        assert response.status_code in (200, 403), (path, response.content[:200])
        if response.status_code == 200:
            body = response.json()
            assert body["items"] == [], path


# --- one error shape under /api/ -----------------------------------------------------------------

def test_a_path_no_route_matches_answers_json(client, bearer):
    response = client.get("/api/v1/grids/null,null", headers=bearer("city_admin"))
    assert_error_shape(response, 404, "not_found")
    assert_error_shape(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_an_oversized_body_answers_json(client, bearer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/api/v1/grids/import", json.dumps({"type": "FeatureCollection", "x": "a" * 2000}),
                           content_type="application/json", headers=bearer("city_admin"))
    assert_error_shape(response, 413, "too_large")


# --- 401 for a missing or bad token --------------------------------------------------------------

def test_a_revoked_token_reporting_answers_401_and_files_nothing(client, city):
    token, raw = issue_token(actor=city.users["resident"])
    revoke_token(actor=city.users["resident"], token=token)
    response = client.post("/api/v1/cases/", {"description": "路边有垃圾", **IN_GRID_A},
                           headers={"Authorization": f"Bearer {raw}"})
    assert_error_shape(response, 401, "unauthorized")
    assert not Case.objects.exists()


def test_an_unknown_token_answers_401_where_a_session_would_do(client_as, city):
    browser = client_as("city_admin")
    response = browser.get("/api/v1/cases/list", headers={"Authorization": "Bearer gz_not-a-token"})
    assert_error_shape(response, 401, "unauthorized")


def test_an_anonymous_report_is_not_refused_as_a_forged_session(city):
    from gongzhi.cases.services.catalogue import seed_catalogue

    seed_catalogue()
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/api/v1/cases/", {"description": "路边有垃圾", "category": "litter", **IN_GRID_A})
    assert response.status_code == 201, response.content
    case = Case.objects.get(tracking_number=response.json()["tracking_number"])
    assert case.reporter_id is None


def test_an_anonymous_write_that_needs_an_account_answers_401(city):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/api/v1/cases/categories", {"code": "x1", "name_zh": "甲", "name_en": "A"},
                            content_type="application/json")
    assert_error_shape(response, 401, "unauthorized")


def test_a_signed_in_session_still_needs_its_csrf_token(client_as, city):
    browser = client_as("city_admin")
    browser.handler.enforce_csrf_checks = True
    response = browser.post("/api/v1/cases/categories", {"code": "x1", "name_zh": "甲", "name_en": "A"},
                            content_type="application/json")
    assert_error_shape(response, 403, "csrf")
