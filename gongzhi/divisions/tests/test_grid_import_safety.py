"""A grid import never destroys by mistake: a file without grids is refused by validation and import
alike; retiring all of a community's grids, or more than the configured share, needs a confirmation
and a reason, and the refusal says what sits on those grids; a layer retired by mistake comes back
by re-importing the original file, codes included, with its households and its grid worker."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from gongzhi.accounts.services import issue_token
from gongzhi.core import scope
from gongzhi.core.models import AuditEntry
from gongzhi.divisions.choices import ChangeKind
from gongzhi.divisions.geo.index import reset_grid_index
from gongzhi.divisions.geo.locate import locate_grid
from gongzhi.divisions.models import Division
from gongzhi.divisions.selectors import grids_for
from gongzhi.divisions.services import grids as grid_services
from gongzhi.registry.models import Building, Household

from .grids_support import COMMUNITY_A, X0, Y0, box, feature, feature_collection, state

pytestmark = pytest.mark.django_db
API = "/api/v1/grids"
REASON = "2024 re-numbering of 书院社区"
EMPTY = {"type": "FeatureCollection", "features": []}


@pytest.fixture(autouse=True)
def _fresh_index():
    reset_grid_index()
    yield
    reset_grid_index()


def rect(y0: float, y1: float, x0: float = 0.0, x1: float = 0.02) -> dict:
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def layer(first: str, second: str) -> dict:
    """书院社区's two grids, as they are on the ground, under the given numbers."""
    return feature_collection(feature(COMMUNITY_A + first, rect(0, 0.02), name=f"书院{first}网格"),
                              feature(COMMUNITY_A + second, rect(0.02, 0.04), name=f"书院{second}网格"))


ORIGINAL = layer("001", "002")
RENUMBERED = layer("003", "004")  # every grid of the community retired, the ground taken by new codes


@pytest.fixture
def household(city):
    """A household on grid 001 (书院社区第一网格)."""
    building = Building(address="书院路1号", lng=X0 + 0.005, lat=Y0 + 0.005)
    building.place_in(city.grid_a)
    building.save()
    home = Household(building=building, room="101")
    home.place_like(building)
    home.save()
    return home


@pytest.fixture
def api(client, city):
    tokens = {name: issue_token(actor=user, name="import tests")[1] for name, user in city.users.items()}

    def send(persona, path, body):
        return client.post(f"{API}{path}", json.dumps(body), content_type="application/json",
                           headers={"Authorization": f"Bearer {tokens[persona]}"})

    return send


def snapshot() -> dict:
    """What an import may touch, registry rows included."""
    return {**state(), "households": list(Household.objects.order_by("pk").values_list("pk", "grid_id")),
            "buildings": list(Building.objects.order_by("pk").values_list("pk", "grid_id"))}


def import_body(city, fc, **extra) -> dict:
    return {"community": city.community_a.pk, "feature_collection": fc, "reason": REASON, **extra}


def active_codes(city) -> set[str]:
    return set(Division.objects.filter(parent=city.community_a, is_active=True).values_list("code", flat=True))


def live_grids_of(user) -> set[str]:
    scope.forget_assignments(user)
    return set(grids_for(user).values_list("code", flat=True))


# --- a file without grids ------------------------------------------------------------------------


def test_an_empty_collection_is_refused_by_validation_and_by_import_alike(api, city, household):
    before = snapshot()
    checked = api("street_officer_a", "/validate", EMPTY)
    assert checked.status_code == 200
    assert checked.json()["ok"] is False
    assert [p["kind"] for p in checked.json()["problems"]] == ["no_grids"]

    # Even confirmed, an empty file retires nothing: it is refused for what it is.
    imported = api("street_officer_a", "/import", import_body(city, EMPTY, confirm_retire=True))
    assert imported.status_code == 400
    assert imported.json()["code"] == "geometry_rejected"
    assert imported.json()["problems"] == checked.json()["problems"]
    assert snapshot() == before
    assert active_codes(city) == {city.grid_a.code, city.grid_a_2.code}
    assert locate_grid(X0 + 0.005, Y0 + 0.005) == city.grid_a
    assert live_grids_of(city.grid_worker) == {city.grid_a.code}


def test_a_file_of_communities_only_has_no_grids_either(api, city):
    outline = feature(COMMUNITY_A, box(X0, Y0, X0 + 0.02, Y0 + 0.04), level="community")
    response = api("street_officer_a", "/validate", feature_collection(outline))
    assert "no_grids" in [p["kind"] for p in response.json()["problems"]]


# --- retiring too many grids ---------------------------------------------------------------------


def test_retiring_every_grid_needs_a_confirmation_and_says_what_sits_on_them(api, city, household):
    before = snapshot()
    response = api("street_officer_a", "/import", import_body(city, RENUMBERED))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "confirm_retire"
    assert "2 of the 2 grids" in body["detail"]
    assert "1 household" in body["detail"]
    [problem] = body["problems"]
    assert problem["kind"] == "mass_retirement"
    assert problem["grids"] == [city.grid_a.code, city.grid_a_2.code]
    assert problem["holdings"]["registry.households"] == 1
    assert snapshot() == before


def test_more_than_the_configured_share_needs_a_confirmation(api, city, settings):
    # 003 and 004 take 001's ground: one grid of two retired, half of them.
    halves = feature_collection(feature(COMMUNITY_A + "002", rect(0.02, 0.04)),
                                feature(COMMUNITY_A + "003", rect(0, 0.02, x1=0.01)),
                                feature(COMMUNITY_A + "004", rect(0, 0.02, x0=0.01)))
    settings.GONGZHI_GRID_IMPORT_MAX_RETIRE_SHARE = 0.4
    before = snapshot()
    response = api("street_officer_a", "/import", import_body(city, halves))
    assert (response.status_code, response.json()["code"]) == (400, "confirm_retire")
    assert "1 of the 2 grids" in response.json()["detail"]
    assert "Nothing is registered on them." in response.json()["detail"]
    assert snapshot() == before

    settings.GONGZHI_GRID_IMPORT_MAX_RETIRE_SHARE = 0.5  # the default: half may go without asking
    response = api("street_officer_a", "/import", import_body(city, halves))
    assert response.status_code == 200
    assert [g["code"] for g in response.json()["retired"]] == [city.grid_a.code]


def test_a_confirmation_still_needs_a_reason(api, city):
    before = snapshot()
    response = api("street_officer_a", "/import", import_body(city, RENUMBERED, confirm_retire=True, reason=" "))
    assert (response.status_code, response.json()["code"]) == (400, "reason_required")
    assert snapshot() == before


def test_a_confirmed_retirement_goes_ahead_and_is_audited_with_its_reason(api, city, household):
    response = api("street_officer_a", "/import", import_body(city, RENUMBERED, confirm_retire=True))
    assert response.status_code == 200
    assert [g["code"] for g in response.json()["retired"]] == [city.grid_a.code, city.grid_a_2.code]
    assert active_codes(city) == {COMMUNITY_A + "003", COMMUNITY_A + "004"}
    entry = AuditEntry.objects.get(action="grids.import", object_id=str(city.community_a.pk))
    assert entry.reason == REASON
    assert entry.after["confirmed_retirement"] is True
    assert Household.objects.get(pk=household.pk).grid.code == COMMUNITY_A + "003"
    assert live_grids_of(city.grid_worker) == {COMMUNITY_A + "003"}


# --- undoing a mistaken import -------------------------------------------------------------------


def test_re_importing_the_original_file_restores_the_grids_and_their_codes(api, city, household):
    assert api("street_officer_a", "/import", import_body(city, RENUMBERED, confirm_retire=True)).status_code == 200

    response = api("street_officer_a", "/import", import_body(city, ORIGINAL, confirm_retire=True))
    assert response.status_code == 200, response.json()
    assert [g["code"] for g in response.json()["created"]] == [city.grid_a.code, city.grid_a_2.code]
    assert active_codes(city) == {city.grid_a.code, city.grid_a_2.code}

    restored = Division.objects.get(code=city.grid_a.code, is_active=True)
    assert restored.pk != city.grid_a.pk  # history kept: the first 001 stays, retired, and leads here
    first = Division.objects.get(pk=city.grid_a.pk)
    assert not first.is_active
    assert set(first.successors.values_list("code", flat=True)) == {COMMUNITY_A + "003", city.grid_a.code}
    change = restored.changes.get(kind=ChangeKind.RESTORED)
    assert list(change.related.all()) == [first]
    assert Household.objects.get(pk=household.pk).grid == restored
    assert live_grids_of(city.grid_worker) == {city.grid_a.code}
    assert locate_grid(X0 + 0.005, Y0 + 0.005) == restored
    assert AuditEntry.objects.filter(action="grid.restore", object_id=str(restored.pk), reason=REASON).exists()


def test_grids_retired_without_successors_come_back_with_their_rows_and_roles(api, city, household):
    """What the empty file did before it was refused: every grid retired, no successor, the rows
    left on them and the grid worker's role revoked. Re-importing the original file mends it."""
    with transaction.atomic():
        gone = {grid: [] for grid in (city.grid_a, city.grid_a_2)}
        for grid in gone:
            grid_services._retire(None, grid, successors=[], kind=ChangeKind.RETIRED, action="grid.retire",
                                  reason="empty file")
        grid_services._move_roles(None, gone, "empty file")
    assert live_grids_of(city.grid_worker) == set()

    response = api("street_officer_a", "/import", import_body(city, ORIGINAL))  # nothing active is retired
    assert response.status_code == 200, response.json()
    restored = Division.objects.get(code=city.grid_a.code, is_active=True)
    assert Household.objects.get(pk=household.pk).grid == restored
    assert Building.objects.get(pk=household.building_id).grid == restored
    assert live_grids_of(city.grid_worker) == {city.grid_a.code}
    assert list(Division.objects.get(pk=city.grid_a.pk).successors.all()) == [restored]


def test_a_code_retired_on_other_ground_is_still_refused(api, city):
    """Only the grid taking up the retired grid's own ground is its successor."""
    assert api("street_officer_a", "/import", import_body(city, RENUMBERED, confirm_retire=True)).status_code == 200
    before = snapshot()
    swapped = feature_collection(feature(COMMUNITY_A + "005", rect(0, 0.02)),
                                 feature(COMMUNITY_A + "006", rect(0.02, 0.04, x1=0.01)),
                                 feature(city.grid_a.code, rect(0.02, 0.04, x0=0.01)))
    response = api("street_officer_a", "/import", import_body(city, swapped, confirm_retire=True))
    assert response.status_code == 400
    assert [(p["kind"], p["feature"]) for p in response.json()["problems"]] == [("bad_code", city.grid_a.code)]
    assert snapshot() == before


# --- the page ------------------------------------------------------------------------------------


def _upload(fc: dict):
    return SimpleUploadedFile("grids.geojson", json.dumps(fc).encode(), content_type="application/geo+json")


def test_the_page_refuses_an_empty_file_and_a_mass_retirement_until_confirmed(client_as, city, household):
    c = client_as("community_secretary")
    url = reverse("divisions:import", args=[city.community_a.pk])
    before = snapshot()
    page = c.post(url, {"file": _upload(EMPTY), "reason": REASON, "confirm_retire": "on"}).content.decode()
    assert "There are no grids in the file." in page
    assert snapshot() == before

    page = c.post(url, {"file": _upload(RENUMBERED), "reason": REASON}).content.decode()
    assert "form-errors" in page
    assert "2 of the 2 grids" in page
    assert "1 household" in page
    assert 'name="confirm_retire"' in page
    assert snapshot() == before

    response = c.post(url, {"file": _upload(RENUMBERED), "reason": REASON, "confirm_retire": "on"}, follow=True)
    assert "message-success" in response.content.decode()
    assert active_codes(city) == {COMMUNITY_A + "003", COMMUNITY_A + "004"}

    response = c.post(url, {"file": _upload(ORIGINAL), "reason": REASON, "confirm_retire": "on"}, follow=True)
    assert "message-success" in response.content.decode()
    assert active_codes(city) == {city.grid_a.code, city.grid_a_2.code}
