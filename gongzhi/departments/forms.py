"""Forms of the department pages. The home and served divisions are chosen with the division
picker, and their choices are narrowed to the actor's MANAGE_USERS scope and the right levels."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.pickers import DivisionChoiceField, DivisionsChoiceField, scoped_divisions
from gongzhi.core.forms import reason_field

from .models import DepartmentKind
from .services import HOME_LEVELS, SERVED_LEVELS


class DepartmentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind")), *DepartmentKind.choices])
    archived = forms.BooleanField(label=_("Also archived departments"), required=False)

    def filters(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        return {"q": data.get("q") or "", "kind": data.get("kind") or "",
                "include_archived": bool(data.get("archived"))}


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("In full, e.g. 孝南区城市管理执法局书院街道中队."))
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Choose a kind")), *DepartmentKind.choices])
    division = DivisionChoiceField(
        label=_("Belongs to"), help_text=_("The district or street the department is attached to."),
    )
    serves = DivisionsChoiceField(
        label=_("Serves"), required=False,
        help_text=_("The streets or communities it works in; they must lie in the division it belongs to."),
    )

    def __init__(self, *args, actor, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        scoped = scoped_divisions(actor)
        self.fields["division"].queryset = scoped.filter(level__in=HOME_LEVELS)
        self.fields["serves"].queryset = scoped.filter(level__in=SERVED_LEVELS)
        if editing:
            self.fields["reason"] = reason_field(required=False)

    def clean(self):
        data = super().clean()
        if not data.get("division") and "division" in self.errors and (self.data.get("division_q") or "").strip():
            self.errors["division"] = self.error_class([_("Choose one of the matches below.")])
        return data


class ArchiveForm(forms.Form):
    reason = reason_field()
