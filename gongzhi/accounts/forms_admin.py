"""Forms of the people-and-roles pages. Every choice of a division or a department is narrowed to
the actor's MANAGE_USERS scope, so a crafted request naming another place fails validation."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core import roles
from gongzhi.core.forms import reason_field
from gongzhi.core.masking import mask_phone
from gongzhi.departments.selectors import managed_departments_for

from . import selectors, services
from .choices import Role
from .models import phone_validator
from .pickers import DivisionChoiceField, scoped_divisions


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.division.name}"


class UserFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=100,
        help_text=_("Name or username; a phone number in full or its last four digits."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"), required=False,
                             choices=lambda: [("", _("Any role")), *roles.role_choices()])
    division = DivisionChoiceField(label=_("Within"), required=False)
    former = forms.BooleanField(label=_("Also people whose roles here were all revoked"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = scoped_divisions(actor)

    def filters(self) -> dict:
        """The valid filters only: a bad value in one field does not empty the whole list."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "role": data.get("role") or "",
            "division": data.get("division"),
            "include_former": bool(data.get("former")),
        }


class RoleGrantForm(forms.Form):
    """A role at a division, or — for department staff — in a department."""

    role = forms.ChoiceField(label=_("Role"), choices=lambda: [("", _("Choose a role")), *roles.role_choices()])
    division = DivisionChoiceField(
        label=_("Division"), required=False,
        help_text=_("Type part of a name or a division code, then pick one of the matches."),
    )
    department = DepartmentChoiceField(
        label=_("Department"), required=False, queryset=None, empty_label=_("Choose a department"),
        help_text=_("For department staff: the department they work in."),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = scoped_divisions(actor)
        self.fields["department"].queryset = managed_departments_for(actor)
        # Choosing a role narrows the division picker to the levels the role is held at.
        self.fields["role"].widget.attrs.update({
            "hx-get": reverse("accounts:division_picker") + "?field=division&purpose=grant",
            "hx-trigger": "change", "hx-target": "#picker-division-body", "hx-swap": "outerHTML",
            "hx-include": "closest form",
        })

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if not role:
            return data
        if role == Role.DEPARTMENT_STAFF:
            data["division"] = None
            self.errors.pop("division", None)
            if not data.get("department") and "department" not in self.errors:
                self.add_error("department", _("Choose the department."))
        else:
            data["department"] = None
            self.errors.pop("department", None)
            if not data.get("division") and "division" not in self.errors:
                searched = (self.data.get("division_q") or "").strip()
                self.add_error("division", _("Choose one of the matches below.") if searched
                               else _("Choose the division where the role is held."))
        if role and not self.errors:
            problem = services.role_place_problem(role, data.get("division"), data.get("department"))
            if problem:
                self.add_error("division" if data.get("division") else "department", problem)
        return data


class NewUserForm(RoleGrantForm):
    username = forms.CharField(
        label=_("Username"), max_length=150,
        help_text=_("Letters, digits and @ . + - _ only; used to log in."),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off", "spellcheck": "false"}),
    )
    display_name = forms.CharField(label=_("Name"), max_length=64, help_text=_("As colleagues know the person."))
    phone = forms.CharField(
        label=_("Mobile phone"), max_length=11, required=False, validators=[phone_validator],
        help_text=_("11 digits. The person may log in with it instead of the username."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    field_order = ["username", "display_name", "phone", "role", "division", "department"]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        problem = services.username_problem_for(username)
        if problem:
            raise forms.ValidationError(problem)
        if selectors.username_taken(username):
            raise forms.ValidationError(_("This username is taken."))
        return username

    def clean_phone(self):
        phone = (self.cleaned_data.get("phone") or "").strip()
        if phone and selectors.phone_taken(phone):
            raise forms.ValidationError(
                _("Another account has this phone number (%(masked)s).") % {"masked": mask_phone(phone)})
        return phone or None


class RevokeRoleForm(forms.Form):
    reason = reason_field()


class AccountStateForm(forms.Form):
    reason = reason_field()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_state_%s")
        super().__init__(*args, **kwargs)


class PasswordResetForm(forms.Form):
    reason = reason_field(required=False, help_text=_("E.g. “forgot the password”. Kept in the audit trail."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_reset_%s")
        super().__init__(*args, **kwargs)
