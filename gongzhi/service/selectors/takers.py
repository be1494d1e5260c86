"""Who serves a community's orders (contracts: party members with an account who live in it or whose
organisation sits in it, and its active volunteers) — the dispatcher's choices and the check the
services make on every taker id."""

from dataclasses import dataclass

from django.db.models import Q

from gongzhi.party.choices import MemberState

from ..choices import TakerKind


@dataclass(frozen=True)
class Taker:
    user: object
    kind: str
    name: str

    @property
    def pk(self) -> int:
        return self.user.pk


def _volunteers():
    try:
        from gongzhi.volunteering.choices import VolunteerStatus
        from gongzhi.volunteering.models import Volunteer
    except ImportError:  # a deployment without volunteers: members serve alone
        return None
    return Volunteer.objects.filter(status=VolunteerStatus.ACTIVE)


def takers_for(community) -> list[Taker]:
    """Everyone who may serve an order of `community`, members first, each once."""
    from gongzhi.party.models import Member

    out: dict[int, Taker] = {}
    members = (Member.objects.filter(state=MemberState.ACTIVE, user__isnull=False, user__is_active=True)
               .filter(Q(home_community_id=community.pk) | Q(organisation__community_id=community.pk))
               .select_related("user").order_by("name", "pk"))
    for m in members:
        out.setdefault(m.user_id, Taker(m.user, TakerKind.MEMBER, m.name))
    volunteers = _volunteers()
    if volunteers is not None:
        for v in volunteers.filter(community_id=community.pk, user__is_active=True).select_related("user"):
            out.setdefault(v.user_id, Taker(v.user, TakerKind.VOLUNTEER, str(v.user)))
    return list(out.values())


def taker_for(user, community) -> Taker | None:
    """`user` as a taker of `community`'s orders, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    for taker, communities in takers_for_user(user):
        if community.pk in communities:
            return taker
    return None


def takers_for_user(user) -> list[tuple[Taker, set[int]]]:
    """The user as a member and as a volunteer, with the communities each serves."""
    from gongzhi.party.models import Member

    out = []
    member = (Member.objects.filter(user=user, state=MemberState.ACTIVE)
              .values_list("name", "home_community_id", "organisation__community_id").first())
    if member is not None:
        out.append((Taker(user, TakerKind.MEMBER, member[0]), {c for c in member[1:] if c}))
    volunteers = _volunteers()
    if volunteers is not None:
        ids = set(volunteers.filter(user=user).values_list("community_id", flat=True))
        if ids:
            out.append((Taker(user, TakerKind.VOLUNTEER, str(user)), ids))
    return out


def taker_community_ids(user) -> list[int]:
    """The communities whose published orders `user` may take (cached on the user for the request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_service_taker_communities", None)
    if cached is None:
        cached = sorted({c for _taker, ids in takers_for_user(user) for c in ids})
        user._service_taker_communities = cached
    return cached


def is_taker(user) -> bool:
    return bool(taker_community_ids(user))
