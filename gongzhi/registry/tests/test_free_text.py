"""Phone and ID numbers typed into the registry's free text (a resident's notes, a visit's notes and
follow-up) are read as the row's own numbers are: whole by those who may reveal them (the grid worker,
the community secretary), masked for every other role — on the pages, in the API and in exports."""

import io

import pytest
from openpyxl import load_workbook

from gongzhi.registry.services import people, visits

pytestmark = pytest.mark.django_db

API = "/api/v1/registry"
PHONE, MASKED = "13812345678", "138****5678"


@pytest.fixture
def noted(reg, city):
    people.update_resident(actor=None, resident=reg.zhang, notes=f"女儿电话{PHONE}")
    visit = visits.log_visit(actor=city.users["grid_worker"], household=reg.household_a,
                             notes=f"老人说有事打{PHONE}", follow_up_needed=True, follow_up=f"再打{PHONE}确认")
    return visit


def test_roles_without_the_reveal_right_read_them_masked(client_as, reg, noted):
    officer = client_as("street_officer_a")
    page = officer.get(f"/registry/households/{reg.household_a.pk}/").content.decode()
    visit = next(v for v in officer.get(f"{API}/visits").json()["items"] if v["id"] == noted.pk)
    resident = officer.get(f"{API}/residents/{reg.zhang.pk}").json()
    for shown in (page, str(visit), str(resident)):
        assert PHONE not in shown
    assert visit["notes"] == f"老人说有事打{MASKED}" and visit["follow_up"] == f"再打{MASKED}确认"
    assert resident["notes"] == f"女儿电话{MASKED}"
    assert MASKED in page
    export = officer.get(f"{API}/exports/residents")
    rows = list(load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True).active.iter_rows(
        values_only=True))
    assert f"女儿电话{MASKED}" in [cell for row in rows for cell in row]
    noted.refresh_from_db()
    assert noted.notes == f"老人说有事打{PHONE}"  # masked when shown, never changed


def test_the_grid_worker_reads_them_whole(client_as, reg, noted):
    worker = client_as("grid_worker")
    assert PHONE in worker.get(f"/registry/households/{reg.household_a.pk}/").content.decode()
    visit = next(v for v in worker.get(f"{API}/visits").json()["items"] if v["id"] == noted.pk)
    assert visit["notes"] == f"老人说有事打{PHONE}"
