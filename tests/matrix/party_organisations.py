"""The party organisations routes in the access matrix: the objects they point at (`build`), the kinds that
name them (`KINDS`: kind → (world, side) → value), and their rows (see tests/matrix/spec.py).

Street A's objects are grid A's branch (书院社区第一网格党支部: every street-A persona with a party
role sees it, the grid worker included), its secretary's seat and a position of it; street B's are
府前社区第一网格党支部's. Who may see the party tree (PartyAction.VIEW): the city, the district, the
street officers, the community secretary, the grid worker and the auditor; who may change it
(MANAGE): the city, the district, the street officers and the community secretary."""

from functools import cache

PARTY_VIEW = frozenset({"city_admin", "district_officer", "street_officer_a", "street_officer_b",
                        "community_secretary", "grid_worker", "auditor"})
PARTY_MANAGE = frozenset({"city_admin", "district_officer", "street_officer_a", "street_officer_b",
                          "community_secretary"})


def build(a, b, party, city) -> None:
    """Add this part's objects to `a` and `b`, street A's and street B's sides of the world, from
    `party` (gongzhi.party.tests.factories.build_party) and the fixture `city`."""
    from gongzhi.party.choices import FacilityKind, Position
    from gongzhi.party.models import Facility, Seat
    from gongzhi.party.tests.factories import seat

    a.party_org = party.branch_a
    b.party_org = party.branch_b
    a.party_seat = Seat.objects.get(term=party.term_branch_a, position=Position.SECRETARY)
    b.party_seat = seat(party.term_branch_b, "赵强", Position.SECRETARY, member=party.member_b)
    a.party_facility = Facility.objects.create(organisation=party.branch_a, kind=FacilityKind.MEMBER_HOME,
                                               name="书院第一网格党员之家")
    b.party_facility = Facility.objects.create(organisation=party.branch_b, kind=FacilityKind.MEMBER_HOME,
                                               name="府前第一网格党员之家")


def _pk(name):
    return lambda world, side: getattr(getattr(world, side), name).pk


KINDS: dict = {"party_org": _pk("party_org"), "party_seat": _pk("party_seat"),
               "party_facility": _pk("party_facility")}


def __getattr__(name):
    # The rows are made on first use: tests/matrix/spec.py reads them while it is itself being
    # imported (and routes.py imports this module first), so the spec's names are read late.
    if name in ("API_ENTRIES", "PAGE_ENTRIES"):
        return _entries()[name]
    raise AttributeError(name)


@cache
def _entries() -> dict:
    from .spec import ALL, REACHED, E, fixed, name_of

    A = "/api/v1/party"
    ORG = {"organisation_id": "party_org"}
    shows_org = name_of("party_org")

    API_ENTRIES = [
        E("GET", f"{A}/organisations", ok=PARTY_VIEW),
        # The body's shape is checked before anything else: an empty one is refused alike for all.
        E("POST", f"{A}/organisations", ok=ALL, status=REACHED),
        E("GET", f"{A}/organisations/{{organisation_id}}", params=ORG, ok=PARTY_VIEW, denied=404, shows=shows_org),
        E("PATCH", f"{A}/organisations/{{organisation_id}}", params=ORG, ok=PARTY_MANAGE, status=REACHED,
          seen_by=PARTY_VIEW),
        *[E("POST", f"{A}/organisations/{{organisation_id}}/{step}", params=ORG, ok=PARTY_MANAGE, status=REACHED,
            seen_by=PARTY_VIEW)
          for step in ("move", "merge", "dissolve", "reelect", "seats", "meetings", "facilities")],
        E("GET", f"{A}/organisations/{{organisation_id}}/history", params=ORG, ok=PARTY_VIEW, denied=404),
        *[E("POST", f"{A}/seats/{{seat_id}}/{step}", params={"seat_id": "party_seat"}, ok=PARTY_MANAGE,
            status=REACHED, seen_by=PARTY_VIEW) for step in ("end", "replace")],
        E("PATCH", f"{A}/facilities/{{facility_id}}", params={"facility_id": "party_facility"}, ok=PARTY_MANAGE,
          status=REACHED, seen_by=PARTY_VIEW),
        E("POST", f"{A}/facilities/{{facility_id}}/archive", params={"facility_id": "party_facility"},
          ok=PARTY_MANAGE, status=REACHED, seen_by=PARTY_VIEW),
        E("GET", f"{A}/coverage/{{division_id}}", params={"division_id": "community"}, ok=PARTY_VIEW, denied=403,
          reach={"grid_worker": ""}, shows=name_of("community")),
    ]

    PAGE_ENTRIES = [
        E("GET", "party:home", ok=PARTY_VIEW),
        E("GET", "party:organisation", params={"pk": "party_org"}, ok=PARTY_VIEW, denied=404, shows=shows_org),
        E("GET", "party:organisation_children", params={"pk": "party_org"}, ok=PARTY_VIEW, denied=404),
        # An empty form comes back with its errors (400) to a manager; one who only sees it is refused.
        E("POST", "party:organisation_action", params={"pk": "party_org", "action": fixed("rename")},
          ok=PARTY_MANAGE, status=REACHED, seen_by=PARTY_VIEW),
        E("POST", "party:seat_action", params={"pk": "party_seat", "action": fixed("end")}, ok=PARTY_MANAGE,
          status=REACHED, seen_by=PARTY_VIEW),
        E("POST", "party:facility_action", params={"pk": "party_facility", "action": fixed("archive")},
          ok=PARTY_MANAGE, status=REACHED, seen_by=PARTY_VIEW),
        E("GET", "party:coverage", query="?division={division}", params={"division": "community"}, ok=PARTY_VIEW,
          denied=403, reach={"grid_worker": ""}, shows=name_of("community")),
    ]
    return {"API_ENTRIES": API_ENTRIES, "PAGE_ENTRIES": PAGE_ENTRIES}
