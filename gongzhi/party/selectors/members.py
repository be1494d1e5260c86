"""Scoped reads of party members, for the pages, the API, the exports and the site search alike.

Every function takes the user first and narrows through the access kernel (gongzhi.core.scope) with
the party's actions: a branch's secretary reads the branch's members, a community the members held
there and those who live there, a street its street. Members are always read masked
(`masked_id_number`, `masked_phone`); full numbers come only from services.members.reveal_member.

The search answers from the indexes the model declares (party_mem_*): the start of a name or of its
pinyin initials (a prefix match on a varchar_pattern_ops index), a phone's last four digits, or a
whole phone through its keyed hash — and reads the page of ids first, on the member table alone."""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet

from gongzhi.core import scope
from gongzhi.divisions.choices import Level
from gongzhi.divisions.models import Division
from gongzhi.registry import crypto, validation

from ..choices import MemberState, OrganisationStatus
from ..models import Member, Organisation, Seat, Transfer
from ..permissions import PartyAction

A = PartyAction

PHONE_LIKE = re.compile(r"^(\+?86)?(1[3-9]\d{9}|0\d{9,11})$")
PHONE_TAIL = re.compile(r"^\d{4}$")
ID_LIKE = re.compile(r"^\d{17}[\dX]$")
LETTERS = re.compile(r"^[a-z]+$")


# --- single rows: 404 for missing and out of scope alike --------------------------------------------


def access_member(user, pk, action: str = A.VIEW_MEMBERS) -> Member:
    return scope.get_in_scope(_with_relations(Member.objects.all()), user, action, pk=pk)


def access_organisation(user, pk, action: str = A.VIEW) -> Organisation:
    """An organisation named by a list's filter: one the user sees, else 404."""
    return scope.get_in_scope(Organisation.objects.select_related("division"), user, action, pk=pk)


def may_member(user, action: str, member: Member) -> bool:
    """Whether `user` may do `action` to this member (one query; nothing when they may not anywhere)."""
    if not scope.may(user, action):
        return False
    return scope.restrict(Member.objects.filter(pk=member.pk), user, action).exists()


# --- choices: the same lists the pages offer and the services check ids against ----------------------


def organisation_choices(user, action: str = A.EDIT_MEMBERS) -> QuerySet[Organisation]:
    """Active organisations in the user's scope for `action` — where they may hold a member's relation."""
    qs = Organisation.objects.filter(status=OrganisationStatus.ACTIVE).select_related("division")
    return qs if user is None else scope.restrict(qs, user, action).order_by("path")


def community_choices() -> QuerySet[Division]:
    """Every active community: a member may live anywhere in the city and reports in where they live."""
    return Division.objects.filter(level=Level.COMMUNITY, is_active=True).order_by("code")


def nearby_communities(user, member: Member | None = None) -> QuerySet[Division]:
    """The communities a form offers as where a member lives: those of the districts the user keeps
    members in (and the member's own). The service accepts any active community."""
    qs = community_choices()
    if user is None or scope.is_global(user):
        return qs
    districts = set(organisation_choices(user).values_list("district_id", flat=True))
    near = Q(district_id__in=districts - {None})
    if member is not None and member.home_community_id:
        near |= Q(pk=member.home_community_id)
    return qs.filter(near)


def resident_choices(user) -> QuerySet:
    """The registry's residents the user may see (the registry's own scoped list): whom a member
    record may be linked to."""
    from gongzhi.registry.models import Resident
    from gongzhi.registry.permissions import RegistryAction
    from gongzhi.registry.selectors import residents_for

    if user is None:
        return Resident.objects.filter(archived_at__isnull=True)
    if not scope.may(user, RegistryAction.VIEW_PEOPLE):
        return Resident.objects.none()
    return residents_for(user)


def may_link_residents(user) -> bool:
    from gongzhi.registry.permissions import RegistryAction

    return scope.may(user, RegistryAction.VIEW_PEOPLE)


def search_residents(user, query: str, *, limit: int = 8) -> list:
    """Residents to link a member to, found as the registry finds them (in its scope)."""
    from gongzhi.registry.selectors import search_residents as registry_search

    if not may_link_residents(user):
        return []
    return registry_search(user, query, limit=limit)


# --- lists -------------------------------------------------------------------------------------------


def _with_relations(qs: QuerySet) -> QuerySet:
    return qs.select_related("organisation", "home_community", "resident", "user")


@dataclass(frozen=True)
class MemberQuery:
    """What a search box's text means for members: a whole phone, a phone's last four digits, an ID
    number, pinyin initials or the start of a name."""

    kind: str  # "phone" | "phone_tail" | "id_number" | "initials" | "name" | "nothing"
    value: str


def parse_query(text: str) -> MemberQuery:
    text = re.sub(r"[\s\-]", "", text or "")
    if not text:
        return MemberQuery("nothing", "")
    if PHONE_LIKE.match(text):
        try:
            return MemberQuery("phone", validation.clean_phone(text))
        except validation.Invalid:
            return MemberQuery("nothing", "")
    if PHONE_TAIL.match(text):
        return MemberQuery("phone_tail", text)
    if ID_LIKE.match(text.upper()):
        return MemberQuery("id_number", text.upper())
    if LETTERS.match(text.lower()):
        return MemberQuery("initials", text.lower())
    return MemberQuery("name", text)


def prefix_q(field_name: str, text: str) -> Q:
    """`field` starts with `text`, in the form each database answers from its index: LIKE 'x%' on
    PostgreSQL (a varchar_pattern_ops index), a half-open range on SQLite (whose LIKE ignores it)."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field_name}__startswith": text})
    return Q(**{f"{field_name}__gte": text, f"{field_name}__lt": text + "\U0010ffff"})


def _matching(qs: QuerySet, query: MemberQuery) -> QuerySet:
    """`qs` narrowed to the query, ordered as its index reads."""
    if query.kind == "phone":
        return qs.filter(phone_hash=crypto.blind_index(query.value, crypto.PHONE)).order_by("id")
    if query.kind == "phone_tail":
        return qs.filter(phone_last4=query.value).order_by("id")
    if query.kind == "id_number":
        return qs.filter(id_number_hash=crypto.blind_index(query.value, crypto.ID_NUMBER)).order_by("id")
    if query.kind == "initials":
        return qs.filter(prefix_q("name_initials", query.value)).order_by("name_initials", "id")
    if query.kind == "name":
        return qs.filter(prefix_q("name", query.value)).order_by("name", "id")
    return qs


def members_for(
    user, *, action: str = A.VIEW_MEMBERS, organisation: Organisation | None = None, status: str | None = None,
    category: str | None = None, state: str | None = MemberState.ACTIVE, home_community: Division | None = None,
    query: str = "",
) -> QuerySet[Member]:
    """Members the user may see: `organisation` and everything under it in the party tree; `state=None`
    includes those whose relation ended here; `query` as the search box reads it."""
    qs = scope.restrict(Member.objects.all(), user, action)
    if organisation is not None:
        qs = qs.filter(organisation__path__startswith=organisation.path)
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if state:
        qs = qs.filter(state=state)
    if home_community is not None:
        qs = qs.filter(home_community=home_community)
    qs = _with_relations(qs).order_by("id")
    parsed = parse_query(query)
    return _matching(qs, parsed) if parsed.kind != "nothing" else qs


def search_members(user, query: str, *, limit: int = 20, state: str | None = MemberState.ACTIVE) -> list[Member]:
    """Members matching the text of a search box, in the user's VIEW_MEMBERS scope: the start of a
    name ("张"), pinyin initials ("zw"), a phone's last four digits ("5678"), a whole phone or ID number.

    The page of ids is read first, on the member table alone (a common family name matches thousands
    in a street: they are sorted on the index, not joined); then those rows with their organisations."""
    parsed = parse_query(query)
    if parsed.kind == "nothing" or not getattr(user, "is_authenticated", False):
        return []
    qs = scope.restrict(Member.objects.all(), user, A.VIEW_MEMBERS)
    if state:
        qs = qs.filter(state=state)
    ids = list(_matching(qs, parsed).values_list("pk", flat=True)[:limit])
    found = _with_relations(Member.objects.filter(pk__in=ids)).in_bulk()
    return [found[pk] for pk in ids]


def member_transfers(member: Member) -> list[Transfer]:
    """The transfers of the member's relation, newest first."""
    return list(Transfer.objects.filter(member=member).select_related("from_organisation", "to_organisation",
                                                                      "actor"))


def member_seats(member: Member) -> list[Seat]:
    """The committee seats the member holds or held, current first."""
    return list(Seat.objects.filter(member=member).select_related("term__organisation")
                .order_by("ended_on", "-started_on", "id"))


def export_scope(user, **filters) -> QuerySet[Member]:
    """The list as the page filters it, narrowed to the user's EXPORT scope."""
    return members_for(user, action=A.EXPORT, **filters)
