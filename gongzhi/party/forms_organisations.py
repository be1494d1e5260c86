"""The party tree's forms: they parse what the pages post; the choices each offers come from the
scoped selectors, and the services check every id again against the same selectors."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core import scope
from gongzhi.core.forms import reason_field
from gongzhi.departments import selectors as departments
from gongzhi.divisions.models import Division
from gongzhi.registry import selectors as registry

from .choices import Attendance, Duty, FacilityKind, Form, Kind, Line, Position, Sector
from .models import Organisation
from .selectors import organisations as sel

CHOICES_LIMIT = 500


def _area(org: Organisation) -> Division:
    """Where choices for an organisation are looked for: its superior's area, else its own."""
    return org.parent.division if org.parent_id else org.division


def _lineage_ids(division: Division) -> list[int]:
    return [i for i in (division.pk, division.community_id, division.street_id, division.district_id,
                        division.city_id) if i]


def _division_label(d) -> str:
    return f"{d.name}（{d.get_level_display()}）"


def _organisation_label(o) -> str:
    return f"{'　' * o.depth}{o.name}"


def one(label, *, required: bool = True, help_text=None) -> forms.TypedChoiceField:
    """A choice of one object by id; the choices are set from a scoped selector when the form is made."""
    return forms.TypedChoiceField(label=label, coerce=int, required=required, empty_value=None, help_text=help_text)


def many(label, *, required: bool = False, help_text=None) -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(label=label, coerce=int, required=required, help_text=help_text)


def offer(field, objects, label=str, *, blank: bool = True) -> None:
    choices = [(o.pk, label(o)) for o in objects]
    field.choices = ([("", "—")] if blank and not isinstance(field, forms.MultipleChoiceField) else []) + choices


class Versioned(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def cover_choices(user, area: Division):
    return (sel.manage_divisions(user).filter(scope.subtree_q(area))
            .filter(level__in=["street", "community", "grid"]).order_by("code")[:CHOICES_LIMIT])


def building_choices(user, area: Division):
    return registry.buildings_for(user, division=area)[:CHOICES_LIMIT]


def unit_choices(user, area: Division):
    return registry.organisations_for(user, division=area)[:CHOICES_LIMIT]


class FoundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    short_name = forms.CharField(label=_("Short name"), max_length=40, required=False)
    form = forms.ChoiceField(label=_("Form"), choices=Form.choices, initial=Form.BRANCH)
    line = forms.ChoiceField(label=_("Line"), choices=Line.choices, initial=Line.GRID)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    division = one(_("Sited at"))
    covers = many(_("Covers"), help_text=_("The grids (or community) it covers; its own division if none is chosen."))
    unit_name = forms.CharField(label=_("Unit"), max_length=100, required=False,
                                help_text=_("A work unit's organisation: the unit's name."))
    founded_on = forms.DateField(label=_("Founded"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, parent: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        choices = list(cover_choices(user, parent.division))
        offer(self.fields["division"], choices, _division_label, blank=False)
        offer(self.fields["covers"], choices, _division_label)


class RenameForm(Versioned):
    name = forms.CharField(label=_("Name"), max_length=100)
    short_name = forms.CharField(label=_("Short name"), max_length=40, required=False)
    reason = reason_field(required=False)


class EditForm(Versioned):
    form = forms.ChoiceField(label=_("Form"), choices=Form.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    covers = many(_("Covers"), required=True)
    buildings = many(_("Buildings"), help_text=_("For a building group or compound branch (楼院型)."))
    unit = one(_("Unit in the registry"), required=False)
    unit_name = forms.CharField(label=_("Unit"), max_length=100, required=False)
    reason = reason_field(required=False)

    def __init__(self, *args, user, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        area = _area(organisation)
        offer(self.fields["covers"], cover_choices(user, area), _division_label)
        offer(self.fields["buildings"], building_choices(user, organisation.division), lambda b: b.address)
        offer(self.fields["unit"], unit_choices(user, area), lambda u: u.name)


class MoveForm(Versioned):
    parent = one(_("New superior organisation"))
    reason = reason_field()

    def __init__(self, *args, user, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        offer(self.fields["parent"], (
            sel.managed_organisations(user).filter(division_id__in=_lineage_ids(organisation.division))
            .exclude(path__startswith=organisation.path).exclude(line=Line.UNIT)[:CHOICES_LIMIT]), _organisation_label)


class MergeForm(Versioned):
    successor = one(_("Merge into"))
    reason = reason_field()

    def __init__(self, *args, user, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        offer(self.fields["successor"], (
            sel.managed_organisations(user).filter(scope.subtree_q(_area(organisation), model=Organisation))
            .exclude(path__startswith=organisation.path)[:CHOICES_LIMIT]), _organisation_label)


class DissolveForm(Versioned):
    reason = reason_field()


class ReelectForm(Versioned):
    elected_on = forms.DateField(label=_("Elected on"), widget=forms.DateInput(attrs={"type": "date"}))
    due_on = forms.DateField(label=_("Term ends"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                             help_text=_("Five years for a committee, three for a branch, if left empty."))
    is_big = forms.BooleanField(label=_("Big committee (大工委/大党委)"), required=False)
    reason = reason_field(required=False)


class SeatForm(forms.Form):
    position = forms.ChoiceField(label=_("Position"), choices=Position.choices, initial=Position.MEMBER)
    duty = forms.ChoiceField(label=_("Portfolio"), choices=Duty.choices, required=False)
    member = one(_("Party member"), required=False, help_text=_("A member with an account gets the post's role."))
    name = forms.CharField(label=_("Name"), max_length=64, required=False,
                           help_text=_("Needed when no party member is chosen."))
    title = forms.CharField(label=_("Post in their unit"), max_length=100, required=False)
    from_department = one(_("From department"), required=False)
    from_organisation = one(_("From unit's organisation"), required=False)
    from_unit = forms.CharField(label=_("From unit"), max_length=100, required=False)
    seat_based = forms.BooleanField(label=_("Seat-based (席位制)"), required=False)

    def __init__(self, *args, user, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        offer(self.fields["member"], member_choices(user, organisation))
        offer(self.fields["from_department"], departments.departments_for(user))
        offer(self.fields["from_organisation"], sel.organisations_for(user, line=Line.UNIT)[:CHOICES_LIMIT])


def member_choices(user, organisation: Organisation):
    return sel.members_in_scope(user).filter(organisation__path__startswith=organisation.path)[:CHOICES_LIMIT]


class ReplaceForm(forms.Form):
    member = one(_("Party member"), required=False)
    name = forms.CharField(label=_("Name"), max_length=64, required=False)
    title = forms.CharField(label=_("Post in their unit"), max_length=100, required=False)
    reason = reason_field(required=False)

    def __init__(self, *args, user, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        offer(self.fields["member"], member_choices(user, organisation))


class EndSeatForm(forms.Form):
    reason = reason_field()


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Held"), widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label=_("Subject"), max_length=200)

    def __init__(self, *args, seats, **kwargs):
        super().__init__(*args, **kwargs)
        for seat in seats:
            self.fields[f"seat_{seat.pk}"] = forms.ChoiceField(label=seat.name, choices=Attendance.choices,
                                                               initial=Attendance.PRESENT)

    def attendance(self) -> dict:
        return {int(k.removeprefix("seat_")): v for k, v in self.cleaned_data.items() if k.startswith("seat_")}


class FacilityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FacilityKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    area_m2 = forms.IntegerField(label=_("Floor area (m²)"), min_value=0, required=False)
    opening_hours = forms.CharField(label=_("Opening hours"), max_length=100, required=False)
    lng = forms.FloatField(label=_("Longitude"), required=False)
    lat = forms.FloatField(label=_("Latitude"), required=False)
    registry_facility = one(_("Facility in the registry"), required=False)

    def __init__(self, *args, user, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        offer(self.fields["registry_facility"],
              registry.facilities_for(user, division=organisation.division)[:CHOICES_LIMIT])


class ArchiveForm(forms.Form):
    reason = reason_field()
