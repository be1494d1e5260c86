"""The forms of the volunteering pages. Their choices come from the same scoped selectors the
services check each id against."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.forms import reason_field

from .choices import Publisher
from .selectors import activities as sel
from .selectors import volunteers as vol_sel
from .services.activities import ActivityData

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
SKILLS_HELP = _("Separate skills with commas, e.g. first aid, photography, sign language.")


class CommunityChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.parent.name}）" if obj.parent_id else obj.name


def _skills(value: str) -> list[str]:
    return [s.strip() for s in (value or "").replace("，", ",").split(",") if s.strip()]


class RegisterForm(forms.Form):
    community = CommunityChoice(label=_("Community"), queryset=None, widget=forms.RadioSelect)
    skills = forms.CharField(label=_("Skills"), max_length=300, required=False, help_text=SKILLS_HELP)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = vol_sel.home_communities(user)

    def cleaned_skills(self) -> list[str]:
        return _skills(self.cleaned_data.get("skills", ""))


class RegisterForForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Resident"), queryset=None)
    community = CommunityChoice(label=_("Community"), queryset=None)
    skills = forms.CharField(label=_("Skills"), max_length=300, required=False, help_text=SKILLS_HELP)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = vol_sel.registrable_people(user)
        self.fields["community"].queryset = vol_sel.managed_communities(user)

    def cleaned_skills(self) -> list[str]:
        return _skills(self.cleaned_data.get("skills", ""))


class ReasonForm(forms.Form):
    reason = reason_field()


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    community = CommunityChoice(label=_("Community"), queryset=None)
    publisher = forms.ChoiceField(label=_("Published by"), choices=Publisher.choices, initial=Publisher.COMMUNITY)
    party_organisation = forms.ModelChoiceField(label=_("Party organisation"), queryset=None, required=False)
    organisation = forms.ModelChoiceField(label=_("Registered organisation"), queryset=None, required=False)
    place = forms.CharField(label=_("Place"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DATETIME)
    slots = forms.CharField(label=_("Roles and places"), widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("One role a line, then its number of places: e.g. “Guide 4”."))
    description = forms.CharField(label=_("Description"), max_length=4000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    checkin_radius_m = forms.IntegerField(label=_("Check-in radius (m)"), initial=300, min_value=20, max_value=5000)
    idempotency_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = sel.organising_communities(user)
        self.fields["party_organisation"].queryset = sel.organising_party_organisations(user)
        self.fields["organisation"].queryset = sel.organising_registered_organisations(user)
        self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

    def clean_slots(self):
        slots = []
        for line in self.cleaned_data["slots"].splitlines():
            line = line.strip().replace("×", " ")
            if not line:
                continue
            role, _sep, number = line.rpartition(" ")
            if not role.strip() or not number.isdigit():
                raise forms.ValidationError(_("Write each line as a role and a number of places: “Guide 4”."))
            slots.append((role.strip(), int(number)))
        if not slots:
            raise forms.ValidationError(_("Give at least one role with places."))
        return slots

    def data_for_service(self) -> ActivityData:
        d = self.cleaned_data
        return ActivityData(title=d["title"], place=d["place"], community_id=d["community"].pk,
                            starts_at=d["starts_at"], ends_at=d["ends_at"], slots=d["slots"],
                            description=d.get("description", ""), publisher=d["publisher"],
                            party_organisation_id=getattr(d.get("party_organisation"), "pk", None),
                            organisation_id=getattr(d.get("organisation"), "pk", None),
                            lat=d.get("lat"), lng=d.get("lng"), checkin_radius_m=d["checkin_radius_m"])

    @staticmethod
    def initial_for(activity) -> dict:
        tz = timezone.get_current_timezone()
        return {"title": activity.title, "community": activity.community, "publisher": activity.publisher,
                "party_organisation": activity.party_organisation, "organisation": activity.organisation,
                "place": activity.place, "starts_at": activity.starts_at.astimezone(tz),
                "ends_at": activity.ends_at.astimezone(tz),
                "slots": "\n".join(f"{s.role} {s.capacity}" for s in activity.slots.all() if s.capacity),
                "description": activity.description, "lat": activity.lat, "lng": activity.lng,
                "checkin_radius_m": activity.checkin_radius_m, "expected_version": activity.version}


class CorrectionForm(forms.Form):
    proposed_hours = forms.DecimalField(label=_("Hours I served"), min_value=0.5, max_value=24, decimal_places=2)
    reason = forms.CharField(label=_("Why"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class HonourForm(forms.Form):
    community = CommunityChoice(label=_("Community"), queryset=None)
    year = forms.IntegerField(label=_("Year"), min_value=2000)
    top = forms.IntegerField(label=_("Volunteers on the list"), min_value=1, max_value=200, initial=50)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = vol_sel.managed_communities(user)
        self.initial.setdefault("year", timezone.localdate().year)
