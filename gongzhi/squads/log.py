"""The alert log's message codes, rendered in the reader's language from their parameters."""

from django.utils.translation import gettext_lazy as _

from .choices import AlertKind

MESSAGES = {
    "raised": _("%(kind)s raised: %(title)s; %(notified)s members notified"),
    "raised_from_case": _("%(kind)s raised from case %(case)s: %(title)s; %(notified)s members notified"),
    "called_out_late": _("%(member)s joined the squad and was called out"),
    "acknowledged": _("%(member)s is on the way, expected in %(eta)s min"),
    "unavailable": _("%(member)s cannot come"),
    "arrived": _("%(member)s is on site"),
    "arrived_marked": _("%(member)s marked on site by the desk"),
    "task": _("Task set: %(title)s (%(member)s)"),
    "task_done": _("Task done: %(title)s"),
    "task_cancelled": _("Task cancelled: %(title)s"),
    "note": _("Note: %(text)s"),
    "stood_down": _("Stood down: %(note)s"),
    "report": _("After-action report filed"),
}


def render(code: str, params: dict) -> str:
    template = MESSAGES.get(code)
    if template is None:
        return code
    values = dict(params)
    if "kind" in values:
        values["kind"] = AlertKind(values["kind"]).label if values["kind"] in AlertKind.values else values["kind"]
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return code
