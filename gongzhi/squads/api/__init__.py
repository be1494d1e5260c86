"""/api/v1/ routes of squads."""

from ninja import Router

router = Router(tags=["squads"])
