"""The objects the access matrix points its routes at: one of each kind in street A (the scope of
the street-A personas: grid A of community A, the persona department) and the same kind in street
B, built once per test module with the services the app itself uses."""

import datetime as dt
import io
from types import SimpleNamespace

from PIL import Image

from gongzhi.demo.fixture_city import X0, Y0, build_fixture_city

IN_GRID_A = (X0 + 0.005, Y0 + 0.005)
IN_GRID_B = (X0 + 0.05, Y0 + 0.005)
MISSING = 10**9
# A plausible but absent tracking number / code: same shape as the real ones.
MISSING_CODE = "X0000000000"


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 40, 40)).save(out, "JPEG")
    return out.getvalue()


class Side(SimpleNamespace):
    """The objects of one street (A or B)."""


def build_world() -> SimpleNamespace:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongzhi.accounts.choices import Role
    from gongzhi.accounts.services import issue_token
    from gongzhi.cases.models import Category
    from gongzhi.cases.services import sidesteps, whistle, workflow
    from gongzhi.cases.services.catalogue import seed_catalogue
    from gongzhi.cases.services.intake import Report, submit_case
    from gongzhi.cases.uploads import prepare_photo
    from gongzhi.demo.personas import ensure_role, ensure_user
    from gongzhi.departments.models import Department, DepartmentKind
    from gongzhi.open311.services import ensure_demo_key
    from gongzhi.registry.models import ImportJob
    from gongzhi.registry.services import things, visits
    from gongzhi.registry.tests.factories import build_registry
    from gongzhi.workdays.services import load_official_calendar

    city = build_fixture_city()
    u = city.users
    load_official_calendar(years=[2026, 2027])
    seed_catalogue()
    ensure_demo_key()
    catalogue = {c.code: c for c in Category.objects.all()}
    reg = build_registry(city)

    dept_a = u["department_staff"].role_assignments.get().department
    dept_b = Department.objects.create(division=city.district, name="孝南区城管局新华中队",
                                       kind=DepartmentKind.CITY_MANAGEMENT)
    dept_b.serves.add(city.street_b)
    staff_b = ensure_user("department_staff_b", "城管队员 钱进（B街道）", phone="13900000017")
    ensure_role(staff_b, Role.DEPARTMENT_STAFF, department=dept_b)
    # People to administer (the user pages): a grid worker in each street, not a persona.
    member_a = ensure_user("member_a", "网格员 甲", phone="13900000021")
    role_a = ensure_role(member_a, Role.GRID_WORKER, division=city.grid_a_2)
    member_b = ensure_user("member_b", "网格员 乙", phone="13900000022")
    role_b = ensure_role(member_b, Role.GRID_WORKER, division=city.grid_b)

    def case_in(point, department, description, desk):
        photo = prepare_photo(jpeg_bytes(), name="p.jpg")
        case = submit_case(actor=u["resident"], report=Report(
            description=description, lng=point[0], lat=point[1], category=catalogue["litter"],
            contact_name="周芳", contact_phone="13900000008", files=[photo])).case
        # The street office registers and dispatches, so it is the level that decides sidesteps.
        case = workflow.register_case(actor=desk, case=case)
        case = workflow.dispatch_case(actor=desk, case=case, department=department)
        return case

    def side(grid, street, community, department, staff, member, role, point, description, building,
             household, resident):
        case = case_in(point, department, description, staff_or(street))
        case = workflow.accept_case(actor=staff, case=case)
        attachment = case.attachments.first()
        blown = whistle.blow_whistle(actor=staff_or(street), case=case, reason="需要住建部门到场",
                                     check_in_due=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
                                     departments=[department])
        summons = blown.summonses.get()
        sidestep = sidesteps.request_sidestep(actor=staff, case=case, kind="extension", reason="材料未到",
                                              extension_amount=1, extension_unit="days")
        # A case still waiting at the desk, for the register / reject / merge routes.
        waiting = submit_case(actor=u["resident"], report=Report(
            description=description + "（待受理）", lng=point[0], lat=point[1], category=catalogue["litter"])).case
        thing = things.create_thing(actor=None, grid=grid, code=f"T-{grid.code}", category="public_utilities")
        facility = things.create_facility(actor=None, grid=grid, kind="service_room", name=f"{grid.name}服务站")
        organisation = things.create_organisation(actor=None, grid=grid, kind="property_company",
                                                  name=f"{grid.name}物业公司")
        position = things.add_position(actor=None, organisation=organisation, title="经理", holder_name="甲")
        upload = SimpleUploadedFile("v.jpg", jpeg_bytes(), content_type="image/jpeg")
        visitor = u["grid_worker"] if street == city.street_a else member
        visit = visits.log_visit(actor=visitor, household=household, notes="走访", follow_up_needed=True,
                                 follow_up="再来", photos=[upload])
        job = ImportJob.objects.create(entity="residents", mode="create", actor=staff_or(street), file_name="x.xlsx")
        return Side(grid=grid, street=street, community=community, department=department, staff=staff,
                    case=case, waiting=waiting, attachment=attachment, whistle=blown, summons=summons,
                    sidestep=sidestep, thing=thing, facility=facility, organisation=organisation,
                    position=position, visit=visit, photo=visit.photos.first(), job=job, building=building,
                    household=household, resident=resident, member=member, role=role)

    def staff_or(street):
        return u["street_officer_a"] if street == city.street_a else u["street_officer_b"]

    a = side(city.grid_a, city.street_a, city.community_a, dept_a, u["department_staff"], member_a, role_a,
             IN_GRID_A, "书院路边有一堆垃圾", reg.building_a, reg.household_a, reg.zhang)
    b = side(city.grid_b, city.street_b, city.community_b, dept_b, staff_b, member_b, role_b,
             IN_GRID_B, "府前路边有一堆垃圾", reg.building_b, reg.household_b, reg.zhao)
    from gongzhi.party.tests.factories import build_party

    from .parts import parts

    # The party tree of gongzhi.party.tests.factories: street A's organisations and members, and
    # street B's; each part (tests/matrix/parts.py) adds the objects its routes point at.
    party = build_party(city, reg)
    for part in parts():
        part.build(a, b, party, city)
    tokens = {name: issue_token(actor=user, name="matrix") for name, user in u.items()}
    return SimpleNamespace(city=city, users=u, a=a, b=b, reg=reg, catalogue=catalogue, tokens=tokens,
                           staff_b=staff_b, party=party)
