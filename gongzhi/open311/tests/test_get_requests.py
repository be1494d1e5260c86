"""GET requests (every filter), GET one request, GET a token — what is shown and what never is."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.cases.models import Case
from gongzhi.cases.services import workflow
from gongzhi.cases.services.intake import Report, submit_case
from gongzhi.open311.models import Open311Request

from .conftest import IN_GRID_A, IN_GRID_B, MONDAY, parse

pytestmark = pytest.mark.django_db

SPEC_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
               "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
               "address", "address_id", "zipcode", "lat", "long", "media_url"]


def resident_case(o311, category="litter", point=IN_GRID_A, description="路边有一堆垃圾", **extra) -> Case:
    """A case reported in the resident app (not through Open311): GET lists every channel."""
    return submit_case(actor=o311.users["resident"], report=Report(
        description=description, lng=point[0], lat=point[1], category=o311.catalogue[category], **extra)).case


def walk(o311, case: Case, until: str) -> Case:
    u = o311.users
    steps = [
        ("registered", lambda c: workflow.register_case(actor=u["community_secretary"], case=c)),
        ("dispatched", lambda c: workflow.dispatch_case(actor=u["community_secretary"], case=c)),
        ("accepted", lambda c: workflow.accept_case(actor=u["department_staff"], case=c)),
        ("in_progress", lambda c: workflow.start_case(actor=u["department_staff"], case=c)),
        ("resolved", lambda c: workflow.resolve_case(actor=u["department_staff"], case=c, feedback="已清运")),
        ("verified", lambda c: workflow.verify_case(actor=u["grid_worker"], case=c, passed=True)),
        ("closed", lambda c: workflow.close_case(actor=u["community_secretary"], case=c)),
    ]
    for name, step in steps:
        case = step(case)
        if name == until:
            return case
    raise AssertionError(until)


def test_one_request_in_the_spec_shape(api, o311):
    number = api.report(address_string="槐荫路12号", media_url="https://example.org/p/1.jpg",
                        description_public="true")
    response = api.get(f"requests/{number}.json")
    assert response.status_code == 200
    [request] = parse(response)
    assert list(request) == SPEC_FIELDS
    assert request["status"] == "open"
    assert request["status_notes"] == "Received; waiting to be registered."
    assert request["service_name"] == "Rubbish left in the open"
    assert request["service_code"] == "litter"
    assert request["description"] == "路边有一堆垃圾\n\nHow much rubbish is there? A few bags"
    assert request["agency_responsible"] is None
    assert request["requested_datetime"] == "2026-03-09T09:00:00+08:00"
    assert request["updated_datetime"] == "2026-03-09T09:00:00+08:00"
    assert request["expected_datetime"] is None
    assert request["address"] == "槐荫路12号, 书院社区, 书院街道, 孝南区"
    assert (request["long"], request["lat"]) == IN_GRID_A
    assert request["media_url"] == "https://example.org/p/1.jpg"


def test_one_request_in_xml(api):
    number = api.report()
    root = parse(api.get(f"requests/{number}.xml"))
    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert [child.tag for child in request] == SPEC_FIELDS
    assert request.findtext("service_request_id") == number
    assert request.findtext("status") == "open"
    assert request.find("agency_responsible").text is None  # empty element, as in the spec's example


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_request_is_404(api, fmt):
    response = api.get(f"requests/20260309999.{fmt}")
    assert response.status_code == 404
    assert "20260309999" in (parse(response)[0]["description"] if fmt == "json"
                             else parse(response).findtext("error/description"))


def test_dispatched_case_names_the_unit_and_the_due_time(api, o311):
    case = walk(o311, resident_case(o311), "dispatched")
    [request] = parse(api.get(f"requests/{case.tracking_number}.json"))
    assert request["status"] == "open"
    assert request["agency_responsible"] == case.handling_department.name
    assert request["status_notes"] == f"Sent to {case.handling_department.name}; waiting for it to accept."
    assert request["expected_datetime"] == case.handling_due.astimezone(MONDAY.tzinfo).isoformat()
    assert request["service_notice"].startswith("A handling unit responds within 2 working hours")


def test_closed_case_is_closed_at_its_closing_time(api, o311, clock):
    case = resident_case(o311)
    clock.move_to(MONDAY + dt.timedelta(hours=2))
    case = walk(o311, case, "closed")
    [request] = parse(api.get(f"requests/{case.tracking_number}.json"))
    assert request["status"] == "closed"
    assert request["status_notes"] == "Closed."
    assert request["updated_datetime"] == "2026-03-09T11:00:00+08:00"
    assert request["expected_datetime"] is None


def test_rejected_case_is_closed_with_the_reason(api, o311):
    case = workflow.reject_case(actor=o311.users["community_secretary"], case=resident_case(o311),
                                reason="重复反映，已并案处理")
    [request] = parse(api.get(f"requests/{case.tracking_number}.json"))
    assert (request["status"], request["status_notes"]) == ("closed", "Not registered: 重复反映，已并案处理")


def test_personal_data_never_appears(api, o311):
    number = api.report(first_name="芳", last_name="周", phone="13912345678", email="zhou@example.com",
                        device_id="device-42", account_id="acct-7", description_public="true",
                        description="垃圾堆在门口，联系我13912345678或zhou@example.com，身份证420902199001011234")
    resident_case(o311, contact_name="王五", contact_phone="13800000000")
    for fmt in ("json", "xml"):
        body = api.get("requests." + fmt).content.decode()
        for secret in ("周", "芳", "王五", "13912345678", "13800000000", "zhou@example.com", "device-42", "acct-7",
                       "420902199001011234", "居民 周芳", "resident"):
            assert secret not in body, (fmt, secret)
    [request] = parse(api.get(f"requests/{number}.json"))
    assert "139****5678" in request["description"]
    assert "***@***" in request["description"]
    assert "420902********1234" in request["description"]


def test_community_matters_are_shown_without_words_photos_or_exact_place(api, o311):
    number = api.report(service_code="noise", description="楼上3栋502每晚装修", address_string="槐荫路12号3栋",
                        media_url="https://example.org/p/2.jpg")
    [request] = parse(api.get(f"requests/{number}.json"))
    assert request["description"] is None
    assert request["media_url"] is None
    assert request["address"] == "书院社区, 书院街道, 孝南区"
    assert (request["long"], request["lat"]) == (round(IN_GRID_A[0], 3), round(IN_GRID_A[1], 3))
    assert request["service_code"] == "noise" and request["status"] == "open"


def test_anonymous_reports_are_shown_like_community_matters(api, o311):
    case = resident_case(o311, is_anonymous=True, address="槐荫路12号")
    [request] = parse(api.get(f"requests/{case.tracking_number}.json"))
    assert request["description"] is None
    assert "槐荫路12号" not in request["address"]


def test_a_photo_is_published_through_a_signed_link(api, o311):
    from gongzhi.cases.tests import media
    from gongzhi.cases.uploads import prepare_uploads

    case = resident_case(o311, files=prepare_uploads([media.png()]))
    [request] = parse(api.get(f"requests/{case.tracking_number}.json"))
    url = request["media_url"]
    assert url.startswith("http://testserver/open311/v2/media/")
    response = api.client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    pk = case.attachments.get().pk
    assert api.client.get(f"/open311/v2/media/{pk}:forged").status_code == 404
    assert api.client.get(f"/open311/v2/media/{pk}").status_code == 404


def test_a_private_cases_photo_is_not_served(api, o311):
    from gongzhi.cases.tests import media
    from gongzhi.cases.uploads import prepare_uploads
    from gongzhi.open311.media import media_path

    case = resident_case(o311, category="pets", files=prepare_uploads([media.png()]))
    assert api.client.get(media_path(case.attachments.get())).status_code == 404


# --- the list and its filters -------------------------------------------------------------------


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["service_request_id"] for r in parse(response)]


def test_list_defaults_to_the_last_90_days_newest_first(api, o311, clock):
    clock.move_to(MONDAY - dt.timedelta(days=100))
    old = resident_case(o311).tracking_number
    clock.move_to(MONDAY - dt.timedelta(days=10))
    recent = resident_case(o311).tracking_number
    clock.move_to(MONDAY)
    newest = api.report()
    assert numbers(api.get("requests.json")) == [newest, recent]
    assert old not in numbers(api.get("requests.json"))


def test_list_in_xml(api):
    first, second = api.report(), api.report(service_code="noise")
    root = parse(api.get("requests.xml"))
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [second, first]


def test_filter_by_ids_overrides_everything_else(api, o311, clock):
    clock.move_to(MONDAY - dt.timedelta(days=200))
    old = resident_case(o311).tracking_number
    clock.move_to(MONDAY)
    a, b = api.report(), api.report(service_code="noise")
    assert set(numbers(api.get("requests.json", service_request_id=f"{old},{b}", status="closed",
                               service_code="pets"))) == {old, b}
    assert numbers(api.get("requests.json", service_request_id="nope")) == []
    assert a not in numbers(api.get("requests.json", service_request_id=b))


def test_filter_by_service_code(api):
    litter, noise, pets = api.report(), api.report(service_code="noise"), api.report(
        service_code="pets", **{"attribute[problem]": "barking"})
    assert numbers(api.get("requests.json", service_code="noise")) == [noise]
    assert set(numbers(api.get("requests.json", service_code="litter,pets"))) == {litter, pets}
    assert numbers(api.get("requests.json", service_code="teleporter")) == []


def test_filter_by_status(api, o311):
    open_ = api.report()
    closed = walk(o311, resident_case(o311), "closed").tracking_number
    assert numbers(api.get("requests.json", status="open")) == [open_]
    assert numbers(api.get("requests.json", status="closed")) == [closed]
    assert set(numbers(api.get("requests.json", status="open,closed"))) == {open_, closed}
    assert set(numbers(api.get("requests.json", status="OPEN"))) == {open_}


def test_filter_by_dates(api, o311, clock):
    clock.move_to(MONDAY - dt.timedelta(days=30))
    march = resident_case(o311).tracking_number
    clock.move_to(MONDAY)
    today = api.report()
    assert numbers(api.get("requests.json", start_date="2026-02-01T00:00:00+08:00",
                           end_date="2026-02-10T00:00:00Z")) == [march]
    assert numbers(api.get("requests.json", start_date="2026-03-09T00:00:00+08:00")) == [today]
    assert numbers(api.get("requests.json", end_date="2026-03-01")) == [march]
    # "+08:00" sent unencoded in the query string arrives as " 08:00" and is still understood.
    response = api.client.get("/open311/v2/requests.json?start_date=2026-03-09T00:00:00+08:00")
    assert numbers(response) == [today]


@pytest.mark.parametrize(("params", "message"), [
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
     "start_date and end_date may not span more than 90 days."),
    ({"start_date": "2026-03-09T00:00:00Z", "end_date": "2026-03-01T00:00:00Z"},
     "start_date must come before end_date."),
    ({"start_date": "last tuesday"}, "start_date must be a w3 date-time such as 2026-03-09T09:00:00+08:00."),
    ({"end_date": "2026-13-45"}, "end_date must be a w3 date-time such as 2026-03-09T09:00:00+08:00."),
    ({"status": "pending"}, "status must be open or closed, not pending."),
])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_filters_are_400(api, params, message, fmt):
    response = api.get(f"requests.{fmt}", **params)
    assert response.status_code == 400
    body = parse(response)
    assert (body[0]["description"] if fmt == "json" else body.findtext("error/description")) == message


@pytest.mark.parametrize("params", [
    {"start_date": "9999-12-31"},
    {"end_date": "0001-01-01"},
    {"start_date": "9999-12-31T23:59:59-12:00"},
    {"end_date": "0001-01-01T00:00:00+14:00"},
    {"start_date": "0001-01-01", "end_date": "0001-01-02"},
])
@pytest.mark.parametrize("path", ["requests", "servicerequestupdates"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_extreme_dates_are_400_not_a_server_error(api, params, path, fmt):
    response = api.get(f"{path}.{fmt}", **params)
    assert response.status_code == 400
    body = parse(response)
    description = body[0]["description"] if fmt == "json" else body.findtext("error/description")
    assert description.endswith("must lie between the years 1900 and 9000.")


def test_at_most_1000_requests(api, o311, monkeypatch):
    from gongzhi.open311 import selectors

    monkeypatch.setattr(selectors, "MAX_RESULTS", 2)
    made = [resident_case(o311).tracking_number for _ in range(3)]
    assert numbers(api.get("requests.json")) == made[:0:-1]


def test_the_list_costs_the_same_queries_for_any_number_of_requests(api, o311):
    from gongzhi.cases.tests import media
    from gongzhi.cases.uploads import prepare_uploads

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get("requests.json").status_code == 200
        return len(queries)

    api.report()
    one = cost()
    walk(o311, resident_case(o311, files=prepare_uploads([media.png()])), "dispatched")
    api.report(service_code="noise")
    resident_case(o311, point=IN_GRID_B)
    assert cost() == one


def test_token_gives_the_request_id(api):
    number = api.report()
    token = Open311Request.objects.get(case__tracking_number=number).token
    assert parse(api.get(f"tokens/{token}.json")) == [{"service_request_id": number, "token": token}]
    root = parse(api.get(f"tokens/{token}.xml"))
    assert root.findtext("request/service_request_id") == number
    assert root.findtext("request/token") == token
    response = api.get("tokens/unknown-token.json")
    assert response.status_code == 404
    assert parse(response)[0]["code"] == 404


# --- the description is the reporter's to publish --------------------------------------------------


def test_a_description_is_withheld_unless_its_reporter_chose_to_publish_it(api, o311):
    private = api.report(description="我家门口的垃圾三天没人收")
    published = api.report(description="公园门口的垃圾桶满了", description_public="true")
    app_private = resident_case(o311, description="楼下垃圾堆了一周")
    app_public = resident_case(o311, description="广场垃圾桶坏了", description_public=True)
    for fmt in ("json", "xml"):
        body = api.get("requests." + fmt).content.decode()
        assert "我家门口的垃圾三天没人收" not in body and "楼下垃圾堆了一周" not in body
        assert "公园门口的垃圾桶满了" in body and "广场垃圾桶坏了" in body
    assert parse(api.get(f"requests/{private}.json"))[0]["description"] is None
    assert parse(api.get(f"requests/{published}.json"))[0]["description"].startswith("公园门口的垃圾桶满了")
    assert parse(api.get(f"requests/{app_private.tracking_number}.json"))[0]["description"] is None
    assert parse(api.get(f"requests/{app_public.tracking_number}.json"))[0]["description"] == "广场垃圾桶坏了"
    assert not Case.objects.get(tracking_number=private).description_public
    assert Case.objects.get(tracking_number=published).description_public
