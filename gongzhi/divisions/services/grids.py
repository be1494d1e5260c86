"""Writes to the grid layer: re-draw one grid, import a community's grids, split, merge.

Each function is one transaction: it locks the community row first (so two edits of one
community's grids queue instead of both passing the overlap check), then the grids. It writes
`DivisionChange` history and audit rows, moves the grid index's change counter, and deletes
nothing: replaced grids are retired and linked to their successors, and the roles held on them
move to those successors. Other apps' rows on the retired grids (the registry's, say) follow
through the hooks announced here (`..seams.GRID_HOOKS`), in this same transaction. A refused write
raises `GeometryRejected` (or a `DomainError`) and changes nothing.
"""

from dataclasses import dataclass, field

import numpy as np
import shapely
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from shapely.geometry.base import BaseGeometry
from shapely.ops import split

from gongzhi.accounts.models import RoleAssignment
from gongzhi.core import audit
from gongzhi.core.errors import DomainError
from gongzhi.core.seams import hooks
from gongzhi.core.seams.holdings import holdings_on

from ..choices import CODE_DIGITS, ChangeKind, Level
from ..geo import coverage, measure, validate
from ..geo.index import mark_grids_changed
from ..models import Division, DivisionChange
from ..seams import GRIDS_MERGED, GRIDS_RETIRED, GRIDS_SPLIT
from .hierarchy import bump, create_division, lock

AUDITED_FIELDS = ["name", "code", "is_active", "area_m2", "version"]
COMMUNITY_DIGITS = CODE_DIGITS[Level.COMMUNITY]
MAX_GRID_NUMBER = 999  # three digits after the community's code


class GeometryRejected(DomainError):
    """A grid write refused for its geometry; `details` lists every problem found."""

    def __init__(self, problems: list[dict], message=None):
        if message is None:
            message = ngettext("The grid boundaries were refused (%(n)d problem); nothing was changed.",
                               "The grid boundaries were refused (%(n)d problems); nothing was changed.",
                               len(problems)) % {"n": len(problems)}
        super().__init__(message, code="geometry_rejected", details=problems)


@dataclass
class BoundaryResult:
    grid: Division
    changed: bool
    # Blank zones the community is left with: not refused, since two neighbours are re-drawn one
    # at a time, but shown so the editor knows what is still to do.
    warnings: list[dict] = field(default_factory=list)


@dataclass
class ImportResult:
    community: Division
    created: list[Division] = field(default_factory=list)
    redrawn: list[Division] = field(default_factory=list)
    retired: list[Division] = field(default_factory=list)
    unchanged: list[Division] = field(default_factory=list)


# --- re-draw one grid -----------------------------------------------------------------------------


@transaction.atomic
def set_grid_boundary(*, actor, grid: Division, geometry: dict, reason: str,
                      expected_version: int | None = None) -> BoundaryResult:
    """Re-draw one grid. Refused when the boundary is invalid, leaves its community or overlaps a
    sibling grid; the gaps it leaves come back as warnings."""
    _require_reason(reason)
    community = _lock_community(grid.parent_id)
    grid = lock(grid, expected_version)
    _require_active_grid(grid)
    shape = _checked_shape(geometry, grid.code)
    siblings = _active_grids(community, exclude=grid)
    problems = _placement_problems(community, grid.code, shape, siblings)
    if problems:
        raise GeometryRejected(problems)
    gaps = coverage.gaps_in(_shape(community), [shape, *_shapes(siblings)])
    warnings = [validate.gap_problem(community.code, piece) for piece in gaps]
    changed = _update_grid(actor, grid, shape=shape, kind=ChangeKind.REDRAWN, action="grid.redraw",
                           reason=reason)
    if changed:
        mark_grids_changed()
    return BoundaryResult(grid=grid, changed=changed, warnings=warnings)


def _placement_problems(community: Division, label: str, shape: BaseGeometry,
                        siblings: list[Division]) -> list[dict]:
    """A new boundary against its community and its sibling grids."""
    if not community.geometry:
        return [_unknown_community(community, label)]
    boundary = _shape(community)
    problems = [validate.outside_problem(label, community.code, piece)
                for piece in coverage.outside_of(boundary, [shape])]
    drawn = [s for s in siblings if s.geometry]
    for o in coverage.overlaps_among([shape, *_shapes(drawn)]):
        if o.a == 0:  # only what this edit causes; older overlaps among the others are not its fault
            problems.append(validate.overlap_problem(label, drawn[o.b - 1].code, o))
    return problems


# --- import a community's grid layer --------------------------------------------------------------


@transaction.atomic
def import_community_grids(*, actor, community: Division, feature_collection: dict,
                           reason: str, confirm_retire: bool = False) -> ImportResult:
    """Replace a community's grid layer with a file's, all or nothing.

    Every check must pass, gaps included: the file goes through the very validation that
    `POST /grids/validate` runs, so a file called valid there is not refused here for its content,
    and the other way round. Grids already there (by code) are re-drawn, new codes are created, and
    active grids the file no longer holds are retired, their successors being the grids that now
    cover their ground. Retiring all of the community's grids, or more than
    `GONGZHI_GRID_IMPORT_MAX_RETIRE_SHARE` of them, is refused unless `confirm_retire` (the reason
    being required anyway). A grid an earlier import retired passes its code to the grid of the file
    that takes it up again on its ground (its successor), which restores a layer retired by mistake.
    The community's stored boundary is the one that counts."""
    _require_reason(reason)
    community = _lock_community(community.pk)
    known = {community.code: community.geometry} if community.geometry else {}
    problems = validate.validate_grid_collection(feature_collection, communities=known,
                                                 community_code=community.code)
    if not community.geometry:
        problems.insert(0, _unknown_community(community, community.code))
    rows = [] if problems else _grid_rows(feature_collection)
    shapes = {code: coverage.to_shape(geometry) for code, _name, geometry in rows}
    restorable = _restorable(community, shapes)
    problems += _reused_code_problems(community, [code for code in shapes if code not in restorable])
    if problems:
        raise GeometryRejected(problems)

    existing = {g.code: g for g in _active_grids(community)}
    _check_retirement(community, [g for code, g in existing.items() if code not in shapes],
                      total=len(existing), confirmed=confirm_retire)
    result = ImportResult(community=community)
    restored = {}
    for code, name, _geometry in rows:
        shape = shapes[code]
        grid = existing.pop(code, None)
        if grid is None:
            result.created.append(_create_grid(actor, community, code, name, shape, reason))
            if code in restorable:
                restored[restorable[code]] = result.created[-1]
            continue
        grid = lock(grid, None)
        changed = _update_grid(actor, grid, shape=shape, name=name, kind=ChangeKind.IMPORTED,
                               action="grid.import", reason=reason)
        (result.redrawn if changed else result.unchanged).append(grid)
    layer = result.created + result.redrawn + result.unchanged
    successors = {}
    for gone in sorted(existing.values(), key=lambda g: g.pk):
        grid = lock(gone, None)
        successors[grid] = _covering(grid, layer)
        _retire(actor, grid, successors=successors[grid], kind=ChangeKind.RETIRED, action="grid.retire",
                reason=reason)
        result.retired.append(grid)
    _move_roles(actor, successors, reason)
    _announce(GRIDS_RETIRED, actor, successors, reason)
    for old, new in restored.items():
        _pass_code(actor, old, new, reason)
    after = {key: [g.code for g in getattr(result, key)] for key in ("created", "redrawn", "retired", "unchanged")}
    if restored:
        after["restored"] = sorted(new.code for new in restored.values())
    if result.retired and confirm_retire:
        after["confirmed_retirement"] = True
    audit.record(actor=actor, action="grids.import", obj=community, division=community, reason=reason,
                 after=after)
    mark_grids_changed()
    return result


def _grid_rows(fc: dict) -> list[tuple[str, str, dict]]:
    """(code, name, geometry) of each grid feature of a file that passed validation."""
    rows = []
    for feature in fc["features"]:
        props = feature.get("properties") or {}
        if props.get("level") != Level.COMMUNITY:
            name = str(props.get("name") or "").strip()
            rows.append((str(props["code"]).strip(), name, feature["geometry"]))
    return rows


class RetirementUnconfirmed(DomainError):
    """An import would retire all of a community's grids, or too many of them, and was not confirmed."""

    def __init__(self, message, details: list[dict]):
        super().__init__(message, code="confirm_retire", details=details)


def _check_retirement(community: Division, leaving: list[Division], *, total: int, confirmed: bool) -> None:
    """Refuse, unless confirmed, an import that would retire every grid of the community or more
    than the configured share: the refusal says what sits on those grids (from the apps keeping
    rows on them, through the holdings seam), so whoever confirms knows what they strand."""
    share = settings.GONGZHI_GRID_IMPORT_MAX_RETIRE_SHARE
    if confirmed or not leaving or (len(leaving) < total and len(leaving) <= share * total):
        return
    held = holdings_on([g.pk for g in leaving])
    listed = pgettext("list separator", ", ").join(h.text for h in held)
    on_them = _("On them: %(holdings)s.") % {"holdings": listed} if held else _("Nothing is registered on them.")
    message = _("This import would retire %(n)d of the %(total)d grids of %(community)s.") % {
        "n": len(leaving), "total": total, "community": community.name}
    message = " ".join([message, on_them, _("Confirm the retirement, with a reason, to go ahead.")])
    details = [validate.problem("mass_retirement", community.code, message)
               | {"grids": [g.code for g in leaving], "holdings": {h.key: h.count for h in held}}]
    raise RetirementUnconfirmed(message, details)


def _restorable(community: Division, shapes: dict[str, BaseGeometry]) -> dict[str, Division]:
    """{code: retired grid} for the file's codes that an import retired and that no active grid
    holds, when the file's grid covers part of the retired grid's ground: that grid is its
    successor and may take its code back. A code retired by a split or a merge stays retired."""
    active = set(Division.objects.filter(level=Level.GRID, is_active=True, code__in=list(shapes))
                 .values_list("code", flat=True))
    candidates = (Division.objects.filter(level=Level.GRID, parent=community, is_active=False,
                                          code__in=[c for c in shapes if c not in active])
                  .order_by("code", "-retired_at", "-pk"))
    found = {}
    for grid in candidates:
        if grid.code in found:
            continue  # the latest retirement of a code; the earlier ones already lead to it
        last = grid.changes.order_by("-at", "-pk").first()
        if last is None or last.kind != ChangeKind.RETIRED or not grid.geometry:
            found[grid.code] = None
            continue
        shared = shapely.intersection(_shape(grid), shapes[grid.code])
        covers = coverage.areas_m2(np.array([shared], dtype=object))[0] > coverage.tolerance_m2()
        found[grid.code] = grid if covers else None
    return {code: grid for code, grid in found.items() if grid is not None}


def _pass_code(actor, old: Division, new: Division, reason: str) -> None:
    """The grid `new` takes up the code and ground of `old`, which an import retired: it becomes its
    successor, the rows left on `old` (retired without successors) move to it, and the roles its
    retirement revoked are granted again on it."""
    old.successors.add(new)
    _history(actor, new, ChangeKind.RESTORED, reason, related=[old],
             before={"code": old.code, "retired_at": old.retired_at.isoformat() if old.retired_at else None})
    audit.record(actor=actor, action="grid.restore", obj=new, division=new, reason=reason,
                 after={"code": new.code, "predecessor": old.pk})
    _announce(GRIDS_RETIRED, actor, {old: [new]}, reason)
    revoked = (RoleAssignment.objects.filter(division=old, revoked_at__isnull=False,
                                             revoked_at__gte=old.retired_at).order_by("pk")
               if old.retired_at else RoleAssignment.objects.none())
    for role in revoked:
        if RoleAssignment.objects.filter(user_id=role.user_id, role=role.role, division=new,
                                         revoked_at__isnull=True).exists():
            continue  # it came back already, through a successor retired by this import
        granted = RoleAssignment.objects.create(user_id=role.user_id, role=role.role, division=new,
                                                granted_by=_user(actor))
        audit.record(actor=actor, action="role.grant", obj=granted, division=new, reason=reason,
                     after={"user": role.user_id, "role": role.role, "division": new.pk,
                            "restored_from": role.pk})


def _reused_code_problems(community: Division, codes: list[str]) -> list[dict]:
    """A retired grid's code stays with its history; a new grid may not take it over (except its
    own successor: see `_restorable`)."""
    active = Division.objects.filter(level=Level.GRID, is_active=True, parent=community).values("code")
    retired = (Division.objects.filter(level=Level.GRID, code__in=codes, is_active=False)
               .exclude(code__in=active).values_list("code", flat=True))
    message = _("Code %(code)s belonged to a retired grid; give the grid a new number.")
    return [validate.problem("bad_code", code, message % {"code": code}) for code in sorted(set(retired))]


def _covering(grid: Division, layer: list[Division]) -> list[Division]:
    """The grids of `layer` that now cover some of `grid`'s old ground."""
    drawn = [g for g in layer if g.geometry]
    if not grid.geometry or not drawn:
        return []
    shared = shapely.intersection(_shape(grid), _shapes(drawn))
    return [drawn[i] for i in np.flatnonzero(coverage.areas_m2(shared) > coverage.tolerance_m2())]


# --- split and merge ------------------------------------------------------------------------------


@transaction.atomic
def split_grid(*, actor, grid: Division, line: dict | None = None, parts: list[dict] | dict | None = None,
               names: list[str] | None = None, reason: str) -> list[Division]:
    """Split a grid along a line across it, or into given parts whose union is the grid.

    `parts` is a list of Polygon geometries (or Features, or a FeatureCollection whose features'
    names serve when `names` is not given). The parts become new grids with fresh numbers, never a
    retired grid's; the old grid is retired with them as successors, and whoever held a role on it
    now holds it on each part."""
    _require_reason(reason)
    if (line is None) == (parts is None):
        raise DomainError(_("Give either a line to cut along or the parts, not both."))
    community = _lock_community(grid.parent_id)
    grid = lock(grid, None)
    _require_active_grid(grid)
    if not grid.geometry:
        raise DomainError(_("%(name)s has no boundary to split.") % {"name": grid.name})
    if line is not None:
        pieces = _cut(_shape(grid), line)
    else:
        geometries, part_names = _part_geometries(parts)
        names = names or part_names
        pieces = _checked_parts(_shape(grid), geometries, grid.code)
    if names and len(names) != len(pieces):
        raise DomainError(_("The split makes %(n)d grids but %(m)d names were given.")
                          % {"n": len(pieces), "m": len(names)})
    new = []
    for i, (number, piece) in enumerate(zip(_next_numbers(community, len(pieces)), pieces, strict=True)):
        name = (names[i] or "").strip() if names else ""
        new.append(_create_grid(actor, community, _grid_code(community, number), name, piece, reason))
        _history(actor, new[-1], ChangeKind.SPLIT_FROM, reason, related=[grid], before={"code": grid.code})
    _retire(actor, grid, successors=new, kind=ChangeKind.SPLIT, action="grid.split", reason=reason)
    _move_roles(actor, {grid: new}, reason)
    _announce(GRIDS_SPLIT, actor, {grid: new}, reason)
    mark_grids_changed()
    return new


def _cut(whole: BaseGeometry, line: dict) -> list[BaseGeometry]:
    """The parts a line cuts the grid into, north to south then west to east (map reading order)."""
    try:
        cutter = coverage.to_shape(line)
    except (AttributeError, KeyError, TypeError, ValueError, shapely.errors.GEOSException):
        cutter = None
    if cutter is None or cutter.geom_type not in ("LineString", "MultiLineString") or not cutter.is_valid:
        raise DomainError(_("The cutting line must be a GeoJSON LineString."), code="bad_line")
    pieces = [p for p in shapely.get_parts(split(whole, cutter)) if p.geom_type == "Polygon"]
    if len(pieces) < 2:
        raise DomainError(_("The line does not cut across the grid."), code="bad_line")
    if (coverage.areas_m2(pieces) <= coverage.tolerance_m2()).any():
        raise DomainError(_("The line cuts off a sliver too small to be a grid."), code="bad_line")
    return sorted(pieces, key=lambda p: (-round(p.centroid.y, 9), round(p.centroid.x, 9)))


def _part_geometries(parts) -> tuple[list, list[str] | None]:
    """The geometries of the parts and, when they come as Features, their names."""
    if validate.is_feature_collection(parts):
        parts = parts["features"]
    if not isinstance(parts, list):
        raise DomainError(_("The parts must be a list of polygons or a GeoJSON FeatureCollection."))
    if not all(isinstance(p, dict) and p.get("type") == "Feature" for p in parts):
        return parts, None
    names = [str((p.get("properties") or {}).get("name") or "").strip() for p in parts]
    return [p.get("geometry") for p in parts], names if any(names) else None


def _checked_parts(whole: BaseGeometry, parts: list, label: str) -> list[BaseGeometry]:
    """The given parts, if each is valid and together they tile the grid (within tolerance)."""
    if len(parts) < 2:
        raise DomainError(_("A split needs at least two parts."))
    labels = [f"#{i + 1}" for i in range(len(parts))]
    shapes, problems = [], []
    for geometry, part in zip(parts, labels, strict=True):
        shape, found = validate.parse_geometry(geometry, part)
        shapes.append(shape)
        problems += found
    if not problems:
        problems = validate.validity_problems(shapes, labels)
    if problems:
        raise GeometryRejected(problems)
    problems += [validate.outside_problem(labels[piece.index], label, piece)
                 for piece in coverage.outside_of(whole, shapes)]
    problems += [validate.overlap_problem(labels[pair.a], labels[pair.b], pair)
                 for pair in coverage.overlaps_among(shapes)]
    problems += [validate.gap_problem(label, piece) for piece in coverage.gaps_in(whole, shapes)]
    if problems:
        raise GeometryRejected(problems, _("The parts do not tile the grid; nothing was changed."))
    return shapes


@transaction.atomic
def merge_grids(*, actor, grids: list[Division], name: str, reason: str) -> Division:
    """Merge two or more touching grids of one community into a new grid that replaces them."""
    _require_reason(reason)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("The merged grid needs a name."))
    if len({g.pk for g in grids}) < 2:
        raise DomainError(_("Choose at least two grids to merge."))
    if len({g.parent_id for g in grids}) != 1:
        raise DomainError(_("Only grids of one community can be merged."))
    community = _lock_community(grids[0].parent_id)
    olds = list(Division.objects.select_for_update().filter(pk__in={g.pk for g in grids}).order_by("pk"))
    for old in olds:
        _require_active_grid(old)
        if not old.geometry:
            raise DomainError(_("%(name)s has no boundary to merge.") % {"name": old.name})
    union = shapely.union_all(_shapes(olds))
    if union.geom_type != "Polygon":
        raise DomainError(_("The grids do not touch: a merged grid must be one piece."), code="not_adjacent")
    (number,) = _next_numbers(community, 1)
    merged = _create_grid(actor, community, _grid_code(community, number), name, union, reason)
    _history(actor, merged, ChangeKind.MERGED_FROM, reason, related=olds,
             before={"codes": [g.code for g in olds]})
    for old in olds:
        _retire(actor, old, successors=[merged], kind=ChangeKind.MERGED, action="grid.merge", reason=reason)
    _move_roles(actor, {old: [merged] for old in olds}, reason)
    _announce(GRIDS_MERGED, actor, {old: [merged] for old in olds}, reason)
    mark_grids_changed()
    return merged


def _next_numbers(community: Division, count: int) -> list[int]:
    """Numbers after the highest ever used in the community, retired grids included, so a code
    always means one piece of ground in the history."""
    prefix = community.code[:COMMUNITY_DIGITS]
    codes = Division.objects.filter(level=Level.GRID, code__startswith=prefix).values_list("code", flat=True)
    first = max((int(code[-3:]) for code in codes), default=0) + 1
    if first + count - 1 > MAX_GRID_NUMBER:
        raise DomainError(_("%(name)s has used all %(max)d grid numbers.")
                          % {"name": community.name, "max": MAX_GRID_NUMBER})
    return list(range(first, first + count))


def _grid_code(community: Division, number: int) -> str:
    return f"{community.code[:COMMUNITY_DIGITS]}{number:03d}"


def _default_name(community: Division, number: int) -> str:
    return _("%(community)s grid %(number)d") % {"community": community.name, "number": number}


# --- shared steps ---------------------------------------------------------------------------------


def _require_reason(reason: str) -> None:
    if not (reason or "").strip():
        raise DomainError(_("Say why the grids change: the reason stays in the history."),
                          code="reason_required")


def _lock_community(pk) -> Division:
    community = Division.objects.select_for_update().filter(pk=pk, level=Level.COMMUNITY).first()
    if community is None or not community.is_active:
        raise DomainError(_("Grids can only be changed inside an active community."))
    return community


def _require_active_grid(grid: Division) -> None:
    if grid.level != Level.GRID:
        raise DomainError(_("%(name)s is not a grid.") % {"name": grid.name})
    if not grid.is_active:
        raise DomainError(_("%(name)s is retired; edit its successor.") % {"name": grid.name},
                          code="conflict")


def _unknown_community(community: Division, label: str) -> dict:
    message = _("No boundary is known for community %(code)s.") % {"code": community.code}
    return validate.problem("unknown_community", label, message)


def _checked_shape(geometry: dict, label: str) -> BaseGeometry:
    shape, problems = validate.parse_geometry(geometry, label)
    if shape is not None:
        problems = validate.validity_problems([shape], [label])
    if problems:
        raise GeometryRejected(problems)
    return shape


def _active_grids(community: Division, exclude: Division | None = None) -> list[Division]:
    grids = Division.objects.filter(parent=community, level=Level.GRID, is_active=True).order_by("code")
    if exclude is not None:
        grids = grids.exclude(pk=exclude.pk)
    return list(grids)


def _shape(division: Division) -> BaseGeometry:
    return coverage.to_shape(division.geometry)


def _shapes(divisions: list[Division]) -> np.ndarray:
    return np.array([coverage.to_shape(d.geometry) for d in divisions if d.geometry], dtype=object)


def _create_grid(actor, community: Division, code: str, name: str, shape: BaseGeometry,
                 reason: str) -> Division:
    return create_division(actor=actor, level=Level.GRID, code=code, parent=community, reason=reason,
                           name=name or _default_name(community, int(code[-3:])),
                           geometry=coverage.to_geojson(shape))


def _update_grid(actor, grid: Division, *, shape: BaseGeometry, kind: str, action: str, reason: str,
                 name: str = "") -> bool:
    """Re-draw (and, from an import, rename) a locked grid; False when nothing changes."""
    redraw = not (grid.geometry and _shape(grid).equals(shape))
    rename = bool(name) and name != grid.name
    if not (redraw or rename):
        return False
    before_audit = audit.snapshot(grid, AUDITED_FIELDS)
    before = {"name": grid.name, "geometry": grid.geometry, "area_m2": grid.area_m2}
    fields = []
    if redraw:
        grid.geometry, grid.area_m2 = coverage.to_geojson(shape), measure.area_m2(shape)
        fields += ["geometry", "area_m2"]
    if rename:
        grid.name = name
        fields.append("name")
    bump(grid, fields)
    _history(actor, grid, kind, reason, before=before,
             after={"name": grid.name, "geometry": grid.geometry, "area_m2": grid.area_m2})
    audit.record(actor=actor, action=action, obj=grid, division=grid, before=before_audit,
                 after=audit.snapshot(grid, AUDITED_FIELDS), reason=reason)
    return True


def _retire(actor, grid: Division, *, successors: list[Division], kind: str, action: str,
            reason: str) -> None:
    before = audit.snapshot(grid, AUDITED_FIELDS)
    grid.is_active = False
    grid.retired_at = timezone.now()
    bump(grid, ["is_active", "retired_at"])
    grid.successors.add(*successors)
    _history(actor, grid, kind, reason, related=successors, before={"is_active": True},
             after={"is_active": False, "successors": [s.code for s in successors]})
    audit.record(actor=actor, action=action, obj=grid, division=grid, before=before, reason=reason,
                 after={**audit.snapshot(grid, AUDITED_FIELDS), "successors": [s.pk for s in successors]})


def _history(actor, grid: Division, kind: str, reason: str, *, related=(), before=None, after=None) -> None:
    change = DivisionChange.objects.create(division=grid, kind=kind, actor=_user(actor), reason=reason,
                                           before=before, after=after)
    if related:
        change.related.set(related)


def _move_roles(actor, successors: dict[Division, list[Division]], reason: str) -> None:
    """Roles held on retired grids move to their successors, so a grid worker keeps covering the
    same ground: the old assignment is revoked and one is granted on each successor."""
    retired = {grid.pk: grid for grid in successors}
    live = (RoleAssignment.objects.select_for_update()
            .filter(division_id__in=list(retired), revoked_at__isnull=True).order_by("pk"))
    now = timezone.now()
    granted = set()
    for old in live:
        old.revoked_at = now
        old.save(update_fields=["revoked_at"])
        grid = retired[old.division_id]
        audit.record(actor=actor, action="role.revoke", obj=old, division=grid, reason=reason,
                     before={"revoked_at": None}, after={"revoked_at": now})
        for target in successors[grid]:
            if (old.user_id, old.role, target.pk) in granted:  # one worker on two merged grids: granted once
                continue
            granted.add((old.user_id, old.role, target.pk))
            new = RoleAssignment.objects.create(user_id=old.user_id, role=old.role, division=target,
                                                granted_by=_user(actor))
            audit.record(actor=actor, action="role.grant", obj=new, division=target, reason=reason,
                         after={"user": old.user_id, "role": old.role, "division": target.pk,
                                "moved_from": old.pk})


def _announce(hook: str, actor, successors: dict[Division, list[Division]], reason: str) -> None:
    """Tell the apps keeping rows on grids (the registry's buildings, households, people, things,
    organisations and visits) which grids were retired and which now hold their ground. Handlers run
    here, inside this transaction, as the move always did: no commit shows a retired grid still
    holding rows, and a handler that fails rolls the grid change back with it."""
    hooks.announce(hook, actor=actor, successors=successors, reason=reason)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None
