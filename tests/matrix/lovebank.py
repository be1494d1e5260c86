"""The love bank's routes in the access matrix (gongzhi/lovebank/access.py).

VIEW — the desks, the district officer and the auditor; MANAGE (verify relations, hardship flags,
resolve disputes) — the city, the streets and the community secretary; RULES — the city and the
district. A holder's own routes (my account, statement, relatives, requests, offers, transfers)
answer every signed-in user about themselves; the writes need a bank account, which no persona
has (each is refused, 403), and gongzhi/lovebank/tests show holders using them."""

import datetime as dt
from functools import cache

LVIEW = frozenset({"city_admin", "district_officer", "street_officer_a", "street_officer_b", "community_secretary",
                   "auditor"})
LMANAGE = frozenset({"city_admin", "street_officer_a", "street_officer_b", "community_secretary"})
LRULES = frozenset({"city_admin", "district_officer"})
HOLDER_ONLY = frozenset()


def build(a, b, party, city) -> None:
    """A holder (born 1950) with credits, a relation they named and a request for help, in each street."""
    from gongzhi.demo.personas import ensure_user
    from gongzhi.lovebank.models import BankMember
    from gongzhi.lovebank.services import deposits, exchanges, relations

    wanted = dt.date.today() + dt.timedelta(days=30)
    for side, community, tag, n in ((a, city.community_a, "A", 1), (b, city.community_b, "B", 2)):
        holder = ensure_user(f"lb_holder_{tag}", f"爱心会员{tag}", phone=f"1370000000{n}")
        deposits.deposit(actor=None, user=holder, hours="6", served_on=dt.date(2026, 3, 2), community=community,
                         source="manual", key=f"matrix.lovebank.{tag}")
        BankMember.objects.filter(user=holder).update(birth_date=dt.date(1950, 1, 1))
        side.lb_member = BankMember.objects.get(user=holder)
        side.lb_district = city.district
        side.lb_relation = relations.request_relation(actor=holder, kinship="spouse", relative_name=f"老伴{tag}",
                                                      relative_phone=f"1370000001{n}")
        side.lb_exchange, _ = exchanges.request_help(actor=holder, service_kind="escort", credits="2",
                                                     wanted_on=wanted, description=f"陪同就医{tag}", key="matrix")


def _pk(name):
    return lambda world, side: getattr(getattr(world, side), name).pk


KINDS: dict = {
    "lb_member": _pk("lb_member"),
    "lb_relation": _pk("lb_relation"),
    "lb_exchange": _pk("lb_exchange"),
    # Both streets lie in one district: its rules answer both sides alike.
    "lb_district": _pk("lb_district"),
}


def _description(world, side):
    return getattr(world, side).lb_exchange.description


def __getattr__(name):
    if name in ("API_ENTRIES", "PAGE_ENTRIES"):
        return _entries()[name]
    raise AttributeError(name)


@cache
def _entries() -> dict:
    from .spec import ALL, REACHED, E, fixed

    P = "/api/v1/lovebank"
    X = {"exchange_id": "lb_exchange"}
    M = {"member_id": "lb_member"}
    R = {"relation_id": "lb_relation"}

    API_ENTRIES = [
        E("GET", f"{P}/me", ok=ALL),
        E("GET", f"{P}/me/statement", ok=ALL),
        E("GET", f"{P}/me/relations", ok=ALL),
        E("POST", f"{P}/me/relations", ok=HOLDER_ONLY),
        E("POST", f"{P}/me/transfers", ok=HOLDER_ONLY),
        E("GET", f"{P}/me/exchanges", ok=ALL),
        E("GET", f"{P}/exchanges/open", ok=ALL),
        E("GET", f"{P}/exchanges", ok=LVIEW),
        E("POST", f"{P}/exchanges", ok=HOLDER_ONLY),
        E("GET", f"{P}/exchanges/{{exchange_id}}", params=X, ok=LVIEW, denied=404, shows=_description),
        *[E("POST", f"{P}/exchanges/{{exchange_id}}/{step}", params=X, ok=HOLDER_ONLY, seen_by=LVIEW)
          for step in ("offer", "done", "confirm", "cancel", "dispute")],
        E("POST", f"{P}/exchanges/{{exchange_id}}/resolve", params=X, ok=LMANAGE, status=REACHED),
        E("GET", f"{P}/members", ok=LVIEW),
        E("POST", f"{P}/members/{{member_id}}/hardship", params=M, ok=LMANAGE, status=REACHED),
        E("POST", f"{P}/members/{{member_id}}/details", params=M, ok=LMANAGE, status=REACHED),
        E("GET", f"{P}/relations", ok=LVIEW),
        E("POST", f"{P}/relations/{{relation_id}}/confirm", params=R, ok=LMANAGE, status=REACHED),
        E("POST", f"{P}/relations/{{relation_id}}/decline", params=R, ok=LMANAGE, status=REACHED),
        E("GET", f"{P}/rules", ok=LRULES),
        E("PUT", f"{P}/rules/{{district_id}}", params={"district_id": "lb_district"}, ok=LRULES, status=REACHED,
          scoped=False),
        E("GET", f"{P}/report", ok=LVIEW),
    ]

    PAGE_ENTRIES = [
        # the holder's phone pages
        E("GET", "lovebank:home", ok=ALL),
        E("GET", "lovebank:request_help", ok=ALL),
        E("POST", "lovebank:request_help", ok=ALL, status=REACHED),
        E("GET", "lovebank:offer_help", ok=ALL),
        E("GET", "lovebank:exchanges", ok=ALL),
        E("POST", "lovebank:exchange_step", params={"pk": "lb_exchange", "step": fixed("offer")}, ok=HOLDER_ONLY,
          seen_by=LVIEW),
        E("GET", "lovebank:family", ok=ALL),
        E("POST", "lovebank:transfer", ok=ALL, status=REACHED),
        # the desk
        E("GET", "lovebank:members", ok=LVIEW),
        E("POST", "lovebank:member_hardship", params={"pk": "lb_member"}, ok=LMANAGE, status=REACHED),
        E("POST", "lovebank:member_details", params={"pk": "lb_member"}, ok=LMANAGE, status=REACHED),
        E("GET", "lovebank:relations", ok=LVIEW),
        E("POST", "lovebank:relation_decide", params={"pk": "lb_relation"}, ok=LMANAGE, status=REACHED),
        E("GET", "lovebank:desk_exchanges", ok=LVIEW),
        E("POST", "lovebank:exchange_resolve", params={"pk": "lb_exchange"}, ok=LMANAGE, status=REACHED),
        E("GET", "lovebank:rules", ok=LRULES),
        E("GET", "lovebank:report", ok=LVIEW),
        E("GET", "lovebank:report_export", ok=LVIEW),
    ]
    return {"API_ENTRIES": API_ENTRIES, "PAGE_ENTRIES": PAGE_ENTRIES}
