"""The demo city's volunteering after a year of use: in every community a dozen registered
volunteers (residents of the registry with an account; one waiting for approval, one suspended),
activities a few times a month over the past year (cleaning, visiting the elderly, civility
guidance, anti-fraud talks…) and some to come, sign-ups with a waiting list now and then, check-ins,
hours certified by the organiser, a correction accepted and one refused, and last year's honour list
(final) and this year's (on notice). The persona `resident` (周芳) volunteers in her community.

    build_demo_volunteering("small")   # every community of the database
    build_demo_volunteering("city")    # fewer activities per community

Idempotent: a community that has activities already is left alone. Rows are bulk-inserted per
community and announce nothing (no ledger postings, no audit rows: nobody did anything); each
community draws from a generator seeded by its code."""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import RoleAssignment
from gongzhi.core.seams import hooks
from gongzhi.divisions.choices import Level
from gongzhi.divisions.models import Division
from gongzhi.registry.models import Resident

from .choices import ActivityStatus, CorrectionStatus, HoursSource, HoursStatus, SignUpStatus, VolunteerStatus
from .models import Activity, Correction, HonourEntry, HonourList, ServiceHours, SignUp, Slot, Volunteer
from .selectors.hours import stars_for

SIZES = {"small": {"volunteers": 14, "per_month": 3}, "city": {"volunteers": 8, "per_month": 1}}
KINDS = [
    ("清洁家园志愿服务", "小区中心广场", [("保洁", 6), ("垃圾分类督导", 2)]),
    ("敬老院慰问", "社区养老服务站", [("陪护", 4), ("文艺表演", 3)]),
    ("文明交通劝导", "十字路口", [("劝导员", 5)]),
    ("防诈骗宣传", "社区广场", [("宣传员", 4), ("摄影", 1)]),
    ("义诊进社区", "社区卫生服务站", [("引导", 3), ("登记", 2)]),
    ("四点半课堂", "党群服务中心", [("辅导老师", 3)]),
    ("夜间安全巡逻", "辖区各楼栋", [("巡逻员", 6)]),
    ("关爱独居老人走访", "辖区各楼栋", [("走访员", 4)]),
]
SKILLS = ["急救", "摄影", "心理疏导", "法律咨询", "理发", "家电维修", "手语", "书法", "驾驶"]


def build_demo_volunteering(size: str = "small", progress=None, *, today: dt.date | None = None) -> dict:
    if size not in SIZES:
        raise ValueError(f"size: {size!r}")
    today = today or timezone.localdate()
    communities = list(Division.objects.filter(level=Level.COMMUNITY, is_active=True).order_by("code"))
    done = set(Activity.objects.values_list("community_id", flat=True).distinct())
    todo = [c for c in communities if c.pk not in done]
    counts = {"communities": 0, "volunteers": 0, "activities": 0, "signups": 0, "hours": 0, "corrections": 0,
              "honour_lists": 0}
    persona = get_user_model().objects.filter(username="resident").first()
    persona_home = _home(persona)
    for i, community in enumerate(todo, start=1):
        with transaction.atomic():
            _Community(community, SIZES[size], today, counts, persona if persona_home == community.pk else None).run()
        counts["communities"] += 1
        if progress:
            progress("volunteering", i, len(todo))
    return counts


def _home(user) -> int | None:
    if user is None:
        return None
    row = RoleAssignment.objects.filter(user=user, role=Role.RESIDENT, revoked_at__isnull=True) \
        .select_related("division").first()
    if row is None:
        return None
    return row.division.pk if row.division.level == Level.COMMUNITY else row.division.community_id


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


class _Community:
    def __init__(self, community, size, today, counts, persona):
        self.c, self.size, self.today, self.counts, self.persona = community, size, today, counts, persona
        self.rng = random.Random(f"volunteering-{community.code}")

    def run(self):
        users = self._volunteers()
        if not users:
            return
        organiser = users[0]
        self._activities(users, organiser)
        self._honours(organiser)

    def _volunteers(self) -> list:
        User = get_user_model()
        names = list(Resident.objects.filter(community=self.c, archived_at__isnull=True)
                     .order_by("id").values_list("name", flat=True)[: self.size["volunteers"] * 3])
        self.rng.shuffle(names)
        names = names[: self.size["volunteers"]] or [f"{self.c.name}志愿者{i}" for i in range(self.size["volunteers"])]
        users = []
        for i, name in enumerate(names):
            user, _ = User.objects.get_or_create(username=f"vol-{self.c.code}-{i:02d}",
                                                 defaults={"display_name": name, "is_active": True})
            if user.has_usable_password():
                # Demo volunteers are names on the rosters; nobody signs in as them.
                user.set_unusable_password()
                user.save(update_fields=["password"])
            users.append(user)
        if self.persona is not None and not Volunteer.objects.filter(user=self.persona).exists():
            users.insert(1, self.persona)
        rows = []
        registered = _at(self.today - dt.timedelta(days=400), 10)
        for i, user in enumerate(users):
            if Volunteer.objects.filter(user=user).exists():
                continue
            status = VolunteerStatus.ACTIVE
            reason = ""
            if i == len(users) - 1:
                status = VolunteerStatus.PENDING
            elif i == len(users) - 2:
                status, reason = VolunteerStatus.SUSPENDED, "长期未参加活动，暂停注册"
            v = Volunteer(user=user, status=status, status_reason=reason, registered_at=registered,
                          approved_at=registered if status != VolunteerStatus.PENDING else None,
                          skills=self.rng.sample(SKILLS, self.rng.randint(0, 2)))
            v.site_in(self.c)
            rows.append(v)
        Volunteer.objects.bulk_create(rows)
        self.counts["volunteers"] += len(rows)
        return [v.user for v in Volunteer.objects.filter(community=self.c, status=VolunteerStatus.ACTIVE)
                .select_related("user").order_by("id")]

    def _activities(self, users, organiser):
        rng = self.rng
        now = timezone.now()
        start_day = self.today - dt.timedelta(days=365)
        days = []
        for month in range(13):
            for _ in range(self.size["per_month"]):
                days.append(start_day + dt.timedelta(days=month * 30 + rng.randint(0, 27)))
        days += [self.today + dt.timedelta(days=rng.randint(2, 20)) for _ in range(2)]
        signups, hours = [], []
        for day in sorted(days):
            title, place, slots = KINDS[rng.randrange(len(KINDS))]
            start = _at(day, rng.choice([8, 9, 14, 15, 19]))
            end = start + dt.timedelta(hours=rng.choice([2, 2, 3, 4]))
            past = end < now
            status = ActivityStatus.FINISHED if past else ActivityStatus.PUBLISHED
            if past and rng.random() < 0.04:
                status = ActivityStatus.CANCELLED
            a = Activity(title=title, place=f"{self.c.name}{place}",
                         description=f"{self.c.name}组织开展{title}，欢迎志愿者报名参加。",
                         organiser=organiser, created_by=organiser, starts_at=start, ends_at=end, status=status,
                         status_reason="天气原因取消" if status == ActivityStatus.CANCELLED else "",
                         published_at=start - dt.timedelta(days=7), created_at=start - dt.timedelta(days=8))
            a.site_in(self.c)
            a.save()
            made = Slot.objects.bulk_create(Slot(activity=a, role=r, capacity=cap, order=i)
                                            for i, (r, cap) in enumerate(slots))
            self.counts["activities"] += 1
            people = rng.sample(users, min(len(users), rng.randint(3, sum(cap for _, cap in slots) + 1)))
            taken = {s.pk: 0 for s in made}
            for person in people:
                slot = rng.choice(made)
                state = SignUpStatus.CONFIRMED if taken[slot.pk] < slot.capacity else SignUpStatus.WAITING
                if status == ActivityStatus.CANCELLED or (past and state == SignUpStatus.WAITING):
                    state = SignUpStatus.CANCELLED
                taken[slot.pk] += state == SignUpStatus.CONFIRMED
                s = SignUp(activity=a, slot=slot, person=person, status=state, starts_at=start, ends_at=end,
                           signed_up_at=start - dt.timedelta(days=rng.randint(1, 6)))
                if past and state == SignUpStatus.CONFIRMED and rng.random() < 0.92:
                    s.checked_in_at = start + dt.timedelta(minutes=rng.randint(-15, 10))
                    s.checked_out_at = end + dt.timedelta(minutes=rng.randint(-20, 10))
                    s.check_in_method = rng.choice(["qr", "qr", "location"])
                signups.append(s)
        SignUp.objects.bulk_create(signups)
        self.counts["signups"] += len(signups)
        for s in signups:
            if s.checked_out_at is None or s.status != SignUpStatus.CONFIRMED:
                continue
            amount = Decimal(round((s.checked_out_at - s.checked_in_at).total_seconds() / 1800) / 2)
            h = ServiceHours(person=s.person, hours=max(amount, Decimal("0.5")), served_on=s.starts_at.date(),
                             source=HoursSource.ACTIVITY, source_id=s.activity_id, certified_by=organiser,
                             certified_at=s.ends_at + dt.timedelta(hours=2), key=f"demo.signup.{s.pk}")
            h.site_in(self.c)
            hours.append(h)
        ServiceHours.objects.bulk_create(hours)
        self.counts["hours"] += len(hours)
        by_key = {h.key: h for h in hours}
        for s in signups:
            h = by_key.get(f"demo.signup.{s.pk}")
            if h is not None:
                s.hours = h
        SignUp.objects.bulk_update([s for s in signups if s.hours_id], ["hours"])
        self._corrections(hours, organiser)
        if self.persona is not None:
            # The persona's hours reach the love bank and points through the hooks, as certified
            # hours do in use, so her credits match her hours; the crowd's are written in bulk past
            # the hooks (thousands of postings would take the demo minutes).
            for h in ServiceHours.objects.filter(person=self.persona, key__in=[h.key for h in hours],
                                                 status=HoursStatus.CERTIFIED).select_related("community"):
                hooks.announce("volunteering.hours_certified", hours=h)

    def _corrections(self, hours, organiser):
        if len(hours) < 4:
            return
        accepted, refused = hours[len(hours) // 3], hours[len(hours) // 2]
        now = timezone.now()
        c1 = Correction.objects.create(hours=accepted, activity_id=accepted.source_id, requested_by=accepted.person,
                                       reason="签退时手机没电，实际服务到活动结束", proposed_hours=accepted.hours + 1,
                                       status=CorrectionStatus.ACCEPTED, decided_by=organiser, decided_at=now,
                                       requested_at=accepted.certified_at + dt.timedelta(days=1))
        accepted.status, accepted.voided_at, accepted.void_reason = HoursStatus.VOIDED, now, c1.reason
        accepted.save(update_fields=["status", "voided_at", "void_reason"])
        new = ServiceHours(person=accepted.person, hours=accepted.hours + 1, served_on=accepted.served_on,
                           source=accepted.source, source_id=accepted.source_id, certified_by=organiser,
                           replaces=accepted, key=f"correction.{c1.pk}")
        new.site_in(self.c)
        new.save()
        c1.replacement = new
        c1.save(update_fields=["replacement"])
        SignUp.objects.filter(hours=accepted).update(hours=new)
        Correction.objects.create(hours=refused, activity_id=refused.source_id, requested_by=refused.person,
                                  reason="我提前到场做了准备工作", proposed_hours=refused.hours + 2,
                                  status=CorrectionStatus.REFUSED, decided_by=organiser, decided_at=now,
                                  refusal_reason="签到记录与现场照片一致，按实际时长认定",
                                  requested_at=refused.certified_at + dt.timedelta(days=2))
        self.counts["corrections"] += 2

    def _honours(self, organiser):
        from .services.honours import notice_end

        for year, final in ((self.today.year - 1, True), (self.today.year, False)):
            totals = list(ServiceHours.objects.filter(community=self.c, status=HoursStatus.CERTIFIED,
                                                      served_on__year=year)
                          .values("person_id", "person__display_name", "person__username")
                          .annotate(hours=Sum("hours")).order_by("-hours", "person_id")[:20])
            if not totals:
                continue
            published = timezone.now() - dt.timedelta(days=(self.today.timetuple().tm_yday + 20) if final else 1)
            honour = HonourList(year=year, published_by=organiser, published_at=published,
                                notice_ends_on=notice_end(published))
            honour.site_in(self.c)
            honour.save()
            HonourEntry.objects.bulk_create(
                HonourEntry(honour_list=honour, person_id=row["person_id"], rank=i, hours=row["hours"],
                            name=row["person__display_name"] or row["person__username"],
                            stars=stars_for(Decimal(str(row["hours"]))))
                for i, row in enumerate(totals, start=1))
            self.counts["honour_lists"] += 1
