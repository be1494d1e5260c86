"""The platform's base roles, where each assignment comes from, and the accounts' own action."""

from gongzhi.core import roles, scope
from gongzhi.divisions.choices import Level

from .choices import Action, Role

# Where each role is held: the levels of division an assignment of it may name.
LEVELS = {
    Role.CITY_ADMIN: (Level.PROVINCE, Level.CITY, Level.DISTRICT),
    Role.DISTRICT_OFFICER: (Level.DISTRICT,),
    Role.STREET_OFFICER: (Level.STREET,),
    Role.COMMUNITY_SECRETARY: (Level.COMMUNITY,),
    Role.COMMUNITY_STAFF: (Level.COMMUNITY,),
    Role.GRID_WORKER: (Level.GRID,),
    Role.DEPARTMENT_STAFF: (),  # held in a department, which serves divisions
    Role.RESIDENT: (Level.COMMUNITY, Level.GRID),
    Role.AUDITOR: (Level.PROVINCE, Level.CITY, Level.DISTRICT, Level.STREET),
}
for order, role in enumerate(Role):
    roles.register_role(role, role.label, order=order * 10, by_department=role == Role.DEPARTMENT_STAFF,
                        desk=role != Role.RESIDENT, levels=LEVELS[role])

roles.register_actions({Action.MANAGE_USERS: Action.MANAGE_USERS.label, Action.VIEW_AUDIT: Action.VIEW_AUDIT.label})
roles.grant(Role.CITY_ADMIN, {Action.MANAGE_USERS, Action.VIEW_AUDIT})
roles.grant(Role.AUDITOR, {Action.VIEW_AUDIT})


def _live_assignments(user):
    from .models import RoleAssignment

    return (RoleAssignment.objects.filter(user=user, revoked_at__isnull=True)
            .select_related("division", "department").prefetch_related("department__serves"))


scope.set_assignment_source(_live_assignments)
