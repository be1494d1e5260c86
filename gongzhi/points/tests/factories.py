"""Points on the fixture city: the district's default rules, a member with an account on each
street (party_member_a lives in community A, party_member_b in community B), a merchant with an item
on each side."""

from types import SimpleNamespace

from gongzhi.demo.personas import ensure_user
from gongzhi.party.tests.factories import build_party
from gongzhi.points.choices import MerchantKind
from gongzhi.points.models import Item, Merchant, Rule
from gongzhi.points.services.rules import ensure_defaults


def build_points(city, party=None) -> SimpleNamespace:
    p = SimpleNamespace()
    p.party = party or build_party(city)
    p.scheme, _n = ensure_defaults(city.district)
    p.rules = {r.code: r for r in Rule.objects.filter(district=city.district)}
    p.person_a = p.party.member_user
    p.person_b = ensure_user("party_member_b", "党员 赵强", phone="13900000034")
    p.party.member_b.user = p.person_b
    p.party.member_b.save(update_fields=["user"])
    p.merchant_a = Merchant(name="书院便民超市", kind=MerchantKind.PARTNER)
    p.merchant_a.site(city.community_a)
    p.merchant_a.save()
    p.merchant_b = Merchant(name="府前社区理发服务", kind=MerchantKind.COMMUNITY)
    p.merchant_b.site(city.community_b)
    p.merchant_b.save()
    p.item_a = Item.objects.create(merchant=p.merchant_a, name="大米 5 斤", cost=30, stock=3)
    p.item_b = Item.objects.create(merchant=p.merchant_b, name="理发一次", cost=10, stock=5)
    return p
