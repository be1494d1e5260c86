"""Forms of the case pages. They only parse and check input; the services decide everything
else (states, permissions, limits), and the pages show the services' refusals as they come."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.forms import MultipleFileField, MultipleFileInput
from gongzhi.workdays.choices import TimeUnit

from .choices import STAFF_CHANNELS, CaseState, Channel, Rating, SidestepKind
from .codes import LENGTH, is_code, normalize_code
from .models import Category
from .services.intake import MAX_DESCRIPTION, Report
from .uploads import MAX_PHOTOS

PHONE_PATTERN = r"^1[3-9]\d{9}$"
MAX_NOTE = 2000


def category_choices(classes, *, blank) -> list:
    """The two-level catalogue as grouped choices: classes are groups, sub-categories options."""
    return [("", blank)] + [(c.name, [(s.code, s.name) for s in c.children.all()]) for c in classes]


def category_by_code(code: str) -> Category | None:
    return Category.objects.filter(code=code, parent__isnull=False, is_active=True).first() if code else None


def note_field(label=None, required=False, help_text=""):
    return forms.CharField(label=label or _("Note"), required=required, max_length=MAX_NOTE, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": 2}))


# --- reporting ----------------------------------------------------------------------------------


class ReportForm(forms.Form):
    """One report, whatever the channel. `mode`: resident (signed in), anonymous, patrol (a grid
    worker on patrol) or desk (staff taking down a phone call, a visit or a letter)."""

    description = forms.CharField(
        label=_("What happened?"), max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("e.g. The manhole cover outside gate 2 is missing.")}),
    )
    photos = MultipleFileField(
        label=_("Photos"), required=False,
        help_text=_("Up to %(n)d photos (JPEG, PNG or WebP).") % {"n": MAX_PHOTOS},
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
    )
    audio = forms.FileField(
        label=_("Voice recording"), required=False,
        help_text=_("Optional: record in the page, or choose a recording (up to 3 minutes)."),
        widget=forms.ClearableFileInput(attrs={"accept": "audio/*"}),
    )
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    crs = forms.ChoiceField(required=False, choices=[("wgs84", "WGS-84"), ("gcj02", "GCJ-02")],
                            widget=forms.HiddenInput)
    address = forms.CharField(
        label=_("Address or landmark"), required=False, max_length=200,
        help_text=_("Helps the people going there find the spot."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    # Required while a case cannot be stored without one (Case.category is not nullable, though
    # the intake service would accept none): the suggestions make the choice easy.
    category = forms.ChoiceField(label=_("What kind of problem?"), error_messages={
        "required": _("Choose what kind of problem it is: tap a suggestion or pick one from the list.")})
    anonymous = forms.BooleanField(
        label=_("Report without my name"), required=False,
        help_text=_("No one working on the case sees your name or phone number; you still follow and rate it."),
    )
    description_public = forms.BooleanField(
        label=_("Let the public read what I wrote"), required=False,
        help_text=_("Otherwise only you and the staff working on the case read it."),
    )
    contact_name = forms.CharField(label=_("Name of the person reporting"), required=False, max_length=64)
    contact_phone = forms.RegexField(
        label=_("Contact phone"), required=False, regex=PHONE_PATTERN,
        error_messages={"invalid": _("Enter an 11-digit mobile number.")},
        help_text=_("Optional: for a call back and text messages about the case."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    channel = forms.ChoiceField(label=_("Received by"), required=False,
                                choices=[(c, Channel(c).label) for c in Channel.values if c in STAFF_CHANNELS])
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, mode: str, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode = mode
        self.fields["category"].choices = category_choices(classes, blank=_("Choose…"))
        if mode != "desk":
            del self.fields["channel"]
        if mode not in ("desk", "patrol"):
            del self.fields["contact_name"]
        if mode != "resident":
            del self.fields["anonymous"]
        if mode not in ("resident", "anonymous"):
            del self.fields["description_public"]  # the reporter's own choice, not staff's
        if mode == "desk":
            self.fields["channel"].required = True
            self.fields["category"].help_text = _("The case is registered at once under this category.")
            self.fields["contact_phone"].help_text = _("The caller's number, for a call back and text messages.")
        if mode == "patrol":
            self.fields["contact_name"].label = _("Person concerned (if any)")
            self.fields["contact_phone"].help_text = _("The number of the person concerned, if any.")

    def clean(self):
        data = super().clean()
        if data.get("lng") is None or data.get("lat") is None:
            self.add_error(None, _("Show where it is: tap the map or use your location. "
                                   "The address alone does not place the report."))
        data["crs"] = data.get("crs") or "wgs84"
        return data

    def clean_category(self):
        category = category_by_code(self.cleaned_data.get("category") or "")
        if category is None:
            raise forms.ValidationError(_("Choose a category from the list."))
        return category

    def channel_value(self) -> str:
        if self.mode == "desk":
            return self.cleaned_data["channel"]
        return Channel.GRID_PATROL if self.mode == "patrol" else Channel.RESIDENT_APP

    def report(self, files) -> Report:
        d = self.cleaned_data
        return Report(
            description=d["description"], lng=d["lng"], lat=d["lat"], crs=d["crs"], address=d.get("address", ""),
            category=d.get("category"), channel=self.channel_value(), is_anonymous=bool(d.get("anonymous")),
            description_public=bool(d.get("description_public")),
            contact_name=d.get("contact_name") or "", contact_phone=d.get("contact_phone") or "",
            idempotency_key=d.get("idempotency_key") or "", files=files,
        )


class PointForm(forms.Form):
    """A point (and category) the report page asks about as the user picks it."""

    lng = forms.FloatField(min_value=-180, max_value=180)
    lat = forms.FloatField(min_value=-90, max_value=90)
    crs = forms.ChoiceField(required=False, choices=[("wgs84", "WGS-84"), ("gcj02", "GCJ-02")])
    category = forms.CharField(required=False, max_length=40)


# --- following and rating -----------------------------------------------------------------------


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("How was it handled?"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=MAX_NOTE,
                              widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class TrackLookupForm(forms.Form):
    """The tracking code, as the resident types it (any case, spaces or hyphens between groups).
    Not the number: numbers count up, and would let anyone open every case."""

    code = forms.CharField(label=_("Tracking code"), max_length=32,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "spellcheck": "false"}))

    def clean_code(self):
        code = normalize_code(self.cleaned_data["code"])
        if not is_code(code):
            raise forms.ValidationError(
                _("A tracking code is %(n)d letters and digits, as on your report's receipt, e.g. %(example)s."),
                code="invalid", params={"n": LENGTH, "example": "K7M4Q2XP9D"})
        return code


# --- the workbench ------------------------------------------------------------------------------


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Tracking number or words")}))
    category = forms.ChoiceField(label=_("Category"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("Any state")), *CaseState.choices])
    place = forms.TypedChoiceField(label=_("Community or grid"), required=False, coerce=int, empty_value=None)
    since = forms.DateField(label=_("Reported from"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Reported until"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, classes, communities, grids, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Any category"))]
        for c in classes:
            choices.append((c.name, [(c.code, _("All of %(name)s") % {"name": c.name}),
                                     *[(s.code, s.name) for s in c.children.all()]]))
        self.fields["category"].choices = choices
        places = [("", _("Anywhere in my scope"))]
        if communities:
            places.append((_("Communities"), [(d.pk, d.name) for d in communities]))
        if grids:
            places.append((_("Grids"), [(d.pk, d.name) for d in grids]))
        self.fields["place"].choices = places
        self.places = {d.pk: d for d in [*communities, *grids]}

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        d = self.cleaned_data
        code = d.get("category")
        return {
            "category": Category.objects.filter(code=code).first() if code else None,
            "state": d.get("state") or "",
            "place": self.places.get(d.get("place")),
            "since": d.get("since"), "until": d.get("until"), "text": d.get("q") or "",
        }

    @property
    def active(self) -> bool:
        return self.is_bound and self.is_valid() and any(self.cleaned_data.get(k) for k in self.fields)


class BulkAcceptForm(forms.Form):
    """Rows picked on the workbench, each as "<id>:<version the user saw>"."""

    cases = forms.MultipleChoiceField(choices=(), required=True,
                                      error_messages={"required": _("Tick the cases to accept first.")})
    note = note_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = [(v, v) for v in self.data.getlist("cases")] if self.is_bound else []

    def clean_cases(self) -> list[tuple[int, int]]:
        picked = []
        for value in self.cleaned_data["cases"][:200]:
            pk, _sep, version = value.partition(":")
            if not pk.isdigit() or not version.isdigit():
                raise forms.ValidationError(_("The list of cases was garbled. Reload the page."))
            picked.append((int(pk), int(version)))
        return picked


# --- actions on one case ------------------------------------------------------------------------


class VersionedForm(forms.Form):
    """Every action carries the case version the user saw: a stale one is refused by the service."""

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={
        "required": _("The form is missing the case version. Reload the page.")})
    note = note_field()


class RegisterForm(VersionedForm):
    category = forms.ChoiceField(label=_("Category"), required=False)
    field_order = ["version", "category", "note"]

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(classes, blank=_("Keep the reported category"))

    def clean_category(self):
        code = self.cleaned_data.get("category")
        if code and category_by_code(code) is None:
            raise forms.ValidationError(_("Choose a category from the list."))
        return category_by_code(code)


class RejectForm(VersionedForm):
    reason = forms.CharField(label=_("Why is it not a case?"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))
    note = None


class DispatchForm(VersionedForm):
    unit = forms.ChoiceField(label=_("Handling unit"), required=False)
    field_order = ["version", "unit", "note"]

    def __init__(self, *args, departments, offices, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("As the routing rule suggests"))]
        if departments:
            choices.append((_("Departments"), [(f"department:{d.pk}", d.name) for d in departments]))
        if offices:
            choices.append((_("Offices"), [(f"division:{d.pk}", d.name) for d in offices]))
        self.fields["unit"].choices = choices
        self.units = {**{f"department:{d.pk}": ("department", d) for d in departments},
                      **{f"division:{d.pk}": ("division", d) for d in offices}}

    def chosen(self) -> dict:
        kind, unit = self.units.get(self.cleaned_data.get("unit") or "", (None, None))
        return {"department": unit if kind == "department" else None,
                "division": unit if kind == "division" else None}


class ResolveForm(VersionedForm):
    feedback = forms.CharField(label=_("What was done?"), max_length=MAX_NOTE,
                               widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(label=_("Photos after handling"), required=False,
                               widget=MultipleFileInput(attrs={"accept": "image/*"}))
    note = None


class VerifyForm(VersionedForm):
    passed = forms.TypedChoiceField(label=_("Result on the spot"), coerce=lambda v: v == "yes",
                                    choices=[("yes", _("Fixed: it passes")), ("no", _("Not fixed: it fails"))],
                                    widget=forms.RadioSelect)
    note = note_field(help_text=_("Required when it fails: what is still wrong."))
    field_order = ["version", "passed", "note"]


class SidestepForm(VersionedForm):
    kind = forms.ChoiceField(label=_("Request"), choices=SidestepKind.choices)
    reason = forms.CharField(label=_("Reason"), max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2}))
    target = forms.ChoiceField(label=_("Transfer to"), required=False)
    extension_amount = forms.IntegerField(label=_("More time"), required=False, min_value=1, max_value=240)
    extension_unit = forms.ChoiceField(label=_("Unit"), required=False, choices=TimeUnit.choices,
                                       initial=TimeUnit.DAYS)
    note = None
    field_order = ["version", "kind", "target", "extension_amount", "extension_unit", "reason"]

    def __init__(self, *args, departments, offices, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, SidestepKind(k).label) for k in SidestepKind.values if k in kinds]
        dispatch = DispatchForm(departments=departments, offices=offices)
        self.fields["target"].choices = [("", _("— for a transfer —")), *dispatch.fields["unit"].choices[1:]]
        self.units = dispatch.units

    def target_unit(self) -> dict:
        kind, unit = self.units.get(self.cleaned_data.get("target") or "", (None, None))
        return {"target_department": unit if kind == "department" else None,
                "target_division": unit if kind == "division" else None}


class DecideForm(VersionedForm):
    approve = forms.TypedChoiceField(coerce=lambda v: v == "yes", choices=[("yes", _("Approve")), ("no", _("Deny"))])
    note = note_field(label=_("Note"), help_text=_("Required when denying."))


class WhistleForm(forms.Form):
    reason = forms.CharField(label=_("Why summon them?"), max_length=MAX_NOTE,
                             widget=forms.Textarea(attrs={"rows": 2}))
    departments = forms.MultipleChoiceField(label=_("Departments to summon"), required=False,
                                            widget=forms.CheckboxSelectMultiple)
    users = forms.MultipleChoiceField(label=_("Party members and volunteers to summon"), required=False,
                                      widget=forms.CheckboxSelectMultiple)
    hours = forms.DecimalField(label=_("Report in within (hours)"), min_value=0.25, max_value=72, initial=2,
                               decimal_places=2)

    def __init__(self, *args, departments, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].choices = [(d.pk, d.name) for d in departments]
        self.fields["users"].choices = [(u.pk, str(u)) for u in users]
        self.department_objects = {str(d.pk): d for d in departments}
        self.user_objects = {str(u.pk): u for u in users}
        if not users:
            del self.fields["users"]

    def summoned(self) -> dict:
        d = self.cleaned_data
        return {"departments": [self.department_objects[i] for i in d.get("departments") or []],
                "users": [self.user_objects[i] for i in d.get("users") or []],
                "check_in_due": timezone.now() + dt.timedelta(hours=float(d["hours"]))}


class AnswerForm(forms.Form):
    note = note_field()


class MergeForm(forms.Form):
    duplicates = forms.MultipleChoiceField(label=_("Duplicates to merge into this case"),
                                           widget=forms.CheckboxSelectMultiple,
                                           error_messages={"required": _("Tick the duplicates to merge.")})
    reason = forms.CharField(label=_("Reason"), max_length=MAX_NOTE, initial="",
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duplicates"].choices = [(c.pk, c.tracking_number) for c in candidates]
