"""/api/v1/ routes of service."""

from ninja import Router

router = Router(tags=["service"])
