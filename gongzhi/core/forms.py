"""Form pieces more than one app's pages use."""

from django import forms
from django.utils.translation import gettext_lazy as _


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (Django's documented pattern): cleans to a list, which the
    services then read and check file by file."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(d, initial) for d in data if d]
        return [one(data, initial)] if data else []


def reason_field(*, required: bool = True, help_text=None):
    return forms.CharField(
        label=_("Reason"), max_length=500, required=required,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=help_text or _("Kept in the audit trail."),
    )
