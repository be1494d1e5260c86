"""Squads and rosters, written: found a squad in a street or community, keep its details, enrol and
change members, take them off (kept, with a reason), and readiness checks."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, scope
from gongzhi.core.errors import DomainError, StaleEdit

from .. import selectors as sel
from ..choices import SquadKind, squad_roles
from ..models import ReadinessCheck, ReadinessReply, Squad, SquadMember
from ..permissions import SquadAction

A = SquadAction
SQUAD_FIELDS = ["name", "kind", "muster_point", "division", "is_active", "disbanded_reason"]
MEMBER_FIELDS = ["user", "role", "skills", "phone", "is_active", "left_reason"]
MAX_SKILLS = 20


def text(value, label, *, required: bool = True, limit: int = 200) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("%(field)s is required.") % {"field": label}, details={"field": str(label)})
    if len(value) > limit:
        raise DomainError(_("%(field)s is too long (at most %(n)d characters).") % {"field": label, "n": limit})
    return value


def locked(model, pk):
    return model.objects.select_for_update(of=("self",)).get(pk=pk)


def _kept(actor, squad_id) -> Squad:
    """The squad, locked, if the actor manages it; NotInScope otherwise."""
    squad = scope.check_id(sel.squads_for(actor, A.MANAGE, active_only=False), squad_id)
    return locked(Squad, squad.pk)


def _kind(kind: str) -> str:
    if kind not in SquadKind.values:
        raise DomainError(_("Unknown kind of squad: %(value)s") % {"value": kind})
    return kind


def _role(role: str) -> str:
    if role not in squad_roles():
        raise DomainError(_("Unknown squad role: %(value)s") % {"value": role})
    return role


def _skills(skills) -> list[str]:
    cleaned = list(dict.fromkeys(str(s).strip()[:32] for s in (skills or []) if str(s).strip()))
    if len(cleaned) > MAX_SKILLS:
        raise DomainError(_("At most %(n)d skills.") % {"n": MAX_SKILLS})
    return cleaned


def _phone(phone: str) -> str:
    phone = (phone or "").strip()
    if phone and not (len(phone) == 11 and phone.isdigit() and phone[0] == "1"):
        raise DomainError(_("Enter an 11-digit mainland mobile number."))
    return phone


@transaction.atomic
def create_squad(*, actor, division_id, name: str, kind: str = SquadKind.GENERAL, muster_point: str = "") -> Squad:
    division = scope.check_id(sel.squad_divisions(actor), division_id)
    squad = Squad(name=text(name, _("Name"), limit=100), kind=_kind(kind),
                  muster_point=text(muster_point, _("Muster point"), required=False))
    squad.site_at(division)
    if Squad.objects.filter(division=division, name=squad.name, is_active=True).exists():
        raise DomainError(_("%(division)s already has a squad called %(name)s.")
                          % {"division": division.name, "name": squad.name}, code="duplicate")
    squad.save()
    audit.record(actor=actor, action="squads.create", obj=squad, division=division,
                 after=audit.snapshot(squad, SQUAD_FIELDS))
    return squad


@transaction.atomic
def update_squad(*, actor, squad_id, name: str, kind: str, muster_point: str = "",
                 expected_version: int | None = None) -> Squad:
    squad = _kept(actor, squad_id)
    if expected_version is not None and squad.version != expected_version:
        raise StaleEdit(_("Someone else changed this squad meanwhile. Reload and try again."))
    if not squad.is_active:
        raise DomainError(_("This squad is disbanded."), code="conflict")
    before = audit.snapshot(squad, SQUAD_FIELDS)
    squad.name = text(name, _("Name"), limit=100)
    squad.kind = _kind(kind)
    squad.muster_point = text(muster_point, _("Muster point"), required=False)
    if Squad.objects.filter(division=squad.division, name=squad.name, is_active=True).exclude(pk=squad.pk).exists():
        raise DomainError(_("%(division)s already has a squad called %(name)s.")
                          % {"division": squad.division.name, "name": squad.name}, code="duplicate")
    squad.version += 1
    squad.save(update_fields=["name", "kind", "muster_point", "version"])
    audit.record(actor=actor, action="squads.update", obj=squad, division=squad.division, before=before,
                 after=audit.snapshot(squad, SQUAD_FIELDS))
    return squad


@transaction.atomic
def disband_squad(*, actor, squad_id, reason: str) -> Squad:
    """Disband a squad: kept with its roster, alerts and figures, no longer called out."""
    from ..choices import AlertStatus

    squad = _kept(actor, squad_id)
    if not squad.is_active:
        raise DomainError(_("This squad is disbanded."), code="conflict")
    if squad.alerts.filter(status=AlertStatus.ACTIVE).exists():
        raise DomainError(_("This squad is already out on an alert. Stand it down first."), code="conflict")
    reason = text(reason, _("Reason"))
    before = audit.snapshot(squad, SQUAD_FIELDS)
    squad.is_active, squad.disbanded_reason = False, reason
    squad.version += 1
    squad.save(update_fields=["is_active", "disbanded_reason", "version"])
    audit.record(actor=actor, action="squads.disband", obj=squad, division=squad.division, before=before,
                 after=audit.snapshot(squad, SQUAD_FIELDS), reason=reason)
    return squad


@transaction.atomic
def enrol_member(*, actor, squad_id, user_id, role: str, skills=(), phone: str = "") -> SquadMember:
    squad = _kept(actor, squad_id)
    if not squad.is_active:
        raise DomainError(_("This squad is disbanded."), code="conflict")
    user = scope.check_id(sel.enrollable_users(actor, squad), user_id)
    if SquadMember.objects.filter(squad=squad, user=user, is_active=True).exists():
        raise DomainError(_("%(name)s is already on this squad.") % {"name": user}, code="duplicate")
    member = SquadMember(squad=squad, user=user, role=_role(role), skills=_skills(skills),
                         phone=_phone(phone) or (user.phone or ""))
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:  # enrolled by someone else a moment ago
        raise DomainError(_("%(name)s is already on this squad.") % {"name": user}, code="duplicate") from None
    audit.record(actor=actor, action="squads.enrol", obj=member, division=squad.division,
                 after=audit.snapshot(member, MEMBER_FIELDS))
    from .alerts import call_out_newcomer  # alerts builds on this module

    call_out_newcomer(actor=actor, member=member)
    return member


def _kept_member(actor, member_id) -> SquadMember:
    seen = scope.check_id(sel.members_managed(actor), member_id)
    return locked(SquadMember, seen.pk)


@transaction.atomic
def update_member(*, actor, member_id, role: str, skills=(), phone: str = "",
                  expected_version: int | None = None) -> SquadMember:
    member = _kept_member(actor, member_id)
    if expected_version is not None and member.version != expected_version:
        raise StaleEdit(_("Someone else changed this member meanwhile. Reload and try again."))
    if not member.is_active:
        raise DomainError(_("This member has left the squad."), code="conflict")
    before = audit.snapshot(member, MEMBER_FIELDS)
    member.role, member.skills, member.phone = _role(role), _skills(skills), _phone(phone)
    member.version += 1
    member.save(update_fields=["role", "skills", "phone", "version"])
    audit.record(actor=actor, action="squads.member_update", obj=member, division=member.squad.division,
                 before=before, after=audit.snapshot(member, MEMBER_FIELDS))
    return member


@transaction.atomic
def remove_member(*, actor, member_id, reason: str) -> SquadMember:
    member = _kept_member(actor, member_id)
    if not member.is_active:
        raise DomainError(_("This member has left the squad."), code="conflict")
    reason = text(reason, _("Reason"))
    before = audit.snapshot(member, MEMBER_FIELDS)
    member.is_active, member.left_at, member.left_reason = False, timezone.now(), reason
    member.version += 1
    member.save(update_fields=["is_active", "left_at", "left_reason", "version"])
    audit.record(actor=actor, action="squads.member_remove", obj=member, division=member.squad.division,
                 before=before, after=audit.snapshot(member, MEMBER_FIELDS), reason=reason)
    return member


# --- readiness ------------------------------------------------------------------------------------

@transaction.atomic
def start_readiness_check(*, actor, squad_id, hours: int = 24) -> ReadinessCheck:
    """Ask every active member whether they are ready; the answers count until `hours` pass."""
    from gongzhi.notifications.services import notify

    squad = _kept(actor, squad_id)
    if not squad.is_active:
        raise DomainError(_("This squad is disbanded."), code="conflict")
    if not 1 <= int(hours) <= 168:
        raise DomainError(_("The window is 1 to 168 hours."))
    members = list(SquadMember.objects.filter(squad=squad, is_active=True).select_related("user"))
    if not members:
        raise DomainError(_("The squad has no members to ask."))
    now = timezone.now()
    check = ReadinessCheck.objects.create(squad=squad, started_by=actor, started_at=now,
                                          closes_at=now + dt.timedelta(hours=int(hours)), asked=len(members))
    audit.record(actor=actor, action="squads.readiness_check", obj=squad, division=squad.division,
                 after={"check": check.pk, "asked": check.asked, "closes_at": check.closes_at.isoformat()})
    from .alerts import site_text

    with site_text():
        notify(users=[m.user for m in members], verb="squads.readiness", email=False,
               title=_("Readiness check: %(squad)s") % {"squad": squad.name},
               body=_("Are you ready to turn out? Answer on the squad page."), url="/squads/my/")
    return check


@transaction.atomic
def answer_readiness(*, actor, check_id, ready: bool, note: str = "") -> ReadinessReply:
    check, member = sel.check_for_member(actor, check_id)
    try:
        with transaction.atomic():
            reply = ReadinessReply.objects.create(check_run=check, member=member, ready=bool(ready),
                                                  note=text(note, _("Note"), required=False))
    except IntegrityError:
        raise DomainError(_("You have already answered this check."), code="duplicate") from None
    audit.record(actor=actor, action="squads.readiness_answer", obj=member, division=check.squad.division,
                 after={"check": check.pk, "ready": reply.ready})
    return reply
