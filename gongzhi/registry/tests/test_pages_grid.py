"""My grid (我的网格): who may open it and what each role sees there — scoped lists, the tag filter,
the search box, the to-do lists of visits, the division picker, masking, and the nav link."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.choices import Role
from gongzhi.registry.services import people, visits

from .factories import tag
from .pages import client_for, html, listed, main, person

pytestmark = pytest.mark.django_db
URL = reverse("registry:grid")


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("username", ["resident", "auditor"])
def test_roles_without_the_registry_are_refused(client_as, reg, username):
    assert client_as(username).get(URL).status_code == 403


def test_the_grid_worker_sees_their_grid_only(client_as, city, reg):
    response = client_as("grid_worker").get(URL)
    assert response.status_code == 200
    page = main(response)
    assert "书院社区第一网格" in page and "My grid" in page
    assert "槐荫路1号1栋 1单元101" in page and "槐荫路1号1栋 1单元102" in page
    assert "槐荫路2号" not in page and "府前路8号" not in page  # grid A-2 and grid B
    assert 'id="area-select"' not in page  # one grid: nothing to pick


def test_another_grid_is_not_found_for_a_grid_worker(client_as, city, reg):
    c = client_as("grid_worker")
    assert c.get(URL, {"division": city.grid_a_2.pk}).status_code == 404
    assert c.get(URL, {"division": city.community_a.pk}).status_code == 404
    assert c.get(URL, {"division": "x"}).status_code == 404
    worker_b = client_for(person(city, "worker_b", Role.GRID_WORKER, city.grid_b))
    page = main(worker_b.get(URL))
    assert "府前路8号" in page and "槐荫路" not in page


def test_community_staff_pick_a_grid_of_their_community(client_as, city, reg):
    c = client_as("community_secretary")
    page = main(c.get(URL))
    assert "书院社区" in page and 'id="area-select"' in page
    assert "书院社区第一网格" in page and "书院社区第二网格" in page  # the grids to pick
    assert "槐荫路1号1栋 1单元101" in page and "槐荫路2号" in page and "府前路8号" not in page
    page = main(c.get(URL, {"division": city.grid_a_2.pk}))
    assert "槐荫路2号" in page and "槐荫路1号1栋" not in page
    assert c.get(URL, {"division": city.grid_b.pk}).status_code == 404
    staff = client_for(person(city, "staff_a", Role.COMMUNITY_STAFF, city.community_a))
    assert "槐荫路2号" in main(staff.get(URL))


def test_a_street_officer_sees_the_street_and_not_the_other(client_as, city, reg):
    page = main(client_as("street_officer_a").get(URL))
    assert "槐荫路1号1栋" in page and "槐荫路2号" in page and "府前路8号" not in page
    page = main(client_as("street_officer_b").get(URL))
    assert "府前路8号" in page and "槐荫路" not in page
    assert client_as("street_officer_b").get(URL, {"division": city.street_a.pk}).status_code == 404


def test_department_staff_see_places_but_no_people(client_as, city, reg):
    c = client_as("department_staff")  # the street-A squadron: places of street A, no personal data
    response = c.get(URL, {"tab": "households"})
    assert response.status_code == 200
    page = main(response)
    assert "槐荫路1号1栋" in page  # the buildings list, the first tab they have
    assert "tab=people" not in page and "tab=care" not in page and "张伟" not in page
    found = listed(c.get(URL, {"q": "张伟"}))
    assert "Nothing found for “张伟”" in found and "张伟" not in found.replace("“张伟”", "")


def test_people_by_tag(client_as, reg):
    c = client_as("grid_worker")
    page = main(c.get(URL, {"tab": "people"}))
    assert "张伟" in page and "李娜" in page and "李小明" in page
    assert "Elderly living alone" in page and "独居老人" not in page  # the tag chips in the page's language
    page = main(c.get(URL, {"tab": "people", "tag": "floating"}))
    assert "李娜" in page and "张伟" not in page and "李小明" not in page
    page = main(c.get(URL, {"tab": "people", "tag": "elderly_alone"}))
    assert "张伟" in page and "李娜" not in page


def test_lists_show_phones_masked(client_as, reg):
    page = html(client_as("grid_worker").get(URL, {"tab": "people"}))
    assert "139****5678" in page and "13912345678" not in page
    assert "19500301" not in page  # no ID number in a list, not even masked


def test_search_by_name_initials_last_digits_and_phone(client_as, city, reg):
    c = client_as("grid_worker")
    for text in ["张伟", "zw", reg.zhang.id_last4, "139 1234 5678"]:
        page = listed(c.get(URL, {"q": text}))
        assert "张伟" in page, text
    page = listed(c.get(URL, {"q": "赵强"}))  # grid B: not this grid worker's
    assert "赵强" not in page.replace("“赵强”", "") and "Nobody found" in page
    page = listed(c.get(URL, {"q": "槐荫路1号"}))  # an address finds the households there
    assert "槐荫路1号1栋 1单元101" in page


def test_search_answers_htmx_with_the_results_only(client_as, reg):
    response = client_as("grid_worker").get(URL, {"q": "zw"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="grid-content")
    page = html(response)
    assert "张伟" in page and "<html" not in page and 'id="grid-q"' not in page


def test_households_not_visited_in_n_days(client_as, city, reg):
    worker = city.users["grid_worker"]
    today = timezone.localdate()
    visits.log_visit(actor=worker, household=reg.household_a, visited_on=today - dt.timedelta(days=100))
    visits.log_visit(actor=worker, household=reg.household_a2, visited_on=today - dt.timedelta(days=10))
    c = client_as("grid_worker")
    page = main(c.get(URL, {"tab": "not_visited", "days": 30}))
    assert "1单元101" in page and "1单元102" not in page
    page = main(c.get(URL, {"tab": "not_visited", "days": 5}))
    assert "1单元101" in page and "1单元102" in page
    page = main(c.get(URL, {"tab": "not_visited", "days": 365}))
    assert "1单元101" not in page and "Every occupied household has been visited in the last 365 days" in page
    page = main(c.get(URL, {"tab": "not_visited", "days": "soon"}))  # nonsense: the default, 90 days
    assert 'value="90"' in page and "1单元101" in page


def test_the_default_n_comes_from_the_settings(client_as, settings, reg):
    settings.REGISTRY_NOT_VISITED_DAYS = 14
    page = main(client_as("grid_worker").get(URL, {"tab": "not_visited"}))
    assert 'value="14"' in page and "Not visited in 14 days" in page


def test_overdue_care_and_the_counts_above_the_tabs(client_as, city, reg):
    c = client_as("grid_worker")
    page = main(c.get(URL, {"tab": "care"}))
    assert "张伟" in page and "never visited" in page  # elderly living alone, due every 30 days
    assert '<span class="due-count">1</span>' in page.replace("\n", "")
    visits.log_visit(actor=city.users["grid_worker"], household=reg.household_a)
    page = main(c.get(URL, {"tab": "care"}))
    assert "张伟" not in page and "Everyone who needs regular visits has had one in time." in page


def test_open_follow_ups_are_listed_and_closed_from_the_list(client_as, city, reg):
    visit = visits.log_visit(actor=city.users["grid_worker"], household=reg.household_a, follow_up_needed=True,
                             follow_up="联系社区医生上门")
    c = client_as("grid_worker")
    listed = URL + "?tab=follow_ups"
    page = main(c.get(listed))
    assert "联系社区医生上门" in page
    response = c.post(reverse("registry:follow_up_close", args=[visit.pk]), {"note": "医生已上门", "next": listed})
    assert response.status_code == 302 and response["Location"] == listed
    page = main(c.get(listed))
    assert "联系社区医生上门" not in page and "No follow-up is open." in page
    # Somewhere else is never a place to be sent back to.
    other = visits.log_visit(actor=city.users["grid_worker"], household=reg.household_a, follow_up_needed=True,
                             follow_up="再访")
    response = c.post(reverse("registry:follow_up_close", args=[other.pk]), {"next": "https://example.com/"})
    assert response["Location"] == reverse("registry:household", args=[reg.household_a.pk]) + "#visits"


def test_buildings_lead_to_their_households(client_as, reg):
    c = client_as("grid_worker")
    page = main(c.get(URL, {"tab": "buildings"}))
    assert "槐荫路1号1栋" in page and f"building={reg.building_a.pk}" in page
    page = main(c.get(URL, {"tab": "households", "building": reg.building_a.pk}))
    assert "Households in 槐荫路1号1栋" in page and "1单元101" in page
    assert c.get(URL, {"tab": "households", "building": reg.building_b.pk}).status_code == 404


def test_lists_are_paginated(client_as, city, reg):
    from gongzhi.registry.services import places

    for n in range(25):
        places.create_household(actor=None, building=reg.building_a, room=f"2单元{n:03d}")
    c = client_as("grid_worker")
    first = main(c.get(URL))
    assert "Page 1 of 2" in first and "?page=2" in first
    assert "Page 2 of 2" in main(c.get(URL, {"page": 2}))


def test_the_grid_page_does_not_query_per_row(client_as, city, reg, django_assert_max_num_queries):
    c = client_as("grid_worker")
    c.get(URL, {"tab": "people"})  # warm the session and the caches
    with django_assert_max_num_queries(40) as few:
        c.get(URL, {"tab": "people"})
    for n in range(10):
        household = reg.household_a2
        people.create_resident(actor=None, household=household, name=f"测试{n}", tags=[tag("disabled")])
    with django_assert_max_num_queries(len(few.captured_queries)):
        c.get(URL, {"tab": "people"})


@pytest.mark.parametrize(("username", "label"), [
    ("grid_worker", "My grid"), ("community_secretary", "Grid registry"), ("street_officer_a", "Grid registry"),
    ("department_staff", "Grid registry"), ("resident", None), ("auditor", None),
])
def test_the_nav_link(client_as, city, username, label):
    page = html(client_as(username).get(reverse("accounts:profile")))
    nav = page[page.index('<nav class="site-nav"'):page.index("</nav>", page.index('<nav class="site-nav"'))]
    if label is None:
        assert URL not in nav
    else:
        assert f'<a href="{URL}">{label}</a>' in nav
