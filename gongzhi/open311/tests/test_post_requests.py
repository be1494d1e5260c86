"""POST requests, from the spec's example request, and every way it can be refused."""

import pytest

from gongzhi.cases.choices import CaseState, Channel
from gongzhi.cases.models import Case
from gongzhi.open311.models import Open311Request

from .conftest import DEMO_KEY, IN_GRID_A, OUTSIDE, parse

pytestmark = pytest.mark.django_db


def spec_example(**changes) -> dict:
    """The spec's example POST, placed in our city and on one of our services."""
    data = {
        "api_key": DEMO_KEY, "jurisdiction_id": "city.gov", "service_code": "road-damage",
        "lat": IN_GRID_A[1], "long": IN_GRID_A[0], "address_string": "1234 5th street",
        "email": "smit333@sfgov.edu", "device_id": "tt222111", "account_id": "123456", "first_name": "john",
        "last_name": "smith", "phone": "111111111", "description": "A large sinkhole is destroying the street",
        "media_url": "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg",
        "attribute[size]": "large", "attribute[surface]": "carriageway", "attribute[WHISPAWN]": "123456",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_spec_example_creates_a_case_on_the_open311_channel(api, o311):
    response = api.post("requests.json", spec_example())
    assert response.status_code == 201
    [answer] = parse(response)
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}  # an id, so no token
    assert answer["account_id"] == "123456"
    assert answer["service_notice"] == ("A handling unit responds within 4 working hours and handles it within "
                                        "5 working days (working time).")
    case = Case.objects.get(tracking_number=answer["service_request_id"])
    assert case.channel == Channel.OPEN311
    assert case.state == CaseState.SUBMITTED
    assert case.reporter == o311.partner.user
    assert case.category.code == "road-damage"
    assert case.grid == o311.city.grid_a
    assert (case.lng, case.lat) == IN_GRID_A
    assert case.address == "1234 5th street"
    assert case.contact_name == "smith john" and case.contact_phone == "111111111"
    # The answers are appended for the staff registering it; the unknown attribute is ignored.
    assert case.description == ("A large sinkhole is destroying the street\n\n"
                                "How large is the damage? Over two metres\nWhere is it? Carriageway")
    row = case.open311
    assert row.client == o311.partner
    assert row.attributes == {"size": "large", "surface": "carriageway"}
    assert (row.email, row.device_id, row.account_id) == ("smit333@sfgov.edu", "tt222111", "123456")
    assert row.media_url.endswith("5ed477a060.jpg")
    assert row.token


def test_post_answers_in_xml(api):
    response = api.post("requests.xml", spec_example())
    assert response.status_code == 201
    root = parse(response)
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id").isdigit()
    assert root.find("request/token") is None


def test_the_posted_request_joins_the_workflow_and_the_public_list(api, o311):
    from gongzhi.cases import selectors
    from gongzhi.cases.services.workflow import register_case

    number = api.report()
    case = Case.objects.get(tracking_number=number)
    secretary = o311.users["community_secretary"]
    assert case in selectors.queue(secretary, "to_register")
    case = register_case(actor=secretary, case=case)
    assert case.state == CaseState.REGISTERED
    [listed] = parse(api.get("requests.json"))
    assert listed["service_request_id"] == number
    assert listed["status_notes"] == "Registered; waiting to be sent to a handling unit."


def test_multivaluelist_answers(api):
    number = api.report(service_code="street-tree", **{"attribute[problem][]": ["fallen", "wires", "fallen"]})
    row = Open311Request.objects.get(case__tracking_number=number)
    assert row.attributes == {"problem": ["fallen", "wires"]}
    assert row.case.description.endswith("Fallen、Touching wires")


def test_number_and_datetime_answers(api):
    number = api.report(service_code="street-light", **{"attribute[problem]": "out", "attribute[lights_out]": "3"})
    assert Open311Request.objects.get(case__tracking_number=number).attributes == {"problem": "out", "lights_out": 3}
    number = api.report(service_code="sewage-overflow", **{"attribute[since]": "2026-03-09T07:30:00+08:00"})
    assert Open311Request.objects.get(case__tracking_number=number).attributes == {
        "since": "2026-03-09T07:30:00+08:00"}


def test_description_may_be_left_out(api):
    response = api.post("requests.json", spec_example(description=None))
    assert response.status_code == 201
    case = Case.objects.get(tracking_number=parse(response)[0]["service_request_id"])
    assert case.description.startswith("Damaged road surface\n\n")


def test_an_address_of_a_registered_building_places_the_request(api, o311):
    from gongzhi.registry.models import Building
    from gongzhi.registry.models.base import placed_values

    Building.objects.create(address="槐荫路12号3栋", lng=IN_GRID_A[0], lat=IN_GRID_A[1],
                            **placed_values(o311.city.grid_a))
    response = api.post("requests.json", spec_example(lat=None, long=None, address_string="槐荫路12号3栋"))
    assert response.status_code == 201
    case = Case.objects.get(tracking_number=parse(response)[0]["service_request_id"])
    assert case.grid == o311.city.grid_a


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_missing_api_key_is_403(api, fmt):
    response = api.post(f"requests.{fmt}", spec_example(api_key=None))
    assert response.status_code == 403
    body = parse(response)
    if fmt == "json":
        assert body == [{"code": 403, "description": "api_key is required to post."}]
    else:
        assert body.tag == "errors" and body.findtext("error/code") == "403"
    assert not Case.objects.exists()


def test_invalid_and_revoked_keys_are_403(api, o311):
    from gongzhi.open311.services import revoke_key

    response = api.post("requests.json", spec_example(api_key="not-a-key"))
    assert response.status_code == 403
    assert parse(response)[0]["description"] == "Invalid api_key received -- can't proceed."
    revoke_key(actor=None, client=o311.partner)
    assert api.post("requests.json", spec_example()).status_code == 403
    assert not Case.objects.exists()


def test_unknown_service_code_is_404(api):
    response = api.post("requests.json", spec_example(service_code="teleporter"))
    assert response.status_code == 404
    assert parse(response)[0]["description"] == "service_code teleporter was not found."


def test_a_class_is_not_a_service(api):
    assert api.post("requests.json", spec_example(service_code="thing-roads")).status_code == 404


@pytest.mark.parametrize(("changes", "message"), [
    ({"service_code": None}, "service_code is required."),
    ({"lat": None, "long": None, "address_string": None},
     "A location is required: lat and long, or address_string, or address_id."),
    ({"long": None}, "Send lat and long together."),
    ({"lat": "north"}, "lat must be a WGS84 coordinate in decimal degrees."),
    ({"long": "200"}, "long must be a WGS84 coordinate in decimal degrees."),
    ({"email": "not-an-address"}, "email is not a valid e-mail address."),
    ({"phone": "call me"}, "phone may hold only digits, spaces and + - ( )."),
    ({"media_url": "javascript:alert(1)"}, "media_url must be an http or https URL."),
    ({"description": "x" * 2001}, "description is too long: at most 2000 characters."),
])
def test_invalid_fields_are_400(api, changes, message):
    response = api.post("requests.json", spec_example(**changes))
    assert response.status_code == 400
    assert message in [e["description"] for e in parse(response)]
    assert not Case.objects.exists()


def test_every_problem_is_reported_at_once(api):
    response = api.post("requests.xml", spec_example(email="nope", phone="??", media_url="ftp://x"))
    assert response.status_code == 400
    assert len(parse(response).findall("error")) == 3


def test_location_outside_every_grid_is_400(api):
    response = api.post("requests.json", spec_example(long=OUTSIDE[0], lat=OUTSIDE[1]))
    assert response.status_code == 400
    [error] = parse(response)
    assert "outside every grid this city serves" in error["description"]
    assert not Case.objects.exists()


def test_an_address_we_cannot_place_is_400(api):
    response = api.post("requests.json", spec_example(lat=None, long=None, address_string="1234 5th street"))
    assert response.status_code == 400
    assert "send lat and long" in parse(response)[0]["description"]
    response = api.post("requests.json", spec_example(lat=None, long=None, address_string=None, address_id="545483"))
    assert response.status_code == 400
    assert "address_id" in parse(response)[0]["description"]


@pytest.mark.parametrize(("attributes", "message"), [
    ({"attribute[size]": None}, "attribute[size] is required: How large is the damage?"),
    ({"attribute[size]": "enormous"}, "attribute[size]: choose one of small, medium, large."),
    ({"attribute[size]": ["small", "large"]}, "attribute[size] takes one value."),
])
def test_attribute_answers_are_checked(api, attributes, message):
    response = api.post("requests.json", spec_example(**attributes))
    assert response.status_code == 400
    assert [e["description"] for e in parse(response)] == [message]


@pytest.mark.parametrize(("service", "attributes", "message"), [
    ("street-tree", {"attribute[problem][]": ["fallen", "on_fire"]},
     "attribute[problem]: choose among fallen, dead, blocking, wires, broken_branch."),
    ("street-light", {"attribute[problem]": "out", "attribute[lights_out]": "many"},
     "attribute[lights_out] must be a number."),
    ("sewage-overflow", {"attribute[since]": "yesterday"},
     "attribute[since] must be a w3 date-time such as 2026-03-09T09:00:00+08:00."),
])
def test_list_number_and_datetime_answers_are_checked(api, service, attributes, message):
    response = api.post("requests.json", spec_example(service_code=service, **{"attribute[size]": None}, **attributes))
    assert response.status_code == 400
    assert message in [e["description"] for e in parse(response)]


def test_the_demo_key_is_ensured_once(o311):
    from gongzhi.open311.models import Open311Client
    from gongzhi.open311.services import ensure_demo_key

    assert ensure_demo_key() == o311.partner
    assert Open311Client.objects.count() == 1
