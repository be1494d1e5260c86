from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.errors import DomainError, StaleEdit

from ..choices import ANCESTOR_LEVELS, CODE_DIGITS, ChangeKind, Level, child_level
from ..geo import measure
from ..geo.index import mark_grids_changed
from ..models import Division, DivisionChange

AUDITED_FIELDS = ["name", "code", "kind", "parent", "is_active"]


def full_code(level: str, code: str) -> str:
    """The stored code: national codes padded to 12 digits; grid codes are 15 digits."""
    code = code.strip()
    if not code.isdigit():
        raise DomainError(_("A division code has digits only: %(code)s") % {"code": code})
    if level == Level.GRID:
        if len(code) != 15:
            raise DomainError(_("A grid code has 15 digits: %(code)s") % {"code": code})
        return code
    if len(code) > 12:
        raise DomainError(_("A division code has at most 12 digits: %(code)s") % {"code": code})
    return code.ljust(12, "0")


def code_prefix(division: Division) -> str:
    return division.code[: CODE_DIGITS[division.level]]


def set_ancestors(division: Division) -> None:
    parent = division.parent
    for level in ANCESTOR_LEVELS:
        setattr(division, f"{level}_id", getattr(parent, f"{level}_id") if parent else None)
    if division.level in ANCESTOR_LEVELS:
        setattr(division, f"{division.level}_id", division.pk)


def check_placement(level: str, parent: Division | None, code: str) -> None:
    if parent is None:
        # Only the top of a deployment (a province, or a city imported on its own) floats.
        if level not in (Level.PROVINCE, Level.CITY):
            raise DomainError(_("A %(level)s needs a parent division.") % {"level": Level(level).label})
        return
    if child_level(parent.level) != level:
        raise DomainError(
            _("A %(child)s cannot sit under a %(parent)s.")
            % {"child": Level(level).label, "parent": Level(parent.level).label}
        )
    if not parent.is_active:
        raise DomainError(_("%(parent)s is retired; choose its successor.") % {"parent": parent.name})
    if not code.startswith(code_prefix(parent)):
        raise DomainError(
            _("Code %(code)s does not belong under %(parent)s (%(prefix)s…).")
            % {"code": code, "parent": parent.name, "prefix": code_prefix(parent)}
        )


@transaction.atomic
def create_division(
    *, actor, level: str, code: str, name: str, parent: Division | None = None, kind: str = "",
    geometry: dict | None = None, area_m2: float | None = None, reason: str = "", actor_label: str = "",
) -> Division:
    code = full_code(level, code)
    check_placement(level, parent, code)
    if Division.objects.filter(code=code, is_active=True).exists():
        raise DomainError(_("Division code %(code)s is already in use.") % {"code": code}, code="duplicate")
    if geometry is not None and area_m2 is None:
        area_m2 = measure.area_m2(geometry)
    division = Division(level=level, code=code, name=name.strip(), parent=parent, kind=kind,
                        geometry=geometry, area_m2=area_m2)
    set_ancestors(division)
    division.save()
    if level in ANCESTOR_LEVELS:
        Division.objects.filter(pk=division.pk).update(**{f"{level}_id": division.pk})
        setattr(division, f"{level}_id", division.pk)
    if level == Level.GRID:
        mark_grids_changed()
    DivisionChange.objects.create(division=division, kind=ChangeKind.CREATED, actor=_user(actor), reason=reason,
                                  after={"code": code, "name": division.name})
    audit.record(actor=actor, action="division.create", obj=division, division=division,
                 after=audit.snapshot(division, AUDITED_FIELDS), reason=reason, actor_label=actor_label)
    return division


@transaction.atomic
def rename_division(
    *, actor, division: Division, name: str, reason: str, expected_version: int | None = None
) -> Division:
    name = name.strip()
    if not name:
        raise DomainError(_("A division needs a name."))
    if not reason.strip():
        raise DomainError(_("Say why the division is renamed."))
    division = lock(division, expected_version)
    if name == division.name:
        return division
    before = audit.snapshot(division, AUDITED_FIELDS)
    old = division.name
    division.name = name
    bump(division, ["name"])
    DivisionChange.objects.create(division=division, kind=ChangeKind.RENAMED, actor=_user(actor), reason=reason,
                                  before={"name": old}, after={"name": name})
    audit.record(actor=actor, action="division.rename", obj=division, division=division, before=before,
                 after=audit.snapshot(division, AUDITED_FIELDS), reason=reason)
    return division


def lock(division: Division, expected_version: int | None) -> Division:
    """Re-read the row under a lock; refuse the edit if someone changed it since the form was shown."""
    current = Division.objects.select_for_update().get(pk=division.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleEdit(_("Someone else changed %(name)s meanwhile. Reload the page and try again.")
                        % {"name": current.name})
    return current


def bump(division: Division, fields: list[str]) -> None:
    division.version += 1
    division.updated_at = timezone.now()
    division.save(update_fields=[*fields, "version", "updated_at"])


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None
