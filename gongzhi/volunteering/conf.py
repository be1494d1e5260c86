"""Volunteering's settings, each with the default a deployment may override in its settings."""

from django.conf import settings


def star_hours() -> tuple[int, ...]:
    """Certified hours for each star (一星 … 五星 志愿者)."""
    return tuple(getattr(settings, "VOLUNTEERING_STAR_HOURS", (100, 300, 600, 1000, 1500)))


def checkin_token_seconds() -> int:
    """How long a check-in QR code stays good: long enough to scan, short enough that a photo of it
    sent home is of no use the next day."""
    return int(getattr(settings, "VOLUNTEERING_CHECKIN_TOKEN_SECONDS", 15 * 60))


def checkin_radius_m() -> int:
    return int(getattr(settings, "VOLUNTEERING_CHECKIN_RADIUS_M", 300))


def honour_notice_days() -> int:
    """Working days an honour list is on notice (公示) before it is final."""
    return int(getattr(settings, "VOLUNTEERING_HONOUR_NOTICE_DAYS", 5))
