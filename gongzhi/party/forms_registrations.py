"""The forms of the double report-in, the service record, feedback cards and linked leaders. Their
choices come from the same scoped selectors the services check each id against."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.forms import reason_field

from .choices import Evaluation, Offer, ProblemStatus, ProjectStatus, ReportInMethod
from .selectors import leaders as leader_sel
from .selectors import registrations as sel

DATE = forms.DateInput(attrs={"type": "date"})


class CommunityChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.parent.name}）" if obj.parent_id else obj.name


class ReportInForm(forms.Form):
    community = CommunityChoice(label=_("Community I live in"), queryset=sel.report_in_communities(),
                                widget=forms.RadioSelect)
    method = forms.ChoiceField(choices=[(ReportInMethod.QR, ""), (ReportInMethod.PICKED, "")],
                               initial=ReportInMethod.PICKED, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, query: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = sel.report_in_communities(query)
        self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class DeclineForm(forms.Form):
    reason = reason_field(help_text=_("The member reads this reason."))


class EndForm(forms.Form):
    reason = reason_field()


class DeskRegistrationForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Party member"), queryset=None)
    community = CommunityChoice(label=_("Community"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = sel.desk_members(user)
        self.fields["community"].queryset = sel.desk_communities(user)


class UnitRegistrationForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Unit's party organisation"), queryset=None)
    community = CommunityChoice(label=_("Co-building community"), queryset=None)
    offers = forms.MultipleChoiceField(label=_("What the unit offers"), choices=Offer.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    agreement = forms.CharField(label=_("Agreement"), required=False, max_length=5000,
                                widget=forms.Textarea(attrs={"rows": 4}))
    signed_on = forms.DateField(label=_("Agreement signed"), required=False, widget=DATE)
    contact_name = forms.CharField(label=_("Contact"), required=False, max_length=64)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = sel.registrable_units(user)
        own = sel.unit_secretary_posts(user)
        self.fields["community"].queryset = (sel.report_in_communities() if own
                                             else sel.desk_communities(user))


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Project"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("year", timezone.localdate().year)


class ProjectUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Latest progress"), required=False, max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ServiceForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Party member"), queryset=None)
    community = CommunityChoice(label=_("Community"), queryset=None)
    served_on = forms.DateField(label=_("Date"), widget=DATE)
    activity = forms.CharField(label=_("Activity"), max_length=200)
    hours = forms.DecimalField(label=_("Hours"), min_value=0.1, max_value=24, decimal_places=1)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = sel.serviceable_members(user)
        self.fields["community"].queryset = sel.desk_communities(user)
        self.initial.setdefault("served_on", timezone.localdate())
        if self.fields["community"].queryset.count() == 1:
            self.initial.setdefault("community", self.fields["community"].queryset.first())


class VoidForm(forms.Form):
    reason = reason_field()


class CardsIssueForm(forms.Form):
    """The community and the period; then one evaluation (and comment) per member due a card."""

    community = CommunityChoice(label=_("Community"), queryset=None)

    def __init__(self, *args, user, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = sel.desk_communities(user)
        self.members = list(members)
        choices = [("", _("By the hours served")), *Evaluation.choices]
        for m in self.members:
            self.fields[f"evaluation_{m.pk}"] = forms.ChoiceField(label=m.name, choices=choices, required=False)
            self.fields[f"comment_{m.pk}"] = forms.CharField(label=_("Comment"), required=False, max_length=500)

    def rows(self):
        return [(m, self[f"evaluation_{m.pk}"], self[f"comment_{m.pk}"]) for m in self.members]

    def evaluations(self) -> dict:
        return {m.pk: self.cleaned_data.get(f"evaluation_{m.pk}") or "" for m in self.members}

    def comments(self) -> dict:
        return {m.pk: self.cleaned_data.get(f"comment_{m.pk}") or "" for m in self.members}


class LeaderLinkForm(forms.Form):
    division = CommunityChoice(label=_("Linked to"), queryset=None)
    name = forms.CharField(label=_("Leader"), max_length=64)
    title = forms.CharField(label=_("Post"), max_length=100)
    started_on = forms.DateField(label=_("From"), required=False, widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = leader_sel.linkable_divisions(user)


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited"), widget=DATE)
    summary = forms.CharField(label=_("What was done"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("visited_on", timezone.localdate())


class ProblemForm(forms.Form):
    title = forms.CharField(label=_("Problem"), max_length=200)
    case_number = forms.CharField(label=_("Case tracking number (optional)"), max_length=32, required=False)


class ProblemUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ProblemStatus.choices)
    resolution = forms.CharField(label=_("How it was solved"), required=False, max_length=5000,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class PolicyForm(forms.Form):
    """The report-in rules of the city (gongzhi.party.services.registrations.set_policy)."""

    DIVISORS = [(n, n) for n in (1, 2, 3, 4, 6, 12)]
    period_months = forms.TypedChoiceField(label=_("Members report in again every (months)"), choices=DIVISORS,
                                           coerce=int)
    feedback_months = forms.TypedChoiceField(label=_("Feedback cards every (months)"), choices=DIVISORS, coerce=int)
    unit_line_percent = forms.IntegerField(label=_("Flag a unit whose report-in rate is below (%)"), min_value=0,
                                           max_value=100)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
