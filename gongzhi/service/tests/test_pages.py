"""The pages as people use them on a 375-px phone and at the desk: the resident orders help and
later confirms and rates it; the member takes an order from the pool and records it done with a
photo; the desk's board shows what waits and what is late, and dispatches."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gongzhi.service.choices import OrderStatus
from gongzhi.service.models import Order
from gongzhi.service.services import orders

from .factories import build_service, place

pytestmark = pytest.mark.django_db
PHONE = {"HTTP_USER_AGENT": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile",
         "HTTP_VIEWPORT_WIDTH": "375"}


@pytest.fixture
def s(city):
    return build_service(city)


def client_for(user) -> Client:
    c = Client(**PHONE)
    c.force_login(user)
    return c


def jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 40)).save(out, "JPEG")
    return SimpleUploadedFile("done.jpg", out.getvalue(), content_type="image/jpeg")


def test_the_resident_orders_help_from_the_phone(s):
    resident = client_for(s.resident)
    page = resident.get(reverse("service:order_new"))
    assert page.status_code == 200 and s.kind.name_en in page.content.decode()
    assert 'name="viewport"' in page.content.decode()
    form = {"kind": s.kind.pk, "community": s.city.community_a.pk, "description": "帮忙买菜",
            "wanted_at": (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "place": "书院路12号", "idempotency_key": "k-1"}
    answer = resident.post(reverse("service:order_new"), form)
    order = Order.objects.get()
    assert answer.status_code == 302 and answer.url == reverse("service:order", args=[order.pk])
    # A double tap places nothing more.
    resident.post(reverse("service:order_new"), form)
    assert Order.objects.count() == 1
    mine = resident.get(reverse("service:mine")).content.decode()
    assert order.number in mine
    detail = resident.get(answer.url).content.decode()
    assert "帮忙买菜" in detail and f"service/orders/{order.pk}/cancel/" in detail
    # An empty description is refused with the form again, nothing written.
    bad = resident.post(reverse("service:order_new"), {**form, "description": "", "idempotency_key": "k-2"})
    assert bad.status_code == 400 and Order.objects.count() == 1


def test_the_member_takes_and_records_done_and_the_resident_rates(s):
    order = orders.publish(actor=s.desk, order_id=place(s).pk)
    member = client_for(s.member)
    pool = member.get(reverse("service:pool")).content.decode()
    assert order.number in pool
    assert member.post(reverse("service:take", args=[order.pk]), {"version": order.version}).status_code == 302
    assert Order.objects.get(pk=order.pk).status == OrderStatus.TAKEN
    assert order.number in member.get(reverse("service:assigned")).content.decode()
    assert member.get(reverse("service:done", args=[order.pk])).status_code == 200
    answer = member.post(reverse("service:done", args=[order.pk]),
                         {"note": "已送达", "hours": "1.5", "photos": [jpeg()]})
    assert answer.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.DONE and order.photos.count() == 1
    photo = order.photos.get()
    resident = client_for(s.resident)
    assert resident.get(reverse("service:photo", args=[order.pk, photo.pk])).status_code == 200
    assert client_for(s.city.users["street_officer_b"]).get(
        reverse("service:photo", args=[order.pk, photo.pk])).status_code == 404
    assert resident.post(reverse("service:confirm", args=[order.pk]),
                         {"rating": 4, "comment": "谢谢", "version": order.version}).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED and order.rating == 4


def test_the_desk_board_dispatches_and_highlights_overdue(s):
    waiting = place(s)
    late = place(s, description="修水龙头")
    Order.objects.filter(pk=late.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    desk = client_for(s.desk)
    board = desk.get(reverse("service:board")).content.decode()
    assert waiting.number in board and late.number in board and "svc-overdue" in board
    overdue = desk.get(reverse("service:board") + "?status=open&overdue=1").content.decode()
    assert late.number in overdue and waiting.number not in overdue
    detail = desk.get(reverse("service:order", args=[waiting.pk])).content.decode()
    assert s.member.display_name.split()[-1] in detail or "孙丽" in detail
    answer = desk.post(reverse("service:dispatch", args=[waiting.pk]), {"takers": [s.member.pk],
                                                                          "version": waiting.version})
    assert answer.status_code == 302
    assert Order.objects.get(pk=waiting.pk).status == OrderStatus.DISPATCHED
    # Street B's officer sees neither order, on the board or by its address.
    other = client_for(s.city.users["street_officer_b"])
    assert waiting.number not in other.get(reverse("service:board")).content.decode()
    assert other.get(reverse("service:order", args=[waiting.pk])).status_code == 404
    before = Order.objects.get(pk=late.pk).version
    assert other.post(reverse("service:publish", args=[late.pk])).status_code == 404
    assert Order.objects.get(pk=late.pk).version == before


def test_home_shows_the_to_dos(s):
    place(s)
    home = client_for(s.desk).get("/").content.decode()
    assert "/service/board/?status=placed" in home


def test_the_desk_orders_from_a_case_by_its_number(s):
    from gongzhi.cases.models import Category
    from gongzhi.cases.services.catalogue import seed_catalogue
    from gongzhi.service.services import cases as case_services

    seed_catalogue()
    category = Category.objects.filter(parent__isnull=False, is_active=True).first()
    first = case_services.turn_into_case(actor=s.desk, order_id=place(s).pk, category_id=category.pk)
    number = first.case.tracking_number
    when = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    desk = client_for(s.desk)
    answer = desk.post(reverse("service:board_from_case"), {"number": number, "kind": s.kind.pk, "wanted_at": when})
    spawned = Order.objects.get(from_case=first.case)
    assert answer.status_code == 302 and answer.url == reverse("service:order", args=[spawned.pk])
    # Street B's officer does not see the case: nothing is placed.
    other = client_for(s.city.users["street_officer_b"])
    assert other.post(reverse("service:board_from_case"),
                      {"number": number, "kind": s.kind.pk, "wanted_at": when}).status_code == 302
    assert Order.objects.filter(from_case=first.case).count() == 1
