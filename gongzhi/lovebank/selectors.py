"""Scoped reads of the love bank. The desk reads through `scope.restrict`; a holder reads their own
rows (filtered by the user, never by an id they send)."""

from django.db.models import Q

from gongzhi.core import ledger, scope
from gongzhi.divisions.models import Division

from . import books
from .choices import ExchangeStatus, RelationStatus
from .models import BankMember, BankRules, Exchange, Relation
from .permissions import BankAction as A

OPEN = (ExchangeStatus.REQUESTED, ExchangeStatus.OFFERED, ExchangeStatus.DONE, ExchangeStatus.DISPUTED)


# --- the holder's own ----------------------------------------------------------------------------

def my_member(user) -> BankMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return BankMember.objects.filter(user=user).select_related("community").first()


def statement(user):
    """The holder's ledger entries, newest first (an empty list before the first deposit)."""
    return ledger.entries_for(books.personal(user.pk))


def my_exchanges(user):
    return (Exchange.objects.filter(Q(requester__user=user) | Q(provider__user=user))
            .select_related("requester__user", "provider__user", "community").order_by("-id"))


def open_requests_near(user):
    """Requests waiting for a helper in the holder's own community (not their own)."""
    member = my_member(user)
    if member is None:
        return Exchange.objects.none()
    return (Exchange.objects.filter(community_id=member.community_id, status=ExchangeStatus.REQUESTED)
            .exclude(requester=member).select_related("requester__user").order_by("wanted_on", "id"))


def my_relations(user):
    return Relation.objects.filter(holder__user=user).select_related("relative__user").order_by("-id")


def my_confirmed_relations(user):
    return my_relations(user).filter(status=RelationStatus.CONFIRMED)


# --- the desk ------------------------------------------------------------------------------------

def members_for(user, action: str = A.VIEW, *, query: str = "", hardship: bool | None = None):
    qs = scope.restrict(BankMember.objects.select_related("user", "community"), user, action)
    if query:
        qs = qs.filter(Q(user__display_name__startswith=query) | Q(user__username__startswith=query))
    if hardship is not None:
        qs = qs.filter(hardship=hardship)
    return qs.order_by("community_id", "id")


def relations_for(user, action: str = A.VIEW, *, status: str = ""):
    qs = scope.restrict(Relation.objects.select_related("holder__user", "holder__community", "relative__user"),
                        user, action)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def exchanges_for(user, action: str = A.VIEW, *, status: str = ""):
    qs = scope.restrict(Exchange.objects.select_related("requester__user", "provider__user", "community"),
                        user, action)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def exchanges_visible(user):
    """What a user may read of exchanges: the desk's, their own, and open requests near them."""
    desk = scope.scope_q(user, A.VIEW, model=Exchange) if scope.may(user, A.VIEW) else scope.NOTHING
    own = Q(requester__user=user) | Q(provider__user=user)
    near = Q(pk__in=open_requests_near(user).values("pk"))
    return (Exchange.objects.filter(desk | own | near)
            .select_related("requester__user", "provider__user", "community").order_by("-id"))


def communities_for(user, action: str = A.VIEW):
    return scope.restrict(Division.objects.filter(level="community", is_active=True), user, action).order_by("code")


def districts_for(user, action: str = A.RULES):
    return scope.restrict(Division.objects.filter(level="district", is_active=True), user, action).order_by("code")


def area_for(user, action: str, division_id) -> Division | None:
    """A community, street or district the user may read the bank of (None for everything)."""
    if not division_id:
        return None
    qs = scope.restrict(Division.objects.filter(level__in=("community", "street", "district")), user, action)
    return scope.get_in_scope(qs, user, action, pk=division_id)


def rules_for_district(district_id: int | None) -> BankRules:
    """The district's rules, or the defaults (unsaved) until it sets its own."""
    rules = BankRules.objects.filter(district_id=district_id).first() if district_id else None
    return rules or BankRules(district_id=district_id)


def rules_for(community) -> BankRules:
    return rules_for_district(community.district_id)
