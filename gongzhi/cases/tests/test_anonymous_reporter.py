""""Report without my name": whoever reads an anonymous report — its desk, its unit,
district officers, auditors — sees "Anonymous resident" wherever the reporter acted (the case
page's timeline, the API's, the audit trail), never the resident's name."""

import pytest

from gongzhi.accounts.services import issue_token

pytestmark = pytest.mark.django_db
ANONYMOUS = ("Anonymous resident", "匿名居民")
READERS = ["department_staff", "community_secretary", "district_officer", "auditor"]


@pytest.fixture
def anonymous_case(flow):
    return flow.dispatched(is_anonymous=True)


def resident_name(flow) -> str:
    return flow.users["resident"].display_name


@pytest.mark.parametrize("persona", READERS)
def test_the_case_page_names_no_anonymous_reporter(client_as, flow, anonymous_case, persona):
    page = client_as(persona).get(f"/cases/{anonymous_case.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    # Everything but the whistle form, which lists the community's residents one may summon.
    before_actions = text.split('id="actions"')[0]
    timeline = text.split('case-timeline')[1].split("</ol>")[0]
    assert resident_name(flow) not in before_actions
    assert any(label in timeline for label in ANONYMOUS)


@pytest.mark.parametrize("persona", READERS)
def test_the_api_names_no_anonymous_reporter(client, flow, anonymous_case, persona):
    _token, raw = issue_token(actor=flow.users[persona])
    answer = client.get(f"/api/v1/cases/{anonymous_case.pk}", headers={"Authorization": f"Bearer {raw}"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["timeline"][0]["actor"] in ANONYMOUS
    assert resident_name(flow) not in answer.content.decode()
    assert body["reporter"] is None


def test_a_named_report_still_names_its_reporter_to_staff(client_as, flow):
    case = flow.dispatched()
    assert resident_name(flow) in client_as("community_secretary").get(f"/cases/{case.pk}/").content.decode()


@pytest.mark.parametrize("persona", ["auditor", "city_admin"])
def test_the_audit_trail_names_no_anonymous_reporter(client_as, flow, anonymous_case, persona):
    named = flow.dispatched()
    reader = client_as(persona)
    page = reader.get("/audit/", {"object_type": "cases.case", "object_id": str(anonymous_case.pk)})
    assert page.status_code == 200
    text = page.content.decode()
    assert "case.submit" in text and any(label in text for label in ANONYMOUS)
    assert resident_name(flow) not in text
    # Searching by the resident finds their named report, not the anonymous one.
    found = reader.get("/audit/", {"person": flow.users["resident"].username}).content.decode()
    assert f"#{named.pk}<" in found and f"#{anonymous_case.pk}<" not in found


@pytest.mark.parametrize("persona", ["auditor", "city_admin"])
def test_the_audit_api_names_no_anonymous_reporter(client_as, flow, anonymous_case, persona):
    named = flow.dispatched()
    reader = client_as(persona)
    rows = reader.get("/api/v1/audit", {"object_type": "cases.case", "object_id": str(anonymous_case.pk)}).json()
    submitted = [r for r in rows["items"] if r["action"] == "case.submit"]
    assert submitted and all(r["actor"] is None and r["who"] in ANONYMOUS for r in submitted)
    assert resident_name(flow) not in str(rows)
    resident = flow.users["resident"].username
    found = reader.get("/api/v1/audit", {"actor": resident, "object_type": "cases.case"}).json()["items"]
    ids = {r["object"]["id"] for r in found}
    assert str(named.pk) in ids and str(anonymous_case.pk) not in ids
