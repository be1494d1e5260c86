"""Reads of honour lists and certificates."""

from django.db.models import QuerySet

from gongzhi.core import scope

from ..models import Certificate, HonourList
from ..permissions import VolunteeringAction as A


def honour_lists_for(user, *, action: str = A.VIEW) -> QuerySet[HonourList]:
    return (scope.restrict(HonourList.objects.select_related("community", "published_by"), user, action)
            .order_by("-year", "-published_at", "-id"))


def honour_list_for(user, pk, action: str = A.VIEW) -> HonourList:
    return scope.get_in_scope(HonourList.objects.select_related("community"), user, action, pk=pk)


def public_honour_list(pk) -> HonourList | None:
    """A published honour list, for anyone: it is public by nature (光荣榜)."""
    try:
        return HonourList.objects.select_related("community").get(pk=int(pk), withdrawn_at__isnull=True)
    except (HonourList.DoesNotExist, ValueError, TypeError):
        return None


def public_honour_lists(community=None) -> QuerySet[HonourList]:
    qs = HonourList.objects.filter(withdrawn_at__isnull=True).select_related("community")
    if community is not None:
        qs = qs.filter(community=community)
    return qs.order_by("-year", "-published_at")


def verify(number: str) -> Certificate | None:
    """A certificate by its verification number, for anyone holding the paper."""
    number = (number or "").strip().upper()[:24]
    return Certificate.objects.filter(number=number).first() if number else None


def my_certificates(user) -> QuerySet[Certificate]:
    return scope.restrict(Certificate.objects.filter(person=user), user, A.SERVE).order_by("-issued_at")
