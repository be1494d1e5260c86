"""The demo personas, shared by the demo data and the tests so both speak of the same people.

Each persona names the division it works in by a key the caller maps to a Division
(`city`, `district`, `street_a`, `street_b`, `community_a`, `grid_a`, `community_b`).
"""

from dataclasses import dataclass

from django.db import transaction

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import RoleAssignment, User
from gongzhi.departments.models import Department, DepartmentKind

DEMO_PASSWORD = "gongzhi-demo"  # noqa: S105  (published in the README: demo data only)


@dataclass(frozen=True)
class Persona:
    username: str
    display_name: str
    role: str
    where: str
    phone: str


PERSONAS = [
    Persona("city_admin", "市级管理员 王建国", Role.CITY_ADMIN, "city", "13900000001"),
    Persona("district_officer", "区级干部 李明", Role.DISTRICT_OFFICER, "district", "13900000002"),
    Persona("street_officer_a", "街道干部 张伟（A街道）", Role.STREET_OFFICER, "street_a", "13900000003"),
    Persona("street_officer_b", "街道干部 刘洋（B街道）", Role.STREET_OFFICER, "street_b", "13900000004"),
    Persona("community_secretary", "社区书记 陈静", Role.COMMUNITY_SECRETARY, "community_a", "13900000005"),
    Persona("grid_worker", "网格员 赵磊", Role.GRID_WORKER, "grid_a", "13900000006"),
    Persona("department_staff", "城管队员 孙强", Role.DEPARTMENT_STAFF, "department", "13900000007"),
    Persona("resident", "居民 周芳", Role.RESIDENT, "community_a", "13900000008"),
    Persona("auditor", "审计员 吴敏", Role.AUDITOR, "district", "13900000009"),
]


@transaction.atomic
def ensure_department(places: dict) -> Department:
    """The persona department: the street-A squadron of the district's urban management bureau."""
    department, _ = Department.objects.get_or_create(
        division=places["district"],
        name=f"{places['district'].name}城市管理执法局{places['street_a'].name}中队",
        defaults={"kind": DepartmentKind.CITY_MANAGEMENT},
    )
    department.serves.add(places["street_a"])
    return department


@transaction.atomic
def ensure_personas(places: dict, *, password: str = DEMO_PASSWORD) -> dict[str, User]:
    """Create (or find) each persona with its one role. Running it twice changes nothing."""
    department = places.get("department") or ensure_department(places)
    users = {}
    for p in PERSONAS:
        user = User.objects.filter(username=p.username).first()
        if user is None:
            user = User(username=p.username, display_name=p.display_name, phone=p.phone)
            user.set_password(password)
            user.save()
        target = {"department": department} if p.role == Role.DEPARTMENT_STAFF else {"division": places[p.where]}
        RoleAssignment.objects.get_or_create(user=user, role=p.role, revoked_at=None, **target)
        users[p.username] = user
    return users
