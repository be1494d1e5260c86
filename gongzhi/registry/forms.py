"""Forms of the registry pages. They parse what a phone sends; the services check everything else
(ID numbers, phones, dates, scope, duplicates), and their refusals come back onto the fields they
name (`show_refusal`)."""

from django import forms
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import DomainError
from gongzhi.core.forms import MultipleFileField, MultipleFileInput

from .choices import Gender, HouseholdKind, Relation, Residence
from .models import Tag
from .services.visits import NOTES_MAX, PHOTOS_PER_VISIT


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def show_refusal(form: forms.Form, exc: DomainError) -> None:
    """A service's refusal on the form: each problem it names by field next to that field, and its
    message above the form."""
    details = exc.details if isinstance(exc.details, dict) else {}
    placed = set()
    for name, message in details.items():
        if name in form.fields:
            form.add_error(name, str(message))
            placed.add(str(message))
    if str(exc.message) not in placed:
        form.add_error(None, str(exc.message))


# --- visits ----------------------------------------------------------------------------------------


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Date of the visit"), widget=DateInput)
    notes = forms.CharField(label=_("What you found"), required=False, max_length=NOTES_MAX,
                            widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(
        label=_("Photos"), required=False,
        help_text=_("Up to %(n)d photos.") % {"n": PHOTOS_PER_VISIT},
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
    )
    follow_up_needed = forms.BooleanField(label=_("Needs following up"), required=False)
    follow_up = forms.CharField(label=_("What needs following up"), required=False, max_length=NOTES_MAX,
                                widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault("initial", {"visited_on": today})
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].widget.attrs["max"] = today.isoformat()

    def clean(self):
        data = super().clean()
        if data.get("follow_up_needed") and not (data.get("follow_up") or "").strip():
            self.add_error("follow_up", _("Say what needs following up."))
        if len(data.get("photos") or []) > PHOTOS_PER_VISIT:
            self.add_error("photos", _("At most %(n)d photos per visit.") % {"n": PHOTOS_PER_VISIT})
        return data


class CloseFollowUpForm(forms.Form):
    note = forms.CharField(label=_("What was done"), required=False, max_length=500)


# --- residents -------------------------------------------------------------------------------------


class TagChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return tag_label(obj)


def tag_label(tag: Tag) -> str:
    """A tag's name in the page's language (the Chinese name is the tag's own)."""
    if (get_language() or "").startswith("en") and tag.name_en:
        return tag.name_en
    return tag.name


class ResidentForm(forms.Form):
    """A resident entered or corrected from a phone. On a correction the ID and phone fields start
    empty (the full numbers are not shown without the audited reveal): empty keeps the number."""

    # "Name" alone is 名称, a thing's name; a person's is 姓名.
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=64)
    id_number = forms.CharField(label=_("ID number"), required=False, max_length=24,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                              "autocapitalize": "characters"}))
    gender = forms.ChoiceField(label=_("Gender"), required=False,
                               choices=[("", _("From the ID number")), *Gender.choices])
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput,
                                 help_text=_("Filled in from the ID number when left empty."))
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    relation = forms.ChoiceField(label=_("Relation to the head of household"), choices=Relation.choices,
                                 initial=Relation.HEAD)
    residence = forms.ChoiceField(label=_("Residence"), choices=Residence.choices, initial=Residence.BOTH)
    registered_address = forms.CharField(label=_("Registered address (户籍地)"), required=False, max_length=200)
    tags = TagChoices(label=_("Tags"), required=False, queryset=Tag.objects.none(),
                      widget=forms.CheckboxSelectMultiple)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 2}))
    arrived = forms.BooleanField(label=_("Has just moved in"), required=False,
                                 help_text=_("Recorded as a move in; otherwise as an entry of someone already "
                                             "living here."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, resident=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.resident = resident
        self.fields["tags"].queryset = Tag.objects.filter(is_active=True)
        if resident is None:
            del self.fields["version"]
            return
        del self.fields["arrived"]
        self.fields["version"].required = True
        for field, masked in (("id_number", resident.masked_id_number), ("phone", resident.masked_phone)):
            if masked:
                self.fields[field].widget.attrs["placeholder"] = masked
                self.fields[field].help_text = _("Leave empty to keep %(value)s.") % {"value": masked}

    @staticmethod
    def initial_for(resident, tags) -> dict:
        return {"name": resident.name, "gender": resident.gender, "birth_date": resident.birth_date,
                "relation": resident.relation, "residence": resident.residence,
                "registered_address": resident.registered_address, "notes": resident.notes,
                "tags": [t.pk for t in tags], "version": resident.version}

    def person(self) -> dict:
        """The fields the services take; on a correction, the numbers only when typed anew."""
        d = self.cleaned_data
        out = {k: d[k] for k in ("name", "gender", "birth_date", "relation", "residence", "registered_address",
                                 "notes")}
        for field in ("id_number", "phone"):
            value = (d.get(field) or "").strip()
            if value or self.resident is None:
                out[field] = value
        return out


# --- households ------------------------------------------------------------------------------------


class HouseholdForm(forms.Form):
    building = forms.ModelChoiceField(label=_("Building"), queryset=None, empty_label=_("Choose…"))
    room = forms.CharField(label=_("Room"), required=False, max_length=32,
                           help_text=_("e.g. 2单元301; empty for a house"))
    kind = forms.ChoiceField(label=_("Kind"), choices=HouseholdKind.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, buildings=None, household=None, **kwargs):
        super().__init__(*args, **kwargs)
        if household is not None:
            del self.fields["building"]  # a household moves with its building, not by itself
            self.fields["version"].required = True
        else:
            del self.fields["version"]
            self.fields["building"].queryset = buildings
