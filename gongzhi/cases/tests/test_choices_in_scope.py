"""Ids sent with a request never widen anyone's scope: a dispatch, a transfer or a whistle names
only what the page would offer (gongzhi.cases.selectors), and anything else — another street's
department or officer, a missing id — is refused alike (404), changing nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import User
from gongzhi.accounts.services import issue_token
from gongzhi.cases import selectors
from gongzhi.cases.models import Case, Sidestep, Summons, Whistle
from gongzhi.cases.permissions import CaseAction, may
from gongzhi.cases.services import sidesteps, whistle, workflow
from gongzhi.core.errors import DomainError
from gongzhi.demo.personas import ensure_role
from gongzhi.departments.models import Department, DepartmentKind

pytestmark = pytest.mark.django_db
MISSING = 987654


@pytest.fixture
def street_b_department(city):
    """A department serving street B only, with one member of staff."""
    department = Department.objects.create(name="新华街道城管中队", kind=DepartmentKind.CITY_MANAGEMENT,
                                           division=city.street_b)
    department.serves.add(city.street_b)
    staff = User.objects.create_user(username="dept_b_staff", password="x", display_name="新华城管 钱一")
    ensure_role(staff, Role.DEPARTMENT_STAFF, department=department)
    department.member = staff
    return department


def bearer(user) -> dict:
    _token, raw = issue_token(actor=user)
    return {"Authorization": f"Bearer {raw}"}


def unchanged(case: Case, before: Case) -> None:
    now = Case.objects.get(pk=case.pk)
    assert (now.state, now.version, now.handling_department_id, now.handling_division_id) == (
        before.state, before.version, before.handling_department_id, before.handling_division_id)


# --- dispatch -------------------------------------------------------------------------------------


def test_the_dispatch_targets_are_the_case_territorys(flow, city, department, street_b_department):
    case = flow.registered()
    departments, offices = selectors.dispatch_targets(flow.users["street_officer_a"], case)
    assert department in departments and street_b_department not in departments
    assert {d.pk for d in offices} == {city.street_a.pk, city.community_a.pk}


@pytest.mark.parametrize("target", ["street_b", "missing"])
def test_the_api_refuses_a_department_outside_the_case_like_a_missing_one(client, flow, street_b_department,
                                                                        target):
    case = flow.registered()
    officer = flow.users["street_officer_a"]
    department_id = street_b_department.pk if target == "street_b" else MISSING
    answer = client.post(f"/api/v1/cases/{case.pk}/dispatch", {"department_id": department_id},
                         content_type="application/json", headers=bearer(officer))
    assert answer.status_code == 404 and answer.json() == {"detail": "Not found.", "code": "not_found"}
    unchanged(case, case)
    assert not may(street_b_department.member, case, CaseAction.VIEW)
    assert not may(street_b_department.member, case, CaseAction.REVEAL_CONTACT)


def test_the_api_refuses_another_streets_office(client, flow, city):
    case = flow.registered()
    answer = client.post(f"/api/v1/cases/{case.pk}/dispatch", {"division_id": city.street_b.pk},
                         content_type="application/json", headers=bearer(flow.users["street_officer_a"]))
    assert answer.status_code == 404
    unchanged(case, case)


def test_the_api_dispatches_to_a_department_the_case_may_go_to(client, flow, department):
    case = flow.registered()
    answer = client.post(f"/api/v1/cases/{case.pk}/dispatch", {"department_id": department.pk},
                         content_type="application/json", headers=bearer(flow.users["street_officer_a"]))
    assert answer.status_code == 200
    assert Case.objects.get(pk=case.pk).handling_department == department


def test_the_service_refuses_an_outside_department_as_not_found(flow, street_b_department):
    case = flow.registered()
    with pytest.raises(DomainError) as refused:
        workflow.dispatch_case(actor=flow.users["street_officer_a"], case=case, department=street_b_department)
    assert refused.value.code == "not_found" and street_b_department.name not in str(refused.value.message)
    unchanged(case, case)


def test_the_page_refuses_a_department_outside_the_case(client_as, flow, street_b_department, department):
    case = flow.registered()
    officer = client_as("street_officer_a")
    page = officer.get(f"/cases/{case.pk}/").content.decode()
    assert f"department:{department.pk}" in page and f"department:{street_b_department.pk}" not in page
    for value in (f"department:{street_b_department.pk}", f"department:{MISSING}"):
        answer = officer.post(f"/cases/{case.pk}/dispatch/", {"dispatch-version": case.version,
                                                             "dispatch-unit": value})
        assert answer.status_code == 400
        unchanged(case, case)
    assert not may(street_b_department.member, case, CaseAction.VIEW)
    answer = officer.post(f"/cases/{case.pk}/dispatch/", {"dispatch-version": case.version,
                                                         "dispatch-unit": f"department:{department.pk}"})
    assert answer.status_code == 302 and Case.objects.get(pk=case.pk).handling_department == department


# --- transfer -------------------------------------------------------------------------------------


def test_a_transfer_names_only_a_unit_the_case_may_go_to(client, flow, street_b_department, city):
    case = flow.accepted()
    staff = flow.users["department_staff"]
    for target in (street_b_department.pk, MISSING):
        answer = client.post(f"/api/v1/cases/{case.pk}/sidesteps",
                             {"kind": "transfer", "reason": "不归我们管", "target_department_id": target},
                             content_type="application/json", headers=bearer(staff))
        assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    with pytest.raises(DomainError) as refused:
        sidesteps.request_sidestep(actor=staff, case=case, kind="transfer", reason="不归我们管",
                                   target_department=street_b_department)
    assert refused.value.code == "not_found"
    assert not Sidestep.objects.filter(case=case).exists()
    unchanged(case, case)
    answer = client.post(f"/api/v1/cases/{case.pk}/sidesteps",
                         {"kind": "transfer", "reason": "街道处理", "target_division_id": city.street_a.pk},
                         content_type="application/json", headers=bearer(staff))
    assert answer.status_code == 201


# --- whistle --------------------------------------------------------------------------------------


def blow_api(client, user, case, **ids):
    return client.post(f"/api/v1/cases/{case.pk}/whistles", {"reason": "需要联合处置", **ids},
                       content_type="application/json", headers=bearer(user))


def test_summonable_people_and_departments(flow, city, department, street_b_department):
    case = flow.dispatched()
    secretary = flow.users["community_secretary"]
    people = list(selectors.summonable_people(secretary, case))
    assert flow.users["resident"] in people
    assert flow.users["street_officer_b"] not in people and street_b_department.member not in people
    departments = list(selectors.summonable_departments(secretary, case))
    assert department in departments and street_b_department not in departments
    # A street's whistle summons departments only.
    assert not list(selectors.summonable_people(flow.users["street_officer_a"], case))


@pytest.mark.parametrize("ids", ["street_b_officer", "street_b_department", "missing_user", "missing_department"])
def test_a_whistle_over_the_api_summons_nobody_out_of_reach(client, flow, street_b_department, ids):
    case = flow.dispatched()
    outsider = flow.users["street_officer_b"]
    payload = {"street_b_officer": {"user_ids": [outsider.pk]},
               "street_b_department": {"department_ids": [street_b_department.pk]},
               "missing_user": {"user_ids": [MISSING]},
               "missing_department": {"department_ids": [MISSING]}}[ids]
    answer = blow_api(client, flow.users["community_secretary"], case, **payload)
    assert answer.status_code == 404 and answer.json() == {"detail": "Not found.", "code": "not_found"}
    assert not Whistle.objects.filter(case=case).exists() and not Summons.objects.exists()
    assert not may(outsider, case, CaseAction.VIEW) and not may(street_b_department.member, case, CaseAction.VIEW)


def test_a_whistle_over_the_api_summons_whom_the_page_offers(client, flow, department):
    case = flow.dispatched()
    answer = blow_api(client, flow.users["community_secretary"], case, user_ids=[flow.users["resident"].pk],
                      department_ids=[department.pk])
    assert answer.status_code == 201
    assert Summons.objects.filter(whistle__case=case).count() == 2


def test_the_whistle_service_refuses_an_outsider_as_not_found(flow, street_b_department):
    case = flow.dispatched()
    due = timezone.now() + dt.timedelta(hours=2)
    for summoned in ({"users": [flow.users["street_officer_b"]]}, {"departments": [street_b_department]}):
        with pytest.raises(DomainError) as refused:
            whistle.blow_whistle(actor=flow.users["community_secretary"], case=case, reason="联合处置",
                                 check_in_due=due, **summoned)
        assert refused.value.code == "not_found"
    assert not Whistle.objects.exists()
    assert not may(flow.users["street_officer_b"], case, CaseAction.VIEW)


def test_a_whistle_page_refuses_an_outsider(client_as, flow, street_b_department, department):
    case = flow.dispatched()
    secretary = client_as("community_secretary")
    outsider = flow.users["street_officer_b"]
    page = secretary.get(f"/cases/{case.pk}/").content.decode()
    assert f'value="{flow.users["resident"].pk}"' in page
    for data in ({"whistle-users": [outsider.pk]}, {"whistle-departments": [street_b_department.pk]},
                 {"whistle-users": [MISSING]}):
        answer = secretary.post(f"/cases/{case.pk}/whistle/", {"whistle-reason": "联合处置", "whistle-hours": "2",
                                                               **data})
        assert answer.status_code == 400
    assert not Whistle.objects.exists()
    assert not may(outsider, case, CaseAction.VIEW)
    answer = secretary.post(f"/cases/{case.pk}/whistle/", {"whistle-reason": "联合处置", "whistle-hours": "2",
                                                           "whistle-departments": [department.pk]})
    assert answer.status_code == 302 and Whistle.objects.filter(case=case).count() == 1
