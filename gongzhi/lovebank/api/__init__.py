"""/api/v1/ routes of lovebank."""

from ninja import Router

router = Router(tags=["lovebank"])
