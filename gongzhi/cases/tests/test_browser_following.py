"""In a real browser: a neighbour on a phone follows a case someone else reported; the community
desk sees the reporter's phone masked and shows it (audited) with one click; a suspended case
reads as paused. Screenshots land in test-artifacts/follow_*.png."""

import pytest

from tests.browser.plugin import log_in, wait_until

from .conftest import IN_GRID_A

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 780}


@pytest.fixture
def live_case(case_city):
    """A dispatched case the resident reported, and a neighbour who may follow it."""
    from gongzhi.cases.models import Category
    from gongzhi.cases.services import workflow
    from gongzhi.cases.services.intake import Report, submit_case
    from gongzhi.demo.personas import ensure_user

    ensure_user("neighbour", "邻居 钱多", phone="13700000001")
    case = submit_case(actor=case_city.users["resident"], report=Report(
        description="小区东门路灯不亮，晚上很黑", lng=IN_GRID_A[0], lat=IN_GRID_A[1],
        category=Category.objects.get(code="litter"))).case
    case = workflow.register_case(actor=case_city.users["community_secretary"], case=case)
    return case_city, workflow.dispatch_case(actor=case_city.users["community_secretary"], case=case)


def test_a_neighbour_follows_and_the_desk_shows_the_phone(live_case, new_page, screenshot):
    from gongzhi.cases.models import CaseFollower
    from gongzhi.core.models import AuditEntry

    _city, case = live_case
    phone = new_page(**PHONE)
    log_in(phone, "neighbour")
    phone.goto(f"/cases/track/{case.tracking_code}/")
    follow = phone.locator("#follow form[action$='/follow/'] button")
    assert follow.is_visible()
    screenshot(phone, "follow_1_offer")
    follow.click()
    phone.wait_for_load_state("networkidle")
    assert phone.locator("#follow form[action$='/unfollow/']").is_visible()
    assert CaseFollower.objects.filter(case=case, user__username="neighbour", kind="follower").exists()
    assert case.description not in phone.content()
    screenshot(phone, "follow_2_following")
    phone.goto("/cases/mine/")
    assert case.tracking_number in phone.content()
    screenshot(phone, "follow_3_mine")

    desk = new_page()
    log_in(desk, "community_secretary")
    desk.goto(f"/cases/{case.pk}/")
    reporter = desk.locator("#reporter-phone")
    assert "139****0008" in reporter.inner_text()
    screenshot(desk, "follow_4_masked")
    reporter.locator("button").click()
    wait_until(desk, "document.querySelector('#reporter-phone').innerText.includes('13900000008')")
    assert AuditEntry.objects.filter(action="case.reveal_contact", actor__username="community_secretary").count() == 1
    screenshot(desk, "follow_5_shown")


def test_a_suspended_case_reads_as_paused(live_case, new_page, screenshot):
    from gongzhi.cases.services import sidesteps

    city, case = live_case
    u = city.users
    request = sidesteps.request_sidestep(actor=u["department_staff"], case=case, kind="suspension",
                                         reason="等待供电部门检修线路")
    sidesteps.decide_sidestep(actor=u["community_secretary"], sidestep=request, approve=True)
    page = new_page()
    log_in(page, "department_staff")
    page.goto(f"/cases/{case.pk}/")
    assert page.locator(".paused-clock").is_visible()
    screenshot(page, "follow_6_paused")
