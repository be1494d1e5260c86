"""One case's page: who may open it, what it shows, and the action panel — only the actions the
user may take now, each form calling its service, a stale form refused with nothing changed."""

import datetime as dt

import pytest
from django.urls import reverse

from gongzhi.cases.choices import CaseState, SidestepStatus
from gongzhi.cases.models import Case, CaseAttachment, CaseEvent, Sidestep, Summons
from gongzhi.cases.services import sidesteps, whistle
from gongzhi.cases.services.intake import Report, submit_case
from gongzhi.cases.uploads import prepare_audio, prepare_photo

from . import media
from .conftest import IN_GRID_A, IN_GRID_B

pytestmark = pytest.mark.django_db
ALL_ACTIONS = ["register", "reject", "dispatch", "accept", "start", "resolve", "verify", "close", "resume",
               "decide", "sidestep", "whistle", "merge"]


def html(response) -> str:
    return response.content.decode()


def main(response) -> str:
    page = html(response)
    return page[page.index("<main"):page.index("</main>")]


def offered(page: str) -> set[str]:
    return {name for name in ALL_ACTIONS if f'id="action-{name}"' in page}


def act(client, case, action, **data):
    version = data.pop("version", case.version)
    payload = {f"{action}-version": version, **{f"{action}-{k}": v for k, v in data.items()}}
    return client.post(reverse("cases:act", args=[case.pk, action]), payload)


def fresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


# --- who may open it ------------------------------------------------------------------------------

SEES_A = ["city_admin", "district_officer", "street_officer_a", "community_secretary", "grid_worker",
          "department_staff", "auditor"]


@pytest.mark.parametrize("persona", SEES_A)
def test_staff_in_scope_open_the_case(client_as, flow, persona):
    case = flow.dispatched()
    response = client_as(persona).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    assert case.tracking_number in main(response)


@pytest.mark.parametrize("persona", ["street_officer_b", "resident"])
def test_out_of_scope_looks_missing(client_as, flow, persona):
    case = flow.report(persona=None)  # not the resident's own
    missing = client_as(persona).get("/cases/99999999/")
    response = client_as(persona).get(f"/cases/{case.pk}/")
    assert response.status_code == missing.status_code == 404
    assert client_as(persona).post(reverse("cases:act", args=[case.pk, "register"]), {}).status_code == 404


def test_a_street_b_case_is_missing_for_street_a(client_as, flow):
    case = flow.report(persona=None, point=IN_GRID_B)
    assert client_as("street_officer_a").get(f"/cases/{case.pk}/").status_code == 404
    assert client_as("street_officer_b").get(f"/cases/{case.pk}/").status_code == 200


def test_the_page_shows_the_report_timeline_map_and_files(client_as, flow):
    case = submit_case(actor=flow.users["resident"], report=Report(
        description="井盖缺失很危险", lng=IN_GRID_A[0], lat=IN_GRID_A[1], category=flow.report().category,
        idempotency_key="files", files=[prepare_photo(media.jpeg_with_gps().read()),
                                        prepare_audio(media.wav(3).read())])).case
    c = client_as("community_secretary")
    page = main(c.get(f"/cases/{case.pk}/"))
    assert "井盖缺失很危险" in page
    assert "139****0008" in page and "13900000008" not in page  # the reporter, masked
    assert 'data-case-map="point"' in page and 'id="case-map-data"' in page and "书院社区第一网格" in page
    photo = CaseAttachment.objects.get(case=case, kind="photo")
    audio = CaseAttachment.objects.get(case=case, kind="audio")
    assert f'href="/cases/{case.pk}/files/{photo.pk}/" data-lightbox' in page
    assert f'<audio controls preload="none" src="/cases/{case.pk}/files/{audio.pk}/"' in page
    assert "Reported" in page and "居民 周芳" in page  # the staff timeline names the actor
    served = c.get(f"/cases/{case.pk}/files/{audio.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "audio/mp4"
    assert served["Cache-Control"].startswith("private")
    assert client_as("street_officer_b").get(f"/cases/{case.pk}/files/{photo.pk}/").status_code == 404


def test_an_anonymous_reporter_stays_anonymous(client_as, flow):
    case = flow.report(is_anonymous=True, contact_phone="13812345678")
    page = main(client_as("community_secretary").get(f"/cases/{case.pk}/"))
    assert "138****5678" not in page and "居民 周芳" not in page.split("Timeline")[0]
    assert "anonymous" in page


# --- the action panel ------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "expected"), [
    ("community_secretary", {"register", "reject"}),
    ("street_officer_a", {"register", "reject"}),
    ("district_officer", {"register", "reject"}),
    ("grid_worker", set()),
    ("department_staff", None),  # not in its scope yet: 404
    ("auditor", set()),
])
def test_submitted_case_offers_registration_to_the_desk_only(client_as, flow, persona, expected):
    case = flow.report()
    response = client_as(persona).get(f"/cases/{case.pk}/")
    if expected is None:
        assert response.status_code == 404
        return
    page = main(response)
    assert offered(page) == expected
    if not expected:
        assert "Nothing for you to do on this case now." in page


def test_dispatched_case_offers_the_unit_its_steps(client_as, flow):
    case = flow.dispatched()
    page = main(client_as("department_staff").get(f"/cases/{case.pk}/"))
    assert offered(page) == {"accept", "sidestep"}
    assert f'name="accept-version" value="{case.version}"' in page
    desk = main(client_as("community_secretary").get(f"/cases/{case.pk}/"))
    assert offered(desk) == {"sidestep", "whistle"}  # void it, or summon more units
    assert 'value="void"' in desk and 'value="transfer"' not in desk


def test_the_whole_loop_through_the_forms(client_as, flow):
    case = flow.report()
    desk, unit, grid = client_as("community_secretary"), client_as("department_staff"), client_as("grid_worker")

    assert act(desk, case, "register", note="属实").status_code == 302
    assert fresh(case).state == CaseState.REGISTERED
    case = fresh(case)
    page = main(desk.get(f"/cases/{case.pk}/"))
    assert "The routing rule suggests" in page and "城市管理执法局" in page
    assert act(desk, case, "dispatch", unit="").status_code == 302
    case = fresh(case)
    assert case.state == CaseState.DISPATCHED and case.handling_department is not None

    assert act(unit, case, "accept").status_code == 302
    case = fresh(case)
    assert act(unit, case, "start").status_code == 302
    case = fresh(case)
    response = unit.post(reverse("cases:act", args=[case.pk, "resolve"]), {
        "resolve-version": case.version, "resolve-feedback": "已清运", "resolve-photos": [media.png()]})
    assert response.status_code == 302
    case = fresh(case)
    assert case.state == CaseState.RESOLVED and case.attachments.filter(kind="after_photo").count() == 1

    assert offered(main(grid.get(f"/cases/{case.pk}/"))) == {"verify"}
    assert act(grid, case, "verify", passed="yes").status_code == 302
    case = fresh(case)
    assert case.state == CaseState.VERIFIED
    assert act(desk, case, "close").status_code == 302
    assert fresh(case).state == CaseState.CLOSED
    follow = desk.get(f"/cases/{case.pk}/", follow=True)
    assert f"Case {case.tracking_number} closed." not in main(follow)  # the message was shown once already


def test_dispatch_to_a_chosen_office(client_as, flow, city):
    case = flow.registered()
    response = act(client_as("street_officer_a"), case, "dispatch", unit=f"division:{city.street_a.pk}")
    assert response.status_code == 302
    assert fresh(case).handling_division_id == city.street_a.pk
    assert fresh(case).dispatcher_division_id == city.street_a.pk


def test_dispatch_choices_are_the_units_serving_the_place(client_as, flow, city, department):
    case = flow.registered()
    page = main(client_as("community_secretary").get(f"/cases/{case.pk}/"))
    assert f'value="department:{department.pk}"' in page
    assert f'value="division:{city.street_a.pk}"' in page and f'value="division:{city.community_a.pk}"' in page
    assert f'value="division:{city.street_b.pk}"' not in page
    # A unit not offered cannot be slipped in.
    response = act(client_as("community_secretary"), case, "dispatch", unit=f"division:{city.street_b.pk}")
    assert response.status_code == 400 and "Select a valid choice" in html(response)
    assert fresh(case).state == CaseState.REGISTERED


def test_a_stale_form_is_refused_and_changes_nothing(client_as, flow):
    case = flow.dispatched()
    unit = client_as("department_staff")
    assert act(unit, case, "accept").status_code == 302
    again = act(unit, case, "accept")  # the same form sent twice (or a colleague's older page)
    assert again.status_code == 409
    page = main(again)
    assert "Someone else acted on case" in page and "Reload the case" in page
    assert offered(page) == {"start", "resolve", "sidestep"}  # the panel as the case stands now
    assert CaseEvent.objects.filter(case=case, kind="accepted").count() == 1


@pytest.mark.parametrize("action", ["register", "reject", "dispatch", "close"])
def test_each_stale_desk_action_is_refused(client_as, flow, action):
    case = flow.report() if action in ("register", "reject") else (
        flow.registered() if action == "dispatch" else flow.verified())
    before = (case.state, case.version)
    response = act(client_as("community_secretary"), case, action, version=case.version - 1, reason="重复")
    assert response.status_code == 409 and "Someone else acted on case" in html(response)
    assert (fresh(case).state, fresh(case).version) == before


def test_an_illegal_step_shows_the_service_reason(client_as, flow):
    case = flow.report()
    response = act(client_as("community_secretary"), case, "close")
    assert response.status_code == 400
    assert "cannot be closed" in html(response)
    assert fresh(case).state == CaseState.SUBMITTED


def test_a_step_the_user_may_not_take_is_refused(client_as, flow):
    case = flow.dispatched()
    response = act(client_as("grid_worker"), case, "accept")
    assert response.status_code == 403 and "You may not do this to case" in html(response)
    assert fresh(case).state == CaseState.DISPATCHED


def test_reject_needs_a_reason(client_as, flow):
    case = flow.report()
    response = act(client_as("community_secretary"), case, "reject", reason="")
    assert response.status_code == 400 and "This field is required." in html(response)
    assert act(client_as("community_secretary"), case, "reject", reason="非本辖区事项").status_code == 302
    assert fresh(case).state == CaseState.REJECTED


def test_failed_verification_needs_what_is_wrong_and_reopens(client_as, flow):
    case = flow.resolved()
    grid = client_as("grid_worker")
    response = act(grid, case, "verify", passed="no", note="")
    assert response.status_code == 400 and "Give what is still wrong." in html(response)
    assert act(grid, case, "verify", passed="no", note="垃圾还在").status_code == 302
    assert fresh(case).state == CaseState.IN_PROGRESS


def test_resolve_refuses_a_fake_photo_and_keeps_the_case(client_as, flow):
    case = flow.in_progress()
    response = client_as("department_staff").post(reverse("cases:act", args=[case.pk, "resolve"]), {
        "resolve-version": case.version, "resolve-feedback": "已清运", "resolve-photos": [media.fake()]})
    assert response.status_code == 400 and "not a JPEG, PNG, WebP or HEIC photo" in html(response)
    assert fresh(case).state == CaseState.IN_PROGRESS and not CaseAttachment.objects.exists()


# --- sidesteps, whistles, merging ------------------------------------------------------------------


def test_sidestep_asked_by_the_unit_and_decided_by_the_dispatcher(client_as, flow):
    case = flow.accepted()
    unit, desk = client_as("department_staff"), client_as("community_secretary")
    response = act(unit, case, "sidestep", kind="extension", reason="材料未到", extension_amount=2,
                   extension_unit="days")
    assert response.status_code == 302
    request = Sidestep.objects.get()
    assert request.status == SidestepStatus.PENDING and request.extension_amount == 2
    assert "sidestep" not in offered(main(unit.get(f"/cases/{case.pk}/")))  # one open request at a time
    page = main(desk.get(f"/cases/{case.pk}/"))
    assert "decide" in offered(page) and "材料未到" in page
    due = fresh(case).handling_due
    response = act(desk, fresh(case), "decide", approve="yes")
    assert response.status_code == 302
    assert Sidestep.objects.get().status == SidestepStatus.APPROVED and fresh(case).handling_due > due


def test_denying_needs_a_note(client_as, flow):
    case = flow.accepted()
    sidesteps.request_sidestep(actor=flow.users["department_staff"], case=case, kind="return", reason="不归我们管")
    desk = client_as("community_secretary")
    response = act(desk, fresh(case), "decide", approve="no", note="")
    assert response.status_code == 400 and "Give why it is denied." in html(response)
    assert Sidestep.objects.get().status == SidestepStatus.PENDING


def test_whistle_and_roll_call(client_as, flow, department, clock):
    case = flow.registered()
    street = client_as("street_officer_a")
    page = main(street.get(f"/cases/{case.pk}/"))
    assert "whistle" in offered(page) and department.name in page
    response = street.post(reverse("cases:act", args=[case.pk, "whistle"]), {
        "whistle-reason": "占道经营需联合执法", "whistle-departments": [department.pk], "whistle-hours": "2"})
    assert response.status_code == 302
    summons = Summons.objects.get()
    unit = client_as("department_staff")
    page = main(unit.get(f"/cases/{case.pk}/"))
    assert "You are summoned" in page and "Not yet reported in" in page
    clock.move_to(summons.whistle.check_in_due + dt.timedelta(minutes=5))
    check_in = reverse("cases:summons", args=[case.pk, summons.pk, "check-in"])
    assert unit.post(check_in, {"note": "到场"}).status_code == 302
    assert unit.post(reverse("cases:summons", args=[case.pk, summons.pk, "action"]), {"note": "已劝离摊贩"}
                     ).status_code == 302
    page = main(street.get(f"/cases/{case.pk}/"))
    assert "Came late" in page and "已劝离摊贩" in page
    assert client_as("street_officer_b").post(
        reverse("cases:summons", args=[case.pk, summons.pk, "check-in"])).status_code == 404


def test_a_community_summons_its_residents(client_as, flow):
    case = flow.registered()
    page = main(client_as("community_secretary").get(f"/cases/{case.pk}/"))
    assert "Party members and volunteers to summon" in page and "居民 周芳" in page


def test_merge_nearby_duplicates(client_as, flow):
    first = flow.report()
    second = flow.report(persona=None, point=(IN_GRID_A[0] + 0.0002, IN_GRID_A[1]))
    desk = client_as("community_secretary")
    page = main(desk.get(f"/cases/{first.pk}/"))
    assert "merge" in offered(page) and second.tracking_number in page
    response = desk.post(reverse("cases:act", args=[first.pk, "merge"]),
                         {"merge-duplicates": [second.pk], "merge-reason": "同一处垃圾"})
    assert response.status_code == 302
    assert fresh(second).state == CaseState.MERGED and fresh(second).merged_into_id == first.pk
    again = desk.post(reverse("cases:act", args=[first.pk, "merge"]),
                      {"merge-duplicates": [second.pk], "merge-reason": "再来"})
    assert again.status_code == 409 and "no longer open" in html(again)


def test_a_merge_cannot_reach_a_case_out_of_scope(client_as, flow):
    first = flow.report()
    flow.report(persona=None, point=(IN_GRID_A[0] + 0.0002, IN_GRID_A[1]))
    other = flow.report(persona=None, point=IN_GRID_B)
    response = client_as("community_secretary").post(reverse("cases:act", args=[first.pk, "merge"]),
                                                     {"merge-duplicates": [other.pk], "merge-reason": "x"})
    assert response.status_code == 400 and "Select a valid choice" in html(response)
    assert fresh(other).state == CaseState.SUBMITTED


def test_unknown_action_is_missing(client_as, flow):
    case = flow.report()
    assert client_as("community_secretary").post(f"/cases/{case.pk}/explode/").status_code == 404


def test_suspended_case_can_be_resumed(client_as, flow):
    case = flow.accepted()
    s = sidesteps.request_sidestep(actor=flow.users["department_staff"], case=case, kind="suspension",
                                   reason="等待产权单位")
    sidesteps.decide_sidestep(actor=flow.users["community_secretary"], sidestep=s, approve=True)
    case = fresh(case)
    assert case.state == CaseState.SUSPENDED
    unit = client_as("department_staff")
    assert "resume" in offered(main(unit.get(f"/cases/{case.pk}/")))
    assert act(unit, case, "resume").status_code == 302
    assert fresh(case).state == CaseState.ACCEPTED  # back to the state it left


def test_detail_query_count_is_bounded(client_as, flow, django_assert_max_num_queries):
    case = flow.dispatched()
    c = client_as("community_secretary")
    c.get(f"/cases/{case.pk}/")
    with django_assert_max_num_queries(40):
        c.get(f"/cases/{case.pk}/")


def test_whistle_blown_by_a_community_check(flow):
    """(sanity) the service lets a community blow the whistle on a registered case."""
    case = flow.registered()
    w = whistle.blow_whistle(actor=flow.users["community_secretary"], case=case, reason="x",
                             check_in_due=case.registered_at + dt.timedelta(hours=1),
                             users=[flow.users["resident"]])
    assert w.division.level == "community"
