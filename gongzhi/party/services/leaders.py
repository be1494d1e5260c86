"""Linked leaders (挂点联系), written: a district or street leader linked to a street or community
(PartyAction.LEADERS over it), the link ended with a reason, their visits, and the problems they
took on (领办) followed to a resolution — optionally carried by a case of the case loop, named by its
tracking number and checked against the actor's own case scope."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases import selectors as case_selectors
from gongzhi.core import audit, scope
from gongzhi.core.errors import DomainError, StaleEdit

from ..choices import ProblemStatus
from ..models import LeaderLink, LeaderProblem, LeaderVisit
from ..permissions import PartyAction
from ..selectors import leaders as sel
from .registrations import locked, text

A = PartyAction
LINK_FIELDS = ["user", "name", "title", "division", "started_on", "ended_on"]
PROBLEM_FIELDS = ["title", "status", "taken_on", "solved_on", "resolution", "case"]


def _linkable(actor, division_id):
    return scope.check_id(sel.linkable_divisions(actor), division_id)


def _keep(actor, link_id) -> LeaderLink:
    """The link, locked, if the actor may keep it (LEADERS over its division), else 404."""
    link = scope.check_id(sel.links_for(actor, current_only=False, action=A.LEADERS), link_id)
    return locked(LeaderLink, link.pk)


@transaction.atomic
def link_leader(*, actor, division_id, title: str, name: str = "", user_id=None,
                started_on: dt.date | None = None) -> LeaderLink:
    """Link a leader (a user of the platform, or a name) to a street or community."""
    division = _linkable(actor, division_id)
    user = None
    if user_id:
        user = scope.check_id(sel.linkable_users(actor), user_id)
        name = name or user.get_full_name() or user.get_username()
    link = LeaderLink(user=user, name=text(name, _("Leader"), limit=64), title=text(title, _("Post"), limit=100),
                      division=division, started_on=started_on or timezone.localdate())
    link.street_id = division.street_id
    link.district_id = division.district_id
    link.community_id = division.pk if division.level == "community" else None
    if LeaderLink.objects.filter(division=division, name=link.name, ended_on__isnull=True).exists():
        raise DomainError(_("%(name)s is already linked to %(division)s.") % {"name": link.name,
                                                                              "division": division.name},
                          code="duplicate")
    link.save()
    audit.record(actor=actor, action="party.leader_link", obj=link, division=division,
                 after=audit.snapshot(link, LINK_FIELDS))
    return link


@transaction.atomic
def end_link(*, actor, link_id, reason: str) -> LeaderLink:
    link = _keep(actor, link_id)
    if link.ended_on is not None:
        raise DomainError(_("This link has already ended."), code="conflict")
    reason = text(reason, _("Reason"))
    before = audit.snapshot(link, LINK_FIELDS)
    link.ended_on = timezone.localdate()
    link.save(update_fields=["ended_on"])
    audit.record(actor=actor, action="party.leader_end", obj=link, division=link.division, before=before,
                 after=audit.snapshot(link, LINK_FIELDS), reason=reason)
    return link


@transaction.atomic
def record_visit(*, actor, link_id, visited_on: dt.date, summary: str) -> LeaderVisit:
    """A visit of the linked leader to their street or community, and what was done."""
    link = _keep(actor, link_id)
    if link.ended_on is not None:
        raise DomainError(_("This link has already ended."), code="conflict")
    if visited_on is None or visited_on > timezone.localdate():
        raise DomainError(_("The date of the visit cannot be in the future."))
    visit = LeaderVisit.objects.create(link=link, visited_on=visited_on,
                                       summary=text(summary, _("What was done"), limit=5000), recorded_by=actor)
    audit.record(actor=actor, action="party.leader_visit", obj=link, division=link.division,
                 after={"visit": visit.pk, "visited_on": visited_on.isoformat(), "summary": visit.summary[:200]})
    return visit


def _case(actor, tracking_number: str):
    tracking_number = (tracking_number or "").strip()
    if not tracking_number:
        return None
    case = case_selectors.cases_for(actor).filter(tracking_number=tracking_number).first()
    if case is None:
        raise DomainError(_("No case with the tracking number %(number)s is in your scope.")
                          % {"number": tracking_number}, code="not_found", details={"case": tracking_number})
    return case


@transaction.atomic
def take_problem(*, actor, link_id, title: str, visit_id=None, case_number: str = "",
                 taken_on: dt.date | None = None) -> LeaderProblem:
    """A problem the linked leader takes on (from a visit or not), optionally carried by a case."""
    link = _keep(actor, link_id)
    if link.ended_on is not None:
        raise DomainError(_("This link has already ended."), code="conflict")
    visit = scope.check_id(sel.visits_of(link), visit_id) if visit_id else None
    problem = LeaderProblem.objects.create(link=link, visit=visit, title=text(title, _("Problem")),
                                           case=_case(actor, case_number), taken_on=taken_on or timezone.localdate())
    audit.record(actor=actor, action="party.problem_take", obj=problem, division=link.division,
                 after=audit.snapshot(problem, PROBLEM_FIELDS))
    return problem


@transaction.atomic
def update_problem(*, actor, problem_id, status: str, resolution: str = "",
                   expected_version: int | None = None) -> LeaderProblem:
    """Move a problem on (under way), or mark it solved with how it was solved."""
    seen = scope.check_id(LeaderProblem.objects.filter(link__in=sel.links_for(actor, current_only=False,
                                                                              action=A.LEADERS)), problem_id)
    problem = locked(LeaderProblem, seen.pk)
    if expected_version is not None and problem.version != expected_version:
        raise StaleEdit(_("Someone else changed this problem meanwhile. Reload and try again."))
    if status not in ProblemStatus.values:
        raise DomainError(_("Unknown status: %(value)s") % {"value": status})
    if problem.status == ProblemStatus.SOLVED:
        raise DomainError(_("This problem is already solved."), code="conflict")
    before = audit.snapshot(problem, PROBLEM_FIELDS)
    problem.status = status
    if status == ProblemStatus.SOLVED:
        problem.resolution = text(resolution, _("How it was solved"), limit=5000)
        problem.solved_on = timezone.localdate()
    elif resolution:
        problem.resolution = text(resolution, _("How it was solved"), limit=5000)
    problem.version += 1
    problem.save(update_fields=["status", "resolution", "solved_on", "version"])
    audit.record(actor=actor, action="party.problem_update", obj=problem, division=problem.link.division,
                 before=before, after=audit.snapshot(problem, PROBLEM_FIELDS))
    return problem
