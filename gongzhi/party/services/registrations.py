"""The double report-in (双报到), written: a unit's organisation registers with a co-building community
(agreement, offers, yearly projects, ended with a reason); a member reports in to the community
they live in, each period, and the community confirms or declines (or registers them at its desk).

Each write is one transaction with its audit row; every id that arrives in a request is checked
here against the same scoped selector the page offers its choices from."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, scope
from gongzhi.core.errors import DomainError, StaleEdit
from gongzhi.core.seams import hooks

from ..choices import Offer, ProjectStatus, RegistrationStatus, ReportInMethod
from ..models import Member, MemberRegistration, Policy, Project, UnitRegistration
from ..permissions import PartyAction
from ..selectors import registrations as sel

A = PartyAction
UNIT_FIELDS = ["organisation", "community", "offers", "agreement", "signed_on", "contact_name", "status",
               "ended_on", "end_reason"]
PROJECT_FIELDS = ["title", "year", "description", "status", "progress", "note"]
REGISTRATION_FIELDS = ["member", "community", "period_start", "period_end", "method", "status", "decline_reason"]


def text(value, label, *, required: bool = True, limit: int = 200) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("%(field)s is required.") % {"field": label}, details={"field": label})
    if len(value) > limit:
        raise DomainError(_("%(field)s is too long (at most %(n)d characters).") % {"field": label, "n": limit})
    return value


def locked(model, pk):
    return model.objects.select_for_update(of=("self",)).get(pk=pk)


def _site(row, community) -> None:
    row.community = community
    row.street_id = community.street_id
    row.district_id = community.district_id


def ensure_policy() -> Policy:
    """The policy row, created with the defaults the first time a service needs it."""
    policy = Policy.objects.select_for_update().order_by("pk").first()
    return policy or Policy.objects.create()


# --- units ---------------------------------------------------------------------------------------


def _clean_offers(offers) -> list[str]:
    offers = list(dict.fromkeys(offers or []))
    unknown = [o for o in offers if o not in Offer.values]
    if unknown:
        raise DomainError(_("Unknown offer: %(value)s") % {"value": ", ".join(map(str, unknown))})
    return offers


@transaction.atomic
def register_unit(*, actor, organisation_id, community_id, offers=(), agreement: str = "",
                  signed_on: dt.date | None = None, contact_name: str = "",
                  registered_on: dt.date | None = None) -> UnitRegistration:
    """Register a unit's organisation with a co-building community: the community's desk
    (PartyAction.CONFIRM over it) registers a unit it sees; a unit's secretary registers their own
    unit with any community."""
    organisation = scope.check_id(sel.registrable_units(actor), organisation_id)
    own = organisation.pk in {o.pk for o in sel.unit_secretary_posts(actor)}
    community = scope.check_id(sel.report_in_communities() if own else sel.desk_communities(actor), community_id)
    if UnitRegistration.objects.filter(organisation=organisation, community=community,
                                       ended_on__isnull=True).exists():
        raise DomainError(_("%(unit)s is already registered with %(community)s.")
                          % {"unit": organisation.name, "community": community.name}, code="duplicate")
    reg = UnitRegistration(organisation=organisation, offers=_clean_offers(offers),
                           agreement=text(agreement, _("Agreement"), required=False, limit=5000),
                           signed_on=signed_on, contact_name=text(contact_name, _("Contact"), required=False,
                                                                  limit=64),
                           registered_on=registered_on or timezone.localdate(),
                           status=RegistrationStatus.CONFIRMED)
    _site(reg, community)
    try:
        with transaction.atomic():
            reg.save()
    except IntegrityError:
        raise DomainError(_("%(unit)s is already registered with %(community)s.")
                          % {"unit": organisation.name, "community": community.name}, code="duplicate") from None
    audit.record(actor=actor, action="party.unit_register", obj=reg, division=community,
                 after=audit.snapshot(reg, UNIT_FIELDS))
    return reg


def _unit_desk(actor, registration_id) -> UnitRegistration:
    """The registration, locked, if the actor keeps it (its community's desk, or its unit's
    secretary); 404 if they do not even see it, 403 if they only see it."""
    reg = scope.check_id(sel.unit_registrations_for(actor), registration_id)
    if not sel.unit_desk_registrations(actor).filter(pk=reg.pk).exists():
        raise PermissionDenied(_("You may not do this here."))
    return locked(UnitRegistration, reg.pk)


@transaction.atomic
def end_registration(*, actor, registration_id, reason: str, expected_version: int | None = None) -> UnitRegistration:
    """End a unit's registration with its community (the agreement lapsed, the unit left)."""
    reg = _unit_desk(actor, registration_id)
    if expected_version is not None and reg.version != expected_version:
        raise StaleEdit(_("Someone else changed this registration meanwhile. Reload and try again."))
    if reg.ended_on is not None:
        raise DomainError(_("This registration has already ended."), code="conflict")
    reason = text(reason, _("Reason"))
    before = audit.snapshot(reg, UNIT_FIELDS)
    reg.ended_on = timezone.localdate()
    reg.end_reason = reason
    reg.status = RegistrationStatus.ENDED
    reg.version += 1
    reg.save(update_fields=["ended_on", "end_reason", "status", "version"])
    audit.record(actor=actor, action="party.unit_end", obj=reg, division=reg.community, before=before,
                 after=audit.snapshot(reg, UNIT_FIELDS), reason=reason)
    return reg


def _clean_project(values: dict) -> dict:
    out = dict(values)
    if "title" in out:
        out["title"] = text(out["title"], _("Project"))
    if "description" in out:
        out["description"] = text(out["description"], _("Description"), required=False, limit=5000)
    if "note" in out:
        out["note"] = text(out["note"], _("Latest progress"), required=False, limit=500)
    if "status" in out and out["status"] not in ProjectStatus.values:
        raise DomainError(_("Unknown status: %(value)s") % {"value": out["status"]})
    if "progress" in out:
        progress = out["progress"]
        if progress is None or not 0 <= int(progress) <= 100:
            raise DomainError(_("Progress is a percentage from 0 to 100."))
        out["progress"] = int(progress)
    if "year" in out and not 2000 <= int(out["year"]) <= 2100:
        raise DomainError(_("The year is not valid."))
    return out


@transaction.atomic
def add_project(*, actor, registration_id, title: str, year: int | None = None, description: str = "",
                status: str = ProjectStatus.PLANNED, progress: int = 0) -> Project:
    """A co-building project of the year for a unit's registration."""
    reg = _unit_desk(actor, registration_id)
    if reg.ended_on is not None:
        raise DomainError(_("This registration has already ended."), code="conflict")
    values = _clean_project({"title": title, "year": year or timezone.localdate().year, "description": description,
                             "status": status, "progress": progress})
    project = Project.objects.create(registration=reg, **values)
    audit.record(actor=actor, action="party.project_add", obj=project, division=reg.community,
                 after=audit.snapshot(project, PROJECT_FIELDS))
    return project


@transaction.atomic
def update_project(*, actor, project_id, expected_version: int | None = None, **changes) -> Project:
    """A project's status and progress (and its text); a stale edit is refused."""
    unknown = set(changes) - {"title", "description", "status", "progress", "note"}
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    project = scope.check_id(Project.objects.filter(registration__in=sel.unit_registrations_for(actor)), project_id)
    _unit_desk(actor, project.registration_id)
    project = locked(Project, project.pk)
    if expected_version is not None and project.version != expected_version:
        raise StaleEdit(_("Someone else changed this project meanwhile. Reload and try again."))
    before = audit.snapshot(project, PROJECT_FIELDS)
    changed = []
    for name, value in _clean_project(changes).items():
        if getattr(project, name) != value:
            setattr(project, name, value)
            changed.append(name)
    if project.status == ProjectStatus.DONE and project.progress != 100:
        project.progress = 100
        changed.append("progress")
    if not changed:
        return project
    project.version += 1
    project.updated_at = timezone.now()
    project.save(update_fields=[*set(changed), "version", "updated_at"])
    audit.record(actor=actor, action="party.project_update", obj=project, division=project.registration.community,
                 before=before, after=audit.snapshot(project, PROJECT_FIELDS))
    return project


# --- members -------------------------------------------------------------------------------------


def _duplicate(existing: MemberRegistration) -> DomainError:
    return DomainError(
        _("%(name)s has already reported in for this period (%(community)s, %(status)s).")
        % {"name": existing.member.name, "community": existing.community.name,
           "status": existing.get_status_display()}, code="duplicate")


def _create_registration(*, actor, member: Member, community, method: str, key: str | None,
                         status: str = RegistrationStatus.PENDING) -> MemberRegistration:
    member = locked(Member, member.pk)  # one report-in at a time per member
    period = sel.member_period()
    existing = sel.live_registration(member, period)
    if existing is not None:
        raise _duplicate(existing)
    now = timezone.now()
    reg = MemberRegistration(member=member, period_start=period.start, period_end=period.end, method=method,
                             status=status, idempotency_key=key or None, reported_at=now)
    _site(reg, community)
    if status == RegistrationStatus.CONFIRMED:
        reg.decided_at, reg.decided_by = now, actor
    with transaction.atomic():
        reg.save()
    if status == RegistrationStatus.CONFIRMED:
        _first_report_in(reg)
    audit.record(actor=actor, action="party.report_in", obj=reg, division=community,
                 after=audit.snapshot(reg, REGISTRATION_FIELDS))
    return reg


def report_in(*, actor, community_id, method: str = ReportInMethod.PICKED,
              idempotency_key: str = "") -> tuple[MemberRegistration, bool]:
    """The member reports in to a community for this period (PartyAction.REPORT_IN, their own
    record). A second report-in in the same period is refused unless the first was declined; the
    same idempotency key again (a double tap) returns the first, with False."""
    key = (idempotency_key or "").strip()[:64]
    if key:
        first = _repeat(actor, key)
        if first is not None:
            return first, False
    try:
        with transaction.atomic():
            return _report_in(actor, community_id, method, key), True
    except IntegrityError:
        first = _repeat(actor, key) if key else None
        if first is not None:
            return first, False
        member = sel.my_member(actor)
        existing = member and sel.live_registration(member, sel.member_period())
        if existing:
            raise _duplicate(existing) from None
        raise


def _repeat(actor, key: str) -> MemberRegistration | None:
    first = MemberRegistration.objects.filter(idempotency_key=key).select_related("member", "community").first()
    if first is not None and first.member.user_id != getattr(actor, "pk", None):
        raise DomainError(_("This idempotency key was already used for a different report-in."), code="conflict")
    return first


def _report_in(actor, community_id, method: str, key: str) -> MemberRegistration:
    if not scope.may(actor, A.REPORT_IN):
        raise PermissionDenied(_("Only a party member may report in."))
    member = scope.restrict(Member.objects.filter(user=actor), actor, A.REPORT_IN).filter(
        state="active").first()
    if member is None:
        raise PermissionDenied(_("Only a party member may report in."))
    if method not in (ReportInMethod.QR, ReportInMethod.PICKED):
        raise DomainError(_("Unknown way of reporting in: %(value)s") % {"value": method})
    community = scope.check_id(sel.report_in_communities(), community_id)
    return _create_registration(actor=actor, member=member, community=community, method=method, key=key)


@transaction.atomic
def register_at_desk(*, actor, member_id, community_id) -> MemberRegistration:
    """The community registers a member living there at its desk, confirmed at once."""
    member = scope.check_id(sel.desk_members(actor), member_id)
    community = scope.check_id(sel.desk_communities(actor), community_id)
    return _create_registration(actor=actor, member=member, community=community, method=ReportInMethod.DESK,
                                key=None, status=RegistrationStatus.CONFIRMED)


def _first_report_in(reg: MemberRegistration) -> None:
    """Keep the member's report-in dates (Member.first_reported_on, reported_period) with a confirmation."""
    hooks.announce("party.member_registration_confirmed", registration=reg)  # points for the report-in
    Member.objects.filter(pk=reg.member_id, first_reported_on__isnull=True).update(first_reported_on=reg.period_start)
    Member.objects.filter(Q(reported_period__isnull=True) | Q(reported_period__lt=reg.period_start),
                          pk=reg.member_id).update(reported_period=reg.period_start)


def backfill_first_report_ins() -> int:
    """Set the members' report-in dates from their confirmed report-ins (after a bulk load: the demo,
    an import of earlier years' report-ins)."""
    from django.db.models import OuterRef, Subquery

    confirmed = MemberRegistration.objects.filter(member=OuterRef("pk"), status=RegistrationStatus.CONFIRMED)
    members = MemberRegistration.objects.filter(status=RegistrationStatus.CONFIRMED).values("member_id")
    return Member.objects.filter(first_reported_on__isnull=True, pk__in=members).update(
        first_reported_on=Subquery(confirmed.order_by("period_start").values("period_start")[:1]),
        reported_period=Subquery(confirmed.order_by("-period_start").values("period_start")[:1]))


def _decide(actor, registration_id, status: str, reason: str = "") -> MemberRegistration:
    if not scope.may(actor, A.CONFIRM):
        raise PermissionDenied(_("You may not do this here."))
    seen = scope.check_id(sel.registrations_for(actor), registration_id)
    if not sel.confirmable_registrations(actor).filter(pk=seen.pk).exists():
        raise PermissionDenied(_("You may not do this here."))
    reg = locked(MemberRegistration, seen.pk)
    if reg.status != RegistrationStatus.PENDING:
        raise DomainError(_("This report-in was already decided: %(status)s.") % {"status": reg.get_status_display()},
                          code="conflict")
    before = audit.snapshot(reg, REGISTRATION_FIELDS)
    reg.status, reg.decided_at, reg.decided_by = status, timezone.now(), actor
    reg.decline_reason = reason
    reg.save(update_fields=["status", "decided_at", "decided_by", "decline_reason"])
    if status == RegistrationStatus.CONFIRMED:
        _first_report_in(reg)
    action = "party.report_in_confirm" if status == RegistrationStatus.CONFIRMED else "party.report_in_decline"
    audit.record(actor=actor, action=action, obj=reg, division=reg.community, before=before,
                 after=audit.snapshot(reg, REGISTRATION_FIELDS), reason=reason)
    return reg


@transaction.atomic
def confirm_registration(*, actor, registration_id) -> MemberRegistration:
    """The community confirms a member's report-in (PartyAction.CONFIRM over the community)."""
    return _decide(actor, registration_id, RegistrationStatus.CONFIRMED)


@transaction.atomic
def decline_registration(*, actor, registration_id, reason: str) -> MemberRegistration:
    """The community declines a report-in, saying why (the member may report in again)."""
    reason = text(reason, _("Reason"))
    return _decide(actor, registration_id, RegistrationStatus.DECLINED, reason)


@transaction.atomic
def set_policy(*, actor, period_months: int, feedback_months: int, unit_line_percent: int,
               expected_version: int | None = None) -> Policy:
    """Change the report-in rules (the city's)."""
    if not sel.may_set_policy(actor):
        raise PermissionDenied(_("You may not do this here."))
    policy = ensure_policy()
    if expected_version is not None and policy.version != expected_version:
        raise StaleEdit(_("Someone else changed the report-in rules meanwhile. Reload and try again."))
    if period_months not in (1, 2, 3, 4, 6, 12) or feedback_months not in (1, 2, 3, 4, 6, 12):
        raise DomainError(_("A period must divide the year (1, 2, 3, 4, 6 or 12 months)."))
    if not 0 <= unit_line_percent <= 100:
        raise DomainError(_("The flag line is a percentage from 0 to 100."))
    fields = ["period_months", "feedback_months", "unit_line_percent"]
    before = audit.snapshot(policy, fields)
    policy.period_months, policy.feedback_months = period_months, feedback_months
    policy.unit_line_percent = unit_line_percent
    policy.version += 1
    policy.updated_at = timezone.now()
    policy.save()
    audit.record(actor=actor, action="party.policy_update", obj=policy, before=before,
                 after=audit.snapshot(policy, fields))
    return policy
