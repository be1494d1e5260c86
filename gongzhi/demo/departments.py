"""The demo district's functional departments, so routing, queues and rankings have real units.

Each department gets one staff member (password gongzhi-demo, like the personas) so the demo
cases can be accepted and handled by someone."""

from django.db import transaction

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import User
from gongzhi.departments.models import Department, DepartmentKind
from gongzhi.divisions.choices import Level
from gongzhi.divisions.models import Division

from .personas import ensure_role, ensure_user, record_demo_write

# (kind, name after the district's, staff username)
DISTRICT_DEPARTMENTS = [
    (DepartmentKind.WATER, "水务和湖泊局", "dept_water"),
    (DepartmentKind.TRANSPORT, "交通运输局", "dept_transport"),
    (DepartmentKind.HOUSING, "住房和城乡建设局", "dept_housing"),
    (DepartmentKind.MARKET, "市场监督管理局", "dept_market"),
    (DepartmentKind.ECOLOGY, "生态环境分局", "dept_ecology"),
    (DepartmentKind.POLICE, "公安分局", "dept_police"),
    (DepartmentKind.CIVIL_AFFAIRS, "民政局", "dept_civil"),
]


@transaction.atomic
def ensure_demo_departments(district: Division) -> list[Department]:
    """District departments serving every street of the district, each with one staff member;
    and an urban-management squadron for each street beyond street A (whose squadron is a persona's)."""
    streets = list(Division.objects.filter(parent=district, level=Level.STREET, is_active=True).order_by("code"))
    made = []
    for kind, name, username in DISTRICT_DEPARTMENTS:
        department = _ensure_department(district, f"{district.name}{name}", kind, streets)
        _ensure_staff(username, f"{name}工作人员", department)
        made.append(department)
    for number, street in enumerate(streets[1:], start=2):
        department = _ensure_department(district, f"{district.name}城市管理执法局{street.name}中队",
                                        DepartmentKind.CITY_MANAGEMENT, [street])
        _ensure_staff(f"dept_cm_{number}", f"{street.name}城管队员", department)
        made.append(department)
    return made


def _ensure_department(district: Division, name: str, kind: str, serves: list[Division]) -> Department:
    department, created = Department.objects.get_or_create(division=district, name=name, defaults={"kind": kind})
    if created:
        department.serves.add(*serves)
        record_demo_write("department.create", department, division=district,
                          after={"name": name, "kind": kind, "serves": [d.pk for d in serves]})
    return department


def _ensure_staff(username: str, display_name: str, department: Department) -> User:
    user = ensure_user(username, display_name)
    ensure_role(user, Role.DEPARTMENT_STAFF, department=department)
    return user
