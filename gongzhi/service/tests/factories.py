"""The service orders on the fixture city (gongzhi.demo.fixture_city) and its party tree
(gongzhi.party.tests.factories): the resident persona orders in community A; the party member 孙丽
(home community A) and a registered volunteer of community A take orders; 赵强 serves community B."""

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from gongzhi.demo.personas import ensure_user
from gongzhi.party.tests.factories import build_party
from gongzhi.service.models import ServiceKind
from gongzhi.service.services import orders
from gongzhi.service.services.kinds import seed_kinds


def make_volunteer(user, community):
    from gongzhi.volunteering.models import Volunteer

    v = Volunteer(user=user, status="active")
    v.site_in(community)
    v.save()
    return v


def build_service(city, party=None) -> SimpleNamespace:
    s = SimpleNamespace(city=city)
    s.party = party or build_party(city)
    s.resident = city.users["resident"]
    s.member = s.party.member_user
    s.volunteer = ensure_user("volunteer_a", "志愿者 李娜", phone="13900000041")
    make_volunteer(s.volunteer, city.community_a)
    s.member_b_user = ensure_user("party_member_b", "党员 赵强", phone="13900000042")
    s.party.member_b.user = s.member_b_user
    s.party.member_b.save(update_fields=["user"])
    s.desk = city.users["community_secretary"]
    seed_kinds()  # the migration seeds them; a transactional test's flush does not keep them
    s.kind = ServiceKind.objects.get(code="elderly", district=None)
    return s


def place(s, *, actor=None, community=None, hours_ahead=48, key="", description="帮忙买菜送到家", **kw):
    order, _created = orders.place_order(
        actor=actor or s.resident, kind_id=s.kind.pk, community_id=(community or s.city.community_a).pk,
        description=description, wanted_at=timezone.now() + dt.timedelta(hours=hours_ahead),
        place="书院路12号3单元", idempotency_key=key, **kw)
    return order
