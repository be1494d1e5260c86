"""The data set bench/queue.py and bench/intake.py measure: the demo city, departments for every
street, and a year of cases written set-based.

Both scripts set Django up here: GONGZHI_DATA_DIR=<repo>/var/bench-<size>-cases, SQLite in it, or —
when DATABASE_URL names a PostgreSQL server — a scratch database beside DATABASE_URL's named
`<name>_bench_cases_<size>` (never the named database itself). The data are built once and reused
by the next run (`--rebuild` builds them afresh):

- the demo divisions and personas (`gongzhi demo --size <size>`, which also seeds the catalogue
  and the working calendar);
- departments: for every district, the seven district departments serving its streets; for every
  street, an urban-management squadron (the demo's own are kept);
- N cases (10,000 small, 1,000,000 city) by `bulk_create`, reported uniformly over the last 365
  days in random grids: 2 % rejected, 1 % voided, 1 % merged, the rest dispatched (60 % to the
  street's squadron, 35 % to a district department, 5 % to the street office), accepted, resolved,
  verified, closed and rated as their age allows, with some late; then, set-based, the ratings,
  approved extensions and transfers, overdue escalations and whistles with their roll-call;
- the closed months' rankings frozen, as the periodic task would have done.
"""

import datetime as dt
import random
import sys
import time

from bench import _scratch as scratch
from bench._scratch import REPO, say  # noqa: F401  (the benches import them from here)

SIZES = {"small": 10_000, "city": 1_000_000}
BATCH = 5_000
MARK = "B000000001"  # the first bench case's tracking number: the data are there


def set_up_django(size: str, *, fresh: bool = False) -> dict[str, str]:
    return scratch.set_up_django("cases", size, fresh=fresh,
                                 GONGZHI_ALLOWED_HOSTS="127.0.0.1,localhost,testserver")


def vendor() -> str:
    from django.db import connection

    return connection.vendor


# --- building -----------------------------------------------------------------------------------


def ensure_data(size: str) -> dict:
    """Build the data set unless a previous run did; returns a few facts about it."""
    from django.conf import settings
    from django.core.management import CommandError, call_command

    from gongzhi.cases.models import Case
    from gongzhi.demo.stages import all_but

    call_command("migrate", interactive=False, verbosity=0)
    if not (settings.STATIC_ROOT / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)  # pages render as served
    n = SIZES[size]
    if Case.objects.filter(tracking_number=MARK).exists():
        say(f"reusing the data set ({Case.objects.count():,} cases, {vendor()})")
        return {"cases": n, "built_seconds": 0.0}
    started = time.monotonic()
    say(f"building the demo city ({size}) …")
    try:
        # The residents' registry and the people-serving stages are not what these benches
        # measure; at city size the registry alone would add twenty minutes to the build.
        call_command("demo", size=size, stdout=sys.stderr,
                     skip=all_but("working_calendar", "case_catalogue", "open311_key", "departments", "cases"))
    except CommandError as exc:
        # A later stage of the demo (its own cases) failing leaves the divisions, personas,
        # catalogue and calendar this bench needs in place.
        from gongzhi.divisions.models import Division

        if not Division.objects.filter(level="grid").exists():
            raise
        say(f"the demo command stopped in a later stage ({exc}); its divisions and personas are there")
    departments = ensure_departments()
    say(f"{len(departments):,} departments; writing {n:,} cases …")
    write_cases(n, departments)
    write_related()
    analyze()
    freeze_closed_months()
    seconds = time.monotonic() - started
    say(f"data set built in {seconds:.0f} s")
    return {"cases": n, "built_seconds": seconds}


def ensure_departments() -> dict[int, list[int]]:
    """Every street's serving departments: street id → [squadron, district departments …]."""
    from gongzhi.demo.departments import DISTRICT_DEPARTMENTS
    from gongzhi.departments.models import Department, DepartmentKind
    from gongzhi.divisions.choices import Level
    from gongzhi.divisions.models import Division

    served = Department.serves.through
    streets = list(Division.objects.filter(level=Level.STREET, is_active=True).defer("geometry").order_by("code"))
    districts = {d.pk: d for d in Division.objects.filter(level=Level.DISTRICT, is_active=True).defer("geometry")}
    existing = {(d.division_id, d.name) for d in Department.objects.all()}
    new = []
    for district in districts.values():
        for kind, label, _username in DISTRICT_DEPARTMENTS:
            name = f"{district.name}{label}"
            if (district.pk, name) not in existing:
                new.append(Department(division=district, name=name[:100], kind=kind))
    squadron_streets = set(served.objects.filter(department__kind=DepartmentKind.CITY_MANAGEMENT)
                           .values_list("division_id", flat=True))
    squadron_of = {}
    for street in streets:
        if street.pk not in squadron_streets and street.district_id in districts:
            dept = Department(division=districts[street.district_id], kind=DepartmentKind.CITY_MANAGEMENT,
                              name=f"{districts[street.district_id].name}城市管理执法局{street.name}中队"[:100])
            squadron_of[id(dept)] = street
            new.append(dept)
    made = Department.objects.bulk_create(new, batch_size=1000)
    links = []
    for dept in made:
        if id(dept) in squadron_of:
            links.append(served(department_id=dept.pk, division_id=squadron_of[id(dept)].pk))
        else:
            links += [served(department_id=dept.pk, division_id=s.pk) for s in streets
                      if s.district_id == dept.division_id]
    served.objects.bulk_create(links, batch_size=5000, ignore_conflicts=True)
    out: dict[int, list[int]] = {s.pk: [] for s in streets}
    rows = served.objects.filter(division_id__in=out, department__is_active=True).values_list(
        "division_id", "department_id", "department__kind").order_by("department_id")
    for street_id, dept_id, kind in rows:
        if kind == DepartmentKind.CITY_MANAGEMENT:
            out[street_id].insert(0, dept_id)
        else:
            out[street_id].append(dept_id)
    return out


def write_cases(n: int, departments: dict[int, list[int]]) -> None:
    from django.db import transaction
    from django.utils import timezone

    from gongzhi.cases.models import Case, Category
    from gongzhi.divisions.choices import Level
    from gongzhi.divisions.models import Division

    rng = random.Random(20261122)
    grids = list(Division.objects.filter(level=Level.GRID, is_active=True, street__isnull=False)
                 .values_list("pk", "community_id", "street_id", "district_id", "city_id"))
    categories = list(Category.objects.filter(parent__isnull=False, is_active=True))
    terms = {c.pk: c.terms() for c in categories}
    now = timezone.now()
    year = dt.timedelta(days=365).total_seconds()
    hour = dt.timedelta(hours=1)
    batch: list[Case] = []
    started = time.monotonic()
    for i in range(1, n + 1):
        grid, community, street, district, city = grids[rng.randrange(len(grids))]
        category = categories[rng.randrange(len(categories))]
        submitted = now - dt.timedelta(seconds=year * (n - i) / n) - hour
        age_h = (now - submitted).total_seconds() / 3600
        case = Case(
            tracking_number=f"B{i:09d}", channel="resident_app", description="bench report", lng=113.9, lat=30.9,
            grid_id=grid, community_id=community, street_id=street, district_id=district, city_id=city,
            category_id=category.pk, terms=terms[category.pk], submitted_at=submitted, updated_at=submitted,
            registered_at=submitted + dt.timedelta(minutes=20),
        )
        draw = rng.random()
        if draw < 0.02:
            case.state, case.registered_at, case.rejection_reason = "rejected", None, "bench"
        elif draw < 0.03 and age_h > 48:
            case.state = "merged"
        else:
            _dispatch(case, street, departments.get(street) or [], draw, age_h, rng)
        batch.append(case)
        if len(batch) == BATCH:
            with transaction.atomic():
                Case.objects.bulk_create(batch, batch_size=BATCH)
            batch = []
            if i % 100_000 == 0:
                say(f"  {i:,} cases ({i / (time.monotonic() - started):,.0f}/s)")
    if batch:
        with transaction.atomic():
            Case.objects.bulk_create(batch, batch_size=BATCH)


def _dispatch(case, street: int, departments: list[int], draw: float, age_h: float, rng: random.Random) -> None:
    pick = rng.random()
    if pick < 0.05 or not departments:
        case.handling_division_id = street
    elif pick < 0.65 or len(departments) == 1:
        case.handling_department_id = departments[0]
    else:
        case.handling_department_id = departments[1 + rng.randrange(len(departments) - 1)]
    case.dispatcher_division_id, case.dispatcher_level = street, "street"
    dispatched = case.submitted_at + dt.timedelta(minutes=40)
    case.dispatched_at = dispatched
    case.response_due = dispatched + dt.timedelta(hours=4)
    case.handling_due = dispatched + dt.timedelta(days=3)
    case.response_warn_at = dispatched + dt.timedelta(hours=3)
    case.handling_warn_at = dispatched + dt.timedelta(days=2)
    case.state = "dispatched"
    if draw < 0.04 and age_h > 12:
        case.state = "voided"
        case.response_due = case.handling_due = case.response_warn_at = case.handling_warn_at = None
        return
    # Young cases are still waiting; most accept in time, some late.
    late_accept = rng.random() < 0.08
    accept_after = dt.timedelta(hours=5 + rng.random() * 20) if late_accept else dt.timedelta(hours=rng.random() * 3.5)
    if (accept_after.total_seconds() / 3600) + 0.7 > age_h:
        return
    case.accepted_at = dispatched + accept_after
    case.state = "in_progress"
    late_resolve = rng.random() < 0.12
    resolve_after = dt.timedelta(days=3.2 + rng.random() * 6) if late_resolve else \
        accept_after + dt.timedelta(hours=2 + rng.random() * 48)
    if resolve_after.total_seconds() / 3600 + 0.7 > age_h:
        return
    case.resolved_at = dispatched + resolve_after
    case.resolution = "已处置"
    case.state = "resolved"
    if age_h - resolve_after.total_seconds() / 3600 < 30:
        return
    case.verified_at = case.resolved_at + dt.timedelta(hours=6)
    case.closed_at = case.resolved_at + dt.timedelta(hours=12)
    case.state = "closed"
    if rng.random() < 0.7:
        case.state = "rated"
        case.rated_at = case.closed_at + dt.timedelta(hours=20)
        r = rng.random()
        case.rating = "satisfied" if r < 0.8 else "basically_satisfied" if r < 0.95 else "dissatisfied"
        if case.rating == "dissatisfied" and rng.random() < 0.5:
            case.reopen_count, case.reopened_on_rating = 1, True


def write_related() -> None:
    """Ratings, sidesteps, escalations, whistles and their roll-call: one INSERT … SELECT each."""
    from django.db import connection, transaction

    from gongzhi.accounts.models import User
    from gongzhi.cases.models import Escalation, EscalationSweep

    officer = User.objects.get(username="street_officer_a").pk
    sweep = EscalationSweep.objects.create()
    c = "cases_case"
    statements = [
        # Every rated case's rating (merged reporters' extra ratings are left out).
        f"INSERT INTO cases_caserating (case_id, rater_id, round, value, comment, at, token_hash) "  # noqa: S608
        f"SELECT id, NULL, 1, rating, '', rated_at, '' FROM {c} WHERE rating <> ''",
        # 3 % of the dispatched cases: an approved extension; 1 %: an approved transfer.
        f"INSERT INTO cases_sidestep (case_id, kind, status, reason, requested_by_id, requested_at, "  # noqa: S608
        f"unit_department_id, unit_division_id, extension_amount, extension_unit, decided_by_id, decided_at, "
        f"decision_note) SELECT id, CASE WHEN id % 4 = 0 THEN 'transfer' ELSE 'extension' END, 'approved', "
        f"'bench', %(officer)s, dispatched_at, handling_department_id, handling_division_id, "
        f"CASE WHEN id % 4 = 0 THEN NULL ELSE 2 END, CASE WHEN id % 4 = 0 THEN '' ELSE 'days' END, "
        f"%(officer)s, dispatched_at, '' FROM {c} WHERE dispatched_at IS NOT NULL AND id % 25 = 3",
        # Cases accepted late or resolved late: escalated as overdue.
        f"INSERT INTO cases_escalation (case_id, kind, deadline, sweep_id, handling_department_id, "  # noqa: S608
        f"handling_division_id, escalated_to_id, created_at) SELECT id, 'handling_overdue', handling_due, "
        f"%(sweep)s, handling_department_id, handling_division_id, district_id, handling_due FROM {c} "
        f"WHERE handling_due IS NOT NULL AND (resolved_at > handling_due OR "
        f"(resolved_at IS NULL AND handling_due < %(now)s))",
        # One case in 200: a whistle from its street, a summons to its department.
        f"INSERT INTO cases_whistle (case_id, division_id, blown_by_id, reason, check_in_due, created_at) "  # noqa: S608
        f"SELECT id, street_id, %(officer)s, 'bench', {_plus_two_hours('dispatched_at')}, dispatched_at "
        f"FROM {c} WHERE handling_department_id IS NOT NULL AND id % 200 = 7",
        "INSERT INTO cases_summons (whistle_id, department_id, user_id, attendance, checked_in_at, "
        "checked_in_by_id, action_note, acted_at) SELECT w.id, c.handling_department_id, NULL, "
        "CASE WHEN w.id % 10 < 7 THEN 'on_time' WHEN w.id % 10 < 9 THEN 'late' ELSE 'absent' END, "
        "CASE WHEN w.id % 10 < 9 THEN w.check_in_due END, NULL, '', NULL "
        "FROM cases_whistle w JOIN cases_case c ON c.id = w.case_id",
    ]
    from django.utils import timezone

    params = {"officer": officer, "sweep": sweep.pk,
              "now": connection.ops.adapt_datetimefield_value(timezone.now())}
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in statements:
            if "%(" in sql:  # a modulo sign must be doubled where parameters are named
                cursor.execute(sql.replace("%", "%%").replace("%%(", "%("), params)
            else:
                cursor.execute(sql)
    say(f"{Escalation.objects.count():,} escalations, related rows written")


def _plus_two_hours(column: str) -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"{column} + INTERVAL '2 hours'"
    return f"datetime({column}, '+2 hours')"  # SQLite keeps datetimes as text


def analyze() -> None:
    """Statistics for the planner, and (PostgreSQL) the visibility map index-only scans need —
    what autovacuum does after a bulk load, done at once."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def freeze_closed_months() -> None:
    """The closed months' rankings, as the periodic task would have frozen them."""
    from gongzhi.assessment.periods import add_months, current_month
    from gongzhi.assessment.snapshots import snapshot_month

    this = current_month()
    started = time.monotonic()
    for back in range(12, 0, -1):
        snapshot_month(add_months(this, -back))
    say(f"12 closed months frozen in {time.monotonic() - started:.1f} s")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    import math

    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]
