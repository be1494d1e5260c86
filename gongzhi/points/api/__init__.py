"""/api/v1/ routes of points."""

from ninja import Router

router = Router(tags=["points"])
