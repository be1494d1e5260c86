"""The reporter's whole phone number, for staff who work on the case: an explicit, audited step
(every other answer shows it masked)."""

from ninja import Router, Schema

from gongzhi.core.schemas import NOT_FOUND, ErrorOut

from .. import selectors
from ..services import contact

router = Router()


class ContactOut(Schema):
    name: str
    phone: str


@router.post("/{case_id}/contact", response={200: ContactOut, 403: ErrorOut, **NOT_FOUND},
             summary="Show the reporter's whole phone number (recorded in the audit trail)")
def reveal(request, case_id: int):
    """For the case's desk, handling unit and grid worker. Who saw whose number and when is kept
    in the audit trail; an anonymous reporter's contact is never shown (403)."""
    case = selectors.case_detail(request.auth, case_id)
    return contact.reveal_contact(actor=request.auth, case=case)
