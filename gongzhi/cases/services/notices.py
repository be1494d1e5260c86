"""Who is told what about a case. Called inside the transition's transaction; the in-app rows
commit with it and e-mail and SMS leave after commit (gongzhi.notifications.services.notify).

Texts are written in the site's language: they go to people other than the one acting."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import RoleAssignment, User
from gongzhi.core import roles
from gongzhi.notifications.services import notify

from ..choices import FollowKind
from ..models import Case, CaseFollower
from ..permissions import CaseAction

# Where people follow a case; the pages serve these paths.
TRACK_PATH = "/cases/track/{code}"
STAFF_PATH = "/cases/{pk}/"


def track_url(case: Case) -> str:
    # The code, never the number: the link is public, and numbers can be counted.
    return TRACK_PATH.format(code=case.tracking_code)


def staff_url(case: Case) -> str:
    return STAFF_PATH.format(pk=case.pk)


def _roles_with(action: str) -> list[str]:
    return roles.holders_of(action)


def unit_staff(*, department=None, division=None) -> list[User]:
    """The people working for a handling unit: a department's staff, or the officers of a
    division's own office who may handle cases."""
    live = RoleAssignment.objects.filter(revoked_at__isnull=True)
    if department is not None:
        live = live.filter(department=department)
    elif division is not None:
        live = live.filter(division=division, role__in=_roles_with(CaseAction.HANDLE))
    else:
        return []
    return list(User.objects.filter(pk__in=live.values("user_id"), is_active=True))


def officers(divisions, action: str) -> list[User]:
    """The people holding a role with `action` at exactly these divisions (e.g. who approves for a
    street, who leads a district)."""
    ids = [d.pk if hasattr(d, "pk") else d for d in divisions if d is not None]
    live = RoleAssignment.objects.filter(revoked_at__isnull=True, division_id__in=ids, role__in=_roles_with(action))
    return list(User.objects.filter(pk__in=live.values("user_id"), is_active=True))


def followers(case: Case) -> dict[bool, tuple[list[User], list[str]]]:
    """Who follows the case, as users and phone numbers, in two groups: its reporter (True), and
    everyone else (False): residents who chose to follow it and the reporters of duplicates merged
    into it, who did not file this report."""
    groups = {True: ([], []), False: ([], [])}
    for row in CaseFollower.objects.filter(case=case).select_related("user"):
        users, phones = groups[row.kind == FollowKind.REPORTER]
        if row.user_id:
            users.append(row.user)
        elif row.phone:
            phones.append(row.phone)
    # A phone told as the reporter is not texted again as a follower.
    told = {*groups[True][1], *(u.phone for u in groups[True][0] if u.phone)}
    groups[False][1][:] = [p for p in groups[False][1] if p not in told]
    return groups


def _tell(users, *, verb: str, title, body, values: dict, case: Case | None, url: str, phones=(), sms=False):
    """Format the (lazy) texts in the site's language and notify."""
    with translation.override(settings.LANGUAGE_CODE):
        notify(users=users, phones=phones, verb=verb, title=str(title % values),
               body=str(body % values) if body else "", subject=case, url=url, sms=sms)


# --- residents ----------------------------------------------------------------------------------

RESIDENT_NOTICES = {
    # verb → (title, body) as the case's reporter reads them; %(number)s, %(unit)s, %(reason)s,
    # %(survivor)s are filled in.
    "case.registered": (gettext_lazy("Case %(number)s registered"),
                        gettext_lazy("Your report was accepted as case %(number)s. Follow it at the tracking page.")),
    "case.rejected": (gettext_lazy("Report %(number)s not registered"),
                      gettext_lazy("Your report %(number)s was not registered: %(reason)s")),
    "case.dispatched": (gettext_lazy("Case %(number)s dispatched"),
                        gettext_lazy("Case %(number)s was sent to %(unit)s to handle.")),
    "case.resolved": (gettext_lazy("Case %(number)s resolved"),
                      gettext_lazy("%(unit)s reports case %(number)s resolved: %(reason)s")),
    "case.rating_wanted": (gettext_lazy("How was case %(number)s handled?"),
                           gettext_lazy("Case %(number)s is closed. Please rate how it was handled.")),
    "case.merged": (gettext_lazy("Your report %(number)s joins case %(survivor)s"),
                    gettext_lazy("Someone reported the same problem: follow and rate case %(survivor)s instead.")),
    "case.voided": (gettext_lazy("Case %(number)s voided"), gettext_lazy("Case %(number)s was voided: %(reason)s")),
}

# Where the reporter reads "your report", what the other followers read instead: it is not theirs.
FOLLOWER_NOTICES = {
    "case.registered": (RESIDENT_NOTICES["case.registered"][0],
                        gettext_lazy("Case %(number)s, which you follow, was accepted. See how it goes at the "
                                     "tracking page.")),
    "case.rejected": (RESIDENT_NOTICES["case.rejected"][0],
                      gettext_lazy("Case %(number)s, which you follow, was not registered: %(reason)s")),
    "case.merged": (gettext_lazy("Case %(number)s, which you follow, joins case %(survivor)s"),
                    gettext_lazy("Someone reported the same problem: you follow case %(survivor)s now, and rate "
                                 "it when it is closed.")),
}


def tell_followers(case: Case, verb: str, *, reason: str = "", survivor: Case | None = None) -> None:
    values = {"number": case.tracking_number, "unit": case.handling_unit_name, "reason": reason,
              "survivor": survivor.tracking_number if survivor else ""}
    target = survivor or case
    for reporter, (users, phones) in followers(case).items():
        if not users and not phones:
            continue
        title, body = RESIDENT_NOTICES[verb] if reporter else FOLLOWER_NOTICES.get(verb, RESIDENT_NOTICES[verb])
        _tell(users, phones=phones, sms=True, verb=verb, title=title, body=body, values=values, case=target,
              url=track_url(target))


# --- staff --------------------------------------------------------------------------------------


def _values(case: Case, values: dict) -> dict:
    return {"number": case.tracking_number, "unit": case.handling_unit_name, **values}


def tell_unit(case: Case, verb: str, title, body="", **values) -> None:
    """The handling unit's staff. `title` and `body` are lazy texts with %(name)s fields."""
    users = unit_staff(department=case.handling_department, division=case.handling_division)
    _tell(users, verb=verb, title=title, body=body, values=_values(case, values), case=case, url=staff_url(case))


def tell_approvers(case: Case, verb: str, title, body="", **values) -> None:
    users = officers([case.dispatcher_division_id], CaseAction.APPROVE)
    _tell(users, verb=verb, title=title, body=body, values=_values(case, values), case=case, url=staff_url(case))


def tell_users(users, case: Case, verb: str, title, body="", **values) -> None:
    _tell(users, verb=verb, title=title, body=body, values=_values(case, values), case=case, url=staff_url(case))
