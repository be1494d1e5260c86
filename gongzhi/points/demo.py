"""The demo city's points, as after a year of use: each district's rules table and scheme, people
of a few communities per district (party members living there, the community's volunteers) with
a year of awards by hand (daily conduct, good deeds, hazards reported), points for their confirmed
report-ins (the party demo writes them in bulk, past the announcement), two reversals, the last
complete half-year published with appeals, merchants and community services with items, and
redemptions. Certified volunteer hours earn their points through the hook as the volunteering demo
certifies them.

Idempotent: every award and redemption has a key derived from what it is, a published half-year is
left alone, merchants are found by name — a second run adds nothing. Each community draws from a
generator seeded by its code."""

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core.errors import DomainError
from gongzhi.demo.personas import ensure_user
from gongzhi.divisions.models import Division

from . import handlers
from .choices import AwardStatus, MerchantKind
from .models import Award, Item, Merchant, Period, Redemption, Rule, Standing
from .services import awards, periods, shop
from .services.rules import ensure_defaults

Progress = Callable[[str, int, int], None]
SIZES = {"small": 4, "city": 6}  # communities per district given people with points
PEOPLE = 10  # per community
MERCHANTS = [("便民超市", MerchantKind.PARTNER, [("食用油 1 桶", 60, 20), ("大米 5 斤", 40, 30), ("洗衣液", 25, 40)]),
             ("社区理发室", MerchantKind.COMMUNITY, [("理发一次", 15, 50), ("老人助浴一次", 30, 10)]),
             ("惠民药店", MerchantKind.PARTNER, [("血压计", 120, 5), ("口罩一盒", 10, 100)])]


def build_demo_points(size: str = "small", progress: Progress | None = None, today: dt.date | None = None) -> dict:
    if size not in SIZES:
        raise ValueError(f"size: {size!r}")
    today = today or timezone.localdate()
    counts = dict.fromkeys(("rules", "awards", "reversals", "periods", "appeals", "merchants", "items",
                            "redemptions"), 0)
    admin = User.objects.filter(username="city_admin").first()
    districts = list(Division.objects.filter(level="district", is_active=True).order_by("code"))
    for n, district in enumerate(districts, 1):
        with transaction.atomic():
            _scheme, seeded = ensure_defaults(district)
            counts["rules"] += seeded
            rules = {r.code: r for r in Rule.objects.filter(district=district)}
            communities = list(Division.objects.filter(level="community", district=district, is_active=True)
                               .order_by("code")[:SIZES[size]])
            for community in communities:
                _community(community, rules, today, counts)
            _reversals(district, counts)
            if admin is not None:
                _publish(admin, district, today, counts)
        if progress:
            progress("points", n, len(districts))
    return counts


def _people(community) -> list[User]:
    """Who earns points in the community: members living there with an account and its volunteers;
    accounts are opened for a few more members so the lists look used."""
    from gongzhi.party.models import Member

    q = Q(party_member__home_community=community, party_member__state="active")
    try:
        from gongzhi.volunteering.models import Volunteer  # noqa: F401

        q |= Q(volunteer__community=community, volunteer__status="active")
    except ImportError:
        pass
    people = list(User.objects.filter(q, is_active=True).distinct().order_by("pk")[:PEOPLE])
    if len(people) < PEOPLE:
        for member in Member.objects.filter(home_community=community, state="active", user__isnull=True).order_by(
                "pk")[:PEOPLE - len(people)]:
            user = ensure_user(f"member{member.pk}", member.name)
            Member.objects.filter(pk=member.pk, user__isnull=True).update(user=user)
            people.append(user)
    return people


def _community(community, rules, today, counts) -> None:
    rng = random.Random(community.code)
    people = _people(community)
    start = today.replace(year=today.year - 1) + dt.timedelta(days=1)

    def award(person, code, day, key, evidence=""):
        rule = rules.get(code)
        if rule is None or not rule.active or day > today:
            return
        before = Award.objects.filter(key=f"points.{rule.pk}.demo.{key}").exists()
        awards.award_points(actor=None, person=person, rule=rule, occurrence_key=f"demo.{key}", community=community,
                            occurred_on=day, evidence=evidence, automatic=True)
        counts["awards"] += 0 if before else 1

    for person in people:
        for month in range(12):
            day = start + dt.timedelta(days=30 * month + rng.randint(0, 27))
            if rng.random() < 0.5:
                award(person, "good_deed", day, f"good.{person.pk}.{day}", "帮助独居老人买菜，有照片")
            if rng.random() < 0.3:
                award(person, "hazard_report", day, f"hazard.{person.pk}.{day}", "楼道堆物，已拍照上报")
        for year in {start.year, today.year}:
            day = min(dt.date(year, 6, 20), today)
            award(person, "daily_conduct", day, f"conduct.{person.pk}.{year}", "日常表现良好，社区评定")
        award(person, "annual_review", dt.date(start.year, 12, 20), f"review.{person.pk}.{start.year}",
              "年度民主评议合格")
    _report_ins(community, counts)
    _shop(community, people, rng, counts)


def _report_ins(community, counts) -> None:
    from gongzhi.party.models import MemberRegistration

    for reg in (MemberRegistration.objects.filter(community=community, status="confirmed", member__user__isnull=False)
                .select_related("member", "community")):
        if (not Award.objects.filter(source="report_in", source_id=reg.pk).exists()
                and handlers.member_registration_confirmed(registration=reg) is not None):
            counts["awards"] += 1


def _shop(community, people, rng, counts) -> None:
    for name, kind, items in MERCHANTS:
        merchant = Merchant.objects.filter(community=community, name=f"{community.name}{name}").first()
        if merchant is None:
            merchant = Merchant(name=f"{community.name}{name}", kind=kind, address=f"{community.name}服务中心旁")
            merchant.site(community)
            merchant.save()
            counts["merchants"] += 1
            for item_name, cost, stock in items:
                Item.objects.create(merchant=merchant, name=item_name, cost=cost, stock=stock)
                counts["items"] += 1
    offer = list(Item.objects.filter(merchant__community=community, active=True).order_by("pk"))
    for person in people[: len(people) // 2]:
        item = offer[rng.randrange(len(offer))]
        key = f"demo-{item.pk}"
        before = Redemption.objects.filter(key__endswith=f".{person.pk}.{key}").exists()
        try:
            shop.redeem(actor=person, item_id=item.pk, idempotency_key=key)
        except DomainError:  # not enough points or sold out: a resident would simply not redeem
            pass
        else:
            counts["redemptions"] += 0 if before else 1


def _reversals(district, counts) -> None:
    if Award.objects.filter(district=district, status=AwardStatus.REVERSED, reverse_reason__startswith="录入").exists():
        return
    for award, reason in zip(Award.objects.filter(district=district, status=AwardStatus.AWARDED,
                                                  rule__code="good_deed").order_by("pk")[:2],
                             ("录入错误：同一件事记了两次", "录入错误：人员选错"), strict=False):
        try:
            awards.reverse_award(actor=None, award_id=award.pk, reason=reason)
        except DomainError:  # the person has spent the points: leave this one
            pass
        else:
            counts["reversals"] += 1


def _publish(admin, district, today, counts) -> None:
    year, half = (today.year, 1) if today.month > 6 else (today.year - 1, 2)
    if Period.objects.filter(district=district, year=year, half=half).exists():
        return
    period = periods.publish_period(actor=admin, district_id=district.pk, year=year, half=half)
    counts["periods"] += 1
    low = Standing.objects.filter(period=period).order_by("points", "pk")[:2]
    for n, standing in enumerate(low):
        appeal = periods.file_appeal(actor=standing.person, standing_id=standing.pk,
                                     reason="三月份参加社区义诊志愿服务未记积分，有活动照片为证")
        counts["appeals"] += 1
        if n == 0:
            periods.decide_appeal(actor=admin, appeal_id=appeal.pk, uphold=True, correction="5",
                                  reason="经核实，补记好人好事 5 分")
