"""Forms of the party members pages. They parse what a browser sends; the services check the rest
(ID numbers, phones, dates, scope, duplicates), and their refusals come back onto the fields they
name (`show_refusal`). Every choice a form offers comes from the scoped selectors the services check
ids against."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import DomainError

from .choices import MemberCategory, MemberState, MemberStatus
from .selectors import members as selectors

GENDERS = [("", "—"), ("male", _("Male")), ("female", _("Female"))]
TRANSFER_KINDS = [("within", _("To another organisation on the platform")),
                  ("out", _("Out to an organisation outside the platform")),
                  ("in", _("Back in from outside the platform"))]
ENDINGS = [(MemberState.DECEASED, _("Deceased")), (MemberState.LEFT, _("Left the party")),
           (MemberState.TRANSFERRED_OUT, _("Transferred out of the area"))]
STATES = [("active", _("Relation held here")), ("all", _("Everyone, also former members")),
          (MemberState.TRANSFERRED_OUT, _("Transferred out")), (MemberState.DECEASED, _("Deceased")),
          (MemberState.LEFT, _("Left the party"))]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def show_refusal(form: forms.Form, exc: DomainError, fields: dict[str, str] | None = None) -> None:
    """A service's refusal on the form: each problem next to the field it names (`fields` maps a
    service's name to the form's), and its message above the form."""
    fields = fields or {}
    details = exc.details if isinstance(exc.details, dict) else {}
    placed = set()
    for name, message in details.items():
        name = fields.get(name, name)
        if name in form.fields:
            form.add_error(name, str(message))
            placed.add(str(message))
    if str(exc.message) not in placed:
        form.add_error(None, str(exc.message))


class OrganisationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'　' * min(obj.depth, 4)}{obj.name}"


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=40,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, initials or phone")}))
    organisation = OrganisationChoice(label=_("Organisation"), queryset=None, required=False,
                                      empty_label=_("All organisations"))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *MemberStatus.choices])
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("Any category")), *MemberCategory.choices])
    state = forms.ChoiceField(label=_("Relation"), required=False, choices=STATES)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64, required=False,
                           help_text=_("May be left empty when a resident is linked: the registry's details are used."))
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    gender = forms.ChoiceField(label=_("Gender"), choices=GENDERS, required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    organisation = OrganisationChoice(label=_("Organisation holding the relation"), queryset=None)
    status = forms.ChoiceField(label=_("Status"), choices=MemberStatus.choices)
    category = forms.ChoiceField(label=_("Category"), choices=MemberCategory.choices)
    joined_on = forms.DateField(label=_("Joined the party"), required=False, widget=DateInput)
    confirmed_on = forms.DateField(label=_("Became a full member"), required=False, widget=DateInput,
                                   help_text=_("Empty for a probationary member."))
    workplace = forms.CharField(label=_("Workplace"), max_length=100, required=False)
    home_community = forms.ModelChoiceField(label=_("Community lived in"), queryset=None, required=False,
                                            empty_label="—", help_text=_("Where the member reports in."))
    resident = forms.IntegerField(required=False, widget=forms.HiddenInput)
    account = forms.CharField(
        label=_("Platform account"), max_length=150, required=False,
        help_text=_("The phone number or username of the member's own account, if they have one."))
    arrived_from = forms.CharField(label=_("Transferred in from (outside the platform)"), max_length=200,
                                   required=False)
    letter_number = forms.CharField(label=_("Introduction letter number"), max_length=40, required=False)
    idempotency_key = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    FIELDS = {"to_organisation": "organisation"}

    def __init__(self, *args, user, member=None, **kwargs):
        if member is not None:
            kwargs.setdefault("initial", self.initial_for(member))
        else:
            kwargs.setdefault("initial", {"idempotency_key": uuid.uuid4().hex, "status": MemberStatus.FULL,
                                          "category": MemberCategory.EMPLOYED})
        super().__init__(*args, **kwargs)
        self.member = member
        today = timezone.localdate().isoformat()
        for name in ("birth_date", "joined_on", "confirmed_on"):
            self.fields[name].widget.attrs["max"] = today
        orgs = selectors.organisation_choices(user)
        self.fields["home_community"].queryset = selectors.nearby_communities(user, member)
        if member is not None:
            # The relation moves by a transfer; the state by ending the membership.
            del self.fields["organisation"], self.fields["arrived_from"], self.fields["letter_number"]
            del self.fields["idempotency_key"]
        else:
            self.fields["organisation"].queryset = orgs
            del self.fields["version"]

    @staticmethod
    def initial_for(member) -> dict:
        return {"name": member.name, "gender": member.gender, "birth_date": member.birth_date,
                "id_number": member.masked_id_number, "phone": member.masked_phone, "status": member.status,
                "category": member.category, "joined_on": member.joined_on, "confirmed_on": member.confirmed_on,
                "workplace": member.workplace, "home_community": member.home_community_id,
                "resident": member.resident_id, "account": member.user.username if member.user_id else "",
                "version": member.version}

    def changes(self) -> dict:
        """What the form asks the service for. A masked number left as shown is no change."""
        data = self.cleaned_data
        out = {key: data[key] or "" for key in ("name", "gender", "workplace", "account")}
        out.update({key: data[key] for key in ("status", "category", "joined_on", "confirmed_on", "birth_date")})
        out["home_community"] = data["home_community"].pk if data["home_community"] else None
        out["resident"] = data["resident"]
        if self.member is not None:
            # What was linked and is still: no change (and no check of a link the editor did not make).
            if out["resident"] == self.member.resident_id:
                del out["resident"]
            if out["account"] == (self.member.user.username if self.member.user_id else ""):
                del out["account"]
        for key, masked in (("id_number", "masked_id_number"), ("phone", "masked_phone")):
            value = (data[key] or "").strip()
            if self.member is None or value != getattr(self.member, masked):
                out[key] = value
        if self.member is None:
            out.update(organisation=data["organisation"].pk, arrived_from=data["arrived_from"],
                       letter_number=data["letter_number"], idempotency_key=data["idempotency_key"])
        return out


class TransferForm(forms.Form):
    kind = forms.ChoiceField(label=_("Transfer"), choices=TRANSFER_KINDS, widget=forms.RadioSelect, initial="within")
    to_organisation = OrganisationChoice(label=_("To the organisation"), queryset=None, required=False,
                                         help_text=_("Within the platform, or back in."))
    outside = forms.CharField(label=_("Organisation outside the platform"), max_length=200, required=False)
    letter_number = forms.CharField(label=_("Introduction letter number"), max_length=40, required=False)
    transferred_on = forms.DateField(label=_("Transferred on"), required=False, widget=DateInput)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, user, member, **kwargs):
        kwargs.setdefault("initial", {"version": member.version, "transferred_on": timezone.localdate(),
                                      "kind": "in" if member.state == MemberState.TRANSFERRED_OUT else "within"})
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = selectors.organisation_choices(user).exclude(
            pk=member.organisation_id)
        self.fields["transferred_on"].widget.attrs["max"] = timezone.localdate().isoformat()


class EndForm(forms.Form):
    state = forms.ChoiceField(label=_("How the membership here ended"), choices=ENDINGS, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), max_length=200)
    on = forms.DateField(label=_("Date"), required=False, widget=DateInput)
    outside = forms.CharField(label=_("Organisation outside the platform"), max_length=200, required=False,
                              help_text=_("When transferred out: where to."))
    letter_number = forms.CharField(label=_("Introduction letter number"), max_length=40, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, member, **kwargs):
        kwargs.setdefault("initial", {"version": member.version, "on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["on"].widget.attrs["max"] = timezone.localdate().isoformat()


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
