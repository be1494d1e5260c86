"""Registry rows follow their ground when grids are split, merged or replaced.

The grid services (gongzhi.divisions.services.grids) retire a grid and name its successors; in the
same transaction they call `move_to_successors`, which re-assigns every registry row of each retired
grid to the successor whose boundary holds it:

- a building by its location point;
- a household by its building's new grid, a resident and a visit by their household's;
- a thing or a facility by its own point, else by the building at its address, else as a row
  without a place;
- an organisation (no point) by the building at its address, else as a row without a place;
- a row without a place goes to the largest successor (a merge has only one).

A point outside every successor (one drawn a little outside the old boundary) goes to the nearest.
Each row gets the successor's cached division columns (community, street, district, city), and the
archivable ones a new version, so an edit form opened before the move is refused as stale instead of
writing over it. Residency events stay where they happened: they are history, read by resident.

The moves are UPDATE statements per successor (keys in chunks, or a subquery on the parent's new
grid), not a save per row: a grid of thousands of residents moves in a few statements. One audit
entry per retired grid records the counts by successor.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.db.models import F
from django.utils import timezone

from gongzhi.core import audit
from gongzhi.divisions.geo import coverage, measure
from gongzhi.divisions.models import Division

from ..models import Building, Facility, Household, Organisation, Resident, Thing, Visit, placed_values
from ..models.base import Archivable

ACTION = "registry.regrid"
KEYS_PER_UPDATE = 5000
# What moves, parents first; the audit entry's counts use these names.
KINDS = ("buildings", "households", "residents", "visits", "things", "facilities", "organisations")


@dataclass
class Moved:
    """What left one retired grid: {successor code: {kind: rows}}."""

    grid: Division
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(n for by_kind in self.counts.values() for n in by_kind.values())

    def add(self, successor: Division, kind: str, n: int) -> None:
        if n:
            by_kind = self.counts.setdefault(successor.code, {})
            by_kind[kind] = by_kind.get(kind, 0) + n


def move_to_successors(*, actor, successors: dict[Division, list[Division]], reason: str) -> list[Moved]:
    """Move the registry rows of each retired grid to its successors (see the module's docstring).
    A retired grid without successors keeps its rows. Call inside the grid service's transaction."""
    report = []
    for old, targets in successors.items():
        targets = [t for t in targets if t.pk != old.pk]
        if not targets:
            continue
        moved = _Regrid(old, targets).run()
        if moved.total:
            audit.record(actor=actor, action=ACTION, obj=old, division=old, reason=reason,
                         after={"successors": moved.counts,
                                "total": {kind: sum(c.get(kind, 0) for c in moved.counts.values())
                                          for kind in KINDS}},
                         actor_label="" if getattr(actor, "is_authenticated", False) else "system")
        report.append(moved)
    return report


class _Regrid:
    def __init__(self, old: Division, targets: list[Division]):
        self.old = old
        self.targets = targets
        self.by_pk = {t.pk: t for t in targets}
        self.moved = Moved(grid=old)
        self.now = timezone.now()
        self.shapes = [coverage.to_shape(t.geometry) if t.geometry else None for t in targets]
        # Where rows without a place go: the largest successor (the only one after a merge).
        self.largest = max(targets, key=lambda t: (_area(t), -t.pk))

    def run(self) -> Moved:
        if len(self.targets) == 1:
            self._move_all(self.targets[0])
            return self.moved
        building_to = self._buildings()
        for model, kind, parent in ((Household, "households", "building"), (Resident, "residents", "household"),
                                    (Visit, "visits", "household")):
            self._follow(model, kind, parent)
        for model, kind in ((Thing, "things"), (Facility, "facilities")):
            self._by_point(model, kind, building_to)
        rows = Organisation.objects.filter(grid_id=self.old.pk).values_list("pk", "address")
        self._assign(Organisation, "organisations", {pk: building_to.get(address, self.largest)
                                                     for pk, address in rows})
        return self.moved

    # --- one successor: everything goes there --------------------------------------------------------

    def _move_all(self, target: Division) -> None:
        for model, kind in ((Building, "buildings"), (Household, "households"), (Resident, "residents"),
                            (Visit, "visits"), (Thing, "things"), (Facility, "facilities"),
                            (Organisation, "organisations")):
            n = model.objects.filter(grid_id=self.old.pk).update(**self._values(model, target))
            self.moved.add(target, kind, n)

    # --- several successors ---------------------------------------------------------------------------

    def _buildings(self) -> dict[str, Division]:
        """Place each building by its point; returns {address: successor} for rows placed by address."""
        rows = list(Building.objects.filter(grid_id=self.old.pk).values_list("pk", "lng", "lat", "address"))
        targets = self._locate([(lng, lat) for _pk, lng, lat, _address in rows])
        chosen = {pk: target for (pk, *_rest), target in zip(rows, targets, strict=True)}
        self._assign(Building, "buildings", chosen)
        return {address: chosen[pk] for pk, _lng, _lat, address in rows}

    def _follow(self, model, kind: str, parent: str) -> None:
        """Rows that take their grid from a parent row already moved; those whose parent lies
        elsewhere (or stayed) go where rows without a place go."""
        for target in self.targets:
            n = (model.objects.filter(grid_id=self.old.pk, **{f"{parent}__grid_id": target.pk})
                 .update(**self._values(model, target)))
            self.moved.add(target, kind, n)
        n = model.objects.filter(grid_id=self.old.pk).update(**self._values(model, self.largest))
        self.moved.add(self.largest, kind, n)

    def _by_point(self, model, kind: str, address_to: dict[str, Division]) -> None:
        rows = list(model.objects.filter(grid_id=self.old.pk).values_list("pk", "lng", "lat", "address"))
        targets = self._locate([(lng, lat) for _pk, lng, lat, _address in rows])
        chosen = {}
        for (pk, lng, lat, address), target in zip(rows, targets, strict=True):
            if lng is None or lat is None:
                target = address_to.get(address, self.largest)
            chosen[pk] = target
        self._assign(model, kind, chosen)

    def _locate(self, points: list[tuple[float | None, float | None]]) -> list[Division]:
        """The successor holding each point: the first whose boundary holds it, else the nearest;
        the largest successor for a point that is missing."""
        found = [self.largest] * len(points)
        known = [i for i, (x, y) in enumerate(points) if x is not None and y is not None]
        drawn = [i for i, s in enumerate(self.shapes) if s is not None]
        if not known or not drawn:
            return found
        xs = np.array([points[i][0] for i in known], dtype=float)
        ys = np.array([points[i][1] for i in known], dtype=float)
        best = np.full(len(known), -1)
        for j in drawn:
            inside = shapely.intersects_xy(self.shapes[j], xs, ys) & (best < 0)
            best[inside] = j
        outside = np.flatnonzero(best < 0)
        if len(outside):
            stray = shapely.points(xs[outside], ys[outside])
            distances = np.array([shapely.distance(self.shapes[j], stray) for j in drawn])
            best[outside] = np.array(drawn)[np.argmin(distances, axis=0)]
        for k, i in enumerate(known):
            found[i] = self.targets[best[k]]
        return found

    def _assign(self, model, kind: str, chosen: dict[int, Division]) -> None:
        """UPDATE the chosen rows, one statement per successor and chunk of keys."""
        by_target: dict[int, list[int]] = defaultdict(list)
        for pk, target in chosen.items():
            by_target[target.pk].append(pk)
        for target_pk, pks in by_target.items():
            target = self.by_pk[target_pk]
            values = self._values(model, target)
            for chunk in _chunks(pks, KEYS_PER_UPDATE):
                n = model.objects.filter(grid_id=self.old.pk, pk__in=chunk).update(**values)
                self.moved.add(target, kind, n)

    def _values(self, model, target: Division) -> dict:
        values = placed_values(target)
        if issubclass(model, Archivable):
            values.update(version=F("version") + 1, updated_at=self.now)
        return values


def _area(division: Division) -> float:
    if division.area_m2:
        return float(division.area_m2)
    return float(measure.area_m2(coverage.to_shape(division.geometry))) if division.geometry else 0.0


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _on_grids_replaced(*, actor, successors: dict[Division, list[Division]], reason: str, **_payload) -> None:
    move_to_successors(actor=actor, successors=successors, reason=reason)


def connect_hooks() -> None:
    """Follow the grid services' announcements (at app ready): they run in the grid change's own
    transaction, so registry rows never sit on a retired grid in any committed state."""
    from gongzhi.core.seams import hooks
    from gongzhi.divisions.seams import GRID_HOOKS

    for hook in GRID_HOOKS:
        hooks.connect(hook, _on_grids_replaced, key="registry.regrid")
