"""The seams by which domain apps plug into the kernel (gongzhi.core.seams): menu entries, home-page
to-dos, metrics, hooks, page panels, notification subjects and search — and that a new domain plugs
in without touching a file outside it."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext_lazy

from gongzhi.cases.tests import conftest as case_fixtures
from gongzhi.core.seams import hooks, menu, metrics, search, subjects, todos

pytestmark = pytest.mark.django_db

PACKAGE = Path(__file__).resolve().parents[2]

# The case fixtures (a seeded catalogue, the working calendar, a fixed clock, cases walked along the flow).
_fresh_process_caches = case_fixtures._fresh_process_caches
catalogue, clock = case_fixtures.catalogue, case_fixtures.clock
flow, workdays = case_fixtures.flow, case_fixtures.workdays


def html(response) -> str:
    return response.content.decode()


def nav_of(page: str) -> str:
    start = page.index('<nav class="site-nav"')
    return page[start:page.index("</nav>", start)]


# --- a domain that core has never heard of --------------------------------------------------------


@pytest.fixture
def fake_app():
    """A "volunteers" app as it would plug itself in at ready(): a menu entry for the members it
    lets in, a to-do, a search provider and a metric — and nothing else edited anywhere."""
    calls = []

    def visible(user):
        return user.username != "auditor"

    def provider(user):
        calls.append(user.username)
        return [todos.Todo("volunteers.orders", 3, "/volunteers/orders/", priority=5, params={"squad": "红马甲"})]

    menu.register_menu_entry(menu.MenuEntry("volunteers.orders", gettext_lazy("Volunteer orders"), "core:home",
                                            order=55, active=lambda m: False, visible=visible))
    todos.register_todo_text("volunteers.orders", ngettext_lazy("%(count)d order for %(squad)s",
                                                                "%(count)d orders for %(squad)s", "count"))
    todos.register_todo_provider("volunteers.orders", provider)
    search.register_search_provider(search.SearchProvider(
        "volunteers", "Volunteers", lambda user, q, limit: [search.SearchResult(f"Squad {q}", "/volunteers/1/")]))
    metrics.register_metric(metrics.Metric("volunteers.hours", "Hours served", "hours", lambda unit, period: 42.0,
                                           requires=("gongzhi.core",)))
    yield calls
    menu.unregister_menu_entry("volunteers.orders")
    todos.unregister_todo_provider("volunteers.orders")
    search.unregister_search_provider("volunteers")
    metrics.unregister_metric("volunteers.hours")


@pytest.mark.parametrize("persona", ["community_secretary", "resident"])
def test_a_new_domain_shows_its_menu_entry_and_to_do_on_the_home_page(client_as, city, fake_app, persona):
    page = html(client_as(persona).get("/"))
    nav = nav_of(page)
    assert "Volunteer orders" in nav
    assert '<a href="/volunteers/orders/" data-todo="volunteers.orders">3 orders for 红马甲</a>' in page
    assert fake_app == [persona]  # asked once per page


def test_a_new_domains_entry_follows_its_own_rule_and_order(client_as, city, fake_app):
    assert "Volunteer orders" not in nav_of(html(client_as("auditor").get("/")))
    labels = re.findall(r'<li><a href="[^"]*"[^>]*>([^<]+)</a></li>', nav_of(html(client_as("city_admin").get("/"))))
    # order 55: after "Divisions and grids" (50), before "Departments" (60)
    assert labels.index("Volunteer orders") == labels.index("Divisions and grids") + 1
    assert labels.index("Departments") == labels.index("Volunteer orders") + 1
    # Visitors get only the entries meant for them.
    assert "Volunteer orders" not in nav_of(html(client_as(None).get(reverse("cases:report"))))


def test_a_new_domain_touches_no_file_of_the_kernel():
    """Core imports no domain app: every domain reaches the shell through a registry."""
    domains = ("cases", "registry", "assessment", "notifications", "open311", "workdays", "party")
    pattern = re.compile(rf"(from|import) gongzhi\.({'|'.join(domains)})\b")
    offenders = [f"{p.relative_to(PACKAGE)}:{n}" for p in (PACKAGE / "core").rglob("*.py") if "tests" not in p.parts
                 for n, line in enumerate(p.read_text().splitlines(), 1) if pattern.search(line)]
    assert offenders == []
    # Nor do divisions know the registry that keeps rows on their grids.
    for name in ("services/grids.py", "views.py"):
        assert "gongzhi.registry" not in (PACKAGE / "divisions" / name).read_text()


# --- menu ---------------------------------------------------------------------------------------


def test_every_persona_sees_the_same_menu_as_before(client_as, city):
    expected = {
        "city_admin": ["Workbench", "Cases", "Grid registry", "Party", "Party members", "Divisions and grids",
                       "Departments", "Report-ins", "Points", "Service orders", "Linked leaders", "Emergency squads",
                       "Volunteer activities", "Love bank", "People and roles", "Ranking", "Audit trail",
                       "My account"],
        # A grid worker banks their own service hours and points like anyone (the phone pages).
        "grid_worker": ["Workbench", "Cases", "Love bank", "My grid", "Party", "Divisions and grids", "Departments",
                        "Points", "Volunteer activities", "My account"],
        "resident": ["Workbench", "My reports", "Report a problem", "Order help", "Volunteering", "Love bank",
                     "Points", "My account"],
        None: ["Report a problem", "Follow a case", "Log in"],
    }
    for persona, labels in expected.items():
        url = "/" if persona else reverse("cases:report")
        nav = nav_of(html(client_as(persona).get(url)))
        assert re.findall(r'<li><a href="[^"]*"[^>]*>([^<]+)</a></li>', nav) == labels, persona


def test_the_current_page_is_marked_once(client_as, city):
    nav = nav_of(html(client_as("resident").get(reverse("cases:report"))))
    assert re.findall(r'<a href="([^"]+)" aria-current="page"', nav) == [reverse("cases:report")]
    nav = nav_of(html(client_as("resident").get(reverse("cases:mine"))))
    assert re.findall(r'<a href="([^"]+)" aria-current="page"', nav) == [reverse("cases:mine")]


def test_the_bell_counts_once_per_page(client_as, city):
    from gongzhi.notifications.services import notify

    notify(users=[city.users["resident"]], verb="test", title="Hello", email=False)
    client = client_as("resident")
    client.get(reverse("accounts:profile"))  # sessions and caches warmed
    with CaptureQueriesContext(connection) as queries:
        page = html(client.get(reverse("accounts:profile")))
    assert len([q for q in queries if "notifications_notification" in q["sql"]]) == 1
    assert 'class="nav-bell nav-bell-phone"' in page and '<span class="visually-hidden">: </span>1' in page


# --- to-dos -------------------------------------------------------------------------------------


def test_staff_see_their_queues_as_to_dos(client_as, flow):
    flow.report()
    flow.registered()
    page = html(client_as("community_secretary").get("/"))
    workbench = reverse("cases:workbench")
    assert f'<a href="{workbench}?tab=to_register" data-todo="cases.to_register">1 report to register</a>' in page
    assert 'data-todo="cases.to_dispatch">1 case to dispatch</a>' in page
    # The department has nothing dispatched to it yet, and a resident works no queue.
    assert "data-todo=\"cases.to_accept\"" not in html(client_as("department_staff").get("/"))


def test_a_department_sees_what_to_accept_and_a_resident_their_open_reports(client_as, flow):
    flow.dispatched()
    assert 'data-todo="cases.to_accept">1 case to accept</a>' in html(client_as("department_staff").get("/"))
    page = html(client_as("resident").get("/"))
    mine = reverse("cases:mine")
    assert f'<a href="{mine}" data-todo="cases.my_open">1 of your reports is being handled</a>' in page
    assert "cases.to_register" not in page


def test_to_dos_are_shown_in_the_readers_language(client_as, flow):
    flow.report()
    client = client_as("community_secretary")
    assert "1 report to register" in html(client.get("/"))
    client.cookies["gongzhi_language"] = "zh-hans"
    assert "1 条报告待立案" in html(client.get("/"))


def test_each_provider_costs_one_or_two_counts(city, flow):
    flow.registered()
    flow.report()
    for persona in ("city_admin", "community_secretary", "department_staff", "grid_worker", "resident"):
        user = city.users[persona]
        user.__dict__.pop("_gongzhi_assignments", None)
        from gongzhi.core import scope

        scope.assignments(user)  # loaded once per request by the shell anyway
        for key, provider in todos._providers.items():
            with CaptureQueriesContext(connection) as queries:
                found = provider(user)
            assert len(queries) <= 2 * max(len(found), 1), (persona, key, [q["sql"] for q in queries])


def test_a_grid_worker_sees_overdue_care(client_as, city):
    from gongzhi.registry.tests.factories import build_registry

    build_registry(city)
    page = html(client_as("grid_worker").get("/"))
    assert re.search(r'href="/registry/\?tab=care" data-todo="registry.care">\d+ care visits? overdue</a>', page)


# --- metrics ------------------------------------------------------------------------------------


def test_case_rates_are_listed_as_metrics_and_computed_as_assessment_does(flow, city):
    from gongzhi.assessment.periods import Period
    from gongzhi.assessment.rates import unit_figures
    from gongzhi.assessment.units import as_unit

    flow.closed()
    names = {m.name for m in metrics.metrics()}
    assert {"cases.response_rate", "cases.on_time_rate", "cases.resolution_rate", "cases.satisfaction_rate"} <= names
    period = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    unit = as_unit("street", city.street_a)
    expected = unit_figures("street", unit.pk, period).resolution_rate
    assert metrics.metric_value("cases.resolution_rate", unit, period) == expected
    assert metrics.metric_value("cases.received", unit, period) == 1


def test_a_metric_whose_source_app_is_not_installed_is_not_listed():
    metrics.register_metric(metrics.Metric("fund.spent", "Fund spent", "count", lambda u, p: 1,
                                           requires=("gongzhi.funds",)))
    try:
        assert "fund.spent" not in {m.name for m in metrics.metrics()}
        with pytest.raises(LookupError):
            metrics.metric("fund.spent")
    finally:
        metrics.unregister_metric("fund.spent")


# --- hooks: grids replaced ----------------------------------------------------------------------


def test_a_failing_handler_rolls_the_grid_change_back(city):
    from gongzhi.divisions.models import Division
    from gongzhi.divisions.seams import GRIDS_SPLIT
    from gongzhi.divisions.services.grids import split_grid

    def refuse(**payload):
        raise RuntimeError("cannot move")

    grid = city.grid_a
    active = set(Division.objects.filter(parent=grid.parent, is_active=True).values_list("pk", flat=True))
    x0, y0, x1, y1 = _bounds(grid.geometry)
    line = {"type": "LineString", "coordinates": [[(x0 + x1) / 2, y0 - 0.01], [(x0 + x1) / 2, y1 + 0.01]]}
    hooks.connect(GRIDS_SPLIT, refuse, key="test.refuse")
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            split_grid(actor=city.users["city_admin"], grid=grid, line=line, reason="test")
    finally:
        hooks.disconnect(GRIDS_SPLIT, "test.refuse")
    grid.refresh_from_db()
    assert grid.is_active
    assert set(Division.objects.filter(parent=grid.parent, is_active=True).values_list("pk", flat=True)) == active


def test_the_registry_follows_a_split_through_the_hook(city):
    from gongzhi.divisions.seams import GRID_HOOKS
    from gongzhi.divisions.services.grids import split_grid
    from gongzhi.registry.models import Building
    from gongzhi.registry.tests.factories import build_registry

    assert all(hooks.handlers(h) for h in GRID_HOOKS)
    build_registry(city)
    grid = city.grid_a
    before = Building.objects.filter(grid=grid).count()
    assert before
    x0, y0, x1, y1 = _bounds(grid.geometry)
    line = {"type": "LineString", "coordinates": [[(x0 + x1) / 2, y0 - 0.01], [(x0 + x1) / 2, y1 + 0.01]]}
    parts = split_grid(actor=city.users["city_admin"], grid=grid, line=line, reason="test")
    assert Building.objects.filter(grid=grid).count() == 0
    assert Building.objects.filter(grid__in=parts).count() == before


def _bounds(geometry: dict) -> tuple[float, float, float, float]:
    xs = [p[0] for ring in geometry["coordinates"] for p in ring]
    ys = [p[1] for ring in geometry["coordinates"] for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


# --- panels -------------------------------------------------------------------------------------


def test_the_registry_figures_panel_shows_on_a_division_page_only_to_who_may_see_it(client_as, city):
    url = f"/divisions/{city.community_a.pk}/"
    assert 'id="registry-statistics"' in html(client_as("community_secretary").get(url))
    # A grid worker's statistics cover their grid, not the whole community.
    assert 'id="registry-statistics"' not in html(client_as("grid_worker").get(url))


# --- notification subjects ----------------------------------------------------------------------


def test_a_notice_about_a_case_links_each_reader_to_the_page_they_may_open(client_as, flow):
    from gongzhi.notifications.models import Notification

    case = flow.dispatched()
    notice = Notification.objects.filter(recipient=flow.users["resident"]).first()
    assert (notice.subject_type, notice.subject_id) == ("cases.case", case.pk)
    page = html(client_as("resident").get(reverse("notifications:list")))
    assert f'<a class="mono" href="/cases/track/{case.tracking_code}/">{case.tracking_number}</a>' in page
    page = html(client_as("department_staff").get(reverse("notifications:list")))
    assert f'<a class="mono" href="/cases/{case.pk}/">{case.tracking_number}</a>' in page


def test_a_subject_whose_app_is_gone_is_simply_not_shown(client_as, city):
    from gongzhi.notifications.models import Notification

    Notification.objects.create(recipient=city.users["resident"], verb="fund.paid", title="Paid",
                                subject_type="funds.payment", subject_id=7)
    response = client_as("resident").get(reverse("notifications:list"))
    assert response.status_code == 200 and "Paid" in html(response)
    assert subjects.resolve(city.users["resident"], [("funds.payment", 7)]) == {}


def test_the_subjects_of_a_page_cost_a_fixed_number_of_queries(client_as, flow):
    flow.dispatched()
    flow.dispatched()
    client = client_as("department_staff")
    client.get(reverse("notifications:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notifications:list"))
    flow.dispatched()
    flow.dispatched()
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("notifications:list"))
    assert len(more) == len(few)


# --- search -------------------------------------------------------------------------------------


def test_search_finds_only_what_the_user_may_see(client_as, flow):
    from gongzhi.cases.selectors import cases_for

    case = flow.registered()
    number = case.tracking_number
    for persona in ("community_secretary", "street_officer_a", "street_officer_b", "department_staff", "resident"):
        user = flow.users[persona]
        found = [r.label for s in search.search(user, number) for r in s.results]
        may = cases_for(user).filter(pk=case.pk).exists() or persona == "resident"  # the resident reported it
        assert any(number in label for label in found) == may, persona
    assert search.search(flow.users["street_officer_b"], number) == []
    page = html(client_as("community_secretary").get(reverse("core:search"), {"q": number}))
    assert f'href="/cases/{case.pk}/"' in page


def test_a_resident_finds_only_their_own_reports(flow, city):
    mine = flow.report()
    theirs = flow.report(persona="grid_worker")
    found = {r.url for s in search.search(city.users["resident"], "垃圾") for r in s.results}
    assert f"/cases/track/{mine.tracking_code}/" in found
    assert not any(theirs.tracking_number in url for url in found)


def test_registry_search_shows_people_masked_within_scope(client_as, city):
    from gongzhi.registry.tests.factories import build_registry

    build_registry(city)
    page = html(client_as("grid_worker").get(reverse("core:search"), {"q": "张伟"}))
    assert "张伟" in page and "139****5678" in page and "13912345678" not in page
    assert 'data-provider="registry"' in page
    page = html(client_as("department_staff").get(reverse("core:search"), {"q": "张伟"}))
    assert 'data-provider="registry"' not in page and "139****5678" not in page


def test_search_gathers_every_provider_and_refuses_visitors(client_as, city, fake_app):
    page = html(client_as("community_secretary").get(reverse("core:search"), {"q": "7"}))
    assert "Squad 7" in page
    assert client_as(None).get(reverse("core:search"), {"q": "7"}).status_code == 302
