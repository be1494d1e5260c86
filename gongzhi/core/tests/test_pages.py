"""The shell, the home page and the audit page, per persona."""

import re

import pytest
from django.urls import reverse

from gongzhi.core.models import AuditEntry
from gongzhi.divisions.services.hierarchy import rename_division

pytestmark = pytest.mark.django_db

STAFF = ["city_admin", "district_officer", "street_officer_a", "street_officer_b", "community_secretary",
         "grid_worker", "department_staff", "auditor"]
AUDIT_READERS = {"city_admin", "auditor"}


def html(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("url", ["/", "/divisions/", "/audit/", "/accounts/profile/", "/accounts/tokens/"])
def test_anonymous_is_sent_to_login(client, city, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", STAFF)
def test_home_shows_who_i_am_and_my_divisions(client_as, city, persona):
    response = client_as(persona).get("/")
    assert response.status_code == 200
    page = html(response)
    user = city.users[persona]
    assert user.display_name in page
    tops = {"city_admin": city.city, "district_officer": city.district, "auditor": city.district,
            "street_officer_a": city.street_a, "department_staff": city.street_a,
            "street_officer_b": city.street_b,
            "community_secretary": city.community_a, "grid_worker": city.grid_a}[persona]
    assert f'href="/divisions/{tops.pk}/"' in page


def test_home_of_street_a_never_names_street_b(client_as, city):
    page = html(client_as("street_officer_a").get("/"))
    assert "书院街道" in page
    assert "新华街道" not in page
    assert "府前社区" not in page


def test_resident_gets_a_landing_page_with_their_community(client_as, city):
    response = client_as("resident").get("/")
    page = html(response)
    assert response.status_code == 200
    assert "书院社区" in page
    assert "新华街道" not in page
    # No workbench navigation for a resident.
    assert reverse("divisions:tree") not in page
    assert reverse("audit:list") not in page


@pytest.mark.parametrize("persona", [*STAFF, "resident"])
def test_navigation_shows_only_what_the_roles_allow(client_as, city, persona):
    page = html(client_as(persona).get("/"))
    nav = page[page.index('<nav class="site-nav"'):page.index("</nav>", page.index('<nav class="site-nav"'))]
    assert ('href="/divisions/"' in nav) == (persona != "resident")
    assert ('href="/audit/"' in nav) == (persona in AUDIT_READERS)
    assert 'href="/accounts/profile/"' in nav
    assert 'action="/accounts/logout/"' in page
    assert 'method="post"' in page


def test_shell_loads_htmx_from_our_static_files_and_sends_csrf(client_as, city):
    page = html(client_as("district_officer").get("/"))
    assert "/static/vendor/htmx.org/htmx.min.js" in page
    assert 'hx-headers=\'{"X-CSRFToken": "' in page
    assert "leaflet" not in page  # only map pages load Leaflet


def test_language_switch_renders_english(client_as, city, settings):
    settings.LANGUAGE_CODE = "zh-hans"  # the product's default (tests otherwise run in English)
    c = client_as("district_officer")
    page = html(c.get("/"))
    assert '<html lang="zh-hans">' in page
    assert 'name="language"' in page
    assert reverse("set_language") in page
    response = c.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = html(c.get("/"))
    assert '<html lang="en">' in page
    assert "My divisions" in page
    assert "Log out" in page


EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["'](?:https?:)?//""", re.I)
CSS_URL = re.compile(r"url\(\s*['\"]?(?:https?:)?//", re.I)


@pytest.mark.parametrize("persona", ["district_officer", "resident"])
def test_pages_reference_no_external_host(client_as, city, persona):
    c = client_as(persona)
    urls = ["/", "/accounts/profile/", "/accounts/password/", "/accounts/tokens/"]
    if persona != "resident":
        urls += ["/divisions/", f"/divisions/{city.community_a.pk}/",
                 f"/divisions/{city.community_a.pk}/map/",
                 f"/divisions/{city.community_a.pk}/coverage/"]
    for url in urls:
        page = html(c.get(url))
        assert not EXTERNAL.search(page), url
        assert not CSS_URL.search(page), url


def test_login_page_references_no_external_host(client, city):
    assert not EXTERNAL.search(html(client.get(reverse("accounts:login"))))


# --- audit -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", sorted(set(STAFF) - AUDIT_READERS | {"resident"}))
def test_audit_page_is_forbidden_without_view_audit(client_as, city, persona):
    assert client_as(persona).get("/audit/").status_code == 403


def _renames(city):
    rename_division(actor=city.users["district_officer"], division=city.street_a, name="书院新街道",
                    reason="区划调整")
    rename_division(actor=city.users["district_officer"], division=city.community_b, name="府前新社区",
                    reason="居民建议")


def test_auditor_reads_rows_with_a_readable_diff(client_as, city):
    _renames(city)
    page = html(client_as("auditor").get("/audit/"))
    assert "division.rename" in page
    assert "<del>书院街道</del>" in page
    assert "<ins>书院新街道</ins>" in page
    assert "区划调整" in page
    assert city.users["district_officer"].display_name in page


def test_audit_filters(client_as, city):
    _renames(city)
    c = client_as("auditor")
    page = html(c.get("/audit/", {"action": "division.rename", "object_id": city.community_b.pk}))
    assert "府前新社区" in page
    assert "书院新街道" not in page
    page = html(c.get("/audit/", {"person": "district_officer"}))
    assert "书院新街道" in page
    assert "府前新社区" in page
    page = html(c.get("/audit/", {"person": "nobody"}))
    assert "书院新街道" not in page
    page = html(c.get("/audit/", {"since": "2999-01-01"}))
    assert "书院新街道" not in page
    response = c.get("/audit/", {"since": "2025-02-01", "until": "2025-01-01"})
    assert response.status_code == 200
    assert "field-error" in html(response)


def test_audit_paginates(client_as, city):
    c = client_as("city_admin")
    for i in range(60):
        rename_division(actor=city.users["city_admin"], division=city.grid_b, name=f"网格{i}", reason="测试")
    page = html(c.get("/audit/"))
    assert 'rel="next"' in page
    assert AuditEntry.objects.count() > 60
    page2 = html(c.get("/audit/", {"page": 2}))
    assert 'rel="prev"' in page2
    assert html(c.get("/audit/", {"page": "not-a-number"})).count("<tr") > 1
