"""Named metrics that domains declare for assessment and dashboards.

A metric is computed for one unit (anything with `.type` and `.pk`: a division of some level, a
department) over one period (anything with `.first` and `.last` days). A metric names the apps its
data comes from; when one of them is not installed in a deployment the metric is not listed at all,
instead of failing when a dashboard asks for it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from django.apps import apps
from django.utils.functional import Promise


class Unit(Protocol):
    type: str
    pk: int


@dataclass(frozen=True)
class Metric:
    name: str
    label: str | Promise
    unit: str  # "ratio" (0–1), "count", "hours"
    compute: Callable[[Unit, object], float | int | None]
    requires: tuple[str, ...] = ()  # the app names (AppConfig.name) its data comes from

    @property
    def available(self) -> bool:
        return all(apps.is_installed(name) for name in self.requires)


_metrics: dict[str, Metric] = {}


def register_metric(metric: Metric) -> Metric:
    _metrics[metric.name] = metric
    return metric


def register_metrics(metrics: Iterable[Metric]) -> None:
    for m in metrics:
        register_metric(m)


def unregister_metric(name: str) -> None:
    _metrics.pop(name, None)


def metrics() -> list[Metric]:
    return [m for m in _metrics.values() if m.available]


def metric(name: str) -> Metric:
    found = _metrics.get(name)
    if found is None or not found.available:
        raise LookupError(f"no metric {name!r} in this deployment")
    return found


def metric_value(name: str, unit: Unit, period) -> float | int | None:
    return metric(name).compute(unit, period)
