"""The party members routes in the access matrix: the objects they point at (`build`), the kinds that
name them (`KINDS`: kind → (world, side) → value), and their rows (see tests/matrix/spec.py).

Who reaches a member (gongzhi/party/permissions.py, spelled as personas): the city and the district see
members everywhere, a street officer their street's, the community secretary (by role and by their
seat on community A's committee) community A's; grid workers, department staff, auditors and
residents see none. Of those who see them, the district officer may not edit, and only the
community secretary may reveal a full number."""

from functools import cache

A = "/api/v1/party"
MEMBERS_VIEW = frozenset({"city_admin", "district_officer", "street_officer_a", "street_officer_b",
                          "community_secretary"})
MEMBERS_EDIT = MEMBERS_VIEW - {"district_officer"}
MEMBERS_EXPORT = MEMBERS_VIEW
REVEALERS = frozenset({"community_secretary"})
M = {"member_id": "party_member"}
P = {"pk": "party_member"}


def build(a, b, party, city) -> None:
    """Add this part's objects to `a` and `b`, street A's and street B's sides of the world, from
    `party` (gongzhi.party.tests.factories.build_party) and the fixture `city`."""
    a.party_member = party.member_zhang  # branch A, lives in community A
    b.party_member = party.member_b  # branch B, lives in community B


def _name(world, side):
    return getattr(world, side).party_member.name


KINDS: dict = {"party_member": lambda world, side: getattr(world, side).party_member.pk}


def __getattr__(name):
    # The rows are made on first use: tests/matrix/spec.py reads them while it is itself being
    # imported (and routes.py imports this module first), so the spec's names are read late.
    if name in ("API_ENTRIES", "PAGE_ENTRIES"):
        return _entries()[name]
    raise AttributeError(name)


@cache
def _entries() -> dict:
    from .spec import ALL, E

    API_ENTRIES = [
        E("GET", f"{A}/members", ok=MEMBERS_VIEW),
        E("POST", f"{A}/members", ok=MEMBERS_EDIT, status="reached"),
        E("GET", f"{A}/members/export", ok=MEMBERS_EXPORT),
        E("GET", f"{A}/members/template", ok=ALL),
        E("POST", f"{A}/members/import", ok=MEMBERS_EDIT, status="reached"),
        E("GET", f"{A}/members/{{member_id}}", params=M, ok=MEMBERS_VIEW, denied=404, shows=_name),
        E("PATCH", f"{A}/members/{{member_id}}", params=M, ok=MEMBERS_EDIT, status="reached", seen_by=MEMBERS_VIEW),
        E("POST", f"{A}/members/{{member_id}}/transfer", params=M, ok=MEMBERS_EDIT, status="reached",
          seen_by=MEMBERS_VIEW),
        E("POST", f"{A}/members/{{member_id}}/end", params=M, ok=MEMBERS_EDIT, status="reached", seen_by=MEMBERS_VIEW),
        E("POST", f"{A}/members/{{member_id}}/reveal", params=M, ok=REVEALERS, status="reached", seen_by=MEMBERS_VIEW),
        E("GET", f"{A}/members/{{member_id}}/transfers", params=M, ok=MEMBERS_VIEW, denied=404),
    ]
    PAGE_ENTRIES = [
        E("GET", "party:members", ok=MEMBERS_VIEW),
        E("GET", "party:member_new", ok=MEMBERS_EDIT),
        E("POST", "party:member_new", ok=MEMBERS_EDIT, status="reached"),
        E("GET", "party:member_import", ok=MEMBERS_EDIT),
        E("GET", "party:member_export", ok=MEMBERS_EXPORT),
        E("GET", "party:member_template", ok=ALL),  # a blank spreadsheet: no one's data
        # The resident picker reads the registry: who may edit members and see its people.
        E("GET", "party:member_residents", query="?resident_q=张", ok=MEMBERS_EDIT),
        E("GET", "party:member", params=P, ok=MEMBERS_VIEW, denied=404, shows=_name),
        E("GET", "party:member_edit", params=P, ok=MEMBERS_EDIT, seen_by=MEMBERS_VIEW),
        E("GET", "party:member_transfer", params=P, ok=MEMBERS_EDIT, seen_by=MEMBERS_VIEW),
        E("GET", "party:member_end", params=P, ok=MEMBERS_EDIT, seen_by=MEMBERS_VIEW),
        # An empty form is refused for its fields (400): past the access checks, nothing changed.
        *[E("POST", f"party:member_{step}", params=P, ok=MEMBERS_EDIT, status="reached", seen_by=MEMBERS_VIEW)
          for step in ("edit", "transfer", "end")],
        E("POST", "party:member_reveal", params={**P, "field": "phone"}, ok=REVEALERS, status="reached",
          seen_by=MEMBERS_VIEW),
    ]
    return {"API_ENTRIES": API_ENTRIES, "PAGE_ENTRIES": PAGE_ENTRIES}
