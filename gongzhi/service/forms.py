"""The service pages' forms: they parse; the services decide (every id is checked again there)."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import orders as sel


class KindChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class OrderForm(forms.Form):
    kind = forms.TypedChoiceField(label=_("What help"), coerce=int, widget=forms.RadioSelect)
    community = forms.TypedChoiceField(label=_("Community"), coerce=int)
    description = forms.CharField(label=_("What is needed"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    wanted_at = forms.DateTimeField(label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                               format="%Y-%m-%dT%H:%M"))
    place = forms.CharField(label=_("Where"), max_length=200)
    for_neighbour = forms.BooleanField(label=_("For a neighbour without a phone"), required=False)
    contact_name = forms.CharField(label=_("Neighbour's name"), max_length=64, required=False)
    contact_phone = forms.CharField(label=_("Neighbour's phone"), max_length=20, required=False)
    idempotency_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        communities = list(sel.order_communities(user)[:200])
        self.fields["community"].choices = [(c.pk, c.name) for c in communities]
        if len(communities) == 1:
            self.fields["community"].widget = forms.HiddenInput()
            self.initial.setdefault("community", communities[0].pk)
        first = communities[0] if communities else None
        self.fields["kind"].choices = [(k.pk, k.name) for k in sel.kinds_for(first)]
        self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class DoneForm(forms.Form):
    note = forms.CharField(label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    hours = forms.DecimalField(label=_("Hours"), min_value=0.25, max_value=24, decimal_places=2)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ConfirmForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("Rating"), coerce=int, choices=[(i, "★" * i) for i in range(5, 0, -1)],
                                    widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
