"""Phone and ID numbers typed into the party's free text (a decline reason, a card's comment, a
leader's visit, a member's state reason) read whole for those who may reveal members' numbers —
the community and party secretaries — and masked for every other reader: in the API, the pages and
the exports. The rows themselves never change."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from gongzhi.accounts.services import issue_token
from gongzhi.demo.fixture_city import build_fixture_city
from gongzhi.party.models import FeedbackCard, LeaderLink, LeaderVisit, Member, MemberRegistration
from gongzhi.party.selectors import registrations as sel

from .factories import build_party

pytestmark = pytest.mark.django_db
PHONE, MASKED_PHONE = "13912345678", "139****5678"
ID_NUMBER, MASKED_ID = "420902199001011234", "420902********1234"
TEXT = f"请本人来社区核对，电话{PHONE}，身份证{ID_NUMBER}"


@pytest.fixture
def world():
    city = build_fixture_city()
    p = build_party(city)
    a = city.community_a
    sited = {"community": a, "street_id": a.street_id, "district_id": a.district_id}
    period = sel.member_period()
    reg = MemberRegistration.objects.create(member=p.member_a, period_start=period.start, period_end=period.end,
                                            method="picked", status="declined", decline_reason=TEXT, **sited)
    card = FeedbackCard.objects.create(member=p.member_a, community=a, organisation=p.branch_a,
                                       period_start=dt.date(2025, 10, 1), period_end=dt.date(2025, 12, 31), hours=2,
                                       activities=1, evaluation="fair", comment=TEXT)
    link = LeaderLink.objects.create(name="王区长", title="副区长", division=a, **sited)
    visit = LeaderVisit.objects.create(link=link, visited_on=dt.date(2026, 3, 2), summary=TEXT)
    # The relation ended, the reason typed as the desk heard it.
    Member.objects.filter(pk=p.member_a.pk).update(state="left", state_reason=TEXT)
    return city, p, reg, card, link, visit, period


def api(client, user, path):
    _, key = issue_token(actor=user, name="t")
    response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200, response.content
    return response.content.decode()


def assert_masked(text, where=""):
    assert PHONE not in text and ID_NUMBER not in text, where
    assert MASKED_PHONE in text and MASKED_ID in text, where


def assert_whole(text):
    assert PHONE in text and ID_NUMBER in text


def test_the_api_masks_for_readers_who_may_not_reveal(client, world):
    city, p, reg, card, link, visit, period = world
    officer, secretary = city.users["street_officer_a"], city.users["community_secretary"]
    for path in (f"/api/v1/party/registrations/members?period_start={period.start}", "/api/v1/party/feedback-cards",
                 f"/api/v1/party/members/{p.member_a.pk}"):
        assert_masked(api(client, officer, path))
        assert_whole(api(client, secretary, path))
    # A linked leader is the streets' business (the secretary does not keep them): masked there too.
    assert_masked(api(client, officer, f"/api/v1/party/leaders/{link.pk}"))
    # Reading changed nothing.
    reg.refresh_from_db()
    card.refresh_from_db()
    visit.refresh_from_db()
    assert reg.decline_reason == card.comment == visit.summary == TEXT


def test_the_pages_and_the_export_mask_for_readers_who_may_not_reveal(client, world):
    city, p, _reg, _card, link, _visit, period = world
    client.force_login(city.users["street_officer_a"])
    for url in (f"/party/report-in/desk/?period={period.start}", "/party/report-in/cards/",
                f"/party/members/{p.member_a.pk}/", f"/party/leaders/{link.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_masked(response.content.decode(), url)
    response = client.get("/party/report-in/cards/export/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert_masked(cells)

    client.force_login(city.users["community_secretary"])
    for url in (f"/party/report-in/desk/?period={period.start}", "/party/report-in/cards/",
                f"/party/members/{p.member_a.pk}/"):
        assert_whole(client.get(url).content.decode())
