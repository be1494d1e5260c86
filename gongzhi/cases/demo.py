"""Demo cases: residents' reports carried through the workflow by the demo personas and the demo
departments' staff, so every queue, timeline and rate has something in it.

Every step goes through the case services (timeline, audit, deadlines, notifications), exactly as
a person clicking through the pages would. A case's idempotency key makes a second run add nothing."""

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from shapely.geometry import Point, shape

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import RoleAssignment, User
from gongzhi.demo.personas import DEMO_PASSWORD, ensure_role, ensure_user
from gongzhi.divisions.choices import Level
from gongzhi.divisions.models import Division

from .choices import Rating
from .models import Case, Category
from .permissions import CaseAction, may
from .services.intake import Report, submit_case
from .services.workflow import (
    accept_case,
    close_case,
    dispatch_case,
    rate_case,
    register_case,
    reject_case,
    resolve_case,
    start_case,
    verify_case,
)

# (category code, what residents write)
REPORTS = [
    ("manhole-cover", "小区门口人行道上的井盖松动，踩上去会翻，晚上很危险。"),
    ("street-light", "巷子里的两盏路灯坏了一个星期，晚上回家一片漆黑。"),
    ("road-damage", "路口人行道的道板塌陷了一块，老人推车经过差点摔倒。"),
    ("trash-bin", "菜市场旁边的垃圾桶满了没人清运，气味很大。"),
    ("street-tree", "昨晚风大，行道树断了一根大树枝挡在非机动车道上。"),
    ("litter", "楼后空地上堆了很多生活垃圾，已经好几天了。"),
    ("construction-waste", "夜里有车在河边偷倒建筑渣土。"),
    ("sewage-overflow", "下水道堵了，污水从井口冒出来流到路上。"),
    ("illegal-flyers", "单元门口和电梯里贴满了小广告。"),
    ("night-construction", "工地晚上十一点以后还在施工，噪音吵得睡不着。"),
    ("street-vending", "早上学校门口有流动摊贩占道经营，堵住了上学的路。"),
    ("flooding", "下雨后地下通道积水有半米深，车辆无法通行。"),
    ("property-management", "物业迟迟不修坏掉的单元门禁，外来人员随意进出。"),
    ("neighbour-dispute", "楼上邻居家的空调外机滴水到我家阳台，沟通多次未解决。"),
    ("elderly-care", "独居的王奶奶最近腿脚不便，希望社区帮忙联系助餐服务。"),
    ("noise", "楼下商铺音响声音太大，从早放到晚。"),
    ("parking", "小区消防通道长期被私家车占用，消防车进不来。"),
    ("hallway-clutter", "三楼楼道堆满了旧家具和纸箱，存在消防隐患。"),
    ("pets", "小区里有人遛狗不牵绳，孩子被吓到了。"),
]

# How far along each demo case goes, with how many of every hundred stop there.
STAGES = [
    ("submitted", 12), ("registered", 8), ("rejected", 2), ("dispatched", 14), ("accepted", 8),
    ("in_progress", 10), ("resolved", 8), ("verified", 4), ("closed", 6), ("rated", 28),
]
FEEDBACK = "已到现场处置完毕，问题已解决，附处置后照片。"
SIZES = {"small": 80, "city": 400}


@dataclass
class People:
    resident: User
    grid_worker: User
    city_admin: User
    desks: dict[int, User]  # street id → the street officer who works its desk
    grid_worker_grid: int


def build_demo_cases(*, size: str = "small", progress: Callable[[str, int, int], None] | None = None) -> int:
    """Create the demo cases that are not there yet; returns how many were created."""
    if not Category.objects.exists():
        return 0
    people = _people()
    grids = list(Division.objects.filter(level=Level.GRID, is_active=True, district__isnull=False)
                 .only("id", "geometry", "street_id").order_by("code"))
    if not grids or people is None:
        return 0
    categories = {c.code: c for c in Category.objects.filter(parent__isnull=False)}
    rng = random.Random(20261122)
    stages = [name for name, weight in STAGES for _ in range(weight)]
    rng.shuffle(stages)
    total, created = SIZES[size], 0
    for number in range(total):
        code, text = rng.choice(REPORTS)
        grid = rng.choice(grids)
        stage = stages[number % len(stages)]
        if _file(number, categories.get(code), text, grid, stage, people, rng):
            created += 1
        if progress:
            progress("cases", number + 1, total)
    return created


def _people() -> People | None:
    users = {u.username: u for u in User.objects.filter(
        username__in=["resident", "grid_worker", "city_admin", "street_officer_a", "street_officer_b"])}
    if len(users) < 5:
        return None
    desks = {}
    for officer in ("street_officer_a", "street_officer_b"):
        assignment = RoleAssignment.objects.filter(user=users[officer], revoked_at=None).first()
        if assignment and assignment.division_id:
            desks[assignment.division_id] = users[officer]
    worker = RoleAssignment.objects.filter(user=users["grid_worker"], revoked_at=None).first()
    return People(users["resident"], users["grid_worker"], users["city_admin"], desks,
                  worker.division_id if worker else 0)


def _file(number, category, text, grid, stage, people: People, rng) -> bool:
    key = f"demo-{number:05d}"
    if Case.objects.filter(idempotency_key=key).exists():
        return False
    patrol = grid.pk == people.grid_worker_grid and number % 2 == 0
    reporter = people.grid_worker if patrol else people.resident
    lng, lat = _point_in(grid, rng)
    intake = submit_case(actor=reporter, report=Report(
        description=text, lng=lng, lat=lat, category=category, is_anonymous=number % 5 == 0,
        channel="grid_patrol" if patrol else "resident_app", idempotency_key=key))
    if not intake.created:
        return False
    _advance(intake.case, stage, reporter, people, rng)
    return True


def _advance(case, stage: str, reporter: User, people: People, rng) -> None:
    desk = people.desks.get(case.street_id, people.city_admin)
    if stage == "submitted":
        return
    if stage == "rejected":
        reject_case(actor=desk, case=case, reason="经核实不属于受理范围，已电话告知反映人。")
        return
    case = register_case(actor=desk, case=case)
    if stage == "registered":
        return
    case = dispatch_case(actor=desk, case=case)
    if stage == "dispatched":
        return
    handler = _handler(case, desk)
    case = accept_case(actor=handler, case=case)
    if stage == "accepted":
        return
    case = start_case(actor=handler, case=case)
    if stage == "in_progress":
        return
    case = resolve_case(actor=handler, case=case, feedback=FEEDBACK)
    if stage == "resolved":
        return
    case = verify_case(actor=reporter, case=case, passed=True, note="现场核查，已处理。")
    if stage == "verified":
        return
    case = close_case(actor=desk, case=case)
    if stage == "closed":
        return
    value = rng.choices([Rating.SATISFIED, Rating.BASICALLY_SATISFIED, Rating.DISSATISFIED], [85, 12, 3])[0]
    rate_case(actor=reporter, case=case, value=value, comment="" if value == Rating.SATISFIED else "处理较慢。")


def _handler(case, desk: User) -> User | None:
    """Someone of the unit that now holds the case who may handle it: a department's staff member,
    a community's worker (made on first need) or the street desk; else the system itself."""
    unit = ({"department_id": case.handling_department_id} if case.handling_department_id
            else {"division_id": case.handling_division_id})
    candidates = [a.user for a in RoleAssignment.objects.filter(revoked_at=None, **unit)
                  .select_related("user").order_by("pk")]
    division = case.handling_division
    if division is not None and division.level == Level.COMMUNITY:
        candidates.append(_community_worker(division))
    candidates.append(desk)
    return next((user for user in candidates if may(user, case, CaseAction.HANDLE)), None)


def _community_worker(community: Division) -> User:
    user = ensure_user(f"cw_{community.code}", f"{community.name}社区工作者", password_hash=_demo_password_hash())
    ensure_role(user, Role.COMMUNITY_STAFF, division=community)
    return user


@functools.cache
def _demo_password_hash() -> str:
    # One hash for every demo worker: hashing is deliberately slow, and these are demo accounts.
    return make_password(DEMO_PASSWORD)


def _point_in(grid: Division, rng) -> tuple[float, float]:
    polygon = shape(grid.geometry)
    x0, y0, x1, y1 = polygon.bounds
    for _ in range(50):
        lng, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if polygon.contains(Point(lng, lat)):
            return round(lng, 6), round(lat, 6)
    point = polygon.representative_point()
    return point.x, point.y
