"""Reads of volunteers, and of the people and communities a registration may name."""

from django.db.models import Q, QuerySet

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import RoleAssignment, User
from gongzhi.core import scope
from gongzhi.divisions.choices import Level
from gongzhi.divisions.models import Division

from ..choices import VolunteerStatus
from ..models import Volunteer
from ..permissions import VolunteeringAction as A


def active_volunteer(user) -> Volunteer | None:
    """The user's registration as a volunteer, if it is active (None for anyone else)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Volunteer.objects.filter(user=user, status=VolunteerStatus.ACTIVE).select_related("community").first()


def my_volunteer(user) -> Volunteer | None:
    """The user's registration in whatever state (None if they never registered)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Volunteer.objects.filter(user=user).select_related("community").first()


def volunteers_for(user, *, status: str = "", community=None, query: str = "",
                   action: str = A.VIEW) -> QuerySet[Volunteer]:
    qs = scope.restrict(Volunteer.objects.select_related("user", "community"), user, action)
    if status:
        qs = qs.filter(status=status)
    if community is not None:
        qs = qs.filter(community=community)
    if query:
        qs = qs.filter(Q(user__display_name__startswith=query) | Q(user__username__startswith=query))
    return qs.order_by("-registered_at", "-id")


def volunteer_for(user, pk, action: str = A.VIEW) -> Volunteer:
    return scope.get_in_scope(Volunteer.objects.select_related("user", "community"), user, action, pk=pk)


def managed_communities(user, action: str = A.MANAGE) -> QuerySet[Division]:
    """The communities where the user may act through a grant over a division."""
    return scope.restrict(Division.objects.filter(level=Level.COMMUNITY, is_active=True), user, action) \
        .order_by("code")


def _resident_communities(user) -> set[int]:
    ids = set()
    for a in scope.assignments(user):
        division = getattr(a, "division", None)
        if a.role == Role.RESIDENT and division is not None:
            ids.add(division.pk if division.level == Level.COMMUNITY else division.community_id)
    return {i for i in ids if i}


def home_communities(user) -> QuerySet[Division]:
    """The communities a person may register as a volunteer in: where they are a resident, and
    where they live as a party member."""
    ids = _resident_communities(user)
    member = getattr(user, "party_member", None) if getattr(user, "is_authenticated", False) else None
    if member is not None and member.home_community_id:
        ids.add(member.home_community_id)
    return Division.objects.filter(pk__in=ids, level=Level.COMMUNITY, is_active=True).order_by("code")


def registrable_people(user) -> QuerySet[User]:
    """The people staff may register as volunteers: residents (by their role) of the communities
    the staff manage, who are not registered yet."""
    communities = managed_communities(user)
    grids = Division.objects.filter(community__in=communities, level=Level.GRID)
    holders = RoleAssignment.objects.filter(revoked_at__isnull=True, role=Role.RESIDENT).filter(
        Q(division__in=communities) | Q(division__in=grids))
    return (User.objects.filter(pk__in=holders.values("user_id"), is_active=True, volunteer__isnull=True)
            .order_by("display_name", "pk"))
