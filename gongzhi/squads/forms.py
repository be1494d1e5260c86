"""The squads' forms. Choices come from the scoped selectors the services check each id against."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import selectors as sel
from .choices import AlertKind, SquadKind, squad_roles


def _role_choices():
    return list(squad_roles().items())


def _skills(value: str) -> list[str]:
    return [s.strip() for s in value.replace("，", ",").split(",") if s.strip()]


class SquadForm(forms.Form):
    division = forms.ModelChoiceField(label=_("Street or community"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=SquadKind.choices)
    muster_point = forms.CharField(label=_("Muster point"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = sel.squad_divisions(user)


class SquadEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=SquadKind.choices)
    muster_point = forms.CharField(label=_("Muster point"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=None)
    role = forms.ChoiceField(label=_("Role"), choices=_role_choices)
    skills = forms.CharField(label=_("Skills"), required=False, max_length=300,
                             help_text=_("separated by commas, e.g. first aid, driving"))
    phone = forms.CharField(label=_("Mobile phone for alerts"), required=False, max_length=11,
                            help_text=_("empty: the person's own phone"))

    def __init__(self, *args, actor, squad, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = sel.enrollable_users(actor, squad)

    def clean_skills(self):
        return _skills(self.cleaned_data["skills"])


class MemberEditForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=_role_choices)
    skills = forms.CharField(label=_("Skills"), required=False, max_length=300)
    phone = forms.CharField(label=_("Mobile phone for alerts"), required=False, max_length=11)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_skills(self):
        return _skills(self.cleaned_data["skills"])


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ReadinessForm(forms.Form):
    hours = forms.IntegerField(label=_("Answers count for (hours)"), min_value=1, max_value=168, initial=24)


class AlertForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AlertKind.choices, initial=AlertKind.EMERGENCY)
    title = forms.CharField(label=_("What is happening"), max_length=200)
    details = forms.CharField(label=_("Details"), required=False, max_length=5000, widget=forms.Textarea(
        attrs={"rows": 3}))
    muster_point = forms.CharField(label=_("Muster point"), required=False, max_length=200,
                                   help_text=_("empty: the squad's own"))
    case_number = forms.CharField(label=_("Case tracking number"), required=False, max_length=20,
                                  help_text=_("the case the alert answers, if any; a case under a whistle raises "
                                              "the alert from the whistle"))
    key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("key", uuid.uuid4().hex)


class AckForm(forms.Form):
    eta_minutes = forms.IntegerField(label=_("I will be there in (minutes)"), min_value=0, max_value=600,
                                     required=False)
    coming = forms.BooleanField(required=False, initial=True, widget=forms.HiddenInput)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    member = forms.ModelChoiceField(label=pgettext_lazy("squads", "Member"), queryset=None, required=False)

    def __init__(self, *args, squad, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = sel.active_members(squad)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500)


class StandDownForm(forms.Form):
    note = forms.CharField(label=_("How it ended"), max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReportForm(forms.Form):
    report = forms.CharField(label=_("After-action report"), max_length=20000, widget=forms.Textarea(
        attrs={"rows": 8}))
    version = forms.IntegerField(widget=forms.HiddenInput)
