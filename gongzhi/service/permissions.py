"""The service orders' actions, and where an order lies for each kind of assignment.

| role                                      | view | dispatch | order (for self / a neighbour) |
| ----------------------------------------- | ---- | -------- | ------------------------------ |
| city admin, street officer                | ✓    | ✓        | ✓                              |
| community secretary, community staff      | ✓    | ✓        | ✓                              |
| district officer, auditor                 | ✓    |          |                                |
| party secretary, 组织委员 (post)           | ✓    | ✓        |                                |
| resident                                  |      |          | ✓ (in their community)         |

A branch secretary's post reaches the orders of the communities the branch sits in (a grid branch:
its community; a street working committee: its street). Residents read their own orders; party
members and volunteers read the published pool of the communities they serve and what they were
assigned (the territory's `owned`), and take orders as takers (gongzhi.service.selectors.takers),
not through a role."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core import scope
from gongzhi.party.permissions import PartyRole


class ServiceAction(models.TextChoices):
    VIEW = "service.view", _("See service orders and their dispatch board")
    DISPATCH = "service.dispatch", _("Dispatch, publish and follow up service orders")
    ORDER = "service.order", _("Order help for myself or a neighbour")


A = ServiceAction
DISPATCHING_POSTS = frozenset({PartyRole.SECRETARY, PartyRole.ORGANISATION_MEMBER})


def order_rule(assignment, action):
    """A party post reaches the orders of its organisation's communities; others use the division rule."""
    org = getattr(assignment, "party_organisation", None)
    if org is None:
        return None
    if assignment.role not in DISPATCHING_POSTS or action not in (A.VIEW, A.DISPATCH):
        return scope.NOTHING
    level = org.division.level
    if level in ("grid", "community") and org.community_id:
        return Q(community_id=org.community_id)
    if level in ("street", "district", "city") and getattr(org, f"{level}_id", None):
        return Q(**{f"{level}_id": getattr(org, f"{level}_id")})
    return scope.NOTHING


def order_owned(user, action):
    """What a user reaches without a role: orders they placed or are served by, orders they serve,
    and the published pool of the communities they serve in."""
    if action != A.VIEW:
        return scope.NOTHING
    from .models import OrderTaker
    from .selectors.takers import taker_community_ids

    communities = taker_community_ids(user)
    q = Q(resident=user) | Q(ordered_by=user) | Q(pk__in=OrderTaker.objects.filter(user=user).values("order_id"))
    if communities:
        q |= Q(status="published", community_id__in=communities)
    return q
