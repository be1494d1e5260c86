"""The emergency squads' actions, and where their rows lie.

| role                              | view | manage | reveal phones |
| --------------------------------- | ---- | ------ | ------------- |
| city admin                        | ✓    | ✓      |               |
| district officer, auditor         | ✓    |        |               |
| street officer                    | ✓    | ✓      | ✓             |
| community secretary, staff        | ✓    | ✓      | ✓             |
| squad member (a roster place)     | their squad and its alerts; respond (acknowledge, check in, tasks) |

A squad member's reach comes from the roster, not from a role: the territories' `owned` rules below.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core import scope


class SquadAction(models.TextChoices):
    VIEW = "squads.view", _("See emergency squads, their rosters (masked), alerts and figures")
    MANAGE = "squads.manage", _("Keep emergency squads and rosters; raise alerts and drills, muster, stand down")
    REVEAL = "squads.reveal", _("See squad members' full phone numbers")
    RESPOND = "squads.respond", _("Answer my squad's alerts and readiness checks")


A = SquadAction
# What a place on a roster allows, whatever the roles.
MEMBER_ACTIONS = frozenset({A.VIEW, A.RESPOND})


def member_squads_q(user, prefix: str = "") -> Q:
    from .models import SquadMember

    return Q(**{f"{prefix}pk__in": SquadMember.objects.filter(user=user, is_active=True).values("squad_id")})


def owned_via(prefix: str):
    """`owned` for rows reached through `prefix` to their squad: a member's own squad."""
    def owned(user, action):
        if action not in MEMBER_ACTIONS:
            return scope.NOTHING
        return member_squads_q(user, prefix)

    return owned
