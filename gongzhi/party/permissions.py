"""The party organisation's actions, and where its rows lie for each kind of assignment.

Two kinds of assignment reach party rows (gongzhi.core.scope):
- a role granted over a division (the community secretary over the community, a street officer over
  the street, the city over the city): the rows sited in that subtree — and, for members, the
  members who live there (they report in to it);
- a post on an organisation's committee (gongzhi.party.access.posts_of): that organisation and
  everything under it in the party tree — a branch secretary sees the branch's members, a community
  party committee its branches, a street working committee its street.

| role                          | view | members | manage | members: edit | export | reveal | confirm | leaders |
| ----------------------------- | ---- | ------- | ------ | ------------- | ------ | ------ | ------- | ------- |
| city admin                    | ✓    | ✓       | ✓      | ✓             | ✓      |        | ✓       | ✓       |
| district officer              | ✓    | ✓       | ✓      |               | ✓      |        |         | ✓       |
| street officer                | ✓    | ✓       | ✓      | ✓             | ✓      |        | ✓       | ✓       |
| community (party) secretary   | ✓    | ✓       | ✓      | ✓             | ✓      | ✓      | ✓       |         |
| community staff               | ✓    | ✓       |        |               |        |        | ✓       |         |
| grid worker, auditor          | ✓    |         |        |               |        |        |         |         |
| party secretary (post)        | ✓    | ✓       |        | ✓             | ✓      | ✓      | ✓       |         |
| organisation member 组织委员   | ✓    | ✓       |        | ✓             | ✓      |        |         |         |
| unit party secretary (post)   | ✓    | ✓       |        |               | ✓      |        |         |         |
| committee member (post)       | ✓    |         |        |               |        |        |         |         |
| party member                  | own organisation, own record, report in                                        |
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core import scope


class PartyAction(models.TextChoices):
    VIEW = "party.view", _("See party organisations, committees and coverage")
    VIEW_MEMBERS = "party.view_members", _("See party members (masked)")
    MANAGE = "party.manage", _("Found, rename, merge and dissolve party organisations; keep their committees")
    EDIT_MEMBERS = "party.edit_members", _("Add, change, transfer and import party members")
    EXPORT = "party.export", _("Export party members")
    REVEAL = "party.reveal", _("See a party member's full ID or phone number (audited)")
    CONFIRM = "party.confirm", _("Confirm report-ins, record service and send feedback cards")
    LEADERS = "party.leaders", _("Link leaders to streets and communities and record their visits")
    REPORT_IN = "party.report_in", _("Report in to the community I live in")


class PartyRole(models.TextChoices):
    SECRETARY = "party_secretary", _("Party organisation secretary")
    ORGANISATION_MEMBER = "organisation_member", _("Organisation committee member (组织委员)")
    UNIT_SECRETARY = "unit_secretary", _("Unit party secretary")
    COMMITTEE_MEMBER = "committee_member", _("Party committee member")
    MEMBER = "party_member", _("Party member")


A = PartyAction

# Where a row's site columns are, by the level of the division an assignment names. A row sited by
# gongzhi.party.models.Sited has every column; rows sited by their community (registrations) have
# the community's ancestors; a member also lives somewhere (home_*).
SITED = {"grid": "grid_id", "community": "community_id", "street": "street_id", "district": "district_id",
         "city": "city_id", "province": "city__province_id"}
BY_COMMUNITY = {"community": "community_id", "street": "street_id", "district": "district_id",
                "city": "district__city_id", "province": "district__city__province_id"}
HOME = {"community": "home_community_id", "street": "home_street_id", "district": "home_district_id",
        "city": "home_district__city_id", "province": "home_district__city__province_id"}
COMMUNITY_ROW = {"community": "community_id", "street": "community__street_id",
                 "district": "community__district_id", "city": "community__city_id",
                 "province": "community__city__province_id"}
LINKED = {"community": "community_id", "street": "street_id", "district": "district_id",
          "city": "district__city_id", "province": "district__city__province_id"}


def site_q(division, prefix: str, columns: dict) -> Q:
    """Rows whose site (reached through `prefix`) lies in `division`'s subtree."""
    column = columns.get(division.level)
    return Q(**{f"{prefix}{column}": division.pk}) if column else scope.NOTHING


def party_rule(*sites: tuple[str, dict], tree: str | None):
    """A territory rule: for a post, the organisations under it (`tree`: the lookup path to the
    row's organisation; None: posts reach none of these rows); for a division grant, the rows with
    one of their `sites` in the subtree. A member's own membership reaches only what is theirs
    (the territory's `owned`)."""

    def rule(assignment, action):
        post = getattr(assignment, "party_organisation", None)
        if post is not None:
            if tree is None or assignment.role == PartyRole.MEMBER:
                return scope.NOTHING
            return Q(**{f"{tree}path__startswith": post.path})
        q = scope.NOTHING
        for top in scope.anchors(assignment):
            for prefix, columns in sites:
                q |= site_q(top, prefix, columns)
        return q

    return rule


# What a member reads and does of their own (their record, report-ins, service, cards).
OWN_ACTIONS = frozenset({"party.view", "party.view_members", "party.report_in"})


def own_member_q(prefix: str):
    def owned(user, action):
        return Q(**{f"{prefix}user": user}) if action in OWN_ACTIONS else scope.NOTHING

    return owned


def may(user, action: str) -> bool:
    return scope.may(user, action)
