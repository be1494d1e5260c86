"""A household's page: who may open it (a role matrix), masking and the audited reveal, logging a
visit with photos from a phone — all of it or nothing — closing follow-ups, and the photos' scope."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gongzhi.accounts.choices import Role
from gongzhi.cases.tests import media
from gongzhi.core.models import AuditEntry
from gongzhi.registry.models import Household, Visit, VisitPhoto
from gongzhi.registry.services import visits
from gongzhi.registry.storage import private_root

from .pages import NOT_HOUSEHOLD_A, SEES_HOUSEHOLD_A, client_for, html, jpeg, main, not_a_photo, person

pytestmark = pytest.mark.django_db


def page_url(household) -> str:
    return reverse("registry:household", args=[household.pk])


def visit_url(household) -> str:
    return reverse("registry:visit_log", args=[household.pk])


def photo_files() -> list:
    root = private_root()
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- who may open it ----------------------------------------------------------------------------------


@pytest.mark.parametrize("username", SEES_HOUSEHOLD_A)
def test_the_roles_over_grid_a_open_the_household(client_as, reg, username):
    response = client_as(username).get(page_url(reg.household_a))
    assert response.status_code == 200
    assert "张伟" in main(response)


@pytest.mark.parametrize("username", NOT_HOUSEHOLD_A)
def test_other_roles_find_no_such_household(client_as, reg, username):
    assert client_as(username).get(page_url(reg.household_a)).status_code == 404


def test_the_grid_worker_of_another_grid_finds_no_such_household(city, reg):
    other = client_for(person(city, "worker_a_2", Role.GRID_WORKER, city.grid_a_2))
    assert other.get(page_url(reg.household_a)).status_code == 404
    assert other.get(page_url(reg.household_a_2)).status_code == 200
    assert other.post(visit_url(reg.household_a), {"visited_on": "2024-01-01"}).status_code == 404


def test_anonymous_is_sent_to_log_in(client, reg):
    response = client.get(page_url(reg.household_a))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(("username", "visit", "edit", "reveal"), [
    ("grid_worker", True, True, True),
    ("community_secretary", True, True, True),
    ("street_officer_a", False, True, False),
    ("district_officer", False, False, False),
    ("city_admin", False, True, False),
])
def test_what_each_role_is_offered(client_as, reg, username, visit, edit, reveal):
    page = main(client_as(username).get(page_url(reg.household_a)))
    assert ('id="visit-form"' in page) is visit
    assert (reverse("registry:resident_edit", args=[reg.zhang.pk]) in page) is edit
    assert ('class="pii-reveal"' in page) is reveal


def test_community_staff_visit_but_do_not_reveal(city, reg):
    staff = client_for(person(city, "staff_a", Role.COMMUNITY_STAFF, city.community_a))
    page = main(staff.get(page_url(reg.household_a)))
    assert 'id="visit-form"' in page and 'class="pii-reveal"' not in page


# --- masking and the reveal -------------------------------------------------------------------------------


@pytest.mark.parametrize("username", SEES_HOUSEHOLD_A)
def test_numbers_are_masked_for_everyone(client_as, reg, username):
    page = html(client_as(username).get(page_url(reg.household_a)))
    assert "139****5678" in page and "13912345678" not in page
    assert reg.zhang.masked_id_number in page
    assert reg.zhang.masked_id_number[:6] + "19500301" not in page  # the birth digits never


def test_the_grid_worker_reveals_a_number_and_it_is_recorded(client_as, city, reg):
    c = client_as("grid_worker")
    url = reverse("registry:reveal", args=[reg.zhang.pk, "phone"])
    response = c.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "13912345678" in html(response)
    assert response["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.get(action="resident.reveal")
    assert entry.actor == city.users["grid_worker"] and entry.after == {"field": "phone"}
    assert "13912345678" not in str(entry.after) and "13912345678" not in str(entry.before)
    # Without JavaScript: the household page, with that one number shown.
    response = c.post(reverse("registry:reveal", args=[reg.zhang.pk, "id_number"]))
    page = html(response)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert reg.zhang.masked_id_number[:6] + "19500301" in page and "13912345678" not in page
    assert AuditEntry.objects.filter(action="resident.reveal").count() == 2


def test_who_may_not_reveal_is_refused(client_as, city, reg):
    url = reverse("registry:reveal", args=[reg.zhang.pk, "phone"])
    assert client_as("street_officer_a").post(url).status_code == 403
    assert client_as("street_officer_b").post(url).status_code == 404
    assert client_as("grid_worker").get(url).status_code == 405
    assert client_as("grid_worker").post(reverse("registry:reveal", args=[reg.zhang.pk, "name"])).status_code == 404
    assert not AuditEntry.objects.filter(action="resident.reveal").exists()


# --- logging a visit ------------------------------------------------------------------------------------


def test_a_visit_with_photos_and_a_follow_up(client_as, city, reg):
    c = client_as("grid_worker")
    today = timezone.localdate()
    response = c.post(visit_url(reg.household_a), {
        "visited_on": today.isoformat(), "notes": "老人身体尚可", "follow_up_needed": "on",
        "follow_up": "下周送药上门", "photos": [jpeg("a.jpg", size=(3200, 2400)), jpeg("b.jpg", color=(200, 60, 60))],
    })
    visit = Visit.objects.get(household=reg.household_a)
    assert response.status_code == 302
    assert response["Location"] == f"{page_url(reg.household_a)}?logged={visit.pk}#visit-{visit.pk}"
    assert visit.visitor == city.users["grid_worker"] and visit.follow_up_open and visit.notes == "老人身体尚可"
    photos = list(VisitPhoto.objects.filter(visit=visit))
    assert len(photos) == 2
    with Image.open(photos[0].image.open("rb")) as image:
        # Kept as the case pages keep photos: shrunk, and no EXIF.
        assert max(image.size) == visits.PHOTO_MAX_SIDE and not image.getexif()
    assert Household.objects.get(pk=reg.household_a.pk).last_visited_on == today
    assert AuditEntry.objects.filter(action="visit.log").count() == 1

    page = html(c.get(response["Location"]))
    assert "The visit has been logged." in page and "老人身体尚可" in page and "下周送药上门" in page
    assert page.count(f"/registry/visits/{visit.pk}/photos/") == 4  # two thumbnails, each a link and an image
    assert "Follow-up open" in page


def test_a_visit_through_htmx_is_redirected_there(client_as, reg):
    response = client_as("grid_worker").post(visit_url(reg.household_a), {
        "visited_on": timezone.localdate().isoformat(), "notes": "在家", "photos": [jpeg()]},
        HTTP_HX_REQUEST="true")
    visit = Visit.objects.get()
    assert response.status_code == 204 and response["HX-Redirect"].endswith(f"#visit-{visit.pk}")


def test_an_iphone_heic_photo_is_kept_as_a_jpeg_without_its_position(client_as, reg):
    response = client_as("grid_worker").post(visit_url(reg.household_a), {
        "visited_on": timezone.localdate().isoformat(), "photos": [media.heic_with_gps()]})
    assert response.status_code == 302
    stored = VisitPhoto.objects.get(visit__household=reg.household_a)
    with Image.open(stored.image.open("rb")) as image:
        assert image.format == "JPEG" and image.size == (64, 48) and not image.getexif()  # no GPS, no camera


def test_a_refused_photo_saves_nothing(client_as, reg):
    c = client_as("grid_worker")
    response = c.post(visit_url(reg.household_a), {
        "visited_on": timezone.localdate().isoformat(), "notes": "门口照片",
        "photos": [jpeg("good.jpg"), not_a_photo("scan.jpg")],
    })
    assert response.status_code == 400
    page = main(response)
    assert "scan.jpg is not a JPEG, PNG, WebP or HEIC photo." in page
    assert "门口照片" in page  # what was typed comes back
    assert not Visit.objects.exists() and not VisitPhoto.objects.exists()
    assert photo_files() == []  # not even the good photo's file
    assert Household.objects.get(pk=reg.household_a.pk).last_visited_on is None
    assert not AuditEntry.objects.filter(action__startswith="visit.").exists()


def test_a_refused_photo_through_htmx_answers_with_the_problems_only(client_as, reg):
    response = client_as("grid_worker").post(visit_url(reg.household_a), {
        "visited_on": timezone.localdate().isoformat(), "photos": [not_a_photo("scan.jpg")]},
        HTTP_HX_REQUEST="true")
    page = html(response)
    assert response.status_code == 200 and "The visit was not saved" in page and "scan.jpg" in page
    assert "<main" not in page and not Visit.objects.exists()


def test_a_failure_after_the_photos_were_written_removes_them(city, reg, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(visits, "record", broken)
    with pytest.raises(RuntimeError):
        visits.log_visit(actor=city.users["grid_worker"], household=reg.household_a, photos=[jpeg()])
    assert photo_files() == [] and not Visit.objects.exists()


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"follow_up_needed": "on"}, "follow_up", "Say what needs following up."),
    ({"visited_on": "2999-01-01"}, "visited_on", "The date is in the future."),
    ({"visited_on": "yesterday"}, "visited_on", "Enter a valid date."),
])
def test_visit_problems_are_shown_by_their_fields(client_as, reg, data, field, message):
    payload = {"visited_on": timezone.localdate().isoformat(), **data}
    response = client_as("grid_worker").post(visit_url(reg.household_a), payload)
    assert response.status_code == 400
    form = response.context["visit_form"]
    assert message in form.errors[field]
    assert not Visit.objects.exists()


def test_too_many_photos_are_refused(client_as, reg):
    response = client_as("grid_worker").post(visit_url(reg.household_a), {
        "visited_on": timezone.localdate().isoformat(), "photos": [jpeg(f"{n}.jpg", size=(40, 30)) for n in range(10)]})
    assert response.status_code == 400 and "At most 9 photos per visit." in main(response)
    assert not Visit.objects.exists()


@pytest.mark.parametrize("username", ["street_officer_a", "district_officer", "city_admin"])
def test_roles_that_do_not_visit_cannot_log_one(client_as, reg, username):
    response = client_as(username).post(visit_url(reg.household_a), {"visited_on": timezone.localdate().isoformat()})
    assert response.status_code == 403 and not Visit.objects.exists()


def test_a_late_entry_for_an_earlier_day(client_as, reg):
    c = client_as("grid_worker")
    earlier = timezone.localdate() - dt.timedelta(days=3)
    c.post(visit_url(reg.household_a), {"visited_on": earlier.isoformat(), "notes": "补录"})
    assert Visit.objects.get().visited_on == earlier
    assert Household.objects.get(pk=reg.household_a.pk).last_visited_on == earlier


# --- follow-ups and photos ------------------------------------------------------------------------------


def test_closing_a_follow_up_from_the_household(client_as, city, reg):
    visit = visits.log_visit(actor=city.users["grid_worker"], household=reg.household_a, follow_up_needed=True,
                             follow_up="修理漏水")
    c = client_as("grid_worker")
    response = c.post(reverse("registry:follow_up_close", args=[visit.pk]), {"note": "物业已修好"})
    assert response.status_code == 302 and response["Location"] == page_url(reg.household_a) + "#visits"
    visit.refresh_from_db()
    assert visit.follow_up_closed_at is not None and visit.follow_up_closed_by == city.users["grid_worker"]
    assert AuditEntry.objects.get(action="visit.follow_up_close").reason == "物业已修好"
    page = main(c.get(page_url(reg.household_a)))
    assert "Follow-up closed" in page and "网格员 赵磊" in page and 'class="close-follow-up"' not in page


def test_closing_is_for_those_who_visit(client_as, city, reg):
    visit = visits.log_visit(actor=city.users["grid_worker"], household=reg.household_a, follow_up_needed=True,
                             follow_up="修理漏水")
    url = reverse("registry:follow_up_close", args=[visit.pk])
    assert client_as("street_officer_a").post(url).status_code == 403
    assert client_as("street_officer_b").post(url).status_code == 404
    assert 'class="close-follow-up"' not in main(client_as("street_officer_a").get(page_url(reg.household_a)))
    visit.refresh_from_db()
    assert visit.follow_up_open


def test_a_visit_without_follow_up_cannot_be_closed(client_as, city, reg):
    visit = visits.log_visit(actor=city.users["grid_worker"], household=reg.household_a)
    c = client_as("grid_worker")
    response = c.post(reverse("registry:follow_up_close", args=[visit.pk]), follow=True)
    assert "This visit needs no follow-up." in html(response)


def test_visit_photos_are_served_only_in_scope(client_as, city, reg):
    visit = visits.log_visit(actor=city.users["grid_worker"], household=reg.household_a, photos=[jpeg()])
    photo = visit.photos.get()
    url = reverse("registry:visit_photo", args=[visit.pk, photo.pk])
    response = client_as("street_officer_a").get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=3600"
    for username in ["street_officer_b", "department_staff", "resident"]:
        assert client_as(username).get(url).status_code == 404
    other = visits.log_visit(actor=city.users["grid_worker"], household=reg.household_a2)
    assert client_as("grid_worker").get(reverse("registry:visit_photo", args=[other.pk, photo.pk])).status_code == 404


def test_the_household_page_does_not_query_per_member_or_visit(client_as, city, reg, django_assert_max_num_queries):
    c = client_as("grid_worker")
    url = page_url(reg.household_a2)
    c.get(url)
    with django_assert_max_num_queries(40) as few:
        c.get(url)
    worker = city.users["grid_worker"]
    for n in range(4):
        visits.log_visit(actor=worker, household=reg.household_a2, photos=[jpeg(size=(40, 30))], notes=f"第{n}次",
                         follow_up_needed=bool(n % 2), follow_up="跟进")
    for visit in Visit.objects.filter(follow_up_needed=True):
        visits.close_follow_up(actor=worker, visit=visit)
    with django_assert_max_num_queries(len(few.captured_queries) + 2):  # + the photos and the page count
        c.get(url)
