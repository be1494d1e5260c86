"""/api/v1/party/: organisations."""

from ninja import Router

router = Router(tags=["party"])
