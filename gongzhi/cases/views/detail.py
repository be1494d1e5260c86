"""One case as staff see it: header, map, photos and recording, the full timeline, sidesteps,
whistles with their roll-call, duplicates nearby, and the action panel."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.errors import DomainError

from .. import selectors
from ..choices import HANDLING_CLOCK_STATES, RESPONSE_CLOCK_STATES, AttachmentKind
from ..deadline_status import deadline_status
from ..permissions import sees_as_staff
from ..services import contact
from ..services.workflow import paused_hours
from .common import is_htmx, serve_attachment
from .panel import Panel


@login_required
@require_GET
def detail(request, pk):
    case = selectors.case_detail(request.user, pk)
    if not sees_as_staff(request.user, case):
        # Its reporter follows it on the tracking page (the public timeline and the rating form).
        return redirect("cases:track", code=case.tracking_code)
    return case_page(request, case)


def case_page(request, case, *, bound: dict | None = None, error: str = "", stale: bool = False, status: int = 200,
              revealed: dict | None = None):
    user = request.user
    panel = Panel(user, case)
    files = selectors.attachments(case)
    now = timezone.now()
    events = selectors.timeline(case, public=False)
    whistles = [{"whistle": w, "lines": selectors.roll_call(w, now)} for w in selectors.whistles_of(case)]
    summonses = selectors.my_summonses_on(user, case)
    selectors.as_read_by(user, case, *events, *panel.sidesteps, *summonses,
                         *(w["whistle"] for w in whistles), *(line.summons for w in whistles for line in w["lines"]))
    return render(request, "cases/detail.html", {
        "case": case,
        "deadline": deadline_status(case, now),
        "response_running": case.state in RESPONSE_CLOCK_STATES,
        "handling_running": case.state in HANDLING_CLOCK_STATES,
        "paused": paused_hours(case),
        # Masked; whole only after an audited "show" by someone who works on the case.
        "reporter": contact.masked_contact(case),
        "may_reveal": contact.may_reveal(user, case),
        "revealed": revealed,
        "events": events,
        "photos": [f for f in files if f.kind == AttachmentKind.PHOTO],
        "after_photos": [f for f in files if f.kind == AttachmentKind.AFTER_PHOTO],
        "recordings": [f for f in files if f.kind == AttachmentKind.AUDIO],
        "map_data": _map_data(case),
        "sidesteps": panel.sidesteps,
        "pending": panel.pending,
        "whistles": whistles,
        "summonses": summonses,
        "answer_form": Panel.answer_form(),
        "nearby": panel.merge_candidates,
        "available": panel.available,
        "forms": panel.forms(bound),
        "suggested_unit": panel.suggested_unit,
        "error": error,
        "stale": stale,
        "close_criteria": (case.terms or {}).get("close_criteria", ""),
    }, status=status)


def _map_data(case) -> dict:
    features = []
    if case.grid.geometry:
        features.append({"type": "Feature", "geometry": case.grid.geometry,
                         "properties": {"name": case.grid.name, "level": "grid"}})
    features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [case.lng, case.lat]},
                     "properties": {"name": case.tracking_number, "level": "point"}})
    return {"type": "FeatureCollection", "features": features}


@login_required
@require_GET
def attachment(request, pk, attachment_id):
    case = selectors.case_detail(request.user, pk)
    row = selectors.attachment_of(case, attachment_id)
    if row is None:
        raise Http404
    return serve_attachment(row, public=False, request=request)


@login_required
@require_POST
@never_cache
def reveal_contact(request, pk):
    """Show the reporter's whole phone number to someone who works on the case (audited)."""
    case = selectors.case_detail(request.user, pk)
    try:
        shown = contact.reveal_contact(actor=request.user, case=case)
    except DomainError as exc:
        if is_htmx(request):
            return HttpResponse(format_html('<span class="field-error">{}</span>', exc.message), status=403)
        return case_page(request, case, error=str(exc.message), status=403)
    if is_htmx(request):
        return HttpResponse(format_html('<a class="mono" href="tel:{0}">{0}</a>', shown["phone"]))
    return case_page(request, case, revealed=shown)
