"""How long the deadline sweep takes over a city's worth of cases.

    .venv/bin/python bench/escalation.py --size small|city

Prints `sweep_seconds N` (goal at city size, 1,000,000 cases: under 10). The benchmark builds
its own scratch database anew every run — SQLite under var/bench-<size>-escalation/, or, when
DATABASE_URL is set, a PostgreSQL database named after it with `_bench_escalation_<size>` appended
(bench/_scratch.py) — with the fixture
city, the catalogue, and the cases written set-based (one INSERT … SELECT): 70 % closed, 30 %
open (dispatched, accepted, in progress); of the open ones 3 % past a deadline nobody has
escalated yet, 3 % inside the warning window, 34 % overdue and escalated long ago, the rest
comfortably in time. Then it times one sweep (the one that finds the work) and a second one
(which must find nothing: stderr).
"""

import argparse
import datetime as dt
import sys
import time

from _scratch import set_up_django

SIZES = {"small": 10_000, "city": 1_000_000}


def build(n: int) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from gongzhi.cases.models import Case, Category
    from gongzhi.cases.services.catalogue import seed_catalogue
    from gongzhi.demo.fixture_city import build_fixture_city

    call_command("migrate", interactive=False, verbosity=0)
    city = build_fixture_city()
    seed_catalogue()
    department = city.users["department_staff"].role_assignments.get().department
    category = Category.objects.get(code="litter")
    now = timezone.now()
    at = {name: connection.ops.adapt_datetimefield_value(now + delta) for name, delta in {
        "now": dt.timedelta(0), "long_ago": -dt.timedelta(days=3), "ago": -dt.timedelta(hours=1),
        "soon": dt.timedelta(hours=2), "later": dt.timedelta(days=2), "far": dt.timedelta(days=3),
        "warned_ago": -dt.timedelta(minutes=10)}.items()}

    template = Case(
        tracking_number="", channel="resident_app", description="bench", lng=113.905, lat=30.905,
        grid=city.grid_a, community=city.community_a, street=city.street_a, district=city.district,
        city=city.city, category=category, terms=category.terms(), state="closed", submitted_at=now,
        updated_at=now,
    )
    # i: 1..n. Every tenth case is dispatched, accepted or in progress; k buckets the open ones.
    # (%% is the modulo operator, escaped for the driver's parameter style.)
    state = "CASE WHEN i %% 10 < 7 THEN 'closed' WHEN i %% 10 = 7 THEN 'dispatched' " \
            "WHEN i %% 10 = 8 THEN 'accepted' ELSE 'in_progress' END"
    is_open, is_dispatched, k = "i %% 10 >= 7", "i %% 10 = 7", "((i / 10) %% 100)"

    def pick(when_open: str, *, only_dispatched: bool = False) -> str:
        cond = is_dispatched if only_dispatched else is_open
        return f"CASE WHEN {cond} THEN {when_open} END"

    def by_bucket(escalate: str, warn: str, done: str, ok: str) -> str:
        return (f"CASE WHEN {k} < 3 THEN {escalate} WHEN {k} < 6 THEN {warn} WHEN {k} < 40 THEN {done} "
                f"ELSE {ok} END")

    due = by_bucket("%(ago)s", "%(soon)s", "%(long_ago)s", "%(far)s")
    warn_at = by_bucket("%(long_ago)s", "%(warned_ago)s", "%(long_ago)s", "%(later)s")
    marked = by_bucket("NULL", "NULL", "%(long_ago)s", "NULL")
    expressions = {
        "tracking_number": "'B' || i",
        "tracking_code": "'C' || i",  # unique, as the column must be; bench cases are never tracked
        "state": state,
        "handling_department": pick(str(department.pk)),
        "dispatcher_division": pick(str(city.community_a.pk)),
        "dispatcher_level": f"CASE WHEN {is_open} THEN 'community' ELSE '' END",
        "dispatched_at": pick("%(long_ago)s"),
        "handling_due": pick(due), "handling_warn_at": pick(warn_at),
        "handling_warned_at": pick(marked), "handling_escalated_at": pick(marked),
        "response_due": pick(due, only_dispatched=True), "response_warn_at": pick(warn_at, only_dispatched=True),
        "response_warned_at": pick(marked, only_dispatched=True),
        "response_escalated_at": pick(marked, only_dispatched=True),
        "closed_at": f"CASE WHEN {is_open} THEN NULL ELSE %(long_ago)s END",
    }
    columns, values, params = [], [], {}
    for field in Case._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.name in expressions:
            values.append(expressions[field.name])
        else:
            params[field.name] = field.get_db_prep_save(getattr(template, field.attname), connection)
            values.append(f"%({field.name})s")
    series = ("generate_series(1, %(n)s) AS s(i)" if connection.vendor == "postgresql" else
              "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %(n)s) SELECT i FROM s)")
    sql = (f"INSERT INTO {Case._meta.db_table} ({', '.join(columns)}) "  # noqa: S608
           f"SELECT {', '.join(values)} FROM {series}")
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, {**params, **at, "n": n})
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Case._meta.db_table}")
    return {"build_seconds": time.monotonic() - started, "vendor": connection.vendor}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=list(SIZES), default="small")
    args = parser.parse_args()
    set_up_django("escalation", args.size, fresh=True)
    n = SIZES[args.size]
    built = build(n)

    from gongzhi.cases.services.escalation import sweep

    started = time.monotonic()
    counts = sweep()
    seconds = time.monotonic() - started
    started = time.monotonic()
    again = sweep()
    second = time.monotonic() - started
    print(f"# {n:,} cases on {built['vendor']}, built in {built['build_seconds']:.1f} s; first sweep {counts}; "
          f"second sweep {second:.2f} s {again}", file=sys.stderr)
    if any(v for key, v in again.items() if key != "absent"):
        raise SystemExit("the second sweep found work again: escalations are not idempotent")
    print(f"sweep_seconds {seconds:.2f}")


if __name__ == "__main__":
    main()
