"""The demo city's love bank after a year of use: in each community a dozen holders — volunteers
in their thirties to sixties and elders over 65 — with a year of banked service hours (some over the
daily cap, some earned by a team and donated), relatives verified by the community and credits
given to them, and exchanges in every state: open requests, offers, help done and waiting for
confirmation, completed ones, a withdrawn one, and a dispute waiting for the desk.

Hours come from volunteering's certified records when its demo has run (the love bank's hook banks
them as they are certified); a community with no certified hours gets its year of deposits through
the bank's own deposit service with source "manual" (recorded at the desk) — certifying hours is
the volunteering app's, not the bank's.

Idempotent: a community that already has its demo holders is left alone. Everything goes through
the services, so balances are the ledger's and every row has its audit entry."""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core.errors import DomainError
from gongzhi.divisions.models import Division

from .choices import ServiceKind
from .models import BankMember, Deposit, Exchange
from .services import deposits, exchanges, relations

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["秀英", "桂兰", "建华", "国强", "玉梅", "志明", "丽华", "德胜", "淑珍", "海燕", "春生", "文静"]
PER_COMMUNITY = 12


def build_demo_lovebank(size: str = "small", progress=None) -> dict:
    communities = list(Division.objects.filter(level="community", is_active=True).order_by("code"))
    communities = communities[:400] if size == "city" else communities[:60]
    desk = User.objects.filter(username="city_admin").first() or User.objects.filter(is_superuser=True).first()
    counts = {"communities": 0, "members": 0, "deposits": 0, "transfers": 0, "exchanges": 0}
    for n, community in enumerate(communities):
        if BankMember.objects.filter(user__username__startswith=f"lb_demo_{community.code}_").exists():
            continue
        made = _community(community, desk)
        counts["communities"] += 1
        for key, value in made.items():
            counts[key] += value
        if progress:
            progress("lovebank", n + 1, len(communities))
    return counts


def _holder(community, i, rng):
    username = f"lb_demo_{community.code}_{i:02d}"
    user = User.objects.filter(username=username).first()
    if user is None:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        user = User(username=username, display_name=name, phone=f"17{community.code[-6:]}{i:03d}")
        user.set_unusable_password()
        user.save()
    return user


@transaction.atomic
def _community(community, desk) -> dict:
    rng = random.Random(community.code)
    today = timezone.localdate()
    people = [_holder(community, i, rng) for i in range(PER_COMMUNITY)]
    made = {"members": 0, "deposits": 0, "transfers": 0, "exchanges": 0}
    certified = Deposit.objects.filter(community=community).exclude(source="manual").exists()
    for i, user in enumerate(people):
        elder = i < 5
        # A deposit is a month's recorded hours: the desk banks what the sign-in sheets add up to.
        served = rng.randint(2, 4) if elder else rng.randint(5, 11)
        for k in range(served):
            day = today - dt.timedelta(days=rng.randint(1, 364))
            if certified:
                break
            hours = Decimal(rng.choice(["2", "3", "4", "4.5", "6", "8"]))
            if k == 0 and i == 6:
                hours = Decimal("10")  # a long day: over the daily cap, the rest donated
            deposits.deposit(actor=None, user=user, hours=hours, served_on=day, community=community,
                             source="manual", key=f"demo.lovebank.{community.code}.{i}.{k}",
                             by_group=(k % 7 == 6))
            made["deposits"] += 1
        member = BankMember.objects.filter(user=user).first()
        if member is None:
            deposits.deposit(actor=None, user=user, hours=Decimal("2"), served_on=today - dt.timedelta(days=30),
                             community=community, source="manual", key=f"demo.lovebank.{community.code}.{i}.open")
            member = BankMember.objects.get(user=user)
        born = dt.date(today.year - (rng.randint(66, 84) if elder else rng.randint(30, 62)), rng.randint(1, 12), 15)
        BankMember.objects.filter(pk=member.pk).update(birth_date=born, hardship=(i == 4),
                                                       hardship_reason="低保户" if i == 4 else "")
        made["members"] += 1
    if desk is not None:
        made["transfers"] += _families(community, people, desk, rng)
    made["exchanges"] += _exchanges(community, people, desk, rng, today)
    return made


def _families(community, people, desk, rng) -> int:
    """Two volunteers give credits to an elderly parent; a third relation waits for the desk."""
    done = 0
    for child, parent in ((people[6], people[0]), (people[7], people[1]), (people[8], people[2])):
        rel = relations.request_relation(actor=child, kinship="parent", relative_name=parent.display_name,
                                         relative_phone=parent.phone)
        if child == people[8]:
            continue
        relations.confirm_relation(actor=desk, relation_id=rel.pk, reason="已核验户口簿")
        relations.transfer(actor=child, relation_id=rel.pk, credits=Decimal(rng.choice(["2", "3", "5"])),
                           key="demo")
        done += 1
    return done


def _exchanges(community, people, desk, rng, today) -> int:
    elders, helpers = people[:5], people[5:]
    plan = ["completed", "completed", "completed", "completed", "done", "offered", "requested", "requested",
            "cancelled", "disputed"]
    made = 0
    for n, state in enumerate(plan):
        elder, helper = elders[n % len(elders)], helpers[n % len(helpers)]
        kind = rng.choice([k for k in ServiceKind.values if k != ServiceKind.OTHER])
        try:
            x, _ = exchanges.request_help(actor=elder, service_kind=kind, credits=Decimal(rng.choice(["1", "1", "2"])),
                                          wanted_on=today + dt.timedelta(days=rng.randint(0, 10)),
                                          description="", key=f"demo{n}")
        except DomainError:
            continue  # an elder with too few credits this year asks for nothing
        made += 1
        if state == "cancelled":
            exchanges.cancel(actor=elder, exchange_id=x.pk, reason="家人回来照顾了")
            continue
        if state == "requested":
            continue
        exchanges.offer(actor=helper, exchange_id=x.pk)
        if state == "offered":
            continue
        exchanges.mark_done(actor=helper, exchange_id=x.pk)
        if state == "disputed":
            exchanges.dispute(actor=elder, exchange_id=x.pk, reason="服务时间不足，只来了半小时")
            continue
        exchanges.confirm(actor=helper, exchange_id=x.pk)
        if state == "completed":
            exchanges.confirm(actor=elder, exchange_id=x.pk)
            # The year's exchanges happened over the year (the demo backdates its own rows only).
            when = timezone.now() - dt.timedelta(days=rng.randint(5, 330))
            Exchange.objects.filter(pk=x.pk).update(requested_at=when, closed_at=when + dt.timedelta(days=2))
    return made
