"""Public tracking by a random code: counting through the tracking numbers opens nothing."""

import importlib
import re

import pytest
from django.test import Client

from gongzhi.cases.choices import Channel
from gongzhi.cases.codes import ALPHABET, LENGTH, new_tracking_code
from gongzhi.cases.models import Case

pytestmark = pytest.mark.django_db

SHAPE = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}$")
WRONG_CODE = "ABCDEFGHJK"
CSRF = re.compile(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+')


def shown(client, path: str) -> tuple[int, str]:
    """What a visitor gets at `path`: the status and the page, its own address and the per-response
    form token left out (they differ on every page)."""
    response = client.get(path)
    return response.status_code, CSRF.sub(r"\1", response.content.decode()).replace(path, "<path>")


def test_counting_through_the_numbers_finds_nothing(flow):
    cases = [flow.report(), flow.report(persona=None), flow.dispatched()]
    numbers = sorted(int(c.tracking_number) for c in cases)
    client = Client()
    missing_page = shown(client, f"/cases/track/{WRONG_CODE}/")
    missing_api = shown(client, f"/api/v1/cases/track/{WRONG_CODE}")
    assert missing_page[0] == 404 and missing_api[0] == 404
    for n in range(numbers[0] - 1, numbers[-1] + 2):
        assert shown(client, f"/cases/track/{n}/") == missing_page, n
        assert shown(client, f"/api/v1/cases/track/{n}") == missing_api, n
        for sub in ("sent", "photos"):
            path = f"/cases/report/sent/{n}/" if sub == "sent" else f"/cases/track/{n}/photos/1/"
            assert client.get(path).status_code == 404
        assert client.get(f"/api/v1/cases/track/{n}/follow").status_code in (401, 404)


def test_the_code_opens_the_page_and_the_api(flow):
    case = flow.dispatched()
    page = Client().get(f"/cases/track/{case.tracking_code}/")
    assert page.status_code == 200 and case.tracking_number in page.content.decode()
    api = Client().get(f"/api/v1/cases/track/{case.tracking_code}").json()
    assert api["tracking_number"] == case.tracking_number and api["tracking_code"] == case.tracking_code


def test_an_old_secret_link_by_number_still_reaches_its_reporter(flow):
    """Links handed out before codes named the number: the secret, not the number, opens them."""
    from gongzhi.cases.services.intake import Report, submit_case
    from gongzhi.cases.tests.conftest import IN_GRID_A

    intake = submit_case(actor=None, report=Report(description="井盖丢了", lng=IN_GRID_A[0], lat=IN_GRID_A[1],
                                                   category=flow.report().category))
    case, token = intake.case, intake.follow_token
    old = Client().get(f"/cases/track/{case.tracking_number}/", {"token": token})
    assert old.status_code == 302 and old["Location"].startswith(f"/cases/track/{case.tracking_code}/?token=")
    wrong = shown(Client(), f"/cases/track/{case.tracking_number}/?token=guess")
    assert wrong == shown(Client(), f"/cases/track/{WRONG_CODE}/?token=guess")
    assert wrong[0] == 404


@pytest.mark.parametrize(("persona", "channel"), [
    ("resident", Channel.RESIDENT_APP), (None, Channel.RESIDENT_APP), (None, Channel.OPEN311),
    ("grid_worker", Channel.GRID_PATROL), ("community_secretary", Channel.PHONE),
])
def test_every_channel_gives_a_code(flow, persona, channel):
    case = flow.report(persona=persona, channel=channel)
    stored = Case.objects.get(pk=case.pk)
    assert SHAPE.match(stored.tracking_code) and stored.tracking_code == case.tracking_code


def test_codes_are_unique_and_unguessable_in_shape(flow):
    assert len(ALPHABET) == 31 and not set("0O1IL") & set(ALPHABET) and LENGTH >= 10
    drawn = [new_tracking_code() for _ in range(5000)]
    assert all(SHAPE.match(c) for c in drawn)
    assert len(set(drawn)) == len(drawn)
    # Not counted: consecutive cases share no prefix beyond chance.
    codes = [flow.report(description=f"第{i}堆垃圾").tracking_code for i in range(5)]
    assert len(set(codes)) == 5 and len({c[:4] for c in codes}) > 1


def test_the_migration_gives_a_case_without_a_code_one(flow):
    """The data step of 0007 on today's schema (migrating the cases back to 0006 would unapply every
    app built on them, a minute of the suite for a step Django's own AddField does): a case left
    without a code gets one, batch by batch, and the others keep theirs."""
    from django.apps import apps

    cases = [flow.report(description=f"第{i}堆垃圾") for i in range(3)]
    Case.objects.filter(pk=cases[1].pk).update(tracking_code="")
    migration = importlib.import_module("gongzhi.cases.migrations.0007_case_tracking_code")
    try:
        migration.BATCH = 1  # more than one batch
        migration.give_codes(apps, None)
    finally:
        importlib.reload(migration)
    codes = dict(Case.objects.values_list("pk", "tracking_code"))
    assert all(SHAPE.match(c) for c in codes.values()) and len(set(codes.values())) == 3
    assert codes[cases[0].pk] == cases[0].tracking_code and codes[cases[2].pk] == cases[2].tracking_code
    assert codes[cases[1].pk] != cases[1].tracking_code


def test_notifications_written_before_codes_are_pointed_at_the_code(flow):
    from django.apps import apps

    from gongzhi.notifications.models import Notification

    case = flow.dispatched()
    resident = flow.users["resident"]
    old = Notification.objects.create(recipient=resident, verb="case.dispatched", title="t",
                                      subject_type="cases.case", subject_id=case.pk,
                                      url=f"/cases/track/{case.tracking_number}")
    other = Notification.objects.create(recipient=resident, verb="x", title="t", url="/elsewhere/")
    migration = importlib.import_module("gongzhi.cases.migrations.0008_notification_links_by_code")
    migration.links_by_code(apps, None)
    old.refresh_from_db()
    other.refresh_from_db()
    assert old.url == f"/cases/track/{case.tracking_code}" and other.url == "/elsewhere/"
    assert flow_client_status(old.url) == 200


def flow_client_status(url: str) -> int:
    from django.test import Client

    return Client().get(url, follow=True).status_code


def test_residents_are_told_the_code_link_and_never_the_number_link(flow):
    from gongzhi.notifications.models import Notification

    case = flow.dispatched()
    told = list(Notification.objects.filter(recipient=flow.users["resident"]).values_list("url", flat=True))
    assert told and set(told) == {f"/cases/track/{case.tracking_code}"}
