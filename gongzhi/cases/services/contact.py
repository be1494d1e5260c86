"""The reporter's contact: masked wherever staff read a case (pages, lists, exports, the API) —
138****1234 — and shown whole only when someone who works on the case asks for it, to call the
reporter back. Asking is an explicit, audited step (who saw whose number, and when), never a side
effect of a read; the audit row names the field, never the number. An anonymous reporter's
contact is never shown to staff at all."""

from django.db import transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from gongzhi.core import audit
from gongzhi.core.errors import DomainError
from gongzhi.core.masking import mask_phone

from ..models import Case
from ..permissions import CaseAction, may


def _contact(case: Case) -> tuple[str, str]:
    name = case.contact_name or (str(case.reporter) if case.reporter_id else "")
    phone = case.contact_phone or (case.reporter.phone if case.reporter_id and case.reporter.phone else "")
    return name, phone


def masked_contact(case: Case) -> dict | None:
    """Who reported it, with the phone masked — or None when anonymous or unknown (select the
    reporter with the case to avoid a query)."""
    if case.is_anonymous:
        return None
    name, phone = _contact(case)
    if not name and not phone:
        return None
    return {"name": name, "phone": mask_phone(phone) if phone else "", "has_phone": bool(phone)}


def may_reveal(user, case: Case) -> bool:
    return not case.is_anonymous and user is not None and may(user, case, CaseAction.REVEAL_CONTACT)


@sensitive_variables("phone")
@transaction.atomic
def reveal_contact(*, actor, case: Case) -> dict:
    """The reporter's name and whole phone number, for staff who work on the case; audited."""
    if actor is None or not getattr(actor, "is_authenticated", False) \
            or not may(actor, case, CaseAction.REVEAL_CONTACT):
        raise DomainError(_("You may not see the reporter's full phone number of case %(number)s.")
                          % {"number": case.tracking_number}, code="forbidden")
    if case.is_anonymous:
        raise DomainError(_("The reporter of case %(number)s asked to stay anonymous.")
                          % {"number": case.tracking_number}, code="forbidden")
    name, phone = _contact(case)
    if not phone:
        raise DomainError(_("The reporter of case %(number)s left no phone number.")
                          % {"number": case.tracking_number}, code="not_found")
    field = "contact_phone" if case.contact_phone else "reporter_phone"
    audit.record(actor=actor, action="case.reveal_contact", obj=case, division=case.grid,
                 after={"field": field, "reporter": case.reporter_id})
    return {"name": name, "phone": phone}
