import json

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
GEOJSON_TYPES = ".json,.geojson,application/geo+json,application/json"


def parse_geojson_upload(upload) -> dict:
    """The JSON object in an uploaded GeoJSON file, checked for size and syntax only; the
    geometry itself is judged by the grid services."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(
            _("The file is %(size)s MB; at most 5 MB may be uploaded."), code="too_large",
            params={"size": f"{upload.size / 1024 / 1024:.1f}"},
        )
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise forms.ValidationError(_("The file is not UTF-8 text. Save the GeoJSON as UTF-8."),
                                    code="encoding") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise forms.ValidationError(
            _("The file is not valid JSON (line %(line)s, column %(column)s)."), code="json",
            params={"line": getattr(exc, "lineno", "?"), "column": getattr(exc, "colno", "?")},
        ) from None
    if not isinstance(data, dict) or "type" not in data:
        raise forms.ValidationError(_("The file is JSON but not GeoJSON: it needs a “type”."), code="geojson")
    return data


def _reason_field():
    return forms.CharField(
        label=_("Reason"), max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the division's history and the audit trail."),
    )


class RenameForm(forms.Form):
    name = forms.CharField(label=_("New name"), max_length=100)
    reason = _reason_field()
    version = forms.IntegerField(widget=forms.HiddenInput)


class SplitForm(forms.Form):
    line = forms.CharField(required=False, widget=forms.HiddenInput)
    parts_file = forms.FileField(
        label=_("Or upload the parts (GeoJSON)"), required=False,
        help_text=_("A FeatureCollection of the new grids' polygons, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": GEOJSON_TYPES}),
    )
    names = forms.CharField(
        label=_("Names of the new grids"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, in the order of the parts; leave empty to number them."),
    )
    reason = _reason_field()

    def clean_line(self):
        text = self.cleaned_data["line"].strip()
        if not text:
            return None
        try:
            line = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("The cutting line could not be read; draw it again.")) from None
        coords = line.get("coordinates") if isinstance(line, dict) else None
        if not isinstance(coords, list) or len(coords) < 2:
            raise forms.ValidationError(_("A cutting line needs at least two points."))
        return line

    def clean_parts_file(self):
        upload = self.cleaned_data.get("parts_file")
        return parse_geojson_upload(upload) if upload else None

    def clean_names(self):
        return [n.strip() for n in self.cleaned_data["names"].splitlines() if n.strip()] or None

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("line") and not data.get("parts_file"):
            raise forms.ValidationError(_("Draw a cutting line on the map or upload the parts."))
        if data.get("line") and data.get("parts_file"):
            raise forms.ValidationError(_("Draw a line or upload parts, not both."))
        return data


class MergeForm(forms.Form):
    grids = forms.ModelMultipleChoiceField(
        label=_("Grids to merge"), queryset=None, widget=forms.CheckboxSelectMultiple,
        help_text=_("Pick two or more neighbouring grids of this community."),
    )
    name = forms.CharField(label=_("Name of the merged grid"), max_length=100)
    reason = _reason_field()

    def __init__(self, *args, grids, **kwargs):
        """`grids`: the community's grids the user may manage (scoped by the caller's selector)."""
        super().__init__(*args, **kwargs)
        self.fields["grids"].queryset = grids
        self.fields["grids"].label_from_instance = lambda g: f"{g.name} ({g.code[-3:]})"

    def clean_grids(self):
        grids = self.cleaned_data["grids"]
        if len(grids) < 2:
            raise forms.ValidationError(_("Pick at least two grids."))
        return grids


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Grid boundaries (GeoJSON)"),
        help_text=_("A FeatureCollection with one polygon per grid, at most 5 MB. "
                    "Everything is imported, or nothing."),
        widget=forms.ClearableFileInput(attrs={"accept": GEOJSON_TYPES}),
    )
    reason = _reason_field()
    confirm_retire = forms.BooleanField(
        label=_("Retire the grids the file leaves out"), required=False,
        help_text=_("Needed when the file would retire all of the community's grids, or more of them than the "
                    "deployment allows without asking."),
    )

    def clean_file(self):
        return parse_geojson_upload(self.cleaned_data["file"])
