"""/api/v1/party/: registrations."""

from ninja import Router

router = Router(tags=["party"])
