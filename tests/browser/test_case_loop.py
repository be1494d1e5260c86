"""The whole case loop in a real browser: a resident on a 375-px phone reports a problem with a
photo, the community registers and dispatches it, the department accepts and resolves it, the
grid worker verifies it, the community closes it and the resident rates it. A screenshot of each
step lands in test-artifacts/case_*.png."""

import io

import pytest
from PIL import Image

from .plugin import log_in, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 780}
# Inside 书院社区第一网格 (the fixed city's grid_a: 113.90–113.92 E, 30.90–30.92 N).
IN_GRID_A = {"longitude": 113.905, "latitude": 30.905}


def jpeg(color=(120, 160, 90), size=(640, 480)) -> bytes:
    """A small photo of 'the problem', made here so nothing is fetched from outside."""
    image = Image.new("RGB", size, color)
    for x in range(0, size[0], 40):  # a little texture, so it looks like a picture when shown
        for y in range(0, size[1], 40):
            image.paste((color[0] - 40, color[1] - 30, color[2] - 20), (x, y, x + 20, y + 20))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def case_state(number: str) -> str:
    from gongzhi.cases.models import Case

    return Case.objects.get(tracking_number=number).state


def open_case(page, number: str):
    from gongzhi.cases.models import Case

    page.goto(f"/cases/{Case.objects.get(tracking_number=number).pk}/")
    page.wait_for_load_state("networkidle")


def settle_map(page, selector):
    """Let the map finish zooming to the picked grid before a picture is taken."""
    wait_until(page, f"!document.querySelector('{selector}').classList.contains('leaflet-zoom-anim')")
    page.wait_for_timeout(300)


def no_sideways_scroll(page, width=375):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_resident_report_to_rated_result(case_city, live_server, new_page, screenshot):
    # --- 1. the resident reports from a phone, with a photo and the phone's location -------------
    phone = new_page(**PHONE)
    phone.context.grant_permissions(["geolocation"], origin=live_server.url)
    phone.context.set_geolocation(IN_GRID_A)
    log_in(phone, "resident")
    phone.goto("/cases/report/")
    phone.wait_for_selector("#report-map .leaflet-interactive, #report-map path", state="attached")
    phone.fill("#id_description", "小区东门口暴露垃圾堆了三天，没人清理，味道很大")
    phone.wait_for_selector('[data-category="litter"]')
    phone.click('[data-category="litter"]')
    assert phone.eval_on_selector("#id_category", "s => s.value") == "litter"
    phone.set_input_files("#id_photos", files=[{"name": "rubbish.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
    phone.wait_for_selector("[data-photo-previews] img")
    phone.click("[data-locate]")
    phone.wait_for_selector("#where .where-ok")
    assert "书院社区第一网格" in phone.inner_text("#where")
    assert phone.evaluate("document.getElementById('report-map').gzMap.getZoom()") < 15  # the whole grid shown
    assert phone.input_value("#id_crs") == "wgs84"
    phone.fill("#id_address", "书院社区东门")
    settle_map(phone, "#report-map")
    no_sideways_scroll(phone)
    screenshot(phone, "case_1_resident_report_phone")

    phone.click("#report-form button[type=submit]")
    phone.wait_for_url("**/cases/report/sent/**")
    number = phone.inner_text("#tracking-number").strip()
    assert len(number) == 13 and number.isdigit()
    assert case_state(number) == "submitted"
    no_sideways_scroll(phone)
    screenshot(phone, "case_2_resident_tracking_number")

    from gongzhi.cases.models import Case, CaseAttachment

    case = Case.objects.get(tracking_number=number)
    assert case.grid_id == case_city.grid_a.pk and case.category.code == "litter"
    assert CaseAttachment.objects.filter(case=case, kind="photo").count() == 1

    # --- 2. the community registers it and dispatches it to the department ------------------------
    desk = new_page()
    log_in(desk, "community_secretary")
    desk.goto("/cases/?tab=to_register")
    assert number in desk.inner_text("main")
    screenshot(desk, "case_3_community_queue")
    open_case(desk, number)
    desk.click("#action-register button[type=submit]")
    desk.wait_for_load_state("networkidle")
    assert case_state(number) == "registered"
    department = case_city.users["department_staff"].role_assignments.get().department
    desk.select_option("#id_dispatch-unit", f"department:{department.pk}")
    screenshot(desk, "case_4_community_dispatch")
    desk.click("#action-dispatch button[type=submit]")
    desk.wait_for_load_state("networkidle")
    assert case_state(number) == "dispatched"

    # --- 3. the department accepts it and reports it resolved, with a photo after ---------------
    unit = new_page()
    log_in(unit, "department_staff")
    unit.goto("/cases/?tab=to_accept")
    assert number in unit.inner_text("main")
    screenshot(unit, "case_5_department_queue")
    open_case(unit, number)
    unit.click("#action-accept button[type=submit]")
    unit.wait_for_load_state("networkidle")
    assert case_state(number) == "accepted"
    unit.fill("#id_resolve-feedback", "已安排保洁清运，现场已清理干净。")
    unit.set_input_files("#id_resolve-photos",
                         files=[{"name": "after.jpg", "mimeType": "image/jpeg", "buffer": jpeg((200, 200, 190))}])
    screenshot(unit, "case_6_department_resolve")
    unit.click("#action-resolve button[type=submit]")
    unit.wait_for_load_state("networkidle")
    assert case_state(number) == "resolved"

    # --- 4. the grid worker checks it on the spot, from a phone -----------------------------------
    grid = new_page(**PHONE)
    log_in(grid, "grid_worker")
    grid.goto("/cases/?tab=to_verify")
    assert number in grid.inner_text("main")
    open_case(grid, number)
    grid.check("#action-verify input[value=yes]")
    no_sideways_scroll(grid)
    screenshot(grid, "case_7_grid_worker_verify_phone")
    grid.click("#action-verify button[type=submit]")
    grid.wait_for_load_state("networkidle")
    assert case_state(number) == "verified"

    # --- 5. the community closes it ------------------------------------------------------------------
    desk.goto("/cases/?tab=to_close")
    assert number in desk.inner_text("main")
    open_case(desk, number)
    desk.click("#action-close button[type=submit]")
    desk.wait_for_load_state("networkidle")
    assert case_state(number) == "closed"
    screenshot(desk, "case_8_community_closed")

    # --- 6. the resident follows it and rates it satisfied ----------------------------------------------
    phone.goto(f"/cases/track/{Case.objects.get(tracking_number=number).tracking_code}/")
    assert "孝南区城市管理执法局书院街道中队" in phone.inner_text("main")
    phone.check("input[name=rating][value=satisfied]")
    phone.fill("#id_comment", "处理得很快，谢谢！")
    no_sideways_scroll(phone)
    screenshot(phone, "case_9_resident_rates_phone")
    phone.click(".rate-panel button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert case_state(number) == "rated"
    assert Case.objects.get(tracking_number=number).rating == "satisfied"
    screenshot(phone, "case_10_resident_rated_phone")
    phone.click("a[data-lightbox='after']")  # the photo after handling opens large
    phone.wait_for_selector("dialog.lightbox[open] img")
    assert "/photos/" in phone.get_attribute("dialog.lightbox img", "src")
    phone.keyboard.press("Escape")
    phone.wait_for_selector("dialog.lightbox", state="hidden")
    phone.goto("/cases/mine/")
    assert number in phone.inner_text("main")


def test_anonymous_reporter_keeps_the_secret_in_the_browser(case_city, live_server, new_page, screenshot):
    """No account: the report page still works, the number comes with a secret link, and an
    outside location is refused with nothing saved."""
    phone = new_page(**PHONE)
    phone.goto("/cases/report/")
    phone.wait_for_selector("#report-map path", state="attached")
    phone.fill("#id_description", "路灯不亮了")
    phone.select_option("#id_category", "street-light")
    # A point outside every grid first: the page says so and keeps what was typed.
    phone.evaluate("""() => { document.getElementById('id_lng').value = '112.5';
                              document.getElementById('id_lat').value = '30.1'; }""")
    phone.click("#report-form button[type=submit]")
    phone.wait_for_selector("#report-errors .form-errors")
    assert "outside every grid" in phone.inner_text("#report-errors")
    assert phone.input_value("#id_description") == "路灯不亮了"
    from gongzhi.cases.models import Case

    assert not Case.objects.exists()
    screenshot(phone, "case_11_anonymous_outside_phone")
    # Then a tap on the map inside the fixture city.
    phone.evaluate("document.getElementById('report-map').scrollIntoView({block: 'start'})")
    box = phone.locator("#report-map").bounding_box()
    phone.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.45)  # in 书院社区
    phone.wait_for_selector("#where .where-ok")
    phone.click("#report-form button[type=submit]")
    phone.wait_for_url("**/cases/report/sent/**")
    assert "?token=" in phone.inner_text("#secret-url")
    screenshot(phone, "case_12_anonymous_sent_phone")
    number = phone.inner_text("#tracking-number").strip()
    code = phone.inner_text("#tracking-code").strip()
    phone.goto(f"/cases/track/{code}/")
    assert "路灯不亮了" in phone.inner_text("main")  # the cookie says this browser reported it
    assert Case.objects.get(tracking_number=number).reporter is None
