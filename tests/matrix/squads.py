"""The emergency squads' routes in the access matrix: the objects they point at (`build`), the
kinds that name them (`KINDS`), and their rows (see tests/matrix/spec.py).

Who holds what (gongzhi/squads/access.py): VIEW — the city, the district, the streets, the community
secretary and the auditor; MANAGE — the city, the streets and the community secretary. A member's
own routes (acknowledge, I'm here, readiness answers, their tasks) belong to no persona: every
persona reads 404 (the alert did not reach them), and gongzhi/squads/tests/test_pages.py shows a
member using them."""

from functools import cache

SVIEW = frozenset({"city_admin", "district_officer", "street_officer_a", "street_officer_b", "community_secretary",
                   "auditor"})
SMANAGE = frozenset({"city_admin", "street_officer_a", "street_officer_b", "community_secretary"})
MEMBER_ONLY = frozenset()
EVERYONE = frozenset({"city_admin", "district_officer", "street_officer_a", "street_officer_b",
                      "community_secretary", "grid_worker", "department_staff", "resident", "auditor"})


def build(a, b, party, city) -> None:
    """A squad in community A (kept by its secretary) and one in community B (by street B's officer),
    each with the side's grid worker on the roster, a readiness check, an active alert and a task."""
    from gongzhi.squads.services import alerts, squads

    u = city.users
    for side, keeper, community in ((a, u["community_secretary"], city.community_a),
                                    (b, u["street_officer_b"], city.community_b)):
        side.squad = squads.create_squad(actor=keeper, division_id=community.pk, name=f"{community.name}应急突击队")
        side.squad_member = squads.enrol_member(actor=keeper, squad_id=side.squad.pk, user_id=side.member.pk,
                                                role="patrol")
        side.squad_check = squads.start_readiness_check(actor=keeper, squad_id=side.squad.pk)
        side.squad_alert = alerts.raise_alert(actor=keeper, squad_id=side.squad.pk, title=f"{community.name}内涝")
        side.squad_task = alerts.add_task(actor=keeper, alert_id=side.squad_alert.pk, title="疏导交通",
                                          member_id=side.squad_member.pk)


def _pk(name):
    return lambda world, side: getattr(getattr(world, side), name).pk


KINDS: dict = {name: _pk(name) for name in ("squad", "squad_member", "squad_check", "squad_alert", "squad_task")}


def _shows(kind, attr):
    return lambda world, side: str(getattr(getattr(world, side), kind).__dict__[attr])


def __getattr__(name):
    # The rows are made on first use (see tests/matrix/party_registrations.py).
    if name in ("API_ENTRIES", "PAGE_ENTRIES"):
        return _entries()[name]
    raise AttributeError(name)


@cache
def _entries() -> dict:
    from .spec import REACHED, E

    P = "/api/v1/squads"
    SQ = {"squad_id": "squad"}
    AL = {"alert_id": "squad_alert"}
    MEM = {"member_id": "squad_member"}
    TASK = {"task_id": "squad_task"}
    managed = {"ok": SMANAGE, "status": REACHED, "seen_by": SVIEW}

    API_ENTRIES = [
        E("GET", f"{P}/", ok=EVERYONE),
        E("POST", f"{P}/", ok=SMANAGE, status=REACHED),
        E("GET", f"{P}/{{squad_id}}", params=SQ, ok=SVIEW, denied=404, shows=_shows("squad", "name")),
        E("PATCH", f"{P}/{{squad_id}}", params=SQ, **managed),
        E("POST", f"{P}/{{squad_id}}/disband", params=SQ, **managed),
        E("GET", f"{P}/{{squad_id}}/members", params=SQ, ok=SVIEW, denied=404),
        E("POST", f"{P}/{{squad_id}}/members", params=SQ, **managed),
        E("POST", f"{P}/{{squad_id}}/readiness", params=SQ, **managed),
        E("GET", f"{P}/{{squad_id}}/figures", params=SQ, ok=SVIEW, denied=404),
        E("PATCH", f"{P}/members/{{member_id}}", params=MEM, **managed),
        E("POST", f"{P}/members/{{member_id}}/remove", params=MEM, **managed),
        E("POST", f"{P}/readiness/{{check_id}}/answer", params={"check_id": "squad_check"}, ok=MEMBER_ONLY,
          denied=404),
        E("GET", f"{P}/alerts", ok=EVERYONE),
        E("POST", f"{P}/alerts", ok=SMANAGE, status=REACHED),
        E("GET", f"{P}/alerts/{{alert_id}}", params=AL, ok=SVIEW, denied=404, shows=_shows("squad_alert", "title")),
        E("POST", f"{P}/alerts/{{alert_id}}/ack", params=AL, ok=MEMBER_ONLY, denied=404),
        E("POST", f"{P}/alerts/{{alert_id}}/check-in", params=AL, ok=MEMBER_ONLY, denied=404),
        E("POST", f"{P}/alerts/{{alert_id}}/muster", params=AL, **managed),
        E("GET", f"{P}/alerts/{{alert_id}}/log", params=AL, ok=SVIEW, denied=404),
        E("POST", f"{P}/alerts/{{alert_id}}/notes", params=AL, **managed),
        E("GET", f"{P}/alerts/{{alert_id}}/tasks", params=AL, ok=SVIEW, denied=404,
          shows=_shows("squad_task", "title")),
        E("POST", f"{P}/alerts/{{alert_id}}/tasks", params=AL, **managed),
        E("POST", f"{P}/tasks/{{task_id}}/done", params=TASK, **managed),
        E("POST", f"{P}/tasks/{{task_id}}/cancel", params=TASK, **managed),
        E("POST", f"{P}/alerts/{{alert_id}}/stand-down", params=AL, **managed),
        E("PUT", f"{P}/alerts/{{alert_id}}/report", params=AL, **managed),
        E("GET", f"{P}/me/alerts", ok=EVERYONE),
        E("GET", f"{P}/me/tasks", ok=EVERYONE),
    ]

    PAGE_ENTRIES = [
        # a member's phone pages: every persona may open their own (empty) lists; an alert or task
        # that did not reach them reads as missing
        E("GET", "squads:my", ok=EVERYONE),
        E("GET", "squads:my_tasks", ok=EVERYONE),
        E("GET", "squads:my_alert", params={"pk": "squad_alert"}, ok=MEMBER_ONLY, denied=404),
        E("POST", "squads:my_ack", params={"pk": "squad_alert"}, ok=MEMBER_ONLY, denied=404),
        E("POST", "squads:my_check_in", params={"pk": "squad_alert"}, ok=MEMBER_ONLY, denied=404),
        E("POST", "squads:my_readiness", params={"pk": "squad_check"}, ok=MEMBER_ONLY, denied=404),
        E("POST", "squads:my_task_done", params={"pk": "squad_task"}, ok=MEMBER_ONLY, denied=404),
        # the desk
        E("GET", "squads:list", ok=SVIEW),
        E("GET", "squads:new", ok=SMANAGE),
        E("POST", "squads:new", ok=SMANAGE, status=REACHED),
        E("GET", "squads:detail", params={"pk": "squad"}, ok=SVIEW, shows=_shows("squad", "name")),
        E("GET", "squads:figures", params={"pk": "squad"}, ok=SVIEW),
        E("GET", "squads:alert_new", params={"pk": "squad"}, ok=SMANAGE, seen_by=SVIEW),
        E("POST", "squads:alert_new", params={"pk": "squad"}, **managed),
        *[E("POST", f"squads:{name}", params={"pk": "squad"}, **managed)
          for name in ("edit", "disband", "member_add", "readiness_start")],
        *[E("POST", f"squads:{name}", params={"pk": "squad_member"}, **managed)
          for name in ("member_update", "member_remove")],
        E("GET", "squads:alerts", ok=SVIEW),
        E("GET", "squads:alert", params={"pk": "squad_alert"}, ok=SVIEW, shows=_shows("squad_alert", "title")),
        E("GET", "squads:alert_counts", params={"pk": "squad_alert"}, ok=SVIEW),
        *[E("POST", f"squads:{name}", params={"pk": "squad_alert"}, **managed)
          for name in ("alert_task", "alert_note", "alert_muster", "alert_stand_down", "alert_report")],
        E("POST", "squads:task_cancel", params={"pk": "squad_task"}, **managed),
    ]
    return {"API_ENTRIES": API_ENTRIES, "PAGE_ENTRIES": PAGE_ENTRIES}
