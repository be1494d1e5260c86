"""The demo city's service orders, as after a year of use: in each community about one order a month
over the last year — most served, confirmed and rated (through the services, so the takers' hours are
certified and points and love-bank credits follow), a few cancelled, a no-show disputed — and the
last weeks' orders still on the dispatch board in every state.

    build_demo_service(size="small")   # every community of the demo with someone to serve
    build_demo_service(size="city")    # the same, in the persona district's communities only

In the persona community (书院社区) the resident persona orders for themselves and the community
secretary dispatches; elsewhere the city's administrator takes orders down for neighbours without a
phone. Takers are the community's party members with an account and its volunteers; where fewer than
two have an account, a few of its members get one (the demo's own users). A community that already
has demo orders is left alone: a second run adds nothing."""

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.divisions.choices import Level
from gongzhi.divisions.models import Division

from .models import Order, OrderEvent, ServiceKind
from .selectors.takers import takers_for
from .services import no_shows, orders

PERSONA_COMMUNITY = "420902001001"
PERSONA_DISTRICT = "420902000000"
KEY = "demo-"
DESCRIPTIONS = {
    "policy": ["想了解高龄津贴怎么申请", "医保异地备案政策咨询", "老旧小区改造补贴政策解读"],
    "opinion": ["楼道灯经常坏，希望反映给物业", "小区门口占道经营，想反映意见", "建议增设电动车充电桩"],
    "elderly": ["独居老人需要代买药品", "腿脚不便，需要帮忙去医院取报告", "帮忙打扫卫生、换灯泡"],
    "mediation": ["楼上漏水和邻居有纠纷", "停车位争议需要调解", "噪音扰民，邻里矛盾"],
    "errand": ["帮忙代缴水电费", "代取快递送上楼", "帮忙办理老年卡"],
    "civility": ["楼道堆放杂物需要劝导清理", "高空抛物劝导宣传", "垃圾分类宣传劝导"],
}
NEIGHBOURS = ["王大爷", "李奶奶", "张阿姨", "刘大爷", "陈奶奶", "赵叔叔", "孙阿姨", "周大爷"]
PLACES = ["3栋2单元", "7栋1单元", "12栋", "老邮电宿舍", "纺织厂家属院", "幸福里小区"]

Progress = Callable[[str, int, int], None]


def _communities(size: str) -> list[Division]:
    qs = Division.objects.filter(level=Level.COMMUNITY, is_active=True).order_by("code")
    if size == "city":
        qs = qs.filter(district__code=PERSONA_DISTRICT)
    return list(qs)


def _ensure_takers(community, rng) -> list:
    from gongzhi.party.models import Member

    takers = takers_for(community)
    if len(takers) >= 2:
        return takers
    members = list(Member.objects.filter(Q(home_community=community) | Q(organisation__community_id=community.pk),
                                         user__isnull=True, state="active").order_by("pk")[:3])
    for i, member in enumerate(members):
        user, _ = User.objects.get_or_create(username=f"svc{community.code}{i}", defaults={
            "display_name": f"党员 {member.name}", "phone": f"139{community.code[-4:]}{i:04d}"[:11]})
        if not user.has_usable_password():
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Member.objects.filter(pk=member.pk).update(user=user)
    return takers_for(community)


def build_demo_service(size: str = "small", progress: Progress | None = None, *, per_year: int = 12) -> dict:
    if size not in ("small", "city"):
        raise ValueError(f"size: {size!r}")
    counts = {"communities": 0, "orders": 0, "confirmed": 0, "cancelled": 0, "no_shows": 0, "open": 0}
    admin = User.objects.filter(username="city_admin").first()
    if admin is None:
        return counts
    resident = User.objects.filter(username="resident").first()
    secretary = User.objects.filter(username="community_secretary").first()
    kinds = list(ServiceKind.objects.filter(district__isnull=True, is_active=True).order_by("order"))
    communities = _communities(size)
    done = set(Order.objects.filter(idempotency_key__startswith=KEY).values_list("community_id", flat=True).distinct())
    for n, community in enumerate(communities, 1):
        if community.pk in done:
            continue
        rng = random.Random(f"gongzhi-demo-service-{community.code}")
        takers = _ensure_takers(community, rng)
        if not takers:
            continue
        persona = community.code == PERSONA_COMMUNITY and resident is not None and secretary is not None
        for i in range(per_year):
            _one(counts, community, i, per_year, rng, kinds, takers, admin=admin,
                 orderer=resident if persona and i % 2 == 0 else admin,
                 dispatcher=secretary if persona else admin)
        counts["communities"] += 1
        if progress:
            progress("service", n, len(communities))
    return counts


def _one(counts, community, i, per_year, rng, kinds, takers, *, admin, orderer, dispatcher) -> None:
    now = timezone.now()
    # Spread over the year, with the last few in the past fortnight: the board has work on it.
    fresh = 3
    days_ago = (int((per_year - fresh - i) * 350 / (per_year - fresh)) - rng.randint(0, 10) if i < per_year - fresh
                else rng.randint(0, 13))
    kind = kinds[(i + rng.randint(0, len(kinds) - 1)) % len(kinds)]
    neighbour = orderer.pk == admin.pk
    with transaction.atomic():
        order, created = orders.place_order(
            actor=orderer, kind_id=kind.pk, community_id=community.pk, description=rng.choice(DESCRIPTIONS[kind.code]),
            wanted_at=now + dt.timedelta(hours=2), place=f"{community.name}{rng.choice(PLACES)}",
            for_neighbour=neighbour, contact_name=rng.choice(NEIGHBOURS) if neighbour else "",
            contact_phone=f"1390000{rng.randint(1000, 9999)}" if neighbour else "",
            idempotency_key=f"{KEY}{community.code}-{i}")
        if not created:
            return
        counts["orders"] += 1
        fate = rng.random()
        recent = days_ago < 14
        crew = rng.sample(takers, k=min(len(takers), 1 if rng.random() < 0.8 else 2))
        if i == per_year - 1 or (recent and fate < 0.2):
            counts["open"] += 1  # still waiting for dispatch
        elif fate < 0.08:
            orders.cancel(actor=orderer, order_id=order.pk, reason="家人已经帮忙解决了")
            counts["cancelled"] += 1
        elif recent and fate < 0.35:
            orders.publish(actor=dispatcher, order_id=order.pk)
            counts["open"] += 1
        else:
            orders.dispatch(actor=dispatcher, order_id=order.pk, taker_ids=[t.pk for t in crew],
                            team_name="书院志愿服务队" if len(crew) > 1 else "")
            if fate > 0.93:
                no_shows.mark_no_show(actor=dispatcher, order_id=order.pk, taker_id=crew[0].pk, reason="约定时间未到")
                no_shows.dispute_no_show(actor=crew[0].user, order_id=order.pk, reason="到了但家里没人")
                counts["no_shows"] += 1
            elif not (recent and fate < 0.5):
                for taker in crew:
                    orders.take(actor=taker.user, order_id=order.pk)
                hours = kind.default_hours + Decimal(rng.choice(["0", "0.5", "1"]))
                orders.record_done(actor=crew[0].user, order_id=order.pk, note="已上门完成服务", hours=hours)
                if not recent or fate > 0.7:
                    # Served on the demo's day: the certified hours carry that date.
                    Order.objects.filter(pk=order.pk).update(done_at=F("done_at") - dt.timedelta(days=days_ago))
                    orders.confirm_and_rate(actor=dispatcher if orderer.pk == admin.pk else orderer, order_id=order.pk,
                                            rating=rng.choice([5, 5, 5, 4, 4, 3]), comment="")
                    counts["confirmed"] += 1
                    _backdate(order, days_ago, skip=("done_at",))
                    return
            counts["open"] += 1
        _backdate(order, days_ago)


def _backdate(order: Order, days_ago: int, skip=()) -> None:
    """Move the order's times (and its timeline's) to the day it was placed in the demo's year."""
    if days_ago <= 0:
        return
    shift = dt.timedelta(days=days_ago)
    row = Order.objects.get(pk=order.pk)
    names = ("created_at", "wanted_at", "deadline", "updated_at", "done_at", "dispatched_at", "cancelled_at",
             "confirmed_at")
    fields = {f: getattr(row, f) - shift for f in names if f not in skip and getattr(row, f) is not None}
    Order.objects.filter(pk=order.pk).update(**fields)
    for event in OrderEvent.objects.filter(order_id=order.pk, at__gt=timezone.now() - dt.timedelta(hours=1)):
        OrderEvent.objects.filter(pk=event.pk).update(at=event.at - shift)

