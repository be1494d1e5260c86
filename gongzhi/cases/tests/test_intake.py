"""Reports coming in: location, idempotency, channels, files, duplicates and merging."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from PIL import Image

from gongzhi.cases.choices import CaseState, Channel, Rating
from gongzhi.cases.models import Case, CaseAttachment, CaseFollower
from gongzhi.cases.selectors import nearby_duplicates
from gongzhi.cases.services import merging, workflow
from gongzhi.cases.services.intake import Report, submit_case
from gongzhi.cases.uploads import prepare_uploads
from gongzhi.core.errors import DomainError

from . import media
from .conftest import IN_GRID_A, IN_GRID_B, OUTSIDE

pytestmark = pytest.mark.django_db


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_location_decides_grid_community_and_street(flow, city):
    case = flow.report(point=IN_GRID_B)
    assert (case.grid, case.community, case.street, case.district) == (
        city.grid_b, city.community_b, city.street_b, city.district)


def test_a_place_outside_every_grid_is_refused_with_nothing_saved(flow):
    with translation.override("en"), pytest.raises(DomainError, match="outside every grid") as refused:
        flow.report(point=OUTSIDE)
    assert refused.value.code == "outside_grids" and not Case.objects.exists()


def test_the_same_key_never_makes_two_cases(flow):
    first = flow.report(idempotency_key="tap-1")
    again = submit_case(actor=flow.users["resident"], report=Report(
        description="路边有一堆垃圾", lng=IN_GRID_A[0], lat=IN_GRID_A[1], idempotency_key="tap-1"))
    assert not again.created and again.case.pk == first.pk and Case.objects.count() == 1
    with pytest.raises(DomainError) as refused:
        submit_case(actor=flow.users["resident"], report=Report(
            description="别的事", lng=IN_GRID_A[0], lat=IN_GRID_A[1], idempotency_key="tap-1"))
    assert refused.value.code == "conflict"
    # Another reporter's key is another key.
    other = flow.report(persona="grid_worker", channel=Channel.GRID_PATROL, idempotency_key="tap-1")
    assert other.pk != first.pk


def test_tracking_numbers_count_per_day(flow):
    numbers = [flow.report().tracking_number for _ in range(3)]
    assert numbers == ["2026030900001", "2026030900002", "2026030900003"]


def test_staff_channels_need_the_territory_and_register_at_once(flow):
    case = flow.report(persona="community_secretary", channel=Channel.PHONE, contact_phone="13812345678")
    assert case.state == CaseState.REGISTERED
    assert list(CaseFollower.objects.filter(case=case).values_list("phone", flat=True)) == ["13812345678"]
    with pytest.raises(DomainError):
        flow.report(persona="community_secretary", channel=Channel.PHONE, point=IN_GRID_B)
    with pytest.raises(DomainError):
        flow.report(persona="resident", channel=Channel.GRID_PATROL)
    with pytest.raises(DomainError):
        flow.report(persona=None, channel=Channel.WALK_IN)


def test_photos_are_re_encoded_without_location_and_audio_is_re_encoded(flow):
    files = prepare_uploads([media.jpeg_with_gps(), media.png()], media.wav(2.0))
    case = flow.report(files=files)
    photos = list(CaseAttachment.objects.filter(case=case, kind="photo").order_by("id"))
    assert [p.content_type for p in photos] == ["image/jpeg", "image/jpeg"]
    with photos[0].file.open("rb") as f:
        image = Image.open(io.BytesIO(f.read()))
        assert not image.getexif() and image.size == (48, 64)  # orientation applied, EXIF gone
    audio = CaseAttachment.objects.get(case=case, kind="audio")
    # Kept as AAC in M4A, which every phone browser plays, and of the length recorded.
    assert audio.content_type == "audio/mp4" and audio.duration_s == pytest.approx(2.0, abs=0.1)
    with audio.file.open("rb") as f:
        assert f.read(12)[4:8] == b"ftyp"  # an MP4 container, whatever the upload was
    assert len(audio.sha256) == 64 and audio.size > 0


@pytest.mark.parametrize("bad", [
    lambda: ([media.fake()], None),
    lambda: ([media.png()] * 10, None),
    lambda: ([], media.wav(200)),
    lambda: ([], media.fake("voice.webm", b"not audio at all")),
    lambda: ([media.fake(content=b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40)], None),
])
def test_bad_files_are_refused_before_anything_is_written(flow, bad):
    photos, audio = bad()
    with pytest.raises(DomainError) as refused:
        prepare_uploads(photos, audio)
    assert refused.value.code == "bad_upload"
    assert not media_files() and not Case.objects.exists()


def test_a_failed_intake_leaves_no_orphan_file(flow, monkeypatch):
    files = prepare_uploads([media.png()])
    # The files are on disk when the database fails to take their rows.
    monkeypatch.setattr(CaseAttachment.objects, "bulk_create",
                        lambda *a, **k: (_ for _ in ()).throw(RuntimeError("database went away")))
    with pytest.raises(RuntimeError):
        flow.report(files=files)
    assert not media_files() and not Case.objects.exists()


def test_nearby_duplicates_by_distance_category_and_time(flow, catalogue, clock):
    import datetime as dt

    from gongzhi.demo.fixture_city import X0, Y0

    first = flow.report(point=(X0 + 0.0100, Y0 + 0.0100))
    near = flow.report(point=(X0 + 0.0105, Y0 + 0.0100))  # ~48 m east
    flow.report(point=(X0 + 0.0150, Y0 + 0.0100))  # ~480 m: too far
    flow.report(point=(X0 + 0.0101, Y0 + 0.0100), category="street-light")  # another category
    # Across the grid boundary (x = X0 + 0.02) still counts.
    edge = flow.report(point=(X0 + 0.0201, Y0 + 0.0100))
    found = nearby_duplicates(X0 + 0.0100, Y0 + 0.0100, catalogue["litter"], radius_m=100)
    assert [n.case.pk for n in found] == [first.pk, near.pk]
    assert [n.case.pk for n in nearby_duplicates(X0 + 0.0199, Y0 + 0.01, catalogue["litter"], 100)] == [edge.pk]
    clock.shift(dt.timedelta(days=8))
    assert nearby_duplicates(X0 + 0.0100, Y0 + 0.0100, catalogue["litter"], radius_m=100) == []


def test_merged_reporters_follow_and_rate_the_survivor(flow):
    u = flow.users
    survivor = flow.registered()
    duplicate = flow.report(persona="grid_worker", channel=Channel.GRID_PATROL)
    merging.merge_cases(actor=u["community_secretary"], survivor=survivor, duplicates=[duplicate], reason="同一堆垃圾")
    duplicate.refresh_from_db()
    assert duplicate.state == CaseState.MERGED and duplicate.merged_into == survivor
    assert set(CaseFollower.objects.filter(case=survivor).values_list("user__username", flat=True)) == {
        "resident", "grid_worker"}
    with pytest.raises(DomainError):
        merging.merge_cases(actor=u["community_secretary"], survivor=survivor, duplicates=[duplicate], reason="再来")
    case = workflow.dispatch_case(actor=u["community_secretary"], case=survivor)
    case = workflow.accept_case(actor=u["department_staff"], case=case)
    case = workflow.resolve_case(actor=u["department_staff"], case=case, feedback="已清运")
    case = workflow.verify_case(actor=u["grid_worker"], case=case, passed=True)
    case = workflow.close_case(actor=u["community_secretary"], case=case)
    case = workflow.rate_case(actor=u["grid_worker"], case=case, value=Rating.BASICALLY_SATISFIED)
    case = workflow.rate_case(actor=u["resident"], case=case, value=Rating.SATISFIED)
    assert case.state == CaseState.RATED and case.rating == Rating.BASICALLY_SATISFIED
    assert case.ratings.count() == 2


def test_merging_needs_the_scope_of_every_case(flow):
    a = flow.registered()
    b = flow.report(point=IN_GRID_B)
    with pytest.raises(DomainError):
        merging.merge_cases(actor=flow.users["community_secretary"], survivor=a, duplicates=[b], reason="x")


def test_a_report_without_a_category_is_refused_and_nothing_is_saved(city):
    from gongzhi.cases.models import Case
    from gongzhi.core.errors import DomainError

    before = Case.objects.count()
    with pytest.raises(DomainError, match="what kind of problem"):
        submit_case(actor=city.resident, report=Report(description="路灯不亮", lng=IN_GRID_A[0], lat=IN_GRID_A[1]))
    assert Case.objects.count() == before


# --- what one report writes, on either database ----------------------------------------------


def test_a_report_writes_its_case_follower_timeline_and_audit_rows(flow, city):
    from gongzhi.cases.models import CaseEvent
    from gongzhi.core.models import AuditEntry

    resident = flow.users["resident"]
    case = flow.report(description="路边有一堆垃圾 ")  # trimmed
    stored = Case.objects.get(pk=case.pk)
    assert (stored.tracking_number, stored.description, stored.state, stored.version) == (
        case.tracking_number, "路边有一堆垃圾", CaseState.SUBMITTED, 1)
    assert (stored.grid, stored.community, stored.street, stored.district, stored.city_id) == (
        city.grid_a, city.community_a, city.street_a, city.district, city.grid_a.city_id)
    assert stored.reporter == resident and stored.channel == Channel.RESIDENT_APP and stored.terms == {}
    follower = CaseFollower.objects.get(case=case)
    assert follower.user == resident and not follower.phone
    event = CaseEvent.objects.get(case=case)
    assert (event.kind, event.actor, event.to_state, event.data) == ("submitted", resident, "submitted",
                                                                    {"channel": "resident_app"})
    assert event.is_public and event.public_note and event.at == stored.submitted_at
    audit = AuditEntry.objects.get(object_type="cases.case", object_id=str(case.pk))
    assert (audit.action, audit.actor, audit.division_id, audit.object_repr) == (
        "case.submit", resident, city.grid_a.pk, case.tracking_number)
    assert audit.after["state"] == "submitted" and audit.after["channel"] == "resident_app"
    assert audit.after["files"] == 0 and audit.after["category"] == case.category_id
    # What the caller gets back is the case as stored.
    assert (case.pk, case.community_id, case.street_id, case.city_id) == (
        stored.pk, stored.community_id, stored.street_id, stored.city_id)


def test_a_report_without_an_account_follows_by_phone_and_secret(flow):
    intake = submit_case(actor=None, report=Report(
        description="井盖丢了", lng=IN_GRID_A[0], lat=IN_GRID_A[1], category=flow.report().category,
        contact_phone="13812345678"))
    case = Case.objects.get(pk=intake.case.pk)
    assert case.reporter is None and len(intake.follow_token) > 20
    assert case.follow_token_hash and case.follow_token_hash != intake.follow_token
    assert list(CaseFollower.objects.filter(case=case).values_list("phone", flat=True)) == ["13812345678"]


def test_a_phone_s_gcj02_position_is_kept_as_wgs84(flow, catalogue):
    from gongzhi.divisions.geo.crs import wgs84_to_gcj02

    gcj = wgs84_to_gcj02(*IN_GRID_A)
    case = submit_case(actor=flow.users["resident"], report=Report(
        description="路边有一堆垃圾", lng=gcj[0], lat=gcj[1], crs="gcj02", category=catalogue["litter"])).case
    stored = Case.objects.get(pk=case.pk)
    assert stored.lng == pytest.approx(IN_GRID_A[0], abs=1e-5) and stored.lat == pytest.approx(IN_GRID_A[1], abs=1e-5)


def test_a_grid_retired_since_the_index_was_built_is_refused_cleanly(flow, city):
    from gongzhi.divisions.models import Division

    flow.report()  # the index is built
    Division.objects.filter(pk=city.grid_a.pk).update(is_active=False)  # behind the index's back
    with translation.override("en"), pytest.raises(DomainError, match="outside every grid") as refused:
        flow.report()
    assert refused.value.code == "outside_grids" and Case.objects.count() == 1


def test_tracking_numbers_start_again_each_day(flow, clock):
    import datetime as dt

    assert [flow.report().tracking_number for _ in range(2)] == ["2026030900001", "2026030900002"]
    clock.shift(dt.timedelta(days=1))
    assert [flow.report().tracking_number for _ in range(2)] == ["2026031000001", "2026031000002"]


def test_a_repeat_with_the_same_key_writes_nothing_more(flow):
    from gongzhi.cases.models import CaseEvent
    from gongzhi.core.models import AuditEntry

    first = flow.report(idempotency_key="tap-2")
    again = flow.report(idempotency_key="tap-2")
    assert again.pk == first.pk and again.tracking_number == first.tracking_number
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == 1 and CaseFollower.objects.count() == 1
    assert AuditEntry.objects.filter(action="case.submit").count() == 1
    assert flow.report().tracking_number == "2026030900002"


# --- the catalogue in memory ------------------------------------------------------------------


def test_catalogue_edits_reach_reports_at_once(flow, catalogue, client):
    from gongzhi.accounts.services import issue_token
    from gongzhi.cases.services.catalogue import update_category

    _token, raw = issue_token(actor=flow.users["resident"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    post = {"description": "楼下有人遛狗不牵绳", "lng": IN_GRID_A[0], "lat": IN_GRID_A[1], "category": "litter"}
    assert client.post("/api/v1/cases/", post, **headers).status_code == 201  # the catalogue is now in memory
    update_category(actor=flow.users["city_admin"], category=catalogue["litter"], changes={"is_active": False})
    assert client.post("/api/v1/cases/", post, **headers).status_code == 404


def test_other_processes_notice_catalogue_edits_within_a_second(flow, catalogue, monkeypatch):
    from gongzhi.cases import catalogue_cache
    from gongzhi.cases.models import Category

    assert catalogue_cache.catalogue().leaf("litter") is not None
    # Another process edits the table (this process hears nothing of it) …
    Category.objects.filter(code="litter").update(name_zh="垃圾堆放", version=2)
    assert catalogue_cache.catalogue().leaf("litter").name_zh != "垃圾堆放"  # … within the second: the copy
    from gongzhi.core import process_copy

    now = process_copy.monotonic()
    monkeypatch.setattr(process_copy, "monotonic", lambda: now + process_copy.RECHECK_SECONDS + 0.01)
    assert catalogue_cache.catalogue().leaf("litter").name_zh == "垃圾堆放"  # a second later: the change
    Category.objects.create(code="shared-bikes", parent=catalogue["litter"].parent, case_class="event",
                            name_zh="共享单车乱停", name_en="Shared bikes", response_limit=4, response_unit="hours",
                            handling_limit=1, handling_unit="days", routing="community")
    monkeypatch.setattr(process_copy, "monotonic", lambda: now + 2 * process_copy.RECHECK_SECONDS + 0.02)
    assert catalogue_cache.catalogue().leaf("shared-bikes") is not None
