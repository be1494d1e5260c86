"""Reports coming in: every channel ends here, in one submitted case.

The location decides the grid, community and street. The same report sent twice (the same
idempotency key from the same reporter and channel — a double tap or a retry after a lost answer)
gives back the first case instead of a second one.

A report is the busiest write of the platform (a city's hotline takes a million a year, in
bursts), so the rows it makes — the case, its follower, the timeline row and the audit row — are
built in Python and written together:

- on PostgreSQL by one prepared statement (data-modifying CTEs), atomic on its own, that also
  takes the tracking number from a sequence (gongzhi.cases.services.tracking), copies the
  community, street, district and city from the grid's row (so a grid retired a moment ago writes
  nothing), and writes nothing when the idempotency key was used already (NOT EXISTS, and
  ON CONFLICT DO NOTHING for two repeats at the same moment) — no look-up before, none after
  unless nothing was written;
- on SQLite by plain INSERTs in one transaction.

Photos and voice recordings, and the registration staff channels do at once, join the same
transaction. Nothing here searches for the same problem nearby: the reporter is shown those
while writing (the report page, GET /api/v1/cases/nearby) and staff on the case's page."""

import datetime as dt
import json
import secrets
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import db
from gongzhi.core.digests import secret_digest as hash_token
from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.divisions.choices import Level
from gongzhi.divisions.geo.index import grid_index, recheck_grid_index
from gongzhi.divisions.geo.locate import to_wgs84
from gongzhi.divisions.models import Division

from ..choices import STAFF_CHANNELS, CaseState, Channel, EventKind
from ..codes import new_tracking_code
from ..models import Case, CaseEvent, CaseFollower, Category
from ..permissions import CaseAction, covers_grid
from ..uploads import PreparedFile, file_store
from . import tracking
from .base import audit_row, event_row

MAX_DESCRIPTION = 2000


@dataclass
class Report:
    """What a reporter says, whatever the channel."""

    description: str
    lng: float
    lat: float
    channel: str = Channel.RESIDENT_APP
    crs: str = "wgs84"
    address: str = ""
    category: Category | None = None
    is_anonymous: bool = False
    description_public: bool = False  # the reporter lets the public read their words
    contact_name: str = ""
    contact_phone: str = ""
    idempotency_key: str = ""
    files: list[PreparedFile] = field(default_factory=list)


@dataclass
class Intake:
    case: Case
    created: bool
    # Given once, to a reporter without an account: the secret that lets them follow and rate.
    follow_token: str = ""


def submit_case(*, actor, report: Report) -> Intake:
    """File a report as a submitted case (staff taking a call, a walk-in or a letter register it at
    once when they name the category)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    _check(report, user)
    key = report.idempotency_key.strip()[:64]
    if report.category is None:
        # The page suggests one from the words typed; every case needs one for its time limits.
        return _refuse(DomainError(_("Choose what kind of problem it is."), code="invalid"), user, report, key)
    # Cases keep WGS-84, whatever the phone reported: the grid, the map and the duplicate search use it.
    lng, lat = to_wgs84(report.lng, report.lat, report.crs)
    grid_id = _grid_at(lng, lat)
    if grid_id is None:
        return _refuse(_outside(), user, report, key)
    if report.channel in STAFF_CHANNELS or report.channel == Channel.GRID_PATROL:
        grid = Division.objects.filter(pk=grid_id).defer("geometry").first()
        if grid is None or not covers_grid(user, CaseAction.REPORT, grid):
            return _refuse(DomainError(_("You may file reports only inside your own grids."), code="forbidden"),
                           user, report, key)
    rows = _rows(user, report, key, lng, lat, grid_id)
    if report.files or report.channel in STAFF_CHANNELS:
        with file_store() as store, transaction.atomic():
            written = _write(rows, user, report, key)
            if written is not None:
                store.save(rows.case, report.files, event=rows.event, user=user)
                if report.channel in STAFF_CHANNELS:
                    from .workflow import register_case

                    rows.case = register_case(actor=user, case=rows.case)
    else:
        written = _write(rows, user, report, key)
    if written is None:
        return _replay(_earlier(user, report.channel, key), report)
    return Intake(case=rows.case, created=True, follow_token=rows.token)


def _check(report: Report, user) -> None:
    report.description = report.description.strip()
    if not report.description:
        raise DomainError(_("Say what happened."), code="invalid")
    if len(report.description) > MAX_DESCRIPTION:
        raise DomainError(_("Keep the description under %(n)d characters.") % {"n": MAX_DESCRIPTION})
    if report.category is not None and (not report.category.is_leaf or not report.category.is_active):
        raise DomainError(_("Choose a sub-category of the catalogue."), code="invalid")
    if report.channel not in Channel.values:
        raise DomainError(_("Unknown channel."), code="invalid")
    if user is None and report.channel not in (Channel.RESIDENT_APP, Channel.OPEN311):
        raise DomainError(_("Sign in to file a report through this channel."), code="forbidden")


def _outside() -> DomainError:
    return DomainError(_("This place is outside every grid we serve. Move the pin inside the city's "
                         "communities, or type the address and let staff place it."), code="outside_grids")


def _grid_at(lng: float, lat: float) -> int | None:
    grid_id = grid_index().locate(lng, lat)
    if grid_id is None:
        # The index may trail a change made in another process by up to a second (a point in a
        # grid drawn since): look again with the counter read now.
        recheck_grid_index()
        grid_id = grid_index().locate(lng, lat)
    return grid_id


def _refuse(refusal: DomainError, user, report: Report, key: str) -> Intake:
    """A report sent again answers with its first case even where the repeat alone would be
    refused (a retry that leaves out the category, a grid redrawn since)."""
    earlier = _earlier(user, report.channel, key) if key else None
    if earlier is None:
        raise refusal
    return _replay(earlier, report)


def _earlier(user, channel: str, key: str) -> Case | None:
    if not key:
        return None
    return Case.objects.filter(reporter=user, channel=channel, idempotency_key=key).first()


def _replay(earlier: Case | None, report: Report) -> Intake:
    if earlier is None:
        raise RuntimeError("the case was neither written nor found")
    same = earlier.description == report.description and (
        report.category is None or earlier.category_id == report.category.pk
    )
    if not same:
        raise DomainError(_("This idempotency key was already used for a different report."), code="conflict")
    return Intake(case=earlier, created=False)


# --- the rows -----------------------------------------------------------------------------------


@dataclass
class Rows:
    case: Case
    follower: CaseFollower | None
    event: CaseEvent
    audit: AuditEntry
    token: str  # the follow secret of a report without an account


def _rows(user, report: Report, key: str, lng: float, lat: float, grid_id: int) -> Rows:
    now = timezone.now()
    case = _new(Case, {
        "channel": report.channel, "reporter_id": user.pk if user else None, "is_anonymous": report.is_anonymous,
        "description_public": report.description_public,
        "contact_name": report.contact_name.strip()[:64], "contact_phone": report.contact_phone.strip()[:20],
        "description": report.description, "lng": lng, "lat": lat, "address": report.address.strip()[:200],
        "grid_id": grid_id, "category_id": report.category.pk, "idempotency_key": key, "submitted_at": now,
        "updated_at": now, "state": CaseState.SUBMITTED,
    })
    case.reporter, case.category = user, report.category
    token = ""
    if user is None:
        # Nobody signed in reported it: the reporter follows and rates it with a secret link.
        token = secrets.token_urlsafe(18)
        case.follow_token_hash = hash_token(token)
    # The reporter follows the case: by account, or (phoned in, written in, anonymous) by phone.
    # Staff taking a report down file it (`reporter`) but do not follow it.
    follower = None
    if report.channel not in STAFF_CHANNELS and user is not None:
        follower = CaseFollower(case=case, user=user, created_at=now)
    elif case.contact_phone:
        follower = CaseFollower(case=case, phone=case.contact_phone, created_at=now)
    event = event_row(case, EventKind.SUBMITTED, actor=user, public_note=_("Report received."),
                      data={"channel": case.channel})
    event.at = now
    audit = audit_row(case, "submit", actor=user, extra={"channel": case.channel, "files": len(report.files)})
    audit.at = now
    return Rows(case, follower, event, audit, token)


def _new(model, values: dict):
    """`model(**values)`, the other fields at their defaults — built positionally, which costs a
    fraction of Django's keyword path for a model as wide as Case."""
    layout = _layouts.get(model)
    if layout is None:
        # Per field: its attribute, and its default — fixed, or a callable to call (dict, now).
        layout = _layouts[model] = [
            (f.attname, f.get_default, True) if f.has_default() and callable(f.default)
            else (f.attname, f.get_default(), False) for f in model._meta.concrete_fields]
    return model(*[values[name] if name in values else default() if call else default
                   for name, default, call in layout])


_layouts: dict = {}


def _write(rows: Rows, user, report: Report, key: str) -> bool | None:
    """Write the rows; None when an earlier case has the same idempotency key."""
    write = _write_postgresql if tracking.uses_sequence() else _write_sqlite
    if write(rows):
        return True
    # Not written: the same key used a moment ago, the day's first report (its tracking row is
    # made now), or a grid retired since this process's index was built.
    if key and _earlier(user, report.channel, key) is not None:
        return None
    # Or, once in a great while, a tracking code drawn twice: draw another.
    rows.case.tracking_code = new_tracking_code()
    if tracking.uses_sequence():
        tracking.start_day(timezone.localdate(rows.case.submitted_at))
    if not Division.objects.filter(pk=rows.case.grid_id, level=Level.GRID, is_active=True).exists():
        recheck_grid_index()
        grid_id = grid_index().locate(rows.case.lng, rows.case.lat)
        if grid_id is None or grid_id == rows.case.grid_id:
            raise _outside()
        rows.case.grid_id = rows.audit.division_id = grid_id
    if write(rows):
        return True
    if key and _earlier(user, report.channel, key) is not None:
        return None
    raise RuntimeError("the report could not be written")


def _write_sqlite(rows: Rows) -> bool | None:
    case = rows.case
    try:
        with transaction.atomic():
            places = Division.objects.filter(pk=case.grid_id, level=Level.GRID, is_active=True).values_list(
                "community_id", "street_id", "district_id", "city_id").first()
            if places is None:
                return None
            case.community_id, case.street_id, case.district_id, case.city_id = places
            case.tracking_number = tracking.next_tracking_number(case.submitted_at)
            case.save(force_insert=True)
            for row in (rows.follower, rows.event):
                if row is not None:
                    row.case = case
                    row.save(force_insert=True)
            rows.audit.object_id, rows.audit.object_repr = str(case.pk), str(case)[:200]
            rows.audit.save(force_insert=True)
    except IntegrityError:
        if not case.idempotency_key:
            raise
        for row in (case, rows.follower, rows.event, rows.audit):  # rolled back: unwritten again
            if row is not None:
                row.pk, row._state.adding = None, True
        return None  # the key won a race a moment ago: the caller looks the case up
    return True


# PostgreSQL: one statement, prepared once per connection (gongzhi.core.db). Each row travels
# as one JSON parameter, spread into the table's columns by json_populate_record; a few columns
# are filled in SQL instead:
CASE_FROM_SQL = {  # the grid's places (from its row, so a retired grid writes nothing) and the number
    "community_id": "g.community_id", "street_id": "g.street_id", "district_id": "g.district_id",
    "city_id": "g.city_id", "tracking_number": "s.number",
}
CHILD_FROM_SQL = {"case_id": "c.id"}
AUDIT_FROM_SQL = {"object_id": "c.id::text", "object_repr": "left(c.tracking_number, 200)"}
JSON_TYPE = "json"
_templates: dict = {}


def _insert_sql(model, computed: dict[str, str], source: str, returning: str = "") -> tuple[str, list]:
    """`INSERT INTO <table> (<every column but the id>) SELECT <the JSON record's column, or the
    SQL given in `computed`> FROM json_populate_record(NULL::<table>, %s::json) AS r, <source>`,
    and the fields the JSON record carries. Built from the model, so a new column is written
    without edits here."""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    fields = [f for f in model._meta.local_concrete_fields if not (f.primary_key and isinstance(f, AutoFieldMixin))]
    values = [computed.get(f.attname) or f"r.{qn(f.column)}" for f in fields]
    sql = (f"INSERT INTO {table} ({', '.join(qn(f.column) for f in fields)}) SELECT {', '.join(values)} "  # noqa: S608
           f"FROM {JSON_TYPE}_populate_record(NULL::{table}, %s::{JSON_TYPE}) AS r, {source}")
    if returning:
        sql += f" {returning}"
    return sql, [f for f in fields if f.attname not in computed]


def _record(obj, fields) -> str:
    """The row's values as a JSON object of column → value (JSON columns nested as they are)."""
    row = {}
    for f in fields:
        value = getattr(obj, f.attname)
        if isinstance(value, dt.date):  # datetimes too
            value = value.isoformat()
        row[f.column] = value
    return json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False, allow_nan=False)


# A repeat (the same idempotency key) is recognised before a tracking number is taken, so that
# only two repeats sent at the very same moment cost a number; ON CONFLICT settles those.
REPEAT_GUARDS = {
    "": "",
    "reporter": " AND NOT EXISTS (SELECT 1 FROM cases_case AS x WHERE x.reporter_id = %s::bigint"
                " AND x.channel = %s AND x.idempotency_key = %s)",
    "anonymous": " AND NOT EXISTS (SELECT 1 FROM cases_case AS x WHERE x.reporter_id IS NULL"
                 " AND x.channel = %s AND x.idempotency_key = %s)",
}


def _statement(with_follower: bool, guard: str):
    """The intake statement's SQL and the fields of each row's JSON record (built once)."""
    if (with_follower, guard) not in _templates:
        case_sql, case_fields = _insert_sql(
            Case, CASE_FROM_SQL,
            "divisions_division AS g, (SELECT %s || lpad(n.n::text, greatest(5, length(n.n::text)), '0') AS number"  # noqa: S608
            " FROM (SELECT nextval('" + tracking.SEQUENCE + "') - t.seq_base AS n FROM cases_trackingcounter AS t"
            " WHERE t.day = %s::date AND t.seq_base IS NOT NULL) AS n) AS s"
            " WHERE g.id = %s::bigint AND g.level = %s AND g.is_active" + REPEAT_GUARDS[guard],
            "ON CONFLICT DO NOTHING RETURNING id, tracking_number, community_id, street_id, district_id, city_id")
        parts = [f"c AS ({case_sql})"]
        fields = {"case": case_fields}
        if with_follower:
            sql, fields["follower"] = _insert_sql(CaseFollower, CHILD_FROM_SQL, "c")
            parts.append(f"f AS ({sql})")
        sql, fields["event"] = _insert_sql(CaseEvent, CHILD_FROM_SQL, "c", "RETURNING id")
        parts.append(f"e AS ({sql})")
        sql, fields["audit"] = _insert_sql(AuditEntry, AUDIT_FROM_SQL, "c")
        parts.append(f"a AS ({sql})")
        statement = (f"WITH {', '.join(parts)} SELECT c.id, c.tracking_number, c.community_id, c.street_id, "  # noqa: S608
                     "c.district_id, c.city_id, e.id FROM c, e")
        _templates[with_follower, guard] = (statement, fields)
    return _templates[with_follower, guard]


def _write_postgresql(rows: Rows) -> bool | None:
    case = rows.case
    guard = "" if not case.idempotency_key else "reporter" if case.reporter_id is not None else "anonymous"
    sql, fields = _statement(rows.follower is not None, guard)
    day, prefix = tracking.day_prefix(case.submitted_at)
    params = [_record(case, fields["case"]), prefix, day, case.grid_id, Level.GRID.value]
    if guard:
        params += [case.reporter_id] if guard == "reporter" else []
        params += [case.channel, case.idempotency_key]
    if rows.follower is not None:
        params.append(_record(rows.follower, fields["follower"]))
    params += [_record(rows.event, fields["event"]), _record(rows.audit, fields["audit"])]
    written = db.fetch(sql, params)
    if written is None:
        return None
    case.pk, case.tracking_number, case.community_id, case.street_id, case.district_id, case.city_id = written[:6]
    case._state.adding, case._state.db = False, connection.alias
    rows.event.pk = written[6]
    rows.audit.object_id, rows.audit.object_repr = str(case.pk), case.tracking_number
    for row in (rows.follower, rows.event, rows.audit):
        if row is not None:
            row._state.adding, row._state.db = False, connection.alias
    if rows.follower is not None:
        rows.follower.case_id = case.pk
    rows.event.case_id = case.pk
    return True
