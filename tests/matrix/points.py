"""The points routes in the access matrix (see gongzhi/points/permissions.py for who holds what):
VIEW — the desks and the auditor; AWARD — the city, the streets and the community secretary; RULES
and PUBLISH — the city and the district; SHOP — the city, the streets and the community secretary.
Everyone signed in reads their own balance, statement, appeals and redemptions, browses the shop
and may redeem (the catalogue is open; an empty request is refused in words). A district's rules
and publications are the whole district's: both streets lie in it, so those rows are not per street.
An appeal is the person's own: no persona is the person, so every persona reads it as missing."""

import datetime as dt
from decimal import Decimal
from functools import cache

VIEW = frozenset({"city_admin", "district_officer", "street_officer_a", "street_officer_b", "community_secretary",
                  "auditor"})
AWARD = frozenset({"city_admin", "street_officer_a", "street_officer_b", "community_secretary"})
RULES = frozenset({"city_admin", "district_officer"})
PUBLISH = RULES
SHOP = AWARD
EVERYONE = frozenset({"city_admin", "district_officer", "street_officer_a", "street_officer_b", "community_secretary",
                      "grid_worker", "department_staff", "resident", "auditor"})


def build(a, b, party, city) -> None:
    from gongzhi.demo.personas import ensure_user
    from gongzhi.points.choices import MerchantKind
    from gongzhi.points.models import Appeal, Award, Item, Merchant, Period, Redemption, Rule, Standing
    from gongzhi.points.services import awards
    from gongzhi.points.services.rules import ensure_defaults

    ensure_defaults(city.district)

    rule = Rule.objects.get(district=city.district, code="good_deed")
    period = Period.objects.create(district=city.district, city_id=city.district.city_id, year=2025, half=2,
                                   pass_mark=Decimal(60), service_minimum_hours=Decimal(50),
                                   appeal_until=dt.date(2099, 1, 1))
    person_b = ensure_user("points_person_b", "党员 赵强", phone="13900000035")
    for side, person, community in ((a, party.member_user, city.community_a), (b, person_b, city.community_b)):
        side.points_district = city.district
        side.points_rule = rule
        side.points_period = period
        side.points_award = awards.award_points(actor=None, person=person, rule=rule,
                                                occurrence_key=f"matrix.{community.pk}", community=community,
                                                occurred_on=dt.date(2025, 10, 1), evidence="照片")
        standing = Standing(period=period, person=person, points=Decimal(5), passed=False, hours_met=False)
        standing.site(community)
        standing.save()
        side.points_standing = standing
        appeal = Appeal(standing=standing, person=person, reason="漏记")
        appeal.site(community)
        appeal.save()
        side.points_appeal = appeal
        merchant = Merchant(name=f"{community.name}便民超市", kind=MerchantKind.PARTNER)
        merchant.site(community)
        merchant.save()
        side.points_merchant = merchant
        side.points_item = Item.objects.create(merchant=merchant, name="大米", cost=Decimal(1), stock=100)
        from gongzhi.points.services import shop

        side.points_redemption, _created = shop.redeem(actor=person, item_id=side.points_item.pk,
                                                       idempotency_key="matrix")
    assert Award.objects.filter(key__contains="matrix").count() == 2 and Redemption.objects.count() >= 2


def _pk(name):
    return lambda world, side: getattr(getattr(world, side), name).pk


KINDS: dict = {name: _pk(name) for name in ("points_district", "points_rule", "points_period", "points_award",
                                            "points_standing", "points_appeal", "points_merchant", "points_item",
                                            "points_redemption")}


def __getattr__(name):
    if name in ("API_ENTRIES", "PAGE_ENTRIES"):
        return _entries()[name]
    raise AttributeError(name)


@cache
def _entries() -> dict:
    from .spec import REACHED, E, name_of

    P = "/api/v1/points"
    API_ENTRIES = [
        E("GET", f"{P}/rules", ok=VIEW),
        E("POST", f"{P}/rules", ok=RULES, status=REACHED),
        E("PATCH", f"{P}/rules/{{rule_id}}", params={"rule_id": "points_rule"}, ok=RULES, status=REACHED,
          scoped=False),
        E("GET", f"{P}/schemes", ok=VIEW),
        E("PATCH", f"{P}/schemes/{{district_id}}", params={"district_id": "points_district"}, ok=RULES,
          status=REACHED, scoped=False),
        E("GET", f"{P}/me", ok=EVERYONE),
        E("GET", f"{P}/me/statement", ok=EVERYONE),
        E("GET", f"{P}/awards", ok=VIEW),
        E("POST", f"{P}/awards", ok=AWARD, status=REACHED),
        E("POST", f"{P}/awards/{{award_id}}/reverse", params={"award_id": "points_award"}, ok=AWARD, status=REACHED),
        E("GET", f"{P}/periods", ok=VIEW),
        E("POST", f"{P}/periods", ok=PUBLISH, status=REACHED),
        E("GET", f"{P}/periods/{{period_id}}/standings", params={"period_id": "points_period"}, ok=VIEW,
          scoped=False),
        E("POST", f"{P}/periods/{{period_id}}/finalise", params={"period_id": "points_period"}, ok=PUBLISH,
          status=REACHED, scoped=False),
        E("GET", f"{P}/appeals", ok=EVERYONE),
        E("POST", f"{P}/appeals", ok=EVERYONE, status=REACHED),
        E("POST", f"{P}/appeals/{{appeal_id}}/decide", params={"appeal_id": "points_appeal"}, ok=PUBLISH,
          status=REACHED),
        E("GET", f"{P}/shop/items", ok=EVERYONE),
        E("POST", f"{P}/shop/items", ok=SHOP, status=REACHED),
        E("PATCH", f"{P}/shop/items/{{item_id}}", params={"item_id": "points_item"}, ok=SHOP, status=REACHED),
        E("POST", f"{P}/shop/items/{{item_id}}/redeem", params={"item_id": "points_item"}, ok=EVERYONE,
          status=REACHED, scoped=False),
        E("GET", f"{P}/shop/merchants", ok=SHOP),
        E("POST", f"{P}/shop/merchants", ok=SHOP, status=REACHED),
        E("GET", f"{P}/redemptions", ok=EVERYONE),
        E("POST", f"{P}/redemptions/{{redemption_id}}/cancel", params={"redemption_id": "points_redemption"},
          ok=SHOP, status=REACHED),
    ]
    PAGE_ENTRIES = [
        # a person's own
        E("GET", "points:mine", ok=EVERYONE),
        E("GET", "points:shop", ok=EVERYONE),
        E("POST", "points:redeem", params={"pk": "points_item"}, ok=EVERYONE, status=REACHED, scoped=False),
        E("POST", "points:appeal", params={"pk": "points_standing"}, ok=frozenset(), denied=404),
        # the desk
        E("GET", "points:rules", ok=VIEW),
        E("POST", "points:rule_new", ok=RULES, status=REACHED),
        E("POST", "points:rule_edit", params={"pk": "points_rule"}, ok=RULES, status=REACHED, scoped=False),
        E("POST", "points:scheme_edit", params={"pk": "points_district"}, ok=RULES, status=REACHED, scoped=False),
        E("GET", "points:award", ok=AWARD),
        E("GET", "points:awards", ok=VIEW),
        E("POST", "points:award_reverse", params={"pk": "points_award"}, ok=AWARD, status=REACHED),
        E("GET", "points:periods", ok=VIEW),
        E("POST", "points:period_publish", ok=PUBLISH, status=REACHED),
        E("GET", "points:period", params={"pk": "points_period"}, ok=VIEW, scoped=False,
          shows=name_of("points_district")),
        E("POST", "points:period_finalise", params={"pk": "points_period"}, ok=PUBLISH, status=REACHED,
          scoped=False),
        E("POST", "points:appeal_decide", params={"pk": "points_appeal"}, ok=PUBLISH, status=REACHED),
        E("GET", "points:merchants", ok=SHOP),
        E("POST", "points:merchant_new", ok=SHOP, status=REACHED),
        E("POST", "points:item_new", params={"pk": "points_merchant"}, ok=SHOP, status=REACHED),
        E("POST", "points:item_update", params={"pk": "points_item"}, ok=SHOP, status=REACHED),
        E("GET", "points:redemptions", ok=SHOP),
        E("POST", "points:redemption_cancel", params={"pk": "points_redemption"}, ok=SHOP, status=REACHED),
    ]
    return {"API_ENTRIES": API_ENTRIES, "PAGE_ENTRIES": PAGE_ENTRIES}
