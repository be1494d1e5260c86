"""The demo city's emergency squads after a year of use: a squad in every street and community (the
documents' district had 48; the small demo city has about that many), each with a roster of
volunteers from its area — leader, information, evacuation, patrol, medical aid, logistics — four
quarterly readiness checks, one drill over the past year with its acknowledgements, muster, tasks,
log and after-action report, and one real alert raised from a case, stood down and reported.

    build_demo_squads("small")   # 8–14 members a squad
    build_demo_squads("city")    # 5–8 members a squad (every street and community of 孝感市)

The demo persona `resident` (居民 周芳) serves on 书院社区's squad, so "My squad" has something to
show. Idempotent: a street or community that already has a squad is left alone. Rows are bulk
inserted; the demo writes no audit rows (nobody did anything)."""

import datetime as dt
import random
from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.divisions.models import Division

from .choices import AlertKind, AlertSource, AlertStatus, Attendance, SquadKind, TaskStatus
from .models import (
    Alert,
    AlertLogEntry,
    AlertResponse,
    AlertTask,
    ReadinessCheck,
    ReadinessReply,
    Squad,
    SquadMember,
)

SIZES = {"small": (8, 14), "city": (5, 8)}
ROLES = ["leader", "information", "evacuation", "evacuation", "patrol", "patrol", "medical", "logistics"]
SKILLS = ["急救", "驾驶", "游泳", "电工", "无人机", "心理疏导", "消防", "通讯"]
FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞"]
DRILLS = ["防汛应急演练", "消防疏散演练", "地震避险演练", "燃气泄漏处置演练"]
KINDS = {"防汛": SquadKind.FLOOD, "消防": SquadKind.FIRE}

Progress = Callable[[str, int, int], None]


def build_demo_squads(size: str = "small", progress: Progress | None = None, *, now: dt.datetime | None = None) -> dict:
    if size not in SIZES:
        raise ValueError(f"size: {size!r}")
    now = now or timezone.now()
    places = list(Division.objects.filter(level__in=("street", "community"), is_active=True)
                  .exclude(pk__in=Squad.objects.values("division_id")).defer("geometry").order_by("code"))
    counts = {"squads": 0, "members": 0, "alerts": 0, "drills": 0, "checks": 0}
    for n, place in enumerate(places, 1):
        with transaction.atomic():
            _build(place, size, now, counts)
        if progress:
            progress("squads", n, len(places))
    if places:
        with transaction.atomic():
            counts["alerts"] += _real_alert(now)
    return counts


def _name(rng: random.Random) -> str:
    return rng.choice(FAMILY) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")


def _people(place, n: int, rng: random.Random) -> list[User]:
    names = [f"squad-{place.code}-{i}" for i in range(n)]
    User.objects.bulk_create([User(username=u, display_name=_name(rng), password=make_password(None), phone=None)
                              for u in names], ignore_conflicts=True)
    return list(User.objects.filter(username__in=names).order_by("username"))


def _build(place, size: str, now: dt.datetime, counts: dict) -> None:
    rng = random.Random(f"squad-{place.code}")
    kind = rng.choice([SquadKind.GENERAL, SquadKind.GENERAL, SquadKind.FLOOD, SquadKind.FIRE])
    suffix = {SquadKind.FLOOD: "防汛", SquadKind.FIRE: "消防"}.get(kind, "")
    squad = Squad(name=f"{place.name}{suffix}应急突击队", kind=kind, muster_point=f"{place.name}党群服务中心",
                  created_at=now - dt.timedelta(days=400))
    squad.site_at(place)
    squad.save()
    counts["squads"] += 1
    low, high = SIZES[size]
    people = _people(place, rng.randint(low, high), rng)
    if place.level == "community" and place.code == "420902001001":
        persona = User.objects.filter(username="resident").first()
        if persona is not None:
            people.append(persona)
    members = SquadMember.objects.bulk_create([
        SquadMember(squad=squad, user=u, role=ROLES[i % len(ROLES)], skills=rng.sample(SKILLS, rng.randint(0, 2)),
                    phone=f"19{(place.pk * 97 + i) % 10**9:09d}", joined_at=squad.created_at)
        for i, u in enumerate(people)])
    counts["members"] += len(members)
    for quarter in range(4):
        started = now - dt.timedelta(days=80 + quarter * 91, hours=rng.randint(0, 8))
        check = ReadinessCheck.objects.create(squad=squad, started_at=started, asked=len(members),
                                              closes_at=started + dt.timedelta(hours=24))
        ReadinessReply.objects.bulk_create([
            ReadinessReply(check_run=check, member=m, ready=rng.random() < 0.9,
                           replied_at=started + dt.timedelta(minutes=rng.randint(5, 600)))
            for m in members if rng.random() < 0.85])
        counts["checks"] += 1
    raised = now - dt.timedelta(days=rng.randint(20, 330), hours=rng.randint(0, 6))
    _call_out(squad, members, rng, raised, AlertKind.DRILL, rng.choice(DRILLS))
    counts["drills"] += 1


def _call_out(squad, members, rng, raised, kind, title, case=None) -> Alert:
    alert = Alert.objects.create(
        squad=squad, kind=kind, title=title, source=AlertSource.CASE if case else AlertSource.MANUAL, case=case,
        muster_point=squad.muster_point, raised_at=raised, notified=len(members), status=AlertStatus.STOOD_DOWN)
    log = [AlertLogEntry(alert=alert, at=raised, code="raised_from_case" if case else "raised",
                         params={"kind": kind, "title": title, "notified": len(members),
                                 **({"case": case.tracking_number} if case else {})})]
    responses = []
    for m in members:
        r = AlertResponse(alert=alert, member=m, user_id=m.user_id)
        roll = rng.random()
        if roll < 0.85:
            r.acknowledged_at = raised + dt.timedelta(seconds=rng.randint(40, 900))
            r.eta_minutes = rng.choice([5, 10, 15, 20, 30])
            r.status = Attendance.ACKNOWLEDGED
            log.append(AlertLogEntry(alert=alert, at=r.acknowledged_at, code="acknowledged",
                                     params={"member": str(m.user), "eta": r.eta_minutes}))
            if rng.random() < 0.9:
                r.arrived_at = r.acknowledged_at + dt.timedelta(minutes=r.eta_minutes + rng.randint(-3, 12))
                r.status = Attendance.ARRIVED
                log.append(AlertLogEntry(alert=alert, at=r.arrived_at, code="arrived", params={"member": str(m.user)}))
        elif roll < 0.93:
            r.acknowledged_at = raised + dt.timedelta(seconds=rng.randint(60, 1200))
            r.status = Attendance.UNAVAILABLE
            log.append(AlertLogEntry(alert=alert, at=r.acknowledged_at, code="unavailable",
                                     params={"member": str(m.user)}))
        responses.append(r)
    AlertResponse.objects.bulk_create(responses)
    on_site = [r for r in responses if r.status == Attendance.ARRIVED]
    tasks = []
    for i, title in enumerate(["清点人数", "疏散通道检查", "转移行动不便居民"][:max(1, min(3, len(on_site)))]):
        member = on_site[i].member if i < len(on_site) else None
        tasks.append(AlertTask(alert=alert, title=title, member=member, status=TaskStatus.DONE,
                               created_at=raised + dt.timedelta(minutes=15), done_at=raised + dt.timedelta(minutes=50)))
        log.append(AlertLogEntry(alert=alert, at=raised + dt.timedelta(minutes=15), code="task",
                                 params={"title": title, "member": str(member.user) if member else "—"}))
    AlertTask.objects.bulk_create(tasks)
    ended = raised + dt.timedelta(minutes=rng.randint(70, 150))
    alert.stood_down_at, alert.stand_down_note = ended, "演练结束" if kind == AlertKind.DRILL else "险情解除"
    in_window = sum(1 for r in on_site if r.arrived_at <= raised + dt.timedelta(minutes=30))
    alert.report = (f"通知{len(members)}人，{len(on_site)}人到场，其中{in_window}人30分钟内到场。"
                    f"完成任务{len(tasks)}项。下次重点：缩短集结时间，补充{rng.choice(SKILLS)}人员。")
    alert.reported_at = ended + dt.timedelta(hours=20)
    alert.save(update_fields=["stood_down_at", "stand_down_note", "report", "reported_at"])
    log += [AlertLogEntry(alert=alert, at=ended, code="stood_down", params={"note": alert.stand_down_note}),
            AlertLogEntry(alert=alert, at=alert.reported_at, code="report", params={})]
    AlertLogEntry.objects.bulk_create(log)
    return alert


def _real_alert(now: dt.datetime) -> int:
    """One real call-out from a case: the first community squad with a case in its community."""
    from gongzhi.cases.models import Case

    if Alert.objects.filter(kind=AlertKind.EMERGENCY).exists():
        return 0
    for squad in Squad.objects.filter(community__isnull=False, division__level="community").order_by("pk"):
        case = Case.objects.filter(community_id=squad.division_id).order_by("submitted_at").first()
        if case is None:
            continue
        members = list(SquadMember.objects.filter(squad=squad, is_active=True).select_related("user"))
        raised = max(case.submitted_at + dt.timedelta(minutes=20), now - dt.timedelta(days=300))
        _call_out(squad, members, random.Random(f"alert-{squad.pk}"), raised, AlertKind.EMERGENCY,
                  "暴雨致道路积水，协助疏导群众", case=case)
        return 1
    return 0
