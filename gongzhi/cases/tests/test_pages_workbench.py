"""The staff workbench: queues per role, scope, filters and search, deadline colours, whistles
awaiting report-in, and bulk accept."""

import datetime as dt

import pytest
from django.urls import reverse

from gongzhi.cases.choices import CaseState
from gongzhi.cases.models import Case
from gongzhi.cases.services import whistle, workflow

from .conftest import IN_GRID_A_2, IN_GRID_B

pytestmark = pytest.mark.django_db
WORKBENCH = "/cases/"


def html(response) -> str:
    return response.content.decode()


def main(response) -> str:
    page = html(response)
    return page[page.index("<main"):page.index("</main>")]


def tab(client, name, **params):
    return client.get(WORKBENCH, {"tab": name, **params})


def test_a_resident_has_no_workbench(client_as, flow):
    response = client_as("resident").get(WORKBENCH)
    assert response.status_code == 302 and response["Location"] == reverse("cases:mine")


def test_anonymous_is_sent_to_login(client, city):
    response = client.get(WORKBENCH)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(("persona", "tabs", "absent"), [
    ("community_secretary", ["to_register", "to_dispatch", "to_verify", "to_close", "awaiting_approval", "all"],
     ["whistles"]),
    ("department_staff", ["to_accept", "in_progress", "due_soon", "overdue", "whistles", "all"],
     ["to_register", "to_dispatch", "to_close"]),
    ("grid_worker", ["to_verify", "all"], ["to_accept", "to_dispatch"]),
    ("auditor", ["all"], ["to_register", "to_accept"]),
])
def test_each_role_gets_its_queues(client_as, flow, persona, tabs, absent):
    page = main(client_as(persona).get(WORKBENCH))
    for name in tabs:
        assert f'href="?tab={name}"' in page, name
    for name in absent:
        assert f'href="?tab={name}"' not in page, name


def test_department_sees_its_cases_to_accept_with_counts(client_as, flow):
    mine = flow.dispatched()
    flow.registered()  # not dispatched: not the department's yet
    page = main(tab(client_as("department_staff"), "to_accept"))
    assert mine.tracking_number in page
    assert Case.objects.filter(state=CaseState.REGISTERED).get().tracking_number not in page
    assert 'href="?tab=to_accept" aria-current="page">To accept <span class="tab-count has-items">1</span>' in page
    assert f'name="cases" value="{mine.pk}:{mine.version}"' in page  # bulk accept


def test_the_first_busy_queue_opens_by_default(client_as, flow):
    flow.dispatched()
    page = main(client_as("department_staff").get(WORKBENCH))
    assert 'href="?tab=to_accept" aria-current="page"' in page


def test_street_b_never_sees_street_a(client_as, flow):
    a = flow.report()
    b = flow.report(persona=None, point=IN_GRID_B)
    for name in ("to_register", "all"):
        page = main(tab(client_as("street_officer_b"), name))
        assert b.tracking_number in page and a.tracking_number not in page
    page = main(tab(client_as("street_officer_a"), "all"))
    assert a.tracking_number in page and b.tracking_number not in page


def test_filters_and_search(client_as, flow, catalogue):
    litter = flow.report(description="路边垃圾")
    noise = flow.report(category="noise", description="夜里很吵", point=IN_GRID_A_2, idempotency_key="n")
    c = client_as("community_secretary")
    page = main(tab(c, "all", q="吵"))
    assert noise.tracking_number in page and litter.tracking_number not in page
    page = main(tab(c, "all", q=litter.tracking_number))
    assert litter.tracking_number in page and noise.tracking_number not in page
    page = main(tab(c, "all", category=noise.category.parent.code))
    assert noise.tracking_number in page and litter.tracking_number not in page
    page = main(tab(c, "all", place=flow.users["grid_worker"].role_assignments.get().division_id))
    assert litter.tracking_number in page and noise.tracking_number not in page
    page = main(tab(c, "all", since="2026-03-10"))
    assert "No case matches these filters" in page
    page = main(tab(c, "all", state="submitted", until="2026-03-09"))
    assert litter.tracking_number in page and noise.tracking_number in page


def test_place_filter_offers_only_places_in_scope(client_as, flow, city):
    page = main(client_as("community_secretary").get(WORKBENCH, {"tab": "all"}))
    assert "书院社区第一网格" in page and "府前社区" not in page and "北外社区" not in page
    # A place outside the scope is not a choice: the filter is ignored rather than leaking.
    page = main(tab(client_as("community_secretary"), "all", place=city.grid_b.pk))
    assert "Select a valid choice" in page


def test_deadline_colours(client_as, flow, clock):
    case = flow.dispatched()
    c = client_as("department_staff")
    assert "row-ok" in main(tab(c, "to_accept"))
    clock.move_to(case.response_warn_at + dt.timedelta(minutes=1))
    page = main(tab(c, "due_soon"))
    assert case.tracking_number in page and "row-warning" in page and "due soon" in page
    clock.move_to(case.response_due + dt.timedelta(minutes=1))
    page = main(tab(c, "overdue"))
    assert case.tracking_number in page and "row-overdue" in page and 'class="tab-count has-items is-bad"' in page


def test_pages_of_twenty_five(client_as, flow):
    for i in range(27):
        flow.report(description=f"第{i}件", idempotency_key=f"k{i}")
    c = client_as("community_secretary")
    first = main(tab(c, "to_register"))
    assert first.count('class="mono case-link"') == 25 and "Page 1 of 2" in first
    assert main(tab(c, "to_register", page=2)).count('class="mono case-link"') == 2


# --- bulk accept ---------------------------------------------------------------------------------


def test_bulk_accept_reports_each_case(client_as, flow):
    one, two, three = flow.dispatched(), flow.dispatched(idempotency_key="2"), flow.dispatched(idempotency_key="3")
    workflow.accept_case(actor=flow.users["department_staff"], case=three)  # someone accepted it meanwhile
    c = client_as("department_staff")
    response = c.post(reverse("cases:bulk_accept"), {
        "cases": [f"{one.pk}:{one.version}", f"{two.pk}:{two.version}", f"{three.pk}:{three.version}", "999999:1"],
    }, follow=True)
    page = html(response)
    assert f"Accepted: {one.tracking_number}、{two.tracking_number}." in page
    assert "Someone else acted on case " + three.tracking_number in page
    assert "Case #999999: not found among your cases." in page
    states = dict(Case.objects.values_list("pk", "state"))
    assert states[one.pk] == states[two.pk] == states[three.pk] == CaseState.ACCEPTED


def test_bulk_accept_by_someone_else_accepts_nothing(client_as, flow):
    case = flow.dispatched()
    page = html(client_as("street_officer_a").post(reverse("cases:bulk_accept"),
                                                  {"cases": [f"{case.pk}:{case.version}"]}, follow=True))
    assert "You may not do this to case" in page
    page = html(client_as("street_officer_b").post(reverse("cases:bulk_accept"),
                                                  {"cases": [f"{case.pk}:{case.version}"]}, follow=True))
    assert "not found among your cases" in page
    case.refresh_from_db()
    assert case.state == CaseState.DISPATCHED


def test_bulk_accept_with_nothing_ticked(client_as, flow):
    page = html(client_as("department_staff").post(reverse("cases:bulk_accept"), {}, follow=True))
    assert "Tick the cases to accept first." in page


# --- whistles --------------------------------------------------------------------------------------


def test_summoned_department_sees_the_whistle_and_reports_in(client_as, flow, department):
    case = flow.registered()
    whistle.blow_whistle(actor=flow.users["street_officer_a"], case=case, reason="占道经营需联合执法",
                         check_in_due=case.registered_at + dt.timedelta(hours=2), departments=[department])
    c = client_as("department_staff")
    page = main(tab(c, "whistles"))
    assert case.tracking_number in page and "书院街道" in page and "Report in" in page
    summons = case.whistles.get().summonses.get()
    response = c.post(reverse("cases:summons", args=[case.pk, summons.pk, "check-in"]), {"next": "workbench"})
    assert response.status_code == 302 and response["Location"] == "/cases/?tab=whistles"
    summons.refresh_from_db()
    assert summons.attendance == "on_time"
    assert "No whistle is waiting for you." in main(tab(c, "whistles"))


def test_queue_query_count_does_not_grow_with_the_rows(client_as, flow, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_as("department_staff")
    flow.dispatched()
    with CaptureQueriesContext(connection) as few:
        c.get(WORKBENCH, {"tab": "to_accept"})
    for i in range(8):
        flow.dispatched(idempotency_key=f"more-{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = main(c.get(WORKBENCH, {"tab": "to_accept"}))
    assert page.count('class="mono case-link"') == 9
