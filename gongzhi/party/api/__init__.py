"""/api/v1/party/: the party tree and coverage, members, report-ins and linked leaders."""

from ninja import Router

from . import members, organisations, registrations

router = Router(tags=["party"])
router.add_router("", organisations.router)
router.add_router("", members.router)
router.add_router("", registrations.router)
