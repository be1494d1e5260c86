"""The demo personas, shared by the demo data and the tests so both speak of the same people.

Each persona names the division it works in by a key the caller maps to a Division
(`city`, `district`, `street_a`, `street_b`, `community_a`, `grid_a`, `community_b`).
"""

from dataclasses import dataclass

from django.db import transaction

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import RoleAssignment, User
from gongzhi.core import audit
from gongzhi.core.masking import mask_phone
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
    department, created = Department.objects.get_or_create(
        division=places["district"],
        name=f"{places['district'].name}城市管理执法局{places['street_a'].name}中队",
        defaults={"kind": DepartmentKind.CITY_MANAGEMENT},
    )
    if created:
        department.serves.add(places["street_a"])
        record_demo_write("department.create", department, division=department.division,
                          after={"name": department.name, "kind": department.kind,
                                 "serves": [places["street_a"].pk]})
    return department


def record_demo_write(action: str, obj, *, division=None, after=None) -> None:
    """Demo set-up writes bypass the role checks of the account services (no one is logged in
    yet); they still leave the audit trail an auditor expects."""
    audit.record(actor=None, actor_label="demo", action=action, obj=obj, division=division, after=after)


def ensure_user(username: str, display_name: str, *, phone: str | None = None, password: str = DEMO_PASSWORD,
                password_hash: str = "") -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, display_name=display_name, phone=phone)
        if password_hash:
            user.password = password_hash
        else:
            user.set_password(password)
        user.save()
        record_demo_write("user.create", user, after={"username": username, "display_name": display_name,
                                                      "phone": mask_phone(phone or "")})
    return user


def ensure_role(user: User, role: str, *, division=None, department=None) -> RoleAssignment:
    target = {"department": department} if department is not None else {"division": division}
    assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role, revoked_at=None, **target)
    if created:
        where = division if division is not None else department.division
        record_demo_write("role.grant", assignment, division=where,
                          after={"user": user.pk, "role": role, "division": getattr(division, "pk", None),
                                 "department": getattr(department, "pk", None)})
    return assignment


@transaction.atomic
def ensure_personas(places: dict, *, password: str = DEMO_PASSWORD) -> dict[str, User]:
    """Create (or find) each persona with its one role. Running it twice changes nothing."""
    department = places.get("department") or ensure_department(places)
    users = {}
    for p in PERSONAS:
        user = ensure_user(p.username, p.display_name, phone=p.phone, password=password)
        if p.role == Role.DEPARTMENT_STAFF:
            ensure_role(user, p.role, department=department)
        else:
            ensure_role(user, p.role, division=places[p.where])
        users[p.username] = user
    return users
