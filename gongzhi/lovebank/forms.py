"""The love bank's forms: they parse; the services decide (and check every id)."""

import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Kinship, Resolution, ServiceKind


class KeyedForm(forms.Form):
    # A phone's double tap sends the same key twice: the service answers with the first.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, initial=lambda: uuid.uuid4().hex)


class RequestHelpForm(KeyedForm):
    service_kind = forms.ChoiceField(label=_("Help"), choices=ServiceKind.choices)
    description = forms.CharField(label=_("What is needed"), max_length=500, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    credits = forms.DecimalField(label=_("Credits offered"), min_value=Decimal("0.5"), max_value=24,
                                 decimal_places=2, initial=1)
    wanted_on = forms.DateField(label=_("Wanted on"), widget=forms.DateInput(attrs={"type": "date"}))


class RelationForm(forms.Form):
    kinship = forms.ChoiceField(label=_("Relation"), choices=Kinship.choices)
    relative_name = forms.CharField(label=_("Relative's name"), max_length=64)
    relative_phone = forms.CharField(label=_("Relative's mobile number"), max_length=11, min_length=11)


class TransferForm(KeyedForm):
    relation = forms.IntegerField(widget=forms.HiddenInput)
    credits = forms.DecimalField(label=_("Credits"), min_value=Decimal("0.01"), max_value=10000, decimal_places=2)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class HardshipForm(ReasonForm):
    hardship = forms.BooleanField(label=_("In hardship"), required=False)


class RelationDecisionForm(ReasonForm):
    decision = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("decline", _("Decline"))])
    birth_date = forms.DateField(label=_("Relative's birth date"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))


class ResolveForm(ReasonForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Resolution.choices)


class RulesForm(forms.Form):
    daily_cap = forms.DecimalField(label=_("Hours credited per day at most"), min_value=Decimal("0.5"),
                                   max_value=24, decimal_places=2)
    account_cap = forms.DecimalField(label=_("Credits an account holds at most"), min_value=1,
                                     max_value=100000, decimal_places=2)
    redeem_age = forms.IntegerField(label=_("Age from which credits buy help"), min_value=0, max_value=120)
    hardship_age = forms.IntegerField(label=_("Age from which, in hardship"), min_value=0, max_value=120)
    transfer_age = forms.IntegerField(label=_("A relative receives transfers from the age of"), min_value=0,
                                      max_value=120)
    reason = forms.CharField(label=_("Reason for the change"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class BirthDateForm(forms.Form):
    birth_date = forms.DateField(label=_("Birth date (from the ID card)"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
