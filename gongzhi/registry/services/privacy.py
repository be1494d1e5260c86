"""Revealing a full ID or phone number: an explicit, audited action, never a side effect of a read."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from gongzhi.core import crypto

from ..choices import PersonalField
from ..models import Resident
from ..permissions import RegistryAction, covers_row
from .common import record


@sensitive_variables("sealed")
@transaction.atomic
def reveal_personal_data(*, actor, resident: Resident, field: str) -> str:
    """The full value of `field` ("id_number" or "phone") for someone who holds REVEAL over the
    resident's grid; writes who saw whose number and when to the audit trail (not the number)."""
    field = PersonalField(field)
    if actor is None or not covers_row(actor, RegistryAction.REVEAL, resident):
        raise PermissionDenied(_("You may not see full personal numbers."))
    sealed = resident.id_number_sealed if field == PersonalField.ID_NUMBER else resident.phone_sealed
    record(actor, "resident.reveal", resident, after={"field": field.value})
    return crypto.unseal(sealed)  # never logged: the audit row names the field, not the value
