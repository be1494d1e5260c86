"""The service orders' routes (gongzhi.service) in the access matrix: the objects they point at
(`build`), the kinds that name them (`KINDS`) and their rows (see tests/matrix/spec.py).

Who holds what (gongzhi/service/permissions.py): VIEW — the desks, the district officer, the auditor;
DISPATCH — the city, the streets, the community secretary; ORDER — those and the resident. Each
side's order was placed by its street's office for a neighbour without a phone, so the resident
persona owns neither (their own orders are in gongzhi/service/tests). Taking, recording done and
disputing a no-show belong to party members and volunteers serving the community, which no persona
is: they are refused (403 where they see the order), and gongzhi/service/tests shows the takers."""

import datetime as dt
from functools import cache

VIEWERS = frozenset({"city_admin", "district_officer", "street_officer_a", "street_officer_b", "community_secretary",
                     "auditor"})
DISPATCHERS = frozenset({"city_admin", "street_officer_a", "street_officer_b", "community_secretary"})
ORDERERS = DISPATCHERS | {"resident"}
TAKERS_ONLY = frozenset()
TAKERS = frozenset({"resident"})


def build(a, b, party, city) -> None:
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from gongzhi.demo.personas import ensure_user
    from gongzhi.service.models import OrderPhoto, ServiceKind
    from gongzhi.service.services import orders

    from .world import jpeg_bytes

    # 赵强 (street B's member) uses the platform: a taker of community B, for the body-id rows.
    party.member_b_user = ensure_user("party_member_b", "党员 赵强", phone="13900000042")
    party.member_b.user = party.member_b_user
    party.member_b.save(update_fields=["user"])
    kind = ServiceKind.objects.get(code="elderly", district=None)
    for side, community, officer in ((a, city.community_a, city.users["street_officer_a"]),
                                     (b, city.community_b, city.users["street_officer_b"])):
        side.service_order, _ = orders.place_order(
            actor=officer, kind_id=kind.pk, community_id=community.pk, description=f"{community.name}王大爷买药",
            wanted_at=timezone.now() + dt.timedelta(days=30), place="老小区3栋", for_neighbour=True,
            contact_name="王大爷", contact_phone="13900001111")
        photo = OrderPhoto(order=side.service_order, uploaded_by=officer)
        photo.image.save("photo.jpg", ContentFile(jpeg_bytes()), save=True)
        side.service_photo = photo
        side.service_taker = party.member_user if side is a else party.member_b_user


def _pk(name):
    return lambda world, side: getattr(getattr(world, side), name).pk


KINDS: dict = {name: _pk(name) for name in ("service_order", "service_photo")}


def _number(world, side):
    return getattr(world, side).service_order.number


def __getattr__(name):
    # Built on first use: tests/matrix/spec.py reads these while it is itself being imported.
    if name in ("API_ENTRIES", "PAGE_ENTRIES"):
        return _entries()[name]
    raise AttributeError(name)


@cache
def _entries() -> dict:
    from .spec import ALL, REACHED, E

    S = "/api/v1/service"
    ORDER = {"order_id": "service_order"}
    P = {"pk": "service_order"}

    def act(path, ok, **kw):
        return E("POST", f"{S}/orders/{{order_id}}/{path}", params=ORDER, ok=ok, status=REACHED, seen_by=VIEWERS,
                 denied=404, **kw)

    API_ENTRIES = [
        E("GET", f"{S}/kinds", ok=ALL),
        E("GET", f"{S}/orders", ok=ALL),
        E("POST", f"{S}/orders", ok=ORDERERS, status=REACHED),
        E("POST", f"{S}/orders/from-case", ok=DISPATCHERS, status=REACHED),
        E("GET", f"{S}/orders/{{order_id}}", params=ORDER, ok=VIEWERS, denied=404, shows=_number),
        E("GET", f"{S}/orders/{{order_id}}/takers", params=ORDER, ok=DISPATCHERS, seen_by=VIEWERS, denied=404),
        act("dispatch", DISPATCHERS),
        act("publish", DISPATCHERS),
        act("take", TAKERS_ONLY),
        act("done", TAKERS_ONLY),
        act("confirm", DISPATCHERS),  # for a neighbour without a phone, the desk records the answer
        act("cancel", DISPATCHERS),
        act("no-show", DISPATCHERS),
        act("no-show/dispute", TAKERS_ONLY),
        act("no-show/decide", DISPATCHERS),
        act("case", DISPATCHERS),
    ]

    def page_act(name, ok):
        return E("POST", f"service:{name}", params=P, ok=ok, status=REACHED, seen_by=VIEWERS, denied=404)

    PAGE_ENTRIES = [
        E("GET", "service:order_new", ok=ORDERERS),
        E("POST", "service:order_new", ok=ORDERERS, status=REACHED),
        E("GET", "service:mine", ok=ALL),
        E("GET", "service:order", params=P, ok=VIEWERS, denied=404, shows=_number),
        E("GET", "service:photo", params={"pk": "service_order", "photo_id": "service_photo"}, ok=VIEWERS,
          denied=404),
        E("GET", "service:pool", ok=TAKERS),
        E("GET", "service:assigned", ok=TAKERS),
        E("GET", "service:done", params=P, ok=TAKERS_ONLY, seen_by=VIEWERS, denied=404),
        E("GET", "service:board", ok=VIEWERS),
        E("POST", "service:board_from_case", ok=DISPATCHERS, status=REACHED),
        page_act("confirm", DISPATCHERS),
        page_act("cancel", DISPATCHERS),
        page_act("take", TAKERS_ONLY),
        page_act("done", TAKERS_ONLY),
        page_act("dispute", TAKERS_ONLY),
        page_act("dispatch", DISPATCHERS),
        page_act("publish", DISPATCHERS),
        page_act("no_show", DISPATCHERS),
        page_act("decide", DISPATCHERS),
        page_act("to_case", DISPATCHERS),
    ]
    return {"API_ENTRIES": API_ENTRIES, "PAGE_ENTRIES": PAGE_ENTRIES}
