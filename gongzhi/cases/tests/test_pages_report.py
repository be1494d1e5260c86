"""The report pages: the resident's phone page (anonymous and signed in), the grid worker's patrol
report, the staff desk, and the htmx answers the page asks for while it is filled in."""

import re

import pytest
from django.urls import reverse

from gongzhi.cases.choices import CaseState, Channel
from gongzhi.cases.models import Case, CaseAttachment, CaseFollower

from . import media
from .conftest import IN_GRID_A, IN_GRID_B, OUTSIDE

pytestmark = pytest.mark.django_db
REPORT = "/cases/report/"


def html(response) -> str:
    return response.content.decode()


def fields(point=IN_GRID_A, **extra) -> dict:
    return {"description": "小区门口井盖丢了", "lng": point[0], "lat": point[1], "crs": "wgs84",
            "category": "manhole-cover", "idempotency_key": "key-1", **extra}


@pytest.fixture
def ready(city, catalogue, workdays, clock):
    return city


# --- the page ------------------------------------------------------------------------------------


def test_anonymous_page_has_everything_a_phone_needs(client, ready):
    response = client.get(REPORT)
    assert response.status_code == 200
    page = html(response)
    assert 'name="description"' in page
    assert 'accept="image/*"' in page and 'capture="environment"' in page and "multiple" in page
    assert 'name="audio"' in page and 'accept="audio/*"' in page
    assert 'data-case-map="pick"' in page and reverse("cases:areas") in page
    assert "Use my location" in page
    assert 'name="lng"' in page and 'name="lat"' in page and 'name="crs"' in page
    assert 'hx-get="/cases/report/suggest/"' in page
    assert 'hx-get="/cases/report/nearby/"' in page and 'hx-get="/cases/report/where/"' in page
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page)
    assert key, "a fresh idempotency key comes with the form"
    assert key.group(1) not in html(client.get(REPORT)), "each load of the form gets its own key"
    assert 'name="anonymous"' not in page  # nobody to hide: the visitor has no account
    assert 'name="contact_phone"' in page
    assert "/static/vendor/leaflet/leaflet.js" in page and "/static/gongzhi/cases.js" in page
    # The grids are categories' optgroups: the two-level catalogue.
    assert "<optgroup" in page


def test_signed_in_resident_may_hide_their_name(client_as, ready):
    page = html(client_as("resident").get(REPORT))
    assert 'name="anonymous"' in page
    assert 'name="contact_name"' not in page and 'name="channel"' not in page


def test_grid_worker_gets_the_patrol_fields(client_as, ready):
    page = html(client_as("grid_worker").get(REPORT))
    assert "Patrol report" in page
    assert 'name="contact_name"' in page and 'name="channel"' not in page


def test_the_map_outlines_the_jurisdiction(client, ready):
    data = client.get(reverse("cases:areas")).json()
    levels = {f["properties"]["level"] for f in data["features"]}
    assert levels == {"district", "street", "community", "grid"}
    names = {f["properties"]["name"] for f in data["features"]}
    assert "书院社区第一网格" in names
    assert client.get(reverse("cases:areas"))["Cache-Control"].startswith("public")


# --- sending ---------------------------------------------------------------------------------------


def test_anonymous_report_with_a_photo_gets_a_number_and_a_secret(client, ready):
    response = client.post(REPORT, fields(photos=[media.jpeg_with_gps()], contact_phone="13812345678"))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/report/sent/{case.tracking_code}/"
    assert case.reporter is None and case.channel == Channel.RESIDENT_APP and case.state == CaseState.SUBMITTED
    assert case.grid_id == ready.grid_a.pk and case.category.code == "manhole-cover"
    assert CaseAttachment.objects.get().content_type == "image/jpeg"
    cookie = response.cookies[f"gz_follow_{case.tracking_code}"]
    assert cookie["httponly"] and cookie["path"] == "/cases/"
    sent = html(client.get(response["Location"]))
    assert case.tracking_number in sent and case.tracking_code in sent
    assert f"/cases/track/{case.tracking_code}/?token=" in sent  # the secret link, shown once here
    assert f'href="/cases/track/{case.tracking_code}/"' in sent
    # Another browser sees the number, never the secret.
    from django.test import Client

    assert "?token=" not in html(Client().get(response["Location"]))


def test_signed_in_resident_report_is_theirs(client_as, ready):
    c = client_as("resident")
    response = c.post(REPORT, fields(anonymous="on"))
    case = Case.objects.get()
    assert response.status_code == 302 and case.reporter == ready.users["resident"] and case.is_anonymous
    assert CaseFollower.objects.filter(case=case, user=ready.users["resident"]).exists()
    assert not response.cookies.get(f"gz_follow_{case.tracking_code}")
    assert "My reports" in html(c.get(response["Location"]))


def test_a_double_tap_creates_one_case(client_as, ready):
    c = client_as("resident")
    first = c.post(REPORT, fields())
    second = c.post(REPORT, fields())
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1


def test_a_double_tap_without_an_account_creates_one_case(client, ready):
    client.post(REPORT, fields(), HTTP_HX_REQUEST="true")
    again = client.post(REPORT, fields(), HTTP_HX_REQUEST="true")
    assert again.status_code == 204 and again["HX-Redirect"].startswith("/cases/report/sent/")
    assert Case.objects.count() == 1


def test_a_place_outside_every_grid_is_refused_and_nothing_is_saved(client, ready):
    response = client.post(REPORT, fields(point=OUTSIDE, photos=[media.jpeg_with_gps()]))
    assert response.status_code == 400
    assert "outside every grid we serve" in html(response)
    assert not Case.objects.exists() and not CaseAttachment.objects.exists()
    from django.core.files.storage import default_storage

    assert not default_storage.exists("cases")


def test_htmx_refusal_answers_with_the_problems_only(client, ready):
    response = client.post(REPORT, fields(point=OUTSIDE), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = html(response)
    assert "outside every grid we serve" in page and "<html" not in page and 'role="alert"' in page


def test_a_report_needs_a_point_and_words(client, ready):
    data = fields(description="  ")
    del data["lng"], data["lat"]
    page = html(client.post(REPORT, data))
    assert "tap the map or use your location" in page
    assert "This field is required." in page
    assert not Case.objects.exists()


def test_a_photo_that_is_not_a_photo_is_refused(client, ready):
    response = client.post(REPORT, fields(photos=[media.fake()]))
    assert response.status_code == 400 and "not a JPEG, PNG, WebP or HEIC photo" in html(response)
    assert not Case.objects.exists()


def test_voice_recording_is_kept(client, ready):
    client.post(REPORT, fields(audio=media.wav(2)))
    audio = CaseAttachment.objects.get()
    assert audio.kind == "audio" and audio.duration_s == pytest.approx(2)


def test_reports_without_an_account_are_limited(client, ready):
    for _ in range(30):
        client.post(REPORT, fields(point=OUTSIDE))
    response = client.post(REPORT, fields())
    assert response.status_code == 429 and "Too many reports" in html(response)
    assert not Case.objects.exists()


# --- answers while typing and picking ----------------------------------------------------------


def test_category_suggestions(client, ready):
    page = html(client.get(reverse("cases:suggest"), {"description": "门口的井盖不见了"}))
    assert 'data-category="manhole-cover"' in page
    assert html(client.get(reverse("cases:suggest"), {"description": ""})).strip() == ""


def test_where_names_the_grid_or_says_outside(client, ready):
    inside = html(client.get(reverse("cases:where"), {"lng": IN_GRID_A[0], "lat": IN_GRID_A[1], "crs": "wgs84"}))
    assert "书院社区第一网格" in inside and "书院街道" in inside and f'data-grid-id="{ready.grid_a.pk}"' in inside
    outside = html(client.get(reverse("cases:where"), {"lng": OUTSIDE[0], "lat": OUTSIDE[1]}))
    assert "outside every grid" in outside
    nothing = html(client.get(reverse("cases:where")))
    assert "Tap the map" in nothing


def test_nearby_reports_offer_to_follow_instead(client, ready, flow):
    earlier = flow.report(category="manhole-cover")
    near = (IN_GRID_A[0] + 0.0003, IN_GRID_A[1])
    page = html(client.get(reverse("cases:nearby"), {"lng": near[0], "lat": near[1], "category": "manhole-cover"}))
    assert "Someone already reported this nearby" in page
    assert f'href="/cases/track/{earlier.tracking_code}/"' in page
    assert "小区" not in page and "路边" not in page  # no description of someone else's report
    other = html(client.get(reverse("cases:nearby"), {"lng": near[0], "lat": near[1], "category": "noise"}))
    assert "Someone already reported" not in other
    far = html(client.get(reverse("cases:nearby"), {"lng": IN_GRID_B[0], "lat": IN_GRID_B[1]}))
    assert "Someone already reported" not in far


# --- the staff desk --------------------------------------------------------------------------------


def test_staff_take_down_a_phone_call_registered_at_once(client_as, ready):
    c = client_as("community_secretary")
    page = html(c.get(reverse("cases:new")))
    assert 'name="channel"' in page and 'name="contact_name"' in page
    response = c.post(reverse("cases:new"), fields(channel="phone", contact_name="王大爷", contact_phone="13812345678"))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.channel == Channel.PHONE and case.state == CaseState.REGISTERED
    assert not CaseFollower.objects.filter(user=ready.users["community_secretary"]).exists()


def test_staff_desk_is_refused_outside_their_grids(client_as, ready):
    response = client_as("community_secretary").post(reverse("cases:new"), fields(point=IN_GRID_B, channel="letter"))
    assert response.status_code == 400 and "only inside your own grids" in html(response)
    assert not Case.objects.exists()


@pytest.mark.parametrize("persona", ["resident", "department_staff", "auditor"])
def test_desk_is_for_staff_who_file_reports(client_as, ready, persona):
    assert client_as(persona).get(reverse("cases:new")).status_code == 403


def test_patrol_report_is_filed_as_patrol(client_as, ready):
    response = client_as("grid_worker").post(REPORT, fields(contact_name="张三"))
    case = Case.objects.get()
    assert case.channel == Channel.GRID_PATROL and response["Location"] == f"/cases/{case.pk}/"


def test_a_report_needs_its_kind(client, ready):
    response = client.post(REPORT, fields(category=""))
    assert response.status_code == 400 and "Choose what kind of problem it is" in html(response)
    assert not Case.objects.exists()


def test_case_pages_load_nothing_from_outside(client_as, ready, flow):
    external = re.compile(r"""(?:src|href|action)\s*=\s*["'](?:https?:)?//""", re.I)
    case = flow.dispatched()
    for persona, url in [(None, REPORT), (None, f"/cases/track/{case.tracking_code}/"),
                         ("community_secretary", "/cases/"), ("community_secretary", f"/cases/{case.pk}/"),
                         ("community_secretary", "/cases/new/"), ("resident", "/cases/mine/"),
                         ("resident", "/notifications/")]:
        page = html(client_as(persona).get(url))
        assert not external.search(page), url


# --- who reads the description ---------------------------------------------------------------------


def test_the_phone_page_offers_to_publish_the_description_and_keeps_it_private_by_default(client, client_as, ready):
    assert 'name="description_public"' in html(client.get(REPORT))
    client.post(REPORT, fields())
    client_as("resident").post(REPORT, fields(description_public="on", idempotency_key="key-2"))
    private, public = Case.objects.order_by("id")
    assert not private.description_public and public.description_public
    # The desk takes a report down for someone else: not theirs to publish.
    assert 'name="description_public"' not in html(client_as("community_secretary").get("/cases/new/"))


def test_the_api_intake_keeps_the_description_private_unless_asked(client, ready):
    base = {k: v for k, v in fields().items() if k != "idempotency_key"}
    assert client.post("/api/v1/cases/", base).status_code == 201
    assert client.post("/api/v1/cases/", {**base, "description_public": "true"}).status_code == 201
    private, public = Case.objects.order_by("id")
    assert not private.description_public and public.description_public
