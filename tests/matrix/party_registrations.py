"""The party registrations routes in the access matrix: the objects they point at (`build`), the kinds that
name them (`KINDS`: kind → (world, side) → value), and their rows (see tests/matrix/spec.py).

Who holds what (gongzhi/party/access.py): VIEW — the desks, the grid worker (their grid), the auditor;
VIEW_MEMBERS and EXPORT — the desks and the district officer; CONFIRM — the city, the streets and
the community secretary; LEADERS — the city, the district and the streets. A member's own routes
(report in, my branch, my service, me/party) belong to no persona: every persona is refused (403),
and gongzhi/party/tests/test_phone_pages.py shows the member using them."""

import datetime as dt
from functools import cache

PVIEW = frozenset({"city_admin", "district_officer", "street_officer_a", "street_officer_b", "community_secretary",
                   "grid_worker", "auditor"})
PMEMBERS = PVIEW - {"grid_worker", "auditor"}
PCONFIRM = PMEMBERS - {"district_officer"}
PLEADERS = frozenset({"city_admin", "district_officer", "street_officer_a", "street_officer_b"})
# A grid worker's grid holds no linked leader (links name streets and communities).
NO_GRID = {"grid_worker": ""}
MEMBER_ONLY = frozenset()


def build(a, b, party, city) -> None:
    """Add this part's objects to `a` and `b`, street A's and street B's sides of the world, from
    `party` (gongzhi.party.tests.factories.build_party) and the fixture `city`."""
    from gongzhi.party.choices import Form, Kind, Line, Sector
    from gongzhi.party.models import (
        FeedbackCard,
        LeaderLink,
        LeaderProblem,
        MemberRegistration,
        Project,
        ServiceEntry,
        UnitRegistration,
    )
    from gongzhi.party.tests.factories import make_organisation

    unit_b = make_organisation("府前医院党支部", Form.BRANCH, Line.UNIT, city.grid_b, kind=Kind.UNIT,
                               sector=Sector.INSTITUTION)
    start, end = dt.date(2026, 1, 1), dt.date(2026, 6, 30)
    for side, member, community, unit, branch in ((a, party.member_a, city.community_a, party.unit_a, party.branch_a),
                                                  (b, party.member_b, city.community_b, unit_b, party.branch_b)):
        sited = {"community": community, "street_id": community.street_id, "district_id": community.district_id}
        side.member_registration = MemberRegistration.objects.create(
            member=member, period_start=start, period_end=end, method="picked", **sited)
        side.unit_registration = UnitRegistration.objects.create(organisation=unit, offers=["venue"], **sited)
        side.project = Project.objects.create(registration=side.unit_registration, year=2026, title="共建项目")
        side.service_entry = ServiceEntry.objects.create(member=member, community=community,
                                                         served_on=dt.date(2026, 3, 2), activity="文明劝导", hours=2)
        side.feedback_card = FeedbackCard.objects.create(
            member=member, community=community, organisation=branch, period_start=dt.date(2025, 10, 1),
            period_end=dt.date(2025, 12, 31), hours=2, activities=1, evaluation="fair")
        side.leader_link = LeaderLink.objects.create(
            name=f"{community.name}联系领导", title="副区长", division=community, community=community,
            street_id=community.street_id, district_id=community.district_id)
        side.leader_problem = LeaderProblem.objects.create(link=side.leader_link, title="路灯不亮")


def _pk(name):
    return lambda world, side: getattr(getattr(world, side), name).pk


KINDS: dict = {name: _pk(name) for name in ("member_registration", "unit_registration", "project",
                                            "service_entry", "feedback_card", "leader_link", "leader_problem")}


def _shows(kind, *attrs):
    def shows(world, side):
        obj = getattr(getattr(world, side), kind)
        for attr in attrs:
            obj = getattr(obj, attr)
        return str(obj)

    return shows


def __getattr__(name):
    # The rows are made on first use: tests/matrix/spec.py reads them while it is itself being
    # imported (and routes.py imports this module first), so the spec's names are read late.
    if name in ("API_ENTRIES", "PAGE_ENTRIES"):
        return _entries()[name]
    raise AttributeError(name)


@cache
def _entries() -> dict:
    from .spec import REACHED, E, fixed, name_of

    P = "/api/v1/party"
    REG = {"registration_id": "member_registration"}
    UNIT = {"registration_id": "unit_registration"}
    LINK = {"link_id": "leader_link"}

    API_ENTRIES = [
        E("GET", f"{P}/registrations/members", ok=PMEMBERS),
        E("POST", f"{P}/registrations/members", ok=MEMBER_ONLY),
        E("POST", f"{P}/registrations/members/desk", ok=PCONFIRM, status=REACHED),
        E("POST", f"{P}/registrations/members/{{registration_id}}/confirm", params=REG, ok=PCONFIRM, status=REACHED),
        E("POST", f"{P}/registrations/members/{{registration_id}}/decline", params=REG, ok=PCONFIRM, status=REACHED),
        E("GET", f"{P}/registrations/units", ok=PVIEW),
        E("POST", f"{P}/registrations/units", ok=PCONFIRM, status=REACHED),
        E("GET", f"{P}/registrations/units/{{registration_id}}", params=UNIT, ok=PVIEW, denied=404,
          shows=_shows("unit_registration", "organisation", "name")),
        E("POST", f"{P}/registrations/units/{{registration_id}}/end", params=UNIT, ok=PCONFIRM, status=REACHED,
          seen_by=PVIEW),
        E("GET", f"{P}/registrations/units/{{registration_id}}/projects", params=UNIT, ok=PVIEW, denied=404,
          shows=_shows("project", "title")),
        E("POST", f"{P}/registrations/units/{{registration_id}}/projects", params=UNIT, ok=PCONFIRM, status=REACHED,
          seen_by=PVIEW),
        E("PATCH", f"{P}/registrations/projects/{{project_id}}", params={"project_id": "project"}, ok=PCONFIRM,
          status=REACHED, seen_by=PVIEW),
        E("GET", f"{P}/report-in/rates", ok=PMEMBERS),
        E("GET", f"{P}/report-in/policy", ok=PVIEW),
        # The rules are the city's: only who manages the party tree at the city changes them.
        E("PUT", f"{P}/report-in/policy", ok={"city_admin"}, status=REACHED),
        E("GET", f"{P}/service-entries", ok=PMEMBERS),
        E("POST", f"{P}/service-entries", ok=PCONFIRM, status=REACHED),
        E("POST", f"{P}/service-entries/{{entry_id}}/void", params={"entry_id": "service_entry"}, ok=PCONFIRM,
          status=REACHED, seen_by=PMEMBERS),
        E("GET", f"{P}/feedback-cards", ok=PMEMBERS),
        E("POST", f"{P}/feedback-cards/issue", ok=PCONFIRM, status=REACHED),
        # The card goes to the member's organisation: its secretary (or a superior committee's) acknowledges it.
        E("POST", f"{P}/feedback-cards/{{card_id}}/acknowledge", params={"card_id": "feedback_card"},
          ok={"community_secretary"}, status=REACHED, seen_by=PMEMBERS),
        E("GET", f"{P}/me/party", ok=MEMBER_ONLY),
        # linked leaders
        E("GET", f"{P}/leaders", ok=PVIEW),
        E("POST", f"{P}/leaders", ok=PLEADERS, status=REACHED),
        E("GET", f"{P}/leaders/{{link_id}}", params=LINK, ok=PVIEW, denied=404, reach=NO_GRID,
          shows=_shows("leader_link", "name")),
        *[E("POST", f"{P}/leaders/{{link_id}}/{step}", params=LINK, ok=PLEADERS, status=REACHED, seen_by=PVIEW,
            reach=NO_GRID) for step in ("end", "visits", "problems")],
        E("POST", f"{P}/leaders/problems/{{problem_id}}", params={"problem_id": "leader_problem"}, ok=PLEADERS,
          status=REACHED, seen_by=PVIEW, reach=NO_GRID),
    ]

    PAGE_ENTRIES = [
        # the member's own pages
        E("GET", "party:report_in", ok=MEMBER_ONLY),
        E("GET", "party:report_in_qr", params={"code": fixed("420902001001")}, ok=MEMBER_ONLY),
        E("GET", "party:my_branch", ok=MEMBER_ONLY),
        E("GET", "party:my_service", ok=MEMBER_ONLY),
        # the community's desk
        E("GET", "party:registrations", ok=PMEMBERS),
        E("GET", "party:registration_new", ok=PCONFIRM),
        E("POST", "party:registration_confirm", params={"pk": "member_registration"}, ok=PCONFIRM, status=REACHED),
        E("POST", "party:registration_decline", params={"pk": "member_registration"}, ok=PCONFIRM, status=REACHED),
        E("GET", "party:report_in_qr_code", params={"pk": "community"}, ok=PCONFIRM, denied=404,
          shows=name_of("community")),
        E("GET", "party:report_in_dashboard", ok=PMEMBERS),
        E("GET", "party:report_in_policy", ok={"city_admin"}),
        E("POST", "party:report_in_policy", ok={"city_admin"}, status=REACHED),
        E("GET", "party:units", ok=PVIEW),
        E("GET", "party:unit_new", ok=PCONFIRM),
        E("GET", "party:unit", params={"pk": "unit_registration"}, ok=PVIEW, denied=404,
          shows=_shows("unit_registration", "organisation", "name")),
        *[E("POST", f"party:{name}", params={"pk": "unit_registration"}, ok=PCONFIRM, status=REACHED, seen_by=PVIEW)
          for name in ("unit_end", "project_new")],
        E("POST", "party:project_update", params={"pk": "project"}, ok=PCONFIRM, status=REACHED, seen_by=PVIEW),
        E("GET", "party:service", ok=PMEMBERS),
        E("POST", "party:service_void", params={"pk": "service_entry"}, ok=PCONFIRM, status=REACHED,
          seen_by=PMEMBERS),
        E("GET", "party:cards", ok=PMEMBERS),
        E("GET", "party:cards_issue", ok=PCONFIRM),
        E("GET", "party:cards_print", ok=PMEMBERS),
        E("GET", "party:cards_export", ok=PMEMBERS),
        E("POST", "party:card_acknowledge", params={"pk": "feedback_card"}, ok={"community_secretary"},
          status=REACHED, seen_by=PMEMBERS),
        # linked leaders
        E("GET", "party:leaders", ok=PVIEW),
        E("GET", "party:leader_new", ok=PLEADERS),
        E("GET", "party:leader", params={"pk": "leader_link"}, ok=PVIEW, denied=404, reach=NO_GRID,
          shows=_shows("leader_link", "name")),
        *[E("POST", f"party:{name}", params={"pk": "leader_link"}, ok=PLEADERS, status=REACHED, seen_by=PVIEW,
            reach=NO_GRID) for name in ("leader_end", "leader_visit", "leader_problem")],
        E("POST", "party:leader_problem_update", params={"pk": "leader_problem"}, ok=PLEADERS, status=REACHED,
          seen_by=PVIEW, reach=NO_GRID),
    ]
    return {"API_ENTRIES": API_ENTRIES, "PAGE_ENTRIES": PAGE_ENTRIES}
