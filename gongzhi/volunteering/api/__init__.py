"""/api/v1/service/activities/: activities, sign-ups, check-in, certification, corrections and
my hours."""

from ninja import Router

from . import activities, hours

router = Router(tags=["volunteering"])
router.add_router("", hours.router)
router.add_router("", activities.router)
