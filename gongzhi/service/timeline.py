"""The order's timeline in the reader's language: each event is a code with parameters."""

from django.utils.translation import gettext_lazy as _

TEXTS = {
    "placed": _("Order placed"),
    "placed_for_neighbour": _("Order placed for a neighbour without a phone"),
    "from_case": _("Ordered from case %(number)s"),
    "dispatched": _("Dispatched to %(takers)s"),
    "published": _("Published for party members and volunteers to take"),
    "taken": _("Taken by %(name)s"),
    "accepted": _("%(name)s accepted the order"),
    "done": _("Done: %(hours)s hours recorded by %(name)s"),
    "confirmed": _("Confirmed and rated %(rating)s of 5"),
    "hours_certified": _("%(hours)s service hours certified for %(names)s"),
    "cancelled": _("Cancelled: %(reason)s"),
    "cancelled_late": _("Cancelled late, less than %(window)s hours before the time wanted: %(reason)s"),
    "no_show": _("%(name)s did not come: %(reason)s"),
    "no_show_disputed": _("%(name)s disputes the no-show: %(reason)s"),
    "no_show_upheld": _("The no-show of %(name)s stands: %(note)s"),
    "no_show_withdrawn": _("The no-show of %(name)s was withdrawn: %(note)s"),
    "turned_into_case": _("Turned into case %(number)s"),
    "reminded": _("Takers reminded of the deadline"),
}


def render(event) -> str:
    template = TEXTS.get(event.code)
    if template is None:
        return event.code
    try:
        return str(template) % (event.params or {})
    except (KeyError, TypeError, ValueError):
        return str(template)
