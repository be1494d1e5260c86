"""Scoped reads of cases. Lists, queues, searches and details go through here (and so through
gongzhi.cases.permissions), never straight to Case.objects."""

import datetime as dt
import math
from dataclasses import dataclass

import shapely
from django.conf import settings
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from gongzhi.core import db
from gongzhi.divisions.geo.index import grid_index

from .choices import HANDLING_CLOCK_STATES, RESPONSE_CLOCK_STATES, Attendance, CaseState, SidestepStatus
from .codes import is_code, normalize_code
from .models import Case, CaseAttachment, CaseEvent, Category, Sidestep, Summons, Whistle
from .permissions import CaseAction, case_scope_q, covering_division, restrict_cases

S = CaseState
A = CaseAction
DEFAULT_DUPLICATE_RADIUS_M = 100
DEFAULT_DUPLICATE_DAYS = 7
EARTH_RADIUS_M = 6_371_008.8
# Reports that may still be the same live problem as a new one.
DUPLICATE_STATES = (S.SUBMITTED, S.REGISTERED, S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED, S.RESOLVED)
LIST_RELATED = ("category", "grid", "community", "street", "handling_department", "handling_division")


def cases_for(user, action: str = A.VIEW) -> QuerySet[Case]:
    return restrict_cases(Case.objects.select_related(*LIST_RELATED), user, action)


def my_cases(user) -> QuerySet[Case]:
    """The cases the user follows (reported, or joined through a merged duplicate)."""
    return Case.objects.select_related(*LIST_RELATED).filter(followers__user=user).order_by("-submitted_at", "-id")


def case_detail(user, pk, action: str = A.VIEW) -> Case:
    from .permissions import access_case

    return access_case(user, pk, action, Case.objects.select_related(
        *LIST_RELATED, "district", "reporter", "dispatcher_division", "merged_into"))


# The free text staff write on a case's work: notes, reasons, what a summoned unit did.
FREE_TEXT = ("description", "note", "public_note", "reason", "decision_note", "action_note", "rejection_reason")


def as_read_by(user, case: Case, *rows) -> None:
    """What a staff reader is shown of the free text of a case and its work (the description, the
    timeline's notes, sidestep and whistle reasons, decisions, summoned units' notes): phone and ID
    numbers typed into it are masked for a role without the right to reveal the reporter's contact
    on this case — a district officer, an auditor, a unit not holding it. In memory only; the rows
    never change."""
    from .permissions import may

    if not may(user, case, A.REVEAL_CONTACT):
        mask_free_text(case, *rows)


def mask_free_text(*rows) -> None:
    from gongzhi.core.masking import mask_numbers_in_text

    for row in rows:
        for name in FREE_TEXT:
            value = getattr(row, name, None)
            if isinstance(value, str) and value:
                setattr(row, name, mask_numbers_in_text(value))


def as_read_by_each(user, rows, case_of) -> list:
    """`as_read_by` for rows of several cases (a queue of sidesteps or summonses): one check per case."""
    from .permissions import may

    allowed: dict[int, bool] = {}
    for row in rows:
        case = case_of(row)
        if case.pk not in allowed:
            allowed[case.pk] = may(user, case, A.REVEAL_CONTACT)
        if not allowed[case.pk]:
            mask_free_text(row)
    return rows


def staff_case(user, pk) -> Case:
    """A case the user works on through a role — its whistles, sidesteps and other staff work —
    or 404: its reporter and followers read the public timeline, not the staff's."""
    from .permissions import case_scope_q

    try:
        return Case.objects.select_related(*LIST_RELATED).get(case_scope_q(user, A.VIEW, as_follower=False), pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def timeline(case: Case, *, public: bool) -> list[CaseEvent]:
    """The case's history, with the steps an anonymous reporter took under "Anonymous resident"."""
    events = CaseEvent.objects.filter(case=case).select_related("actor").prefetch_related(
        Prefetch("attachments", queryset=CaseAttachment.objects.order_by("id")))
    if public:
        events = events.filter(is_public=True)
    events = list(events.order_by("at", "id"))
    hidden = hidden_reporters(case)
    for event in events:
        if event.actor_id in hidden:
            _as_anonymous(event)
    return events


# --- anonymous reporters --------------------------------------------------------------------------
# "Report without my name": nobody reading a case — its desk, its unit, district
# officers, auditors — sees who filed an anonymous report, on any page or answer (timeline rows,
# the audit trail). The name stays in the database for the reporter's own list and rating; the
# contact is never revealed (gongzhi.cases.services.contact).


def anonymous_resident() -> str:
    return gettext("Anonymous resident")


def hidden_reporters(case: Case) -> set[int]:
    """The accounts whose steps on `case` show as the anonymous resident: its own reporter if the
    report was anonymous, and the reporters of anonymous duplicates merged into it."""
    hidden = {case.reporter_id} if case.is_anonymous and case.reporter_id else set()
    hidden |= set(Case.objects.filter(merged_into=case, is_anonymous=True, reporter__isnull=False)
                  .values_list("reporter_id", flat=True))
    return hidden


def _as_anonymous(row) -> None:
    """Show a row (timeline step, audit entry) in memory as done by the anonymous resident."""
    row.actor = None
    row.actor_label = anonymous_resident()


CASE_LABEL = "cases.case"


def audit_without_anonymous_reporters(entries: QuerySet, person: str | None = None) -> QuerySet:
    """An audit trail search by person that does not link a person to the anonymous reports
    they filed (their rows on those cases stay in the trail, under "Anonymous resident")."""
    if not person:
        return entries
    own = Case.objects.filter(reporter__username=person, is_anonymous=True).values_list("pk", flat=True)
    return entries.exclude(object_type=CASE_LABEL, object_id__in=[str(pk) for pk in own])


def mask_anonymous_reporters(entries) -> None:
    """Show the audit rows an anonymous reporter wrote about their case (their report, check,
    rating) as the anonymous resident's (in memory; the rows themselves never change)."""
    entries = [e for e in entries if e.object_type == CASE_LABEL and e.actor_id and str(e.object_id).isdigit()]
    ids = {int(e.object_id) for e in entries}
    if not ids:
        return
    hidden = set(Case.objects.filter(pk__in=ids, is_anonymous=True, reporter__isnull=False)
                 .values_list("pk", "reporter_id"))
    hidden |= set(Case.objects.filter(merged_into__in=ids, is_anonymous=True, reporter__isnull=False)
                  .values_list("merged_into_id", "reporter_id"))
    for entry in entries:
        if (int(entry.object_id), entry.actor_id) in hidden:
            _as_anonymous(entry)


def attachments(case: Case) -> list[CaseAttachment]:
    return list(CaseAttachment.objects.filter(case=case).order_by("id"))


def public_case(tracking_code: str) -> Case | None:
    """A case as anyone may follow it by its tracking code (public fields only are shown). Never
    by its number: numbers count up, so they would let anyone walk through every case."""
    code = normalize_code(tracking_code)
    if not is_code(code):
        return None
    return Case.objects.select_related(*LIST_RELATED).filter(tracking_code=code).first()


# --- queues -------------------------------------------------------------------------------------

QUEUES = ("to_register", "to_dispatch", "to_accept", "in_progress", "due_soon", "overdue", "to_verify", "to_close",
          "awaiting_approval")


def queue(user, name: str, now: dt.datetime | None = None) -> QuerySet[Case]:
    """One work queue of the user's, ordered by what is most urgent."""
    now = now or timezone.now()
    base = Case.objects.select_related(*LIST_RELATED)
    if name == "to_register":
        return restrict_cases(base, user, A.REGISTER).filter(state=S.SUBMITTED).order_by("submitted_at", "id")
    if name == "to_dispatch":
        return restrict_cases(base, user, A.DISPATCH).filter(state=S.REGISTERED).order_by("registered_at", "id")
    if name == "to_accept":
        return restrict_cases(base, user, A.HANDLE).filter(state=S.DISPATCHED).order_by("response_due", "id")
    if name == "in_progress":
        return restrict_cases(base, user, A.HANDLE).filter(
            state__in=[S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED]).order_by("handling_due", "id")
    if name in ("due_soon", "overdue"):
        # The unit's own cases, and those it supervises as their dispatcher.
        scoped = base.filter(case_scope_q(user, A.HANDLE) | case_scope_q(user, A.APPROVE))
        if name == "due_soon":
            late = (Q(state__in=RESPONSE_CLOCK_STATES, response_warn_at__lte=now, response_due__gt=now)
                    | Q(state__in=HANDLING_CLOCK_STATES, handling_warn_at__lte=now, handling_due__gt=now))
        else:
            late = (Q(state__in=RESPONSE_CLOCK_STATES, response_due__lte=now)
                    | Q(state__in=HANDLING_CLOCK_STATES, handling_due__lte=now))
        return scoped.filter(late).order_by("handling_due", "id")
    if name == "to_verify":
        return restrict_cases(base, user, A.VERIFY).filter(state=S.RESOLVED).order_by("resolved_at", "id")
    if name == "to_close":
        return restrict_cases(base, user, A.CLOSE).filter(state=S.VERIFIED).order_by("verified_at", "id")
    if name == "awaiting_approval":
        pending = Sidestep.objects.filter(status=SidestepStatus.PENDING).values("case_id")
        return restrict_cases(base, user, A.APPROVE).filter(pk__in=pending).order_by("handling_due", "id")
    raise ValueError(name)


def sidesteps_of(case: Case) -> list[Sidestep]:
    return list(Sidestep.objects.filter(case=case).select_related("requested_by", "decided_by").order_by("-id"))


# --- whistles -----------------------------------------------------------------------------------


def summonses_for(user, *, pending_only: bool = True) -> QuerySet[Summons]:
    """The summonses the user answers: their department's, and their own as a member."""
    from gongzhi.core import scope

    departments = [a.department_id for a in scope.assignments(user) if a.department_id]
    qs = Summons.objects.filter(Q(department_id__in=departments) | Q(user=user)).select_related(
        "whistle", "whistle__case", "whistle__division", "department", "user")
    if pending_only:
        qs = qs.filter(checked_in_at__isnull=True, attendance__in=[Attendance.PENDING, Attendance.ABSENT])
    return qs.order_by("whistle__check_in_due", "id")


@dataclass(frozen=True)
class RollCallLine:
    summons: Summons
    attendance: str  # as of now: a pending summons past its deadline reads absent before the sweep


def roll_call(whistle: Whistle, now: dt.datetime | None = None) -> list[RollCallLine]:
    now = now or timezone.now()
    lines = []
    for s in whistle.summonses.select_related("department", "user", "checked_in_by").order_by("id"):
        attendance = s.attendance
        if attendance == Attendance.PENDING and now > whistle.check_in_due:
            attendance = Attendance.ABSENT
        lines.append(RollCallLine(s, attendance))
    return lines


def whistles_of(case: Case) -> list[Whistle]:
    return list(case.whistles.select_related("division", "blown_by").order_by("created_at", "id"))


# --- duplicates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Nearby:
    case: Case
    distance_m: float


def distance_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance (haversine); metres matter here, not millimetres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def nearby_duplicates(
    lng: float,
    lat: float,
    category: Category | None,
    radius_m: float | None = None,
    window: dt.timedelta | None = None,
    *,
    now: dt.datetime | None = None,
    exclude: int | None = None,
    exclude_number: str | None = None,
    limit: int = 20,
) -> list[Nearby]:
    """Live cases of the same category reported within `radius_m` of the point during `window`,
    nearest first. Candidates come from the grids the search circle touches (the grid + category
    + time index), then the exact distance decides."""
    radius_m = radius_m or getattr(settings, "GONGZHI_DUPLICATE_RADIUS_M", DEFAULT_DUPLICATE_RADIUS_M)
    window = window or dt.timedelta(days=getattr(settings, "GONGZHI_DUPLICATE_DAYS", DEFAULT_DUPLICATE_DAYS))
    now = now or timezone.now()
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlng = dlat / max(math.cos(math.radians(lat)), 1e-6)
    grids = grids_touching(lng - dlng, lat - dlat, lng + dlng, lat + dlat)
    if not grids:
        return []
    # Asked while a report is written, on every case page staff open, and through the API: one
    # indexed statement (grid, category, time) for the columns shown, categories from the
    # catalogue in memory.
    sql = (f"SELECT {', '.join(NEARBY_COLUMNS)} FROM cases_case WHERE grid_id IN ({', '.join(['%s'] * len(grids))})"  # noqa: S608
           f" AND submitted_at >= %s AND state IN ({', '.join(['%s'] * len(DUPLICATE_STATES))})"
           " AND lng BETWEEN %s AND %s AND lat BETWEEN %s AND %s")
    params = [*grids, connection.ops.adapt_datetimefield_value(now - window), *(s.value for s in DUPLICATE_STATES),
              lng - dlng, lng + dlng, lat - dlat, lat + dlat]
    if category is not None:
        sql += " AND category_id = %s"
        params.append(category.pk)
    if exclude is not None:
        sql += " AND id <> %s"
        params.append(exclude)
    if exclude_number is not None:
        sql += " AND tracking_number <> %s"
        params.append(exclude_number)
    rows = db.fetch(sql + " LIMIT 500", params, many=True)
    found = []
    for row in rows:
        d = distance_m(lng, lat, row[_LNG], row[_LAT])
        if d <= radius_m:
            found.append((d, row))
    found.sort(key=lambda t: (t[0], t[1][_ID]))
    if not found:
        return []
    from .catalogue_cache import catalogue as cached_catalogue

    categories = cached_catalogue().by_id
    out = []
    for d, row in found[:limit]:
        row = list(row)
        row[_AT] = _aware(row[_AT])
        case = Case.from_db(connection.alias, NEARBY_FIELDS, row)
        if case.category_id in categories:
            case.category = categories[case.category_id]
        out.append(Nearby(case, d))
    return out


# What a possible duplicate shows (other fields load if asked for), in the model's column order
# as Model.from_db wants them.
NEARBY_FIELDS = [f.attname for f in Case._meta.concrete_fields if f.attname in {
    "id", "tracking_number", "tracking_code", "state", "category_id", "submitted_at", "lng", "lat", "description"}]
NEARBY_COLUMNS = [Case._meta.get_field(name).column if name != "category_id" else "category_id"
                  for name in NEARBY_FIELDS]
_AT, _LNG, _LAT = NEARBY_FIELDS.index("submitted_at"), NEARBY_FIELDS.index("lng"), NEARBY_FIELDS.index("lat")
_ID = NEARBY_FIELDS.index("id")


def _aware(value):
    """A timestamp as the database driver gave it (SQLite: text) as an aware datetime."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def grids_touching(x0: float, y0: float, x1: float, y1: float) -> list[int]:
    index = grid_index()
    if not len(index):
        return []
    hits = index.tree.query(shapely.box(x0, y0, x1, y1), predicate="intersects")
    return [int(index.ids[i]) for i in hits]


# --- the catalogue ------------------------------------------------------------------------------


def catalogue(*, include_inactive: bool = False) -> list[Category]:
    """The classes with their sub-categories prefetched (two queries)."""
    children = Category.objects.order_by("sort_order", "code")
    classes = Category.objects.filter(parent__isnull=True).order_by("sort_order", "code")
    if not include_inactive:
        children, classes = children.filter(is_active=True), classes.filter(is_active=True)
    return list(classes.prefetch_related(Prefetch("children", queryset=children)))


def suggest_categories(text: str, limit: int = 5) -> list[Category]:
    """Sub-categories whose names or keywords occur in the text, best match first."""
    text = (text or "").strip().lower()
    if not text:
        return []
    scored = []
    for category in Category.objects.filter(parent__isnull=False, is_active=True).select_related("parent"):
        words = {w for w in category.keywords.lower().split() if w} | {category.name_zh.lower()}
        score = sum(len(w) for w in words if w in text)
        if score:
            scored.append((score, -category.sort_order, category))
    scored.sort(key=lambda t: (-t[0], -t[1], t[2].code))
    return [c for _s, _o, c in scored[:limit]]


# --- pages ----------------------------------------------------------------------------------------
# Small reads the case pages need (gongzhi.cases.views): what the actor may do to one case, the
# units a case may be dispatched to, the photos the public sees, filters within scope, and the
# light map of the jurisdiction the resident's report page draws.

PUBLIC_PHOTO_KINDS = ("photo", "after_photo")
REPORT_MAP_GRID_LIMIT = 2000  # beyond this many grids the report map draws communities only
REPORT_MAP_SIMPLIFY = 0.00003  # degrees (~3 m): boundaries drawn lightly need no more detail
FILTER_GRID_LIMIT = 300  # the workbench's place filter lists grids only for small scopes


def permitted_actions(user, case: Case, actions) -> set[str]:
    """Which of `actions` the user may do to `case` — by role or by following it — in one query."""
    from gongzhi.core import scope

    actions = list(actions)
    if scope.is_global(user):
        return set(actions)
    from django.db.models import Count

    from .permissions import NOTHING

    conditions = {a: case_scope_q(user, a) for a in actions}
    asked = {a: q for a, q in conditions.items() if q != NOTHING}
    if not asked:
        return set()
    counts = Case.objects.filter(pk=case.pk).aggregate(
        **{f"may_{i}": Count("pk", filter=q) for i, q in enumerate(asked.values())})
    return {a for i, a in enumerate(asked) if counts[f"may_{i}"]}


# --- what a case form may name -------------------------------------------------------------------
# Each choice a case page offers (a unit to dispatch or transfer to, a department or person to
# summon) comes from one selector here, and the service taking the choice checks it against the
# same selector: an id sent outside its answer is refused like a missing one (NOT_FOUND), so
# naming someone never widens who sees the case.


def dispatch_targets(actor, case: Case) -> tuple[list, list]:
    """The units `case` may be sent to (dispatch, and a handling unit's transfer): the active
    departments serving its community, street or district, the department its routing rule names
    (a unit by owner may sit elsewhere), and the street's and the community's own offices. The
    territory is the case's, not the actor's: whoever acts, the case goes to units serving it."""
    from gongzhi.departments.models import Department
    from gongzhi.divisions.models import Division

    from .services.routing import route

    serving = Q(is_active=True, serves__in=[case.community_id, case.street_id, case.district_id])
    routed = route(case).department if case.terms else None
    if routed is not None:
        serving |= Q(pk=routed.pk, is_active=True)
    departments = list(Department.objects.filter(serving).select_related("division").distinct()
                       .order_by("division__code", "name", "pk"))
    offices = list(Division.objects.filter(pk__in=[case.street_id, case.community_id]).defer("geometry")
                   .order_by("code"))
    return departments, offices


def whistle_division(actor, case: Case):
    """The street or community office `actor` blows the whistle for on `case`, or None."""
    from gongzhi.core import scope

    if actor is None or scope.is_global(actor):
        return case.street
    division = covering_division(actor, A.WHISTLE, case)
    return division if division is not None and division.level in ("street", "community") else None


def summonable_departments(actor, case: Case) -> list:
    """The departments a whistle on `case` may summon: those serving its community, street or
    district (none for an actor who blows no whistle on it)."""
    from gongzhi.departments.models import Department

    if whistle_division(actor, case) is None:
        return []
    return list(Department.objects.filter(
        is_active=True, serves__in=[case.community_id, case.street_id, case.district_id],
    ).select_related("division").distinct().order_by("division__code", "name", "pk"))


def summonable_people(actor, case: Case) -> QuerySet:
    """The people a community's whistle on `case` may summon as party members or volunteers: the
    registered residents of that community (the registry's party and volunteer rolls are not
    linked to accounts yet). A street summons departments only."""
    from gongzhi.accounts.choices import Role
    from gongzhi.accounts.models import RoleAssignment, User

    division = whistle_division(actor, case)
    if division is None or division.level != "community":
        return User.objects.none()
    live = RoleAssignment.objects.filter(division=division, role=Role.RESIDENT, revoked_at__isnull=True)
    return User.objects.filter(pk__in=live.values("user_id"), is_active=True).order_by("display_name", "username")


def public_photos(case: Case) -> list[CaseAttachment]:
    """Photos of the problem and of the result: re-encoded on upload, so they carry no metadata.
    Voice recordings are the reporter's own voice and stay with staff."""
    return list(CaseAttachment.objects.filter(case=case, kind__in=PUBLIC_PHOTO_KINDS).order_by("id"))


def case_by_secret_link(number: str, token: str) -> Case | None:
    """The case of a secret follow link handed out before cases had codes (it names the number):
    only with its secret, so that numbers alone open nothing."""
    if not token or not number.isdigit():
        return None
    case = Case.objects.filter(tracking_number=number).first()
    return case if case is not None and follows_by_token(case, token) else None


def follows_by_token(case: Case, token: str) -> bool:
    """Whether `token` is the follow secret handed to the case's anonymous reporter (or to the
    anonymous reporter of a duplicate merged into it)."""
    from .services.following import follows_by_token as check

    return check(case, token)


def is_follower(user, case: Case) -> bool:
    from .models import CaseFollower

    return bool(getattr(user, "is_authenticated", False)) and CaseFollower.objects.filter(
        case=case, user=user).exists()


def my_summonses_on(user, case: Case) -> list[Summons]:
    """The user's (or their department's) summonses on this case, answered or not."""
    return list(summonses_for(user, pending_only=False).filter(whistle__case=case))


def queue_counts(user, names, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {name: queue(user, name, now).count() for name in names}


def filter_cases(qs: QuerySet[Case], *, category: Category | None = None, state: str = "", place=None,
                 since: dt.date | None = None, until: dt.date | None = None, text: str = "") -> QuerySet[Case]:
    """A list narrowed by the workbench's filters (`place` must already be a division in scope)."""
    from .permissions import territory_q

    if category is not None:
        qs = qs.filter(Q(category=category) | Q(category__parent=category))
    if state:
        qs = qs.filter(state=state)
    if place is not None:
        qs = qs.filter(territory_q(place))
    tz = timezone.get_current_timezone()
    if since:
        qs = qs.filter(submitted_at__gte=dt.datetime.combine(since, dt.time.min, tzinfo=tz))
    if until:
        qs = qs.filter(submitted_at__lt=dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    text = (text or "").strip()
    if text:
        qs = qs.filter(tracking_number=text) if text.isdigit() else qs.filter(description__icontains=text)
    return qs


def filter_places(user):
    """The communities (and, in a small scope, grids) a user may filter their cases by."""
    from gongzhi.accounts.choices import Action
    from gongzhi.core import scope
    from gongzhi.divisions.choices import Level
    from gongzhi.divisions.models import Division

    places = scope.restrict(Division.objects.filter(is_active=True).defer("geometry"), user, Action.VIEW)
    communities = list(places.filter(level=Level.COMMUNITY).order_by("code")[:FILTER_GRID_LIMIT])
    grids = places.filter(level=Level.GRID).order_by("code")
    grids = list(grids[:FILTER_GRID_LIMIT + 1])
    return communities, grids if len(grids) <= FILTER_GRID_LIMIT else []


def report_map() -> dict:
    """The jurisdiction drawn lightly under the report page's pin: districts, streets,
    communities and (up to a limit) grids, simplified. Cached until a boundary changes."""
    from django.core.cache import cache

    from gongzhi.divisions.choices import Level
    from gongzhi.divisions.models import Division, GridIndexVersion

    counter = GridIndexVersion.objects.values_list("counter", flat=True).first() or 0
    key = f"cases:report-map:{counter}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    levels = [Level.DISTRICT, Level.STREET, Level.COMMUNITY]
    active = Division.objects.filter(is_active=True, geometry__isnull=False)
    if active.filter(level=Level.GRID).count() <= REPORT_MAP_GRID_LIMIT:
        levels.append(Level.GRID)
    features = []
    for d in active.filter(level__in=levels).only("id", "name", "level", "geometry").order_by("level", "code"):
        try:
            geom = shapely.geometry.shape(d.geometry).simplify(REPORT_MAP_SIMPLIFY, preserve_topology=True)
        except (ValueError, TypeError, AttributeError, shapely.errors.GEOSException):
            continue
        geometry = shapely.geometry.mapping(shapely.set_precision(geom, 0.000001))
        features.append({"type": "Feature", "geometry": geometry,
                         "properties": {"id": d.pk, "name": d.name, "level": d.level}})
    data = {"type": "FeatureCollection", "features": features}
    cache.set(key, data, 3600)
    return data


def rated_by(user, case: Case) -> bool:
    """Whether the user has rated the case since it last closed."""
    from .models import CaseRating

    return bool(getattr(user, "is_authenticated", False)) and CaseRating.objects.filter(
        case=case, rater=user, round=case.reopen_count + 1).exists()


def attachment_of(case: Case, attachment_id: int) -> CaseAttachment | None:
    """One file of a case the caller already may see."""
    return CaseAttachment.objects.filter(case=case, pk=attachment_id).first()
