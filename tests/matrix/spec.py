"""The access matrix: for every route (page by URL name, API operation by method and path), what
fills its path, who may use it, what everyone else and anonymous get.

Reading an entry: `ok` personas get `status` on street A's object when street A is theirs (see
REACH), 404 — the very body of a missing id — on an object outside their reach; the others get
`denied`. "reached" means the request got past the access checks (the answer is about the body or
the object's state: 200, 201, 204, 302, 400, 409 or 422, never 401/403/404/405)."""

from dataclasses import dataclass, field

PERSONAS = ["city_admin", "district_officer", "street_officer_a", "street_officer_b", "community_secretary",
            "grid_worker", "department_staff", "resident", "auditor"]
ALL = frozenset(PERSONAS)
STAFF = ALL - {"resident"}
# Which street's objects each persona reaches through its role.
REACH = {
    "city_admin": "ab", "district_officer": "ab", "auditor": "ab",
    "street_officer_a": "a", "community_secretary": "a", "grid_worker": "a", "department_staff": "a",
    "street_officer_b": "b", "resident": "",
}
REACHED = "reached"
LOGIN = "login"  # a page sends anonymous visitors to the login page
PUBLIC = "public"  # anonymous gets what everyone gets

# The action sets of gongzhi/cases/permissions.py, gongzhi/registry/permissions.py and
# gongzhi/accounts/choices.py, spelled as personas.
ADMINS = frozenset({"city_admin"})
REPORTERS = frozenset({"city_admin", "street_officer_a", "street_officer_b", "community_secretary", "grid_worker"})
HANDLERS = frozenset({"department_staff"})
RESUMERS = frozenset({"city_admin", "district_officer", "street_officer_a", "street_officer_b"})
CASE_SEEN = ALL
DESKS = frozenset({"city_admin", "district_officer", "street_officer_a", "street_officer_b", "community_secretary"})
WHISTLERS = frozenset({"city_admin", "street_officer_a", "street_officer_b", "community_secretary"})
CASE_VIEW = STAFF
REG_PEOPLE = frozenset({"city_admin", "district_officer", "street_officer_a", "street_officer_b",
                        "community_secretary", "grid_worker"})
REG_PLACES = REG_PEOPLE | {"department_staff"}
REG_EDIT = REG_PEOPLE - {"district_officer"}
REG_VISIT = frozenset({"community_secretary", "grid_worker"})
REG_IMPORT = frozenset({"city_admin", "street_officer_a", "street_officer_b", "community_secretary"})
REG_EXPORT = REG_IMPORT | {"district_officer"}
GRID_MANAGERS = frozenset({"city_admin", "district_officer", "street_officer_a", "street_officer_b",
                           "community_secretary"})
DIVISION_MANAGERS = frozenset({"city_admin", "district_officer"})
AUDITORS = frozenset({"city_admin", "auditor"})
# A grid worker is assessed but reads no assessment.
ASSESSORS = STAFF - {"grid_worker"}


@dataclass(frozen=True)
class Entry:
    method: str
    route: str  # a URL name ("cases:detail") or an API path template ("/api/v1/cases/{case_id}")
    params: dict = field(default_factory=dict)
    ok: frozenset = ALL
    status: object = 200
    denied: object = 403  # for personas outside `ok` (an int, or a dict persona → int)
    anon: object = None  # None: 401 for the API, LOGIN for pages
    reach: dict = field(default_factory=dict)  # persona → sides, overriding REACH
    shows: object = None  # (world, side) → text a user would notice in a GET's answer
    scoped: bool = True  # False: the object is not scoped per street (both sides answer alike)
    query: str = ""
    # Personas refused the action who still see the object: 403 on it (the app says "you may not
    # do this to it"), where those who do not even see it get 404.
    seen_by: frozenset | None = None
    refused: int = 403
    expect: object = None  # (persona, side) → status, for the few routes no rule above describes
    xfail: dict = field(default_factory=dict)  # (persona, side) → reason: a known access bug

    @property
    def api(self) -> bool:
        return self.route.startswith("/api/")

    @property
    def key(self) -> str:
        return f"{self.method} {self.route}"

    @property
    def has_object(self) -> bool:
        from .routes import KINDS

        return any(isinstance(v, str) and v in KINDS for v in self.params.values())


def E(method, route, **kw):
    for name in ("ok", "seen_by"):
        if name in kw:
            kw[name] = frozenset(kw[name])
    return Entry(method, route, **kw)


def follow_refusal(persona, side):
    """Following is for the public: staff who see the case through their role are refused."""
    if persona in STAFF and side in REACH[persona]:
        return 403
    return None


def unfollow_refusal(persona, side):
    """The reporter (the resident persona reported both cases) may not stop following their own."""
    return 403 if persona == "resident" and side in "ab" else None


def state_first(*personas):
    """These personas see the case but may not do this; the case's state is refused first (400),
    which tells them nothing they could not read on the case."""
    return lambda persona, side: 400 if persona in personas and side == "a" else None


def fixed(value):
    return lambda world, side: value


def number(world, side):
    return getattr(world, side).case.tracking_number


def name_of(kind, attr="name"):
    def shows(world, side):
        return str(getattr(getattr(getattr(world, side), kind), attr))

    return shows


# Found by the matrix and fixed: the API listed a case's whistles and sidesteps (staff reasons,
# summoned units) to its reporter, who reads only the public timeline on the page; the two rows
# below hold it (gongzhi.cases.selectors.staff_case).
A = "/api/v1"
C = {"case_id": "case"}
RES = {"resident_id": "resident"}

API_ENTRIES = [
    # --- cases: intake and catalogue
    E("POST", f"{A}/cases/", ok=ALL, status=REACHED, anon=REACHED),  # anyone may report
    E("GET", f"{A}/cases/nearby", query="?lng=113.905&lat=30.905", ok=ALL, anon=200),
    E("GET", f"{A}/cases/categories", ok=ALL, anon=200),
    E("POST", f"{A}/cases/categories", ok=ADMINS, status=REACHED),
    E("GET", f"{A}/cases/categories/suggest", query="?text=垃圾", ok=ALL, anon=200),
    E("PATCH", f"{A}/cases/categories/{{code}}", params={"code": "litter"}, ok=ADMINS, status=REACHED),
    # --- whistles and summonses
    E("GET", f"{A}/cases/summonses", ok=ALL),
    E("POST", f"{A}/cases/{{case_id}}/whistles", params=C, ok=WHISTLERS, status=REACHED, seen_by=CASE_SEEN,
      reach={"resident": "ab"}),
    E("GET", f"{A}/cases/{{case_id}}/whistles", params=C, ok=CASE_VIEW, denied=404,
      shows=name_of("department")),
    E("POST", f"{A}/cases/summonses/{{summons_id}}/check-in", params={"summons_id": "summons"},
      ok={"department_staff"}, status=REACHED, denied=404),
    E("POST", f"{A}/cases/summonses/{{summons_id}}/action", params={"summons_id": "summons"},
      ok={"department_staff"}, status=REACHED, denied=404),
    # --- sidesteps
    E("GET", f"{A}/cases/sidesteps/pending", ok=ALL),
    E("GET", f"{A}/cases/{{case_id}}/sidesteps", params=C, ok=CASE_VIEW, denied=404),
    E("POST", f"{A}/cases/{{case_id}}/sidesteps", params=C, ok=HANDLERS | DESKS, status=REACHED,
      seen_by=CASE_SEEN, reach={"resident": "ab"}),
    E("POST", f"{A}/cases/sidesteps/{{sidestep_id}}/decide", params={"sidestep_id": "sidestep"},
      ok=DESKS, status=REACHED, denied=404),
    # --- following and public tracking (by tracking number: anyone may follow a case)
    E("GET", f"{A}/cases/track/{{tracking_code}}/follow", params={"tracking_code": "code"}, ok=ALL,
      scoped=False),
    E("POST", f"{A}/cases/track/{{tracking_code}}/follow", params={"tracking_code": "code"}, ok=ALL,
      status=REACHED, scoped=False, expect=follow_refusal),
    E("DELETE", f"{A}/cases/track/{{tracking_code}}/follow", params={"tracking_code": "code"}, ok=ALL,
      status=REACHED, scoped=False, expect=unfollow_refusal),
    E("POST", f"{A}/cases/track/{{tracking_code}}/verify", params={"tracking_code": "code"}, ok=ALL,
      status=REACHED, scoped=False, anon=REACHED),
    E("GET", f"{A}/cases/track/{{tracking_code}}", params={"tracking_code": "code"}, ok=ALL,
      scoped=False, anon=200, shows=number),
    E("POST", f"{A}/cases/track/{{tracking_code}}/rate", params={"tracking_code": "code"}, ok=ALL,
      status=REACHED, scoped=False, anon=REACHED),
    # --- reads
    E("GET", f"{A}/cases/mine", ok=ALL),
    E("GET", f"{A}/cases/list", ok=ALL),
    E("GET", f"{A}/cases/queues/{{name}}", params={"name": "in_progress"}, ok=ALL),
    E("GET", f"{A}/cases/{{case_id}}", params=C, ok=ALL, denied=404, reach={"resident": "ab"}, shows=number),
    E("GET", f"{A}/cases/{{case_id}}/attachments/{{attachment_id}}",
      params={"case_id": "case", "attachment_id": "attachment"}, ok=ALL, denied=404, reach={"resident": "ab"}),
    # --- transitions: a role without the action, or a case outside the territory, is refused
    *[E("POST", f"{A}/cases/{{case_id}}/{step}", params=C, ok=ok, status=REACHED, seen_by=CASE_SEEN,
        reach={"resident": "ab"}, expect=state_first("department_staff") if step == "resume" else None)
      for step, ok in [
          ("register", DESKS), ("reject", DESKS), ("dispatch", DESKS),
          # The case is held by the persona department: only its staff handle it.
          ("accept", HANDLERS), ("start", HANDLERS), ("resolve", HANDLERS),
          ("verify", {"city_admin", "community_secretary", "grid_worker", "resident"}),
          ("close", DESKS), ("rate", {"resident"}), ("resume", RESUMERS), ("merge", DESKS),
          ("contact", {"city_admin", "street_officer_a", "street_officer_b", "community_secretary",
                       "grid_worker", "department_staff"}),
      ]],
    # --- accounts
    E("POST", f"{A}/auth/token", ok=ALL, status=REACHED, anon=REACHED),
    E("GET", f"{A}/auth/tokens", ok=ALL),
    E("POST", f"{A}/auth/tokens/{{token_id}}/revoke", params={"token_id": "token"}, ok=ALL, status=REACHED),
    E("GET", f"{A}/me", ok=ALL),
    # --- divisions and grids
    E("GET", f"{A}/divisions/tree", ok=ALL),
    E("GET", f"{A}/divisions/search", query="?q=社区", ok=ALL),
    E("GET", f"{A}/divisions/{{division_id}}", params={"division_id": "grid"}, ok=STAFF, denied=404,
      shows=name_of("grid", "code")),
    E("GET", f"{A}/divisions/{{division_id}}/children", params={"division_id": "community"}, ok=STAFF, denied=404,
      reach={"grid_worker": ""}, shows=name_of("grid", "code")),
    E("GET", f"{A}/divisions/{{division_id}}/grids", params={"division_id": "community"}, ok=STAFF, denied=404,
      reach={"grid_worker": ""}, shows=name_of("grid", "code")),
    E("GET", f"{A}/grids/", ok=ALL),
    E("GET", f"{A}/grids/locate", query="?lng=113.905&lat=30.905", ok=ALL, anon=200),
    E("GET", f"{A}/grids/coverage/{{division_id}}", params={"division_id": "community"}, ok=STAFF, denied=404,
      reach={"grid_worker": ""}),
    E("GET", f"{A}/grids/{{grid_id}}", params={"grid_id": "grid"}, ok=STAFF, denied=404,
      shows=name_of("grid", "code")),
    E("PUT", f"{A}/grids/{{grid_id}}/boundary", params={"grid_id": "grid"}, ok=GRID_MANAGERS, status=REACHED,
      denied=404),
    E("POST", f"{A}/grids/{{grid_id}}/split", params={"grid_id": "grid"}, ok=GRID_MANAGERS, status=REACHED,
      denied=404),
    E("POST", f"{A}/grids/merge", ok=ALL, status=REACHED),
    E("POST", f"{A}/grids/import", ok=ALL, status=REACHED),
    E("POST", f"{A}/grids/validate", ok=GRID_MANAGERS, status=REACHED),
    # --- user administration
    E("GET", f"{A}/users/", ok=ADMINS),
    E("POST", f"{A}/users/", ok=ADMINS, status=REACHED),
    E("GET", f"{A}/users/{{user_id}}", params={"user_id": "member"}, ok=ADMINS, denied=404,
      shows=name_of("member", "username")),
    E("POST", f"{A}/users/{{user_id}}/roles", params={"user_id": "member"}, ok=ADMINS, status=REACHED, denied=404),
    E("POST", f"{A}/users/{{user_id}}/roles/{{assignment_id}}/revoke",
      params={"user_id": "member", "assignment_id": "role"}, ok=ADMINS, status=REACHED, denied=404),
    *[E("POST", f"{A}/users/{{user_id}}/{step}", params={"user_id": "member"}, ok=ADMINS, status=REACHED, denied=404)
      for step in ("deactivate", "reactivate", "password-reset")],
    # --- departments
    E("GET", f"{A}/departments/", ok=STAFF),
    E("POST", f"{A}/departments/", ok=ADMINS, status=REACHED),
    E("GET", f"{A}/departments/{{department_id}}", params={"department_id": "department"}, ok=STAFF, denied=404,
      shows=name_of("department")),
    E("PATCH", f"{A}/departments/{{department_id}}", params={"department_id": "department"}, ok=ADMINS,
      status=REACHED, denied=404),
    # --- audit
    E("GET", f"{A}/audit", ok=AUDITORS),
    # --- registry: people
    E("GET", f"{A}/registry/tags", ok=ALL),  # the tag vocabulary, no one's data
    E("GET", f"{A}/registry/residents", ok=REG_PEOPLE),
    E("POST", f"{A}/registry/residents", ok=REG_EDIT, status=REACHED),
    E("GET", f"{A}/registry/residents/search", query="?q=张", ok=REG_PEOPLE),
    E("GET", f"{A}/registry/residents/overdue-care", ok=REG_PEOPLE),
    E("GET", f"{A}/registry/residents/{{resident_id}}", params=RES, ok=REG_PEOPLE, denied=404,
      shows=name_of("resident")),
    E("PATCH", f"{A}/registry/residents/{{resident_id}}", params=RES, ok=REG_EDIT, status=REACHED, seen_by=REG_PEOPLE),
    *[E("POST", f"{A}/registry/residents/{{resident_id}}/{step}", params=RES, ok=REG_EDIT, status=REACHED,
        seen_by=REG_PEOPLE)
      for step in ("move-out", "death", "move-in", "household", "tags", "archive")],
    E("DELETE", f"{A}/registry/residents/{{resident_id}}/tags/{{code}}", params={**RES, "code": "veteran"},
      ok=REG_EDIT, status=REACHED, seen_by=REG_PEOPLE),
    E("POST", f"{A}/registry/residents/{{resident_id}}/reveal", params=RES, ok=REG_VISIT, status=REACHED,
      seen_by=REG_PEOPLE),
    E("GET", f"{A}/registry/households", ok=REG_PEOPLE),
    E("POST", f"{A}/registry/households", ok=REG_EDIT, status=REACHED),
    E("GET", f"{A}/registry/households/{{household_id}}", params={"household_id": "household"}, ok=REG_PEOPLE,
      denied=404, shows=name_of("household", "room")),
    E("PATCH", f"{A}/registry/households/{{household_id}}", params={"household_id": "household"}, ok=REG_EDIT,
      status=REACHED, seen_by=REG_PEOPLE),
    E("POST", f"{A}/registry/households/{{household_id}}/archive", params={"household_id": "household"},
      ok=REG_EDIT, status=REACHED, seen_by=REG_PEOPLE),
]

# --- registry places: the same five routes for each kind
for plural, kind, shown in [("buildings", "building", "address"), ("things", "thing", "code"),
                            ("facilities", "facility", "name"), ("organisations", "organisation", "name")]:
    p = {f"{kind}_id": kind}
    API_ENTRIES += [
        E("GET", f"{A}/registry/{plural}", ok=REG_PLACES),
        E("POST", f"{A}/registry/{plural}", ok=REG_EDIT, status=REACHED),
        E("GET", f"{A}/registry/{plural}/{{{kind}_id}}", params=p, ok=REG_PLACES, denied=404,
          shows=name_of(kind, shown)),
        E("PATCH", f"{A}/registry/{plural}/{{{kind}_id}}", params=p, ok=REG_EDIT, status=REACHED, seen_by=REG_PLACES),
        E("POST", f"{A}/registry/{plural}/{{{kind}_id}}/archive", params=p, ok=REG_EDIT, status=REACHED,
          seen_by=REG_PLACES),
    ]

API_ENTRIES += [
    E("POST", f"{A}/registry/organisations/{{organisation_id}}/positions",
      params={"organisation_id": "organisation"}, ok=REG_EDIT, status=REACHED, seen_by=REG_PLACES),
    E("POST", f"{A}/registry/positions/{{position_id}}/end", params={"position_id": "position"}, ok=REG_EDIT,
      status=REACHED, seen_by=REG_PLACES),
    E("GET", f"{A}/registry/visits", ok=REG_PEOPLE),
    E("POST", f"{A}/registry/visits", ok=REG_VISIT, status=REACHED),
    E("GET", f"{A}/registry/visits/{{visit_id}}", params={"visit_id": "visit"}, ok=REG_PEOPLE, denied=404,
      shows=name_of("visit", "follow_up")),
    E("POST", f"{A}/registry/visits/{{visit_id}}/photos", params={"visit_id": "visit"}, ok=REG_VISIT,
      status=REACHED, seen_by=REG_PEOPLE),
    E("POST", f"{A}/registry/visits/{{visit_id}}/close-follow-up", params={"visit_id": "visit"}, ok=REG_VISIT,
      status=REACHED, seen_by=REG_PEOPLE),
    E("GET", f"{A}/registry/visits/{{visit_id}}/photos/{{photo_id}}",
      params={"visit_id": "visit", "photo_id": "photo"}, ok=REG_PEOPLE, denied=404),
    E("GET", f"{A}/registry/statistics/{{division_id}}", params={"division_id": "grid"}, ok=STAFF, denied=403,
      shows=name_of("grid")),
    # A blank spreadsheet to fill in: no one's data.
    E("GET", f"{A}/registry/templates/{{entity}}", params={"entity": "residents"}, ok=ALL),
    E("POST", f"{A}/registry/imports", ok=REG_IMPORT, status=REACHED),
    E("GET", f"{A}/registry/imports/{{job_id}}", params={"job_id": "job"}, ok=REG_IMPORT, denied=404,
      reach={"city_admin": "", "community_secretary": ""}),
    # The world's jobs never ran, so even their owner finds no rejected rows: 404 everywhere.
    E("GET", f"{A}/registry/imports/{{job_id}}/rejected", params={"job_id": "job"}, ok=REG_IMPORT, status=404,
      denied=404, reach={"city_admin": "", "community_secretary": ""}),
    E("GET", f"{A}/registry/exports/{{entity}}", params={"entity": "residents"}, ok=REG_EXPORT),
    # --- notifications
    E("GET", f"{A}/notifications/", ok=ALL),
    E("GET", f"{A}/notifications/unread", ok=ALL),
    E("POST", f"{A}/notifications/read", ok=ALL, status=REACHED),
    # --- assessment
    E("GET", f"{A}/assessment/rates", query="?unit_type=street&month=2026-03", ok=ASSESSORS),
    E("GET", f"{A}/assessment/ranking", ok=ASSESSORS),
    E("GET", f"{A}/assessment/ranking/{{month}}/cases", query="?unit_type=street&unit={unit}&metric=received",
      params={"month": "2026-03", "unit": "street"}, ok=ASSESSORS, denied=403,
      reach={"department_staff": "", "community_secretary": ""},
      shows=number),
    E("GET", f"{A}/assessment/weights", ok=ASSESSORS),
    E("PUT", f"{A}/assessment/weights", ok=ADMINS, status=REACHED),
]

P = {"pk": "case"}
PAGE_ENTRIES = [
    E("GET", "healthz", ok=ALL, anon=PUBLIC),
    E("POST", "set_language", ok=ALL, status=302, anon=PUBLIC),
    E("GET", "core:home", ok=ALL, status=REACHED),
    E("GET", "core:search", query="?q=书院", ok=ALL, status=REACHED),
    E("GET", "audit:list", ok=AUDITORS),
    # accounts
    E("GET", "accounts:login", ok=ALL, status=REACHED, anon=200),
    E("POST", "accounts:logout", ok=ALL, status=302, anon=302),
    E("GET", "accounts:profile", ok=ALL),
    E("GET", "accounts:password_change", ok=ALL),
    E("GET", "accounts:tokens", ok=ALL),
    E("POST", "accounts:token_revoke", params={"pk": "token"}, ok=ALL, status=302),
    E("GET", "accounts:users", ok=ADMINS),
    E("GET", "accounts:user_new", ok=ADMINS),
    E("GET", "accounts:division_picker", ok=ADMINS),
    E("GET", "accounts:user_detail", params={"pk": "member"}, ok=ADMINS, denied=404,
      shows=name_of("member", "username")),
    E("POST", "accounts:user_grant", params={"pk": "member"}, ok=ADMINS, status=REACHED, denied=404),
    E("POST", "accounts:user_revoke", params={"pk": "member", "assignment_id": "role"}, ok=ADMINS,
      status=REACHED, denied=404),
    E("POST", "accounts:user_deactivate", params={"pk": "member"}, ok=ADMINS, status=REACHED, denied=404),
    E("POST", "accounts:user_reactivate", params={"pk": "member"}, ok=ADMINS, status=REACHED, denied=404),
    E("POST", "accounts:user_password_reset", params={"pk": "member"}, ok=ADMINS, status=REACHED, denied=404),
    # divisions
    E("GET", "divisions:tree", ok=STAFF),
    E("GET", "divisions:search", query="?q=社区", ok=STAFF),
    E("GET", "divisions:detail", params={"pk": "grid"}, ok=STAFF, denied=404, shows=name_of("grid")),
    E("GET", "divisions:children", params={"pk": "community"}, ok=STAFF, denied=404, reach={"grid_worker": ""},
      shows=name_of("grid")),
    E("POST", "divisions:rename", params={"pk": "street"}, ok=DIVISION_MANAGERS, status=REACHED, denied=404),
    E("GET", "divisions:map", params={"pk": "community"}, ok=STAFF, denied=404, reach={"grid_worker": ""},
      shows=name_of("community")),
    E("GET", "divisions:coverage", params={"pk": "community"}, ok=STAFF, denied=404, reach={"grid_worker": ""},
      shows=name_of("community")),
    E("GET", "divisions:split", params={"pk": "grid"}, ok=GRID_MANAGERS, denied=404, shows=name_of("grid")),
    E("GET", "divisions:merge", params={"pk": "community"}, ok=GRID_MANAGERS, denied=404,
      shows=name_of("community")),
    E("GET", "divisions:import", params={"pk": "community"}, ok=GRID_MANAGERS, denied=404,
      shows=name_of("community")),
    # departments
    E("GET", "departments:list", ok=STAFF),
    E("GET", "departments:new", ok=ADMINS),
    E("GET", "departments:detail", params={"pk": "department"}, ok=STAFF, denied=404,
      shows=name_of("department")),
    E("GET", "departments:edit", params={"pk": "department"}, ok=ADMINS, denied=404, shows=name_of("department")),
    E("POST", "departments:archive", params={"pk": "department"}, ok=ADMINS, status=REACHED, denied=404),
    E("POST", "departments:restore", params={"pk": "department"}, ok=ADMINS, status=REACHED, denied=404),
    # registry
    E("GET", "registry:grid", ok=REG_PLACES),
    E("GET", "registry:household_new", ok=REG_EDIT),
    E("GET", "registry:household", params={"pk": "household"}, ok=REG_PEOPLE, denied=404,
      shows=name_of("household", "room")),
    E("GET", "registry:household_edit", params={"pk": "household"}, ok=REG_EDIT, seen_by=REG_PEOPLE,
      shows=name_of("household", "room")),
    E("POST", "registry:visit_log", params={"pk": "household"}, ok=REG_VISIT, status=REACHED, seen_by=REG_PEOPLE),
    E("GET", "registry:resident_new", params={"pk": "household"}, ok=REG_EDIT,
      seen_by=REG_PEOPLE),
    E("GET", "registry:resident_edit", params={"pk": "resident"}, ok=REG_EDIT, seen_by=REG_PEOPLE,
      shows=name_of("resident")),
    E("POST", "registry:reveal", params={"pk": "resident", "field": "phone"}, ok=REG_VISIT, status=REACHED,
      seen_by=REG_PEOPLE),
    E("POST", "registry:follow_up_close", params={"pk": "visit"}, ok=REG_VISIT, status=REACHED, seen_by=REG_PEOPLE),
    E("GET", "registry:visit_photo", params={"pk": "visit", "photo_id": "photo"}, ok=REG_PEOPLE, denied=404),
    E("GET", "registry:statistics", params={"pk": "grid"}, ok=STAFF, denied=404, shows=name_of("grid")),
    # cases
    E("GET", "cases:workbench", ok=STAFF, denied=302),  # a resident is sent to their own reports
    E("POST", "cases:bulk_accept", ok={"city_admin", "department_staff"}, status=REACHED, denied=302),
    E("GET", "cases:new", ok=REPORTERS),
    E("GET", "cases:report", ok=ALL, anon=PUBLIC),
    E("GET", "cases:suggest", query="?q=垃圾", ok=ALL, anon=PUBLIC),
    E("GET", "cases:where", query="?lng=113.905&lat=30.905", ok=ALL, anon=PUBLIC),
    E("GET", "cases:nearby", query="?lng=113.905&lat=30.905", ok=ALL, anon=PUBLIC),
    E("GET", "cases:areas", ok=ALL, anon=PUBLIC),
    E("GET", "cases:sent", params={"code": "code"}, ok=ALL, anon=PUBLIC, scoped=False),
    E("GET", "cases:lookup", ok=ALL, anon=PUBLIC),
    E("GET", "cases:track", params={"code": "code"}, ok=ALL, anon=PUBLIC, scoped=False, shows=number),
    E("POST", "cases:rate", params={"code": "code"}, ok=ALL, status=REACHED, anon=PUBLIC, scoped=False),
    E("POST", "cases:verify", params={"code": "code"}, ok={"resident"}, status=REACHED, denied=404, anon=404,
      scoped=False),
    E("POST", "cases:follow", params={"code": "code"}, ok=ALL, status=REACHED, scoped=False,
      expect=follow_refusal),
    E("POST", "cases:unfollow", params={"code": "code"}, ok=ALL, status=REACHED, scoped=False,
      expect=unfollow_refusal),
    E("GET", "cases:public_photo", params={"code": "code", "attachment_id": "attachment"}, ok=ALL,
      anon=PUBLIC, scoped=False),
    E("GET", "cases:mine", ok=ALL),
    # The reporter (the resident persona reported both cases) is sent to the public tracking page.
    E("GET", "cases:detail", params=P, ok=ALL, status={"resident": 302, "*": 200}, denied=404,
      reach={"resident": "ab"}, shows=number),
    E("GET", "cases:attachment", params={"pk": "case", "attachment_id": "attachment"}, ok=ALL, denied=404,
      reach={"resident": "ab"}),
    E("POST", "cases:reveal_contact", params=P, ok={"city_admin", "street_officer_a", "street_officer_b",
                                                    "community_secretary", "grid_worker", "department_staff"},
      status=REACHED, seen_by=CASE_SEEN, reach={"resident": "ab"}),
    E("POST", "cases:summons", params={"pk": "case", "summons_id": "summons", "step": "check-in"},
      ok={"department_staff"}, status=REACHED, denied=404),
    # Who sees the case but may not start it gets the form back with the refusal (400).
    E("POST", "cases:act", params={"pk": "case", "action": "start"}, ok=HANDLERS, status=REACHED,
      seen_by=CASE_SEEN, refused=400, reach={"resident": "ab"}),
    # notifications
    E("GET", "notifications:list", ok=ALL),
    E("POST", "notifications:read", ok=ALL, status=302),
    # assessment
    E("GET", "assessment:ranking", ok=ASSESSORS),
    E("GET", "assessment:ranking_export", ok=ASSESSORS),
    E("GET", "assessment:cases", query="?type=street&unit={unit}", params={"unit": "street"}, ok=ASSESSORS,
      reach={"department_staff": "", "community_secretary": ""}, shows=number),
    E("GET", "assessment:cases_export", query="?type=street&unit={unit}", params={"unit": "street"},
      ok=ASSESSORS, reach={"department_staff": "", "community_secretary": ""}),
    E("GET", "assessment:unit", params={"unit_type": fixed("street"), "pk": "street"}, ok=ASSESSORS,
      reach={"department_staff": "", "community_secretary": ""}, shows=name_of("street")),
    E("GET", "assessment:weights", ok=ADMINS),
    # Open311 (GeoReport v2): public reads
    E("GET", "open311:root", ok=ALL, anon=PUBLIC),
    E("GET", "open311:discovery", params={"fmt": "json"}, ok=ALL, anon=PUBLIC),
    E("GET", "open311:services", params={"fmt": "json"}, ok=ALL, anon=PUBLIC),
    E("GET", "open311:service", params={"service_code": "litter", "fmt": "json"}, ok=ALL, anon=PUBLIC),
    E("GET", "open311:requests", params={"fmt": "json"}, ok=ALL, anon=PUBLIC),
    E("GET", "open311:request", params={"service_request_id": "number", "fmt": "json"}, ok=ALL, anon=PUBLIC,
      scoped=False, shows=number),
    E("GET", "open311:token", params={"token": "0" * 12, "fmt": "json"}, ok=ALL, status=404, anon=PUBLIC),
    E("GET", "open311:updates", params={"fmt": "json"}, ok=ALL, anon=PUBLIC),
    E("GET", "open311:media", params={"signed": "nothing"}, ok=ALL, status=404, anon=PUBLIC),
    E("GET", "<unnamed open311/v2/^(?P<path>.*)$>", params={"path": "nothing"}, ok=ALL, status=404, anon=PUBLIC),
    # the API's own documents
    E("GET", "api:openapi-json", ok=ALL, anon=PUBLIC),
    E("GET", "api:api-root", ok=ALL, status=404, anon=PUBLIC),
    E("GET", "api:openapi-view", ok=ALL, anon=PUBLIC),
]

def _parts_entries() -> list[Entry]:
    from .parts import parts

    return [e for part in parts() for e in part.API_ENTRIES + part.PAGE_ENTRIES]


ENTRIES = {e.key: e for e in API_ENTRIES + PAGE_ENTRIES + _parts_entries()}

# Routes with no row in the matrix, and why. (None today: static files are served by whitenoise
# outside the URL conf, there is no admin site, and the ninja API's own URL patterns are checked
# operation by operation from its schema.)
EXEMPT: dict[str, str] = {}
