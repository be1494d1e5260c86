"""Squads for tests: a squad in community A (kept by the community secretary) and one in street B,
each with residents of its area enrolled through the services."""

from types import SimpleNamespace

from gongzhi.accounts.choices import Role
from gongzhi.demo.personas import ensure_role, ensure_user

from ..services import squads as services

ROLES = ("leader", "information", "evacuation", "patrol", "medical", "logistics")


def make_people(division, prefix: str, n: int, phone_base: int) -> list:
    people = []
    for i in range(n):
        user = ensure_user(f"{prefix}{i}", f"队员{prefix}{i}", phone=f"1{phone_base + i:010d}")
        ensure_role(user, Role.RESIDENT, division=division)
        people.append(user)
    return people


def build_squads(city, *, size_a: int = 4, size_b: int = 2) -> SimpleNamespace:
    u = city.users
    secretary, officer_b = u["community_secretary"], u["street_officer_b"]
    squad_a = services.create_squad(actor=secretary, division_id=city.community_a.pk, name="书院社区应急突击队",
                                    muster_point="社区广场")
    people_a = make_people(city.community_a, "sq_a", size_a, 3700000000)
    members_a = [services.enrol_member(actor=secretary, squad_id=squad_a.pk, user_id=p.pk, role=ROLES[i % 6])
                 for i, p in enumerate(people_a)]
    squad_b = services.create_squad(actor=officer_b, division_id=city.street_b.pk, name="新华街道应急突击队")
    people_b = make_people(city.community_b, "sq_b", size_b, 3710000000)
    members_b = [services.enrol_member(actor=officer_b, squad_id=squad_b.pk, user_id=p.pk, role="patrol")
                 for p in people_b]
    return SimpleNamespace(squad_a=squad_a, squad_b=squad_b, people_a=people_a, people_b=people_b,
                           members_a=members_a, members_b=members_b)


def whistled_case(city):
    """A case in street A registered by its officer, with the whistle blown on it: (case, whistle)."""
    import datetime as dt

    from django.utils import timezone

    from gongzhi.cases.models import Category
    from gongzhi.cases.services import whistle, workflow
    from gongzhi.cases.services.catalogue import seed_catalogue
    from gongzhi.cases.services.intake import Report, submit_case
    from gongzhi.demo.fixture_city import X0, Y0
    from gongzhi.workdays.services import load_official_calendar

    load_official_calendar(years=[2026, 2027])
    seed_catalogue()
    officer = city.users["street_officer_a"]
    case = submit_case(actor=city.users["resident"], report=Report(
        description="堤坝渗水", lng=X0 + 0.005, lat=Y0 + 0.005, category=Category.objects.get(code="litter"))).case
    case = workflow.register_case(actor=officer, case=case)
    department = city.users["department_staff"].role_assignments.get().department
    blown = whistle.blow_whistle(actor=officer, case=case, reason="需要突击队",
                                 check_in_due=timezone.now() + dt.timedelta(hours=2), departments=[department])
    return case, blown
