"""The reporter's phone: masked wherever staff read a case; shown whole only on an audited "show"
by someone who works on the case (who saw whose number, when). Refusals record nothing."""

import pytest

from gongzhi.accounts.services import issue_token
from gongzhi.cases.services import contact
from gongzhi.cases.services.intake import Report, submit_case
from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry

from .conftest import IN_GRID_A

pytestmark = pytest.mark.django_db
PHONE, MASKED = "13900000008", "139****0008"  # the resident persona's


def reveals(case):
    return AuditEntry.objects.filter(action="case.reveal_contact", object_id=str(case.pk))


@pytest.mark.parametrize(("persona", "allowed"), [
    ("city_admin", True), ("street_officer_a", True), ("community_secretary", True), ("grid_worker", True),
    ("department_staff", True),  # while its department holds the case
    ("district_officer", False), ("auditor", False), ("street_officer_b", False), ("resident", False),
])
def test_who_may_see_the_whole_number(flow, persona, allowed):
    case = flow.dispatched()
    user = flow.users[persona]
    if allowed:
        assert contact.reveal_contact(actor=user, case=case) == {"name": str(flow.users["resident"]), "phone": PHONE}
        entry = reveals(case).get()
        assert entry.actor == user and entry.after == {"field": "reporter_phone", "reporter": flow.users["resident"].pk}
        assert PHONE not in str(entry.after) + str(entry.before) + entry.object_repr
    else:
        with pytest.raises(DomainError) as refused:
            contact.reveal_contact(actor=user, case=case)
        assert refused.value.code == "forbidden" and not reveals(case).exists()


def test_a_department_sees_it_only_while_it_holds_the_case(flow):
    case = flow.registered()
    with pytest.raises(DomainError):
        contact.reveal_contact(actor=flow.users["department_staff"], case=case)
    assert not reveals(case).exists()


def test_a_phoned_in_number_and_an_anonymous_reporter(flow, catalogue):
    desk = flow.users["community_secretary"]
    phoned = submit_case(actor=desk, report=Report(description="楼道灯坏了", lng=IN_GRID_A[0], lat=IN_GRID_A[1],
                                                   channel="phone", category=catalogue["litter"],
                                                   contact_name="王先生", contact_phone="13812341234")).case
    assert contact.masked_contact(phoned) == {"name": "王先生", "phone": "138****1234", "has_phone": True}
    assert contact.reveal_contact(actor=desk, case=phoned)["phone"] == "13812341234"
    assert reveals(phoned).get().after["field"] == "contact_phone"

    hidden = flow.report(is_anonymous=True, contact_phone="13812345678")
    assert contact.masked_contact(hidden) is None
    with pytest.raises(DomainError):
        contact.reveal_contact(actor=desk, case=hidden)
    assert not reveals(hidden).exists()


def test_the_page_masks_and_shows_on_asking(flow, client_as):
    case = flow.dispatched()
    desk = client_as("community_secretary")
    page = desk.get(f"/cases/{case.pk}/").content.decode()
    assert MASKED in page and PHONE not in page and f"/cases/{case.pk}/contact/" in page
    shown = desk.post(f"/cases/{case.pk}/contact/", headers={"HX-Request": "true"})
    assert shown.status_code == 200 and PHONE in shown.content.decode()
    assert shown["Cache-Control"].startswith("max-age=0") or "no-cache" in shown["Cache-Control"]
    full = desk.post(f"/cases/{case.pk}/contact/").content.decode()
    assert f'href="tel:{PHONE}"' in full
    assert reveals(case).count() == 2


def test_the_page_offers_no_show_to_whom_may_not(flow, client_as):
    case = flow.dispatched()
    district = client_as("district_officer")
    page = district.get(f"/cases/{case.pk}/").content.decode()
    assert MASKED in page and f"/cases/{case.pk}/contact/" not in page
    refused = district.post(f"/cases/{case.pk}/contact/")
    assert refused.status_code == 403 and PHONE not in refused.content.decode()
    assert client_as("street_officer_b").post(f"/cases/{case.pk}/contact/").status_code == 404
    assert not reveals(case).exists()


def test_the_api_masks_and_shows_on_asking(flow, client):
    case = flow.dispatched()

    def headers(persona):
        _token, raw = issue_token(actor=flow.users[persona])
        return {"Authorization": f"Bearer {raw}"}

    desk = headers("community_secretary")
    detail = client.get(f"/api/v1/cases/{case.pk}", headers=desk).json()
    assert detail["reporter"]["phone"] == MASKED and PHONE not in str(detail)
    listed = client.get("/api/v1/cases/list", headers=desk).json()
    assert PHONE not in str(listed)
    shown = client.post(f"/api/v1/cases/{case.pk}/contact", headers=desk)
    assert shown.status_code == 200 and shown.json()["phone"] == PHONE
    refused = client.post(f"/api/v1/cases/{case.pk}/contact", headers=headers("auditor"))
    assert refused.status_code == 403 and PHONE not in refused.content.decode()
    assert client.post(f"/api/v1/cases/{case.pk}/contact", headers=headers("street_officer_b")).status_code == 404
    assert reveals(case).count() == 1
