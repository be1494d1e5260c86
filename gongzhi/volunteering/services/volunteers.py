"""Registering volunteers: a resident registers themselves (the community approves), or staff
register someone at the desk (active at once); suspension and leaving, each with a reason."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gongzhi.core import audit, scope
from gongzhi.core.errors import DomainError

from ..choices import VolunteerStatus
from ..models import Volunteer
from ..permissions import VolunteeringAction as A
from ..selectors import volunteers as sel
from .base import check_version, locked, require, tell, text

FIELDS = ["user", "community", "status", "status_reason", "skills", "approved_at"]
S = VolunteerStatus
SKILLS_MAX = 12


def _skills(values) -> list[str]:
    skills = []
    for value in values or []:
        value = str(value).strip()[:32]
        if value and value not in skills:
            skills.append(value)
    return skills[:SKILLS_MAX]


def _save_new(volunteer: Volunteer, actor) -> Volunteer:
    try:
        with transaction.atomic():
            volunteer.save(force_insert=True)
    except IntegrityError:
        raise DomainError(_("This person is already registered as a volunteer."), code="duplicate") from None
    audit.record(actor=actor, action="volunteering.volunteer_register", obj=volunteer, division=volunteer.community,
                 after=audit.snapshot(volunteer, FIELDS))
    return volunteer


@transaction.atomic
def register_self(*, actor, community_id, skills=()) -> Volunteer:
    """A resident or party member registers as a volunteer of a community they live in; it waits
    for the community's approval. Registering again after leaving starts a new wait."""
    require(actor, A.SERVE)
    community = scope.check_id(sel.home_communities(actor), community_id)
    existing = Volunteer.objects.select_for_update().filter(user=actor).first()
    if existing is not None:
        if existing.status != S.LEFT:
            raise DomainError(_("You are already registered as a volunteer."), code="duplicate")
        before = audit.snapshot(existing, FIELDS)
        existing.site_in(community)
        existing.status, existing.status_reason, existing.skills = S.PENDING, "", _skills(skills)
        existing.registered_at, existing.approved_at = timezone.now(), None
        existing.version += 1
        existing.save()
        audit.record(actor=actor, action="volunteering.volunteer_register", obj=existing, division=community,
                     before=before, after=audit.snapshot(existing, FIELDS))
        return existing
    volunteer = Volunteer(user=actor, status=S.PENDING, skills=_skills(skills), registered_by=actor)
    volunteer.site_in(community)
    return _save_new(volunteer, actor)


@transaction.atomic
def register_for(*, actor, user_id, community_id, skills=()) -> Volunteer:
    """Staff register a resident of their community (who may have no phone) — active at once."""
    require(actor, A.MANAGE)
    person = scope.check_id(sel.registrable_people(actor), user_id)
    community = scope.check_id(sel.managed_communities(actor), community_id)
    now = timezone.now()
    volunteer = Volunteer(user=person, status=S.ACTIVE, skills=_skills(skills), registered_by=actor,
                          registered_at=now, approved_at=now)
    volunteer.site_in(community)
    return _save_new(volunteer, actor)


def _transition(*, actor, volunteer_id, allowed: tuple, to: str, action: str, reason: str = "",
                expected_version=None, need_reason: bool = False) -> Volunteer:
    seen = scope.check_id(sel.volunteers_for(actor, action=A.MANAGE), volunteer_id)
    volunteer = locked(Volunteer, seen.pk)
    check_version(volunteer, expected_version)
    if volunteer.status not in allowed:
        raise DomainError(_("This cannot be done to a volunteer who is %(status)s.")
                          % {"status": volunteer.get_status_display()}, code="conflict")
    reason = text(reason, _("Reason"), required=need_reason)
    before = audit.snapshot(volunteer, FIELDS)
    volunteer.status, volunteer.status_reason = to, reason
    if to == S.ACTIVE and volunteer.approved_at is None:
        volunteer.approved_at = timezone.now()
    volunteer.version += 1
    volunteer.save()
    audit.record(actor=actor, action=f"volunteering.volunteer_{action}", obj=volunteer, division=volunteer.community,
                 before=before, after=audit.snapshot(volunteer, FIELDS), reason=reason)
    return volunteer


@transaction.atomic
def approve(*, actor, volunteer_id, expected_version=None) -> Volunteer:
    volunteer = _transition(actor=actor, volunteer_id=volunteer_id, allowed=(S.PENDING,), to=S.ACTIVE,
                            action="approve", expected_version=expected_version)
    tell([volunteer.user], verb="volunteering.approved", title=_l("You are now a volunteer of %(community)s"),
         values={"community": volunteer.community.name}, subject=volunteer, url="/volunteering/")
    return volunteer


@transaction.atomic
def decline(*, actor, volunteer_id, reason: str, expected_version=None) -> Volunteer:
    """A registration the community does not take (it ends as left, with the reason)."""
    return _transition(actor=actor, volunteer_id=volunteer_id, allowed=(S.PENDING,), to=S.LEFT, action="decline",
                       reason=reason, expected_version=expected_version, need_reason=True)


@transaction.atomic
def suspend(*, actor, volunteer_id, reason: str, expected_version=None) -> Volunteer:
    return _transition(actor=actor, volunteer_id=volunteer_id, allowed=(S.ACTIVE,), to=S.SUSPENDED,
                       action="suspend", reason=reason, expected_version=expected_version, need_reason=True)


@transaction.atomic
def reinstate(*, actor, volunteer_id, expected_version=None) -> Volunteer:
    return _transition(actor=actor, volunteer_id=volunteer_id, allowed=(S.SUSPENDED,), to=S.ACTIVE,
                       action="reinstate", expected_version=expected_version)


@transaction.atomic
def remove(*, actor, volunteer_id, reason: str, expected_version=None) -> Volunteer:
    """Staff record that a volunteer has left (moved away, asked to), with the reason."""
    return _transition(actor=actor, volunteer_id=volunteer_id, allowed=(S.PENDING, S.ACTIVE, S.SUSPENDED),
                       to=S.LEFT, action="leave", reason=reason, expected_version=expected_version,
                       need_reason=True)


@transaction.atomic
def leave(*, actor, reason: str) -> Volunteer:
    """A volunteer leaves of their own accord."""
    seen = sel.my_volunteer(actor)
    if seen is None or seen.status == S.LEFT:
        raise DomainError(_("You are not registered as a volunteer."))
    volunteer = locked(Volunteer, seen.pk)
    reason = text(reason, _("Reason"))
    before = audit.snapshot(volunteer, FIELDS)
    volunteer.status, volunteer.status_reason = S.LEFT, reason
    volunteer.version += 1
    volunteer.save()
    audit.record(actor=actor, action="volunteering.volunteer_leave", obj=volunteer, division=volunteer.community,
                 before=before, after=audit.snapshot(volunteer, FIELDS), reason=reason)
    return volunteer

