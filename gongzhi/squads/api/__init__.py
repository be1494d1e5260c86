"""/api/v1/squads/: emergency squads, their rosters and readiness checks, alerts (acknowledge, check
in, muster, tasks, log, stand-down, report) and figures."""

from ninja import Router

from . import alerts, squads

router = Router(tags=["squads"])
router.add_router("", squads.router)
router.add_router("", alerts.router)
