"""A grid worker's visit on a phone (375 × 812): log in, open my grid, find the household, log a
visit with a photo from the camera and a follow-up, see it in the household's log, then close the
follow-up. Screenshots of each step land in test-artifacts/grid_*.png."""

import io

import pytest
from PIL import Image

from .plugin import log_in, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def live_grid(transactional_db, settings, tmp_path):
    from gongzhi.demo.fixture_city import build_fixture_city
    from gongzhi.registry.models import Tag
    from gongzhi.registry.tags import seed_tags
    from gongzhi.registry.tests.factories import build_registry

    settings.GONGZHI_PRIVATE_ROOT = tmp_path / "private"  # the visit photos of this test
    seed_tags(Tag)  # a transactional test empties the tables the migrations filled
    city = build_fixture_city()
    return city, build_registry(city)


def jpeg(size=(1280, 960)) -> bytes:
    """A doorway "photographed" on the visit, made here so nothing is fetched from outside."""
    image = Image.new("RGB", size, (214, 196, 170))
    image.paste((120, 82, 52), (460, 180, 820, 960))  # the door
    image.paste((235, 200, 90), (760, 560, 790, 600))  # its handle
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


@pytest.fixture
def phone_as(new_page):
    """`phone_as("grid_worker")` → a phone's page, signed in as that persona."""

    def open_as(username: str):
        phone = new_page(**PHONE)
        log_in(phone, username)
        return phone

    return open_as


@pytest.fixture
def phone_screenshot(screenshot):
    """`phone_screenshot(phone, name)`: the page fits the phone (nothing scrolls sideways); keep its picture."""

    def take(phone, name: str):
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(phone, name)

    return take


def test_grid_worker_logs_a_visit_from_a_phone(live_grid, phone_as, phone_screenshot):
    from gongzhi.registry.models import Visit, VisitPhoto

    city, reg = live_grid
    phone = phone_as("grid_worker")

    # --- my grid, from the menu -------------------------------------------------------------------
    phone.click(".nav-toggle")
    phone.click("#site-nav a[href='/registry/']")
    phone.wait_for_load_state("networkidle")
    body = phone.inner_text("main")
    assert "书院社区第一网格" in body and "槐荫路1号1栋 1单元101" in body
    assert "槐荫路2号" not in body  # the other grid of the community is not this worker's
    phone_screenshot(phone, "grid_1_my_grid_phone")

    # --- find the household: search for the elderly man living alone by his pinyin initials -------
    phone.fill("#grid-q", "zw")
    phone.wait_for_selector("#grid-content .reg-item:has-text('张伟')")
    phone_screenshot(phone, "grid_2_search_phone")
    phone.click("#grid-content .reg-item:has-text('张伟')")
    phone.wait_for_load_state("networkidle")
    assert "槐荫路1号1栋 1单元101" in phone.inner_text("h1")
    members = phone.inner_text("#members")
    assert "张伟" in members and "139****5678" in members and "13912345678" not in members
    phone_screenshot(phone, "grid_3_household_phone")

    # --- the phone number, shown on purpose (and recorded) ---------------------------------------
    phone.click(f"#pii-{reg.zhang.pk}-phone button")
    phone.wait_for_selector(f"#pii-{reg.zhang.pk}-phone .pii-full")
    assert "13912345678" in phone.inner_text(f"#pii-{reg.zhang.pk}-phone")

    # --- log the visit: a note, a photo from the camera, a follow-up -------------------------------
    phone.click("a[href='#log-visit']")
    phone.fill("#id_notes", "老人血压偏高，精神尚可；已提醒按时服药。")
    phone.set_input_files("#photo-camera", files=[{"name": "door.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
    phone.wait_for_selector("[data-photo-previews] img")
    assert phone.locator("#follow-up-text, .follow-up-text").first.is_hidden()  # until ticked
    phone.check("#id_follow_up_needed")
    phone.fill("#id_follow_up", "下周陪同去社区医院复查")
    phone.locator("#log-visit").scroll_into_view_if_needed()
    phone_screenshot(phone, "grid_4_visit_form_phone")
    phone.click("#visit-submit")
    phone.wait_for_url("**/registry/households/*/?logged=*")
    phone.wait_for_load_state("networkidle")

    visit = Visit.objects.get(household=reg.household_a)
    assert visit.follow_up_needed and visit.visitor == city.users["grid_worker"]
    assert VisitPhoto.objects.filter(visit=visit).count() == 1
    log = phone.inner_text("#visits")
    assert "老人血压偏高" in log and "下周陪同去社区医院复查" in log
    wait_until(phone, "document.querySelector('#visits .photo-grid img').naturalWidth > 0")
    phone_screenshot(phone, "grid_5_visit_logged_phone")

    # --- the follow-up is open on my grid; close it from the household ------------------------------
    phone.goto("/registry/?tab=follow_ups")
    assert "下周陪同去社区医院复查" in phone.inner_text("#grid-content")
    phone.goto(f"/registry/households/{reg.household_a.pk}/")
    phone.fill(f"#close-note-{visit.pk}", "已陪同复查，血压正常")
    phone.click(f"#visit-{visit.pk} .close-follow-up button")
    phone.wait_for_load_state("networkidle")
    visit.refresh_from_db()
    assert visit.follow_up_closed_at is not None
    assert phone.locator(f"#visit-{visit.pk} .follow-up.is-open").count() == 0
    phone.goto("/registry/?tab=care")
    assert "张伟" not in phone.inner_text("#grid-content")  # visited: no longer overdue
    phone_screenshot(phone, "grid_6_care_done_phone")


def test_a_refused_photo_keeps_the_form_and_saves_nothing(live_grid, phone_as, phone_screenshot):
    from gongzhi.registry.models import Visit

    _city, reg = live_grid
    phone = phone_as("grid_worker")
    phone.goto(f"/registry/households/{reg.household_a2.pk}/#log-visit")
    phone.fill("#id_notes", "租户不在家")
    phone.set_input_files("#id_photos", files=[
        {"name": "door.jpg", "mimeType": "image/jpeg", "buffer": jpeg()},
        {"name": "scan.jpg", "mimeType": "image/jpeg", "buffer": b"%PDF-1.4 not a photo"},
    ])
    phone.click("#visit-submit")
    phone.wait_for_selector("#visit-errors .form-errors")
    assert "scan.jpg" in phone.inner_text("#visit-errors")
    assert phone.input_value("#id_notes") == "租户不在家"  # nothing typed is lost
    assert Visit.objects.filter(household=reg.household_a2).count() == 0
    phone_screenshot(phone, "grid_7_photo_refused_phone")


def test_the_community_picks_a_grid_and_reads_the_figures(live_grid, new_page, screenshot, phone_as, phone_screenshot):
    city, _reg = live_grid
    phone = phone_as("community_secretary")
    phone.goto("/registry/?tab=people")
    assert "槐荫路2号" in phone.inner_text("#grid-content")  # both grids of the community
    phone.select_option("#area-select", str(city.grid_a_2.pk))
    phone.wait_for_load_state("networkidle")
    people = phone.inner_text("#grid-content")
    assert "王芳" in people and "张伟" not in people
    phone_screenshot(phone, "grid_8_community_picks_a_grid_phone")

    desk = new_page()
    log_in(desk, "street_officer_a")
    desk.goto(f"/divisions/{city.street_a.pk}/")
    desk.wait_for_selector("#registry-statistics .stat-row")
    panel = desk.inner_text("#registry-statistics")
    assert "书院社区" in panel and "北外社区" in panel
    screenshot(desk, "grid_9_street_figures")
    phone.goto(f"/divisions/{city.community_a.pk}/")
    phone.wait_for_selector("#registry-statistics .stat-row")
    phone_screenshot(phone, "grid_10_community_figures_phone")
