"""/api/v1/ routes of volunteering."""

from ninja import Router

router = Router(tags=["volunteering"])
