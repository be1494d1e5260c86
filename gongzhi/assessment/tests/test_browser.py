"""The ranking, a drill-down and a unit page in a real browser on a 375-px phone: the charts draw
(from our own static files), nothing overflows sideways, and the links lead to the cases."""

import pytest

from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def live_data(case_city):
    """The fixture city with a few cases of this month: one rated, one resolved late, one waiting."""
    from gongzhi.cases.models import Category
    from gongzhi.cases.services import workflow
    from gongzhi.cases.services.intake import Report, submit_case
    from gongzhi.demo.fixture_city import X0, Y0

    u = case_city.users
    litter = Category.objects.get(code="litter")
    cases = []
    for i in range(3):
        case = submit_case(actor=u["resident"], report=Report(description=f"路边垃圾 {i}", lng=X0 + 0.005,
                                                              lat=Y0 + 0.005, category=litter)).case
        case = workflow.register_case(actor=u["community_secretary"], case=case)
        cases.append(workflow.dispatch_case(actor=u["community_secretary"], case=case))
    staff = u["department_staff"]
    for case in cases[:2]:
        case = workflow.accept_case(actor=staff, case=case)
        case = workflow.resolve_case(actor=staff, case=case, feedback="已清运")
        case = workflow.verify_case(actor=u["grid_worker"], case=case, passed=True)
        case = workflow.close_case(actor=u["community_secretary"], case=case)
    workflow.rate_case(actor=u["resident"], case=case, value="satisfied")
    return case_city


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_ranking_drilldown_and_unit_page_on_a_phone(live_data, new_page, screenshot):
    page = new_page(**PHONE)
    log_in(page, "district_officer")
    page.goto("/assessment/")
    page.wait_for_selector("#ranking-chart svg")
    assert "书院街道" in page.inner_text("main") and fits(page)
    screenshot(page, "assessment_ranking_375")

    page.click(".tabs a[href*='type=department']")
    page.wait_for_selector("#ranking-chart svg")
    assert "孝南区城市管理执法局书院街道中队" in page.inner_text("main") and fits(page)
    screenshot(page, "assessment_departments_375")

    page.locator("a.drill").first.click()
    page.wait_for_load_state("networkidle")
    assert "/assessment/cases/" in page.url and page.locator("td.mono a").count() >= 1 and fits(page)
    screenshot(page, "assessment_drilldown_375")

    page.goto("/assessment/")
    page.locator(".ranking-table td a[href*='/assessment/units/']").first.click()
    page.wait_for_selector("#unit-chart svg")
    assert fits(page)
    screenshot(page, "assessment_unit_375")
