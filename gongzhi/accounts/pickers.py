"""The search-as-you-type division picker shared by the people-and-roles pages and the
departments pages: the form fields that take its choices, and what it shows. Every choice is
narrowed to the actor's MANAGE_USERS scope, so a crafted request naming another place fails
validation."""

from django import forms
from django.db.models import Q
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from gongzhi.core import roles
from gongzhi.divisions.choices import Level
from gongzhi.divisions.models import Division
from gongzhi.divisions.selectors import ancestor_names, divisions_for

from .choices import Action

DIVISION_NOT_IN_SCOPE = _("Choose a division from the matches: this one is not in your divisions.")


def scoped_divisions(actor):
    return divisions_for(actor, Action.MANAGE_USERS).defer("geometry")


class DivisionChoiceField(forms.ModelChoiceField):
    """One division, picked with the search-as-you-type picker (the page renders it, not the
    widget, since a city has thousands of divisions)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Division.objects.none())
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("error_messages", {"invalid_choice": DIVISION_NOT_IN_SCOPE})
        super().__init__(**kwargs)


class DivisionsChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Division.objects.none())
        kwargs.setdefault("widget", forms.MultipleHiddenInput)
        kwargs.setdefault("error_messages", {"invalid_choice": DIVISION_NOT_IN_SCOPE,
                                             "invalid_pk_value": DIVISION_NOT_IN_SCOPE})
        super().__init__(**kwargs)


PICKER_LIMIT = 15

# What each division picker offers: the levels (None: all) and whether several may be chosen.
PICKERS = {
    "grant": (None, False),
    "filter": (None, False),
    "home": ((Level.DISTRICT, Level.STREET), False),
    "serves": ((Level.STREET, Level.COMMUNITY), True),
}


def _ids(values) -> list[int]:
    out = []
    for v in values:
        try:
            out.append(int(v))
        except (TypeError, ValueError):
            continue
    return out[:200]


def division_picker(actor, data, *, field: str, purpose: str, chosen=None) -> dict:
    """What the search-as-you-type division picker shows: the chosen divisions (checked) and the
    divisions matching the typed text, all inside the actor's MANAGE_USERS scope.

    `data` is the submitted form (or query string): `<field>_q` is the typed text, `<field>` the
    chosen ids, `role` (grant picker) narrows the levels to those the role is held at. Without
    JavaScript the same context renders after the form is submitted, so typing and submitting
    shows the matches to pick from."""
    levels, multi = PICKERS[purpose]
    if purpose == "grant":
        role = data.get("role") if data is not None else None
        spec = roles.role(role) if role else None
        if spec is not None and spec.levels:
            levels = spec.levels
    base = scoped_divisions(actor)
    if chosen is None:
        raw = (data.getlist(field) if hasattr(data, "getlist") else data.get(field, [])) if data is not None else []
        if isinstance(raw, str):
            raw = [raw]
        ids = _ids(raw if multi else raw[:1])
        chosen = list(base.filter(pk__in=ids).order_by("code")) if ids else []
    q = ((data.get(f"{field}_q") if data is not None else "") or "").strip()[:100]
    hits, more = [], False
    if q:
        found = base.filter(Q(name__icontains=q) | Q(code__startswith=q))
        if levels:
            found = found.filter(level__in=levels)
        found = found.exclude(pk__in=[d.pk for d in chosen]).order_by(Length("code"), "code")
        hits = list(found[: PICKER_LIMIT + 1])
        more = len(hits) > PICKER_LIMIT
        hits = hits[:PICKER_LIMIT]
    return {
        "field": field, "purpose": purpose, "multi": multi, "q": q, "chosen": chosen, "hits": hits,
        "more": more, "paths": ancestor_names([*chosen, *hits]),
        "levels": [Level(lv).label for lv in levels] if levels else [],
    }
