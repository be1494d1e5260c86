"""Headers every answer carries: a Content-Security-Policy under which no inline or outside script
runs, HSTS when the deployment asks for it, and no caching of what a signed-in user is shown."""

import re
from pathlib import Path

import pytest

import gongzhi
from gongzhi.core.security import content_security_policy

pytestmark = pytest.mark.django_db


def test_pages_carry_a_policy_that_runs_only_our_own_scripts(client):
    response = client.get("/accounts/login/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_no_template_has_an_inline_script():
    """Only data blocks (type="application/json") and scripts with a src: the policy would block
    anything else, and the page would silently lose it."""
    inline = []
    for template in Path(gongzhi.__file__).parent.rglob("*.html"):
        for tag in re.findall(r"<script\b[^>]*>", template.read_text(encoding="utf-8")):
            if "src=" not in tag and 'type="application/json"' not in tag:
                inline.append(f"{template.name}: {tag}")
    assert inline == []


def test_a_tile_service_is_allowed_as_an_image_source(settings):
    settings.MAP_TILE_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    assert "img-src 'self' data: blob: https://tiles.example.gov.cn" in content_security_policy()


def test_signed_in_pages_and_the_api_are_not_cached(client_as):
    page = client_as("street_officer_a").get("/")
    assert page.status_code == 200
    assert {"private", "no-store"} <= {p.strip() for p in page.headers["Cache-Control"].split(",")}
    api = client_as("street_officer_a").get("/api/v1/me")
    assert "no-store" in api.headers["Cache-Control"]


def test_a_view_that_chose_its_caching_keeps_it(client_as):
    """A header the view set itself (a photo kept an hour in the browser) is left as it is."""
    from django.http import HttpResponse

    from gongzhi.core.security import SecurityHeadersMiddleware

    def view(request):
        response = HttpResponse("photo")
        response["Cache-Control"] = "private, max-age=3600"
        return response

    request = client_as("street_officer_a").get("/").wsgi_request
    assert SecurityHeadersMiddleware(view)(request).headers["Cache-Control"] == "private, max-age=3600"


def test_hsts_when_the_deployment_serves_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/accounts/login/", secure=True)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
