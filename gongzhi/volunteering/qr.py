"""The organiser's check-in QR code: a signed, expiring URL of the check-in landing page, drawn as
inline SVG (segno) so the page needs no image request and no script."""

import segno
from django.urls import reverse
from django.utils.safestring import mark_safe

from . import conf
from .services.signups import checkin_token


def check_in_code(request, activity) -> dict:
    url = request.build_absolute_uri(reverse("volunteering:check_in", args=[checkin_token(activity)]))
    svg = segno.make(url, error="m").svg_inline(scale=5, dark="#111", light="#fff", border=2)
    return {"url": url, "expires_in": conf.checkin_token_seconds(), "svg": mark_safe(svg)}  # noqa: S308 — segno's own SVG
