"""The cases API: the resident's loop, public tracking, every persona against in-scope and
out-of-scope cases, transitions, queues, sidesteps, whistles and the catalogue."""

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.accounts.models import ApiToken
from gongzhi.accounts.services import issue_token
from gongzhi.cases.choices import CaseState
from gongzhi.cases.models import Case, CaseAttachment

from . import media
from .conftest import IN_GRID_A, IN_GRID_B, OUTSIDE

pytestmark = pytest.mark.django_db
API = "/api/v1/cases"
PERSONAS = ["city_admin", "district_officer", "street_officer_a", "street_officer_b", "community_secretary",
            "grid_worker", "department_staff", "resident", "auditor"]


def url(path: str) -> str:
    return path if path.startswith("/api/") else f"{API}{path}"


@pytest.fixture
def api(client, city, flow):
    """`api("resident").get(path)`: requests with that persona's bearer token (None: no credentials)."""

    class Caller:
        def __init__(self, persona):
            self.headers = {}
            if persona:
                token, raw = issue_token(actor=city.users[persona])
                ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
                self.headers = {"Authorization": f"Bearer {raw}"}

        def get(self, path, **params):
            return client.get(url(path), params, headers=self.headers)

        def post(self, path, data=None):
            return client.post(url(path), data or {}, content_type="application/json", headers=self.headers)

        def form(self, path, data, headers=None):
            return client.post(f"{API}{path}", data, headers={**self.headers, **(headers or {})})

        def patch(self, path, data):
            return client.patch(f"{API}{path}", data, content_type="application/json", headers=self.headers)

    return Caller


def report(api, persona="resident", point=IN_GRID_A, **fields):
    data = {"description": "小区门口井盖丢了", "lng": point[0], "lat": point[1], "category": "litter", **fields}
    return api(persona).form("/", data)


def test_a_resident_reports_follows_and_rates_over_the_api(api, city):
    resident = api("resident")
    answer = resident.form("/", {"description": "路边垃圾堆了三天", "lng": IN_GRID_A[0], "lat": IN_GRID_A[1],
                                 "category": "litter", "photos": [media.jpeg_with_gps()], "audio": media.wav(1)},
                           headers={"Idempotency-Key": "k-1"})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["created"] and body["tracking_number"].startswith("2026") and body["follow_token"] == ""
    again = resident.form("/", {"description": "路边垃圾堆了三天", "lng": IN_GRID_A[0], "lat": IN_GRID_A[1],
                                "category": "litter"}, headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 200 and again.json()["id"] == body["id"] and not again.json()["created"]
    case_id = body["id"]

    desk, unit = api("community_secretary"), api("department_staff")
    assert desk.post(f"/{case_id}/register", {}).status_code == 200
    dispatched = desk.post(f"/{case_id}/dispatch", {})
    assert dispatched.json()["handling_unit"]["type"] == "department"
    version = dispatched.json()["version"]
    assert unit.post(f"/{case_id}/accept", {"version": version}).status_code == 200
    assert unit.post(f"/{case_id}/accept", {"version": version}).status_code == 409  # stale
    resolved = unit.form(f"/{case_id}/resolve", {"feedback": "已清运", "photos": [media.png()]})
    assert resolved.status_code == 200, resolved.content
    assert [a["kind"] for a in resolved.json()["attachments"]] == ["photo", "audio", "after_photo"]
    assert api("grid_worker").post(f"/{case_id}/verify", {"passed": True}).status_code == 200
    assert desk.post(f"/{case_id}/close", {}).status_code == 200

    mine = resident.get("/mine").json()
    assert [c["id"] for c in mine["items"]] == [case_id]
    detail = resident.get(f"/{case_id}").json()
    assert detail["view"] == "follower" and "reporter" not in detail and "sidesteps" not in detail
    assert all("actor" not in e for e in detail["timeline"])
    rated = resident.post(f"/{case_id}/rate", {"rating": "satisfied", "comment": "很及时"})
    assert rated.status_code == 200 and rated.json()["state"] == CaseState.RATED

    staff_view = api("street_officer_a").get(f"/{case_id}").json()
    assert staff_view["view"] == "staff" and staff_view["reporter"]["phone"] == "139****0008"
    photo = staff_view["attachments"][0]
    fetched = api("street_officer_a").get(photo["url"].removeprefix(API))
    assert fetched.status_code == 200 and fetched["Content-Type"] == "image/jpeg"
    assert api("street_officer_b").get(photo["url"].removeprefix(API)).status_code == 404


def test_anonymous_reports_are_tracked_publicly_and_rated_with_the_token(api, flow):
    answer = report(api, None, category="manhole-cover", contact_phone="13812345678")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    number, code, token = body["tracking_number"], body["tracking_code"], body["follow_token"]
    assert token and body["track_url"] == f"/cases/track/{code}"
    public = api(None).get(f"/track/{code}")
    assert public.status_code == 200 and public.json()["tracking_code"] == code
    text = public.content.decode()
    assert "井盖" not in text and "13812345678" not in text and "lng" not in text
    assert public.json()["timeline"][0]["kind"] == "submitted"
    assert api(None).get("/track/2026000000000").status_code == 404
    # The number itself opens nothing: it counts up, and would let anyone walk through every case.
    assert api(None).get(f"/track/{number}").status_code == 404

    case = Case.objects.get(tracking_number=number)
    for step in (flow.users["community_secretary"],):
        from gongzhi.cases.services import workflow

        case = workflow.register_case(actor=step, case=case)
    case = workflow.dispatch_case(actor=flow.users["street_officer_a"], case=case)
    case = workflow.accept_case(actor=flow.users["street_officer_a"], case=case)
    case = workflow.resolve_case(actor=flow.users["street_officer_a"], case=case, feedback="已补装")
    case = workflow.verify_case(actor=flow.users["grid_worker"], case=case, passed=True)
    workflow.close_case(actor=flow.users["street_officer_a"], case=case)
    bad = api(None).post(f"/track/{code}/rate", {"rating": "satisfied", "follow_token": "nope"})
    assert bad.status_code == 403
    by_number = api(None).post(f"/track/{number}/rate", {"rating": "satisfied", "follow_token": token})
    assert by_number.status_code == 404 and Case.objects.get(pk=case.pk).state == "closed"
    good = api(None).post(f"/track/{code}/rate", {"rating": "satisfied", "follow_token": token})
    assert good.status_code == 200 and good.json()["state"] == "rated"


def test_refused_reports(api):
    outside = report(api, point=OUTSIDE)
    assert outside.status_code == 400 and outside.json()["code"] == "outside_grids"
    bad_file = api("resident").form("/", {"description": "x", "lng": IN_GRID_A[0], "lat": IN_GRID_A[1],
                                          "photos": [media.fake()]})
    assert bad_file.status_code == 400 and bad_file.json()["code"] == "bad_upload"
    assert report(api, None, channel="phone").status_code == 403
    assert report(api, category="no-such-thing").status_code == 404
    assert not Case.objects.exists() and not CaseAttachment.objects.exists()


def test_reports_without_an_account_are_rate_limited(api):
    answers = [report(api, None, point=OUTSIDE).status_code for _ in range(31)]
    assert answers[:30] == [400] * 30 and answers[30] == 429
    assert report(api, "resident", point=OUTSIDE).status_code == 400  # accounts are not limited here


# --- the role matrix ------------------------------------------------------------------------------

SEES_A = {"city_admin", "district_officer", "street_officer_a", "community_secretary", "grid_worker",
          "department_staff", "resident", "auditor"}
SEES_B = {"city_admin", "district_officer", "street_officer_b", "auditor"}


@pytest.fixture
def two_cases(flow):
    """A case in grid A, dispatched to the department; one in grid B, registered."""
    a = flow.dispatched()
    b = flow.report(point=IN_GRID_B, persona=None)
    return a, b


@pytest.mark.parametrize("persona", [*PERSONAS, None])
def test_every_persona_sees_exactly_its_cases(api, two_cases, persona):
    a, b = two_cases
    caller = api(persona)
    missing = caller.get("/999999999")
    for case, seen_by in ((a, SEES_A), (b, SEES_B)):
        answer = caller.get(f"/{case.pk}")
        if persona is None:
            assert answer.status_code == 401
        elif persona in seen_by:
            assert answer.status_code == 200
            assert answer.json()["view"] == ("follower" if persona == "resident" else "staff")
        else:
            assert answer.status_code == 404 and answer.json() == missing.json()
    if persona:
        listed = {c["id"] for c in caller.get("/list").json()["items"]}
        assert listed == {c.pk for c, seen in ((a, SEES_A), (b, SEES_B)) if persona in seen}


@pytest.mark.parametrize(("persona", "status"), [
    ("department_staff", 200), ("street_officer_a", 403), ("community_secretary", 403), ("grid_worker", 403),
    ("resident", 403), ("auditor", 403), ("street_officer_b", 404), (None, 401),
])
def test_only_the_unit_accepts_over_the_api(api, two_cases, persona, status):
    a, _ = two_cases
    answer = api(persona).post(f"/{a.pk}/accept", {})
    assert answer.status_code == status
    a.refresh_from_db()
    assert a.state == (CaseState.ACCEPTED if status == 200 else CaseState.DISPATCHED)


def test_an_illegal_transition_answers_with_its_reason(api, two_cases):
    a, _ = two_cases
    answer = api("community_secretary").post(f"/{a.pk}/close", {})
    assert answer.status_code in (400, 409) and answer.json()["code"] in ("illegal_transition", "forbidden")
    answer = api("department_staff").post(f"/{a.pk}/resolve", {})
    assert answer.status_code in (400, 422)


def test_queues_are_scoped(api, two_cases):
    a, b = two_cases
    assert [c["id"] for c in api("department_staff").get("/queues/to_accept").json()["items"]] == [a.pk]
    assert api("street_officer_a").get("/queues/to_accept").json()["items"] == []
    assert [c["id"] for c in api("street_officer_b").get("/queues/to_register").json()["items"]] == [b.pk]
    assert api("community_secretary").get("/queues/to_register").json()["items"] == []
    assert api("department_staff").get("/queues/nonsense").status_code == 404


def test_sidesteps_over_the_api(api, two_cases):
    a, _ = two_cases
    asked = api("department_staff").post(f"/{a.pk}/sidesteps", {"kind": "extension", "reason": "材料未到",
                                                                  "extension_amount": 1})
    assert asked.status_code == 201, asked.content
    pending = api("community_secretary").get("/sidesteps/pending").json()
    assert [s["id"] for s in pending] == [asked.json()["id"]]
    assert api("street_officer_b").post(f"/sidesteps/{asked.json()['id']}/decide", {"approve": True}).status_code \
        == 404
    decided = api("community_secretary").post(f"/sidesteps/{asked.json()['id']}/decide", {"approve": True})
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    assert api("street_officer_a").get(f"/{a.pk}").json()["counters"]["extensions"] == 1


def test_whistle_and_check_in_over_the_api(api, two_cases, department):
    a, _ = two_cases
    blown = api("street_officer_a").post(f"/{a.pk}/whistles", {"reason": "联合执法", "department_ids": [department.pk]})
    assert blown.status_code == 201, blown.content
    summons = blown.json()["roll_call"][0]
    assert summons["attendance"] == "pending"
    assert [s["id"] for s in api("department_staff").get("/summonses").json()] == [summons["id"]]
    assert api("grid_worker").post(f"/summonses/{summons['id']}/check-in", {}).status_code == 404
    checked = api("department_staff").post(f"/summonses/{summons['id']}/check-in", {})
    assert checked.status_code == 200 and checked.json()["attendance"] == "on_time"
    acted = api("department_staff").post(f"/summonses/{summons['id']}/action", {"note": "两名队员到场"})
    assert acted.json()["action_note"] == "两名队员到场"
    roll = api("street_officer_a").get(f"/{a.pk}/whistles").json()
    assert roll[0]["roll_call"][0]["attendance"] == "on_time"


def test_duplicates_and_merge_over_the_api(api, flow):
    first = flow.registered()
    before = api(None).get("/nearby", lng=IN_GRID_A[0], lat=IN_GRID_A[1], category="litter")
    assert [d["tracking_number"] for d in before.json()] == [first.tracking_number]  # asked while writing
    second = report(api, "grid_worker", channel="grid_patrol")
    # After filing, the answer says where to ask again: the same spot and category, itself left out.
    assert second.json()["nearby_url"].startswith("/api/v1/cases/nearby?")
    after = Client().get(second.json()["nearby_url"])
    assert [d["tracking_number"] for d in after.json()] == [first.tracking_number]
    nearby = api(None).get("/nearby", lng=IN_GRID_A[0], lat=IN_GRID_A[1], category="litter")
    assert len(nearby.json()) == 2 and "description" not in nearby.content.decode()
    merged = api("community_secretary").post(f"/{first.pk}/merge", {"duplicates": [second.json()["id"]],
                                                                     "reason": "同一处"})
    assert merged.status_code == 200
    assert api("grid_worker").get("/mine").json()["count"] == 2  # their own, and the survivor they now follow


def test_the_catalogue(api):
    classes = api(None).get("/categories").json()
    assert {c["code"] for c in classes} >= {"event-appearance", "community-matters"}
    assert api(None).get("/categories/suggest", text="小区门口的井盖丢了").json()[0]["code"] == "manhole-cover"
    assert api("street_officer_a").patch("/categories/litter", {"handling_limit": 2}).status_code == 403
    edited = api("city_admin").patch("/categories/litter", {"handling_limit": 2, "version": 1})
    assert edited.status_code == 200 and edited.json()["handling_limit"] == {"amount": 2, "unit": "days"}
    assert api("city_admin").patch("/categories/litter", {"handling_limit": 3, "version": 1}).status_code == 409
    created = api("city_admin").post("/categories", {
        "code": "shared-bikes", "parent": "event-street-order", "name_zh": "共享单车乱停", "name_en": "Shared bikes",
        "response_limit": 4, "response_unit": "hours", "handling_limit": 1, "handling_unit": "days",
        "routing": "street"})
    assert created.status_code == 201, created.content


def test_notifications_api(api, flow):
    case = flow.dispatched()
    resident = api("resident")
    listed = resident.get("/api/v1/notifications/")
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert {n["verb"] for n in items} == {"case.registered", "case.dispatched"}
    assert items[0]["subject"]["label"] == case.tracking_number
    assert items[0]["subject"]["url"] == f"/cases/track/{case.tracking_code}/"  # a resident follows it there
    assert resident.get("/api/v1/notifications/unread").json() == {"unread": 2}
    assert resident.post("/api/v1/notifications/read", {"ids": [items[0]["id"]]}).json() == {"marked": 1}
    assert resident.post("/api/v1/notifications/read", {}).json() == {"marked": 1}
    assert api(None).get("/api/v1/notifications/").status_code == 401


def count_queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_lists_and_details_do_not_grow_queries_with_the_data(api, flow):
    officer = api("street_officer_a")
    case = flow.dispatched()
    one = count_queries(lambda: officer.get("/list"))
    detail = count_queries(lambda: officer.get(f"/{case.pk}"))
    for _ in range(5):
        flow.resolved()
    assert count_queries(lambda: officer.get("/list")) == one
    assert count_queries(lambda: officer.get("/queues/to_verify")) <= one + 1
    assert count_queries(lambda: officer.get(f"/{case.pk}")) == detail <= 16


def test_the_periodic_sweep_task(flow, clock):
    import datetime as dt

    from gongzhi.cases.models import Escalation
    from gongzhi.cases.tasks import sweep_deadlines

    flow.dispatched()
    clock.shift(dt.timedelta(hours=3))
    sweep_deadlines.call_local()
    assert list(Escalation.objects.values_list("kind", flat=True)) == ["response_overdue"]
