"""/api/v1/party/: members."""

from ninja import Router

router = Router(tags=["party"])
