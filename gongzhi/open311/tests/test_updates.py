"""The servicerequestupdates extension: GET the public timeline since a time; POST a partner's
comment, which becomes a public note on the case and never moves it."""

import datetime as dt

import pytest

from gongzhi.cases import selectors as case_selectors
from gongzhi.cases.choices import CaseState, EventKind
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.services import workflow
from gongzhi.core.models import AuditEntry
from gongzhi.notifications.models import Notification
from gongzhi.open311.models import Open311Update

from .conftest import DEMO_KEY, MONDAY, parse

pytestmark = pytest.mark.django_db


def comment(api, number, fmt="json", **fields):
    data = {"api_key": DEMO_KEY, "service_request_id": number, "description": "居民补充：垃圾越堆越多了",
            "update_id": "fms-1", "updated_datetime": "2026-03-09T09:30:00+08:00", "status": "OPEN", **fields}
    return api.post(f"servicerequestupdates.{fmt}", {k: v for k, v in data.items() if v is not None})


def dispatched(o311, number) -> Case:
    secretary = o311.users["community_secretary"]
    case = workflow.register_case(actor=secretary, case=Case.objects.get(tracking_number=number))
    return workflow.dispatch_case(actor=secretary, case=case)


def test_get_updates_lists_the_public_timeline(api, o311, clock):
    number = api.report()
    clock.move_to(MONDAY + dt.timedelta(minutes=10))
    case = dispatched(o311, number)
    updates = parse(api.get("servicerequestupdates.json"))
    assert [u["description"] for u in updates] == [
        "Report received.", "Registered as 暴露垃圾.", f"Sent to {case.handling_department.name}."]
    first = updates[0]
    assert list(first) == ["update_id", "service_request_id", "status", "updated_datetime", "description",
                           "media_url"]
    assert first["service_request_id"] == number
    assert first["status"] == "open"
    assert first["updated_datetime"] == "2026-03-09T09:00:00+08:00"
    assert first["update_id"] == str(CaseEvent.objects.filter(case=case).order_by("id").first().pk)


def test_get_updates_in_xml(api, o311):
    dispatched(o311, api.report())
    root = parse(api.get("servicerequestupdates.xml"))
    assert root.tag == "service_request_updates"
    assert len(root.findall("request_update")) == 3
    assert root.findtext("request_update/status") == "open"


def test_staff_only_rows_are_not_listed(api, o311):
    number = api.report()
    CaseEvent.objects.create(case=Case.objects.get(tracking_number=number), kind=EventKind.ESCALATED,
                             note="内部督办", is_public=False)
    body = api.get("servicerequestupdates.json").content.decode()
    assert "内部督办" not in body


def test_get_updates_by_request_and_by_dates(api, o311, clock):
    a = api.report()
    clock.move_to(MONDAY + dt.timedelta(days=2))
    b = api.report()
    dispatched(o311, a)
    by_request = parse(api.get("servicerequestupdates.json", service_request_id=a))
    assert {u["service_request_id"] for u in by_request} == {a}
    assert len(by_request) == 3
    since = parse(api.get("servicerequestupdates.json", start_date="2026-03-10T00:00:00+08:00"))
    assert [(u["service_request_id"], u["description"][:8]) for u in since] == [
        (b, "Report r"), (a, "Register"), (a, "Sent to ")]
    until = parse(api.get("servicerequestupdates.json", end_date="2026-03-10T00:00:00+08:00"))
    assert [u["service_request_id"] for u in until] == [a]
    response = api.get("servicerequestupdates.json", start_date="soon")
    assert response.status_code == 400


def test_a_partner_comment_becomes_a_public_note(api, o311):
    number = api.report()
    case = dispatched(o311, number)
    version = case.version
    response = comment(api, number, media_url="https://example.org/p/3.jpg")
    assert response.status_code == 201
    [answer] = parse(response)
    event = CaseEvent.objects.get(kind=EventKind.COMMENTED)
    assert answer == {"update_id": str(event.pk)}
    assert event.public_note == "居民补充：垃圾越堆越多了"
    assert event.is_public and event.actor == o311.partner.user
    assert event.unit_name == o311.partner.name
    assert event.note == ""  # OPEN is the case's status: nothing asked of staff
    case.refresh_from_db()
    assert (case.state, case.version) == (CaseState.DISPATCHED, version)
    # In the public timeline (tracking page) and in GET updates, with its media link.
    assert event in case_selectors.timeline(case, public=True)
    tracked = api.client.get(f"/api/v1/cases/track/{case.tracking_code}").json()
    assert tracked["timeline"][-1]["note"] == "居民补充：垃圾越堆越多了"
    latest = parse(api.get("servicerequestupdates.json"))[-1]
    assert latest["description"] == "居民补充：垃圾越堆越多了"
    assert latest["media_url"] == "https://example.org/p/3.jpg"
    # Audited, and the handling unit is told.
    assert AuditEntry.objects.filter(action="case.comment", object_id=str(case.pk),
                                     actor=o311.partner.user).exists()
    assert Notification.objects.filter(verb="case.commented", recipient=o311.users["department_staff"]).exists()


def test_a_status_in_an_update_is_never_applied(api, o311):
    number = api.report()
    case = dispatched(o311, number)
    response = comment(api, number, status="CLOSED", description="居民说已经清理了")
    assert response.status_code == 201
    case.refresh_from_db()
    assert case.state == CaseState.DISPATCHED
    event = CaseEvent.objects.get(kind=EventKind.COMMENTED)
    assert "asked for status closed" in event.note  # for staff: verify or close it if the partner is right
    assert event.data["requested_status"] == "closed"
    assert Open311Update.objects.get().requested_status == "closed"
    assert parse(api.get("servicerequestupdates.json"))[-1]["status"] == "open"
    assert "asked for status" not in api.get("servicerequestupdates.json").content.decode()


def test_posting_the_same_update_id_again_adds_nothing(api, o311):
    number = api.report()
    first = parse(comment(api, number))
    assert parse(comment(api, number)) == first
    assert CaseEvent.objects.filter(kind=EventKind.COMMENTED).count() == 1
    response = comment(api, number, description="另一段话")
    assert response.status_code == 400
    assert parse(response)[0]["description"] == "update_id fms-1 was already used for a different update."
    assert comment(api, number, update_id=None).status_code == 201  # without an id, each post is new
    assert CaseEvent.objects.filter(kind=EventKind.COMMENTED).count() == 2


def test_update_answer_in_xml(api):
    number = api.report()
    root = parse(comment(api, number, fmt="xml"))
    assert root.tag == "service_request_updates"
    assert root.findtext("request_update/update_id") == str(CaseEvent.objects.get(kind=EventKind.COMMENTED).pk)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_update_refusals(api, o311, fmt):
    from gongzhi.cases.services.intake import Report, submit_case
    from gongzhi.open311.services import issue_key

    def errors(response):
        body = parse(response)
        return [e["description"] for e in body] if fmt == "json" else [
            e.findtext("description") for e in body.findall("error")]

    number = api.report()
    assert comment(api, number, fmt, api_key=None).status_code == 403
    assert comment(api, number, fmt, api_key="wrong").status_code == 403
    response = comment(api, "20260309999", fmt)
    assert response.status_code == 404
    assert errors(response) == ["service_request_id 20260309999 was not found."]
    response = comment(api, number, fmt, description="", updated_datetime="tomorrow-ish")
    assert response.status_code == 400
    assert errors(response) == ["description is required: the text of the update.",
                                "updated_datetime must be a w3 date-time such as 2026-03-09T09:00:00+08:00."]
    # Another partner's request, or one reported in the app: not this key's to comment on.
    other = issue_key(actor=None, name="另一合作方").raw_key
    assert comment(api, number, fmt, api_key=other).status_code == 403
    resident = submit_case(actor=o311.users["resident"], report=Report(
        description="路灯不亮", lng=113.905, lat=30.905, category=o311.catalogue["street-light"])).case
    assert comment(api, resident.tracking_number, fmt).status_code == 403
    assert not CaseEvent.objects.filter(kind=EventKind.COMMENTED).exists()
