"""Points' actions, and where its rows lie (gongzhi.core.scope).

| role                        | view | award, reverse | rules | publish, appeals | shop |
| --------------------------- | ---- | -------------- | ----- | ---------------- | ---- |
| city admin                  | ✓    | ✓              | ✓     | ✓                | ✓    |
| district officer            | ✓    |                | ✓     | ✓                |      |
| street officer              | ✓    | ✓              |       |                  | ✓    |
| community (party) secretary | ✓    | ✓              |       |                  | ✓    |
| community staff             | ✓    | ✓              |       |                  |      |
| auditor                     | ✓    |                |       |                  |      |
| anyone signed in            | their own balance, statement and standings; the shop; an appeal of their own |

A rule may narrow who awards it further (its `awarders`: role codes)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core import scope


class PointsAction(models.TextChoices):
    VIEW = "points.view", _("See points rules, awards, the points ledger and publications")
    AWARD = "points.award", _("Award points and reverse awards")
    RULES = "points.rules", _("Edit a district's points rules and scheme")
    PUBLISH = "points.publish", _("Publish half-yearly points and decide appeals")
    SHOP = "points.shop", _("Keep the points shop: merchants, items, cancelled redemptions")


def district_rule(prefix: str = ""):
    """Rows that belong to a whole district (its rules, its periods): every assignment inside the
    district reaches them, a city's reaches its districts."""

    def rule(assignment, action):
        q = scope.NOTHING
        for top in scope.anchors(assignment):
            if top.level == "province":
                q |= Q(**{f"{prefix}district__province_id": top.pk})
            elif top.level == "city":
                q |= Q(**{f"{prefix}district__city_id": top.pk})
            elif top.level == "district":
                q |= Q(**{f"{prefix}district_id": top.pk})
            elif top.district_id:
                q |= Q(**{f"{prefix}district_id": top.district_id})
        return q

    return rule


def own(prefix: str = "person"):
    """What a person reaches of their own without any role: their awards, standings, appeals."""

    def owned(user, action):
        return Q(**{prefix: user}) if action == PointsAction.VIEW else scope.NOTHING

    return owned
