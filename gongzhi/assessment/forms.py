"""The score-weights form: four whole percentages summing to 100, the list sizes, and why."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import WEIGHTED_RATES
from .weights import MAX_LIST_SIZE


def _percent(label):
    return forms.IntegerField(label=label, min_value=0, max_value=100,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}))


class WeightsForm(forms.Form):
    response = _percent(_("Response rate (%)"))
    on_time = _percent(_("On-time rate (%)"))
    resolution = _percent(_("Resolution rate (%)"))
    satisfaction = _percent(_("Satisfaction rate (%)"))
    red_list_size = forms.IntegerField(label=_("Units on the red list"), min_value=0, max_value=MAX_LIST_SIZE)
    black_list_size = forms.IntegerField(label=_("Units on the black list"), min_value=0, max_value=MAX_LIST_SIZE)
    min_received = forms.IntegerField(label=_("Cases a unit needs in a month to be ranked"), min_value=1,
                                      max_value=100_000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500,
                             help_text=_("Kept in the audit trail with the old and new weights."))

    def clean(self):
        data = super().clean()
        if all(data.get(name) is not None for name in WEIGHTED_RATES):
            total = sum(data[name] for name in WEIGHTED_RATES)
            if total != 100:
                raise ValidationError(_("The four weights must add up to 100%% (they add up to %(total)d%%).")
                                      % {"total": total})
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        out = {name: data[name] for name in (*WEIGHTED_RATES, "red_list_size", "black_list_size", "min_received")}
        out["reason"] = data.get("reason") or ""
        out["expected_version"] = data.get("version")
        return out

    def add_domain_error(self, exc) -> None:
        details = exc.details if isinstance(exc.details, dict) else {}
        for name, message in details.items():
            self.add_error(None if name == "__all__" or name not in self.fields else name, message)
        if not details:
            self.add_error(None, exc.message)
