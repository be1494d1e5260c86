"""Following a case: the public tracking page, the reporter's rating (by account or by the secret
an anonymous reporter holds), public photos, and a resident's own list."""

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.cases.choices import CaseState
from gongzhi.cases.models import Case, CaseAttachment
from gongzhi.cases.services import workflow
from gongzhi.cases.services.intake import Report, submit_case

from . import media
from .conftest import IN_GRID_A

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def main(response) -> str:
    page = html(response)
    return page[page.index("<main"):page.index("</main>")]


def walk_to_closed(flow, case):
    u = flow.users
    case = workflow.register_case(actor=u["community_secretary"], case=case)
    case = workflow.dispatch_case(actor=u["community_secretary"], case=case)
    case = workflow.accept_case(actor=u["department_staff"], case=case)
    case = workflow.resolve_case(actor=u["department_staff"], case=case, feedback="已清运完毕",
                                 files=[_after_photo()])
    case = workflow.verify_case(actor=u["grid_worker"], case=case, passed=True)
    return workflow.close_case(actor=u["community_secretary"], case=case)


def _after_photo():
    from gongzhi.cases.uploads import prepare_photo

    return prepare_photo(media.png().read(), kind="after_photo")


def test_public_page_shows_progress_and_no_personal_data(client, flow):
    case = flow.dispatched(description="我家楼下 张三 13812345678 垃圾", contact_phone="13812345678")
    response = client.get(f"/cases/track/{case.tracking_code}/")
    assert response.status_code == 200
    page = main(response)
    assert case.tracking_number in page
    assert "孝南区城市管理执法局书院街道中队" in page  # who holds it now
    assert "Due" in page
    assert "Dispatched" in page and "Registered" in page
    for private in ("13812345678", "张三", "我家楼下", "居民 周芳", "社区书记 陈静", str(case.lng)[:8]):
        assert private not in page, private
    assert "rate" not in page.lower() or 'name="rating"' not in page


def test_the_path_without_slash_from_notifications_works(client, flow):
    case = flow.report()
    response = client.get(f"/cases/track/{case.tracking_code}")
    assert response.status_code == 301 and response["Location"].endswith(f"/cases/track/{case.tracking_code}/")


def test_unknown_code(client, city):
    assert client.get("/cases/track/2026000000000/").status_code == 404
    assert client.get("/cases/track/ABCDEFGHJK/").status_code == 404
    lookup = client.get(reverse("cases:lookup"), {"code": "ABCDEFGHJK"})
    assert lookup.status_code == 404 and "No case has this tracking code" in html(lookup)


def test_lookup_goes_to_the_case(client, flow):
    case = flow.report()
    response = client.get(reverse("cases:lookup"), {"code": case.tracking_code})
    assert response["Location"] == f"/cases/track/{case.tracking_code}/"
    # As a resident types it off a receipt: lower case, in groups.
    typed = f"{case.tracking_code[:4]} {case.tracking_code[4:8]}-{case.tracking_code[8:]}".lower()
    assert client.get(reverse("cases:lookup"), {"code": typed})["Location"] == f"/cases/track/{case.tracking_code}/"


def test_lookup_by_number_finds_nothing(client, flow):
    case = flow.report()
    lookup = client.get(reverse("cases:lookup"), {"code": case.tracking_number})
    assert lookup.status_code == 404 and "A tracking code is 10 letters and digits" in html(lookup)
    assert case.description not in html(lookup) and f"/cases/track/{case.tracking_code}/" not in html(lookup)


def test_reporter_sees_their_own_words_and_rates_when_closed(client_as, flow):
    case = walk_to_closed(flow, flow.report(description="路边垃圾三天没人管"))
    resident = client_as("resident")
    page = main(resident.get(f"/cases/track/{case.tracking_code}/"))
    assert "路边垃圾三天没人管" in page
    assert 'name="rating"' in page and f'name="version" value="{case.version}"' in page
    # A stranger sees neither the words nor the form.
    stranger = main(client_as("street_officer_b").get(f"/cases/track/{case.tracking_code}/"))
    assert "路边垃圾三天没人管" not in stranger and 'name="rating"' not in stranger
    refused = client_as("street_officer_b").post(reverse("cases:rate", args=[case.tracking_code]),
                                                 {"rating": "dissatisfied", "version": case.version})
    assert refused.status_code == 400 and "This link does not allow rating" in html(refused)
    response = resident.post(reverse("cases:rate", args=[case.tracking_code]),
                             {"rating": "satisfied", "comment": "很及时", "version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.RATED and case.rating == "satisfied"
    page = main(resident.get(f"/cases/track/{case.tracking_code}/"))
    assert "Satisfied" in page and 'name="rating"' not in page


def test_a_stale_rating_form_changes_nothing(client_as, flow):
    case = walk_to_closed(flow, flow.report())
    response = client_as("resident").post(reverse("cases:rate", args=[case.tracking_code]),
                                          {"rating": "dissatisfied", "version": case.version - 1})
    assert response.status_code == 409 and "Reload it and try again" in html(response)
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED


def test_anonymous_reporter_rates_with_the_cookie_the_report_left(client, flow):
    client.post("/cases/report/", {"description": "井盖丢了", "lng": IN_GRID_A[0], "lat": IN_GRID_A[1],
                                   "category": "litter", "idempotency_key": "anon-1"})
    case = walk_to_closed(flow, Case.objects.get())
    page = main(client.get(f"/cases/track/{case.tracking_code}/"))
    assert "井盖丢了" in page and 'name="rating"' in page
    assert 'name="rating"' not in main(Client().get(f"/cases/track/{case.tracking_code}/"))
    response = client.post(reverse("cases:rate", args=[case.tracking_code]),
                           {"rating": "basically_satisfied", "version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.RATED and case.rating == "basically_satisfied"


def test_the_secret_link_works_in_another_browser(flow, catalogue):
    intake = submit_case(actor=None, report=Report(description="井盖丢了", lng=IN_GRID_A[0], lat=IN_GRID_A[1],
                                                   category=catalogue["litter"]))
    case, token = intake.case, intake.follow_token
    phone = Client()
    response = phone.get(f"/cases/track/{case.tracking_code}/", {"token": token})
    assert response.status_code == 302 and response["Location"] == f"/cases/track/{case.tracking_code}/"
    assert "井盖丢了" in main(phone.get(response["Location"]))
    wrong = Client().get(f"/cases/track/{case.tracking_code}/", {"token": "guess"}, follow=True)
    assert "This follow link is not valid" in html(wrong) and "井盖丢了" not in main(wrong)


def test_photos_are_public_and_the_voice_is_not(client, flow):
    case = flow.report(files=[])
    from gongzhi.cases.uploads import prepare_audio, prepare_photo

    with_files = submit_case(actor=flow.users["resident"], report=Report(
        description="有照片", lng=IN_GRID_A[0], lat=IN_GRID_A[1], idempotency_key="p", category=case.category,
        files=[prepare_photo(media.jpeg_with_gps().read()), prepare_audio(media.wav(1).read())])).case
    photo = CaseAttachment.objects.get(case=with_files, kind="photo")
    audio = CaseAttachment.objects.get(case=with_files, kind="audio")
    page = main(client.get(f"/cases/track/{with_files.tracking_code}/"))
    assert f"/cases/track/{with_files.tracking_code}/photos/{photo.pk}/" in page
    served = client.get(f"/cases/track/{with_files.tracking_code}/photos/{photo.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/cases/track/{with_files.tracking_code}/photos/{audio.pk}/").status_code == 404
    assert client.get(f"/cases/track/{case.tracking_code}/photos/{photo.pk}/").status_code == 404


def test_my_reports_lists_only_mine(client_as, flow):
    mine = flow.report(persona="resident", description="我的")
    other = flow.report(persona=None, description="别人的")
    page = main(client_as("resident").get(reverse("cases:mine")))
    assert mine.tracking_number in page and other.tracking_number not in page
    assert f'href="/cases/track/{mine.tracking_code}/"' in page


def test_my_reports_needs_an_account(client, city):
    assert client.get(reverse("cases:mine")).status_code == 302


def test_a_resident_opening_the_staff_address_lands_on_tracking(client_as, flow):
    case = flow.report()
    response = client_as("resident").get(f"/cases/{case.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/cases/track/{case.tracking_code}/"


def test_the_reporter_may_check_the_result(client_as, flow):
    case = flow.resolved()
    resident = client_as("resident")
    page = main(resident.get(f"/cases/track/{case.tracking_code}/"))
    assert 'name="verify-passed"' in page
    refused = resident.post(reverse("cases:verify", args=[case.tracking_code]),
                            {"verify-version": case.version, "verify-passed": "no", "verify-note": ""})
    assert refused.status_code == 400 and "Give what is still wrong." in html(refused)
    response = resident.post(reverse("cases:verify", args=[case.tracking_code]),
                             {"verify-version": case.version, "verify-passed": "yes"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.VERIFIED
    # Nobody else checks it from this page.
    assert client_as("street_officer_b").post(reverse("cases:verify", args=[case.tracking_code]),
                                              {"verify-version": case.version, "verify-passed": "yes"}
                                              ).status_code == 404
