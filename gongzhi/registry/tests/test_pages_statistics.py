"""The registry's figures on the division pages: the panel appears only for those whose statistics
scope holds the whole division, and the figures it loads are the statistics selector's."""

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.registry.services import visits

from .pages import html, main

pytestmark = pytest.mark.django_db
SLOT = 'id="registry-statistics"'


def division_page(client, division):
    return client.get(reverse("divisions:detail", args=[division.pk]))


def panel(client, division, **headers):
    return client.get(reverse("registry:statistics", args=[division.pk]), **headers)


@pytest.mark.parametrize(("username", "where"), [
    ("city_admin", "district"), ("district_officer", "street_a"), ("street_officer_a", "street_a"),
    ("community_secretary", "community_a"), ("grid_worker", "grid_a"), ("department_staff", "street_a"),
    ("auditor", "district"),
])
def test_the_panel_is_on_the_division_page_for_those_who_may(client_as, city, reg, username, where):
    c = client_as(username)
    assert SLOT in main(division_page(c, getattr(city, where)))
    assert panel(c, getattr(city, where), HTTP_HX_REQUEST="true").status_code == 200


def test_a_division_only_partly_in_scope_has_no_figures(client_as, city, reg):
    # The grid worker's scope holds one grid of the community, the squadron's one street of the
    # district: the whole division's figures are not theirs (nor are its pages).
    assert panel(client_as("grid_worker"), city.community_a).status_code == 404
    assert panel(client_as("department_staff"), city.district).status_code == 404


def test_a_division_page_without_the_right_has_no_panel(client_as, city, reg, request):
    # Every role that sees a division page has registry statistics there today; a role without them
    # would see the page and no panel.
    from gongzhi.accounts.choices import Role
    from gongzhi.core import roles
    from gongzhi.registry.permissions import RegistryAction

    roles.revoke_grant(Role.STREET_OFFICER, {RegistryAction.STATISTICS})
    request.addfinalizer(lambda: roles.grant(Role.STREET_OFFICER, {RegistryAction.STATISTICS}))
    c = client_as("street_officer_a")
    response = division_page(c, city.street_a)
    assert response.status_code == 200 and SLOT not in main(response)
    assert panel(c, city.street_a).status_code == 404


@pytest.mark.parametrize(("username", "where"), [
    ("street_officer_b", "street_a"), ("grid_worker", "grid_a_2"), ("resident", "community_a"),
    ("community_secretary", "community_b"),
])
def test_figures_outside_the_scope_are_not_found(client_as, city, reg, username, where):
    assert panel(client_as(username), getattr(city, where)).status_code == 404


def test_anonymous_is_sent_to_log_in(client, city):
    response = panel(client, city.street_a)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_figures_of_a_street(client_as, city, reg):
    visits.log_visit(actor=city.users["grid_worker"], household=reg.household_a, visited_on=timezone.localdate())
    response = panel(client_as("street_officer_a"), city.street_a, HTTP_HX_REQUEST="true")
    page = html(response)
    assert "<main" not in page  # the panel alone, for the division page to place
    figures = response.context["stats"].total
    assert (figures.population, figures.households, figures.floating) == (4, 3, 1)
    assert figures.occupied_households == 3 and figures.visited_households == 1
    assert '<span class="stat-value">4</span>' in page and '<span class="stat-value">33.3%</span>' in page
    tags = dict(response.context["tags"])
    assert tags["Elderly living alone"] == 1 and tags["Floating population"] == 1 and tags["Veteran"] == 0
    ages = dict(response.context["ages"])
    assert (ages["0-6"], ages["7-17"], ages["35-59"], ages["60-79"]) == (0, 1, 2, 1) and sum(ages.values()) == 4
    # one row per community of the street
    assert [part.name for part, _f in response.context["stats"].parts] == ["书院社区", "北外社区"]
    assert "书院社区" in page and "北外社区" in page


def test_the_figures_as_a_page_of_their_own(client_as, city, reg):
    response = panel(client_as("grid_worker"), city.grid_a)
    page = main(response)
    assert response.status_code == 200 and "书院社区第一网格" in page and "People and households" in page
    assert response.context["stats"].total.population == 3
