"""The assessment pages per persona: the ranking and its scope, the unit page, the drill-down
lists (scoped through restrict_cases), exports, and the weights form."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.cases.services import workflow
from gongzhi.core.models import AuditEntry
from gongzhi.demo.fixture_city import X0, Y0

from .conftest import at

pytestmark = pytest.mark.django_db
STREET_A, STREET_B = "书院街道", "新华街道"
DEPT_A, HOUSING, DEPT_B = "孝南区城市管理执法局书院街道中队", "孝南区住建局书院中队", "孝南区城管局新华中队"

# What each persona's ranking tabs name, and must not.
STREETS_SEEN = {
    "city_admin": ({STREET_A, STREET_B}, set()),
    "district_officer": ({STREET_A, STREET_B}, set()),
    "auditor": ({STREET_A, STREET_B}, set()),
    "street_officer_a": ({STREET_A}, {STREET_B}),
    "street_officer_b": ({STREET_B}, {STREET_A}),
    "community_secretary": (set(), {STREET_A, STREET_B}),
    "department_staff": (set(), {STREET_A, STREET_B}),
}
DEPARTMENTS_SEEN = {
    "city_admin": ({DEPT_A, HOUSING, DEPT_B}, set()),
    "district_officer": ({DEPT_A, HOUSING, DEPT_B}, set()),
    "street_officer_a": ({DEPT_A, HOUSING}, {DEPT_B}),
    "street_officer_b": ({DEPT_B}, {DEPT_A, HOUSING}),
    "community_secretary": ({DEPT_A, HOUSING}, {DEPT_B}),
    "department_staff": ({DEPT_A}, {HOUSING, DEPT_B}),
}


def main(response) -> str:
    page = response.content.decode()
    return page[page.index("<main"):page.index("</main>")]


def table(response) -> str:
    page = main(response)
    return page[page.index("<table"):page.index("</table>")] if "<table" in page else ""


@pytest.fixture
def data(week, housing, street_b_department, clock):
    clock.move_to(at(11, 10))
    return week


@pytest.mark.parametrize("persona", sorted(STREETS_SEEN))
def test_ranking_of_streets_shows_the_units_in_scope(client_as, data, persona):
    response = client_as(persona).get(reverse("assessment:ranking"), {"month": "2026-03", "type": "street"})
    assert response.status_code == 200
    rows = table(response)
    seen, unseen = STREETS_SEEN[persona]
    for name in seen:
        assert name in rows, name
    for name in unseen:
        assert name not in rows, name


@pytest.mark.parametrize("persona", sorted(DEPARTMENTS_SEEN))
def test_ranking_of_departments_shows_the_units_in_scope(client_as, data, persona):
    response = client_as(persona).get(reverse("assessment:ranking"), {"month": "2026-03", "type": "department"})
    assert response.status_code == 200
    rows = table(response)
    seen, unseen = DEPARTMENTS_SEEN[persona]
    for name in seen:
        assert name in rows, name
    for name in unseen:
        assert name not in rows, name


@pytest.mark.parametrize("persona", ["resident", "grid_worker"])
def test_no_assessment_for_residents_and_grid_workers(client_as, data, persona):
    c = client_as(persona)
    assert c.get(reverse("assessment:ranking")).status_code == 403
    assert "/assessment/" not in main(c.get("/")) if c.get("/").status_code == 200 else True


def test_anonymous_is_sent_to_log_in(client_as, city):
    response = client_as(None).get(reverse("assessment:ranking"))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_ranking_page_has_rates_links_chart_and_lists(client_as, data, city):
    response = client_as("district_officer").get(reverse("assessment:ranking"), {"month": "2026-03"})
    page = main(response)
    # Street A: score 57.5 (see test_ranking); street B has no rate yet and is not ranked.
    assert "57.50" in page
    assert "50.0%" in page and "25.0%" in page and "100.0%" in page
    assert 'id="ranking-chart-data"' in page and 'data-chart="bar"' in page
    assert "vendor/echarts/echarts.min.js" in response.content.decode()
    assert f"type=street&amp;unit={city.street_a.pk}&amp;metric=responded&amp;month=2026-03" in page
    assert "Red list" in page and "Black list" in page
    assert 'name="viewport"' in response.content.decode()


def test_an_invalid_month_falls_back_with_a_message(client_as, data):
    response = client_as("district_officer").get(reverse("assessment:ranking"), {"month": "2026-13"})
    assert response.status_code == 200
    assert "YYYY-MM" in response.content.decode()


def test_unit_page_has_figures_and_twelve_months(client_as, data, city, department):
    c = client_as("street_officer_a")
    response = c.get(reverse("assessment:unit", args=["department", department.pk]), {"month": "2026-03"})
    assert response.status_code == 200
    page = main(response)
    assert DEPT_A in page and 'data-chart="line"' in page
    assert page.count('<td data-label="Month"') == 12
    assert "10.3 h" in page  # (4.5 + 16) / 2 working hours, half up
    response = c.get(reverse("assessment:unit", args=["grid", city.grid_a.pk]),
                     {"start": "2026-03-02", "end": "2026-03-31"})
    assert response.status_code == 200 and "2026-03-02 – 2026-03-31" in main(response)


@pytest.mark.parametrize(("persona", "unit", "status"), [
    ("street_officer_b", "street_a", 404),
    ("street_officer_a", "street_a", 200),
    ("community_secretary", "community_a", 200),
    ("community_secretary", "community_a2", 404),
    ("department_staff", "street_a", 404),
])
def test_unit_page_scope(client_as, data, city, persona, unit, status):
    division = getattr(city, unit)
    response = client_as(persona).get(reverse("assessment:unit", args=[division.level, division.pk]))
    assert response.status_code == status


def test_unit_page_for_another_department_is_404_for_department_staff(client_as, data, housing):
    url = reverse("assessment:unit", args=["department", housing.pk])
    assert client_as("department_staff").get(url).status_code == 404
    assert client_as("street_officer_a").get(url).status_code == 200
    assert client_as("street_officer_a").get(reverse("assessment:unit", args=["planet", 1])).status_code == 404


def drill(c, unit_type, unit, metric, **extra):
    return c.get(reverse("assessment:cases"), {"type": unit_type, "unit": unit, "metric": metric,
                                               "month": "2026-03", **extra})


def test_drilldown_lists_the_cases_behind_a_number(client_as, data, department):
    response = drill(client_as("street_officer_a"), "department", department.pk, "responded")
    assert response.status_code == 200
    page = main(response)
    for key in ("a", "d"):
        assert data[key].tracking_number in page
        assert f'href="/cases/{data[key].pk}/"' in page
    for key in ("b", "c", "e", "other"):
        assert data[key].tracking_number not in page


def test_drilldown_is_narrowed_to_the_cases_a_user_may_see(client_as, flow, data, city, department):
    # The department does not serve street B: its numbers are out of street B's officer's scope.
    assert drill(client_as("street_officer_b"), "department", department.pk, "received").status_code == 404
    # One more case for the department, in community A2 (street A, not community A).
    officer = city.users["street_officer_a"]
    elsewhere = workflow.dispatch_case(actor=officer, case=workflow.register_case(
        actor=officer, case=flow.report(point=(X0 + 0.03, Y0 + 0.01))))
    assert elsewhere.community == city.community_a2 and elsewhere.handling_department == department
    page = main(drill(client_as("street_officer_a"), "department", department.pk, "received"))
    assert page.count('class="mono"><a href="/cases/') == 5
    page = main(drill(client_as("community_secretary"), "department", department.pk, "received"))
    assert page.count('class="mono"><a href="/cases/') == 4
    assert elsewhere.tracking_number not in page


def test_drilldown_pages(client_as, data, city):
    c = client_as("district_officer")
    response = drill(c, "street", city.street_a.pk, "received", page=2)
    assert response.status_code == 200
    assert drill(c, "street", city.street_b.pk + 10_000, "received").status_code == 404


def test_ranking_export(client_as, data, city):
    c = client_as("district_officer")
    response = c.get(reverse("assessment:ranking_export"), {"month": "2026-03"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="ranking-street-2026-03-')
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:7] == ("Rank", "Places gained since last month", "Unit", "Code", "List", "Score", "Received")
    assert [r[2] for r in rows[1:]] == [STREET_A, STREET_B]
    assert rows[1][5] == 57.5 and rows[1][6] == 5 and rows[1][7] == 0.5
    entry = AuditEntry.objects.get(action="assessment.export_ranking")
    assert entry.actor == city.users["district_officer"]
    assert entry.after == {"unit_type": "street", "month": "2026-03", "source": "live", "city": city.city.pk,
                           "rows": 2}


def test_export_headers_are_chinese_by_default(client_as, data, settings):
    settings.LANGUAGE_CODE = "zh-hans"  # the product's default (tests otherwise read English)
    response = client_as("district_officer").get(reverse("assessment:ranking_export"), {"month": "2026-03"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header = next(book.active.iter_rows(values_only=True))
    assert header[:3] == ("名次", "名次较上月", "单位")
    assert "响应率" in header and "满意率" in header


def test_drilldown_export(client_as, data, department, city):
    c = client_as("street_officer_a")
    response = c.get(reverse("assessment:cases_export"), {"type": "department", "unit": department.pk,
                                                          "metric": "on_time", "month": "2026-03"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:2] == ("Tracking number", "Reported at")
    assert [r[0] for r in rows[1:]] == [data["a"].tracking_number]
    entry = AuditEntry.objects.get(action="assessment.export_cases")
    assert entry.after["rows"] == 1 and entry.after["metric"] == "on_time" and entry.after["unit"] == department.pk
    assert entry.division_id == city.district.pk


def test_weights_page_is_for_city_admins(client_as, data):
    assert client_as("district_officer").get(reverse("assessment:weights")).status_code == 403
    c = client_as("city_admin")
    assert c.get(reverse("assessment:weights")).status_code == 200
    bad = c.post(reverse("assessment:weights"), {"response": 30, "on_time": 30, "resolution": 30,
                                                 "satisfaction": 30, "red_list_size": 3, "black_list_size": 3,
                                                 "min_received": 1, "version": 1})
    assert bad.status_code == 200 and "add up to 100%" in bad.content.decode()
    good = c.post(reverse("assessment:weights"), {"response": 25, "on_time": 25, "resolution": 25,
                                                  "satisfaction": 25, "red_list_size": 1, "black_list_size": 1,
                                                  "min_received": 1, "version": 1, "reason": "均衡"})
    assert good.status_code == 302
    entry = AuditEntry.objects.get(action="assessment.weights")
    assert entry.reason == "均衡" and entry.before["response"] == 20 and entry.after["response"] == 25


def test_navigation_shows_the_ranking_to_leaders(client_as, data):
    assert 'href="/assessment/"' in client_as("street_officer_a").get(reverse("assessment:ranking")).content.decode()


def test_the_ranking_page_does_not_query_per_unit(client_as, data, city, django_assert_max_num_queries):
    from gongzhi.departments.models import Department, DepartmentKind

    c = client_as("district_officer")
    c.get(reverse("assessment:ranking"), {"month": "2026-03", "type": "department"})
    with django_assert_max_num_queries(30) as before:
        c.get(reverse("assessment:ranking"), {"month": "2026-03", "type": "department"})
    for i in range(10):
        Department.objects.create(division=city.district, name=f"部门{i}", kind=DepartmentKind.OTHER)
    # Two of slack: on a busy machine a second passes and a process-wide cache (the working
    # calendar's or the grid index's version) is re-read once; ten more units must add nothing else.
    with django_assert_max_num_queries(len(before.captured_queries) + 2):
        c.get(reverse("assessment:ranking"), {"month": "2026-03", "type": "department"})


def test_department_staff_land_on_the_departments_tab(client_as, data):
    page = main(client_as("department_staff").get(reverse("assessment:ranking"), {"month": "2026-03"}))
    assert DEPT_A in page and 'aria-current="page">Department' in page
