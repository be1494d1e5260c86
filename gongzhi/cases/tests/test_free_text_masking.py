"""Phone and ID numbers typed into a report's free text are masked for every staff role without
the right to reveal the reporter's contact on that case — a district officer, an auditor — on
the case page, in the API and in every list; those who call people back read them whole."""

import pytest

from gongzhi.core.masking import mask_numbers_in_text

pytestmark = pytest.mark.django_db

PHONE, ID_NUMBER = "13812345678", "429999199001011234"
TEXT = f"楼下王师傅电话{PHONE}，身份证{ID_NUMBER}，说水管又漏了"
MASKED_PHONE, MASKED_ID = "138****5678", "429999********1234"


def test_numbers_in_text_are_masked_and_other_digits_are_not():
    assert mask_numbers_in_text(TEXT) == f"楼下王师傅电话{MASKED_PHONE}，身份证{MASKED_ID}，说水管又漏了"
    # A tracking number, a longer run of digits and a short number are not phone numbers.
    assert mask_numbers_in_text("案件2026120700001，门牌12号，编号113812345678900") == \
        "案件2026120700001，门牌12号，编号113812345678900"


@pytest.fixture
def case(flow):
    return flow.dispatched(description=TEXT)


@pytest.mark.parametrize("persona", ["district_officer", "auditor"])
def test_roles_without_the_reveal_right_read_the_numbers_masked(client_as, case, persona):
    reader = client_as(persona)
    page = reader.get(f"/cases/{case.pk}/").content.decode()
    api = reader.get(f"/api/v1/cases/{case.pk}").json()
    for shown in (page, api["description"], api["summary"]):
        assert PHONE not in shown and ID_NUMBER not in shown
    assert MASKED_PHONE in page and MASKED_PHONE in api["description"]
    case.refresh_from_db()
    assert case.description == TEXT  # masked when shown, never changed


def test_the_desk_that_calls_back_reads_them_whole(client_as, case):
    desk = client_as("community_secretary")
    assert PHONE in desk.get(f"/cases/{case.pk}/").content.decode()
    assert desk.get(f"/api/v1/cases/{case.pk}").json()["description"] == TEXT


def test_lists_never_show_them(client_as, case):
    desk = client_as("community_secretary")
    listed = desk.get("/api/v1/cases/list").json()["items"]
    [row] = [r for r in listed if r["id"] == case.pk]
    assert PHONE not in row["summary"] and MASKED_PHONE in row["summary"]
    workbench = desk.get("/cases/", {"tab": "all"}).content.decode()
    assert PHONE not in workbench and MASKED_PHONE in workbench


@pytest.fixture
def worked_case(flow, department):
    """A case whose staff work carries numbers: a sidestep's reason and a whistle's reason."""
    import datetime as dt

    from gongzhi.cases.services import sidesteps, whistle

    case = flow.accepted()
    u = flow.users
    sidesteps.request_sidestep(actor=u["department_staff"], case=case, kind="extension",
                               reason=f"业主{PHONE}不在家，需延期", extension_amount=1, extension_unit="days")
    whistle.blow_whistle(actor=u["community_secretary"], case=case, reason=f"请联系{PHONE}到场",
                         check_in_due=dt.datetime(2027, 1, 1, tzinfo=dt.UTC), departments=[department])
    return case


@pytest.mark.parametrize("persona", ["district_officer", "auditor"])
def test_sidestep_and_whistle_reasons_are_masked_too(client_as, worked_case, persona):
    reader = client_as(persona)
    page = reader.get(f"/cases/{worked_case.pk}/").content.decode()
    detail = reader.get(f"/api/v1/cases/{worked_case.pk}").json()
    whistles = reader.get(f"/api/v1/cases/{worked_case.pk}/whistles").json()
    steps = reader.get(f"/api/v1/cases/{worked_case.pk}/sidesteps").json()
    for shown in (page, str(detail), str(whistles), str(steps)):
        assert PHONE not in shown
    assert MASKED_PHONE in page
    assert whistles[0]["reason"] == f"请联系{MASKED_PHONE}到场"
    assert steps[0]["reason"] == f"业主{MASKED_PHONE}不在家，需延期"
    worked_case.whistles.get().refresh_from_db()
    assert worked_case.whistles.get().reason == f"请联系{PHONE}到场"  # masked when shown, never changed


def test_the_desk_reads_the_reasons_whole(client_as, worked_case):
    desk = client_as("community_secretary")
    assert desk.get(f"/api/v1/cases/{worked_case.pk}/whistles").json()[0]["reason"] == f"请联系{PHONE}到场"
    assert PHONE in desk.get(f"/cases/{worked_case.pk}/").content.decode()
