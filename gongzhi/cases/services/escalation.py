"""The deadline sweep: yellow warnings before a deadline, red escalations after it.

It runs every minute in the task worker and works set-based, whatever the number of cases: per
kind, one INSERT … SELECT writes an Escalation row for every case whose moment has come (the
partial indexes on the case make that a range scan of the few candidates), one UPDATE marks those
cases, and one grouped query finds whom to tell — one notification per person and kind, not one
per case. All of it is one transaction: the unique (case, kind, deadline) key and the marks commit
together with the notifications, so a crash tells nobody and the next run does it all again,
and a finished run is never repeated.
"""

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext_lazy

from gongzhi.departments.models import Department
from gongzhi.divisions.models import Division

from ..choices import HANDLING_CLOCK_STATES, RESPONSE_CLOCK_STATES, EscalationKind
from ..models import Case, CaseEvent, Escalation, EscalationSweep
from ..permissions import CaseAction
from . import notices
from .whistle import mark_absent

K = EscalationKind


@dataclass(frozen=True)
class Watch:
    kind: str
    states: tuple
    trigger: str  # the column whose moment has come
    deadline: str  # the deadline the row is about
    mark: str  # set once handled; a moved deadline clears it
    overdue: bool


# Overdue first: a case that passed both moments since the last run is escalated, not warned.
WATCHES = (
    Watch(K.RESPONSE_OVERDUE, RESPONSE_CLOCK_STATES, "response_due", "response_due", "response_escalated_at", True),
    Watch(K.HANDLING_OVERDUE, HANDLING_CLOCK_STATES, "handling_due", "handling_due", "handling_escalated_at", True),
    Watch(K.RESPONSE_WARNING, RESPONSE_CLOCK_STATES, "response_warn_at", "response_due", "response_warned_at", False),
    Watch(K.HANDLING_WARNING, HANDLING_CLOCK_STATES, "handling_warn_at", "handling_due", "handling_warned_at", False),
)
WARNED_BY_OVERDUE = {"response_escalated_at": "response_warned_at", "handling_escalated_at": "handling_warned_at"}

# The level over the dispatcher: a community's cases escalate to its street, a street's to its
# district, a district's to its city.
SUPERVISOR_SQL = ("CASE c.dispatcher_level WHEN 'community' THEN c.street_id WHEN 'street' THEN c.district_id "
                  "ELSE c.city_id END")

TITLES = {
    K.RESPONSE_WARNING: ngettext_lazy("%(n)d case waits to be accepted and is nearly due",
                                      "%(n)d cases wait to be accepted and are nearly due", "n"),
    K.HANDLING_WARNING: ngettext_lazy("%(n)d case is nearly due", "%(n)d cases are nearly due", "n"),
    K.RESPONSE_OVERDUE: ngettext_lazy("%(n)d case not accepted in time: escalated",
                                      "%(n)d cases not accepted in time: escalated", "n"),
    K.HANDLING_OVERDUE: ngettext_lazy("%(n)d case overdue: escalated", "%(n)d cases overdue: escalated", "n"),
}
BODY = gettext_lazy("Unit: %(unit)s. First case: %(number)s.")


def sweep(now=None) -> dict[str, int]:
    """One run over every open case; returns how many escalations of each kind it wrote."""
    now = now or timezone.now()
    with transaction.atomic():
        run = EscalationSweep.objects.create(started_at=now)
        counts = {str(w.kind): _escalate(w, run, now) for w in WATCHES}
        counts["absent"] = mark_absent(now)
        if any(counts[str(w.kind)] for w in WATCHES):
            _log_overdue(run, now)
            _notify(run)
        run.finished_at = timezone.now()
        run.counts = counts
        run.save(update_fields=["finished_at", "counts"])
    return counts


def _escalate(watch: Watch, run: EscalationSweep, now) -> int:
    case_t, esc_t = Case._meta.db_table, Escalation._meta.db_table
    # The states are written into the SQL, not bound: SQLite uses a partial index only when the
    # query repeats its condition with the same constants. (They are our own choices, not input.)
    states = ", ".join(f"'{state}'" for state in watch.states)
    due = f"c.{watch.trigger} <= %s"
    if not watch.overdue:
        due += f" AND c.{watch.deadline} > %s"  # past the deadline it is the escalation's business
    supervisor = SUPERVISOR_SQL if watch.overdue else "NULL"
    now = connection.ops.adapt_datetimefield_value(now)  # raw SQL: the backend's own datetime form
    params = [watch.kind, run.pk, now, now] + ([] if watch.overdue else [now])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {esc_t} (case_id, kind, deadline, sweep_id, handling_department_id, "  # noqa: S608
            f"handling_division_id, escalated_to_id, created_at) "
            f"SELECT c.id, %s, c.{watch.deadline}, %s, c.handling_department_id, c.handling_division_id, "
            f"{supervisor}, %s FROM {case_t} c "
            f"WHERE c.state IN ({states}) AND c.{watch.mark} IS NULL AND {due} "
            f"ON CONFLICT DO NOTHING",
            params,
        )
        written = cursor.rowcount
        # Mark every case that now has its row (new, or left by an earlier run of the same deadline).
        also = f", {WARNED_BY_OVERDUE[watch.mark]} = COALESCE({WARNED_BY_OVERDUE[watch.mark]}, %s)" \
            if watch.overdue else ""
        cursor.execute(
            f"UPDATE {case_t} SET {watch.mark} = %s{also} WHERE id IN ("  # noqa: S608
            f"SELECT c.id FROM {case_t} c JOIN {esc_t} e ON e.case_id = c.id AND e.kind = %s "
            f"AND e.deadline = c.{watch.deadline} "
            f"WHERE c.state IN ({states}) AND c.{watch.mark} IS NULL AND {due})",
            [now, *([now] if watch.overdue else []), watch.kind, now] + ([] if watch.overdue else [now]),
        )
    return max(written, 0)


def _log_overdue(run: EscalationSweep, now) -> None:
    """A timeline row on every escalated case (staff only), written set-based as well."""
    event_t, esc_t = CaseEvent._meta.db_table, Escalation._meta.db_table
    now = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {event_t} (case_id, at, actor_id, actor_label, unit_name, kind, from_state, to_state, "  # noqa: S608
            f"note, public_note, is_public, data) "
            f"SELECT e.case_id, %s, NULL, 'system', '', 'escalated', '', '', e.kind, '', %s, '{{}}' "
            f"FROM {esc_t} e WHERE e.sweep_id = %s AND e.kind IN (%s, %s)",
            [now, False, run.pk, K.RESPONSE_OVERDUE, K.HANDLING_OVERDUE],
        )


def _notify(run: EscalationSweep) -> None:
    """One notification per person and kind: the unit's staff, and for overdue cases the officers
    of the supervising level."""
    groups = (Escalation.objects.filter(sweep=run)
              .values("kind", "handling_department_id", "handling_division_id", "escalated_to_id")
              .annotate(n=Count("id")))
    for group in groups:
        sample = (Escalation.objects.filter(
            sweep=run, kind=group["kind"], handling_department_id=group["handling_department_id"],
            handling_division_id=group["handling_division_id"], escalated_to_id=group["escalated_to_id"])
            .select_related("case").order_by("case_id").first())
        department = Department.objects.filter(pk=group["handling_department_id"]).first()
        division = Division.objects.filter(pk=group["handling_division_id"]).first()
        users = notices.unit_staff(department=department, division=division)
        if group["escalated_to_id"]:
            users += notices.officers([group["escalated_to_id"]], CaseAction.APPROVE)
        unit = (department or division).name if (department or division) else ""
        notices.tell_users(users, sample.case, f"case.{group['kind']}", TITLES[group["kind"]], BODY,
                           n=group["n"], unit=unit)
