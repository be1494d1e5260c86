"""The notifications page: my own notices, the unread count in the header, marking them read."""

import pytest
from django.urls import reverse

from gongzhi.notifications.models import Notification
from gongzhi.notifications.services import notify

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def notices(city):
    resident, staff = city.users["resident"], city.users["department_staff"]
    notify(users=[resident], verb="case.registered", title="Case 2026030900001 registered",
           body="Your report was accepted.", url="/cases/track/K7M4Q2XP9D", email=False)
    notify(users=[resident], verb="case.dispatched", title="Case 2026030900001 dispatched", email=False)
    notify(users=[staff], verb="case.dispatched", title="New case 2026030900002 to accept", url="/cases/7/",
           email=False)
    return Notification.objects.order_by("id")


def test_the_page_lists_only_my_notifications(client_as, notices):
    page = html(client_as("resident").get(reverse("notifications:list")))
    assert "Case 2026030900001 registered" in page and "Case 2026030900001 dispatched" in page
    assert "New case 2026030900002 to accept" not in page
    assert 'href="/cases/track/K7M4Q2XP9D"' in page
    assert "2 unread" in page


def test_the_header_shows_the_unread_count(client_as, notices):
    page = html(client_as("resident").get("/"))
    assert 'href="/notifications/"' in page
    assert 'id="nav-unread">' in page and ">2<" in page.split('id="nav-unread"')[1][:120]
    page = html(client_as("auditor").get("/"))
    assert 'class="nav-count is-zero" id="nav-unread"' in page


def test_mark_one_read_with_htmx(client_as, notices):
    c = client_as("resident")
    first = notices.filter(recipient__username="resident").first()
    response = c.post(reverse("notifications:read"), {"id": first.pk}, HTTP_HX_REQUEST="true")
    page = html(response)
    assert response.status_code == 200 and f'id="notification-{first.pk}"' in page and "read" in page
    assert 'hx-swap-oob="true"' in page  # the header's count follows
    first.refresh_from_db()
    assert first.read_at is not None
    assert "1 unread" in html(c.get(reverse("notifications:list")))


def test_mark_all_read(client_as, notices):
    c = client_as("resident")
    response = c.post(reverse("notifications:read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient__username="resident", read_at__isnull=True).exists()
    # Nobody else's were touched.
    assert Notification.objects.filter(recipient__username="department_staff", read_at__isnull=True).exists()
    assert "No unread notifications." in html(c.get(reverse("notifications:list"), {"unread": "1"}))


def test_nobody_marks_another_persons_notification(client_as, notices):
    theirs = notices.get(recipient__username="department_staff")
    client_as("resident").post(reverse("notifications:read"), {"id": theirs.pk}, HTTP_HX_REQUEST="true")
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_notifications_need_an_account(client, city):
    assert client.get(reverse("notifications:list")).status_code == 302
    assert client.post(reverse("notifications:read")).status_code == 302
