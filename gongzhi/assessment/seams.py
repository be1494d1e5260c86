"""What assessment brings to the shell and to dashboards (gongzhi.core.seams): the ranking's menu
entry, and the case rates (rates.py, docs/rates.md) as named metrics of a unit over a period."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.seams.menu import MenuEntry, register_menu_entry
from gongzhi.core.seams.metrics import Metric, register_metrics

# The figures come from the case tables: without the cases app there is nothing to rate.
SOURCES = ("gongzhi.cases", "gongzhi.assessment")


def _sees_assessment(user) -> bool:
    from .units import may_view

    return may_view(user)


def _figure(attribute: str):
    """A metric reading one attribute of the unit's Figures (a handful of grouped queries)."""

    def compute(unit, period):
        from .rates import unit_figures

        return getattr(unit_figures(unit.type, unit.pk, period), attribute)

    compute.__qualname__ = f"figure_{attribute}"
    return compute


METRICS = [
    Metric("cases.received", _("Cases received"), "count", _figure("received"), SOURCES),
    Metric("cases.response_rate", _("Response rate"), "ratio", _figure("response_rate"), SOURCES),
    Metric("cases.on_time_rate", _("On-time rate"), "ratio", _figure("on_time_rate"), SOURCES),
    Metric("cases.resolution_rate", _("Resolution rate"), "ratio", _figure("resolution_rate"), SOURCES),
    Metric("cases.satisfaction_rate", _("Satisfaction rate"), "ratio", _figure("satisfaction_rate"), SOURCES),
    Metric("cases.avg_handling_hours", _("Average handling time"), "hours", _figure("avg_handling_hours"), SOURCES),
]


def register() -> None:
    register_menu_entry(MenuEntry("assessment.ranking", _("Ranking"), "assessment:ranking", order=80,
                                  active="assessment", visible=_sees_assessment))
    register_metrics(METRICS)
