"""The audit trail page: rows the user may read, filtered and paginated."""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .pagination import paginate
from .seams.audit import mask_entries, narrow_entries
from .selectors import audit_entries_for, may_read_audit


class AuditFilterForm(forms.Form):
    person = forms.CharField(label=_("Person"), required=False, max_length=150,
                             help_text=_("Username"))
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=64,
                                  widget=forms.TextInput(attrs={"placeholder": "divisions.division"}))
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    action = forms.CharField(label=_("Action"), required=False, max_length=64,
                             widget=forms.TextInput(attrs={"placeholder": "division.rename"}))
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def filters(self) -> dict:
        """The keyword arguments for audit_entries_for (dates become the whole local days)."""
        data = self.cleaned_data
        out = {key: data[key].strip() for key in ("object_type", "object_id", "action") if data.get(key)}
        if data.get("person"):
            out["actor"] = data["person"].strip()
        if data.get("since"):
            out["since"] = _start_of(data["since"])
        if data.get("until"):
            out["until"] = _start_of(data["until"] + datetime.timedelta(days=1))
        return out


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@login_required
def audit_list(request):
    if not may_read_audit(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound and form.is_valid() else {}
    entries = audit_entries_for(request.user, **filters)
    # An anonymous reporter stays anonymous in the trail too: the cases app registers how
    # (gongzhi.core.seams.audit).
    entries = narrow_entries(entries, filters)
    page = paginate(request, entries, per_page=50)
    page.object_list = mask_entries(list(page.object_list))
    return render(request, "core/audit.html", {"form": form, "page": page, "filtered": bool(filters)})
