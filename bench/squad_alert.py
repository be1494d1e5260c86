"""How long an alert takes to reach a whole emergency squad.

    .venv/bin/python bench/squad_alert.py --size small|city [--runs N]

Builds once (in a scratch database) a community with one squad of 50 members (small) or 500 (city),
each with an account and a phone, then raises an alert through the whole service
(gongzhi.squads.services.alerts.raise_alert: the scope check, the roster, the response rows, the log,
the audit row, one in-app notice per member and one SMS per phone in the notifications outbox, the
commit and the delivery task queued after it) `runs` times, standing the squad down between runs
(not timed). Prints:
- `alert_fanout_seconds` — the median time from the call to the committed alert with its in-app
  rows written and its SMS queued (goal < 2 for 500 members);
- `alert_fanout_members` — the squad's size;
- `alert_fanout_max_seconds` — the slowest run.

Database: SQLite under var/bench-<size>-squads/, or — when DATABASE_URL names a PostgreSQL server —
a scratch database beside it named `<name>_bench_squads_<size>` (never the named database itself).
Tasks are queued (not run) as in production: the SMS leave with the worker.
"""

import argparse
import os
import statistics
import time

from _scratch import say, set_up_django

MEMBERS = {"small": 50, "city": 500}
CODES = {"province": "990000000000", "city": "999900000000", "district": "999999000000",
         "street": "999999999000", "community": "999999999999"}


def ensure_squad(size: str):
    """The bench's community, its secretary and its squad of MEMBERS[size] (built once)."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from gongzhi.accounts.choices import Role
    from gongzhi.accounts.models import RoleAssignment, User
    from gongzhi.divisions.models import Division
    from gongzhi.squads.models import Squad, SquadMember

    call_command("migrate", interactive=False, verbosity=0)
    above = {}
    parent = None
    for level, code in CODES.items():
        division = Division.objects.filter(code=code, is_active=True).first()
        if division is None:
            division = Division.objects.create(level=level, code=code, name=f"bench {level}", parent=parent,
                                               **{f"{k}_id": v.pk for k, v in above.items()})
            # A division's own level's column names itself (gongzhi.divisions).
            Division.objects.filter(pk=division.pk).update(**{f"{level}_id": division.pk})
        above[level] = division
        parent = division
    community = Division.objects.get(pk=above["community"].pk)
    keeper, _ = User.objects.get_or_create(username="bench-squad-keeper", defaults={"display_name": "bench"})
    RoleAssignment.objects.get_or_create(user=keeper, role=Role.COMMUNITY_SECRETARY, division=community,
                                         revoked_at=None)
    squad, _ = Squad.objects.get_or_create(division=community, name="bench squad", is_active=True,
                                           defaults={"community": community, "street_id": community.street_id,
                                                     "district_id": community.district_id,
                                                     "city_id": community.city_id})
    n = MEMBERS[size]
    have = SquadMember.objects.filter(squad=squad, is_active=True).count()
    if have < n:
        say(f"enrolling {n - have} members …")
        names = [f"bench-squad-{i}" for i in range(have, n)]
        User.objects.bulk_create([User(username=u, display_name=u, password=make_password(None), phone=f"1990{i:07d}")
                                  for i, u in zip(range(have, n), names, strict=True)], ignore_conflicts=True)
        SquadMember.objects.bulk_create([SquadMember(squad=squad, user=u, role="patrol", phone=u.phone or "")
                                         for u in User.objects.filter(username__in=names)])
    return keeper, squad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=list(MEMBERS), default="small")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    set_up_django("squads", args.size, GONGZHI_TASKS_IMMEDIATE="0")

    from django.db import connection

    from gongzhi.notifications.models import Message, Notification
    from gongzhi.squads.models import Alert, AlertResponse
    from gongzhi.squads.services import alerts

    keeper, squad = ensure_squad(args.size)
    for stale in Alert.objects.filter(squad=squad, status="active"):
        alerts.stand_down(actor=keeper, alert_id=stale.pk, note="bench")
    timings = []
    for run in range(args.runs + 1):  # the first run warms caches and connections, and is not counted
        started = time.perf_counter()
        alert = alerts.raise_alert(actor=keeper, squad_id=squad.pk, title=f"bench alert {run}")
        elapsed = time.perf_counter() - started
        notices = Notification.objects.filter(subject_type="squads.alert", subject_id=alert.pk).count()
        responses = AlertResponse.objects.filter(alert=alert).count()
        if notices != alert.notified or responses != alert.notified:
            raise SystemExit(f"run {run}: {notices} notices, {responses} responses for {alert.notified} members")
        if run:
            timings.append(elapsed)
        alerts.stand_down(actor=keeper, alert_id=alert.pk, note="bench")
    queued = Message.objects.filter(channel="sms", status="pending").count()
    say(f"{connection.vendor}, {alert.notified} members, {args.runs} runs: "
        + ", ".join(f"{t:.3f}" for t in timings) + f" s; SMS waiting in the outbox {queued:,} "
        f"(load average {os.getloadavg()[0]:.2f})")
    print(f"alert_fanout_seconds {statistics.median(timings):.3f}")
    print(f"alert_fanout_max_seconds {max(timings):.3f}")
    print(f"alert_fanout_members {alert.notified}")


if __name__ == "__main__":
    main()
