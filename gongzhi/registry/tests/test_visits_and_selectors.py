"""Visits, care lists, statistics and the things/facilities/organisations API."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gongzhi.core import scope
from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.registry import selectors
from gongzhi.registry.models import Household, VisitPhoto
from gongzhi.registry.services import people, visits

from .factories import tag

pytestmark = pytest.mark.django_db
API = "/api/v1/registry"


def photo(name="p.jpg", size=(3000, 2000)) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def test_a_visit_with_photos_from_a_phone(client_as, city, reg):
    c = client_as("grid_worker")
    response = c.post(f"{API}/visits", {"household_id": reg.household_a.pk, "notes": "血压偏高，已提醒复诊",
                                        "follow_up_needed": "true", "follow_up": "下周陪同就医",
                                        "photos": [photo(), photo("b.jpg")]})
    assert response.status_code == 201, response.content
    visit = response.json()
    assert len(visit["photos"]) == 2 and visit["follow_up_needed"] and visit["visitor"] == "网格员 赵磊"
    stored = VisitPhoto.objects.get(pk=visit["photos"][0]["id"])
    with Image.open(stored.image.open("rb")) as image:
        assert max(image.size) == visits.PHOTO_MAX_SIDE and not image.getexif()  # shrunk, no EXIF kept
    assert c.get(visit["photos"][0]["url"])["Content-Type"] == "image/jpeg"
    assert client_as("street_officer_b").get(visit["photos"][0]["url"]).status_code == 404
    assert Household.objects.get(pk=reg.household_a.pk).last_visited_on == timezone.localdate()

    open_ones = c.get(f"{API}/visits", {"follow_up_open": "true"}).json()
    assert [v["id"] for v in open_ones["items"]] == [visit["id"]]
    closed = c.post(f"{API}/visits/{visit['id']}/close-follow-up", {"note": "已就医"}, content_type="application/json")
    assert closed.json()["follow_up_closed_at"] is not None
    assert AuditEntry.objects.filter(action__startswith="visit.").count() == 2


def test_not_an_image_is_refused(city, reg):
    with pytest.raises(DomainError):
        visits.log_visit(actor=city.users["grid_worker"], household=reg.household_a,
                         photos=[SimpleUploadedFile("x.jpg", b"not a photo")])


def test_an_earlier_visit_logged_late_does_not_hide_a_later_one(city, reg):
    worker = city.users["grid_worker"]
    today = timezone.localdate()
    visits.log_visit(actor=worker, household=reg.household_a, visited_on=today)
    visits.log_visit(actor=worker, household=reg.household_a, visited_on=today - dt.timedelta(days=40))
    assert Household.objects.get(pk=reg.household_a.pk).last_visited_on == today


def test_overdue_care_and_households_not_visited(city, reg):
    worker = city.users["grid_worker"]
    today = timezone.localdate()
    due = selectors.overdue_care(worker, today=today)
    assert [(d.resident.name, d.tag.code) for d in due] == [("张伟", "elderly_alone")]
    visits.log_visit(actor=worker, household=reg.household_a, visited_on=today - dt.timedelta(days=31))
    assert len(selectors.overdue_care(worker, today=today)) == 1  # 31 days > 30
    visits.log_visit(actor=worker, household=reg.household_a, visited_on=today - dt.timedelta(days=29))
    assert not selectors.overdue_care(worker, today=today).exists()
    # Someone in grid B is no concern of grid A's worker, even when overdue.
    people.assign_tag(actor=None, resident=reg.zhao, tag=tag("key_care"))
    assert not selectors.overdue_care(worker, today=today).exists()
    assert len(selectors.overdue_care(city.users["street_officer_b"], today=today)) == 1

    stale = selectors.households_not_visited(worker, 30, today=today)
    assert [h.pk for h in stale] == [reg.household_a2.pk]
    assert [h["id"] for h in client_as_json(worker, f"{API}/households?not_visited_days=0")["items"]] == [
        reg.household_a2.pk, reg.household_a.pk]


def client_as_json(user, path):
    from django.test import Client

    c = Client()
    c.force_login(user, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    return c.get(path).json()


def test_statistics_numbers(city, reg, django_assert_max_num_queries):
    officer = city.users["street_officer_a"]
    visits.log_visit(actor=city.users["grid_worker"], household=reg.household_a)
    people.record_death(actor=None, resident=reg.wang)
    scope.assignments(officer)  # loaded once per request
    with django_assert_max_num_queries(4):
        stats = selectors.statistics(officer, city.street_a, today=dt.date(2026, 6, 1))
    total = stats.total
    assert (total.population, total.households, total.occupied_households, total.visited_households) == (3, 3, 3, 1)
    assert total.visit_coverage == round(1 / 3, 4)
    assert total.floating == 1 and total.tags == {"elderly_alone": 1, "party_member": 1, "floating": 1}
    assert total.ages == {"0-6": 0, "7-17": 1, "18-34": 0, "35-59": 1, "60-79": 1, "80+": 0}
    assert [(d.name, f.population) for d, f in stats.parts] == [("书院社区", 3), ("北外社区", 0)]

    grid = selectors.statistics(city.users["grid_worker"], city.grid_a)
    assert grid.part_level is None and grid.parts == [] and grid.total.population == 3


def test_things_facilities_and_organisations_through_the_api(client_as, city, reg):
    c = client_as("community_secretary")
    thing = c.post(f"{API}/things", {"grid_id": city.grid_a.pk, "code": "420902-JG-0001",
                                     "category": "public_utilities", "kind": "井盖", "lng": 113.901, "lat": 30.901},
                   content_type="application/json")
    assert thing.status_code == 201
    patched = c.patch(f"{API}/things/{thing.json()['id']}", {"state": "damaged", "expected_version": 1},
                      content_type="application/json")
    assert patched.json()["state"] == "damaged" and patched.json()["version"] == 2
    again = c.post(f"{API}/things", {"grid_id": city.grid_a.pk, "code": "420902-JG-0001",
                                     "category": "public_utilities"}, content_type="application/json")
    assert again.status_code == 409
    assert c.post(f"{API}/things", {"grid_id": city.grid_b.pk, "code": "x", "category": "other"},
                  content_type="application/json").status_code == 404

    facility = c.post(f"{API}/facilities", {"grid_id": city.grid_a.pk, "kind": "party_service_centre",
                                            "name": "书院社区党群服务中心", "floor_area_m2": "650.5",
                                            "opening_hours": "8:30-17:30"}, content_type="application/json")
    assert facility.status_code == 201 and facility.json()["floor_area_m2"] == "650.5"

    org = c.post(f"{API}/organisations", {"grid_id": city.grid_a.pk, "kind": "owners_committee",
                                          "name": "阳光小区业委会", "contact_name": "刘主任",
                                          "contact_phone": "13511112222"}, content_type="application/json")
    assert org.status_code == 201 and org.json()["contact_phone"] == "135****2222"
    position = c.post(f"{API}/organisations/{org.json()['id']}/positions", {"title": "主任",
                                                                            "resident_id": reg.zhang.pk},
                      content_type="application/json")
    assert position.status_code == 201 and position.json()["holder_name"] == "张伟"
    detail = c.get(f"{API}/organisations/{org.json()['id']}").json()
    assert [p["title"] for p in detail["positions"]] == ["主任"]
    ended = c.post(f"{API}/positions/{position.json()['id']}/end", {}, content_type="application/json")
    assert ended.json()["ended_on"] is not None
    assert client_as("street_officer_b").post(f"{API}/positions/{position.json()['id']}/end", {},
                                              content_type="application/json").status_code == 404

    archived = c.post(f"{API}/things/{thing.json()['id']}/archive", {"reason": "道路改造拆除"},
                      content_type="application/json")
    assert archived.status_code == 200
    assert c.get(f"{API}/things").json()["count"] == 0
    assert client_as("department_staff").get(f"{API}/facilities").json()["count"] == 1


def test_resident_life_through_the_api(client_as, city, reg):
    c = client_as("grid_worker")
    moved = c.post(f"{API}/residents/{reg.child.pk}/household", {"household_id": reg.household_a.pk,
                                                                   "relation": "grandchild"},
                   content_type="application/json")
    assert moved.status_code == 200 and moved.json()["household"]["id"] == reg.household_a.pk
    gone = c.post(f"{API}/residents/{reg.li.pk}/move-out", {"note": "回老家"}, content_type="application/json")
    assert gone.json()["status"] == "moved_out"
    assert [e["kind"] for e in gone.json()["history"]] == ["registered", "moved_out"]
    assert gone.json()["past_tags"][0]["code"] == "floating"
    back = c.post(f"{API}/residents/{reg.li.pk}/move-in", {"household_id": reg.household_a2.pk},
                  content_type="application/json")
    assert back.json()["status"] == "active"
    tagged = c.post(f"{API}/residents/{reg.li.pk}/tags", {"tag": "floating", "permit_valid_from": "2025-01-01",
                                                          "permit_valid_until": "2026-01-01"},
                    content_type="application/json")
    assert tagged.json()["tags"][0]["permit_valid_until"] == "2026-01-01"
    untagged = c.delete(f"{API}/residents/{reg.li.pk}/tags/floating")
    assert untagged.json()["tags"] == [] and len(untagged.json()["past_tags"]) == 2
    patched = c.patch(f"{API}/residents/{reg.zhang.pk}", {"phone": "13611110000", "expected_version": 1},
                      content_type="application/json")
    assert patched.json()["phone"] == "136****0000"
    stale = c.patch(f"{API}/residents/{reg.zhang.pk}", {"notes": "x", "expected_version": 1},
                    content_type="application/json")
    assert stale.status_code == 409
    dead = c.post(f"{API}/residents/{reg.zhang.pk}/death", {}, content_type="application/json")
    assert dead.json()["status"] == "deceased"
    assert c.get(f"{API}/residents", {"status": "deceased"}).json()["count"] == 1


def test_statistics_of_large_divisions_are_cached_and_grids_are_live(city, reg, django_assert_num_queries):
    officer = city.users["street_officer_a"]
    scope.assignments(officer)
    first = selectors.statistics(officer, city.street_a)
    with django_assert_num_queries(0):
        assert selectors.statistics(city.users["street_officer_a"], city.street_a).total == first.total
    visits.log_visit(actor=city.users["grid_worker"], household=reg.household_a)
    assert selectors.statistics(officer, city.grid_a).total.visited_households == 1
