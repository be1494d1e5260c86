"""Our objects as GeoReport's fields (plain dicts, in the spec's field order), ready for
serializers.render. Public output only: see privacy.py for what is held back."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongzhi.cases.choices import HANDLING_CLOCK_STATES, CaseState, EventKind

from .choices import LIST_TYPES
from .media import media_path
from .models import Open311Request, Open311Update
from .privacy import coarse, is_private, redact, shows_description
from .status import status_notes, status_of

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ["text/xml", "application/json"]


def w3(value) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _or_none(value):
    return value if value not in ("", None) else None


# --- discovery and services ---------------------------------------------------------------------


def discovery(request, changeset: str) -> dict:
    contact = getattr(settings, "GONGZHI_OPEN311_CONTACT", "") or _(
        "Ask the administrators of this Gongzhi site (共治平台) for help with the API.")
    return {
        "changeset": changeset,
        "contact": contact,
        "key_service": _("API keys for posting are issued by a city administrator, one per partner system "
                         "(gongzhi open311-issue-key --name NAME)."),
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": request.build_absolute_uri(reverse("open311:root")),
            "changeset": changeset,
            "type": "production",
            "formats": FORMATS,
        }],
    }


def service(category) -> dict:
    keywords = [category.name_zh, category.name_en, *category.keywords.split()]
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": _("Done when: %(criteria)s") % {"criteria": category.close_criteria}
        if category.close_criteria else None,
        "metadata": bool(getattr(category, "has_attributes", False)),
        "type": "realtime",
        "keywords": ", ".join(dict.fromkeys(k for k in keywords if k)),
        "group": category.parent.name,
    }


def definition(category, attributes) -> dict:
    return {"service_code": category.code, "attributes": [attribute(a) for a in attributes]}


def attribute(a) -> dict:
    out = {
        "variable": a.variable,
        "code": a.code,
        "datatype": a.datatype,
        "required": a.required,
        "datatype_description": _or_none(a.datatype_description),
        "order": a.order,
        "description": a.description,
    }
    if a.datatype in LIST_TYPES:
        out["values"] = [{"key": key, "name": name} for key, name in a.choices()]
    return out


def service_notice(terms: dict) -> str:
    """The service level a request gets, from its category's limits (working time)."""
    response, handling = terms.get("response") or {}, terms.get("handling") or {}
    if not response.get("amount") or not handling.get("amount"):
        return ""
    return _("A handling unit responds within %(response)s and handles it within %(handling)s "
             "(working time).") % {"response": _span(response), "handling": _span(handling)}


def _span(limit: dict) -> str:
    n = limit["amount"]
    if limit.get("unit") == "days":
        return ngettext("%(n)d working day", "%(n)d working days", n) % {"n": n}
    return ngettext("%(n)d working hour", "%(n)d working hours", n) % {"n": n}


# --- requests -----------------------------------------------------------------------------------


def partner_row(case) -> Open311Request | None:
    try:
        return case.open311
    except Open311Request.DoesNotExist:
        return None


def created(case, row: Open311Request) -> dict:
    """The answer to POST requests: we create at once, so the id and never a token."""
    return {
        "service_request_id": case.tracking_number,
        "service_notice": _or_none(service_notice(case.category.terms())),
        "account_id": _or_none(row.account_id),
    }


def request(case, http_request) -> dict:
    private = is_private(case)
    category = case.category
    row = partner_row(case)
    return {
        "service_request_id": case.tracking_number,
        "status": status_of(case.state),
        "status_notes": _or_none(status_notes(case)),
        "service_name": category.name if category else None,
        "service_code": category.code if category else None,
        # Published only when the reporter chose so at submission (privacy.py).
        "description": _or_none(redact(case.description)) if shows_description(case) else None,
        "agency_responsible": _or_none(case.handling_unit_name),
        "service_notice": _or_none(service_notice(case.terms or (category.terms() if category else {}))),
        "requested_datetime": w3(case.submitted_at),
        "updated_datetime": w3(_updated(case)),
        "expected_datetime": w3(case.handling_due) if case.state in HANDLING_CLOCK_STATES else None,
        "address": _address(case, private),
        "address_id": _or_none(row.address_id) if row else None,
        "zipcode": None,
        "lat": coarse(case.lat) if private else case.lat,
        "long": coarse(case.lng) if private else case.lng,
        "media_url": None if private else _media(getattr(case, "open311_photos", []), row, http_request),
    }


def _updated(case):
    if case.state in (CaseState.CLOSED, CaseState.RATED) and case.closed_at:
        return case.closed_at
    return case.updated_at


def _address(case, private: bool) -> str:
    parts = [] if private else [case.address]
    parts += [case.community.name, case.street.name, case.district.name]
    return ", ".join(p for p in parts if p)


def _media(photos, row, http_request) -> str | None:
    if photos:
        return http_request.build_absolute_uri(media_path(photos[0]))
    if row is not None and row.media_url:
        return row.media_url
    return None


def token(row: Open311Request) -> dict:
    return {"service_request_id": row.case.tracking_number, "token": row.token}


# --- updates ------------------------------------------------------------------------------------


def _partner_update(event) -> Open311Update | None:
    try:
        return event.open311_update
    except Open311Update.DoesNotExist:
        return None


def update(event, http_request) -> dict:
    case = event.case
    partner = _partner_update(event)
    media = None
    if not is_private(case):
        if partner is not None and partner.media_url:
            media = partner.media_url
        else:
            photos = getattr(event, "open311_photos", [])
            media = http_request.build_absolute_uri(media_path(photos[0])) if photos else None
    return {
        "update_id": str(event.pk),
        "service_request_id": case.tracking_number,
        "status": status_of(event.to_state or case.state),
        "updated_datetime": w3(event.at),
        "description": redact(event.public_note) or str(EventKind(event.kind).label),
        "media_url": media,
    }


def posted_update(partner: Open311Update) -> dict:
    return {"update_id": str(partner.event_id)}
